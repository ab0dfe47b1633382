/* The endpoint queue served (see wire.h): per delivery parse, lock the VNFR, vnfm_handle with
 * ops over the delivery's connection, reply, log one line, count. */
#include "wire.h"

#include "actions.h"
#include "config.h"
#include "core/cleanup.h"
#include "core/lockset.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/timeutil.h"
#include "mq/manager.h"
#include "mq/mq.h"
#include "mq/register.h"
#include "vims.h"
#include "json/jv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct vnfm_wire {
    const struct vnfm_config *cfg;
    struct vnfm_vims *vims;
    char endpoint[MQ_NAME_MAX + 1];
    struct lockset *vnfr_locks;
    struct mq_decl decls[3];
    struct mq_consumer consumer;
    struct mq_manager *manager;
    struct metric *requests;  /* vnfm_requests_total{action,outcome} */
    struct metric *durations; /* vnfm_request_duration_seconds{action} */
    struct metric *calls;     /* vnfm_calls_total{peer,method,outcome} */
    struct metric *call_time; /* vnfm_call_duration_seconds{peer} */
    atomic_int in_flight;
};

/* One request: what the ops need. */
struct wire_req {
    struct vnfm_wire *w;
    struct mq *mq;
};

static const char *outcome_of(int r)
{
    return r == 0 ? "ok" : r == -ETIMEDOUT ? "timeout" : "error";
}

/* Monotonic microseconds: request and call times are compared (bench/vnfm.sh subtracts the
 * calls from the requests to get the VNFM's own time), so milliseconds are too coarse. */
static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void count_call(struct vnfm_wire *w, const char *peer, const char *method, int r,
                       int64_t start_us)
{
    metric_add(w->calls, (const char *const[]){peer, method, outcome_of(r)}, 1);
    metric_observe_us(w->call_time, (const char *const[]){peer}, (uint64_t)(mono_us() - start_us));
}

/* Words for an mq_rpc failure of a call to who (the NFVO, "the driver <id>"). */
static int rpc_failed(int r, const char *who, const char *what, const char *queue,
                      int64_t timeout_ms, struct pop_error *e)
{
    switch (r) {
    case -ETIMEDOUT:
        return pop_error_set(e, r, API_GATEWAY_TIMEOUT, NULL,
                             "%s did not answer %s within %" PRId64 " ms", who, what, timeout_ms);
    case -ENOENT:
        return pop_error_set(e, r, API_UNAVAILABLE, NULL,
                             "%s is not there for %s (nothing consumes %s)", who, what, queue);
    case -ENOTCONN:
    case -ECONNRESET:
        return pop_error_set(e, r, API_UNAVAILABLE, NULL,
                             "%s: no connection to the broker for %s (%s)", who, what,
                             strerror(-r));
    default:
        return pop_error_set(e, r, API_BAD_GATEWAY, NULL, "%s: %s failed: %s", who, what,
                             strerror(-r));
    }
}

static int op_nfvo_call(void *ud, const json_t *request, json_t **ret_answer, struct pop_error *e)
{
    struct wire_req *q = ud;
    const char *what = json_string_value(json_object_get(request, "action"));
    if (!what)
        what = "a call";
    int64_t timeout = q->w->cfg->nfvo_timeout_ms;
    json_t *answer = NULL;
    int64_t start = mono_us();
    int r = mq_rpc(q->mq, "", VNFM_NFVO_QUEUE, request, timeout, &answer);
    count_call(q->w, "nfvo", what, r, start);
    if (r < 0)
        return rpc_failed(r, "the NFVO", what, VNFM_NFVO_QUEUE, timeout, e);
    vnfm_vims_see(q->w->vims, answer); /* a grant's vduVim */
    *ret_answer = answer;
    return 0;
}

