/* libcurl wrapper: request building and validation, buffered and streamed transfers, and the
 * translation of CURLcode into negative errno values. See docs/internals/httpc.md. */
#include "httpc/httpc.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/timeutil.h"

#define HTTPC_MAX_PATH 8192
#define HTTPC_MAX_METHOD 16
#define HTTPC_MAX_HEADER_BYTES (64 * 1024)
#define HTTPC_PULL_KEEP_BYTES (16 * 1024) /* body buffer a client keeps between pulls */

/* State of one transfer, shared by the curl callbacks. */
struct httpc_xfer {
    struct httpc *c;
    struct strbuf body; /* buffered mode */
    bool too_big;
    const struct httpc_stream_callbacks *cb; /* stream mode when non-NULL */
    struct httpc_pull *pull;                 /* pull mode when non-NULL */
    void *userdata;
    int cb_result; /* non-zero once a callback asked to end the transfer */
    bool stopped;  /* should_stop returned true */
    long status;   /* from the last status line seen */
    bool headers_done;
    struct strbuf hdr; /* "name\0value\0" pairs of the current response */
    size_t n_hdr;
};

/* A pull: the transfer state plus the body bytes received and not read yet, which are
 * buf[off, len). Each client has one, reused from pull to pull with its buffers. */
struct httpc_pull {
    struct httpc *c;
    struct httpc_xfer x;
    struct curl_slist *list; /* request headers, alive until the handle leaves the multi */
    long timeout_ms;
    int cancel_fd; /* -1, or a descriptor whose readability cuts waits short */
    char *buf;
    size_t cap, off, len;
    bool paused;   /* the write callback paused the transfer: the buffer was full */
    bool finished; /* curl reported the transfer done */
    bool nomem;    /* the body buffer could not grow */
    int result;    /* its outcome once finished: 0 or negative errno */
    struct httpc_header headers[HTTPC_MAX_HEADERS];
    size_t n_headers;
    long long content_length;
    char what[HTTPC_MAX_METHOD + 2 + 256]; /* "METHOD path" for error messages */
};

struct httpc {
    CURL *curl;
    CURLM *multi; /* created by the first pull; holds the connections of pulls */
    bool pulling; /* a pull is open: the easy handle is inside multi */
    char *base_url;
    char *unix_socket;
    long connect_timeout_ms;
    long default_timeout_ms;
    long timeout_ms;
    size_t max_response;
    char errbuf[CURL_ERROR_SIZE];
    char last_error[CURL_ERROR_SIZE + 128];
    struct httpc_pull pull; /* in use while pulling */
};

static pthread_once_t httpc_once = PTHREAD_ONCE_INIT;
static CURLcode httpc_global_rc = CURLE_FAILED_INIT;

static void httpc_global_init(void)
{
    /* SIGPIPE is left alone: with CURLOPT_NOSIGNAL it is the application's to ignore
     * (lib/core/signals.h), as curl's own documentation asks. */
    httpc_global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static bool httpc_has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* Length of the RFC 9110 token at the start of s (a header field name), 0 when none. */
static size_t httpc_token_len(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char ch = (unsigned char)s[n];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              (ch && strchr("!#$%&'*+-.^_`|~", ch))))
            break;
    }
    return n;
}

/* A field value as RFC 9110 allows it: no control characters except HTAB. */
static bool httpc_value_ok(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
            return false;
    return true;
}

static void httpc_set_error(struct httpc *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void httpc_set_error(struct httpc *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->last_error, sizeof(c->last_error), fmt, ap);
    va_end(ap);
}

int httpc_new(const struct httpc_config *cfg, struct httpc **ret)
{
    if (!cfg || (!cfg->base_url && !cfg->unix_socket))
        return -EINVAL;
    const char *base = cfg->base_url ? cfg->base_url : "http://localhost";
    if (httpc_has_ctl(base) || (cfg->unix_socket && httpc_has_ctl(cfg->unix_socket)) ||
        cfg->connect_timeout_ms < 0 || cfg->timeout_ms < 0)
        return -EINVAL;

    pthread_once(&httpc_once, httpc_global_init);
    if (httpc_global_rc != CURLE_OK)
        return -ENOMEM;

    struct httpc *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    size_t blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    c->base_url = strndup(base, blen);
    c->unix_socket = cfg->unix_socket ? strdup(cfg->unix_socket) : NULL;
    c->curl = curl_easy_init();
    if (!c->base_url || (cfg->unix_socket && !c->unix_socket) || !c->curl) {
        httpc_free(c);
        return -ENOMEM;
    }
    c->connect_timeout_ms =
        cfg->connect_timeout_ms ? cfg->connect_timeout_ms : HTTPC_DEFAULT_CONNECT_TIMEOUT_MS;
    c->default_timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : HTTPC_DEFAULT_TIMEOUT_MS;
    c->timeout_ms = c->default_timeout_ms;
    c->max_response =
        cfg->max_response_bytes ? cfg->max_response_bytes : HTTPC_DEFAULT_MAX_RESPONSE;
    *ret = c;
    return 0;
}

