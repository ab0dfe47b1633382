/* SCALE_OUT of this VNFR (§3.7): with allocate=false the SCALING RPC (the NFVO launches one
 * more VNFC), with VNFM_ALLOCATE the VNFM's own launch of the message's component on its
 * vimInstance (act_allocate.c; a failure deletes it again), then the new VNFC gets the VNFR's
 * configuration and its dependency record (`dependency`, when this VNFR is a target) and is
 * started; its siblings already hold the same values, so they are not touched. Reply SCALED with
 * the new VNFC. */
#include <errno.h>
#include <string.h>

#include "actions-int.h"
#include "core/cleanup.h"
#include "vnfr_build.h"
#include "json/cleanup.h"
#include "json/jv.h"

int act_scale_out(struct act_req *q, json_t **ret, struct pop_error *e)
{
    struct cat_vnfr_dependency *rec = NULL;
    struct cat_vnfr *before = NULL;
    _cleanup_json_ json_t *answer = NULL;
    int r = act_take_vnfr(q, "virtualNetworkFunctionRecord", e);
    const json_t *vim = json_object_get(q->msg, "vimInstance");
    if (r == 0 && vim && !json_is_null(vim) && !json_is_object(vim))
        r = pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vimInstance",
                          "vimInstance: expected an object");
    q->msg_vim = json_is_object(vim) ? vim : NULL;
    if (r == 0)
        r = act_take_record(q, "dependency", false, &rec, e);
    if (r == 0 && (r = cat_vnfr_dup(q->vnfr, &before)) < 0)
        pop_error_set(e, r, API_INTERNAL, NULL, NULL);
    if (r == 0 && q->ops->allocate) {
        r = act_allocate_scaled(q, jv_get_string(json_object_get(q->msg, "component"), "id"),
                                q->msg_vim, e);
    } else if (r == 0) {
        json_t *req =
            json_pack("{s:s, s:o*, s:s}", "action", "SCALING", "virtualNetworkFunctionRecord",
                      cat_vnfr_to_json(q->vnfr, 0), "userData", "#!/bin/sh\n");
        if (req && q->msg_vim && json_object_set(req, "vimInstance", (json_t *)q->msg_vim) < 0)
            json_decref(TAKE_PTR(req));
        r = act_nfvo(q, "SCALING", req, "SCALED", &answer, e);
        if (r == 0)
            r = act_adopt(q, answer, "SCALING answer", e);
    }
    size_t added = 0;
    struct cat_vnfc_instance *vi = r == 0 ? vnfr_new_vnfc(before, q->vnfr, &added) : NULL;
    if (r == 0 && added != 1)
        r = pop_error_set(e, -EPROTO, API_BAD_GATEWAY, "vnfr",
                          "%s: %zu new VNFC instances, not one",
                          q->ops->allocate ? "the launch" : "SCALING answer", added);
    if (r == 0)
        r = act_configure(q, rec, NULL, e);
    struct act_vnfc c = {0};
    if (r >= 0) {
        c.vi = vnfr_find_vnfc(q->vnfr, vi->base.id, vi->hostname, &c.vdu);
        const char *mode = jv_get_string(q->msg, "mode");
        if (mode && strcmp(mode, "standby") == 0)
            act_note(q, "VNFC %s is a standby: not started", c.vi->hostname);
        else
            r = act_mgmt(q, &c, "mgmtStart", NULL, NULL, e);
    }
    cat_vnfr_dependency_free(rec);
    cat_vnfr_free(before);
    if (r < 0)
        return r;
    *ret = act_reply(q, "SCALED", c.vi);
    return *ret ? 0 : pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
}
