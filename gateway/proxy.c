/* The proxy: each routed request's upstream transfer runs in a worker thread with a pooled
 * client; the handler waits for the upstream's status and headers (or a timeout), then replies
 * with a stream whose read callback drains a bounded ring that the worker fills. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "gateway.h"
#include "headers.h"
#include "http/request.h"
#include "httpc/httpc.h"
#include "pool.h"
#include "ratelimit.h"

#define GW_RING_SIZE (64 * 1024)
/* Headers a client may send; the gateway adds up to 5 more within httpc's limit. */
#define GW_FORWARD_HEADERS_MAX (HTTPC_MAX_HEADERS - 5)
#define GW_HEADER_BYTES_MAX (64 * 1024)
#define GW_WAIT_SLICE_MS 250
#define GW_LOG_PATH_MAX 256
#define GW_WORKERS_KEEP 16  /* idle worker threads kept for the next burst */
#define GW_WORKER_IDLE_S 30 /* seconds before a worker above that number ends */

struct gw_xfer {
    struct gw_xfer *next; /* in the gateway's job queue */
    pthread_mutex_t lock;
    pthread_cond_t cond; /* broadcast on every state change below */
    int refs;
    struct gateway *gw;
    struct gw_upstream *up;
    char rid[65];

    /* The request, copied: the worker may outlive the client's request. */
    char *method;
    char *target;
    struct strbuf req_hdr; /* "Name: value\0" ... */
    const char **req_headers;
    char *body;
    size_t body_len;

    /* The response. */
    bool have_headers;
    long status;
    int64_t length;         /* Content-Length, -1 when unknown */
    struct strbuf resp_hdr; /* "name\0value\0" ..., complete once have_headers */
    size_t n_resp_hdr;
    bool done; /* the worker's transfer is over */
    int result;
    bool cancelled;  /* the client side is gone or gave up: the worker stops */
    const char *cut; /* why the body was cut short, NULL when it was not */
    uint64_t bytes_out;
    size_t head, len;
    char ring[GW_RING_SIZE];
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

static void xfer_unref(struct gw_xfer *x)
{
    if (!x)
        return;
    pthread_mutex_lock(&x->lock);
    int left = --x->refs;
    pthread_mutex_unlock(&x->lock);
    if (left > 0)
        return;
    pthread_mutex_destroy(&x->lock);
    pthread_cond_destroy(&x->cond);
    free(x->method);
    free(x->target);
    strbuf_done(&x->req_hdr);
    free(x->req_headers);
    free(x->body);
    strbuf_done(&x->resp_hdr);
    free(x);
}

static struct gw_xfer *xfer_new(struct gateway *gw, struct gw_upstream *up, const char *rid)
{
    /* Not calloc: zeroing the ring for every request is measurable at high request rates. */
    struct gw_xfer *x = malloc(sizeof(*x));
    if (!x)
        return NULL;
    memset(x, 0, offsetof(struct gw_xfer, ring));
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&x->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&x->lock, NULL);
    x->refs = 1;
    x->gw = gw;
    x->up = up;
    x->length = -1;
    x->req_hdr.max = GW_HEADER_BYTES_MAX;
    x->resp_hdr.max = GW_HEADER_BYTES_MAX;
    snprintf(x->rid, sizeof(x->rid), "%s", rid);
    return x;
}

/* Waits on x->cond until the monotonic deadline_ms; the lock is held. */
static void xfer_wait(struct gw_xfer *x, int64_t deadline_ms)
{
    struct timespec ts = {(time_t)(deadline_ms / 1000), (long)(deadline_ms % 1000) * 1000000L};
    pthread_cond_timedwait(&x->cond, &x->lock, &ts);
}

/* ---- worker side (curl callbacks run in the worker thread) ---- */

static int xfer_on_headers(long status, const struct httpc_header *headers, size_t n,
                           void *userdata)
{
    struct gw_xfer *x = userdata;
    const char *connection = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(headers[i].name, "Connection") == 0)
            connection = headers[i].value;
    pthread_mutex_lock(&x->lock);
    if (x->cancelled) {
        pthread_mutex_unlock(&x->lock);
        return 1;
    }
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        if (strcasecmp(headers[i].name, "Content-Length") == 0) {
            int64_t len;
            if (parse_int64(headers[i].value, 0, INT64_MAX, &len) == 0)
                x->length = len;
        }
        if (!gw_header_forward_response(headers[i].name, connection))
            continue;
        r = strbuf_append(&x->resp_hdr, headers[i].name, strlen(headers[i].name) + 1);
        if (r == 0)
            r = strbuf_append(&x->resp_hdr, headers[i].value, strlen(headers[i].value) + 1);
        x->n_resp_hdr++;
    }
    if (r == 0) {
        x->status = status;
        x->have_headers = true;
    }
    /* A body known to fit the ring usually follows at once: the handler is woken when it is
     * complete, which saves a wake-up and lock contention per small response. Otherwise (a
     * stream, a big body, an error) the client gets the headers now. */
    if (r < 0 || x->length < 0 || x->length > GW_RING_SIZE)
        pthread_cond_broadcast(&x->cond);
    pthread_mutex_unlock(&x->lock);
    return r < 0 ? -EMSGSIZE : 0;
}

