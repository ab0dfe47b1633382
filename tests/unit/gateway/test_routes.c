/* Unit tests for the gateway's GATEWAY_ROUTES parsing, longest-prefix match and path rewrite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "routes.h"

static void parse_ok(const char *spec, struct gw_routes *r)
{
    char err[160] = "";
    int rc = gw_routes_parse(spec, "/healthz", r, err, sizeof(err));
    if (rc != 0)
        fail_msg("'%s' refused: %s", spec, err);
}

static void parse_bad(const char *spec, const char *why_contains)
{
    char err[160] = "";
    struct gw_routes r = {(struct gw_route *)0x1, 42};
    assert_int_equal(gw_routes_parse(spec, "/healthz", &r, err, sizeof(err)), -EINVAL);
    assert_ptr_equal(r.v, (struct gw_route *)0x1); /* untouched on failure */
    if (!strstr(err, why_contains))
        fail_msg("'%s': message '%s' lacks '%s'", spec, err, why_contains);
}

static void test_parse_fields(void **state)
{
    (void)state;
    struct gw_routes r;
    parse_ok(" /v1/=http://127.0.0.1:8080 ,\n/nfvo/=https://[::1]:9090/api/;health=/status", &r);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.v[0].prefix, "/v1/");
    assert_string_equal(r.v[0].origin, "http://127.0.0.1:8080");
    assert_null(r.v[0].base_path);
    assert_string_equal(r.v[0].health_path, "/healthz");
    assert_string_equal(r.v[1].prefix, "/nfvo/");
    assert_string_equal(r.v[1].origin, "https://[::1]:9090");
    assert_string_equal(r.v[1].base_path, "/api/");
    assert_string_equal(r.v[1].health_path, "/status");
    assert_string_equal(r.v[1].url, "https://[::1]:9090/api/");
    gw_routes_done(&r);
    assert_null(r.v);
}

static void test_parse_errors(void **state)
{
    (void)state;
    parse_bad("", "no routes");
    parse_bad(" , ", "no routes");
    parse_bad("/v1/", "PREFIX=URL");
    parse_bad("v1=http://a:1", "prefix");
    parse_bad("/v1/=ftp://a:1", "URL");
    parse_bad("/v1/=http://", "URL");
    parse_bad("/v1/=http://a:", "URL");
    parse_bad("/v1/=http://a:99999", "URL");
    parse_bad("/v1/=http://user@a:1", "URL");
    parse_bad("/v1/=http://a:1;timeout=3", "health");
    parse_bad("/v1/=http://a:1;health=status", "health");
    parse_bad("/v1/=http://a:1,/v1/=http://b:1", "twice");
    parse_bad("/a b/=http://a:1", "prefix");
    parse_bad("/\"x/=http://a:1", "prefix");
}

static void test_too_many(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i <= GW_ROUTES_MAX; i++)
        strbuf_printf(&sb, "%s/r%d/=http://h:1", i ? "," : "", i);
    parse_bad(strbuf_str(&sb), "more than");
    strbuf_done(&sb);
}

static void test_longest_prefix(void **state)
{
    (void)state;
    struct gw_routes r;
    parse_ok("/=http://root:1,/v1/=http://a:1,/v1/special/=http://b:1,/v2=http://c:1", &r);
    assert_string_equal(gw_routes_match(&r, "/v1/special/x")->origin, "http://b:1");
    assert_string_equal(gw_routes_match(&r, "/v1/specialx")->origin, "http://a:1");
    assert_string_equal(gw_routes_match(&r, "/v1/")->origin, "http://a:1");
    assert_string_equal(gw_routes_match(&r, "/v1")->origin, "http://root:1");
    assert_string_equal(gw_routes_match(&r, "/v2/x")->origin, "http://c:1");
    gw_routes_done(&r);

    parse_ok("/v1/=http://a:1", &r);
    assert_null(gw_routes_match(&r, "/v1"));
    assert_null(gw_routes_match(&r, "/other"));
    gw_routes_done(&r);
}