void httpc_free(struct httpc *c)
{
    if (!c)
        return;
    if (c->pulling)
        httpc_pull_end(&c->pull);
    strbuf_done(&c->pull.x.hdr);
    free(c->pull.buf);
    if (c->multi)
        curl_multi_cleanup(c->multi); /* closes the connections pulls left cached */
    if (c->curl)
        curl_easy_cleanup(c->curl);
    free(c->base_url);
    free(c->unix_socket);
    free(c);
}

void httpc_set_timeout(struct httpc *c, long timeout_ms)
{
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : c->default_timeout_ms;
}

const char *httpc_last_error(const struct httpc *c)
{
    return c->last_error;
}

void httpc_response_done(struct httpc_response *r)
{
    if (!r)
        return;
    free(r->body);
    free(r->content_type);
    memset(r, 0, sizeof(*r));
}

int httpc_url_escape(struct strbuf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        int r;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            r = strbuf_append(out, (const char *)&ch, 1);
        } else {
            char enc[3] = {'%', hex[ch >> 4], hex[ch & 0xf]};
            r = strbuf_append(out, enc, sizeof(enc));
        }
        if (r < 0)
            return r;
    }
    return 0;
}

/* Buffers a piece of body for httpc_pull_read. When the unread bytes would go over the cap the
 * transfer is paused: curl keeps this piece and hands it over again once it is resumed. */
static size_t httpc_pull_on_write(struct httpc_pull *p, const char *data, size_t len)
{
    size_t unread = p->len - p->off;
    if (unread > 0 && unread + len > HTTPC_PULL_BUFFER_MAX) {
        p->paused = true;
        return CURL_WRITEFUNC_PAUSE;
    }
    if (p->off > 0 && p->len + len > p->cap) {
        memmove(p->buf, p->buf + p->off, unread);
        p->off = 0;
        p->len = unread;
    }
    if (p->len + len > p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4096;
        if (cap < p->len + len)
            cap = p->len + len;
        char *nb = realloc(p->buf, cap);
        if (!nb) {
            p->nomem = true;
            return 0; /* CURLE_WRITE_ERROR */
        }
        p->buf = nb;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, data, len);
    p->len += len;
    return len;
}

static size_t httpc_on_write(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct httpc_xfer *x = userdata;
    size_t len = size * nmemb;
    if (x->pull)
        return httpc_pull_on_write(x->pull, data, len);
    if (!x->cb) {
        if (strbuf_append(&x->body, data, len) < 0) {
            x->too_big = true;
            return 0; /* makes curl fail with CURLE_WRITE_ERROR */
        }
        return len;
    }
    if (x->cb->on_data && len > 0) {
        int r = x->cb->on_data(data, len, x->userdata);
        if (r != 0) {
            x->cb_result = r;
            return 0;
        }
    }
    return len;
}

/* Hands the collected headers of the final response to on_headers. */
static int httpc_emit_headers(struct httpc_xfer *x)
{
    if (!x->cb->on_headers)
        return 0;
    struct httpc_header list[HTTPC_MAX_HEADERS];
    const char *p = strbuf_str(&x->hdr);
    for (size_t i = 0; i < x->n_hdr; i++) {
        list[i].name = p;
        p += strlen(p) + 1;
        list[i].value = p;
        p += strlen(p) + 1;
    }
    return x->cb->on_headers(x->status, list, x->n_hdr, x->userdata);
}

