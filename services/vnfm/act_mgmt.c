/* The VIM driver's mgmt methods as the actions use them: which VIM a VNFC is on, one call with
 * errors naming the VNFC, and the dependency update over all the VNFCs of a target. */
#include <errno.h>
#include <string.h>

#include "actions-int.h"
#include "core/cleanup.h"
#include "dependency_env.h"
#include "vnfr_build.h"
#include "json/cleanup.h"
#include "json/jv.h"

int act_vnfcs(struct cat_vnfr *vnfr, struct act_vnfc **ret, size_t *ret_n, struct pop_error *e)
{
    size_t n = 0;
    for (size_t i = 0; i < vnfr->vdu.n; i++)
        n += vnfr->vdu.v[i].vnfc_instance.n;
    struct act_vnfc *v = n ? calloc(n, sizeof(*v)) : NULL;
    if (n && !v)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    size_t k = 0;
    for (size_t i = 0; i < vnfr->vdu.n; i++)
        for (size_t j = 0; j < vnfr->vdu.v[i].vnfc_instance.n; j++)
            v[k++] = (struct act_vnfc){&vnfr->vdu.v[i], &vnfr->vdu.v[i].vnfc_instance.v[j]};
    *ret = v;
    *ret_n = n;
    return 0;
}

int act_find_vnfc(struct act_req *q, const char *key, struct act_vnfc *ret, struct pop_error *e)
{
    const json_t *j = json_object_get(q->msg, key);
    if (!json_is_object(j))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, key, "%s: %s", key,
                             j && !json_is_null(j) ? "expected an object" : "required");
    const char *id = jv_get_string(j, "id"), *host = jv_get_string(j, "hostname");
    if (!id && !host)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, key, "%s: neither id nor hostname",
                             key);
    struct cat_vdu *vdu = NULL;
    struct cat_vnfc_instance *vi = vnfr_find_vnfc(q->vnfr, id, host, &vdu);
    if (!vi)
        return pop_error_set(e, -ENOENT, API_INVALID_FIELD, key,
                             "%s: VNFC %s is not an instance of this VNFR", key, id ? id : host);
    *ret = (struct act_vnfc){vdu, vi};
    return 0;
}

static bool is_vim(const json_t *v, const char *vim_id)
{
    const char *id = jv_get_string(v, "id");
    return json_is_object(v) && (!vim_id || !id || strcmp(vim_id, id) == 0);
}

/* The VIM of INSTANTIATE's vimInstances[parent_vdu] whose id is vim_id (without a vim_id: the
 * only one listed), or NULL. */
static const json_t *listed_vim(const json_t *lists, const char *vdu, const char *vim_id)
{
    const json_t *l = vdu ? json_object_get(lists, vdu) : NULL;
    if (!vim_id)
        return json_array_size(l) == 1 ? json_array_get(l, 0) : NULL;
    size_t i;
    const json_t *v;
    json_array_foreach (l, i, v) {
        const char *id = jv_get_string(v, "id");
        if (id && strcmp(id, vim_id) == 0)
            return v;
    }
    return NULL;
}

/* A new reference to the VIM instance c is on. */
static int vim_of(struct act_req *q, const struct act_vnfc *c, json_t **ret, struct pop_error *e)
{
    const json_t *v = c->vdu->base.id ? json_object_get(q->vdu_vim, c->vdu->base.id) : NULL;
    const char *vim_id = c->vi->vim_id;
    if (!v)
        v = listed_vim(q->vim_lists, c->vdu->parent_vdu, vim_id);
    if (!v && is_vim(q->msg_vim, vim_id))
        v = q->msg_vim;
    if (v) {
        *ret = json_incref((json_t *)v);
        return 0;
    }
    if (!vim_id)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vim_id",
                             "VNFC %s: no vim_id: its VIM is unknown", c->vi->hostname);
    if (!q->ops->vim_lookup)
        return pop_error_set(e, -ENOENT, API_NOT_FOUND, "vim_id",
                             "VNFC %s: VIM instance %s is not known to this VNFM", c->vi->hostname,
                             vim_id);
    struct pop_error le = POP_ERROR_INIT;
    int r = q->ops->vim_lookup(q->ops->ud, vim_id, ret, &le);
    if (r < 0)
        return pop_error_set(e, r, pop_error_api(&le), "vim_id", "VNFC %s: VIM instance %s: %s",
                             c->vi->hostname, vim_id, *le.detail ? le.detail : strerror(-r));
    return 0;
}

