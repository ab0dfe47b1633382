/* The plugin (see plugin.h) on lib/mq's manager thread, which registers, serves, registers
 * again when the broker refuses the credentials and deregisters at stop. The requests run on its
 * worker queue, each through vimd_handle_message, and are acked only once their reply is on the
 * wire, so a request a crashed driver had taken is redelivered to the next one from the queue,
 * which outlives the crash by VIMD_QUEUE_EXPIRES. */
#include "plugin.h"

#include "config.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "envelope.h"
#include "mq/manager.h"
#include "mq/mq.h"
#include "mq/register.h"
#include "vimd.h"
#include "json/cleanup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vimd_plugin {
    const struct vimd_config *cfg;
    struct vimd *core;
    char id[MQ_NAME_MAX + 1]; /* vim-drivers.<type>.<name> */
    struct mq_decl decls[3];
    struct mq_consumer consumer;
    struct mq_manager *manager;
};

const char *vimd_plugin_id(const struct vimd_plugin *p)
{
    return p->id;
}

/* ---- one request ---- */

static json_t *oversize_exception(const struct mq_delivery *d, size_t max)
{
    struct pop_error e = {0};
    pop_error_set(&e, -EMSGSIZE, API_BODY_TOO_LARGE, NULL,
                  "plugin message of %" PRIu64 " bytes is over the limit of %zu bytes "
                  "(VIMD_BODY_MAX)",
                  mq_delivery_body_size(d), max);
    return vimd_envelope_exception(&e);
}

static void on_request(struct mq_delivery *d, void *ud)
{
    struct vimd_plugin *p = ud;
    const char *cid = mq_delivery_correlation_id(d);
    log_set_request_id(cid);
    int64_t start = time_mono_ms();
    size_t len = 0;
    const char *body = mq_delivery_body(d, &len);
    char *method = NULL;
    json_t *env = mq_delivery_status(d) == -EMSGSIZE
                      ? oversize_exception(d, (size_t)p->cfg->body_max)
                      : vimd_handle_message(p->core, body, len, &method);
    if (!env) {
        /* Out of memory: no reply can be built. Settling it unanswered would lose it; the
         * broker redelivers it to a driver that has memory again. */
        log_error("plugin: %s: out of memory; request left to be redelivered",
                  method ? method : "?");
        mq_reject(d, true);
        free(method);
        log_set_request_id(NULL);
        return;
    }
    const json_t *exc = json_object_get(env, "exception");
    if (exc)
        log_info("plugin: %s%s failed in %" PRId64 " ms: %s", method ? method : "(no method)",
                 mq_delivery_redelivered(d) ? " (redelivered)" : "", time_mono_ms() - start,
                 json_string_value(json_object_get(exc, "detailMessage")));
    else
        log_info("plugin: %s%s answered in %" PRId64 " ms", method,
                 mq_delivery_redelivered(d) ? " (redelivered)" : "", time_mono_ms() - start);
    int r = mq_reply_json(d, env);
    if (r == -EDESTADDRREQ)
        log_warn("plugin: %s: the request has no reply_to; acked without a reply",
                 method ? method : "?");
    else if (r < 0 && r != -ESHUTDOWN)
        log_warn("plugin: %s: reply not sent: %s", method ? method : "?", strerror(-r));
    free(method);
    log_set_request_id(NULL);
}

/* ---- start, stop, health ---- */

int vimd_plugin_start(const struct vimd_config *cfg, struct vimd *core, struct metrics *metrics,
                      struct vimd_plugin **ret, struct pop_error *err)
{
    struct vimd_plugin *p = calloc(1, sizeof(*p));
    if (!p)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    p->cfg = cfg;
    p->core = core;
    snprintf(p->id, sizeof(p->id), "vim-drivers.%s.%s", cfg->type, cfg->name);
    /* The exchange is the NFVO's (the plugin user may not configure it); the queue is named
     * exactly the plugin id, which is all the NFVO's permissions let it declare (§1.2). */
    p->decls[0] = (struct mq_decl){
        .kind = MQ_EXCHANGE, .exchange = MQ_OPENBATON_EXCHANGE, .flags = MQ_PASSIVE};
    p->decls[1] = (struct mq_decl){.kind = MQ_QUEUE,
                                   .queue = p->id,
                                   .flags = MQ_DURABLE | MQ_DELETE_ON_STOP,
                                   .expires_ms = cfg->queue_expires_s * 1000};
    p->decls[2] = (struct mq_decl){
        .kind = MQ_BIND, .exchange = MQ_OPENBATON_EXCHANGE, .queue = p->id, .routing_key = p->id};
    p->consumer = (struct mq_consumer){.queue = p->id, .handler = on_request};
    _cleanup_json_ json_t *reg = mq_register_plugin_body(p->id);
    _cleanup_json_ json_t *dereg = json_pack("{s:s}", "type", p->id);
    if (!reg || !dereg) {
        free(p);
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    }
    struct mq_manager_config mc = {
        .log_prefix = "plugin",
        .id = p->id,
        .reg =
            {
                .host = cfg->broker_host,
                .port = (uint16_t)cfg->broker_port,
                .vhost = cfg->broker_vhost,
                .user = cfg->broker_user,
                .password = cfg->broker_password,
                .rpc_timeout_ms = cfg->rpc_timeout_ms,
            },
        .register_body = reg,
        .deregister_extra = dereg,
        .decls = p->decls,
        .n_decls = ARRAY_SIZE(p->decls),
        .cons = &p->consumer,
        .n_cons = 1,
        .workers = (unsigned)cfg->workers,
        .body_max = (size_t)cfg->body_max,
        .rpc = false, /* the driver answers; it calls nobody over this connection */
        .metrics = metrics,
        .ud = p,
    };
    int r = mq_manager_start(&mc, &p->manager, err);
    if (r < 0) {
        free(p);
        return r;
    }
    *ret = p;
    return 0;
}

void vimd_plugin_stop(struct vimd_plugin *p, int64_t drain_ms)
{
    if (!p)
        return;
    mq_manager_stop(p->manager, drain_ms);
    free(p);
}

json_t *vimd_plugin_health(struct vimd_plugin *p, bool *ret_serving)
{
    json_t *h = mq_manager_health(p->manager, ret_serving);
    if (h && json_object_set_new(h, "plugin", json_string(p->id)) < 0) {
        json_decref(h);
        return NULL;
    }
    return h;
}