static size_t httpc_on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct httpc_xfer *x = userdata;
    size_t len = size * nmemb, n = len;
    if (x->headers_done)
        return len; /* trailers */
    while (n > 0 && (data[n - 1] == '\r' || data[n - 1] == '\n'))
        n--;
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        /* A new response (after 1xx): "HTTP/1.1 200 OK". */
        const char *sp = memchr(data, ' ', n);
        long status = 0;
        if (sp && (size_t)(sp - data) + 4 <= n) {
            for (int i = 1; i <= 3; i++)
                if (sp[i] >= '0' && sp[i] <= '9')
                    status = status * 10 + (sp[i] - '0');
        }
        x->status = status;
        strbuf_reset(&x->hdr);
        x->n_hdr = 0;
        return len;
    }
    if (n == 0) {
        if (x->status >= 100 && x->status < 200)
            return len;
        x->headers_done = true;
        if (!x->cb)
            return len; /* a pull: begin picks the headers up */
        int r = httpc_emit_headers(x);
        if (r != 0) {
            x->cb_result = r;
            return 0;
        }
        return len;
    }
    if (data[0] == ' ' || data[0] == '\t')
        return len; /* obsolete line folding: ignored */
    const char *colon = memchr(data, ':', n);
    if (!colon)
        return len;
    size_t name_len = (size_t)(colon - data);
    const char *v = colon + 1, *end = data + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (x->n_hdr >= HTTPC_MAX_HEADERS || strbuf_append(&x->hdr, data, name_len) < 0 ||
        strbuf_append(&x->hdr, "", 1) < 0 || strbuf_append(&x->hdr, v, (size_t)(end - v)) < 0 ||
        strbuf_append(&x->hdr, "", 1) < 0) {
        x->too_big = true;
        return 0;
    }
    x->n_hdr++;
    return len;
}

static int httpc_on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                             curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    struct httpc_xfer *x = userdata;
    if (x->cb->should_stop(x->userdata)) {
        x->stopped = true;
        return 1;
    }
    return 0;
}

static bool httpc_method_ok(const char *m)
{
    size_t n = strlen(m);
    if (n == 0 || n > HTTPC_MAX_METHOD)
        return false;
    for (; *m; m++)
        if (*m < 'A' || *m > 'Z')
            return false;
    return true;
}

/* Validates the request and sets every option on the freshly reset handle. The header list
 * must outlive the transfer, so it is handed back for the caller to free afterwards. */
static int httpc_prepare(struct httpc *c, const char *method, const char *path,
                         const char *const *headers, const char *body, size_t body_len,
                         struct httpc_xfer *x, long timeout_ms, struct curl_slist **ret_list)
{
    c->last_error[0] = '\0';
    if (!method || !httpc_method_ok(method)) {
        httpc_set_error(c, "invalid method");
        return -EINVAL;
    }
    if (!path || path[0] != '/' || strlen(path) > HTTPC_MAX_PATH || strchr(path, ' ') ||
        httpc_has_ctl(path)) {
        httpc_set_error(c, "invalid path");
        return -EINVAL;
    }
    if (body_len > 0 && !body) {
        httpc_set_error(c, "body_len without body");
        return -EINVAL;
    }

