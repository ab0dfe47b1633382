/* pop-vim-driver: the Open Baton VIM driver plugin of the Pop, over RabbitMQ, answering from
 * popd-rest. Usage: pop-vim-driver [-verbose] [-config FILE] (service_main). */
#include "config.h"
#include "core/cleanup.h"
#include "core/metrics.h"
#include "core/service.h"
#include "http/request.h"
#include "http/server.h"
#include "plugin.h"
#include "vimd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifndef VIMD_VERSION
#define VIMD_VERSION "dev"
#endif

/* How long a stop lets the requests being handled finish before they go back to the queue. */
#define VIMD_DRAIN_MS 10000

struct vimd_service {
    struct metrics *metrics;
    struct vimd *core;
    struct vimd_plugin *plugin;
    struct http_server *http;
};

/* 200 while serving the plugin queue, 503 while registering or connecting; the body says
 * which, and the broker's or the NFVO's last words. */
static void handle_healthz(struct http_request *req, void *userdata)
{
    struct vimd_service *s = userdata;
    bool serving = false;
    json_t *p = vimd_plugin_health(s->plugin, &serving);
    json_t *body = p ? json_pack("{s:s, s:s, s:o}", "status", serving ? "ok" : "unavailable",
                                 "service", "pop-vim-driver", "plugin", p)
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

static void vimd_service_stop(void *state)
{
    struct vimd_service *s = state;
    /* The plugin first: its handlers use the core; /healthz reads the plugin. */
    http_server_stop(s->http);
    vimd_plugin_stop(s->plugin, VIMD_DRAIN_MS);
    vimd_free(s->core);
    metrics_free(s->metrics);
    free(s);
}

static int vimd_service_start(void *cfgp, struct service_started *ret, struct pop_error *err)
{
    const struct vimd_config *cfg = cfgp;
    struct vimd_service *s = calloc(1, sizeof(*s));
    if (!s)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    int r = metrics_new(&s->metrics);
    if (r < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "out of memory");
        goto fail;
    }
    struct vimd_options o;
    vimd_config_options(cfg, &o);
    o.metrics = s->metrics;
    if ((r = vimd_new(&o, &s->core, err)) < 0)
        goto fail;
    struct http_server_config hc = {
        .bind_addr = cfg->http_listen,
        .port = (uint16_t)cfg->http_port,
        .conn_limit = 16,
        .routes = routes,
        .n_routes = ARRAY_SIZE(routes),
        .userdata = s,
        .server_name = "pop-vim-driver",
        .metrics = s->metrics,
    };
    /* The plugin before the port: /healthz reads it. It does not wait for the broker. */
    if ((r = vimd_plugin_start(cfg, s->core, s->metrics, &s->plugin, err)) < 0)
        goto fail;
    if ((r = http_server_start(&hc, &s->http)) < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot listen on %s:%lld: %s",
                      cfg->http_listen, (long long)cfg->http_port, strerror(-r));
        goto fail;
    }
    snprintf(ret->ready_on, sizeof(ret->ready_on), "http://%s:%u (plugin %s, broker %s:%lld)",
             cfg->http_listen, http_server_port(s->http), vimd_plugin_id(s->plugin),
             cfg->broker_host, (long long)cfg->broker_port);
    ret->state = s;
    return 0;
fail:
    vimd_service_stop(s);
    return r;
}

int main(int argc, char **argv)
{
    struct service_def def = {
        .name = "pop-vim-driver",
        .version = VIMD_VERSION,
        .summary = "serve the Pop's VIM driver plugin on RabbitMQ",
        .env_prefix = "VIMD_",
        .cfg_size = sizeof(struct vimd_config),
        .check_config = vimd_config_check,
        .start = vimd_service_start,
        .stop = vimd_service_stop,
    };
    def.fields = vimd_config_fields(&def.n_fields);
    return service_main(&def, argc, argv);
}
