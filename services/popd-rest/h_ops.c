/* GET /healthz (public liveness), and the families GET /metrics shows besides lib/http's (the
 * route itself is lib/http's http_handle_metrics over p->metrics). */
#include "handlers.h"

#include "core/log.h"
#include "core/metrics.h"
#include "core/timeutil.h"
#include "docker/docker.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void h_healthz(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    struct docker_client *dc = NULL;
    bool engine = popd_docker_acquire(p, &dc) == 0 && docker_ping(dc) == 0;
    popd_docker_release(p, dc);
    json_t *body = json_pack("{s:s, s:s, s:I}", "status", engine ? "ok" : "degraded", "engine",
                             engine ? "ok" : "unreachable", "uptime_s",
                             (json_int_t)(time_now_s() - p->started_at));
    http_reply_json(req, engine ? 200 : 503, body);
}

/* At scrape time: the container and reservation counts straight from the store. A store that
 * cannot answer fails the scrape (500) rather than leave the families out of a 200 page. */
static int collect_store(struct metrics *m, void *ud)
{
    (void)m;
    struct popd *p = ud;
    int64_t counts[POP_STATUS_COUNT], reserved = 0;
    int r = store_stats(p->store, counts, &reserved);
    if (r < 0) {
        log_error("metrics: cannot read the container counts: %s", strerror(-r));
        return r;
    }
    for (int s = POP_CREATED; s <= POP_STOPPING; s++)
        metric_set(p->m_containers, (const char *const[]){pop_status_name((enum pop_status)s)},
                   counts[s]);
    metric_set(p->m_reserved, NULL, reserved);
    return 0;
}

int popd_metrics_init(struct popd *p)
{
    static const char *const status_label[] = {"status", NULL};
    int r = metrics_new(&p->metrics);
    if (r == 0)
        r = metrics_gauge(p->metrics, "popd_containers", "Pop containers by status.", status_label,
                          &p->m_containers);
    if (r == 0)
        r = metrics_gauge(p->metrics, "popd_reserved_addresses",
                          "IPv4 addresses reserved on all networks.", NULL, &p->m_reserved);
    if (r == 0)
        r = metrics_counter(p->metrics, "popd_engine_events_total", "Docker events received.", NULL,
                            &p->m_events);
    if (r == 0)
        r = metrics_counter(p->metrics, "popd_engine_event_reconnects_total",
                            "Events stream reconnects.", NULL, &p->m_events_reconnect);
    if (r == 0)
        r = metrics_on_collect(p->metrics, collect_store, p);
    return r;
}
