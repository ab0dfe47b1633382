/* HEAL of one VNFC (§3.7): the container is brought back with the same name, the same
 * addresses and the same environment. A container never started is started; one that runs,
 * stops or ended is replaced: mgmtDelete, launchInstanceAndWait with its image, flavour and
 * each address as a fixed one, mgmtAddMetadata of all it held (its dependency values and
 * state included), mgmtStart. The VNFC's vc_id becomes the new container's. Reply HEAL with
 * the VNFC and no cause, so the NFVO sends its values to the targets again (they are the
 * same, so the targets change nothing). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "actions-int.h"
#include "core/cleanup.h"
#include "json/cleanup.h"
#include "json/jv.h"

/* launchInstanceAndWait's parameters after the hostname: image, flavor, keyPair, one
 * connection point per network at its address, securityGroups, userdata. */
static json_t *launch_args(const struct cat_server *s)
{
    _cleanup_json_ json_t *cps = json_array();
    for (size_t i = 0; cps && i < s->ips.n; i++) {
        const char *net = s->ips.v[i].key;
        const struct cat_strv *ips = &s->ips.v[i].value;
        json_t *cp = json_pack("{s:s, s:s*}", "virtual_link_reference", net, "fixedIp",
                               ips->n ? ips->v[0] : NULL);
        if (!cp || json_array_append_new(cps, cp) < 0)
            return NULL;
    }
    const char *image = s->image ? (s->image->ext_id ? s->image->ext_id : s->image->name) : NULL;
    const char *flavor = s->flavor ? s->flavor->ext_id : NULL;
    if (!cps || !image)
        return NULL;
    return json_pack("[s, s?, s, O, [], s]", image, flavor, "", cps, "");
}

static json_t *metadata_of(const struct cat_server *s)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < s->base.metadata.n; i++)
        if (json_object_set_new(o, s->base.metadata.v[i].key,
                                json_string(s->base.metadata.v[i].value)) < 0)
            json_decref(TAKE_PTR(o));
    return o;
}

int act_recreate(struct act_req *q, struct act_vnfc *c, const struct cat_server *s,
                 struct pop_error *e)
{
    json_t *args = launch_args(s);
    _cleanup_json_ json_t *md = metadata_of(s);
    if (!args || !md) {
        json_decref(args);
        if (!s->image)
            return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, "image",
                                 "VNFC %s: mgmtCheck's Server names no image", c->vi->hostname);
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    }
    _cleanup_json_ json_t *fresh = NULL;
    int r = act_mgmt(q, c, "mgmtDelete", NULL, NULL, e);
    if (r < 0) {
        json_decref(args);
        return r;
    }
    if ((r = act_mgmt(q, c, "launchInstanceAndWait", args, &fresh, e)) < 0)
        return r;
    const char *ext = jv_get_string(fresh, "extId");
    if (ext && cat_set_str(&c->vi->vc_id, ext) < 0)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    if (json_object_size(md) > 0 &&
        (r = act_mgmt(q, c, "mgmtAddMetadata", json_pack("[O]", md), NULL, e)) < 0)
        return r;
    return act_mgmt(q, c, "mgmtStart", NULL, NULL, e);
}

int act_heal(struct act_req *q, json_t **ret, struct pop_error *e)
{
    struct act_vnfc c;
    struct cat_server *s = NULL;
    int r = act_take_vnfr(q, "virtualNetworkFunctionRecord", e);
    if (r == 0)
        r = act_find_vnfc(q, "vnfcInstance", &c, e);
    if (r == 0 && (r = act_check(q, &c, &s, e)) < 0 && act_gone(e)) {
        char why[POP_ERROR_DETAIL_MAX];
        snprintf(why, sizeof(why), "%s", e->detail);
        pop_error_set(e, r, API_NOT_FOUND, NULL,
                      "%s (the container and the environment it held are gone: scale the VDU "
                      "in and out instead)",
                      why);
    }
    if (r < 0)
        return r;
    const char *st = s->status ? s->status : "";
    if (strcmp(st, "CREATED") == 0)
        r = act_mgmt(q, &c, "mgmtStart", NULL, NULL, e);
    else if (strcmp(st, "RUNNING") == 0 || strcmp(st, "STOPPING") == 0 ||
             strcmp(st, "EXITED") == 0 || strcmp(st, "FAILED") == 0)
        r = act_recreate(q, &c, s, e);
    else
        r = pop_error_set(e, -EBUSY, API_STATE_CONFLICT, NULL,
                          "VNFC %s: its container is %s: the Pop cannot replace it now",
                          c.vi->hostname, *st ? st : "in no state");
    cat_server_free(s);
    if (r < 0)
        return r;
    *ret = act_reply(q, "HEAL", c.vi);
    return *ret ? 0 : pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
}
