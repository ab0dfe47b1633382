/* INSTANTIATE (§3.6 steps 3-5): build the VNFR (§4.4), GRANT_OPERATION, then, with
 * allocate=false, ALLOCATE_RESOURCES (the NFVO launches the containers: created, addresses
 * reserved, nothing started) or, with VNFM_ALLOCATE, the same launches by the VNFM itself
 * (act_allocate.c; a failure deletes what this request launched), mgmtCheck of every VNFC, the
 * VNFR's own configuration written as metadata (a VNFR that is no dependency target gets no
 * MODIFY), reply INSTANTIATE. A message that carries its `vnfr` (a restart, or a redelivery the
 * NFVO answered already) whose VNFCs exist is not granted or allocated again: it is checked and
 * configured, which changes nothing when it is already so. */
#include <errno.h>
#include <string.h>

#include "actions-int.h"
#include "core/cleanup.h"
#include "vnfr_build.h"
#include "json/cleanup.h"
#include "json/jv.h"

/* What names the VNFR in an ERROR before there is one: its name, type, endpoint and NS. */
static json_t *stub_of(const json_t *msg)
{
    const json_t *d = json_object_get(msg, "vnfd");
    const char *name = jv_get_string(d, "name");
    if (!name)
        name = jv_get_string(msg, "vnfInstanceName");
    if (!name)
        return NULL;
    const char *type = jv_get_string(d, "type");
    const char *endpoint = jv_get_string(d, "endpoint");
    const char *nsr = jv_get_string(jv_get_object(msg, "extension"), "nsr-id");
    return json_pack("{s:s, s:s*, s:s*, s:s*, s:s}", "name", name, "type", type, "endpoint",
                     endpoint ? endpoint : type, "parent_ns_id", nsr, "status", "NULL");
}

static int read_extension(const json_t *msg, struct cat_strmap *ext, struct pop_error *e)
{
    const json_t *o = json_object_get(msg, "extension");
    if (!o || json_is_null(o))
        return 0;
    if (!json_is_object(o))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "extension",
                             "extension: expected an object");
    const char *k;
    const json_t *v;
    json_object_foreach ((json_t *)o, k, v) {
        if (!json_is_string(v))
            return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "extension",
                                 "extension.%.64s: expected a string", k);
        if (cat_strmap_set(ext, k, json_string_value(v)) < 0)
            return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    }
    ext->set = true;
    return 0;
}

static int read_vlrs(const json_t *msg, struct cat_vlr_vec *vlrs, struct pop_error *e)
{
    const json_t *a = json_object_get(msg, "vlrs");
    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vlrs", "vlrs: expected an array");
    size_t i;
    const json_t *v;
    json_array_foreach (a, i, v) {
        char path[32];
        snprintf(path, sizeof(path), "vlrs[%zu]", i);
        struct cat_vlr *l = NULL;
        int r = cat_vlr_from_json_at(v, path, 0, &l, e);
        if (r < 0)
            return r;
        struct cat_vlr *slot = CAT_VEC_PUSH(vlrs);
        if (!slot) {
            cat_vlr_free(l);
            return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
        }
        *slot = *l;
        free(l);
    }
    return 0;
}

static void strmap_done(struct cat_strmap *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].key);
        free(m->v[i].value);
    }
    free(m->v);
}

/* The VNFR built from the message's VNFD (vnfr_build's checks name the field). */
static int build(struct act_req *q, struct pop_error *e)
{
    const json_t *jd = json_object_get(q->msg, "vnfd");
    if (!jd || json_is_null(jd))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnfd", "vnfd: required");
    struct cat_vnfd *vnfd = NULL;
    struct cat_vlr_vec vlrs = {0};
    struct cat_strmap ext = {0};
    int r = cat_vnfd_from_json_at(jd, "vnfd", 0, &vnfd, e);
    if (r == 0)
        r = read_vlrs(q->msg, &vlrs, e);
    if (r == 0)
        r = read_extension(q->msg, &ext, e);
    const json_t *df = json_object_get(q->msg, "vnfdf");
    if (r == 0 && df && !json_is_null(df) && !json_is_object(df))
        r = pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnfdf", "vnfdf: expected an object");
    if (r == 0) {
        struct vnfr_build_in in = {.vnfd = vnfd,
                                   .flavour_key = jv_get_string(df, "flavour_key"),
                                   .vlrs = &vlrs,
                                   .extension = &ext,
                                   .vim_instances = q->vim_lists};
        r = vnfr_build(&in, &q->vnfr, e);
    }
    cat_vnfd_free(vnfd);
    for (size_t i = 0; i < vlrs.n; i++)
        cat_vlr_clear(&vlrs.v[i]);
    free(vlrs.v);
    strmap_done(&ext);
    return r;
}

