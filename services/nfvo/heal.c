/* Heal and start/stop of one VNFC (reference §3.7 "Heal", "Start/stop one VNFC", §3.5): the
 * routes answer 201 with no body at once (as NFVO 6's RestNetworkServiceRecord does) and the
 * operation runs on a thread of its own with an operation row ("heal", "start", "stop").
 * HEAL goes to the VNF's VNFM; its reply makes the VNFR ACTIVE and refreshes the dependency
 * records where that VNFR is a source, and every such target's VNFM gets MODIFY with its whole
 * updated record, whatever the reply's cause (§3.7 step 2 stops for some causes; here a
 * healed VNFC's values, possibly new, always reach its targets). START/STOP of one VNFC go to
 * its VNFM; the VNFC becomes ACTIVE/INACTIVE, the VNFR INACTIVE once none of its VNFCs is
 * ACTIVE and ACTIVE again on a start (§3.5). A failure puts the VNFR and NSR in ERROR. */
#include "heal.h"
#include "records-int.h"

#include "catalogue/base.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/stopper.h"
#include "http/request.h"
#include "http/server.h"
#include "nfvo.h"
#include "principal.h"
#include "json/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct vnfc_op {
    struct nfvo_records *r;
    const char *kind;   /* "heal", "start", "stop": the operation row */
    const char *action; /* HEAL, START, STOP */
    char *nsr_id, *vnfr_name, *vnfc_id, *host;
    char *cause; /* HEAL only, may be NULL */
};

static void op_free(struct vnfc_op *o)
{
    if (!o)
        return;
    free(o->nsr_id);
    free(o->vnfr_name);
    free(o->vnfc_id);
    free(o->host);
    free(o->cause);
    free(o);
}

/* ---- finding things in the NSR ---- */

static json_t *by_id(const json_t *list, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach (list, i, v) {
        const char *vid = json_string_value(json_object_get(v, "id"));
        if (vid && id && strcmp(vid, id) == 0)
            return v;
    }
    return NULL;
}

/* The VNFC instance vnfc_id anywhere in vnfr (borrowed), or NULL. */
static json_t *vnfc_of(const json_t *vnfr, const char *vnfc_id)
{
    size_t i;
    json_t *vdu, *vi;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu)
        if ((vi = by_id(json_object_get(vdu, "vnfc_instance"), vnfc_id)))
            return vi;
    return NULL;
}

static const char *hostname_of(const json_t *vnfc)
{
    const char *h = json_string_value(json_object_get(vnfc, "hostname"));
    return h ? h : "?";
}

static const char *vnfm_of(const json_t *vnfr)
{
    const char *ep = json_string_value(json_object_get(vnfr, "endpoint"));
    return ep ? ep : json_string_value(json_object_get(vnfr, "type"));
}

/* ---- storing the VNFMs' replies ---- */

/* What the NFVO owns in a VNFR, carried from old into the VNFM's copy: the id, the history,
 * the status and every VNFC's state (the VNFM echoes what it was sent, or less). */
static void carry_over(const json_t *old, json_t *vnfr)
{
    if (!old)
        return;
    const char *keep[] = {"id", "lifecycle_event_history", "status"};
    for (size_t i = 0; i < ARRAY_SIZE(keep); i++) {
        json_t *v = json_object_get(old, keep[i]);
        if (v)
            json_object_set_new(vnfr, keep[i], json_deep_copy(v));
    }
    size_t i, j;
    json_t *vdu, *vi;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu)
        json_array_foreach (json_object_get(vdu, "vnfc_instance"), j, vi) {
            const json_t *was = vnfc_of(old, json_string_value(json_object_get(vi, "id")));
            json_t *st = json_object_get(was, "state");
            if (st)
                json_object_set(vi, "state", st);
        }
}

static bool any_active(const json_t *vnfr)
{
    size_t i, j;
    json_t *vdu, *vi;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu)
        json_array_foreach (json_object_get(vdu, "vnfc_instance"), j, vi) {
            const char *st = json_string_value(json_object_get(vi, "state"));
            if (st && strcmp(st, "ACTIVE") == 0)
                return true;
        }
    return false;
}