static int xfer_on_data(const char *data, size_t len, void *userdata)
{
    struct gw_xfer *x = userdata;
    pthread_mutex_lock(&x->lock);
    while (len > 0) {
        /* A full ring blocks the worker, so curl stops reading and the upstream slows down. */
        while (x->len == GW_RING_SIZE && !x->cancelled)
            pthread_cond_wait(&x->cond, &x->lock);
        if (x->cancelled) {
            pthread_mutex_unlock(&x->lock);
            return 1;
        }
        size_t tail = (x->head + x->len) % GW_RING_SIZE;
        size_t chunk = GW_RING_SIZE - x->len;
        if (chunk > GW_RING_SIZE - tail)
            chunk = GW_RING_SIZE - tail;
        if (chunk > len)
            chunk = len;
        memcpy(x->ring + tail, data, chunk);
        x->len += chunk;
        data += chunk;
        len -= chunk;
        pthread_cond_broadcast(&x->cond);
    }
    pthread_mutex_unlock(&x->lock);
    return 0;
}

static bool xfer_should_stop(void *userdata)
{
    struct gw_xfer *x = userdata;
    pthread_mutex_lock(&x->lock);
    bool stop = x->cancelled;
    pthread_mutex_unlock(&x->lock);
    return stop;
}

/* Runs one upstream transfer in a worker thread and drops the worker's reference. */
static void xfer_run(struct gw_xfer *x)
{
    struct gw_pool *pool = x->up->pool;
    log_set_request_id(x->rid);
    struct httpc *c = NULL;
    int r = gw_pool_acquire(pool, &c);
    if (r == 0) {
        static const struct httpc_stream_callbacks cb = {xfer_on_headers, xfer_on_data,
                                                         xfer_should_stop};
        r = httpc_stream(c, x->method, x->target, x->req_headers, x->body, x->body_len, 0, &cb, x);
        if (r < 0)
            log_debug("gateway: upstream %s: %s", x->up->route->url, httpc_last_error(c));
        /* curl itself drops a connection left in an unknown state, so the client stays usable. */
        gw_pool_release(pool, c);
    }
    pthread_mutex_lock(&x->lock);
    x->done = true;
    x->result = r;
    pthread_cond_broadcast(&x->cond);
    pthread_mutex_unlock(&x->lock);
    atomic_fetch_sub(&x->up->in_flight, 1);
    xfer_unref(x);
    log_set_request_id(NULL);
}

/* A worker thread: runs queued transfers, taking the next one without sleeping while the queue
 * has work; the threads above GW_WORKERS_KEEP end after a while without work, and all of them
 * once the queue is stopped and empty. */
static void *worker_main(void *arg)
{
    struct gateway *gw = arg;
    pthread_mutex_lock(&gw->jobs_lock);
    for (;;) {
        while (!gw->jobs_head && !gw->jobs_stop) {
            gw->idle_workers++;
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_sec += GW_WORKER_IDLE_S;
            int rc = pthread_cond_timedwait(&gw->jobs_cond, &gw->jobs_lock, &ts);
            gw->idle_workers--;
            if (rc == ETIMEDOUT && !gw->jobs_head && atomic_load(&gw->workers) > GW_WORKERS_KEEP)
                goto out;
        }
        struct gw_xfer *x = gw->jobs_head;
        if (!x)
            break;
        gw->jobs_head = x->next;
        if (!gw->jobs_head)
            gw->jobs_tail = NULL;
        gw->jobs_queued--;
        pthread_mutex_unlock(&gw->jobs_lock);
        xfer_run(x);
        pthread_mutex_lock(&gw->jobs_lock);
    }
out:
    /* Dropped under the lock: gateway_done takes it once more before destroying it. */
    atomic_fetch_sub(&gw->workers, 1);
    pthread_mutex_unlock(&gw->jobs_lock);
    return NULL;
}

