/* GATEWAY_ROUTES parsing, longest-prefix matching and upstream path rewriting. */
#include "routes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/parse.h"
#include "core/strbuf.h"

static void route_free(struct gw_route *rt)
{
    free(rt->prefix);
    free(rt->origin);
    free(rt->base_path);
    free(rt->health_path);
    free(rt->url);
}

void gw_routes_done(struct gw_routes *routes)
{
    if (!routes)
        return;
    for (size_t i = 0; i < routes->n; i++)
        route_free(&routes->v[i]);
    free(routes->v);
    routes->v = NULL;
    routes->n = 0;
}

/* Visible ASCII without the characters that would make a path or URL ambiguous here. */
static bool text_ok(const char *s, size_t len)
{
    if (len == 0 || len > GW_ROUTE_TEXT_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#' || c == ',' || c == ';' || c == '=' ||
            c == '"' || c == '\\')
            return false;
    }
    return true;
}

static bool path_ok(const char *s, size_t len)
{
    return text_ok(s, len) && s[0] == '/';
}

/* Splits "http://host:port/path" into origin and path (NULL when the URL has none). */
static int url_split(const char *url, size_t len, char **ret_origin, char **ret_path)
{
    size_t scheme;
    if (len > 7 && strncmp(url, "http://", 7) == 0)
        scheme = 7;
    else if (len > 8 && strncmp(url, "https://", 8) == 0)
        scheme = 8;
    else
        return -EINVAL;
    const char *slash = memchr(url + scheme, '/', len - scheme);
    size_t origin_len = slash ? (size_t)(slash - url) : len;
    if (origin_len == scheme || !text_ok(url, len) ||
        memchr(url + scheme, '@', origin_len - scheme))
        return -EINVAL;
    /* "host:port" or "[v6]:port": a port, when given, is 1-65535. */
    const char *auth = url + scheme, *auth_end = url + origin_len;
    const char *bracket = memchr(auth, ']', (size_t)(auth_end - auth));
    const char *colon =
        memchr(bracket ? bracket : auth, ':', (size_t)(auth_end - (bracket ? bracket : auth)));
    if (colon) {
        char port[8];
        size_t plen = (size_t)(auth_end - colon - 1);
        int64_t v;
        if (colon == auth || plen == 0 || plen >= sizeof(port))
            return -EINVAL;
        memcpy(port, colon + 1, plen);
        port[plen] = '\0';
        if (parse_int64(port, 1, 65535, &v) < 0)
            return -EINVAL;
    }
    char *origin = strndup(url, origin_len);
    char *path = slash ? strndup(slash, len - origin_len) : NULL;
    if (!origin || (slash && !path)) {
        free(origin);
        free(path);
        return -ENOMEM;
    }
    *ret_origin = origin;
    *ret_path = path;
    return 0;
}

/* Parses one "PREFIX=URL[;health=PATH]" entry of length len into rt. */
static int entry_parse(const char *s, size_t len, const char *default_health, struct gw_route *rt,
                       char *err, size_t errlen)
{
    const char *eq = memchr(s, '=', len);
    if (!eq) {
        errbuf_setf(err, errlen, "route '%.*s' is not PREFIX=URL", (int)(len > 64 ? 64 : len), s);
        return -EINVAL;
    }
    size_t plen = (size_t)(eq - s);
    if (!path_ok(s, plen)) {
        errbuf_setf(err, errlen, "route prefix '%.*s' must be a path starting with '/'",
                    (int)(plen > 64 ? 64 : plen), s);
        return -EINVAL;
    }
    const char *url = eq + 1, *end = s + len;
    const char *semi = memchr(url, ';', (size_t)(end - url));
    size_t ulen = (size_t)((semi ? semi : end) - url);
    const char *health = default_health;
    size_t hlen = strlen(default_health);
    if (semi) {
        const char *opt = semi + 1;
        if ((size_t)(end - opt) < 7 || strncmp(opt, "health=", 7) != 0) {
            errbuf_setf(err, errlen, "route '%.*s': the only option is ;health=PATH", (int)plen, s);
            return -EINVAL;
        }
        health = opt + 7;
        hlen = (size_t)(end - health);
    }
    if (!path_ok(health, hlen)) {
        errbuf_setf(err, errlen, "route '%.*s': health path must start with '/'", (int)plen, s);
        return -EINVAL;
    }
    char *origin = NULL, *base = NULL;
    int r = url_split(url, ulen, &origin, &base);
    if (r == -EINVAL)
        errbuf_setf(err, errlen, "route '%.*s': '%.*s' is not an http:// or https:// URL",
                    (int)plen, s, (int)(ulen > 128 ? 128 : ulen), url);
    if (r < 0)
        return r;
    rt->origin = origin;
    rt->base_path = base;
    rt->prefix = strndup(s, plen);
    rt->health_path = strndup(health, hlen);
    rt->url = strndup(url, ulen);
    if (!rt->prefix || !rt->health_path || !rt->url) {
        route_free(rt);
        return -ENOMEM;
    }
    return 0;
}

