/* pop-gateway: the HTTP front door. Loads GATEWAY_* settings, serves until SIGTERM/SIGINT,
 * then drains in-flight requests and exits. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/signals.h"
#include "gateway.h"
#include "http/server.h"

#define GW_PEM_MAX (1024 * 1024)

static void usage(FILE *f)
{
    fprintf(f, "usage: pop-gateway [-verbose] [-config FILE]\n"
               "Settings come from GATEWAY_* environment variables (see gateway/README.md),\n"
               "optionally from FILE (KEY=VALUE lines), the environment winning.\n");
}

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

static int serve(const char *config_file, bool verbose)
{
    if (verbose)
        log_set_level(LOG_DEBUG);
    struct gw_config cfg = {0};
    struct gateway gw = {0};
    struct http_server *srv = NULL;
    _cleanup_free_ char *cert = NULL, *key = NULL;
    char err[256] = "";
    int status = 1;

    if (gw_config_load(&cfg, config_file, err, sizeof(err)) < 0) {
        log_error("config: %s", err);
        goto out;
    }
    gw_config_log(&cfg);
    if (gateway_init(&gw, &cfg, err, sizeof(err)) < 0) {
        log_error("config: %s", err[0] ? err : "out of memory");
        goto out;
    }
    if (cfg.tls_cert[0]) {
        int r = read_pem(cfg.tls_cert, &cert);
        if (r == 0)
            r = read_pem(cfg.tls_key, &key);
        if (r < 0) {
            log_error("config: cannot read GATEWAY_TLS_CERT/GATEWAY_TLS_KEY: %s", strerror(-r));
            goto out;
        }
    }
    for (size_t i = 0; i < gw.routes.n; i++)
        log_info("route %s -> %s", gw.routes.v[i].prefix, gw.routes.v[i].url);

    size_t n_routes;
    const struct http_route *routes = gateway_http_routes(&n_routes);
    struct http_server_config hc = {
        .bind_addr = cfg.listen,
        .port = (uint16_t)cfg.port,
        .conn_limit = (unsigned)cfg.conn_limit,
        .conn_timeout_s = (unsigned)cfg.conn_timeout_s,
        .body_max = cfg.body_max,
        .header_max = cfg.header_max,
        .routes = routes,
        .n_routes = n_routes,
        .userdata = &gw,
        /* The gateway writes its own access line, which names the upstream. */
        .access_log = false,
        .tls_cert_pem = cert,
        .tls_key_pem = key,
    };
    int r = http_server_start(&hc, &srv);
    if (r < 0) {
        log_error("start-up: cannot listen on %s:%lld: %s", cfg.listen, (long long)cfg.port,
                  strerror(-r));
        goto out;
    }
    log_info("pop-gateway ready on %s://%s:%u", cert ? "https" : "http", cfg.listen,
             http_server_port(srv));

    int sig = signals_wait_termination();
    log_info("received %s; shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    /* Streams still running when the server's drain period ends are cut. */
    gateway_begin_stop(&gw, cfg.conn_timeout_s * 1000);
    status = 0;
out:
    http_server_stop(srv);
    gateway_done(&gw);
    gw_config_done(&cfg);
    return status;
}

int main(int argc, char **argv)
{
    signals_block_termination();

    const char *config_file = NULL;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-verbose") == 0 || strcmp(argv[i], "--verbose") == 0) {
            verbose = true;
        } else if ((strcmp(argv[i], "-config") == 0 || strcmp(argv[i], "--config") == 0) &&
                   i + 1 < argc) {
            config_file = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "pop-gateway: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    return serve(config_file, verbose);
}