/* ---- client side (MHD's connection thread) ---- */

static ssize_t xfer_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct gw_xfer *x = cls;
    int64_t now = time_mono_ms();
    int64_t stall_deadline = now + x->gw->upstream_timeout_ms;
    pthread_mutex_lock(&x->lock);
    while (x->len == 0 && !x->done) {
        int64_t stop = atomic_load(&x->gw->stop_deadline);
        if (now >= stall_deadline) {
            x->cut = "upstream-stalled";
            break;
        }
        if (stop && now >= stop) {
            x->cut = "shutdown";
            break;
        }
        int64_t until =
            now + GW_WAIT_SLICE_MS < stall_deadline ? now + GW_WAIT_SLICE_MS : stall_deadline;
        xfer_wait(x, until);
        now = time_mono_ms();
    }
    if (x->len > 0) {
        size_t n = x->len < max ? x->len : max;
        if (n > GW_RING_SIZE - x->head)
            n = GW_RING_SIZE - x->head;
        memcpy(buf, x->ring + x->head, n);
        x->head = (x->head + n) % GW_RING_SIZE;
        x->len -= n;
        x->bytes_out += n;
        pthread_cond_broadcast(&x->cond);
        pthread_mutex_unlock(&x->lock);
        atomic_fetch_add(&x->up->bytes, n);
        return (ssize_t)n;
    }
    if (x->done && !x->cut && x->result == 0 &&
        (x->length < 0 || x->bytes_out == (uint64_t)x->length)) {
        pthread_mutex_unlock(&x->lock);
        return HTTP_STREAM_END;
    }
    if (!x->cut)
        x->cut = "upstream-failed";
    x->cancelled = true;
    pthread_cond_broadcast(&x->cond);
    pthread_mutex_unlock(&x->lock);
    atomic_fetch_add(&x->up->errors[GW_ERR_CUT], 1);
    log_warn("gateway: response from %s cut after %llu bytes: %s", x->up->route->url,
             (unsigned long long)x->bytes_out, x->cut);
    return HTTP_STREAM_ERROR;
}

/* The stream is gone (sent, or the client left): the worker must stop. */
static void xfer_stream_free(void *cls)
{
    struct gw_xfer *x = cls;
    pthread_mutex_lock(&x->lock);
    x->cancelled = true;
    pthread_cond_broadcast(&x->cond);
    pthread_mutex_unlock(&x->lock);
    xfer_unref(x);
}

/* ---- access log ---- */