    struct curl_slist *list = NULL;
    bool has_ctype = false, has_accept = false;
    size_t n = 0;
    for (; headers && headers[n]; n++) {
        const char *h = headers[n];
        size_t name_len = httpc_token_len(h);
        if (n >= HTTPC_MAX_HEADERS || name_len == 0 || h[name_len] != ':' ||
            !httpc_value_ok(h + name_len + 1)) {
            curl_slist_free_all(list);
            httpc_set_error(c, "invalid or too many request headers");
            return -EINVAL;
        }
        if (name_len == 12 && strncasecmp(h, "Content-Type", 12) == 0)
            has_ctype = true;
        if (name_len == 6 && strncasecmp(h, "Accept", 6) == 0)
            has_accept = true;
        /* curl reads "Name:" with nothing but blanks after the colon as "do not send Name"
         * (the extras below rely on that) and sends an empty header only when written
         * "Name;". An empty value is legal HTTP, so it is sent. */
        _cleanup_free_ char *empty = NULL;
        if (h[name_len + 1 + strspn(h + name_len + 1, " \t")] == '\0') {
            if (!(empty = strndup(h, name_len + 1))) {
                curl_slist_free_all(list);
                return -ENOMEM;
            }
            empty[name_len] = ';';
        }
        struct curl_slist *nl = curl_slist_append(list, empty ? empty : h);
        if (!nl) {
            curl_slist_free_all(list);
            return -ENOMEM;
        }
        list = nl;
    }
    bool sends_body = strcmp(method, "POST") == 0 || body_len > 0;
    /* curl adds only what framing needs: no "Expect: 100-continue" round trip, no invented
     * form content type, and no default Accept (a proxied request without Accept must arrive
     * without one; no caller relies on curl's any-type default). */
    const char *extra[] = {"Expect:", has_accept ? NULL : "Accept:",
                           sends_body && !has_ctype ? "Content-Type:" : NULL};
    for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
        if (!extra[i])
            continue;
        struct curl_slist *nl = curl_slist_append(list, extra[i]);
        if (!nl) {
            curl_slist_free_all(list);
            return -ENOMEM;
        }
        list = nl;
    }

    struct strbuf url = STRBUF_INIT;
    if (strbuf_puts(&url, c->base_url) < 0 || strbuf_puts(&url, path) < 0) {
        strbuf_done(&url);
        curl_slist_free_all(list);
        return -ENOMEM;
    }

    CURL *h = c->curl;
    curl_easy_reset(h); /* keeps the connection cache; drops every option of the last call */
    c->errbuf[0] = '\0';
    CURLcode rc = CURLE_OK;
#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        if (rc == CURLE_OK)                                                                        \
            rc = curl_easy_setopt(h, opt, val);                                                    \
    } while (0)
    SETOPT(CURLOPT_URL, strbuf_str(&url)); /* curl copies strings */
    SETOPT(CURLOPT_ERRORBUFFER, c->errbuf);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    SETOPT(CURLOPT_TIMEOUT_MS, timeout_ms);
    if (c->unix_socket)
        SETOPT(CURLOPT_UNIX_SOCKET_PATH, c->unix_socket);
    if (strcmp(method, "HEAD") == 0) {
        SETOPT(CURLOPT_NOBODY, 1L);
    } else if (sends_body) {
        /* POSTFIELDS is not copied: body outlives the synchronous perform. A pull outlives
         * its begin call, so curl keeps its own copy. */
        SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        if (x->pull)
            SETOPT(CURLOPT_COPYPOSTFIELDS, body ? body : "");
        else
            SETOPT(CURLOPT_POSTFIELDS, body ? body : "");
        if (strcmp(method, "POST") != 0)
            SETOPT(CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "GET") == 0) {
        SETOPT(CURLOPT_HTTPGET, 1L);
    } else {
        SETOPT(CURLOPT_CUSTOMREQUEST, method);
    }
    SETOPT(CURLOPT_HTTPHEADER, list);
    SETOPT(CURLOPT_WRITEFUNCTION, httpc_on_write);
    SETOPT(CURLOPT_WRITEDATA, x);
    if (x->cb || x->pull) {
        SETOPT(CURLOPT_HEADERFUNCTION, httpc_on_header);
        SETOPT(CURLOPT_HEADERDATA, x);
        SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
        if (x->cb && x->cb->should_stop) {
            SETOPT(CURLOPT_XFERINFOFUNCTION, httpc_on_progress);
            SETOPT(CURLOPT_XFERINFODATA, x);
            SETOPT(CURLOPT_NOPROGRESS, 0L);
        }
    }
#undef SETOPT
    strbuf_done(&url);
    if (rc != CURLE_OK) {
        curl_slist_free_all(list);
        httpc_set_error(c, "curl_easy_setopt: %s", curl_easy_strerror(rc));
        return rc == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
    }
    *ret_list = list;
    return 0;
}

/* Maps the outcome of a transfer to 0 or a negative errno; what names it in the error text. */
static int httpc_result(struct httpc *c, const char *what, const struct httpc_xfer *x, CURLcode rc)
{
    if (x->stopped || x->cb_result > 0)
        return 0;
    if (x->cb_result < 0)
        return x->cb_result;
    if (x->too_big) {
        httpc_set_error(c, "%s: response over the size cap", what);
        return -EMSGSIZE;
    }
    if (rc == CURLE_OK)
        return 0;
    httpc_set_error(c, "%s: %s", what, c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
    log_debug("httpc: %s", c->last_error);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return -ETIMEDOUT;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return -ECONNREFUSED;
    case CURLE_OUT_OF_MEMORY:
        return -ENOMEM;
    default:
        return -EIO;
    }
}

