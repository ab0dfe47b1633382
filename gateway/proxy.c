/* The proxy: each routed request runs its upstream transfer in the client connection's own
 * thread with a pooled client, pulling the response (httpc_pull_*): a small complete body is
 * replied at once from memory, anything else streams through MHD's read callback. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/stopper.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "gateway.h"
#include "headers.h"
#include "http/request.h"
#include "httpc/httpc.h"
#include "pool.h"
#include "ratelimit.h"

/* A body announced (or already received) up to this size is read whole before replying. */
#define GW_BUFFER_MAX (64 * 1024)
/* Headers besides Content-Type a buffered reply may carry (lib/http keeps 32 per reply). */
#define GW_BUFFERED_HEADERS_MAX 30
/* Headers a client may send; the gateway adds up to 4 more within httpc's limit. */
#define GW_FORWARD_HEADERS_MAX (HTTPC_MAX_HEADERS - 5)
#define GW_HEADER_BYTES_MAX (64 * 1024)
#define GW_TARGET_MAX (16 * 1024)
#define GW_LOG_PATH_MAX 256

/* One proxied response. Everything touching it runs in the client connection's thread (the
 * handler, MHD's read callback, the completion and free callbacks), so it needs no lock; the
 * count only decides which of the request and the response lets go last. */
struct gw_xfer {
    _Atomic int refs;
    struct gateway *gw;
    struct gw_upstream *up;
    struct httpc *client;    /* from the upstream's pool; NULL once handed back */
    struct httpc_pull *pull; /* NULL once the transfer is over */
    int64_t length;          /* upstream Content-Length, -1 when unknown */
    char *pre;               /* body read before replying: pre[pre_off, pre_len) still to send */
    size_t pre_len, pre_off;
    bool have_headers;
    const char *cut; /* why the body was cut short, NULL when it was not */
    uint64_t bytes_out;
    int64_t last_data_ms;
};

struct gw_access {
    const char *upstream_url; /* NULL when answered locally */
    struct gw_xfer *xfer;     /* referenced; NULL when not proxied */
    char method[17];
    char path[GW_LOG_PATH_MAX];
    char rid[65];
    char client[64];
    int64_t start_ms;
    unsigned status;
    int64_t bytes;
};

/* Ends the upstream transfer (aborting it if unfinished: curl then closes the connection) and
 * hands the client back to the pool. Idempotent. */
static void xfer_finish(struct gw_xfer *x)
{
    if (!x->client)
        return;
    httpc_pull_end(x->pull);
    x->pull = NULL;
    gw_pool_release(x->up->pool, x->client);
    x->client = NULL;
    atomic_fetch_sub(&x->up->in_flight, 1);
}

static void xfer_unref(struct gw_xfer *x)
{
    if (!x || atomic_fetch_sub(&x->refs, 1) > 1)
        return;
    xfer_finish(x);
    free(x->pre);
    free(x);
}

/* How long the next read may wait for data: until the upstream timeout since the last data,
 * or the shutdown deadline once one is set, whichever comes first (at least 1 ms: the checks
 * after the read decide what a timeout means). */
static long xfer_wait_ms(const struct gw_xfer *x, int64_t now)
{
    int64_t wait = x->gw->upstream_timeout_ms - (now - x->last_data_ms);
    int64_t stop = atomic_load(&x->gw->stop_deadline);
    if (stop && stop - now < wait)
        wait = stop - now;
    return wait < 1 ? 1 : (long)wait;
}

/* Reads the next piece of body from the upstream into buf. Returns the count, 0 at the end, or
 * a negative errno with x->cut saying why: the upstream failed, sent nothing for the upstream
 * timeout, or the gateway is shutting down. A read waits without polling: the gateway's stop
 * token wakes it when the shutdown begins, and from then on it waits only until the drain
 * deadline. */
static ssize_t xfer_pull(struct gw_xfer *x, char *buf, size_t max)
{
    for (;;) {
        httpc_pull_set_timeout(x->pull, xfer_wait_ms(x, time_mono_ms()));
        ssize_t n = httpc_pull_read(x->pull, buf, max);
        if (n >= 0) {
            x->last_data_ms = time_mono_ms();
            return n;
        }
        if (n == -ECANCELED) {
            /* The shutdown began. The token stays readable, so stop listening to it: the next
             * waits end at the deadline instead (xfer_wait_ms). */
            httpc_pull_set_cancel_fd(x->pull, -1);
        } else if (n != -ETIMEDOUT) {
            log_debug("gateway: upstream %s: %s", x->up->route->url, httpc_last_error(x->client));
            x->cut = "upstream-failed";
            return n;
        }
        int64_t now = time_mono_ms();
        int64_t stop = atomic_load(&x->gw->stop_deadline);
        if (now - x->last_data_ms >= x->gw->upstream_timeout_ms) {
            x->cut = "upstream-stalled";
            return n;
        }
        if (stop && now >= stop) {
            x->cut = "shutdown";
            return -ECANCELED;
        }
    }
}