int act_mgmt(struct act_req *q, const struct act_vnfc *c, const char *method, json_t *args,
             json_t **ret, struct pop_error *e)
{
    _cleanup_json_ json_t *extra = args;
    if (!c->vi->hostname)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "hostname",
                             "a VNFC instance %s without hostname",
                             c->vi->base.id ? c->vi->base.id : "(no id)");
    _cleanup_json_ json_t *vim = NULL;
    int r = vim_of(q, c, &vim, e);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *params = json_pack("[O, s]", vim, c->vi->hostname);
    if (!params || (extra && json_array_extend(params, extra) < 0))
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    struct pop_error de = POP_ERROR_INIT;
    json_t *answer = NULL;
    r = q->ops->driver_call(q->ops->ud, vim, method, params, &answer, &de);
    if (r < 0)
        return pop_error_set(e, r, pop_error_api(&de), de.field, "VNFC %s: %s", c->vi->hostname,
                             *de.detail ? de.detail : strerror(-r));
    if (ret)
        *ret = answer;
    else
        json_decref(answer);
    return 0;
}

int act_check(struct act_req *q, const struct act_vnfc *c, struct cat_server **ret,
              struct pop_error *e)
{
    _cleanup_json_ json_t *answer = NULL;
    int r = act_mgmt(q, c, "mgmtCheck", NULL, &answer, e);
    if (r < 0)
        return r;
    struct pop_error de = POP_ERROR_INIT;
    if (!json_is_object(answer) || cat_server_from_json_at(answer, "answer", 0, ret, &de) < 0)
        return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, "answer",
                             "VNFC %s: mgmtCheck answered no Server%s%s", c->vi->hostname,
                             *de.detail ? ": " : "", de.detail);
    return 0;
}

bool act_gone(const struct pop_error *e)
{
    return strstr(e->detail, ": no container with id or name '") != NULL;
}

int act_configure(struct act_req *q, const struct cat_vnfr_dependency *rec,
                  const char *remove_vnfc_id, struct pop_error *e)
{
    _cleanup_free_ struct act_vnfc *vs = NULL;
    size_t n = 0;
    int r = act_vnfcs(q->vnfr, &vs, &n, e);
    if (r < 0 || n == 0)
        return r;
    struct cat_server **servers = calloc(n, sizeof(*servers));
    const struct cat_strmap **mds = calloc(n, sizeof(*mds));
    json_t **patches = calloc(n, sizeof(*patches));
    char *notes = NULL;
    if (!servers || !mds || !patches) {
        r = pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if ((r = act_check(q, &vs[i], &servers[i], e)) < 0)
            goto out;
        mds[i] = &servers[i]->base.metadata;
    }
    if ((r = dep_update(mds, n, rec, remove_vnfc_id, q->vnfr, patches, &notes, e)) < 0)
        goto out;
    if (notes)
        act_note(q, "%s", notes);
    int patched = 0;
    for (size_t i = 0; i < n; i++) {
        if (json_object_size(patches[i]) == 0)
            continue;
        if ((r = act_mgmt(q, &vs[i], "mgmtAddMetadata", json_pack("[o]", TAKE_PTR(patches[i])),
                          NULL, e)) < 0)
            goto out;
        patched++;
    }
    r = patched;
out:
    for (size_t i = 0; i < n; i++) {
        if (servers)
            cat_server_free(servers[i]);
        if (patches)
            json_decref(patches[i]);
    }
    free(servers);
    free(mds);
    free(patches);
    free(notes);
    return r;
}