static int not_terminated(const json_t *nsr, struct pop_error *e)
{
    const char *st = json_string_value(json_object_get(nsr, "status"));
    if (st && strcmp(st, "TERMINATED") == 0)
        return pop_error_set(e, -ECANCELED, API_STATE_CONFLICT, NULL, "terminated meanwhile");
    return 0;
}

struct stored {
    const struct vnfc_op *o;
    const char *name;    /* the VNFR the reply is about */
    const json_t *reply; /* its virtualNetworkFunctionRecord */
    const char *source;  /* MODIFY: the healed VNFR */
};

/* HEAL, START or STOP answered: the VNFM's VNFR with the VNFC's new state (§3.5). */
static int store_vnfc_reply(json_t *nsr, void *ud, struct pop_error *e)
{
    struct stored *s = ud;
    const struct vnfc_op *o = s->o;
    if (not_terminated(nsr, e) < 0)
        return -ECANCELED;
    const json_t *old = records_vnfr(nsr, s->name);
    _cleanup_json_ json_t *vnfr = json_deep_copy(s->reply);
    if (!vnfr)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    carry_over(old, vnfr);
    records_assign_ids(vnfr);
    json_t *vi = vnfc_of(vnfr, o->vnfc_id);
    if (!vi)
        return pop_error_set(e, -EBADMSG, API_BAD_GATEWAY, NULL,
                             "%s of %s: the VNFM's VNFR has no VNFC %s any more", o->action,
                             s->name, o->vnfc_id);
    bool up = strcmp(o->action, "STOP") != 0;
    json_object_set_new(vi, "state", json_string(up ? "ACTIVE" : "INACTIVE"));
    if (up || !any_active(vnfr))
        records_set_status(vnfr, up ? "ACTIVE" : "INACTIVE");
    char what[512];
    if (strcmp(o->action, "HEAL") == 0)
        snprintf(what, sizeof(what), "VNFC %s healed (cause: %s)", hostname_of(vi),
                 o->cause ? o->cause : "none");
    else
        snprintf(what, sizeof(what), "VNFC %s %s", hostname_of(vi), up ? "started" : "stopped");
    records_history(vnfr, o->action, what);
    if (strcmp(o->action, "HEAL") == 0)
        nsr_fill_dependencies(nsr, vnfr);
    return records_put_vnfr(nsr, TAKE_PTR(vnfr)) < 0
               ? pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory")
               : 0;
}

/* A target's MODIFY answered: its VNFM's VNFR, status and VNFC states unchanged (the target
 * keeps running; NFVO 6's START after it would change nothing on a running VNF, §11.14). */
static int store_modify_reply(json_t *nsr, void *ud, struct pop_error *e)
{
    struct stored *s = ud;
    if (not_terminated(nsr, e) < 0)
        return -ECANCELED;
    _cleanup_json_ json_t *vnfr = json_deep_copy(s->reply);
    if (!vnfr)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    carry_over(records_vnfr(nsr, s->name), vnfr);
    records_assign_ids(vnfr);
    char what[256];
    snprintf(what, sizeof(what), "the values of %s after its heal", s->source);
    records_history(vnfr, "MODIFY", what);
    return records_put_vnfr(nsr, TAKE_PTR(vnfr)) < 0
               ? pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory")
               : 0;
}

static int finish_edit(json_t *nsr, void *ud, struct pop_error *e)
{
    const struct vnfc_op *o = ud;
    if (not_terminated(nsr, e) < 0)
        return -ECANCELED;
    const char *done = strcmp(o->action, "HEAL") == 0    ? "Healed"
                       : strcmp(o->action, "START") == 0 ? "Started"
                                                         : "Stopped";
    json_object_set_new(nsr, "task", json_string(done));
    if (strcmp(o->action, "HEAL") == 0) {
        char what[512];
        snprintf(what, sizeof(what), "Healed: VNFC %s of %s (cause: %s)", o->host, o->vnfr_name,
                 o->cause ? o->cause : "none");
        records_history(nsr, "HEAL", what);
    }
    return 0;
}

