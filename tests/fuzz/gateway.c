/* Fuzz target for the gateway's route table and header filters: GATEWAY_ROUTES parsing (an
 * operator's text), then a client's path, query and header names through matching, the upstream
 * path rewrite and the forwarding rules.
 * Input lines: routes spec, default health path, request path, query (empty: none),
 * Connection header value (empty: none), then one header name per line. */
#include "fuzz.h"

#include "core/strbuf.h"
#include "headers.h"
#include "routes.h"

#include <ctype.h>
#include <errno.h>
#include <strings.h>

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

static void check_table(const struct gw_routes *rt)
{
    FUZZ_ASSERT(rt->n >= 1 && rt->n <= GW_ROUTES_MAX);
    for (size_t i = 0; i < rt->n; i++) {
        const struct gw_route *r = &rt->v[i];
        FUZZ_ASSERT(r->prefix[0] == '/' && r->health_path[0] == '/' && r->url);
        FUZZ_ASSERT(strncmp(r->origin, "http://", 7) == 0 ||
                    strncmp(r->origin, "https://", 8) == 0);
        FUZZ_ASSERT(!r->base_path || r->base_path[0] == '/');
        for (size_t j = 0; j < i; j++)
            FUZZ_ASSERT(strcmp(rt->v[j].prefix, r->prefix) != 0);
    }
}

static void check_match(const struct gw_routes *rt, const char *path, const char *query)
{
    const struct gw_route *m = gw_routes_match(rt, path);
    /* The longest matching prefix wins; no match means no prefix fits. */
    for (size_t i = 0; i < rt->n; i++) {
        size_t len = strlen(rt->v[i].prefix);
        bool fits = strncmp(path, rt->v[i].prefix, len) == 0;
        FUZZ_ASSERT(!fits || (m && strlen(m->prefix) >= len));
    }
    if (!m)
        return;
    FUZZ_ASSERT(strncmp(path, m->prefix, strlen(m->prefix)) == 0);
    struct strbuf out = STRBUF_INIT;
    out.max = 8192;
    int r = gw_route_target(m, path, query, &out);
    FUZZ_ASSERT(r == 0 || r == -E2BIG);
    if (r == 0) {
        const char *t = strbuf_str(&out);
        /* Prefixes start with '/', so does every path they match and every rewrite. */
        FUZZ_ASSERT(t[0] == '/');
        if (!m->base_path && !query)
            FUZZ_ASSERT(strcmp(t, path) == 0);
        if (query)
            FUZZ_ASSERT(strstr(t, query) != NULL);
    }
    strbuf_done(&out);
}

static void check_header(const char *name, const char *connection)
{
    bool hop = gw_header_hop_by_hop(name);
    bool listed = gw_header_in_list(connection, name);
    if (gw_header_forward_request(name, connection))
        FUZZ_ASSERT(!hop && !listed && strcasecmp(name, "Host") != 0);
    if (gw_header_forward_response(name, connection))
        FUZZ_ASSERT(!hop && !listed);
    /* Header names are case-insensitive (RFC 9110 5.1). */
    char upper[256];
    size_t n = strlen(name);
    if (n >= sizeof(upper))
        return;
    for (size_t i = 0; i <= n; i++)
        upper[i] = (char)toupper((unsigned char)name[i]);
    FUZZ_ASSERT(gw_header_hop_by_hop(upper) == hop);
    FUZZ_ASSERT(gw_header_in_list(connection, upper) == listed);
    FUZZ_ASSERT(gw_header_forward_request(upper, connection) ==
                gw_header_forward_request(name, connection));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    char *text = fuzz_strndup(data, size);
    char *rest = text;
    const char *spec = fuzz_next_piece(&rest, '\n');
    const char *health = fuzz_next_piece(&rest, '\n');
    const char *path = fuzz_next_piece(&rest, '\n');
    const char *query = or_null(fuzz_next_piece(&rest, '\n'));
    const char *connection = or_null(fuzz_next_piece(&rest, '\n'));

    struct gw_routes rt = {0};
    char err[256] = "";
    int r = gw_routes_parse(spec, health && *health ? health : "/healthz", &rt, err, sizeof(err));
    FUZZ_ASSERT(r == 0 || r == -EINVAL);
    if (r == 0) {
        check_table(&rt);
        if (path)
            check_match(&rt, path, query);
    } else {
        FUZZ_ASSERT(err[0] && rt.v == NULL && rt.n == 0);
    }
    gw_routes_done(&rt);

    const char *name;
    while ((name = fuzz_next_piece(&rest, '\n')))
        check_header(name, connection);
    free(text);
    return 0;
}
