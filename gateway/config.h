/* pop-gateway settings: the struct filled from the GATEWAY_* environment (and an optional file)
 * by a declarative table. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct gw_config {
    char *listen;
    int64_t port;
    char *routes;      /* "PREFIX=URL[;health=PATH],..." parsed by gw_routes_parse */
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

/* Loads cfg from file_path (may be NULL) and the environment. Returns 0 or a negative errno
 * with a message naming the variable in err; call gw_config_done in both cases. */
int gw_config_load(struct gw_config *cfg, const char *file_path, char *err, size_t errlen);

/* Logs the effective settings at info. */
void gw_config_log(const struct gw_config *cfg);

/* Frees the strings of cfg. Accepts a zeroed cfg. */
void gw_config_done(struct gw_config *cfg);
