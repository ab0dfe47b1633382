/* pop-nfvo: the orchestrator. main.c builds the shared state (nfvo.h) and wires the parts to
 * the outside: the broker topology NFVO 6 declares with its registration user and the
 * registrations on nfvo.manager.handling (managers.c), and one HTTP server carrying the routes
 * of every module (auth, vims, catalogue, records). Usage: pop-nfvo [-verbose] [-config FILE]. */
#include "auth.h"
#include "catalogue.h"
#include "config.h"
#include "core/backoff.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/service.h"
#include "core/stopper.h"
#include "core/timeutil.h"
#include "core/workq.h"
#include "crashpoint.h"
#include "db/db.h"
#include "heal.h"
#include "http/request.h"
#include "http/server.h"
#include "managers.h"
#include "mq/admin.h"
#include "mq/mq.h"
#include "mq/register.h"
#include "nfvo.h"
#include "records-int.h"
#include "rpc_metrics.h"
#include "store.h"
#include "vims.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#ifndef NFVO_VERSION
#define NFVO_VERSION "dev"
#endif

#define NFVO_DRAIN_MS 10000
/* The VNFMs' queues (§1.1, §3.1): their calls (grant, allocate) and fire-and-forget messages. */
#define NFVO_VNFM_CALLS "vnfm.nfvo.actions.reply"
#define NFVO_VNFM_MESSAGES "vnfm.nfvo.actions"

/* NFVO 6's own queues on openbaton-exchange (§1.1): durable and auto-delete, bound under their
 * names (also after every reconnect, §11.3: lib/mq redeclares the table). */
static const struct mq_decl decls[] = {
    {.kind = MQ_EXCHANGE, .exchange = MQ_OPENBATON_EXCHANGE, .type = "topic", .flags = MQ_DURABLE},
    {.kind = MQ_QUEUE, .queue = MQ_MANAGER_QUEUE, .flags = MQ_DURABLE | MQ_AUTO_DELETE},
    {.kind = MQ_BIND,
     .exchange = MQ_OPENBATON_EXCHANGE,
     .queue = MQ_MANAGER_QUEUE,
     .routing_key = MQ_MANAGER_QUEUE},
    {.kind = MQ_QUEUE, .queue = NFVO_VNFM_CALLS, .flags = MQ_DURABLE | MQ_AUTO_DELETE},
    {.kind = MQ_BIND,
     .exchange = MQ_OPENBATON_EXCHANGE,
     .queue = NFVO_VNFM_CALLS,
     .routing_key = NFVO_VNFM_CALLS},
    {.kind = MQ_QUEUE, .queue = NFVO_VNFM_MESSAGES, .flags = MQ_DURABLE | MQ_AUTO_DELETE},
    {.kind = MQ_BIND,
     .exchange = MQ_OPENBATON_EXCHANGE,
     .queue = NFVO_VNFM_MESSAGES,
     .routing_key = NFVO_VNFM_MESSAGES},
};

struct nfvo_service {
    struct nfvo n; /* first: handlers get &s->n as userdata */
    const struct nfvo_config *cfg;
    struct workq *workers;
    struct mq_consumer consumers[3]; /* borrowed by mq */
    struct http_route *routes;       /* every module's, concatenated; borrowed by the server */
    struct http_server *http;
    pthread_t setup;
    bool setup_started;
    atomic_bool registration_ready;
};

static void on_manager_message(struct mq_delivery *d, void *ud)
{
    struct nfvo_service *s = ud;
    size_t len = 0;
    const char *body = mq_delivery_body(d, &len);
    if (mq_delivery_status(d) == -EMSGSIZE) {
        log_warn("managers: a message of %llu bytes on %s ignored (over the limit)",
                 (unsigned long long)mq_delivery_body_size(d), MQ_MANAGER_QUEUE);
        return;
    }
    json_t *reply = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (nfvo_managers_handle(s->n.managers, body, len, &reply, &e) < 0) {
        /* NFVO 6 answers nothing to a message it cannot take; the manager retries. */
        log_warn("managers: message refused: %s", e.detail);
        return;
    }
    if (reply && mq_reply_json(d, reply) == -EDESTADDRREQ)
        log_warn("managers: a registration without reply_to: the credentials went nowhere");
}