/* GRANT_OPERATION: the NFVO saves the VNFR (ids), picks a VIM per VDU (vduVim). *ret_grant
 * keeps the answer, which q->vdu_vim points into. */
static int grant(struct act_req *q, json_t **ret_grant, struct pop_error *e)
{
    json_t *answer = NULL;
    int r = act_nfvo(q, "GRANT_OPERATION",
                     json_pack("{s:s, s:o*}", "action", "GRANT_OPERATION",
                               "virtualNetworkFunctionRecord", cat_vnfr_to_json(q->vnfr, 0)),
                     "GRANT_OPERATION", &answer, e);
    if (r < 0)
        return r;
    *ret_grant = answer;
    if (!jv_get_bool(answer, "grantAllowed", false))
        return pop_error_set(e, -EPERM, API_FORBIDDEN, "grantAllowed",
                             "the NFVO did not grant GRANT_OPERATION (grantAllowed is not true)");
    if (!json_is_object(json_object_get(answer, "vduVim")))
        return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, "vduVim",
                             "GRANT_OPERATION: the answer has no vduVim");
    if ((r = act_adopt(q, answer, "GRANT_OPERATION answer", e)) < 0)
        return r;
    q->vdu_vim = json_object_get(answer, "vduVim");
    return 0;
}

/* ALLOCATE_RESOURCES: the NFVO launches a VNFC instance per component (§2.5). */
static int allocate(struct act_req *q, struct pop_error *e)
{
    const json_t *keys = json_object_get(q->msg, "keys");
    json_t *pairs = json_is_array(keys) ? json_incref((json_t *)keys) : json_array();
    _cleanup_json_ json_t *answer = NULL;
    int r = act_nfvo(q, "ALLOCATE_RESOURCES",
                     json_pack("{s:s, s:o*, s:O, s:s, s:o}", "action", "ALLOCATE_RESOURCES",
                               "virtualNetworkFunctionRecord", cat_vnfr_to_json(q->vnfr, 0),
                               "vimInstances", q->vdu_vim, "userdata", "#!/bin/sh\n", "keyPairs",
                               pairs),
                     "ALLOCATE_RESOURCES", &answer, e);
    if (r < 0)
        return r;
    return act_adopt(q, answer, "ALLOCATE_RESOURCES answer", e);
}

static size_t count_vnfcs(const struct cat_vnfr *vnfr)
{
    size_t n = 0;
    for (size_t i = 0; i < vnfr->vdu.n; i++)
        n += vnfr->vdu.v[i].vnfc_instance.n;
    return n;
}

int act_instantiate(struct act_req *q, json_t **ret, struct pop_error *e)
{
    const json_t *vims = json_object_get(q->msg, "vimInstances");
    if (vims && !json_is_null(vims) && !json_is_object(vims))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vimInstances",
                             "vimInstances: expected an object");
    q->vim_lists = vims;
    q->stub = stub_of(q->msg);
    const json_t *given = json_object_get(q->msg, "vnfr");
    _cleanup_json_ json_t *granted = NULL;
    int r;
    if (given && !json_is_null(given)) {
        if ((r = act_take_vnfr(q, "vnfr", e)) < 0)
            return r;
    } else if ((r = build(q, e)) < 0) {
        return r;
    }
    if (count_vnfcs(q->vnfr) > 0 && q->vnfr->base.id) {
        act_note(q, "VNFR %s has its VNFC instances already: not granted or allocated again",
                 q->vnfr->name);
    } else if ((r = grant(q, &granted, e)) < 0 ||
               (r = q->ops->allocate ? act_allocate(q, e) : allocate(q, e)) < 0) {
        return r;
    } else if (count_vnfcs(q->vnfr) == 0) {
        return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, "vnfr",
                             "%s: the VNFR has no VNFC instance",
                             q->ops->allocate ? "the grant" : "ALLOCATE_RESOURCES answer");
    }
    /* act_configure mgmtChecks every VNFC first: a missing container ends the request */
    if ((r = act_configure(q, NULL, NULL, e)) < 0)
        return r;
    *ret = act_reply(q, "INSTANTIATE", NULL);
    return *ret ? 0 : pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
}
