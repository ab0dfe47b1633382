/* HTTP client over libcurl (TCP or AF_UNIX): one reused easy handle per client, buffered
 * requests with a response cap, a streaming mode with cancellation, and pull-style transfers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/strbuf.h"

/* Opaque: one CURL easy handle plus its settings. Not thread-safe: one per thread. */
struct httpc;

#define HTTPC_DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define HTTPC_DEFAULT_TIMEOUT_MS 30000L
#define HTTPC_DEFAULT_MAX_RESPONSE ((size_t)8 << 20)
#define HTTPC_MAX_HEADERS 64 /* request headers per call, and response headers kept */

struct httpc_config {
    /* Scheme and authority, no trailing slash: "http://127.0.0.1:8080". With unix_socket set,
     * NULL means "http://localhost" (only the Host header depends on it). */
    const char *base_url;
    const char *unix_socket;   /* path of an AF_UNIX socket to connect to, or NULL for TCP */
    long connect_timeout_ms;   /* 0 = HTTPC_DEFAULT_CONNECT_TIMEOUT_MS */
    long timeout_ms;           /* whole transfer; 0 = HTTPC_DEFAULT_TIMEOUT_MS */
    size_t max_response_bytes; /* body cap for httpc_request; 0 = HTTPC_DEFAULT_MAX_RESPONSE */
};

/* Creates a client; strings in cfg are copied. Returns 0, -EINVAL (no base_url and no
 * unix_socket, or a value with control characters) or -ENOMEM. The first call also runs
 * curl_global_init. SIGPIPE is the program's to ignore (signals_ignore_sigpipe): a peer
 * closing a socket could otherwise end it. */
int httpc_new(const struct httpc_config *cfg, struct httpc **ret);

/* Frees the client and closes its cached connections. Accepts NULL. */
void httpc_free(struct httpc *c);

/* Changes the total timeout of later httpc_request calls (0 = the default). Lets a caller
 * allow a known-slow call (e.g. a container stop) without a second client. */
void httpc_set_timeout(struct httpc *c, long timeout_ms);

struct httpc_response {
    long status;        /* HTTP status of the final response */
    char *body;         /* malloc'ed, always NUL-terminated (also when empty) */
    size_t body_len;    /* bytes in body, excluding the NUL */
    char *content_type; /* malloc'ed copy of Content-Type, or NULL when absent */
};

/* Frees what a successful httpc_request put in r and zeroes it. Accepts an all-zero r. */
void httpc_response_done(struct httpc_response *r);

/* Sends one request and reads the whole response. path starts with '/' and may carry a query
 * (escape parts with httpc_url_escape). headers is NULL or a NULL-terminated list of
 * "Name: value" strings (at most HTTPC_MAX_HEADERS): Name an RFC 9110 token followed at once by
 * the colon, value free of control characters except HTAB. Each is sent as given; an empty
 * value ("Name:") is sent as an empty header. Besides them only Host and the body's framing
 * (Content-Length) are added: no Accept, Expect or invented Content-Type. body may be NULL
 * when body_len is 0; a POST without body is sent with Content-Length: 0. Redirects are not
 * followed.
 * Returns 0 whenever an HTTP response arrived, whatever its status, and fills *ret (release
 * it with httpc_response_done); otherwise *ret is untouched and the result is -EINVAL (bad
 * method, path or header), -ETIMEDOUT, -ECONNREFUSED (could not connect or resolve),
 * -EMSGSIZE (body over max_response_bytes), -ENOMEM or -EIO (anything else; see
 * httpc_last_error). */
int httpc_request(struct httpc *c, const char *method, const char *path, const char *const *headers,
                  const char *body, size_t body_len, struct httpc_response *ret);

/* One response header as received; both strings are borrowed and live only during the call. */
struct httpc_header {
    const char *name;
    const char *value;
};

/* Callbacks of httpc_stream; any may be NULL. A return value other than 0 from on_headers or
 * on_data ends the transfer: a positive one ends it cleanly (httpc_stream returns 0), a
 * negative one is returned by httpc_stream as is. */
struct httpc_stream_callbacks {
    /* Once, when the final (non-1xx) response's headers are complete. */
    int (*on_headers)(long status, const struct httpc_header *headers, size_t n_headers,
                      void *userdata);
    /* For each piece of body as it arrives (transfer encoding already removed). */
    int (*on_data)(const char *data, size_t len, void *userdata);
    /* Polled while the transfer runs, at least about once a second even when no data flows;
     * returning true ends the transfer and httpc_stream returns 0. */
    bool (*should_stop)(void *userdata);
};

