/* Request metrics of the server (lock-free counters) and their Prometheus text form. */
#include "http/http-int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

static const char *const method_names[HTTP_M_COUNT] = {"GET",   "HEAD",   "POST",    "PUT",
                                                       "PATCH", "DELETE", "OPTIONS", "other"};
static const char *const class_names[HTTP_STATUS_CLASSES] = {"none", "1xx", "2xx",
                                                             "3xx",  "4xx", "5xx"};

int http_metrics_init(struct http_metrics *m, size_t n_routes)
{
    m->n_buckets = n_routes + 1;
    m->requests = calloc(m->n_buckets * HTTP_M_COUNT * HTTP_STATUS_CLASSES, sizeof(*m->requests));
    m->duration_us = calloc(m->n_buckets, sizeof(*m->duration_us));
    m->duration_n = calloc(m->n_buckets, sizeof(*m->duration_n));
    atomic_init(&m->in_flight, 0);
    if (!m->requests || !m->duration_us || !m->duration_n) {
        http_metrics_done(m);
        return -ENOMEM;
    }
    return 0;
}

void http_metrics_done(struct http_metrics *m)
{
    free(m->requests);
    free(m->duration_us);
    free(m->duration_n);
    m->requests = NULL;
    m->duration_us = NULL;
    m->duration_n = NULL;
}

void http_metrics_record(struct http_metrics *m, size_t bucket, const char *method, unsigned status,
                         uint64_t duration_us)
{
    if (bucket >= m->n_buckets)
        bucket = m->n_buckets - 1;
    size_t cls = status >= 100 && status <= 599 ? status / 100 : 0;
    size_t mc = method ? http_method_class(method) : HTTP_M_OTHER;
    atomic_fetch_add(&m->requests[(bucket * HTTP_M_COUNT + mc) * HTTP_STATUS_CLASSES + cls], 1);
    atomic_fetch_add(&m->duration_us[bucket], duration_us);
    atomic_fetch_add(&m->duration_n[bucket], 1);
}

/* Prometheus label value: backslash, quote and newline escaped. */
static int put_label(struct strbuf *out, const char *v)
{
    for (; *v; v++) {
        int r;
        if (*v == '\\' || *v == '"')
            r = strbuf_printf(out, "\\%c", *v);
        else if (*v == '\n')
            r = strbuf_puts(out, "\\n");
        else
            r = strbuf_append(out, v, 1);
        if (r < 0)
            return r;
    }
    return 0;
}

static const char *bucket_route(const struct http_server *srv, size_t b)
{
    return b < srv->n_routes ? srv->routes[b].pattern : "unmatched";
}

int http_server_metrics(const struct http_server *srv, struct strbuf *out)
{
    const struct http_metrics *m = &srv->metrics;
    int r = strbuf_puts(out, "# HELP http_requests_total HTTP requests completed, by route "
                             "pattern, method and status class.\n"
                             "# TYPE http_requests_total counter\n");
    for (size_t b = 0; r >= 0 && b < m->n_buckets; b++)
        for (size_t mc = 0; r >= 0 && mc < HTTP_M_COUNT; mc++)
            for (size_t c = 0; r >= 0 && c < HTTP_STATUS_CLASSES; c++) {
                uint64_t v =
                    atomic_load(&m->requests[(b * HTTP_M_COUNT + mc) * HTTP_STATUS_CLASSES + c]);
                if (v == 0)
                    continue;
                r = strbuf_puts(out, "http_requests_total{route=\"");
                if (r >= 0)
                    r = put_label(out, bucket_route(srv, b));
                if (r >= 0)
                    r = strbuf_printf(out, "\",method=\"%s\",status=\"%s\"} %llu\n",
                                      method_names[mc], class_names[c], (unsigned long long)v);
            }
    if (r >= 0)
        r = strbuf_printf(out,
                          "# HELP http_requests_in_flight HTTP requests being served.\n"
                          "# TYPE http_requests_in_flight gauge\n"
                          "http_requests_in_flight %lld\n"
                          "# HELP http_request_duration_seconds Time from request line to "
                          "last byte sent, by route pattern.\n"
                          "# TYPE http_request_duration_seconds summary\n",
                          (long long)atomic_load(&m->in_flight));
    for (size_t b = 0; r >= 0 && b < m->n_buckets; b++) {
        uint64_t n = atomic_load(&m->duration_n[b]);
        if (n == 0)
            continue;
        uint64_t us = atomic_load(&m->duration_us[b]);
        for (int k = 0; r >= 0 && k < 2; k++) {
            r = strbuf_printf(out, "http_request_duration_seconds_%s{route=\"",
                              k == 0 ? "sum" : "count");
            if (r >= 0)
                r = put_label(out, bucket_route(srv, b));
            if (r >= 0 && k == 0)
                r = strbuf_printf(out, "\"} %llu.%06llu\n", (unsigned long long)(us / 1000000),
                                  (unsigned long long)(us % 1000000));
            else if (r >= 0)
                r = strbuf_printf(out, "\"} %llu\n", (unsigned long long)n);
        }
    }
    return r < 0 ? r : 0;
}
