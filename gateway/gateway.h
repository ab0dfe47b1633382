/* The gateway's shared state (routes, upstream pools and counters, login limiter) and its HTTP
 * handlers: the proxy for every routed path, /healthz and /metrics. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "http/server.h"
#include "routes.h"

struct gw_pool;
struct metric;
struct metrics;
struct gw_ratelimit;
struct stopper;
struct http_request;
struct http_route;

enum gw_upstream_error {
    GW_ERR_REFUSED, /* could not connect: 502 */
    GW_ERR_TIMEOUT, /* no headers in time: 504 */
    GW_ERR_FAILED,  /* anything else before the headers: 502 */
    GW_ERR_CUT,     /* the body stopped half-way (upstream died or stalled) */
    GW_ERR_COUNT
};

struct gw_upstream {
    const struct gw_route *route; /* borrowed from gateway.routes */
    struct gw_pool *pool;
    _Atomic uint64_t responses[HTTP_STATUS_CLASSES]; /* [1] = 1xx ... [5] = 5xx; [0] unused */
    _Atomic uint64_t errors[GW_ERR_COUNT];
    _Atomic uint64_t bytes;
    _Atomic int64_t in_flight;
};

struct gateway {
    struct gw_routes routes;
    struct gw_upstream *ups;          /* one per route, same order */
    struct gw_ratelimit *login_limit; /* NULL: no limit */
    bool tls;
    long upstream_timeout_ms;
    _Atomic int64_t stop_deadline; /* monotonic ms after which streams are cut; 0 = running */
    struct stopper *stop;          /* fired when the shutdown begins: wakes waiting reads */
    _Atomic uint64_t rate_limited;
    _Atomic uint64_t unrouted;

    /* What GET /metrics renders (the HTTP server registers its families here too). The
     * counters above are kept where the proxy counts and copied in by a collect hook. */
    struct metrics *metrics;
    struct metric *m_responses, *m_errors, *m_bytes, *m_in_flight, *m_pool_idle;
    struct metric *m_rate_limited, *m_unrouted;
};

/* Builds the routes, pools, limiter and metrics registry from cfg (borrowed; only used during
 * the call). Returns 0, or -EINVAL with a message in err, or -ENOMEM. Call gateway_done in both
 * cases. */
int gateway_init(struct gateway *gw, const struct gw_config *cfg, char *err, size_t errlen);

/* Starts a shutdown: wakes every upstream read that is waiting, so each then waits only until
 * drain_ms from now, when streams still running are cut. */
void gateway_begin_stop(struct gateway *gw, int64_t drain_ms);

/* Frees everything. Call it after the HTTP server is stopped: upstream transfers run in the
 * server's connection threads, so none is left then. Accepts a zeroed gateway. */
void gateway_done(struct gateway *gw);

/* The route table for lib/http: GET /healthz, GET /metrics, and the proxy for everything else.
 * Static storage; userdata must be the struct gateway. */
const struct http_route *gateway_http_routes(size_t *ret_n);

/* Handlers (gateway.c, proxy.c). */
void gw_handle_proxy(struct http_request *req, void *userdata);
void gw_handle_healthz(struct http_request *req, void *userdata);
void gw_handle_metrics(struct http_request *req, void *userdata);

/* The access-log record of a request, attached to it as its context: writes the one access
 * line when the request completes. upstream may be NULL (answered by the gateway itself). */
struct gw_access;
struct gw_access *gw_access_start(struct http_request *req, const struct gw_route *upstream);
/* Records a reply the gateway produced itself; bytes < 0 when unknown. */
void gw_access_local(struct gw_access *a, unsigned status, int64_t bytes);