/* Reads the whole body into x->pre when it is small: the transfer already ended, or the
 * upstream announced at most GW_BUFFER_MAX bytes. Returns true when the body is complete and
 * the transfer is over; otherwise what was read is sent first and the rest streams. */
static bool xfer_prefetch(struct gw_xfer *x)
{
    size_t want;
    if (httpc_pull_finished(x->pull))
        want = httpc_pull_buffered(x->pull);
    else if (x->length >= 0 && x->length <= GW_BUFFER_MAX)
        want = (size_t)x->length;
    else
        return false;
    x->pre = malloc(want + 1);
    if (!x->pre)
        return false;
    while (x->pre_len < want) {
        ssize_t n = xfer_pull(x, x->pre + x->pre_len, want - x->pre_len);
        if (n <= 0)
            return false;
        x->pre_len += (size_t)n;
    }
    /* The body is in; the transfer is complete only if curl says so (a body longer than
     * announced, or broken framing, is an error there). */
    char extra;
    return httpc_pull_finished(x->pull) && httpc_pull_read(x->pull, &extra, 1) == 0;
}

static void xfer_count_cut(struct gw_xfer *x)
{
    atomic_fetch_add(&x->up->errors[GW_ERR_CUT], 1);
    log_warn("gateway: response from %s cut after %llu bytes: %s", x->up->route->url,
             (unsigned long long)x->bytes_out, x->cut);
}

/* MHD's read callback, in the client connection's thread: what was read ahead first, then
 * straight from the upstream. */
static ssize_t xfer_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct gw_xfer *x = cls;
    ssize_t n;
    if (x->pre_off < x->pre_len) {
        n = (ssize_t)(x->pre_len - x->pre_off < max ? x->pre_len - x->pre_off : max);
        memcpy(buf, x->pre + x->pre_off, (size_t)n);
        x->pre_off += (size_t)n;
    } else if (x->cut) {
        n = -ECANCELED; /* cut while reading ahead */
    } else if (!x->pull) {
        n = 0; /* read ahead completely */
    } else {
        n = xfer_pull(x, buf, max);
    }
    if (n > 0) {
        x->bytes_out += (uint64_t)n;
        atomic_fetch_add(&x->up->bytes, (uint64_t)n);
        return n;
    }
    if (n == 0 && (x->length < 0 || x->bytes_out == (uint64_t)x->length)) {
        xfer_finish(x);
        return HTTP_STREAM_END;
    }
    if (!x->cut)
        x->cut = "upstream-failed";
    xfer_count_cut(x);
    xfer_finish(x);
    return HTTP_STREAM_ERROR;
}

/* The response is gone (sent, or the client left): an unfinished transfer is aborted. */
static void xfer_stream_free(void *cls)
{
    xfer_unref(cls);
}

/* ---- access log ---- */

static void access_free(void *ctx)
{
    struct gw_access *a = ctx;
    unsigned status = a->status;
    int64_t bytes = a->bytes;
    const char *cut = NULL;
    struct gw_xfer *x = a->xfer;
    if (x) {
        if (x->have_headers)
            bytes = (int64_t)x->bytes_out;
        cut = x->cut;
        /* The client left before the body ended; the response's free aborts the transfer. */
        if (!cut && x->have_headers && x->pull)
            cut = "client-gone";
    }
    char bytes_text[24] = "-";
    if (bytes >= 0)
        snprintf(bytes_text, sizeof(bytes_text), "%lld", (long long)bytes);
    log_set_request_id(a->rid);
    log_info("access %s %s status=%u bytes=%s upstream=%s ms=%lld client=%s%s%s", a->method,
             a->path, status, bytes_text, a->upstream_url ? a->upstream_url : "-",
             (long long)(time_mono_ms() - a->start_ms), a->client, cut ? " cut=" : "",
             cut ? cut : "");
    log_set_request_id(NULL);
    xfer_unref(x);
    free(a);
}

