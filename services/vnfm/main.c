/* pop-vnfm: the Open Baton NFVO 6 VNF manager of the Pop, over RabbitMQ, driving Pop containers
 * through the VIM driver's mgmt methods. Usage: pop-vnfm [-verbose] [-config FILE]
 * (service_main). */
#include "config.h"
#include "core/cleanup.h"
#include "core/metrics.h"
#include "core/service.h"
#include "http/request.h"
#include "http/server.h"
#include "vims.h"
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifndef VNFM_VERSION
#define VNFM_VERSION "dev"
#endif

/* How long a stop lets the requests being handled finish before they go back to the queue. */
#define VNFM_DRAIN_MS 10000

struct vnfm_service {
    struct metrics *metrics;
    struct vnfm_vims *vims;
    struct vnfm_wire *wire;
    struct http_server *http;
};

/* 200 while serving the endpoint queue, 503 while registering or connecting; the body says
 * which, and the broker's or the NFVO's last words. */
static void handle_healthz(struct http_request *req, void *userdata)
{
    struct vnfm_service *s = userdata;
    bool serving = false;
    size_t in_file = 0, seen = 0;
    vnfm_vims_count(s->vims, &in_file, &seen);
    json_t *v = vnfm_wire_health(s->wire, &serving);
    json_t *body = v ? json_pack("{s:s, s:s, s:o, s:{s:I, s:I}}", "status",
                                 serving ? "ok" : "unavailable", "service", "pop-vnfm", "vnfm", v,
                                 "vims", "file", (json_int_t)in_file, "seen", (json_int_t)seen)
                     : NULL;
    if (!body) {
        http_reply_error(req, API_INTERNAL, "out of memory");
        return;
    }
    http_reply_json(req, serving ? 200 : 503, body);
}

static const struct http_route routes[] = {
    {"GET", "/healthz", handle_healthz, HTTP_ROUTE_PUBLIC},
    {"GET", "/metrics", http_handle_metrics, HTTP_ROUTE_PUBLIC},
};

static void vnfm_service_stop(void *state)
{
    struct vnfm_service *s = state;
    /* The port first (/healthz reads the wiring), then the wiring (its handlers use vims). */
    http_server_stop(s->http);
    vnfm_wire_stop(s->wire, VNFM_DRAIN_MS);
    vnfm_vims_free(s->vims);
    metrics_free(s->metrics);
    free(s);
}

static int vnfm_service_start(void *cfgp, struct service_started *ret, struct pop_error *err)
{
    const struct vnfm_config *cfg = cfgp;
    struct vnfm_service *s = calloc(1, sizeof(*s));
    if (!s)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    int r = metrics_new(&s->metrics);
    if (r < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "out of memory");
        goto fail;
    }
    if ((r = vnfm_vims_new(cfg->vims_file, &s->vims, err)) < 0)
        goto fail;
    struct http_server_config hc = {
        .bind_addr = cfg->http_listen,
        .port = (uint16_t)cfg->http_port,
        .conn_limit = 16,
        .routes = routes,
        .n_routes = ARRAY_SIZE(routes),
        .userdata = s,
        .server_name = "pop-vnfm",
        .metrics = s->metrics,
    };
    /* The wiring before the port: /healthz reads it. It does not wait for the broker. */
    if ((r = vnfm_wire_start(cfg, s->vims, s->metrics, &s->wire, err)) < 0)
        goto fail;
    if ((r = http_server_start(&hc, &s->http)) < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot listen on %s:%lld: %s",
                      cfg->http_listen, (long long)cfg->http_port, strerror(-r));
        goto fail;
    }
    snprintf(ret->ready_on, sizeof(ret->ready_on),
             "http://%s:%u (VNFM %s, endpoint %s, broker %s:%lld)", cfg->http_listen,
             http_server_port(s->http), cfg->type, vnfm_config_endpoint(cfg), cfg->broker_host,
             (long long)cfg->broker_port);
    ret->state = s;
    return 0;
fail:
    vnfm_service_stop(s);
    return r;
}

int main(int argc, char **argv)
{
    struct service_def def = {
        .name = "pop-vnfm",
        .version = VNFM_VERSION,
        .summary = "serve the Pop's VNF manager on RabbitMQ",
        .env_prefix = "VNFM_",
        .cfg_size = sizeof(struct vnfm_config),
        .check_config = vnfm_config_check,
        .start = vnfm_service_start,
        .stop = vnfm_service_stop,
    };
    def.fields = vnfm_config_fields(&def.n_fields);
    return service_main(&def, argc, argv);
}
