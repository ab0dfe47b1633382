/* The gateway's state (upstreams with their pools and counters, the login limiter), its route
 * table for lib/http, and the handlers it answers itself: /healthz and /metrics. */
#include "gateway.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/stopper.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "http/request.h"
#include "http/server.h"
#include "httpc/httpc.h"
#include "pool.h"
#include "ratelimit.h"
#include "json/jv.h"

#define GW_HEALTH_TIMEOUT_MS 2000L
#define GW_CONNECT_TIMEOUT_MAX_MS 5000L

static const char *const error_reasons[GW_ERR_COUNT] = {"refused", "timeout", "failed", "cut"};

/* At scrape time: copies the proxy's counters (atomics in struct gw_upstream, bumped where the
 * transfers run) and the pools' idle counts into the registry. */
static int collect_upstreams(struct metrics *m, void *ud)
{
    (void)m;
    struct gateway *gw = ud;
    for (size_t i = 0; i < gw->routes.n; i++) {
        struct gw_upstream *up = &gw->ups[i];
        const char *prefix = gw->routes.v[i].prefix;
        for (unsigned c = 1; c < HTTP_STATUS_CLASSES; c++)
            metric_set(gw->m_responses, (const char *const[]){prefix, http_status_class_name(c)},
                       (int64_t)atomic_load(&up->responses[c]));
        for (size_t e = 0; e < GW_ERR_COUNT; e++)
            metric_set(gw->m_errors, (const char *const[]){prefix, error_reasons[e]},
                       (int64_t)atomic_load(&up->errors[e]));
        const char *const v[] = {prefix};
        metric_set(gw->m_bytes, v, (int64_t)atomic_load(&up->bytes));
        metric_set(gw->m_in_flight, v, atomic_load(&up->in_flight));
        metric_set(gw->m_pool_idle, v, (int64_t)gw_pool_idle(up->pool));
    }
    metric_set(gw->m_rate_limited, NULL, (int64_t)atomic_load(&gw->rate_limited));
    metric_set(gw->m_unrouted, NULL, (int64_t)atomic_load(&gw->unrouted));
    return 0;
}

/* The gateway's families, labelled by route prefix (from the configuration, never from a
 * client), so the caps are exact. */
static int metrics_init(struct gateway *gw)
{
    static const char *const by_class[] = {"prefix", "class", NULL};
    static const char *const by_reason[] = {"prefix", "reason", NULL};
    static const char *const by_prefix[] = {"prefix", NULL};
    size_t n = gw->routes.n ? gw->routes.n : 1;
    const struct {
        enum metric_type type;
        const char *name, *help;
        const char *const *labels;
        size_t max_series;
        struct metric **ret;
    } defs[] = {
        {METRIC_COUNTER, "pop_gateway_upstream_responses_total",
         "Upstream responses by status class.", by_class, n * (HTTP_STATUS_CLASSES - 1),
         &gw->m_responses},
        {METRIC_COUNTER, "pop_gateway_upstream_errors_total",
         "Upstream failures: refused (502), timeout (504), failed (502), cut (body cut short).",
         by_reason, n * GW_ERR_COUNT, &gw->m_errors},
        {METRIC_COUNTER, "pop_gateway_upstream_bytes_total", "Response body bytes sent to clients.",
         by_prefix, n, &gw->m_bytes},
        {METRIC_GAUGE, "pop_gateway_upstream_in_flight", "Upstream transfers running.", by_prefix,
         n, &gw->m_in_flight},
        {METRIC_GAUGE, "pop_gateway_upstream_pool_idle", "Idle kept-alive upstream clients.",
         by_prefix, n, &gw->m_pool_idle},
        {METRIC_COUNTER, "pop_gateway_login_rate_limited_total", "Login requests refused with 429.",
         NULL, 0, &gw->m_rate_limited},
        {METRIC_COUNTER, "pop_gateway_unrouted_total", "Requests matching no route (404).", NULL, 0,
         &gw->m_unrouted},
    };
    int r = metrics_new(&gw->metrics);
    for (size_t i = 0; r == 0 && i < ARRAY_SIZE(defs); i++) {
        struct metric_def d = {defs[i].type, defs[i].name, defs[i].help, defs[i].labels,
                               defs[i].max_series};
        r = metrics_register(gw->metrics, &d, defs[i].ret);
    }
    if (r == 0)
        r = metrics_on_collect(gw->metrics, collect_upstreams, gw);
    return r;
}

int gateway_init(struct gateway *gw, const struct gw_config *cfg, char *err, size_t errlen)
{
    char *spec = NULL;
    int r = gw_routes_spec(cfg->routes, cfg->nfvo_url, &spec);
    if (r < 0) {
        snprintf(err, errlen, "out of memory");
        return r;
    }
    r = gw_routes_parse(spec, cfg->health_path, &gw->routes, err, errlen);
    free(spec);
    if (r < 0)
        return r; /* e.g. GATEWAY_ROUTES has /api/ too: "route prefix '/api/' appears twice" */
    gw->upstream_timeout_ms = (long)cfg->upstream_timeout_s * 1000;
    long connect_ms = gw->upstream_timeout_ms < GW_CONNECT_TIMEOUT_MAX_MS
                          ? gw->upstream_timeout_ms
                          : GW_CONNECT_TIMEOUT_MAX_MS;
    if ((r = stopper_new(&gw->stop)) < 0) {
        snprintf(err, errlen, "cannot create the stop token: %s", strerror(-r));
        return r;
    }
    gw->ups = calloc(gw->routes.n, sizeof(*gw->ups));
    if (!gw->ups)
        return -ENOMEM;
    for (size_t i = 0; i < gw->routes.n; i++) {
        gw->ups[i].route = &gw->routes.v[i];
        r = gw_pool_new(gw->routes.v[i].origin, connect_ms, &gw->ups[i].pool);
        if (r < 0) {
            snprintf(err, errlen, "cannot create the client pool of %s", gw->routes.v[i].url);
            return r;
        }
    }
    unsigned count = 0, period = 0;
    if (gw_ratelimit_parse(cfg->login_rate, &count, &period) < 0) {
        snprintf(err, errlen, "GATEWAY_LOGIN_RATE: invalid");
        return -EINVAL;
    }
    if (count > 0 && !(gw->login_limit = gw_ratelimit_new(count, period)))
        return -ENOMEM;
    gw->tls = cfg->tls_cert && cfg->tls_cert[0];
    r = metrics_init(gw);
    if (r < 0)
        snprintf(err, errlen, "cannot register the metrics: %s", strerror(-r));
    return r;
}