static int op_driver_call(void *ud, const json_t *vim, const char *method, const json_t *params,
                          json_t **ret_answer, struct pop_error *e)
{
    struct wire_req *q = ud;
    char buf[MQ_NAME_MAX + 1];
    const char *plugin =
        json_string_value(json_object_get(json_object_get(vim, "metadata"), "plugin"));
    if (!plugin || !*plugin || strlen(plugin) > MQ_NAME_MAX)
        plugin = vnfm_config_driver(q->w->cfg, json_string_value(json_object_get(vim, "type")), buf,
                                    sizeof(buf));
    char who[MQ_NAME_MAX + 32];
    snprintf(who, sizeof(who), "the VIM driver %s", plugin);
    _cleanup_json_ json_t *request =
        json_pack("{s:s, s:O}", "methodName", method, "parameters", (json_t *)params);
    if (!request)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    int64_t timeout = q->w->cfg->driver_timeout_ms;
    _cleanup_json_ json_t *env = NULL;
    int64_t start = mono_us();
    int r = mq_rpc(q->mq, MQ_OPENBATON_EXCHANGE, plugin, request, timeout, &env);
    if (r < 0) {
        count_call(q->w, "driver", method, r, start);
        return rpc_failed(r, who, method, plugin, timeout, e);
    }
    const json_t *exc = json_object_get(env, "exception");
    if (json_is_object(exc)) {
        count_call(q->w, "driver", method, -EREMOTEIO, start);
        const char *detail = json_string_value(json_object_get(exc, "detailMessage"));
        return pop_error_set(e, -EREMOTEIO, API_BAD_GATEWAY, NULL, "%s",
                             detail && *detail ? detail : "the driver failed without a message");
    }
    if (!json_is_object(env) || !json_object_get(env, "answer")) {
        count_call(q->w, "driver", method, -EPROTO, start);
        return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, NULL,
                             "%s answered %s with neither answer nor exception", who, method);
    }
    count_call(q->w, "driver", method, 0, start);
    *ret_answer = json_incref(json_object_get(env, "answer"));
    return 0;
}

static int op_vim_lookup(void *ud, const char *vim_id, json_t **ret_vim, struct pop_error *e)
{
    struct wire_req *q = ud;
    return vnfm_vims_lookup(q->w->vims, vim_id, ret_vim, e);
}

/* The ERROR for a message that never reached vnfm_handle (over the cap, not JSON): there is no
 * VNFR to name. */
static json_t *early_error(const char *detail)
{
    return json_pack("{s:s, s:n, s:n, s:{s:s}}", "action", "ERROR", "virtualNetworkFunctionRecord",
                     "nsrId", "exception", "detailMessage", detail);
}

static const char *vnfr_name_of(const json_t *msg, const json_t *reply)
{
    static const char *const keys[] = {"virtualNetworkFunctionRecord", "vnfr"};
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        const char *n = json_string_value(json_object_get(json_object_get(reply, keys[i]), "name"));
        if (!n)
            n = json_string_value(json_object_get(json_object_get(msg, keys[i]), "name"));
        if (n)
            return n;
    }
    const char *n = json_string_value(json_object_get(msg, "vnfInstanceName"));
    return n ? n : json_string_value(json_object_get(json_object_get(msg, "vnfd"), "name"));
}

static void send_reply(struct mq_delivery *d, json_t *reply, const char *action)
{
    int r = mq_reply_json(d, reply);
    if (r == -EDESTADDRREQ)
        log_warn("vnfm: %s: the request has no reply_to; acked without a reply", action);
    else if (r < 0 && r != -ESHUTDOWN)
        log_warn("vnfm: %s: reply not sent: %s", action, strerror(-r));
}