struct gw_access *gw_access_start(struct http_request *req, const struct gw_route *upstream)
{
    struct gw_access *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->upstream_url = upstream ? upstream->url : NULL;
    a->start_ms = time_mono_ms();
    a->bytes = -1;
    snprintf(a->method, sizeof(a->method), "%s", http_request_method(req));
    /* The path as it may appear in a log line: printable ASCII only, capped. */
    const char *p = http_request_path(req);
    size_t i = 0;
    for (; p[i] && i < sizeof(a->path) - 1; i++)
        a->path[i] = (unsigned char)p[i] > 0x20 && (unsigned char)p[i] < 0x7f ? p[i] : '?';
    a->path[i] = '\0';
    snprintf(a->rid, sizeof(a->rid), "%s", http_request_id(req));
    snprintf(a->client, sizeof(a->client), "%s", http_request_client(req));
    http_request_set_ctx(req, a, access_free);
    return a;
}

void gw_access_local(struct gw_access *a, unsigned status, int64_t bytes)
{
    if (!a)
        return;
    a->status = status;
    a->bytes = bytes;
}

/* ---- the request sent upstream ---- */

struct hdr_collect {
    struct strbuf *sb;
    const char *connection;
    size_t n;
    int error;
};

/* Appends one header line and its NUL, or nothing. Values were checked before: nothing is
 * rewritten here. */
static int hdr_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int hdr_addf(struct strbuf *sb, const char *fmt, ...)
{
    size_t start = sb->len;
    va_list ap;
    va_start(ap, fmt);
    int r = strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
    if (r == 0)
        r = strbuf_append(sb, "", 1);
    if (r < 0 && sb->buf) {
        sb->len = start; /* no half header */
        sb->buf[start] = '\0';
    }
    return r;
}

/* Names and values arrive checked by lib/http (tokens; no control byte), so they go upstream
 * exactly as the client sent them. */
static int hdr_collect_cb(const char *name, const char *value, void *cls)
{
    struct hdr_collect *hc = cls;
    if (!gw_header_forward_request(name, hc->connection))
        return 0;
    if (hc->n == GW_FORWARD_HEADERS_MAX) {
        hc->error = -E2BIG;
        return 1;
    }
    /* An empty value goes as an empty header (httpc sends "Name:" as one). */
    int r = hdr_addf(hc->sb, "%s: %s", name, value);
    if (r < 0) {
        hc->error = r;
        return 1;
    }
    hc->n++;
    return 0;
}

/* Writes the headers going upstream into sb ("Name: value\0"...) and points list (room for
 * HTTPC_MAX_HEADERS + 1) at them, NULL-terminated. Returns 0, -E2BIG (too many or too large
 * headers) or -ENOMEM. */
static int request_headers(const struct gateway *gw, struct http_request *req, struct strbuf *sb,
                           const char **list)
{
    struct hdr_collect hc = {.sb = sb, .connection = http_request_header(req, "Connection")};
    http_request_foreach_header(req, hdr_collect_cb, &hc);
    if (hc.error < 0)
        return hc.error;
    const char *xff = http_request_header(req, "X-Forwarded-For");
    const char *host = http_request_header(req, "Host");
    int r = hdr_addf(sb, "X-Request-Id: %s", http_request_id(req));
    if (r == 0)
        r = xff && xff[0] ? hdr_addf(sb, "X-Forwarded-For: %s, %s", xff, http_request_client(req))
                          : hdr_addf(sb, "X-Forwarded-For: %s", http_request_client(req));
    if (r == 0)
        r = hdr_addf(sb, "X-Forwarded-Proto: %s", gw->tls ? "https" : "http");
    if (r == 0 && host)
        r = hdr_addf(sb, "X-Forwarded-Host: %s", host);
    if (r < 0)
        return r == -E2BIG ? -E2BIG : -ENOMEM;
    size_t n = 0;
    for (size_t off = 0; off < sb->len && n < HTTPC_MAX_HEADERS; off += strlen(sb->buf + off) + 1)
        list[n++] = sb->buf + off;
    list[n] = NULL;
    return 0;
}

static bool method_ok(const char *m)
{
    size_t n = strlen(m);
    return n > 0 && n <= 16 && strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == n;
}

static bool is_login_path(const char *path)
{
    size_t n = strlen(path);
    return (n >= 6 && strcmp(path + n - 6, "/login") == 0) ||
           (n >= 7 && strcmp(path + n - 7, "/login/") == 0);
}

