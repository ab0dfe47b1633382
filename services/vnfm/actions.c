/* The entry point of the VNFM's actions: the message's action picks the handler (§3.4), and
 * every failure becomes the one ERROR reply the NFVO understands (VnfmOrErrorMessage, §3.3,
 * §3.7 "Errors": a VNFR and an exception are must-haves). */
#include "actions.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "actions-int.h"
#include "core/cleanup.h"
#include "json/cleanup.h"
#include "json/jv.h"

void vnfm_result_done(struct vnfm_result *ret)
{
    json_decref(ret->reply);
    free(ret->notes);
    *ret = (struct vnfm_result){.error = POP_ERROR_INIT};
}

const char *vnfm_message_vnfr_id(const json_t *msg)
{
    const json_t *v = json_object_get(msg, "vnfr");
    if (!json_is_object(v))
        v = json_object_get(msg, "virtualNetworkFunctionRecord");
    return jv_get_string(v, "id");
}

void act_note(struct act_req *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (q->notes.len)
        strbuf_puts(&q->notes, "; ");
    strbuf_vprintf(&q->notes, fmt, ap);
    va_end(ap);
}

int act_take_vnfr(struct act_req *q, const char *key, struct pop_error *e)
{
    const json_t *v = json_object_get(q->msg, key);
    if (!v || json_is_null(v))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, key, "%s: required", key);
    struct cat_vnfr *vnfr = NULL;
    int r = cat_vnfr_from_json_at(v, key, 0, &vnfr, e);
    if (r < 0)
        return r;
    if (!vnfr->name) {
        cat_vnfr_free(vnfr);
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, key, "%s.name: required", key);
    }
    cat_vnfr_free(q->vnfr);
    q->vnfr = vnfr;
    return 0;
}

json_t *act_reply(const struct act_req *q, const char *action, const struct cat_vnfc_instance *vi)
{
    _cleanup_json_ json_t *o =
        json_pack("{s:s, s:o*}", "action", action, "virtualNetworkFunctionRecord",
                  cat_vnfr_to_json(q->vnfr, 0));
    if (!o || !json_object_get(o, "virtualNetworkFunctionRecord"))
        return NULL;
    if (vi) {
        json_t *j = cat_vnfc_instance_to_json(vi, 0);
        if (!j || json_object_set_new(o, "vnfcInstance", j) < 0)
            return NULL;
    }
    return TAKE_PTR(o);
}

/* §3.4: the reply to an NFVO ERROR is nothing; the NFVO has marked the VNFR already. */
static int act_error(struct act_req *q, json_t **ret, struct pop_error *e)
{
    (void)e;
    const char *m = jv_get_string(q->msg, "message");
    act_note(q, "the NFVO reports an error: %s", m ? m : "(no message)");
    *ret = json_null();
    return 0;
}

/* LOG_REQUEST expects a VnfmOrLogMessage; an ERROR would put the VNFR into ERROR for a read. */
static int act_log(struct act_req *q, json_t **ret, struct pop_error *e)
{
    const char *host = jv_get_string(q->msg, "hostname");
    char line[512];
    snprintf(line, sizeof(line),
             "pop-vnfm keeps no logs of %s: the container's output is on its Pop (pop logs %s)",
             host ? host : "this VNFC", host ? host : "<container>");
    *ret = json_pack("{s:s, s:[], s:[s]}", "action", "LOG_REQUEST", "outputLog", "errorLog", line);
    return *ret ? 0 : pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
}

static const struct {
    const char *action;
    act_fn *fn;
} handlers[] = {
    {"INSTANTIATE", act_instantiate},
    {"MODIFY", act_modify},
    {"START", act_start},
    {"STOP", act_stop},
    {"RELEASE_RESOURCES", act_release},
    {"SCALE_OUT", act_scale_out},
    {"SCALE_IN", act_scale_in},
    {"HEAL", act_heal},
    {"ERROR", act_error},
    {"LOG_REQUEST", act_log},
};

/* Actions of §3.2 this VNFM has no work for (scripts, EMS hooks, resume), refused by name. */
static const char *const unsupported[] = {
    "UPDATE",
    "EXECUTE",
    "CONFIGURE",
    "RESUME",
    "GRANT_OPERATION",
    "ALLOCATE_RESOURCES",
    "SCALING",
    "UPDATEVNFR",
    "SCALED",
    "RELEASE_RESOURCES_FINISH",
    "INSTANTIATE_FINISH",
};