static void access_free(void *ctx)
{
    struct gw_access *a = ctx;
    unsigned status = a->status;
    int64_t bytes = a->bytes;
    const char *cut = NULL;
    if (a->xfer) {
        pthread_mutex_lock(&a->xfer->lock);
        if (a->xfer->have_headers)
            bytes = (int64_t)a->xfer->bytes_out;
        cut = a->xfer->cut;
        /* The client left before the body ended: the worker stops via the stream's free. */
        if (!cut && a->xfer->have_headers && !a->xfer->done)
            cut = "client-gone";
        pthread_mutex_unlock(&a->xfer->lock);
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
    xfer_unref(a->xfer);
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

/* ---- the handler ---- */

struct hdr_collect {
    struct gw_xfer *x;
    const char *connection;
    size_t n;
    bool has_accept;
    int error;
};

/* Appends "Name: value" with control characters (which httpc refuses) turned into spaces; an
 * empty value is written "Name;", curl's way of sending a header with no value. */
static int hdr_add(struct strbuf *sb, const char *name, const char *value)
{
    size_t start = sb->len;
    int r = value[0] ? strbuf_printf(sb, "%s: %s", name, value) : strbuf_printf(sb, "%s;", name);
    if (r < 0)
        return r;
    for (size_t i = start; i < sb->len; i++)
        if ((unsigned char)sb->buf[i] < 0x20 || sb->buf[i] == 0x7f)
            sb->buf[i] = ' ';
    return strbuf_append(sb, "", 1);
}

static int hdr_collect_cb(const char *name, const char *value, void *cls)
{
    struct hdr_collect *hc = cls;
    if (!gw_header_forward_request(name, hc->connection))
        return 0;
    if (hc->n == GW_FORWARD_HEADERS_MAX) {
        hc->error = -E2BIG;
        return 1;
    }
    if (strcasecmp(name, "Accept") == 0)
        hc->has_accept = true;
    int r = hdr_add(&hc->x->req_hdr, name, value);
    if (r < 0) {
        hc->error = r;
        return 1;
    }
    hc->n++;
    return 0;
}

/* Fills the request copy of x from req. Returns 0, -E2BIG (too many or too large headers) or
 * -ENOMEM. */
static int xfer_fill_request(struct gw_xfer *x, struct http_request *req, const struct gw_route *rt)
{
    struct gateway *gw = x->gw;
    struct hdr_collect hc = {.x = x, .connection = http_request_header(req, "Connection")};
    http_request_foreach_header(req, hdr_collect_cb, &hc);
    if (hc.error < 0)
        return hc.error;
    struct strbuf *sb = &x->req_hdr;
    const char *xff = http_request_header(req, "X-Forwarded-For");
    const char *host = http_request_header(req, "Host");
    char xff_value[1024];
    if (xff && xff[0])
        snprintf(xff_value, sizeof(xff_value), "%s, %s", xff, http_request_client(req));
    else
        snprintf(xff_value, sizeof(xff_value), "%s", http_request_client(req));
    int r = hdr_add(sb, "X-Request-Id", http_request_id(req));
    if (r == 0)
        r = hdr_add(sb, "X-Forwarded-For", xff_value);
    if (r == 0)
        r = hdr_add(sb, "X-Forwarded-Proto", gw->tls ? "https" : "http");
    if (r == 0 && host)
        r = hdr_add(sb, "X-Forwarded-Host", host);
    /* Without this curl would add its own default Accept header. */
    if (r == 0 && !hc.has_accept)
        r = strbuf_append(sb, "Accept:", sizeof("Accept:"));
    if (r < 0)
        return r == -E2BIG ? -E2BIG : -ENOMEM;

    size_t n = 0;
    for (size_t off = 0; off < sb->len; off += strlen(sb->buf + off) + 1)
        n++;
    x->req_headers = calloc(n + 1, sizeof(*x->req_headers));
    if (!x->req_headers)
        return -ENOMEM;
    n = 0;
    for (size_t off = 0; off < sb->len; off += strlen(sb->buf + off) + 1)
        x->req_headers[n++] = sb->buf + off;

    struct strbuf target = STRBUF_INIT;
    target.max = 16 * 1024;
    r = gw_route_target(rt, http_request_path(req), http_request_query_string(req), &target);
    if (r < 0) {
        strbuf_done(&target);
        return r;
    }
    x->target = strbuf_steal(&target);
    x->method = strdup(http_request_method(req));
    size_t body_len;
    const char *body = http_request_body(req, &body_len);
    x->body = malloc(body_len + 1);
    if (!x->target || !x->method || !x->body)
        return -ENOMEM;
    memcpy(x->body, body, body_len + 1);
    x->body_len = body_len;
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

/* Queues x for a worker, starting a thread when every idle one is spoken for: a transfer
 * blocks its worker for as long as the upstream takes, so each queued job needs its own. */
static int xfer_start(struct gw_xfer *x)
{
    struct gateway *gw = x->gw;
    pthread_mutex_lock(&gw->jobs_lock);
    if (gw->jobs_queued + 1 > gw->idle_workers) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_t th;
        atomic_fetch_add(&gw->workers, 1);
        int r = pthread_create(&th, &attr, worker_main, gw);
        pthread_attr_destroy(&attr);
        if (r != 0) {
            atomic_fetch_sub(&gw->workers, 1);
            pthread_mutex_unlock(&gw->jobs_lock);
            return -r;
        }
    }
    x->refs++; /* the worker's; no other thread knows x yet */
    atomic_fetch_add(&x->up->in_flight, 1);
    x->next = NULL;
    if (gw->jobs_tail)
        gw->jobs_tail->next = x;
    else
        gw->jobs_head = x;
    gw->jobs_tail = x;
    gw->jobs_queued++;
    pthread_cond_signal(&gw->jobs_cond);
    pthread_mutex_unlock(&gw->jobs_lock);
    return 0;
}

void gateway_workers_init(struct gateway *gw)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&gw->jobs_cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&gw->jobs_lock, NULL);
    gw->jobs_ready = true;
}

void gateway_workers_stop(struct gateway *gw)
{
    if (!gw->jobs_ready)
        return;
    pthread_mutex_lock(&gw->jobs_lock);
    gw->jobs_stop = true;
    pthread_cond_broadcast(&gw->jobs_cond);
    pthread_mutex_unlock(&gw->jobs_lock);
}

static unsigned status_class(long status)
{
    return status >= 100 && status < 600 ? (unsigned)(status / 100) : 0;
}