static void expect_target(const char *spec, const char *path, const char *query, const char *want)
{
    struct gw_routes r;
    parse_ok(spec, &r);
    const struct gw_route *rt = gw_routes_match(&r, path);
    assert_non_null(rt);
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(gw_route_target(rt, path, query, &sb), 0);
    assert_string_equal(strbuf_str(&sb), want);
    strbuf_done(&sb);
    gw_routes_done(&r);
}

static void test_target(void **state)
{
    (void)state;
    expect_target("/v1/=http://a:1", "/v1/containers", "id=x%20y", "/v1/containers?id=x%20y");
    expect_target("/v1/=http://a:1", "/v1/containers", NULL, "/v1/containers");
    expect_target("/v1/=http://a:1", "/v1/c", "", "/v1/c?");
    expect_target("/nfvo/=http://a:1/", "/nfvo/ns/1", NULL, "/ns/1");
    expect_target("/nfvo/=http://a:1/", "/nfvo/", NULL, "/");
    expect_target("/nfvo/=http://a:1/api/", "/nfvo/ns", "a=1", "/api/ns?a=1");
    expect_target("/nfvo=http://a:1/api", "/nfvo/ns", NULL, "/api/ns");
    expect_target("/nfvo=http://a:1/api", "/nfvo", NULL, "/api");
    expect_target("/nfvo/=http://a:1/api", "/nfvo/ns", NULL, "/api/ns");
}

/* GATEWAY_NFVO_URL adds /api/ and /oauth/ to the routes, unchanged paths, beside the others. */
static void test_nfvo_routes(void **state)
{
    (void)state;
    char *spec = NULL;
    assert_int_equal(gw_routes_spec("/v1/=http://127.0.0.1:1", "http://127.0.0.1:2", &spec), 0);
    assert_string_equal(spec, "/v1/=http://127.0.0.1:1,/api/=http://127.0.0.1:2,"
                              "/oauth/=http://127.0.0.1:2");
    struct gw_routes routes = {0};
    char err[128] = "";
    assert_int_equal(gw_routes_parse(spec, "/healthz", &routes, err, sizeof(err)), 0);
    free(spec);
    const struct gw_route *rt = gw_routes_match(&routes, "/api/v1/projects/");
    assert_non_null(rt);
    assert_string_equal(rt->origin, "http://127.0.0.1:2");
    assert_null(rt->base_path);
    assert_string_equal(gw_routes_match(&routes, "/oauth/token")->prefix, "/oauth/");
    assert_string_equal(gw_routes_match(&routes, "/v1/info")->origin, "http://127.0.0.1:1");
    assert_null(gw_routes_match(&routes, "/apix"));
    gw_routes_done(&routes);

    /* Unset: the routes as configured, and the NFVO's paths still recognised (for the 503). */
    assert_int_equal(gw_routes_spec("/v1/=http://127.0.0.1:1", "", &spec), 0);
    assert_string_equal(spec, "/v1/=http://127.0.0.1:1");
    free(spec);
    assert_true(gw_routes_is_nfvo_path("/api/v1/ns-records"));
    assert_true(gw_routes_is_nfvo_path("/oauth/token"));
    assert_false(gw_routes_is_nfvo_path("/api"));
    assert_false(gw_routes_is_nfvo_path("/v1/api/"));

    /* The same prefix in GATEWAY_ROUTES and from GATEWAY_NFVO_URL: refused, named. */
    assert_int_equal(gw_routes_spec("/api/=http://127.0.0.1:1", "http://127.0.0.1:2", &spec), 0);
    assert_int_equal(gw_routes_parse(spec, "/healthz", &routes, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "'/api/' appears twice"));
    free(spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_fields), cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_too_many),     cmocka_unit_test(test_longest_prefix),
        cmocka_unit_test(test_target),       cmocka_unit_test(test_nfvo_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
