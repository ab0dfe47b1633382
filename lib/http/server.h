/* HTTP server over libmicrohttpd: route table, authentication hook, body cap, request ids,
 * metrics and access log. Handlers use http/request.h and never call MHD themselves. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_server;
struct http_request;
struct strbuf;

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
    const char *server_name;  /* Server header on every reply; NULL = none */
    bool access_log;          /* one log_info line per request */
    const char *tls_cert_pem; /* PEM contents (not file names); both set = HTTPS */
    const char *tls_key_pem;
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

/* Appends Prometheus text for the server's own metrics (requests by route, method and status
 * class; in-flight requests; duration sum/count by route) to out. Returns 0 or -ENOMEM/-E2BIG. */
int http_server_metrics(const struct http_server *srv, struct strbuf *out);