static void reply_error(struct http_request *req, struct gw_access *a, enum api_error err,
                        const char *detail)
{
    http_reply_error(req, err, "%s", detail);
    gw_access_local(a, api_error_status(err), -1);
}

static unsigned status_class(long status)
{
    return status >= 100 && status < 600 ? (unsigned)(status / 100) : 0;
}

/* Answers a transfer that produced no response. */
static void reply_upstream_error(struct http_request *req, struct gw_access *a,
                                 struct gw_upstream *up, int r)
{
    const struct gw_route *rt = up->route;
    char detail[GW_ROUTE_TEXT_MAX + 64];
    if (r == -ETIMEDOUT) {
        atomic_fetch_add(&up->errors[GW_ERR_TIMEOUT], 1);
        log_warn("gateway: %s did not answer in time", rt->url);
        snprintf(detail, sizeof(detail), "the upstream of %s did not answer in time", rt->prefix);
        reply_error(req, a, API_GATEWAY_TIMEOUT, detail);
    } else if (r == -ECONNREFUSED) {
        atomic_fetch_add(&up->errors[GW_ERR_REFUSED], 1);
        log_warn("gateway: %s refused the connection", rt->url);
        snprintf(detail, sizeof(detail), "the upstream of %s is not reachable", rt->prefix);
        reply_error(req, a, API_BAD_GATEWAY, detail);
    } else if (r == -EINVAL) {
        reply_error(req, a, API_BAD_REQUEST, "the request cannot be forwarded");
    } else {
        atomic_fetch_add(&up->errors[GW_ERR_FAILED], 1);
        log_warn("gateway: %s failed before answering: %s", rt->url, strerror(-r));
        snprintf(detail, sizeof(detail), "the upstream of %s failed", rt->prefix);
        reply_error(req, a, API_BAD_GATEWAY, detail);
    }
}

/* Whether a complete body read ahead can go out as one plain buffer reply, which MHD sends with
 * its headers in a single write: not for replies whose length must not be derived from the
 * body (HEAD, 1xx, 204, 304), bodies http_reply_text cannot carry (a NUL byte, no
 * Content-Type to keep), or headers lib/http would refuse one by one. Anything else streams
 * from memory, which is as correct, only a few system calls longer. */
static bool buffered_reply_ok(const struct gw_xfer *x, const char *method, long status,
                              const char *const *list, const char **ret_ctype)
{
    if (strcmp(method, "HEAD") == 0 || status < 200 || status == 204 || status == 304 ||
        memchr(x->pre, '\0', x->pre_len))
        return false;
    const char *ctype = NULL;
    size_t n = 0;
    for (size_t i = 0; list[i]; i += 2) {
        const char *name = list[i], *value = list[i + 1];
        if (strcasecmp(name, "Content-Type") == 0) {
            if (ctype)
                return false;
            ctype = value;
            continue;
        }
        if (++n > GW_BUFFERED_HEADERS_MAX || !name[0] || strpbrk(name, " \t:\r\n") ||
            strpbrk(value, "\r\n"))
            return false;
    }
    if (!ctype || strpbrk(ctype, "\r\n"))
        return false;
    *ret_ctype = ctype;
    return true;
}

/* Sends the upstream's status, headers and body to the client; x holds a begun pull. */
static void reply_upstream(struct http_request *req, struct gw_access *a, struct gw_xfer *x,
                           const char *method)
{
    struct httpc_pull *p = x->pull;
    long status = httpc_pull_status(p);
    x->have_headers = true;
    x->length = httpc_pull_content_length(p);
    x->last_data_ms = time_mono_ms();

    size_t n = 0;
    const struct httpc_header *h = httpc_pull_headers(p, &n);
    const char *connection = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(h[i].name, "Connection") == 0)
            connection = h[i].value;
    /* Borrowed from the pull, which stays open until the reply has copied them. */
    const char *list[2 * HTTPC_MAX_HEADERS + 1];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!gw_header_forward_response(h[i].name, connection))
            continue;
        list[k++] = h[i].name;
        list[k++] = h[i].value;
    }
    list[k] = NULL;

    atomic_fetch_add(&x->up->responses[status_class(status)], 1);
    gw_access_local(a, (unsigned)status, -1);
    /* A small body is read whole first, so the client's whole reply goes out at once. */
    bool complete = xfer_prefetch(x);
    const char *ctype = NULL;
    int r;
    if (complete && buffered_reply_ok(x, method, status, list, &ctype)) {
        r = 0;
        for (size_t i = 0; r == 0 && list[i]; i += 2)
            if (list[i + 1] != ctype)
                r = http_reply_header(req, list[i], list[i + 1]);
        x->pre[x->pre_len] = '\0';
        if (r == 0)
            r = http_reply_text(req, (unsigned)status, ctype, x->pre);
        if (r == 0) {
            x->bytes_out = x->pre_len;
            atomic_fetch_add(&x->up->bytes, x->pre_len);
        }
    } else {
        atomic_fetch_add(&x->refs, 1); /* the response's */
        r = http_reply_stream(req, (unsigned)status, list, x->length, xfer_read, x,
                              xfer_stream_free);
    }
    if (r < 0)
        log_warn("gateway: cannot send the response of %s: %s", x->up->route->url, strerror(-r));
    if (complete)
        xfer_finish(x); /* the connection goes back to the pool before the client is served */
}

