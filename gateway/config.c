/* The declarative table of pop-gateway settings (GATEWAY_*), with validators for the values
 * whose syntax is the gateway's own (routes, login rate). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "ratelimit.h"
#include "routes.h"

static const char *check_routes(const char *v)
{
    static _Thread_local char why[160];
    struct gw_routes routes = {0};
    int r = gw_routes_parse(v, "/healthz", &routes, why, sizeof(why));
    gw_routes_done(&routes);
    return r < 0 ? why : NULL;
}

static const char *check_rate(const char *v)
{
    unsigned count, period;
    return gw_ratelimit_parse(v, &count, &period) < 0
               ? "must be N/s, N/m or N/h (N per period; 0 disables)"
               : NULL;
}

static const char *check_abs_path(const char *v)
{
    return v[0] == '/' && !strpbrk(v, " \t\r\n?#") ? NULL : "must be a path starting with '/'";
}

#define STR(var, member, def, check, help)                                                         \
    {                                                                                              \
        var, CONFIG_STRING, offsetof(struct gw_config, member), def, false, false, 0, 0, check,    \
            help                                                                                   \
    }
#define INT(var, member, def, lo, hi, help)                                                        \
    {                                                                                              \
        var, CONFIG_INT, offsetof(struct gw_config, member), def, false, false, lo, hi, NULL, help \
    }
#define SIZE(var, member, def, hi, help)                                                           \
    {                                                                                              \
        var, CONFIG_SIZE, offsetof(struct gw_config, member), def, false, false, 0, hi, NULL, help \
    }

static const struct config_field fields[] = {
    STR("GATEWAY_LISTEN", listen, "127.0.0.1", NULL, "address to bind (IPv4 or IPv6 literal)"),
    INT("GATEWAY_PORT", port, "8000", 0, 65535, "TCP port (0 = any free port)"),
    STR("GATEWAY_ROUTES", routes, "/v1/=http://127.0.0.1:8080", check_routes,
        "PREFIX=URL[;health=PATH],...: longest prefix wins; a URL with a path replaces the prefix"),
    STR("GATEWAY_HEALTH_PATH", health_path, "/healthz", check_abs_path,
        "default health path of each upstream"),
    SIZE("GATEWAY_BODY_MAX", body_max, "1m", 1ll << 30, "request body cap (413 above)"),
    SIZE("GATEWAY_HEADER_MAX", header_max, "32k", 1 << 20,
         "memory for the request line and headers of a connection (at least 8k)"),
    INT("GATEWAY_CONN_LIMIT", conn_limit, "512", 1, 65536, "concurrent client connections"),
    INT("GATEWAY_CONN_TIMEOUT", conn_timeout_s, "30", 1, 3600,
        "seconds an idle client connection is kept"),
    INT("GATEWAY_UPSTREAM_TIMEOUT", upstream_timeout_s, "30", 1, 3600,
        "seconds to wait for an upstream's headers, or for its next bytes (504 / cut)"),
    STR("GATEWAY_LOGIN_RATE", login_rate, "5/m", check_rate,
        "requests per client address to paths ending in /login, as N/s, N/m or N/h (0 = off)"),
    STR("GATEWAY_TLS_CERT", tls_cert, "", NULL, "PEM certificate file; with the key: HTTPS"),
    STR("GATEWAY_TLS_KEY", tls_key, "", NULL, "PEM private key file"),
};

int gw_config_load(struct gw_config *cfg, const char *file_path, char *err, size_t errlen)
{
    int r = config_load(fields, sizeof(fields) / sizeof(fields[0]), cfg, file_path, err, errlen);
    if (r < 0)
        return r;
    if (!cfg->tls_cert[0] != !cfg->tls_key[0]) {
        snprintf(err, errlen, "GATEWAY_TLS_CERT and GATEWAY_TLS_KEY must be set together");
        return -EINVAL;
    }
    return 0;
}

void gw_config_log(const struct gw_config *cfg)
{
    config_log(fields, sizeof(fields) / sizeof(fields[0]), cfg);
}

void gw_config_done(struct gw_config *cfg)
{
    config_done(fields, sizeof(fields) / sizeof(fields[0]), cfg);
}