/* curl_easy_perform through the client's multi handle, so a client that ran pulls reuses
 * their cached connections instead of opening more from the easy handle's own cache. */
static CURLcode httpc_multi_perform(struct httpc *c)
{
    if (curl_multi_add_handle(c->multi, c->curl) != CURLM_OK)
        return CURLE_OUT_OF_MEMORY;
    CURLcode rc = CURLE_OK;
    for (bool done = false; !done;) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(c->multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(c->multi, &left)))
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == c->curl) {
                rc = msg->data.result;
                done = true;
            }
        /* curl's own timers wake the poll; the second is a ceiling for should_stop polling. */
        if (!done &&
            (mc != CURLM_OK || curl_multi_poll(c->multi, NULL, 0, 1000, NULL) != CURLM_OK)) {
            rc = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_RECV_ERROR;
            done = true;
        }
    }
    curl_multi_remove_handle(c->multi, c->curl);
    return rc;
}

/* Runs the prepared transfer and maps its outcome to 0 or a negative errno. */
static int httpc_perform(struct httpc *c, const char *method, const char *path,
                         struct httpc_xfer *x)
{
    CURLcode rc = c->multi ? httpc_multi_perform(c) : curl_easy_perform(c->curl);
    char what[HTTPC_MAX_METHOD + 2 + 256];
    snprintf(what, sizeof(what), "%s %.256s", method, path);
    return httpc_result(c, what, x, rc);
}

int httpc_request(struct httpc *c, const char *method, const char *path, const char *const *headers,
                  const char *body, size_t body_len, struct httpc_response *ret)
{
    if (c->pulling)
        return -EBUSY; /* the easy handle is inside the multi until httpc_pull_end */
    struct httpc_xfer x = {.c = c};
    x.body.max = c->max_response;
    struct curl_slist *list = NULL;
    int r = httpc_prepare(c, method, path, headers, body, body_len, &x, c->timeout_ms, &list);
    if (r < 0)
        return r;
    r = httpc_perform(c, method, path, &x);
    curl_slist_free_all(list);
    if (r < 0) {
        strbuf_done(&x.body);
        return r;
    }

    long status = 0;
    char *ctype = NULL;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &ctype);
    _cleanup_free_ char *ctype_copy = ctype ? strdup(ctype) : NULL;
    size_t len = x.body.len;
    _cleanup_free_ char *body_out = strbuf_steal(&x.body);
    if (!body_out || (ctype && !ctype_copy))
        return -ENOMEM;
    ret->status = status;
    ret->body = TAKE_PTR(body_out);
    ret->body_len = len;
    ret->content_type = TAKE_PTR(ctype_copy);
    return 0;
}

int httpc_stream(struct httpc *c, const char *method, const char *path, const char *const *headers,
                 const char *body, size_t body_len, long timeout_ms,
                 const struct httpc_stream_callbacks *cb, void *userdata)
{
    if (c->pulling)
        return -EBUSY;
    static const struct httpc_stream_callbacks none = {0};
    struct httpc_xfer x = {.c = c, .cb = cb ? cb : &none, .userdata = userdata};
    x.hdr.max = HTTPC_MAX_HEADER_BYTES;
    struct curl_slist *list = NULL;
    int r = httpc_prepare(c, method, path, headers, body, body_len, &x,
                          timeout_ms > 0 ? timeout_ms : 0, &list);
    if (r < 0)
        return r;
    r = httpc_perform(c, method, path, &x);
    curl_slist_free_all(list);
    strbuf_done(&x.hdr);
    return r;
}

/* Picks up the end of the transfer, if curl reports it. */
static void httpc_pull_collect(struct httpc_pull *p)
{
    int left;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(p->c->multi, &left))) {
        if (msg->msg != CURLMSG_DONE || msg->easy_handle != p->c->curl)
            continue;
        p->finished = true;
        p->result = p->nomem ? -ENOMEM : httpc_result(p->c, p->what, &p->x, msg->data.result);
    }
}

static bool httpc_pull_has_headers(const struct httpc_pull *p)
{
    return p->x.headers_done;
}

static bool httpc_pull_has_data(const struct httpc_pull *p)
{
    return p->len > p->off;
}