void gateway_begin_stop(struct gateway *gw, int64_t drain_ms)
{
    /* The deadline first: a read woken by the token reads it to know how long to wait on. */
    atomic_store(&gw->stop_deadline, time_mono_ms() + (drain_ms > 0 ? drain_ms : 1));
    if (gw->stop)
        stopper_fire(gw->stop);
}

void gateway_done(struct gateway *gw)
{
    if (!gw)
        return;
    /* The server that rendered it is stopped, and the proxy never touches it. */
    metrics_free(gw->metrics);
    gw->metrics = NULL;
    int64_t running = 0;
    for (size_t i = 0; gw->ups && i < gw->routes.n; i++)
        running += atomic_load(&gw->ups[i].in_flight);
    if (running > 0) {
        /* Freeing a pool whose client is still in use would be a use-after-free: leak instead. */
        log_warn("gateway: %lld upstream transfers still running at exit", (long long)running);
        return;
    }
    for (size_t i = 0; gw->ups && i < gw->routes.n; i++)
        gw_pool_free(gw->ups[i].pool);
    free(gw->ups);
    gw->ups = NULL;
    gw_ratelimit_free(gw->login_limit);
    gw->login_limit = NULL;
    stopper_free(gw->stop);
    gw->stop = NULL;
    gw_routes_done(&gw->routes);
}

static const struct http_route gateway_routes[] = {
    {"GET", "/healthz", gw_handle_healthz, HTTP_ROUTE_PUBLIC},
    {"GET", "/metrics", gw_handle_metrics, HTTP_ROUTE_PUBLIC},
    {NULL, "/{*rest}", gw_handle_proxy, HTTP_ROUTE_PUBLIC},
};

const struct http_route *gateway_http_routes(size_t *ret_n)
{
    *ret_n = sizeof(gateway_routes) / sizeof(gateway_routes[0]);
    return gateway_routes;
}

/* One upstream's health as {"prefix", "url", "health", "status": "up"|"down", ...}. */
static json_t *upstream_health(struct gw_upstream *up, bool *ret_up)
{
    const struct gw_route *rt = up->route;
    json_t *o = json_pack("{s:s, s:s, s:s}", "prefix", rt->prefix, "url", rt->url, "health",
                          rt->health_path);
    if (!o)
        return NULL;
    struct httpc *c = NULL;
    int64_t start = time_mono_ms();
    int r = gw_pool_acquire(up->pool, &c);
    struct httpc_response resp = {0};
    if (r == 0) {
        httpc_set_timeout(c, GW_HEALTH_TIMEOUT_MS);
        r = httpc_request(c, "GET", rt->health_path, NULL, NULL, 0, &resp);
        httpc_set_timeout(c, 0);
    }
    bool ok = r == 0 && resp.status >= 200 && resp.status < 300;
    json_object_set_new(o, "status", json_string(ok ? "up" : "down"));
    json_object_set_new(o, "ms", json_integer(time_mono_ms() - start));
    if (r == 0)
        json_object_set_new(o, "http_status", json_integer(resp.status));
    else
        json_object_set_new(o, "error",
                            json_string(r == -ECONNREFUSED ? "connection refused"
                                        : r == -ETIMEDOUT  ? "timeout"
                                                           : "failed"));
    httpc_response_done(&resp);
    gw_pool_release(up->pool, c);
    *ret_up = ok;
    return o;
}

void gw_handle_healthz(struct http_request *req, void *userdata)
{
    struct gateway *gw = userdata;
    struct gw_access *a = gw_access_start(req, NULL);
    json_t *list = json_array();
    bool all_up = true;
    for (size_t i = 0; list && i < gw->routes.n; i++) {
        bool up = false;
        if (json_array_append_new(list, upstream_health(&gw->ups[i], &up)) < 0) {
            json_decref(list);
            list = NULL;
        }
        all_up = all_up && up;
    }
    /* The gateway itself is alive whatever its upstreams do, so this stays 200. */
    json_t *body = list ? json_pack("{s:s, s:s, s:o}", "status", all_up ? "ok" : "degraded",
                                    "service", "pop-gateway", "upstreams", list)
                        : NULL;
    char *text = body ? jv_dump(body) : NULL;
    json_decref(body);
    if (!text) {
        http_reply_error(req, API_INTERNAL, "out of memory");
        gw_access_local(a, 500, -1);
        return;
    }
    http_reply_text(req, 200, "application/json", text);
    gw_access_local(a, 200, (int64_t)strlen(text));
    free(text);
}

void gw_handle_metrics(struct http_request *req, void *userdata)
{
    (void)userdata;
    struct gw_access *a = gw_access_start(req, NULL);
    int r = http_reply_metrics(req);
    gw_access_local(a, r >= 0 ? 200 : 500, r >= 0 ? r : -1);
}
