/* The actions that change a target's dependency values: MODIFY (a whole record, or the part a
 * source's scale-out or heal changed, §11.15) and SCALE_IN (a source VNFC went away, §3.7).
 * Both are one act_configure over the target's VNFCs, so a redelivered request, which finds
 * the containers holding what it would write, writes nothing. */
#include <errno.h>
#include <string.h>

#include "actions-int.h"
#include "dependency_env.h"
#include "json/jv.h"

int act_take_record(struct act_req *q, const char *key, bool required,
                    struct cat_vnfr_dependency **ret, struct pop_error *e)
{
    const json_t *j = json_object_get(q->msg, key);
    *ret = NULL;
    if (!j || json_is_null(j))
        return required ? pop_error_set(e, -EINVAL, API_INVALID_FIELD, key, "%s: required", key)
                        : 0;
    int r = cat_vnfr_dependency_from_json_at(j, key, 0, ret, e);
    if (r == 0 && (r = dep_record_check(*ret, q->vnfr, e)) < 0) {
        cat_vnfr_dependency_free(*ret);
        *ret = NULL;
    }
    return r;
}

int act_modify(struct act_req *q, json_t **ret, struct pop_error *e)
{
    struct cat_vnfr_dependency *rec = NULL;
    int r = act_take_vnfr(q, "vnfr", e);
    if (r == 0)
        r = act_take_record(q, "vnfrd", true, &rec, e);
    if (r == 0)
        r = act_configure(q, rec, NULL, e);
    cat_vnfr_dependency_free(rec);
    if (r < 0)
        return r;
    if (r == 0)
        act_note(q, "every VNFC of %s holds these values already", q->vnfr->name);
    *ret = act_reply(q, "MODIFY", NULL);
    return *ret ? 0 : pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
}

int act_scale_in(struct act_req *q, json_t **ret, struct pop_error *e)
{
    int r = act_take_vnfr(q, "virtualNetworkFunctionRecord", e);
    if (r < 0)
        return r;
    const json_t *vi = json_object_get(q->msg, "vnfcInstance");
    if (!json_is_object(vi))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnfcInstance", "vnfcInstance: %s",
                             vi && !json_is_null(vi) ? "expected an object" : "required");
    const char *id = jv_get_string(vi, "id");
    if (!id || !*id)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnfcInstance.id",
                             "vnfcInstance.id: required (the removed source VNFC)");
    if ((r = act_configure(q, NULL, id, e)) < 0)
        return r;
    if (r == 0)
        act_note(q, "no VNFC of %s held values of VNFC %s", q->vnfr->name, id);
    *ret = json_null();
    return 0;
}
