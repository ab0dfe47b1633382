/* The server's own metric families in a core/metrics registry, and the /metrics handler that
 * renders the whole registry (every family of the service, not only the server's). */
#include "http/http-int.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/metrics.h"
#include "core/strbuf.h"
#include "http/request.h"

static const char *const method_names[HTTP_M_COUNT] = {"GET",   "HEAD",   "POST",    "PUT",
                                                       "PATCH", "DELETE", "OPTIONS", "other"};
static const char *const class_names[HTTP_STATUS_CLASSES] = {"none", "1xx", "2xx",
                                                             "3xx",  "4xx", "5xx"};

unsigned http_status_class(unsigned status)
{
    return status >= 100 && status <= 599 ? status / 100 : 0;
}

const char *http_status_class_name(unsigned cls)
{
    return cls < HTTP_STATUS_CLASSES ? class_names[cls] : class_names[0];
}

int http_metrics_init(struct http_metrics *hm, struct metrics *registry, size_t n_routes)
{
    int r = 0;
    if (!registry) {
        r = metrics_new(&hm->registry);
        if (r < 0)
            return r;
        hm->owned = true;
    } else {
        hm->registry = registry;
    }
    atomic_init(&hm->in_flight, 0);
    /* Every label is a server-side bucket (route pattern or "unmatched", method bucket, status
     * class), so the caps below are exact and no request can reach the overflow series. */
    size_t buckets = n_routes + 1;
    static const char *const request_labels[] = {"route", "method", "status", NULL};
    static const char *const route_label[] = {"route", NULL};
    const struct metric_def requests = {
        .type = METRIC_COUNTER,
        .name = "http_requests_total",
        .help = "HTTP requests completed, by route pattern, method and status class.",
        .labels = request_labels,
        .max_series = buckets * HTTP_M_COUNT * HTTP_STATUS_CLASSES,
    };
    const struct metric_def in_flight = {
        .type = METRIC_GAUGE,
        .name = "http_requests_in_flight",
        .help = "HTTP requests being served.",
    };
    const struct metric_def duration = {
        .type = METRIC_SUMMARY,
        .name = "http_request_duration_seconds",
        .help = "Time from request line to last byte sent, by route pattern.",
        .labels = route_label,
        .max_series = buckets,
    };
    r = metrics_register(hm->registry, &requests, &hm->requests);
    if (r == 0)
        r = metrics_register(hm->registry, &in_flight, &hm->in_flight_gauge);
    if (r == 0)
        r = metrics_register(hm->registry, &duration, &hm->duration);
    if (r < 0)
        http_metrics_done(hm);
    return r;
}

void http_metrics_done(struct http_metrics *hm)
{
    if (hm->owned)
        metrics_free(hm->registry);
    hm->registry = NULL;
    hm->owned = false;
    hm->requests = hm->in_flight_gauge = hm->duration = NULL;
}

void http_metrics_begin(struct http_metrics *hm)
{
    atomic_fetch_add(&hm->in_flight, 1);
    metric_add(hm->in_flight_gauge, NULL, 1);
}

void http_metrics_end(struct http_metrics *hm, const char *route, const char *method,
                      unsigned status, uint64_t duration_us)
{
    size_t mc = method ? http_method_class(method) : HTTP_M_OTHER;
    const char *const labels[] = {route, method_names[mc], class_names[http_status_class(status)]};
    metric_add(hm->requests, labels, 1);
    metric_observe_us(hm->duration, (const char *const[]){route}, duration_us);
    metric_sub(hm->in_flight_gauge, NULL, 1);
    atomic_fetch_sub(&hm->in_flight, 1);
}

struct metrics *http_server_registry(const struct http_server *srv)
{
    return srv->metrics.registry;
}

int http_reply_metrics(struct http_request *req)
{
    struct strbuf sb = STRBUF_INIT;
    sb.max = HTTP_METRICS_PAGE_MAX;
    int r = metrics_render(req->srv->metrics.registry, &sb);
    if (r < 0) {
        strbuf_done(&sb);
        /* A partial page would read as counters that went down, or families that vanished. */
        log_debug("http: cannot render the metrics: %s", strerror(-r));
        http_reply_error(req, API_INTERNAL, "cannot render the metrics (%s)", strerror(-r));
        return r;
    }
    size_t len = sb.len;
    char *page = strbuf_steal(&sb);
    if (!page) {
        http_reply_error(req, API_INTERNAL, "out of memory");
        return -ENOMEM;
    }
    r = http_reply_buffer(req, 200, HTTP_METRICS_CONTENT_TYPE, page, len);
    return r < 0 ? r : (int)len;
}

void http_handle_metrics(struct http_request *req, void *userdata)
{
    (void)userdata;
    http_reply_metrics(req);
}