static void on_request(struct mq_delivery *d, void *ud)
{
    struct vnfm_wire *w = ud;
    log_set_request_id(mq_delivery_correlation_id(d));
    atomic_fetch_add(&w->in_flight, 1);
    int64_t start = mono_us();
    size_t len = 0;
    const char *body = mq_delivery_body(d, &len);
    json_t *msg = NULL;
    char why[512];
    if (mq_delivery_status(d) == -EMSGSIZE) {
        snprintf(why, sizeof(why),
                 "message of %" PRIu64 " bytes is over the limit of %" PRIu64
                 " bytes (VNFM_BODY_MAX)",
                 mq_delivery_body_size(d), w->cfg->body_max);
    } else {
        struct jv_error je = {0};
        if (jv_parse(body ? body : "", len, &msg, &je) < 0) {
            char what[300];
            jv_error_format(&je, what, sizeof(what));
            snprintf(why, sizeof(why), "message: not a JSON object: %s", what);
        }
    }
    if (!msg) {
        log_info("vnfm: refused a message%s: %s",
                 mq_delivery_redelivered(d) ? " (redelivered)" : "", why);
        metric_add(w->requests, (const char *const[]){"(none)", "error"}, 1);
        json_t *reply = early_error(why);
        if (reply)
            send_reply(d, reply, "(none)");
        else
            mq_reject(d, true);
        goto out;
    }
    const char *action = json_string_value(json_object_get(msg, "action"));
    char action_buf[32];
    snprintf(action_buf, sizeof(action_buf), "%s", action && strlen(action) < 24 ? action : "?");
    vnfm_vims_see(w->vims, msg);
    const char *key = vnfm_message_vnfr_id(msg);
    bool locked = key && *key && lockset_acquire(w->vnfr_locks, key, LOCKSET_FOREVER) == 0;
    struct wire_req q = {.w = w, .mq = mq_delivery_mq(d)};
    struct vnfm_ops ops = {.nfvo_call = op_nfvo_call,
                           .driver_call = op_driver_call,
                           .vim_lookup = op_vim_lookup,
                           .allocate = w->cfg->allocate,
                           .ud = &q};
    struct vnfm_result res = {0};
    int r = vnfm_handle(&ops, msg, &res);
    if (locked)
        lockset_release(w->vnfr_locks, key);
    int64_t us = mono_us() - start;
    int64_t ms = us / 1000;
    metric_observe_us(w->durations, (const char *const[]){action_buf}, (uint64_t)us);
    if (r < 0) {
        /* Not even the ERROR could be made: the broker redelivers it to a VNFM with memory. */
        log_error("vnfm: %s: out of memory; request left to be redelivered", action_buf);
        metric_add(w->requests, (const char *const[]){action_buf, "error"}, 1);
        mq_reject(d, true);
        json_decref(msg);
        goto out;
    }
    const char *name = vnfr_name_of(msg, res.reply);
    if (res.error.r < 0)
        log_info("vnfm: %s of VNFR %s%s failed in %" PRId64 " ms: %s%s%s", action_buf,
                 name ? name : "?", mq_delivery_redelivered(d) ? " (redelivered)" : "", ms,
                 res.error.detail, res.notes ? "; " : "", res.notes ? res.notes : "");
    else
        log_info("vnfm: %s of VNFR %s%s done in %" PRId64 " ms%s%s", action_buf, name ? name : "?",
                 mq_delivery_redelivered(d) ? " (redelivered)" : "", ms, res.notes ? "; " : "",
                 res.notes ? res.notes : "");
    metric_add(w->requests, (const char *const[]){action_buf, res.error.r < 0 ? "error" : "ok"}, 1);
    send_reply(d, res.reply, action_buf);
    res.reply = NULL;
    vnfm_result_done(&res);
    json_decref(msg);
out:
    atomic_fetch_sub(&w->in_flight, 1);
    log_set_request_id(NULL);
}

static void wire_free(struct vnfm_wire *w)
{
    lockset_free(w->vnfr_locks);
    free(w);
}

/* The registration body (§1.2) and the deregistration's extra members. */
static json_t *endpoint_json(const struct vnfm_wire *w)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "type", w->cfg->type, "endpoint",
                     w->endpoint, "endpointType", "RABBIT", "description", w->cfg->description,
                     "enabled", 1, "active", 1);
}

static int register_metrics(struct vnfm_wire *w, struct metrics *m)
{
    if (!m)
        return 0;
    int r =
        metrics_counter(m, "vnfm_requests_total", "NFVO requests handled, by action and outcome",
                        (const char *const[]){"action", "outcome", NULL}, &w->requests);
    if (r == 0)
        r = metrics_summary(m, "vnfm_request_duration_seconds",
                            "time from a request's delivery to its reply, by action",
                            (const char *const[]){"action", NULL}, &w->durations);
    if (r == 0)
        r = metrics_counter(m, "vnfm_calls_total",
                            "calls the VNFM made, by peer (nfvo, driver), method and outcome",
                            (const char *const[]){"peer", "method", "outcome", NULL}, &w->calls);
    if (r == 0)
        r = metrics_summary(m, "vnfm_call_duration_seconds",
                            "time the VNFM waited for its calls, by peer (nfvo, driver)",
                            (const char *const[]){"peer", NULL}, &w->call_time);
    return r;
}

