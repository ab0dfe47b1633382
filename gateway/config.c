/* The declarative table of pop-gateway settings (GATEWAY_*), with validators for the values
 * whose syntax is the gateway's own (routes, login rate). GATEWAY_VERBOSE is service_main's. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "ratelimit.h"
#include "routes.h"

static int check_routes(const char *v, char *why, size_t n)
{
    struct gw_routes routes = {0};
    int r = gw_routes_parse(v, "/healthz", &routes, why, n);
    gw_routes_done(&routes);
    return r < 0 ? r : 0;
}

/* An origin only: pop-nfvo serves /api/ and /oauth/ at its root, so no path may replace them. */
static int check_nfvo_url(const char *v, char *why, size_t n)
{
    if (!*v)
        return 0;
    char spec[GW_ROUTE_TEXT_MAX + 16];
    snprintf(spec, sizeof(spec), "/api/=%s", v);
    struct gw_routes routes = {0};
    int r = gw_routes_parse(spec, "/healthz", &routes, why, n);
    if (r == 0 && routes.v[0].base_path) {
        snprintf(why, n, "must be an origin (http://HOST:PORT) without a path");
        r = -EINVAL;
    } else if (r < 0) {
        snprintf(why, n, "must be an http:// or https:// origin (http://HOST:PORT)");
    }
    gw_routes_done(&routes);
    return r < 0 ? r : 0;
}

static int check_rate(const char *v, char *why, size_t n)
{
    unsigned count, period;
    if (gw_ratelimit_parse(v, &count, &period) < 0) {
        snprintf(why, n, "must be N/s, N/m or N/h (N per period; 0 disables)");
        return -EINVAL;
    }
    return 0;
}

static int check_abs_path(const char *v, char *why, size_t n)
{
    if (v[0] == '/' && !strpbrk(v, " \t\r\n?#"))
        return 0;
    snprintf(why, n, "must be a path starting with '/'");
    return -EINVAL;
}

#define T struct gw_config
static const struct config_field fields[] = {
    CONFIG_STR(T, listen, "GATEWAY_LISTEN", "127.0.0.1",
               .help = "address to bind (IPv4 or IPv6 literal)"),
    CONFIG_INT(T, port, "GATEWAY_PORT", "8000", 0, 65535, .help = "TCP port (0 = any free port)"),
    CONFIG_STR(T, routes, "GATEWAY_ROUTES", "/v1/=http://127.0.0.1:8080", .check = check_routes,
               .help = "PREFIX=URL[;health=PATH],...: longest prefix wins; a URL with a path "
                       "replaces the prefix"),
    CONFIG_STR(T, nfvo_url, "GATEWAY_NFVO_URL", "", .check = check_nfvo_url,
               .help = "pop-nfvo's origin (http://HOST:PORT): /api/ and /oauth/ go there; "
                       "empty = those paths answer 503"),
    CONFIG_STR(T, health_path, "GATEWAY_HEALTH_PATH", "/healthz", .check = check_abs_path,
               .help = "default health path of each upstream"),
    CONFIG_SIZE(T, body_max, "GATEWAY_BODY_MAX", "1m", 1ull << 30,
                .help = "request body cap (413 above)"),
    CONFIG_SIZE(T, header_max, "GATEWAY_HEADER_MAX", "32k", 1 << 20,
                .help = "memory for the request line and headers of a connection (at least 8k)"),
    CONFIG_INT(T, conn_limit, "GATEWAY_CONN_LIMIT", "512", 1, 65536,
               .help = "concurrent client connections"),
    CONFIG_INT(T, conn_timeout_s, "GATEWAY_CONN_TIMEOUT", "30", 1, 3600,
               .help = "seconds an idle client connection is kept"),
    CONFIG_INT(T, upstream_timeout_s, "GATEWAY_UPSTREAM_TIMEOUT", "30", 1, 3600,
               .help = "seconds to wait for an upstream's headers, or for its next bytes (504 / "
                       "cut)"),
    CONFIG_STR(T, login_rate, "GATEWAY_LOGIN_RATE", "5/m", .check = check_rate,
               .help = "requests per client address to paths ending in /login, as N/s, N/m or "
                       "N/h (0 = off)"),
    CONFIG_STR(T, tls_cert, "GATEWAY_TLS_CERT", "",
               .help = "PEM certificate file; with the key: HTTPS"),
    CONFIG_STR(T, tls_key, "GATEWAY_TLS_KEY", "", .help = "PEM private key file"),
};
#undef T

const struct config_field *gw_config_fields(size_t *ret_n)
{
    *ret_n = sizeof(fields) / sizeof(fields[0]);
    return fields;
}

int gw_config_check(const void *cfgp, char *why, size_t n)
{
    const struct gw_config *cfg = cfgp;
    if (!cfg->tls_cert[0] != !cfg->tls_key[0]) {
        snprintf(why, n, "GATEWAY_TLS_CERT and GATEWAY_TLS_KEY must be set together");
        return -EINVAL;
    }
    return 0;
}
