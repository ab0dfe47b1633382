/* GET /healthz (public liveness) and GET /metrics (Prometheus text). */
#include "handlers.h"

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "docker/docker.h"

#include <stdio.h>

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

void h_metrics(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    struct strbuf sb = STRBUF_INIT;
    int64_t counts[6], reserved = 0;
    int r = http_server_metrics(http_request_server(req), &sb);
    if (r == 0 && store_stats(p->store, counts, &reserved) == 0) {
        strbuf_puts(&sb, "# HELP popd_containers Pop containers by status.\n"
                         "# TYPE popd_containers gauge\n");
        for (int s = POP_CREATED; s <= POP_STOPPING; s++)
            strbuf_printf(&sb, "popd_containers{status=\"%s\"} %lld\n",
                          pop_status_name((enum pop_status)s), (long long)counts[s]);
        strbuf_printf(&sb,
                      "# HELP popd_reserved_addresses IPv4 addresses reserved on all networks.\n"
                      "# TYPE popd_reserved_addresses gauge\npopd_reserved_addresses %lld\n",
                      (long long)reserved);
        strbuf_printf(&sb,
                      "# HELP popd_engine_events_total Docker events received.\n"
                      "# TYPE popd_engine_events_total counter\npopd_engine_events_total %lld\n"
                      "# HELP popd_engine_event_reconnects_total Events stream reconnects.\n"
                      "# TYPE popd_engine_event_reconnects_total counter\n"
                      "popd_engine_event_reconnects_total %lld\n",
                      (long long)atomic_load(&p->events_seen),
                      (long long)atomic_load(&p->events_reconnects));
    }
    http_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", strbuf_str(&sb));
    strbuf_done(&sb);
}