int vnfm_wire_start(const struct vnfm_config *cfg, struct vnfm_vims *vims, struct metrics *metrics,
                    struct vnfm_wire **ret, struct pop_error *err)
{
    struct vnfm_wire *w = calloc(1, sizeof(*w));
    if (!w)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    w->cfg = cfg;
    w->vims = vims;
    snprintf(w->endpoint, sizeof(w->endpoint), "%s", vnfm_config_endpoint(cfg));
    /* The exchange is the NFVO's; the queue is named exactly the endpoint, all the NFVO's
     * permissions let the VNFM declare (§1.2); durable with an expiry rather than auto-delete,
     * so a crash leaves the requests it had taken for the restart. */
    w->decls[0] = (struct mq_decl){
        .kind = MQ_EXCHANGE, .exchange = MQ_OPENBATON_EXCHANGE, .flags = MQ_PASSIVE};
    w->decls[1] = (struct mq_decl){.kind = MQ_QUEUE,
                                   .queue = w->endpoint,
                                   .flags = MQ_DURABLE | MQ_DELETE_ON_STOP,
                                   .expires_ms = cfg->queue_expires_s * 1000};
    w->decls[2] = (struct mq_decl){.kind = MQ_BIND,
                                   .exchange = MQ_OPENBATON_EXCHANGE,
                                   .queue = w->endpoint,
                                   .routing_key = w->endpoint};
    w->consumer = (struct mq_consumer){.queue = w->endpoint, .handler = on_request};
    _cleanup_json_ json_t *ep = endpoint_json(w);
    _cleanup_json_ json_t *reg = ep ? json_pack("{s:s, s:s, s:O}", "type", cfg->type, "action",
                                                "register", "vnfmManagerEndpoint", ep)
                                    : NULL;
    _cleanup_json_ json_t *dereg =
        ep ? json_pack("{s:s, s:O}", "type", cfg->type, "vnfmManagerEndpoint", ep) : NULL;
    int r = 0;
    if (!reg || !dereg)
        r = pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    else if ((r = lockset_new((size_t)cfg->workers, &w->vnfr_locks)) < 0)
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "out of memory");
    else if ((r = register_metrics(w, metrics)) < 0)
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot register the metrics: %s",
                      strerror(-r));
    if (r < 0) {
        wire_free(w);
        return r;
    }
    struct mq_manager_config mc = {
        .log_prefix = "vnfm",
        .id = cfg->type,
        .reg =
            {
                .host = cfg->broker_host,
                .port = (uint16_t)cfg->broker_port,
                .vhost = cfg->broker_vhost,
                .user = cfg->broker_user,
                .password = cfg->broker_password,
                .rpc_timeout_ms = cfg->register_timeout_ms,
                .body_max = (size_t)cfg->body_max,
            },
        .register_body = reg,
        .deregister_extra = dereg,
        .decls = w->decls,
        .n_decls = ARRAY_SIZE(w->decls),
        .cons = &w->consumer,
        .n_cons = 1,
        .workers = (unsigned)cfg->workers,
        .body_max = (size_t)cfg->body_max,
        .rpc = true, /* grants, allocations and driver calls from the handlers */
        .metrics = metrics,
        .ud = w,
    };
    if ((r = mq_manager_start(&mc, &w->manager, err)) < 0) {
        wire_free(w);
        return r;
    }
    *ret = w;
    return 0;
}

void vnfm_wire_stop(struct vnfm_wire *w, int64_t drain_ms)
{
    if (!w)
        return;
    mq_manager_stop(w->manager, drain_ms);
    wire_free(w);
}

json_t *vnfm_wire_health(struct vnfm_wire *w, bool *ret_serving)
{
    json_t *h = mq_manager_health(w->manager, ret_serving);
    if (h && (json_object_set_new(h, "type", json_string(w->cfg->type)) < 0 ||
              json_object_set_new(h, "endpoint", json_string(w->endpoint)) < 0 ||
              json_object_set_new(h, "in_flight", json_integer(atomic_load(&w->in_flight))) < 0)) {
        json_decref(h);
        return NULL;
    }
    return h;
}
