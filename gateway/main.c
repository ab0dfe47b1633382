/* pop-gateway: the HTTP front door. On service_main: loads GATEWAY_* settings, serves until
 * SIGTERM/SIGINT, then drains in-flight requests and exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/service.h"
#include "gateway.h"
#include "http/server.h"

#define GW_PEM_MAX (1024 * 1024)

/* Reads a whole PEM file (capped) into a malloc'ed string. Returns 0 or -errno. */
static int read_pem(const char *path, char **ret)
{
    _cleanup_fclose_ FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    _cleanup_free_ char *buf = malloc(GW_PEM_MAX + 1);
    if (!buf)
        return -ENOMEM;
    size_t n = fread(buf, 1, GW_PEM_MAX + 1, f);
    if (ferror(f))
        return -EIO;
    if (n > GW_PEM_MAX)
        return -EFBIG;
    buf[n] = '\0';
    *ret = TAKE_PTR(buf);
    return 0;
}

/* What start hands to stop. The PEM text stays with it for the server's lifetime. */
struct gw_service {
    struct gateway gw;
    struct http_server *srv;
    char *cert, *key;
    int64_t drain_ms;
};

static void gw_service_stop(void *state)
{
    struct gw_service *s = state;
    /* Streams still running when the server's drain period ends are cut. */
    if (s->srv)
        gateway_begin_stop(&s->gw, s->drain_ms);
    http_server_stop(s->srv);
    gateway_done(&s->gw);
    free(s->cert);
    free(s->key);
    free(s);
}

static int gw_service_start(void *cfgp, struct service_started *ret, struct pop_error *err)
{
    const struct gw_config *cfg = cfgp;
    struct gw_service *s = calloc(1, sizeof(*s));
    if (!s)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    s->drain_ms = cfg->conn_timeout_s * 1000;
    char why[256] = "";
    int r = gateway_init(&s->gw, cfg, why, sizeof(why));
    if (r < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "%s", why[0] ? why : "out of memory");
        goto fail;
    }
    if (cfg->tls_cert[0]) {
        r = read_pem(cfg->tls_cert, &s->cert);
        if (r == 0)
            r = read_pem(cfg->tls_key, &s->key);
        if (r < 0) {
            pop_error_set(err, r, API_ERROR_COUNT, NULL,
                          "cannot read GATEWAY_TLS_CERT/GATEWAY_TLS_KEY: %s", strerror(-r));
            goto fail;
        }
    }
    for (size_t i = 0; i < s->gw.routes.n; i++)
        log_info("route %s -> %s", s->gw.routes.v[i].prefix, s->gw.routes.v[i].url);

    size_t n_routes;
    const struct http_route *routes = gateway_http_routes(&n_routes);
    struct http_server_config hc = {
        .bind_addr = cfg->listen,
        .port = (uint16_t)cfg->port,
        .conn_limit = (unsigned)cfg->conn_limit,
        .conn_timeout_s = (unsigned)cfg->conn_timeout_s,
        .body_max = cfg->body_max,
        .header_max = cfg->header_max,
        .routes = routes,
        .n_routes = n_routes,
        .userdata = &s->gw,
        /* The gateway writes its own access line, which names the upstream. */
        .access_log = false,
        .tls_cert_pem = s->cert,
        .tls_key_pem = s->key,
        .metrics = s->gw.metrics,
    };
    r = http_server_start(&hc, &s->srv);
    if (r < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot listen on %s:%lld: %s", cfg->listen,
                      (long long)cfg->port, strerror(-r));
        goto fail;
    }
    snprintf(ret->ready_on, sizeof(ret->ready_on), "%s://%s:%u", s->cert ? "https" : "http",
             cfg->listen, http_server_port(s->srv));
    ret->state = s;
    return 0;
fail:
    gw_service_stop(s);
    return r;
}

int main(int argc, char **argv)
{
    struct service_def def = {
        .name = "pop-gateway",
        .summary = "serve the HTTP front door",
        .env_prefix = "GATEWAY_",
        .cfg_size = sizeof(struct gw_config),
        .check_config = gw_config_check,
        .start = gw_service_start,
        .stop = gw_service_stop,
    };
    def.fields = gw_config_fields(&def.n_fields);
    return service_main(&def, argc, argv);
}
