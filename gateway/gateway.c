/* The gateway's state (upstreams with their pools and counters, the login limiter), its route
 * table for lib/http, and the handlers it answers itself: /healthz and /metrics. */
#include "gateway.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "http/request.h"
#include "http/server.h"
#include "httpc/httpc.h"
#include "pool.h"
#include "ratelimit.h"

#define GW_HEALTH_TIMEOUT_MS 2000L
#define GW_CONNECT_TIMEOUT_MAX_MS 5000L

int gateway_init(struct gateway *gw, const struct gw_config *cfg, char *err, size_t errlen)
{
    int r = gw_routes_parse(cfg->routes, cfg->health_path, &gw->routes, err, errlen);
    if (r < 0)
        return r;
    gw->upstream_timeout_ms = (long)cfg->upstream_timeout_s * 1000;
    long connect_ms = gw->upstream_timeout_ms < GW_CONNECT_TIMEOUT_MAX_MS
                          ? gw->upstream_timeout_ms
                          : GW_CONNECT_TIMEOUT_MAX_MS;
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
    return 0;
}

void gateway_begin_stop(struct gateway *gw, int64_t drain_ms)
{
    atomic_store(&gw->stop_deadline, time_mono_ms() + (drain_ms > 0 ? drain_ms : 1));
}

void gateway_done(struct gateway *gw)
{
    if (!gw)
        return;
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
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
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
    struct gateway *gw = userdata;
    struct gw_access *a = gw_access_start(req, NULL);
    static const char *const classes[6] = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
    static const char *const reasons[GW_ERR_COUNT] = {"refused", "timeout", "failed", "cut"};
    struct strbuf sb = STRBUF_INIT;
    int r = http_server_metrics(http_request_server(req), &sb);
    r = r < 0 ? r
              : strbuf_puts(&sb, "# HELP pop_gateway_upstream_responses_total Upstream responses "
                                 "by status class.\n"
                                 "# TYPE pop_gateway_upstream_responses_total counter\n");
    for (size_t i = 0; r == 0 && i < gw->routes.n; i++)
        for (size_t c = 1; r == 0 && c < 6; c++) {
            /* Prefixes cannot hold '"', '\\' or newlines (routes.c): no escaping needed. */
            r = strbuf_printf(
                &sb, "pop_gateway_upstream_responses_total{prefix=\"%s\",class=\"%s\"} %llu\n",
                gw->routes.v[i].prefix, classes[c],
                (unsigned long long)atomic_load(&gw->ups[i].responses[c]));
        }
    if (r == 0)
        r = strbuf_puts(&sb, "# HELP pop_gateway_upstream_errors_total Upstream failures: "
                             "refused (502), timeout (504), failed (502), cut (body cut short).\n"
                             "# TYPE pop_gateway_upstream_errors_total counter\n");
    for (size_t i = 0; r == 0 && i < gw->routes.n; i++)
        for (size_t e = 0; r == 0 && e < GW_ERR_COUNT; e++) {
            r = strbuf_printf(
                &sb, "pop_gateway_upstream_errors_total{prefix=\"%s\",reason=\"%s\"} %llu\n",
                gw->routes.v[i].prefix, reasons[e],
                (unsigned long long)atomic_load(&gw->ups[i].errors[e]));
        }
    static const char *const gauges[][3] = {
        {"pop_gateway_upstream_bytes_total", "counter", "Response body bytes sent to clients."},
        {"pop_gateway_upstream_in_flight", "gauge", "Upstream transfers running."},
        {"pop_gateway_upstream_pool_idle", "gauge", "Idle kept-alive upstream clients."},
    };
    for (size_t g = 0; r == 0 && g < 3; g++) {
        r = strbuf_printf(&sb, "# HELP %s %s\n# TYPE %s %s\n", gauges[g][0], gauges[g][2],
                          gauges[g][0], gauges[g][1]);
        for (size_t i = 0; r == 0 && i < gw->routes.n; i++) {
            long long v = g == 0   ? (long long)atomic_load(&gw->ups[i].bytes)
                          : g == 1 ? (long long)atomic_load(&gw->ups[i].in_flight)
                                   : (long long)gw_pool_idle(gw->ups[i].pool);
            r = strbuf_printf(&sb, "%s{prefix=\"%s\"} %lld\n", gauges[g][0], gw->routes.v[i].prefix,
                              v);
        }
    }
    if (r == 0)
        r = strbuf_printf(
            &sb,
            "# HELP pop_gateway_login_rate_limited_total Login requests refused with 429.\n"
            "# TYPE pop_gateway_login_rate_limited_total counter\n"
            "pop_gateway_login_rate_limited_total %llu\n"
            "# HELP pop_gateway_unrouted_total Requests matching no route (404).\n"
            "# TYPE pop_gateway_unrouted_total counter\n"
            "pop_gateway_unrouted_total %llu\n",
            (unsigned long long)atomic_load(&gw->rate_limited),
            (unsigned long long)atomic_load(&gw->unrouted));
    if (r < 0) {
        strbuf_done(&sb);
        http_reply_error(req, API_INTERNAL, "cannot render the metrics");
        gw_access_local(a, 500, -1);
        return;
    }
    http_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", strbuf_str(&sb));
    gw_access_local(a, 200, (int64_t)sb.len);
    strbuf_done(&sb);
}
