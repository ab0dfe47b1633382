/* Replies: JSON, text, empty, problem+json from the API error table, and streamed bodies.
 * Each builds one MHD response, queues it and destroys it at once. */
#include "http/request.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "http/http-int.h"
#include "json/jv.h"

#define PROBLEM_TYPE_BASE "https://pop-nfv.dev/problems/"
#define DETAIL_MAX 1024
#define STREAM_BLOCK 8192

static bool header_text_ok(const char *s)
{
    return s && !strpbrk(s, "\r\n");
}

int http_reply_header(struct http_request *req, const char *name, const char *value)
{
    if (req->replied)
        return -EALREADY;
    if (!header_text_ok(name) || !name[0] || strpbrk(name, " \t:") || !header_text_ok(value))
        return -EINVAL;
    if (req->n_reply_headers == HTTP_REPLY_HEADERS_MAX)
        return -E2BIG;
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return -ENOMEM;
    }
    req->reply_headers[req->n_reply_headers++] = (struct http_header){n, v};
    return 0;
}

void http_reply_headers_free(struct http_request *req)
{
    for (size_t i = 0; i < req->n_reply_headers; i++) {
        free(req->reply_headers[i].name);
        free(req->reply_headers[i].value);
    }
    req->n_reply_headers = 0;
}

int http_queue(struct http_request *req, unsigned status, struct MHD_Response *resp)
{
    int r = 0;
    if (!resp)
        return -ENOMEM;
    if (req->replied) {
        r = -EALREADY;
        goto out;
    }
    if (status < 100 || status > 599) {
        r = -EINVAL;
        goto out;
    }
    if (MHD_add_response_header(resp, "X-Request-Id", req->id) != MHD_YES ||
        (req->srv->server_name &&
         MHD_add_response_header(resp, "Server", req->srv->server_name) != MHD_YES)) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < req->n_reply_headers; i++)
        if (MHD_add_response_header(resp, req->reply_headers[i].name,
                                    req->reply_headers[i].value) != MHD_YES) {
            log_debug("http: header %s refused", req->reply_headers[i].name);
            r = -EINVAL;
            goto out;
        }
    if (MHD_queue_response(req->conn, status, resp) != MHD_YES) {
        log_debug("http: MHD refused the %u response", status);
        r = -EIO;
        goto out;
    }
    req->replied = true;
    req->status = status;
    http_reply_headers_free(req);
out:
    MHD_destroy_response(resp);
    return r;
}

int http_reply_buffer(struct http_request *req, unsigned status, const char *content_type,
                      char *data, size_t len)
{
    /* data is malloc'ed and handed to MHD, which frees it with the response. */
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(len, data, free);
    if (!resp) {
        free(data);
        return -ENOMEM;
    }
    if (content_type && MHD_add_response_header(resp, "Content-Type", content_type) != MHD_YES) {
        MHD_destroy_response(resp);
        return -EINVAL;
    }
    int r = http_queue(req, status, resp);
    if (r == 0)
        req->bytes_sent = len;
    return r;
}

static int reply_json_typed(struct http_request *req, unsigned status, const char *content_type,
                            json_t *body)
{
    if (!body)
        return -EINVAL;
    char *text = jv_dump(body);
    json_decref(body);
    if (!text)
        return -ENOMEM;
    return http_reply_buffer(req, status, content_type, text, strlen(text));
}

int http_reply_json(struct http_request *req, unsigned status, json_t *body)
{
    if (req->replied) {
        json_decref(body);
        return -EALREADY;
    }
    return reply_json_typed(req, status, "application/json", body);
}

int http_reply_text(struct http_request *req, unsigned status, const char *content_type,
                    const char *text)
{
    if (req->replied)
        return -EALREADY;
    if (!text)
        return -EINVAL;
    char *copy = strdup(text);
    if (!copy)
        return -ENOMEM;
    return http_reply_buffer(req, status, content_type ? content_type : "text/plain; charset=utf-8",
                             copy, strlen(copy));
}

int http_reply_empty(struct http_request *req, unsigned status)
{
    if (req->replied)
        return -EALREADY;
    return http_queue(req, status,
                      MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT));
}

