/* Internals of lib/http shared between the server, routing, request, reply and metrics files. */
#pragma once

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/server.h"

struct metrics;
struct metric;

#define HTTP_PARAMS_MAX 16
#define HTTP_REPLY_HEADERS_MAX 32
#define HTTP_REQUEST_ID_MAX 64
/* Past the body cap a chunked body is still drained (so the client gets its 413) up to this. */
#define HTTP_DISCARD_MAX (1024 * 1024)

/* Method buckets of the metrics. */
enum http_method_class {
    HTTP_M_GET,
    HTTP_M_HEAD,
    HTTP_M_POST,
    HTTP_M_PUT,
    HTTP_M_PATCH,
    HTTP_M_DELETE,
    HTTP_M_OPTIONS,
    HTTP_M_OTHER,
    HTTP_M_COUNT
};
/* The /metrics page: capped, so a registry gone wrong answers 500 rather than eating memory. */
#define HTTP_METRICS_PAGE_MAX (16u * 1024 * 1024)
#define HTTP_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The server's families, in the registry it was given or in its own. */
struct http_metrics {
    struct metrics *registry;
    bool owned;                     /* created by the server, freed with it */
    struct metric *requests;        /* http_requests_total{route,method,status} */
    struct metric *in_flight_gauge; /* http_requests_in_flight */
    struct metric *duration;        /* http_request_duration_seconds{route} */
    _Atomic int64_t in_flight;      /* the same count, read by http_server_stop to drain */
};

struct http_server {
    struct MHD_Daemon *daemon;
    uint16_t port;
    unsigned conn_timeout_s;
    size_t body_max;
    const struct http_route *routes;
    size_t n_routes;
    void *userdata;
    int (*authenticate)(struct http_request *req, void *userdata);
    bool trailing_slash;
    char *server_name;
    bool access_log;
    char *tls_cert;
    char *tls_key;
    struct http_metrics metrics;
};

/* framing.c: checks the request's headers (RFC 9112 framing, token names, values without any
 * control byte, HTAB included, no duplicate singletons, Host on HTTP/1.1); replies 400 (with a
 * "header" member naming the header when it can) and Connection: close, and returns false,
 * when they are wrong. version is MHD's protocol version string. */
bool http_framing_check(struct http_request *req, const char *version);

struct http_param {
    const char *name; /* points into the route pattern, not NUL-terminated */
    size_t name_len;
    char *value; /* malloc'ed */
};

struct http_header {
    char *name;
    char *value;
};

struct http_request {
    struct http_server *srv;
    struct MHD_Connection *conn;
    char *uri;          /* copy of the raw URI, '?' replaced by NUL: path then query */
    const char *query;  /* into uri, NULL when none */
    const char *method; /* owned by MHD, valid for the request */
    char client[64];
    char id[HTTP_REQUEST_ID_MAX + 1];
    uint64_t start_us;
    bool started; /* first access-handler call done */
    bool replied; /* a response was queued */
    bool too_large;
    size_t route_idx; /* n_routes when none matched */
    struct http_param params[HTTP_PARAMS_MAX];
    size_t n_params;
    char *body;
    size_t body_len, body_cap;
    uint64_t discarded;
    struct http_header reply_headers[HTTP_REPLY_HEADERS_MAX];
    size_t n_reply_headers;
    unsigned status;
    uint64_t bytes_sent;
    void *ctx;
    void (*ctx_free)(void *ctx);
};

/* Matches path (raw) against pattern. Returns 1 and fills params (decoded values, caller frees
 * them with http_params_free) on a match, 0 on no match, -EBADMSG on bad percent-encoding,
 * -E2BIG on too many params, -ENOMEM. */
int http_route_match(const char *pattern, const char *path, struct http_param *params,
                     size_t max_params, size_t *ret_n);
void http_params_free(struct http_param *params, size_t n);
/* 0 when path is usable for routing: starts with '/', visible ASCII only, no "." or ".."
 * segment (also percent-encoded); else -EBADMSG. */
int http_path_check(const char *path);

enum http_method_class http_method_class(const char *method);
/* Registers the server's families in registry, or in a registry of its own when it is NULL.
 * Returns 0, -EEXIST (registry already holds them: one server per registry) or -ENOMEM. */
int http_metrics_init(struct http_metrics *hm, struct metrics *registry, size_t n_routes);
/* Frees the registry if the server owns it; a borrowed one keeps the families. */
void http_metrics_done(struct http_metrics *hm);
/* A request arrived / completed (route: its pattern or "unmatched"; status 0 = no reply). */
void http_metrics_begin(struct http_metrics *hm);
void http_metrics_end(struct http_metrics *hm, const char *route, const char *method,
                      unsigned status, uint64_t duration_us);

/* Replies with data (malloc'ed, always taken, freed by MHD with the response). */
int http_reply_buffer(struct http_request *req, unsigned status, const char *content_type,
                      char *data, size_t len);
/* Queues resp with the common headers; destroys resp in every case. Returns 0 or -errno. */
int http_queue(struct http_request *req, unsigned status, struct MHD_Response *resp);
void http_reply_headers_free(struct http_request *req);
uint64_t http_now_us(void);