/* ---- the operation ---- */

static void op_fail(struct vnfc_op *o, const char *vnfr, const char *reason)
{
    if (stopper_fired(o->r->n->stop))
        return; /* the row stays: the next start puts the NSR in ERROR (nfvo_records_resume) */
    /* A terminate that took over the NSR decides; the failure is only logged then. */
    if (records_end_operation(o->r, o->nsr_id, o->kind) != 1) {
        log_warn("records: NSR %s: %s (the NSR is being terminated)", o->nsr_id, reason);
        return;
    }
    records_fail(o->r, o->nsr_id, vnfr, reason);
}

/* Sends one request and stores its reply with fn; returns 0 or fails the operation. */
static int request(struct vnfc_op *o, const char *vnf, const char *vnfm, const char *action,
                   json_t *msg, records_edit_fn fn, struct stored *s)
{
    struct pop_error e = POP_ERROR_INIT;
    json_t *reply = NULL;
    if (!msg) {
        op_fail(o, vnf, "out of memory");
        return -ENOMEM;
    }
    int rc = records_vnfm_rpc(o->r, vnfm, action, vnf, msg, &reply, &e);
    json_decref(msg);
    if (rc == 0) {
        s->name = vnf;
        s->reply = json_object_get(reply, "virtualNetworkFunctionRecord");
        rc = records_edit(o->r, o->nsr_id, fn, s, &e);
        json_decref(reply);
        if (rc == -ECANCELED) {
            log_info("records: NSR %s: %s of %s: terminated meanwhile", o->nsr_id, action, vnf);
            return rc;
        }
    }
    if (rc < 0) {
        char why[1024];
        snprintf(why, sizeof(why), "%s", e.detail[0] ? e.detail : strerror(-rc));
        op_fail(o, vnf, why);
    }
    return rc;
}

/* §3.7 step 2 with the whole record: MODIFY to every target of the healed VNFR. */
static int modify_targets(struct vnfc_op *o)
{
    _cleanup_json_ json_t *nsr = NULL;
    int rc = records_load(o->r, "", o->nsr_id, &nsr);
    if (rc < 0) {
        op_fail(o, NULL, "cannot read the NSR after the heal");
        return rc;
    }
    size_t i;
    json_t *dep;
    json_array_foreach (json_object_get(nsr, "vnf_dependency"), i, dep) {
        const char *target = json_string_value(json_object_get(dep, "target"));
        const json_t *tv = records_vnfr(nsr, target);
        if (!json_object_get(json_object_get(dep, "idType"), o->vnfr_name) || !tv)
            continue;
        struct stored s = {.o = o, .source = o->vnfr_name};
        json_t *msg =
            json_pack("{s:s, s:O, s:O}", "action", "MODIFY", "vnfr", (json_t *)tv, "vnfrd", dep);
        if ((rc = request(o, target, vnfm_of(tv), "MODIFY", msg, store_modify_reply, &s)) < 0)
            return rc;
    }
    return 0;
}

static void op_main(void *p)
{
    struct vnfc_op *o = p;
    _cleanup_json_ json_t *nsr = NULL;
    if (records_load(o->r, "", o->nsr_id, &nsr) < 0) {
        op_fail(o, NULL, "cannot read the NSR");
        goto out;
    }
    const json_t *vnfr = records_vnfr(nsr, o->vnfr_name);
    const json_t *vi = vnfc_of(vnfr, o->vnfc_id);
    if (!vi) {
        char why[256];
        snprintf(why, sizeof(why), "%s of %s: its VNFC %s is gone", o->action, o->vnfr_name,
                 o->vnfc_id);
        op_fail(o, o->vnfr_name, why);
        goto out;
    }
    json_t *msg;
    if (strcmp(o->action, "HEAL") == 0) {
        msg = json_pack("{s:s, s:O, s:O, s:s?}", "action", "HEAL", "virtualNetworkFunctionRecord",
                        (json_t *)vnfr, "vnfcInstance", (json_t *)vi, "cause", o->cause);
    } else {
        const json_t *dep = nsr_dependency_of(nsr, o->vnfr_name);
        msg = json_pack("{s:s, s:O, s:O, s:O}", "action", o->action, "virtualNetworkFunctionRecord",
                        (json_t *)vnfr, "vnfcInstance", (json_t *)vi, "vnfrDependency",
                        dep ? (json_t *)dep : json_null());
    }
    struct stored s = {.o = o};
    if (request(o, o->vnfr_name, vnfm_of(vnfr), o->action, msg, store_vnfc_reply, &s) < 0)
        goto out;
    if (strcmp(o->action, "HEAL") == 0 && modify_targets(o) < 0)
        goto out;
    struct pop_error e = POP_ERROR_INIT;
    if (records_finish(o->r, o->nsr_id, o->kind, finish_edit, o, &e) == 0) {
        log_info("records: NSR %s: %s of VNFC %s of %s done", o->nsr_id, o->kind, o->host,
                 o->vnfr_name);
    }
out:
    op_free(o);
}