int gw_routes_parse(const char *spec, const char *default_health, struct gw_routes *ret, char *err,
                    size_t errlen)
{
    struct gw_routes out = {0};
    if (!spec || !default_health) {
        errbuf_setf(err, errlen, "no routes");
        return -EINVAL;
    }
    out.v = calloc(GW_ROUTES_MAX, sizeof(*out.v));
    if (!out.v)
        return -ENOMEM;
    const char *p = spec;
    int r = 0;
    while (*p) {
        size_t len = strcspn(p, ",");
        /* Surrounding blanks are allowed so long lists can be written one per line. */
        const char *s = p;
        size_t n = len;
        while (n && (*s == ' ' || *s == '\t' || *s == '\n')) {
            s++;
            n--;
        }
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
            n--;
        if (n) {
            if (out.n == GW_ROUTES_MAX) {
                errbuf_setf(err, errlen, "more than %d routes", GW_ROUTES_MAX);
                r = -EINVAL;
                goto fail;
            }
            r = entry_parse(s, n, default_health, &out.v[out.n], err, errlen);
            if (r < 0)
                goto fail;
            for (size_t i = 0; i < out.n; i++)
                if (strcmp(out.v[i].prefix, out.v[out.n].prefix) == 0) {
                    errbuf_setf(err, errlen, "route prefix '%s' appears twice", out.v[i].prefix);
                    route_free(&out.v[out.n]);
                    r = -EINVAL;
                    goto fail;
                }
            out.n++;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    if (out.n == 0) {
        errbuf_setf(err, errlen, "no routes");
        r = -EINVAL;
        goto fail;
    }
    *ret = out;
    return 0;
fail:
    gw_routes_done(&out);
    return r;
}

const struct gw_route *gw_routes_match(const struct gw_routes *routes, const char *path)
{
    const struct gw_route *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < routes->n; i++) {
        size_t len = strlen(routes->v[i].prefix);
        if (len > best_len && strncmp(path, routes->v[i].prefix, len) == 0) {
            best = &routes->v[i];
            best_len = len;
        }
    }
    return best;
}

int gw_route_target(const struct gw_route *route, const char *path, const char *query,
                    struct strbuf *out)
{
    int r;
    if (route->base_path) {
        const char *rest = path + strlen(route->prefix);
        size_t blen = strlen(route->base_path);
        /* "/api/" + "/x" must not become "/api//x", nor "/api" + "x" "/apix". */
        if (blen && route->base_path[blen - 1] == '/' && rest[0] == '/')
            rest++;
        r = strbuf_puts(out, route->base_path);
        if (r == 0 && rest[0] && rest[0] != '/' && route->base_path[blen - 1] != '/')
            r = strbuf_puts(out, "/");
        if (r == 0)
            r = strbuf_puts(out, rest);
    } else {
        r = strbuf_puts(out, path);
    }
    if (r == 0 && query)
        r = strbuf_printf(out, "?%s", query);
    return r;
}

int gw_routes_spec(const char *routes, const char *nfvo_url, char **ret)
{
    static const char *const prefixes[] = {GW_NFVO_PREFIXES};
    struct strbuf b = STRBUF_INIT;
    int r = strbuf_puts(&b, routes ? routes : "");
    for (size_t i = 0; r == 0 && nfvo_url && *nfvo_url && i < sizeof(prefixes) / sizeof(*prefixes);
         i++)
        r = strbuf_printf(&b, ",%s=%s", prefixes[i], nfvo_url);
    if (r < 0) {
        strbuf_done(&b);
        return -ENOMEM;
    }
    *ret = strbuf_steal(&b);
    return *ret ? 0 : -ENOMEM;
}

bool gw_routes_is_nfvo_path(const char *path)
{
    static const char *const prefixes[] = {GW_NFVO_PREFIXES};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
        if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}
