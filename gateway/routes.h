/* The gateway's route table: path prefixes mapped to upstream origins, parsed from
 * GATEWAY_ROUTES, matched by longest prefix, and the rewrite of a request path for upstream. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct strbuf;

#define GW_ROUTES_MAX 32
#define GW_ROUTE_TEXT_MAX 512 /* cap on each prefix, URL and health path */

struct gw_route {
    char *prefix;      /* "/v1/": matches paths that start with it */
    char *origin;      /* "http://127.0.0.1:8080": scheme and authority, no trailing slash */
    char *base_path;   /* NULL: the path goes upstream unchanged; else it replaces the prefix */
    char *health_path; /* "/healthz", on the origin */
    char *url;         /* the URL as configured, for logs and labels */
};

struct gw_routes {
    struct gw_route *v;
    size_t n;
};

/* Parses "PREFIX=URL[;health=PATH],..." (URL http:// or https://, optionally with a path that
 * replaces the prefix, nginx-style). default_health applies where no health= is given. Returns
 * 0 and fills *ret (free with gw_routes_done), or -EINVAL with the reason in err, or -ENOMEM;
 * *ret is untouched on failure. Duplicate prefixes are rejected. */
int gw_routes_parse(const char *spec, const char *default_health, struct gw_routes *ret, char *err,
                    size_t errlen);

/* Frees the table and zeroes it. Accepts a zeroed table. */
void gw_routes_done(struct gw_routes *routes);

/* The route with the longest prefix of path, or NULL. Borrowed from routes. */
const struct gw_route *gw_routes_match(const struct gw_routes *routes, const char *path);

/* Appends the upstream path (with "?query" when query is non-NULL) for path, which must match
 * route, to out. Returns 0, -ENOMEM or -E2BIG. */
int gw_route_target(const struct gw_route *route, const char *path, const char *query,
                    struct strbuf *out);

/* The path prefixes pop-nfvo serves behind the gateway (GATEWAY_NFVO_URL): Open Baton's REST
 * API and its OAuth token endpoint (reference §6.1). */
#define GW_NFVO_PREFIXES "/api/", "/oauth/"

/* The route spec the gateway serves: routes, then, when nfvo_url is non-empty, one
 * "PREFIX=nfvo_url" entry per GW_NFVO_PREFIXES. Returns 0 and *ret (malloc'ed) or -ENOMEM. */
int gw_routes_spec(const char *routes, const char *nfvo_url, char **ret);

/* Whether path falls under one of GW_NFVO_PREFIXES. */
bool gw_routes_is_nfvo_path(const char *path);