void gw_handle_proxy(struct http_request *req, void *userdata)
{
    struct gateway *gw = userdata;
    const char *path = http_request_path(req);
    const struct gw_route *rt = gw_routes_match(&gw->routes, path);
    struct gw_access *a = gw_access_start(req, rt);
    if (!rt) {
        atomic_fetch_add(&gw->unrouted, 1);
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
    if (!method_ok(http_request_method(req))) {
        reply_error(req, a, API_BAD_REQUEST, "this method cannot be forwarded");
        return;
    }

    struct gw_xfer *x = xfer_new(gw, up, http_request_id(req));
    if (!x) {
        reply_error(req, a, API_INTERNAL, "out of memory");
        return;
    }
    int r = xfer_fill_request(x, req, rt);
    if (r < 0) {
        xfer_unref(x);
        if (r == -E2BIG)
            reply_error(req, a, API_BAD_REQUEST, "too many or too large request headers");
        else
            reply_error(req, a, API_INTERNAL, "out of memory");
        return;
    }
    if (a) {
        x->refs++; /* the access record's; taken before another thread can see x */
        a->xfer = x;
    }
    r = xfer_start(x);
    if (r < 0) {
        xfer_unref(x);
        log_error("gateway: cannot start a transfer thread: %s", strerror(-r));
        reply_error(req, a, API_UNAVAILABLE, "the gateway is overloaded");
        return;
    }

    int64_t deadline = time_mono_ms() + gw->upstream_timeout_ms;
    pthread_mutex_lock(&x->lock);
    while (!x->have_headers && !x->done && time_mono_ms() < deadline)
        xfer_wait(x, deadline);
    /* Woken by the first bytes of a small body (see xfer_on_headers), or spuriously. */
    while (x->have_headers && !x->done && x->len == 0 && x->length > 0 &&
           x->length <= GW_RING_SIZE && time_mono_ms() < deadline)
        xfer_wait(x, deadline);
    if (x->have_headers) {
        long status = x->status;
        int64_t length = x->length;
        size_t n = x->n_resp_hdr;
        const char *list[2 * HTTPC_MAX_HEADERS + 1];
        const char *p = strbuf_str(&x->resp_hdr);
        for (size_t i = 0; i < n; i++) {
            list[2 * i] = p;
            p += strlen(p) + 1;
            list[2 * i + 1] = p;
            p += strlen(p) + 1;
        }
        list[2 * n] = NULL;
        pthread_mutex_unlock(&x->lock);
        atomic_fetch_add(&up->responses[status_class(status)], 1);
        gw_access_local(a, (unsigned)status, -1);
        /* resp_hdr is no longer written once have_headers is set, so list stays valid. */
        r = http_reply_stream(req, (unsigned)status, list, length, xfer_read, x, xfer_stream_free);
        if (r < 0)
            log_warn("gateway: cannot send the response of %s: %s", rt->url, strerror(-r));
        return;
    }
    bool done = x->done;
    int result = x->result;
    if (!done) {
        x->cancelled = true;
        pthread_cond_broadcast(&x->cond);
    }
    pthread_mutex_unlock(&x->lock);
    xfer_unref(x);

    char detail[GW_ROUTE_TEXT_MAX + 64];
    if (!done || result == -ETIMEDOUT) {
        atomic_fetch_add(&up->errors[GW_ERR_TIMEOUT], 1);
        log_warn("gateway: %s did not answer in time", rt->url);
        snprintf(detail, sizeof(detail), "the upstream of %s did not answer in time", rt->prefix);
        reply_error(req, a, API_GATEWAY_TIMEOUT, detail);
    } else if (result == -ECONNREFUSED) {
        atomic_fetch_add(&up->errors[GW_ERR_REFUSED], 1);
        log_warn("gateway: %s refused the connection", rt->url);
        snprintf(detail, sizeof(detail), "the upstream of %s is not reachable", rt->prefix);
        reply_error(req, a, API_BAD_GATEWAY, detail);
    } else if (result == -EINVAL) {
        reply_error(req, a, API_BAD_REQUEST, "the request cannot be forwarded");
    } else {
        atomic_fetch_add(&up->errors[GW_ERR_FAILED], 1);
        log_warn("gateway: %s failed before answering: %s", rt->url,
                 strerror(result < 0 ? -result : EIO));
        snprintf(detail, sizeof(detail), "the upstream of %s failed", rt->prefix);
        reply_error(req, a, API_BAD_GATEWAY, detail);
    }
}