/* A JSON string of s; bytes that are not valid UTF-8 become '?' (json_string rejects them). */
static json_t *json_string_lossy(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    char buf[DETAIL_MAX];
    size_t i = 0;
    for (; s[i] && i < sizeof(buf) - 1; i++)
        buf[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
    buf[i] = '\0';
    return json_string(buf);
}

static int reply_error_v(struct http_request *req, enum api_error err, json_t *extra,
                         const char *detail_fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static int reply_error_v(struct http_request *req, enum api_error err, json_t *extra,
                         const char *detail_fmt, va_list ap)
{
    if (req->replied) {
        json_decref(extra);
        return -EALREADY;
    }
    char detail[DETAIL_MAX];
    if (detail_fmt)
        vsnprintf(detail, sizeof(detail), detail_fmt, ap);
    else
        snprintf(detail, sizeof(detail), "%s", api_error_title(err));

    char type[128];
    snprintf(type, sizeof(type), PROBLEM_TYPE_BASE "%s", api_error_code(err));
    json_t *body = json_object();
    if (!body || json_object_set_new(body, "type", json_string(type)) < 0 ||
        json_object_set_new(body, "title", json_string(api_error_title(err))) < 0 ||
        json_object_set_new(body, "status", json_integer(api_error_status(err))) < 0 ||
        json_object_set_new(body, "detail", json_string_lossy(detail)) < 0 ||
        json_object_set_new(body, "code", json_string(api_error_code(err))) < 0 ||
        json_object_set_new(body, "request_id", json_string(req->id)) < 0 ||
        (extra && json_is_object(extra) && json_object_update_missing(body, extra) < 0)) {
        json_decref(body);
        json_decref(extra);
        return -ENOMEM;
    }
    json_decref(extra);
    return reply_json_typed(req, api_error_status(err), "application/problem+json", body);
}

int http_reply_error(struct http_request *req, enum api_error err, const char *detail_fmt, ...)
{
    va_list ap;
    va_start(ap, detail_fmt);
    int r = reply_error_v(req, err, NULL, detail_fmt, ap);
    va_end(ap);
    return r;
}

int http_reply_error_ext(struct http_request *req, enum api_error err, json_t *extra,
                         const char *detail_fmt, ...)
{
    va_list ap;
    va_start(ap, detail_fmt);
    int r = reply_error_v(req, err, extra, detail_fmt, ap);
    va_end(ap);
    return r;
}

int http_reply_pop_error(struct http_request *req, const struct pop_error *e)
{
    json_t *extra = e->field[0] ? json_pack("{s:s}", "field", e->field) : NULL;
    if (e->field[0] && !extra)
        return -ENOMEM;
    return http_reply_error_ext(req, pop_error_api(e), extra, e->detail[0] ? "%s" : NULL,
                                e->detail);
}

struct stream {
    struct http_request *req; /* valid while MHD reads: reads end before the request completes */
    http_stream_read_fn read_cb;
    void *cls;
    void (*free_cb)(void *cls);
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *st = cls;
    log_set_request_id(st->req->id);
    ssize_t n = st->read_cb(st->cls, pos, buf, max);
    log_set_request_id(NULL);
    if (n > 0)
        st->req->bytes_sent += (uint64_t)n;
    else if (n == 0)
        n = HTTP_STREAM_ERROR; /* 0 would make MHD spin on this connection's thread */
    return n < 0 && n != HTTP_STREAM_END ? HTTP_STREAM_ERROR : n;
}

/* Called by MHD when the response is destroyed, possibly after the request completed. */
static void stream_free(void *cls)
{
    struct stream *st = cls;
    if (st->free_cb)
        st->free_cb(st->cls);
    free(st);
}

static bool hop_by_hop(const char *name)
{
    static const char *const names[] = {"Connection",     "Keep-Alive", "Transfer-Encoding",
                                        "Content-Length", "TE",         "Trailer",
                                        "Upgrade"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(name, names[i]) == 0)
            return true;
    return strncasecmp(name, "Proxy-", 6) == 0;
}

int http_reply_stream(struct http_request *req, unsigned status, const char *const *headers,
                      int64_t size, http_stream_read_fn read_cb, void *cls,
                      void (*free_cb)(void *cls))
{
    if (req->replied || !read_cb) {
        if (free_cb)
            free_cb(cls);
        return req->replied ? -EALREADY : -EINVAL;
    }
    struct stream *st = malloc(sizeof(*st));
    if (!st) {
        if (free_cb)
            free_cb(cls);
        return -ENOMEM;
    }
    *st = (struct stream){req, read_cb, cls, free_cb};
    struct MHD_Response *resp = MHD_create_response_from_callback(
        size < 0 ? MHD_SIZE_UNKNOWN : (uint64_t)size, STREAM_BLOCK, stream_read, st, stream_free);
    if (!resp) {
        stream_free(st);
        return -ENOMEM;
    }
    for (size_t i = 0; headers && headers[i] && headers[i + 1]; i += 2) {
        if (hop_by_hop(headers[i]))
            continue;
        if (!header_text_ok(headers[i]) || !header_text_ok(headers[i + 1]) ||
            MHD_add_response_header(resp, headers[i], headers[i + 1]) != MHD_YES) {
            log_debug("http: stream header %s refused", headers[i]);
            MHD_destroy_response(resp);
            return -EINVAL;
        }
    }
    return http_queue(req, status, resp);
}
