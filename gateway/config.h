/* pop-gateway settings: the struct filled from the GATEWAY_* environment (and an optional file)
 * by a declarative table. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct gw_config {
    char *listen;
    int64_t port;
    char *routes;      /* "PREFIX=URL[;health=PATH],..." parsed by gw_routes_parse */
    char *nfvo_url;    /* pop-nfvo's origin: /api/ and /oauth/ go there; "" = not set up */
    char *health_path; /* default health path of an upstream */
    uint64_t body_max;
    uint64_t header_max;
    int64_t conn_limit;
    int64_t conn_timeout_s;
    int64_t upstream_timeout_s;
    char *login_rate; /* "N/PERIOD", parsed by gw_ratelimit_parse */
    char *tls_cert;   /* file names */
    char *tls_key;
};

struct config_field;

/* The settings table (for service_main) and the rule across settings checked after loading:
 * GATEWAY_TLS_CERT and GATEWAY_TLS_KEY come together. */
const struct config_field *gw_config_fields(size_t *ret_n);
int gw_config_check(const void *cfg, char *why, size_t n);