static int dispatch(struct act_req *q, json_t **ret, struct pop_error *e)
{
    if (!json_is_object(q->msg))
        return pop_error_set(e, -EINVAL, API_BAD_JSON, "", "the message is not a JSON object");
    const json_t *a = json_object_get(q->msg, "action");
    if (!a)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "action", "action: required");
    if (!json_is_string(a))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "action", "action: expected a string");
    q->action = json_string_value(a);
    for (size_t i = 0; i < ARRAY_SIZE(handlers); i++)
        if (strcmp(handlers[i].action, q->action) == 0)
            return handlers[i].fn(q, ret, e);
    for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++)
        if (strcmp(unsupported[i], q->action) == 0) {
            /* name the record in the ERROR when the message has one */
            struct pop_error ignored = POP_ERROR_INIT;
            if (act_take_vnfr(q, "vnfr", &ignored) < 0)
                act_take_vnfr(q, "virtualNetworkFunctionRecord", &ignored);
            return pop_error_set(e, -EOPNOTSUPP, API_BAD_REQUEST, "action",
                                 "not supported by pop-vnfm (it runs no scripts and has no EMS)");
        }
    return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "action", "action: unknown action '%.64s'",
                         q->action);
}

/* The VNFR the ERROR names: the record as last received, else the message's own (even one
 * that did not decode: the NFVO may still know it), else what an INSTANTIATE named. */
static json_t *error_vnfr(const struct act_req *q)
{
    if (q->vnfr)
        return cat_vnfr_to_json(q->vnfr, 0);
    const json_t *v = json_object_get(q->msg, "vnfr");
    if (!json_is_object(v))
        v = json_object_get(q->msg, "virtualNetworkFunctionRecord");
    if (json_is_object(v))
        return json_incref((json_t *)v);
    return json_incref(q->stub);
}

static const char *vnfr_name(const json_t *vnfr)
{
    return jv_get_string(vnfr, "name");
}

static json_t *error_reply(const struct act_req *q, const struct pop_error *err)
{
    _cleanup_json_ json_t *vnfr = error_vnfr(q);
    struct strbuf d = STRBUF_INIT;
    const char *name = vnfr_name(vnfr);
    strbuf_printf(&d, "%s", q->action ? q->action : "message");
    if (name)
        strbuf_printf(&d, " of VNFR %s", name);
    strbuf_printf(&d, ": %s", *err->detail ? err->detail : strerror(-err->r));
    const char *nsr = jv_get_string(vnfr, "parent_ns_id");
    if (!nsr)
        nsr = jv_get_string(jv_get_object(q->msg, "extension"), "nsr-id");
    _cleanup_free_ char *detail = strbuf_steal(&d);
    if (!detail)
        return NULL;
    json_t *o =
        json_pack("{s:s, s:{s:s}}", "action", "ERROR", "exception", "detailMessage", detail);
    if (!o || (vnfr && json_object_set(o, "virtualNetworkFunctionRecord", vnfr) < 0) ||
        (nsr && json_object_set_new(o, "nsrId", json_string(nsr)) < 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int vnfm_handle(const struct vnfm_ops *ops, const json_t *msg, struct vnfm_result *ret)
{
    struct act_req q = {.ops = ops, .msg = msg, .notes = STRBUF_INIT};
    struct pop_error e = POP_ERROR_INIT;
    json_t *reply = NULL;
    int r = dispatch(&q, &reply, &e);
    if (r < 0 && q.launched)
        act_unlaunch(&q); /* before the ERROR, which names the record as it was */
    if (r < 0) {
        if (!*e.detail && r == -ENOMEM)
            pop_error_set(&e, r, API_INTERNAL, NULL, "out of memory");
        json_decref(reply);
        reply = error_reply(&q, &e);
    } else {
        pop_error_clear(&e);
    }
    cat_vnfr_free(q.vnfr);
    cat_vnfr_free(q.unlaunched);
    json_decref(q.launched);
    json_decref(q.stub);
    if (!reply) {
        strbuf_done(&q.notes);
        return -ENOMEM;
    }
    char *notes = q.notes.len ? strbuf_steal(&q.notes) : NULL;
    strbuf_done(&q.notes);
    *ret = (struct vnfm_result){.reply = reply, .error = e, .notes = notes};
    return 0;
}