/* ---- the routes ---- */

struct claim {
    const struct vnfc_op *o;
    const char *task;
};

/* Under the NSR's lock: the status allows it (a DELETE may have come since the load). */
static int begin_edit(json_t *nsr, void *ud, struct pop_error *e)
{
    struct claim *c = ud;
    const char *st = json_string_value(json_object_get(nsr, "status"));
    if (!st ||
        (strcmp(st, "ACTIVE") != 0 && strcmp(st, "INACTIVE") != 0 && strcmp(st, "ERROR") != 0))
        return pop_error_set(e, -EBUSY, API_STATE_CONFLICT, NULL,
                             "NSR %s is %s: a %s needs it ACTIVE, INACTIVE or ERROR", c->o->nsr_id,
                             st ? st : "in no state", c->o->kind);
    json_object_set_new(nsr, "task", json_string(c->task));
    return 0;
}

/* Checks the ids and the state, claims the operation and starts it; replies in every case.
 * Steals cause. */
static void start_op(struct http_request *req, struct nfvo *n, const char *kind, const char *action,
                     const char *task, char *cause)
{
    const char *id = http_request_param(req, "id");
    const char *vnfr_id = http_request_param(req, "vnfrId");
    const char *vdu_id = http_request_param(req, "vduId");
    const char *vnfc_id = http_request_param(req, "vnfcId");
    _cleanup_json_ json_t *nsr = NULL;
    int rc = records_load(n->records, nfvo_request_project(req), id, &nsr);
    if (rc < 0) {
        free(cause);
        if (rc == -ENOENT)
            http_reply_error(req, API_NOT_FOUND, "no NSR with id %s in this project", id);
        else
            http_reply_error(req, API_INTERNAL, "cannot read the NSR: %s", strerror(-rc));
        return;
    }
    const json_t *vnfr = by_id(json_object_get(nsr, "vnfr"), vnfr_id);
    const json_t *vdu = by_id(json_object_get(vnfr, "vdu"), vdu_id);
    const json_t *vi = by_id(json_object_get(vdu, "vnfc_instance"), vnfc_id);
    if (!vi) {
        free(cause);
        if (!vnfr)
            http_reply_error(req, API_NOT_FOUND, "no VNFR with id %s in NSR %s", vnfr_id, id);
        else if (!vdu)
            http_reply_error(req, API_NOT_FOUND, "no VDU with id %s in VNFR %s", vdu_id,
                             records_name(vnfr));
        else
            http_reply_error(req, API_NOT_FOUND, "no VNFC instance with id %s in VDU %s of %s",
                             vnfc_id, vdu_id, records_name(vnfr));
        return;
    }
    struct vnfc_op *o = calloc(1, sizeof(*o));
    if (o) {
        *o = (struct vnfc_op){.r = n->records,
                              .kind = kind,
                              .action = action,
                              .nsr_id = strdup(id),
                              .vnfr_name = strdup(records_name(vnfr)),
                              .vnfc_id = strdup(vnfc_id),
                              .host = strdup(hostname_of(vi)),
                              .cause = cause};
        cause = NULL;
    }
    free(cause);
    if (!o || !o->nsr_id || !o->vnfr_name || !o->vnfc_id || !o->host) {
        op_free(o);
        http_reply_error(req, API_INTERNAL, "out of memory");
        return;
    }
    char busy[64] = "";
    rc = records_claim_operation(n->records, id, kind, busy, sizeof(busy));
    if (rc < 0) {
        const char *st = json_string_value(json_object_get(nsr, "status"));
        if (rc == -EBUSY)
            http_reply_error(req, API_STATE_CONFLICT,
                             "NSR %s is %s with a %s in flight: the %s waits until it is over", id,
                             st ? st : "NULL", busy[0] ? busy : "operation", kind);
        else
            http_reply_error(req, API_INTERNAL, "cannot start the %s: %s", kind, strerror(-rc));
        op_free(o);
        return;
    }
    struct claim c = {o, task};
    struct pop_error e = POP_ERROR_INIT;
    if ((rc = records_edit(n->records, id, begin_edit, &c, &e)) < 0) {
        (void)records_end_operation(n->records, id, kind);
        http_reply_pop_error(req, &e);
        op_free(o);
        return;
    }
    log_info("records: NSR %s: %s of VNFC %s (%s) of %s", id, kind, vnfc_id, hostname_of(vi),
             o->vnfr_name);
    if ((rc = records_spawn(n->records, op_main, o)) < 0) {
        op_free(o);
        records_fail(n->records, id, records_name(vnfr), "cannot start the operation thread");
        http_reply_error(req, API_UNAVAILABLE, "cannot start the %s: %s", kind, strerror(-rc));
        return;
    }
    http_reply_empty(req, 201);
}