/* Runs the transfer until ready(p), its end, timeout_ms, or p->cancel_fd turning readable.
 * Returns 0, -ETIMEDOUT or -ECANCELED. */
static int httpc_pull_drive(struct httpc_pull *p, bool (*ready)(const struct httpc_pull *),
                            long timeout_ms)
{
    int64_t deadline = time_mono_ms() + timeout_ms;
    for (;;) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(p->c->multi, &running);
        if (mc != CURLM_OK) {
            httpc_set_error(p->c, "%s: %s", p->what, curl_multi_strerror(mc));
            p->finished = true;
            p->result = mc == CURLM_OUT_OF_MEMORY ? -ENOMEM : -EIO;
            return 0;
        }
        httpc_pull_collect(p);
        if (p->finished || ready(p))
            return 0;
        int64_t left = deadline - time_mono_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        /* Returns early when a socket is ready, one of curl's own timers is due, or the
         * caller's cancel descriptor is readable. */
        struct curl_waitfd cancel = {.fd = p->cancel_fd, .events = CURL_WAIT_POLLIN};
        unsigned n_extra = p->cancel_fd >= 0 ? 1 : 0;
        mc = curl_multi_poll(p->c->multi, n_extra ? &cancel : NULL, n_extra,
                             left > INT_MAX ? INT_MAX : (int)left, NULL);
        if (mc != CURLM_OK) {
            httpc_set_error(p->c, "%s: %s", p->what, curl_multi_strerror(mc));
            p->finished = true;
            p->result = -EIO;
            return 0;
        }
        if (n_extra && (cancel.revents & CURL_WAIT_POLLIN))
            return -ECANCELED;
    }
}

/* Points p->headers into the collected "name\0value\0" pairs, which no longer change. */
static void httpc_pull_index_headers(struct httpc_pull *p)
{
    size_t n = p->x.n_hdr; /* at most HTTPC_MAX_HEADERS (httpc_on_header) */
    const char *s = strbuf_str(&p->x.hdr);
    for (size_t i = 0; i < n; i++) {
        p->headers[i].name = s;
        s += strlen(s) + 1;
        p->headers[i].value = s;
        s += strlen(s) + 1;
        int64_t len;
        if (strcasecmp(p->headers[i].name, "Content-Length") == 0 &&
            parse_int64(p->headers[i].value, 0, INT64_MAX, &len) == 0)
            p->content_length = len;
    }
    p->n_headers = n;
}

/* Appends the first len bytes of s to out at *pos, within size (NUL-terminated). */
static void httpc_put(char *out, size_t size, size_t *pos, const char *s, size_t len)
{
    if (len > size - 1 - *pos)
        len = size - 1 - *pos;
    memcpy(out + *pos, s, len);
    *pos += len;
    out[*pos] = '\0';
}

int httpc_pull_begin(struct httpc *c, const char *method, const char *path,
                     const char *const *headers, const char *body, size_t body_len, long timeout_ms,
                     struct httpc_pull **ret)
{
    if (c->pulling)
        return -EBUSY;
    /* Reset, keeping the buffers of the last pull (no allocation per request). */
    struct httpc_pull *p = &c->pull;
    struct strbuf hdr = p->x.hdr;
    char *buf = p->buf;
    size_t cap = p->cap;
    memset(p, 0, offsetof(struct httpc_pull, headers));
    p->c = c;
    p->x.c = c;
    p->x.pull = p;
    p->x.hdr = hdr;
    strbuf_reset(&p->x.hdr);
    p->x.hdr.max = HTTPC_MAX_HEADER_BYTES;
    p->buf = buf;
    p->cap = cap;
    p->n_headers = 0;
    p->content_length = -1;
    p->timeout_ms = timeout_ms > 0 ? timeout_ms : c->timeout_ms;
    p->cancel_fd = -1;
    size_t pos = 0;
    p->what[0] = '\0';
    if (method && path) {
        httpc_put(p->what, sizeof(p->what), &pos, method, strnlen(method, HTTPC_MAX_METHOD + 1));
        httpc_put(p->what, sizeof(p->what), &pos, " ", 1);
        httpc_put(p->what, sizeof(p->what), &pos, path, strnlen(path, 256));
    }
    /* No total timeout for curl: each wait of begin and read is bounded instead, so a long
     * body that keeps flowing is not cut. */
    int r = httpc_prepare(c, method, path, headers, body, body_len, &p->x, 0, &p->list);
    if (r < 0)
        return r;
    if (!c->multi && !(c->multi = curl_multi_init())) {
        curl_slist_free_all(p->list);
        p->list = NULL;
        return -ENOMEM;
    }
    CURLMcode mc = curl_multi_add_handle(c->multi, c->curl);
    if (mc != CURLM_OK) {
        httpc_set_error(c, "%s: %s", p->what, curl_multi_strerror(mc));
        curl_slist_free_all(p->list);
        p->list = NULL;
        return mc == CURLM_OUT_OF_MEMORY ? -ENOMEM : -EIO;
    }
    c->pulling = true;