/* Makes the registration user, retrying while the management API is not there yet. */
static void *setup_main(void *arg)
{
    struct nfvo_service *s = arg;
    struct mq_permissions p;
    mq_registration_permissions(&p);
    struct backoff b;
    backoff_init(&b, 200, 5000, 0);
    bool warned = false;
    for (;;) {
        struct pop_error e = POP_ERROR_INIT;
        if (mq_admin_put_user(s->n.admin, s->cfg->broker_vhost, s->cfg->registration_user,
                              s->cfg->registration_password, &p, &e) == 0) {
            atomic_store(&s->registration_ready, true);
            log_info("broker: registration user '%s' ready", s->cfg->registration_user);
            return NULL;
        }
        if (!warned)
            log_warn("broker: cannot make the registration user yet: %s; retrying", e.detail);
        warned = true;
        if (stopper_sleep_ms(s->n.stop, backoff_next(&b, time_mono_ms())) < 0)
            return NULL;
    }
}

static void handle_healthz(struct http_request *req, void *userdata)
{
    struct nfvo_service *s = userdata;
    bool broker = mq_connected(s->n.mq), reg = atomic_load(&s->registration_ready);
    int managers = nfvo_managers_count(s->n.managers);
    bool ok = broker && reg && managers >= 0;
    json_t *body =
        json_pack("{s:s, s:s, s:b, s:b, s:i}", "status", ok ? "ok" : "unavailable", "service",
                  "pop-nfvo", "broker", broker, "registration_user", reg, "managers", managers);
    if (!body) {
        http_reply_error(req, API_INTERNAL, "out of memory");
        return;
    }
    http_reply_json(req, ok ? 200 : 503, body);
}

static const struct http_route own_routes[] = {
    {"GET", "/healthz", handle_healthz, HTTP_ROUTE_PUBLIC},
    {"GET", "/metrics", http_handle_metrics, HTTP_ROUTE_PUBLIC},
};

/* The service's own routes, then each module's, in one table (first match wins). */
static int build_routes(struct nfvo_service *s, size_t *ret_n)
{
    typedef const struct http_route *(*routes_fn)(size_t *);
    static const routes_fn modules[] = {nfvo_auth_routes,      nfvo_vims_routes,
                                        nfvo_catalogue_routes, nfvo_records_routes,
                                        nfvo_heal_routes,      nfvo_scale_routes};
    size_t total = ARRAY_SIZE(own_routes), n;
    for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
        modules[i](&n);
        total += n;
    }
    if (!(s->routes = calloc(total, sizeof(*s->routes))))
        return -ENOMEM;
    size_t at = 0;
    for (size_t i = 0; i < ARRAY_SIZE(own_routes); i++)
        s->routes[at++] = own_routes[i];
    for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
        const struct http_route *r = modules[i](&n);
        for (size_t k = 0; k < n; k++)
            s->routes[at++] = r[k];
    }
    *ret_n = at;
    return 0;
}

static void nfvo_service_stop(void *state)
{
    struct nfvo_service *s = state;
    http_server_stop(s->http);
    if (s->n.stop)
        stopper_fire(s->n.stop);
    if (s->setup_started)
        pthread_join(s->setup, NULL);
    if (s->n.mq)
        mq_stop(s->n.mq, time_mono_ms() + NFVO_DRAIN_MS);
    if (s->workers)
        workq_drain(s->workers, time_mono_ms() + NFVO_DRAIN_MS);
    nfvo_records_free(s->n.records);
    nfvo_vims_stop(s->n.vims); /* its refresher calls drivers: done before mq goes */
    mq_free(s->n.mq);
    workq_free(s->workers);
    nfvo_catalogue_free(s->n.catalogue);
    nfvo_vims_free(s->n.vims);
    nfvo_auth_free(s->n.auth);
    nfvo_managers_free(s->n.managers);
    mq_admin_free(s->n.admin);
    db_pool_close(s->n.pool);
    stopper_free(s->n.stop);
    metrics_free(s->n.metrics);
    nfvo_rpc_metrics_free(s->n.rpc); /* its collect hook's state outlives the registry */
    free(s->routes);
    free(s);
}