/* Body {"action": "HEAL", "cause": "..."} (NFVO 6's NFVMessage; only HEAL has an action). */
static void handle_action(struct http_request *req, void *ud)
{
    size_t len = 0;
    const char *text = http_request_body(req, &len);
    _cleanup_json_ json_t *body = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (!len) {
        http_reply_error(req, API_BAD_JSON, "the body must be {\"action\": \"HEAL\", ...}");
        return;
    }
    if (cat_parse(text, len, &body, &e) < 0) {
        http_reply_pop_error(req, &e);
        return;
    }
    if (!json_is_object(body)) {
        http_reply_error(req, API_BAD_JSON, "the action body must be a JSON object");
        return;
    }
    const json_t *action = json_object_get(body, "action");
    const json_t *cause = json_object_get(body, "cause");
    if (!json_is_string(action))
        pop_error_set(&e, -EINVAL, API_INVALID_FIELD, "action",
                      "action: required, a string (HEAL)");
    else if (strcmp(json_string_value(action), "HEAL") != 0)
        pop_error_set(&e, -EINVAL, API_INVALID_FIELD, "action",
                      "action %.64s is not supported here: only HEAL", json_string_value(action));
    else if (cause && !json_is_null(cause) && !json_is_string(cause))
        pop_error_set(&e, -EINVAL, API_INVALID_FIELD, "cause", "cause: a string or null");
    if (e.detail[0]) {
        http_reply_pop_error(req, &e);
        return;
    }
    char *c = NULL;
    if (json_is_string(cause) && !(c = strdup(json_string_value(cause)))) {
        http_reply_error(req, API_INTERNAL, "out of memory");
        return;
    }
    start_op(req, ud, "heal", "HEAL", "Healing", c);
}

static void handle_start(struct http_request *req, void *ud)
{
    start_op(req, ud, "start", "START", "Starting", NULL);
}

static void handle_stop(struct http_request *req, void *ud)
{
    start_op(req, ud, "stop", "STOP", "Stopping", NULL);
}

#define VNFC_PATH                                                                                  \
    "/api/v1/ns-records/{id}/vnfrecords/{vnfrId}/vdunits/{vduId}/vnfcinstances/{vnfcId}"

static const struct http_route routes[] = {
    {"POST", VNFC_PATH "/actions", handle_action, 0},
    {"POST", VNFC_PATH "/start", handle_start, 0},
    {"POST", VNFC_PATH "/stop", handle_stop, 0},
};

const struct http_route *nfvo_heal_routes(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(routes);
    return routes;
}
