/* What a handler sees of a request and how it replies. Every function here is for use inside
 * a handler or the authenticate hook, in the thread that called it; returned strings are owned
 * by the request and live until it completes. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/api_error.h"
#include "core/error.h"

struct jv_schema;

struct http_request;
struct http_server;

const char *http_request_method(const struct http_request *req);
/* The raw (still percent-encoded) path, without the query string. */
const char *http_request_path(const struct http_request *req);
/* The pattern of the matched route, NULL when none matched. */
const char *http_request_route(const struct http_request *req);
/* A path parameter by name ("id" for "{id}"), NULL if the route has none by that name. */
const char *http_request_param(const struct http_request *req, const char *name);
/* A decoded query value; "" for "?flag"; NULL when absent. */
const char *http_request_query(const struct http_request *req, const char *name);
/* The raw query string without '?', NULL when the URI has none (for proxying). */
const char *http_request_query_string(const struct http_request *req);
/* A request header by name (case-insensitive), NULL when absent. */
const char *http_request_header(const struct http_request *req, const char *name);
/* Calls cb for each request header in arrival order until cb returns non-zero; returns the
 * number of headers visited. */
int http_request_foreach_header(const struct http_request *req,
                                int (*cb)(const char *name, const char *value, void *cls),
                                void *cls);
/* The body, NUL-terminated (the NUL is not counted); "" with length 0 when there is none.
 * Empty inside the authenticate hook, which runs before the body is read. */
const char *http_request_body(const struct http_request *req, size_t *ret_len);
/* The request id: the client's X-Request-Id if it was 1-64 chars of [A-Za-z0-9._-], else a
 * random 32-hex-digit id. Also echoed on every reply and set as the log request id. */
const char *http_request_id(const struct http_request *req);
/* The client's address as text ("127.0.0.1", "::1"). */
const char *http_request_client(const struct http_request *req);
/* The server, e.g. for http_server_registry(). */
struct http_server *http_request_server(const struct http_request *req);

/* Per-request pointer for the authenticated principal; free_fn (may be NULL) is called on it
 * when the request completes or when it is replaced. */
void http_request_set_ctx(struct http_request *req, void *ctx, void (*free_fn)(void *ctx));
void *http_request_get_ctx(const struct http_request *req);

/* Changes this connection's idle timeout (0 = none), e.g. before a long-lived stream whose
 * read callback may block longer than the server's timeout. Returns 0 or -EIO. */
int http_request_set_timeout(struct http_request *req, unsigned seconds);

/* Adds a header to the reply about to be sent (at most 32). Name and value are copied and
 * must not contain CR or LF. Returns 0, -EINVAL, -E2BIG or -EALREADY (already replied). */
int http_reply_header(struct http_request *req, const char *name, const char *value);

/* The reply functions send the one reply of the request: status 100-599, headers added with
 * http_reply_header, X-Request-Id and Server. They return 0, -EALREADY when a reply was already
 * sent, -EINVAL, -ENOMEM or -EIO (MHD refused it; the connection is closed). */

/* application/json; body is stolen (decref'ed) in every case. */
int http_reply_json(struct http_request *req, unsigned status, json_t *body);
/* text is copied; content_type NULL = "text/plain; charset=utf-8". */
int http_reply_text(struct http_request *req, unsigned status, const char *content_type,
                    const char *text);
/* No body (204, 304, or a status where the body does not matter). */
int http_reply_empty(struct http_request *req, unsigned status);

/* application/problem+json {"type", "title", "status", "detail", "code", "request_id"} from
 * the API error table; detail_fmt NULL uses the title. */
int http_reply_error(struct http_request *req, enum api_error err, const char *detail_fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, merging the members of extra (stolen, may be NULL), e.g. {"field": "name"}. */
int http_reply_error_ext(struct http_request *req, enum api_error err, json_t *extra,
                         const char *detail_fmt, ...) __attribute__((format(printf, 4, 5)));

/* The problem+json reply for e: code from pop_error_api(e), detail from e (the API title when
 * empty) and a "field" member when e names one. */
int http_reply_pop_error(struct http_request *req, const struct pop_error *e);

/* The request body parsed (lib/json: caps, duplicate keys refused) and validated against
 * schema. Returns 0 with a new reference in *ret (the caller decrefs); on any failure it has
 * replied itself (400 bad-json, unknown-field or invalid-field naming the field; a missing
 * body is bad-json) and returns a negative errno. */
int http_request_json(struct http_request *req, const struct jv_schema *schema, json_t **ret);

#define HTTP_STREAM_END ((ssize_t)-1)   /* read callback: body complete */
#define HTTP_STREAM_ERROR ((ssize_t)-2) /* read callback: abort, the connection is closed */

/* Fills buf with up to max bytes of the body at offset pos; blocks until at least one byte
 * is available and returns the count, or HTTP_STREAM_END / HTTP_STREAM_ERROR. Never 0. Runs in
 * the connection's thread after the handler has returned. */
typedef ssize_t (*http_stream_read_fn)(void *cls, uint64_t pos, char *buf, size_t max);

/* A reply whose body is produced by read_cb (chunked when size < 0, else exactly size bytes).
 * headers is a NULL-terminated name, value, name, value... array (may be NULL); hop-by-hop
 * headers (Connection, Transfer-Encoding, Content-Length, Keep-Alive, TE, Trailer, Upgrade,
 * Proxy-*) in it are skipped, so upstream headers can be passed as they are. free_cb (may be
 * NULL) is called on cls exactly once, also when this function fails. */
int http_reply_stream(struct http_request *req, unsigned status, const char *const *headers,
                      int64_t size, http_stream_read_fn read_cb, void *cls,
                      void (*free_cb)(void *cls));
