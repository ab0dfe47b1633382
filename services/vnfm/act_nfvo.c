/* The VNFM's RPCs to the NFVO (GRANT_OPERATION, ALLOCATE_RESOURCES, SCALING on
 * vnfm.nfvo.actions.reply, §3.1) and what their answers are: a VNFR to adopt, or a refusal
 * ({"action":"ERROR","vnfr","message"}, §11.11) that ends the request naming the NFVO's words. */
#include <errno.h>
#include <string.h>

#include "actions-int.h"
#include "core/cleanup.h"
#include "vnfr_build.h"
#include "json/cleanup.h"
#include "json/jv.h"

int act_nfvo(struct act_req *q, const char *what, json_t *request, const char *want_action,
             json_t **ret, struct pop_error *e)
{
    _cleanup_json_ json_t *req = request;
    if (!req)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    struct pop_error ce = POP_ERROR_INIT;
    _cleanup_json_ json_t *answer = NULL;
    int r = q->ops->nfvo_call(q->ops->ud, req, &answer, &ce);
    if (r < 0)
        return pop_error_set(e, r, pop_error_api(&ce), NULL, "%s: %s", what,
                             *ce.detail ? ce.detail : strerror(-r));
    if (!json_is_object(answer))
        return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, NULL,
                             "%s: the NFVO answered %s, not a message", what,
                             json_is_null(answer) ? "null" : "a JSON value");
    const char *action = jv_get_string(answer, "action");
    if (action && strcmp(action, "ERROR") == 0) {
        const char *m = jv_get_string(answer, "message");
        return pop_error_set(e, -EPERM, API_FORBIDDEN, NULL, "the NFVO refused %s: %s", what,
                             m && *m ? m : "(no message)");
    }
    if (action && strcmp(action, want_action) != 0)
        return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, "action",
                             "%s: the NFVO answered %.64s, not %s", what, action, want_action);
    *ret = TAKE_PTR(answer);
    return 0;
}

int act_adopt(struct act_req *q, const json_t *answer, const char *what, struct pop_error *e)
{
    const char *key = "vnfr";
    const json_t *v = json_object_get(answer, key);
    if (!v || json_is_null(v)) {
        key = "virtualNetworkFunctionRecord";
        v = json_object_get(answer, key);
    }
    if (!v || json_is_null(v))
        return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, "vnfr", "%s: no VNFR in the answer",
                             what);
    struct cat_vnfr *vnfr = NULL;
    struct pop_error de = POP_ERROR_INIT;
    if (cat_vnfr_from_json_at(v, key, 0, &vnfr, &de) < 0)
        return pop_error_set(e, de.r == -ENOMEM ? -ENOMEM : -EPROTO, API_BAD_GATEWAY, de.field,
                             "%s: %s", what, de.detail);
    return vnfr_adopt(&q->vnfr, vnfr, what, e);
}