void gw_handle_proxy(struct http_request *req, void *userdata)
{
    struct gateway *gw = userdata;
    const char *path = http_request_path(req);
    const struct gw_route *rt = gw_routes_match(&gw->routes, path);
    struct gw_access *a = gw_access_start(req, rt);
    if (!rt) {
        atomic_fetch_add(&gw->unrouted, 1);
        /* The NFVO's paths are known even when it is not set up: say what is missing. */
        if (gw_routes_is_nfvo_path(path))
            reply_error(req, a, API_UNAVAILABLE,
                        "no NFVO behind this gateway (GATEWAY_NFVO_URL is not set)");
        else
            reply_error(req, a, API_NOT_FOUND, "no route for this path");
        return;
    }
    struct gw_upstream *up = &gw->ups[rt - gw->routes.v];

    if (gw->login_limit && is_login_path(path)) {
        int64_t retry_s = 0;
        if (gw_ratelimit_take(gw->login_limit, http_request_client(req), time_mono_ms(), &retry_s) <
            0) {
            char retry[24], detail[96];
            snprintf(retry, sizeof(retry), "%lld", (long long)retry_s);
            snprintf(detail, sizeof(detail),
                     "too many login attempts from this address; retry in %s s", retry);
            atomic_fetch_add(&gw->rate_limited, 1);
            http_reply_header(req, "Retry-After", retry);
            reply_error(req, a, API_TOO_MANY_REQUESTS, detail);
            return;
        }
    }
    const char *method = http_request_method(req);
    if (!method_ok(method)) {
        reply_error(req, a, API_BAD_REQUEST, "this method cannot be forwarded");
        return;
    }

    struct strbuf hdrs = STRBUF_INIT, target = STRBUF_INIT;
    hdrs.max = GW_HEADER_BYTES_MAX;
    target.max = GW_TARGET_MAX;
    const char *list[HTTPC_MAX_HEADERS + 1];
    int r = request_headers(gw, req, &hdrs, list);
    if (r == 0)
        r = gw_route_target(rt, path, http_request_query_string(req), &target);
    struct gw_xfer *x = r == 0 ? calloc(1, sizeof(*x)) : NULL;
    if (r == 0 && !x)
        r = -ENOMEM;
    if (r == 0)
        r = gw_pool_acquire(up->pool, &x->client);
    if (r < 0) {
        free(x);
        strbuf_done(&hdrs);
        strbuf_done(&target);
        if (r == -E2BIG)
            reply_error(req, a, API_BAD_REQUEST, "too many or too large request headers");
        else
            reply_error(req, a, API_INTERNAL, "out of memory");
        return;
    }
    atomic_init(&x->refs, 1);
    x->gw = gw;
    x->up = up;
    x->length = -1;
    atomic_fetch_add(&up->in_flight, 1);
    if (a) {
        atomic_fetch_add(&x->refs, 1); /* the access record's */
        a->xfer = x;
    }

    size_t body_len;
    const char *body = http_request_body(req, &body_len);
    r = httpc_pull_begin(x->client, method, strbuf_str(&target), list, body, body_len,
                         gw->upstream_timeout_ms, &x->pull);
    strbuf_done(&hdrs);
    strbuf_done(&target);
    if (r < 0) {
        log_debug("gateway: upstream %s: %s", rt->url, httpc_last_error(x->client));
        xfer_finish(x);
        reply_upstream_error(req, a, up, r);
    } else {
        /* Each read's wait is set in xfer_pull; the stop token cuts it short at shutdown. */
        httpc_pull_set_cancel_fd(x->pull, stopper_fd(gw->stop));
        reply_upstream(req, a, x, method);
    }
    xfer_unref(x);
}