static int nfvo_service_start(void *cfgp, struct service_started *ret, struct pop_error *err)
{
    const struct nfvo_config *cfg = cfgp;
    struct nfvo_service *s = calloc(1, sizeof(*s));
    if (!s)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    s->cfg = cfg;
    s->n.cfg = cfg;
    crashpoint_init();
    int r;
    if ((r = nfvo_store_open(cfg->db_path, &s->n.pool)) < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot open the database %s: %s",
                      cfg->db_path, strerror(-r));
        goto fail;
    }
    if ((r = metrics_new(&s->n.metrics)) < 0 || (r = stopper_new(&s->n.stop)) < 0 ||
        (r = mq_admin_new(cfg->broker_api, cfg->broker_user, cfg->broker_password, 10000,
                          &s->n.admin)) < 0 ||
        (r = nfvo_managers_new(s->n.pool, s->n.admin, cfg->broker_vhost, &s->n.managers)) < 0 ||
        (r = nfvo_rpc_metrics_new(&s->n, &s->n.rpc)) < 0 ||
        (r = nfvo_auth_new(&s->n, &s->n.auth)) < 0 || (r = nfvo_vims_new(&s->n, &s->n.vims)) < 0 ||
        (r = nfvo_catalogue_new(&s->n, &s->n.catalogue)) < 0 ||
        (r = workq_new("nfvo", (unsigned)cfg->workers, (size_t)cfg->workers * 4, &s->workers)) <
            0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot set up: %s", strerror(-r));
        goto fail;
    }
    if ((r = -pthread_create(&s->setup, NULL, setup_main, s)) < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot start a thread");
        goto fail;
    }
    s->setup_started = true;
    struct mq_config mc = {
        .name = "pop-nfvo",
        .host = cfg->broker_host,
        .port = (uint16_t)cfg->broker_port,
        .vhost = cfg->broker_vhost,
        .user = cfg->broker_user,
        .password = cfg->broker_password,
        .prefetch = (unsigned)cfg->workers,
        .rpc_reply_exchange = MQ_OPENBATON_EXCHANGE,
        .rpc_timeout_ms = cfg->vnfm_timeout_s * 1000,
    };
    /* Every handler gets s, whose first member is the struct nfvo the records handlers take;
     * the records exist before the first VNFM call can arrive. */
    s->consumers[0] =
        (struct mq_consumer){.queue = MQ_MANAGER_QUEUE, .handler = on_manager_message};
    s->consumers[1] =
        (struct mq_consumer){.queue = NFVO_VNFM_CALLS, .handler = records_on_vnfm_call};
    s->consumers[2] =
        (struct mq_consumer){.queue = NFVO_VNFM_MESSAGES, .handler = records_on_vnfm_message};
    if ((r = nfvo_records_new(&s->n, &s->n.records)) < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot set up the records: %s", strerror(-r));
        goto fail;
    }
    if ((r = nfvo_records_recover(s->n.records)) < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot read the interrupted operations: %s",
                      strerror(-r));
        goto fail;
    }
    if ((r = mq_start(&mc, decls, ARRAY_SIZE(decls), s->consumers, ARRAY_SIZE(s->consumers),
                      s->workers, s->n.metrics, s, &s->n.mq)) < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot start the broker connection: %s",
                      strerror(-r));
        goto fail;
    }
    if ((r = nfvo_records_resume(s->n.records)) < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot set up the records: %s", strerror(-r));
        goto fail;
    }
    size_t n_routes = 0;
    if ((r = build_routes(s, &n_routes)) < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "out of memory");
        goto fail;
    }
    struct http_server_config hc = {
        .bind_addr = cfg->http_listen,
        .port = (uint16_t)cfg->http_port,
        .routes = s->routes,
        .n_routes = n_routes,
        .userdata = &s->n,
        .authenticate = nfvo_auth_authenticate,
        .trailing_slash = true, /* as the Java NFVO: "/api/v1/projects/" is the list too */
        .body_max = (size_t)cfg->body_max,
        .server_name = "pop-nfvo",
        .access_log = true,
        .metrics = s->n.metrics,
    };
    if ((r = http_server_start(&hc, &s->http)) < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot listen on %s:%lld: %s",
                      cfg->http_listen, (long long)cfg->http_port, strerror(-r));
        goto fail;
    }
    snprintf(ret->ready_on, sizeof(ret->ready_on), "http://%s:%u (broker %s:%lld)",
             cfg->http_listen, http_server_port(s->http), cfg->broker_host,
             (long long)cfg->broker_port);
    ret->state = s;
    return 0;
fail:
    nfvo_service_stop(s);
    return r;
}

int main(int argc, char **argv)
{
    struct service_def def = {
        .name = "pop-nfvo",
        .version = NFVO_VERSION,
        .summary = "serve the NFVO: Open Baton NFVO 6's REST API and AMQP protocol",
        .env_prefix = "NFVO_",
        .cfg_size = sizeof(struct nfvo_config),
        .check_config = nfvo_config_check,
        .start = nfvo_service_start,
        .stop = nfvo_service_stop,
    };
    def.fields = nfvo_config_fields(&def.n_fields);
    return service_main(&def, argc, argv);
}