/* Sends a request and hands the response to cb as it arrives, without buffering or a size cap.
 * timeout_ms bounds the whole transfer (0 = no limit; the connect timeout still applies).
 * Returns 0 when the response ended or a callback asked to stop, a callback's negative value,
 * or the errors of httpc_request. A response that never had headers before a stop still
 * returns 0 (on_headers was then not called). */
int httpc_stream(struct httpc *c, const char *method, const char *path, const char *const *headers,
                 const char *body, size_t body_len, long timeout_ms,
                 const struct httpc_stream_callbacks *cb, void *userdata);

/* Human-readable reason for the last failure of c ("" if none yet); valid until the next call.
 * For logs only. */
const char *httpc_last_error(const struct httpc *c);

/* Appends s percent-encoded (everything but ALPHA DIGIT - . _ ~) to out, for use in a path
 * segment or query value. Returns 0, -ENOMEM or -E2BIG (out's cap). */
int httpc_url_escape(struct strbuf *out, const char *s);

/* ---- Pull-style transfers ----
 * The caller drives the transfer from its own thread instead of receiving callbacks: begin
 * returns once the response's status and headers are in, then each read hands out body bytes,
 * running the transfer (curl's multi interface, the client's one easy handle) only while
 * nothing is buffered. At most one pull per client at a time; between begin and end,
 * httpc_request and httpc_stream on c fail with -EBUSY. Not thread-safe, but a pull may move
 * between threads as long as only one uses it at a time. */
struct httpc_pull;

#define HTTPC_PULL_BUFFER_MAX (64 * 1024) /* body bytes buffered before the upstream is paused */

/* Sends a request (arguments as for httpc_request; body is copied) and waits up to timeout_ms
 * (0 = the client's timeout) for the final response's status and headers. Returns 0 and sets
 * *ret (finish it with httpc_pull_end) whatever the status; otherwise *ret is untouched and
 * the result is -EINVAL (bad request arguments), -EBUSY (a pull of c is still open),
 * -ECONNREFUSED (could not connect), -ETIMEDOUT (no headers in time), -EMSGSIZE (headers over
 * 64 entries or 64 KiB), -ENOMEM or -EIO (anything else, e.g. the peer closed the connection
 * before answering; see httpc_last_error). */
int httpc_pull_begin(struct httpc *c, const char *method, const char *path,
                     const char *const *headers, const char *body, size_t body_len, long timeout_ms,
                     struct httpc_pull **ret);

/* Status of the final response (never 1xx). */
long httpc_pull_status(const struct httpc_pull *p);

/* The final response's headers in arrival order; sets *ret_n. Strings are owned by p and
 * live until httpc_pull_end. */
const struct httpc_header *httpc_pull_headers(const struct httpc_pull *p, size_t *ret_n);

/* The response's Content-Length, -1 when it sent none (or an invalid one). */
long long httpc_pull_content_length(const struct httpc_pull *p);

/* True once the transfer is over (complete or failed): reads no longer wait, they hand out
 * what is buffered (httpc_pull_buffered bytes), then 0 or the error. */
bool httpc_pull_finished(const struct httpc_pull *p);

/* Body bytes received and not read yet (at most about HTTPC_PULL_BUFFER_MAX). */
size_t httpc_pull_buffered(const struct httpc_pull *p);

/* Changes how long each later read waits for data (0 = the client's timeout). */
void httpc_pull_set_timeout(struct httpc_pull *p, long timeout_ms);

/* Makes each later read that has to wait give up with -ECANCELED as soon as fd is readable
 * (e.g. stopper_fd: a shutdown wakes every waiting read at once, without polling in slices).
 * fd is borrowed and never read; -1 removes it. Bytes already buffered are still handed out. */
void httpc_pull_set_cancel_fd(struct httpc_pull *p, int fd);

/* Copies up to max (> 0) body bytes into buf. When nothing is buffered it runs the transfer
 * until some data arrives, the response ends, or the read timeout passes. Returns the byte
 * count; 0 when the body is complete; -ETIMEDOUT when nothing arrived in time, or -ECANCELED
 * when the cancel descriptor turned readable (the transfer goes on in both cases: reading again
 * is fine); or, once the transfer failed, the same negative errno on
 * every call (-EIO: the peer closed or broke the body, e.g. fewer bytes than its
 * Content-Length; -ENOMEM; -EINVAL when max is 0). While the buffer is full the upstream is
 * not read, so a slow reader slows the sender instead of using memory. */
ssize_t httpc_pull_read(struct httpc_pull *p, char *buf, size_t max);

/* Ends the pull and frees it. An unfinished transfer is aborted and its connection closed; a
 * complete one leaves its connection cached in c for the next pull. Accepts NULL. */
void httpc_pull_end(struct httpc_pull *p);