    r = httpc_pull_drive(p, httpc_pull_has_headers, p->timeout_ms);
    if (r == -ETIMEDOUT) {
        httpc_set_error(c, "%s: no response headers within %ld ms", p->what, p->timeout_ms);
        log_debug("httpc: %s", c->last_error);
    } else if (!p->x.headers_done) {
        /* Ended without a response: the error of the transfer, or a response cut short. */
        r = p->result < 0 ? p->result : -EIO;
    } else {
        httpc_pull_index_headers(p);
    }
    if (r < 0) {
        httpc_pull_end(p);
        return r;
    }
    *ret = p;
    return 0;
}

long httpc_pull_status(const struct httpc_pull *p)
{
    return p->x.status;
}

const struct httpc_header *httpc_pull_headers(const struct httpc_pull *p, size_t *ret_n)
{
    *ret_n = p->n_headers;
    return p->headers;
}

long long httpc_pull_content_length(const struct httpc_pull *p)
{
    return p->content_length;
}

bool httpc_pull_finished(const struct httpc_pull *p)
{
    return p->finished;
}

size_t httpc_pull_buffered(const struct httpc_pull *p)
{
    return p->len - p->off;
}

void httpc_pull_set_timeout(struct httpc_pull *p, long timeout_ms)
{
    p->timeout_ms = timeout_ms > 0 ? timeout_ms : p->c->timeout_ms;
}

void httpc_pull_set_cancel_fd(struct httpc_pull *p, int fd)
{
    p->cancel_fd = fd >= 0 ? fd : -1;
}

ssize_t httpc_pull_read(struct httpc_pull *p, char *buf, size_t max)
{
    if (max == 0)
        return -EINVAL;
    if (!httpc_pull_has_data(p) && !p->finished) {
        if (p->paused) {
            /* Hands the piece curl kept back to the write callback, then reads on. */
            p->paused = false;
            CURLcode rc = curl_easy_pause(p->c->curl, CURLPAUSE_CONT);
            if (rc != CURLE_OK) {
                p->finished = true;
                p->result = p->nomem ? -ENOMEM : httpc_result(p->c, p->what, &p->x, rc);
            }
        }
        int r = 0;
        if (!httpc_pull_has_data(p) && !p->finished)
            r = httpc_pull_drive(p, httpc_pull_has_data, p->timeout_ms);
        if (r == -ETIMEDOUT)
            httpc_set_error(p->c, "%s: no data within %ld ms", p->what, p->timeout_ms);
        else if (r == -ECANCELED)
            httpc_set_error(p->c, "%s: wait cancelled", p->what);
        if (r < 0)
            return r;
    }
    size_t n = p->len - p->off;
    if (n == 0)
        return p->result; /* finished: 0 at the end, or the error, on every call */
    if (n > max)
        n = max;
    memcpy(buf, p->buf + p->off, n);
    p->off += n;
    if (p->off == p->len)
        p->off = p->len = 0;
    return (ssize_t)n;
}

void httpc_pull_end(struct httpc_pull *p)
{
    if (!p)
        return;
    /* curl closes the connection of a transfer removed before its end, and caches it
     * otherwise. The header list must outlive the handle's time in the multi. */
    curl_multi_remove_handle(p->c->multi, p->c->curl);
    p->c->pulling = false;
    curl_slist_free_all(p->list);
    p->list = NULL;
    /* A small buffer stays for the next pull; a big one is not worth keeping idle. */
    if (p->cap > HTTPC_PULL_KEEP_BYTES) {
        free(p->buf);
        p->buf = NULL;
        p->cap = 0;
    }
    p->off = p->len = 0;
}
