/* HTTP server over libmicrohttpd: route table, authentication hook, body cap, request ids,
 * metrics (in a core/metrics registry) and access log. Handlers use http/request.h and never
 * call MHD themselves. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_server;
struct http_request;
struct metrics;

/* Runs in the connection's own thread (it may block) and must send exactly one reply with an
 * http_reply_* function; if it returns without replying the layer sends 500 and logs it. */
typedef void (*http_handler_fn)(struct http_request *req, void *userdata);

enum {
    HTTP_ROUTE_PUBLIC = 1u << 0, /* the authenticate hook is not called */
    HTTP_ROUTE_JSON = 1u << 1,   /* a non-empty body must be application/json (else 415) */
};

struct http_route {
    const char *method; /* "GET", "POST", ...; NULL matches any method. GET also serves HEAD. */
    /* "/v1/containers/{id}/start": "{name}" captures one non-empty segment (percent-decoded);
     * a final "{*name}" captures the rest of the path, possibly empty, raw (not decoded). */
    const char *pattern;
    http_handler_fn handler;
    unsigned flags; /* HTTP_ROUTE_* */
};

struct http_server_config {
    const char *bind_addr;   /* IPv4 or IPv6 literal; NULL = "127.0.0.1" */
    uint16_t port;           /* 0 = ephemeral, see http_server_port() */
    unsigned conn_limit;     /* concurrent connections; 0 = 256 */
    unsigned conn_timeout_s; /* idle connection timeout; 0 = 30 */
    size_t body_max;         /* request body cap; 0 = 1 MiB */
    size_t header_max;       /* per-connection memory for request line and headers; 0 = 32 KiB */
    const struct http_route *routes; /* borrowed; must outlive the server; first match wins */
    size_t n_routes;
    void *userdata; /* passed to handlers and to authenticate */
    /* Called before non-public handlers, after routing and before the body is read. Returns 0
     * to continue, or replies itself (e.g. 401 with WWW-Authenticate) and returns <0; a hook
     * returning <0 without replying gets a generic 401. May be NULL. */
    int (*authenticate)(struct http_request *req, void *userdata);
    /* A path ending in '/' (other than "/") that matches no pattern is matched again without
     * that slash, so "/v1/things/" names the same resource as "/v1/things" (as Spring MVC's
     * default does; the NFVO's Java clients rely on it). Only when no pattern matches the path
     * as sent, whatever the method, so a pattern written with the slash still wins. */
    bool trailing_slash;
    const char *server_name;  /* Server header on every reply; NULL = none */
    bool access_log;          /* one log_info line per request */
    const char *tls_cert_pem; /* PEM contents (not file names); both set = HTTPS */
    const char *tls_key_pem;
    /* The registry the server registers its families in (http_requests_total,
     * http_requests_in_flight, http_request_duration_seconds) and that http_handle_metrics
     * renders, so the service's own families go on the same page. Borrowed: must outlive the
     * server. One server per registry (a second start gets -EEXIST); the families are
     * registered even if the start then fails. NULL = the server owns a registry of its own. */
    struct metrics *metrics;
};

/* Starts listening and serving in MHD's own threads (one per connection). The config strings
 * are copied except routes. Returns 0, -EINVAL (bad config), -ENOTSUP (TLS not built in),
 * -EADDRINUSE/-EIO (could not listen) or -ENOMEM. */
int http_server_start(const struct http_server_config *cfg, struct http_server **ret_server);

/* The port actually bound (useful with port 0). */
uint16_t http_server_port(const struct http_server *srv);

/* Stops accepting, waits up to conn_timeout_s for in-flight requests, closes every connection
 * and frees the server. Accepts NULL. Must not be called from a handler. */
void http_server_stop(struct http_server *srv);

/* The registry the server counts into (the configured one, or its own). */
struct metrics *http_server_registry(const struct http_server *srv);

/* A handler for GET /metrics (route it, public or not, as the service chooses): renders the
 * server's registry (collect hooks included) as Prometheus text, 200 "text/plain;
 * version=0.0.4". When rendering fails (a collect hook failed, out of memory, or the page is
 * over 16 MiB) the reply is 500 problem+json: never a truncated page as 200. userdata unused. */
void http_handle_metrics(struct http_request *req, void *userdata);
/* The same for a handler that does more around it (e.g. its own access line). Returns the body
 * length sent with 200, or a negative errno (a 500 was sent when the render failed). */
int http_reply_metrics(struct http_request *req);

/* Status classes as lib/http's metrics (and the gateway's) label them: 0 = no reply sent
 * ("none"), 1..5 = "1xx".."5xx". */
#define HTTP_STATUS_CLASSES 6
/* The class of status: 1..5 for 100..599, else 0. */
unsigned http_status_class(unsigned status);
/* "none", "1xx", ... "5xx"; an out-of-range class is "none". */
const char *http_status_class_name(unsigned cls);
