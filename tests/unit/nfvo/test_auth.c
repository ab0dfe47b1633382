/* pop-nfvo's northbound security (services/nfvo/auth.c, oauth.c) over HTTP: the real routes
 * and authentication hook on a lib/http server, the real database file. Login with the
 * password grant, bad clients, passwords and grants refused as OAuth2 says, the refresh grant,
 * access and refresh tokens not interchangeable, expired / forged / foreign tokens refused
 * (forged with the key the NFVO keeps), the project-id rule, throttling, and the key and the
 * default project kept across a restart of the module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "auth/token.h"
#include "auth_store.h"
#include "config.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "http/request.h"
#include "nfvo.h"
#include "principal.h"
#include "store.h"
#include "testlib.h"
#include "testlib_http.h"

#define PASSWORD "p w+1" /* sent as p+w%2B1: the form decoding matters */
#define PASSWORD_FORM "p+w%2B1"
/* openbatonOSClient:secret */
#define BASIC "Authorization: Basic b3BlbmJhdG9uT1NDbGllbnQ6c2VjcmV0"
#define FORM "Content-Type: application/x-www-form-urlencoded"

struct fixture {
    struct testlib_server srv; /* first: testlib's rule */
    char *dir;
    struct nfvo_config cfg;
    struct nfvo n;
    struct http_route routes[8];
};

/* The principal as the hook set it. */
static void h_echo(struct http_request *req, void *userdata)
{
    (void)userdata;
    const struct nfvo_principal *p = nfvo_principal_get(req);
    http_reply_json(req, 200, json_pack("{s:s, s:s}", "user", p->user, "project", p->project));
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->dir = testlib_tmpdir_new("nfvo-auth");
    char path[512];
    snprintf(path, sizeof(path), "%s/nfvo.db", f->dir);
    f->cfg = (struct nfvo_config){.admin_user = "admin",
                                  .admin_password = strdup(PASSWORD),
                                  .client_id = "openbatonOSClient",
                                  .client_secret = "secret",
                                  .token_ttl_s = 3600,
                                  .password_iterations = 1000};
    f->n.cfg = &f->cfg;
    assert_int_equal(nfvo_store_open(path, &f->n.pool), 0);
    assert_int_equal(nfvo_auth_new(&f->n, &f->n.auth), 0);
    size_t n = 0;
    const struct http_route *r = nfvo_auth_routes(&n);
    assert_true(n + 2 <= sizeof(f->routes) / sizeof(f->routes[0]));
    memcpy(f->routes, r, n * sizeof(*r));
    f->routes[n++] = (struct http_route){"GET", "/api/v1/things", h_echo, 0};
    f->routes[n++] = (struct http_route){"GET", "/api/v1/version", h_echo, 0};
    struct http_server_config hc = {.routes = f->routes,
                                    .n_routes = n,
                                    .userdata = &f->n,
                                    .authenticate = nfvo_auth_authenticate,
                                    .trailing_slash = true};
    testlib_server_start(&f->srv, &hc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    testlib_server_stop(&f->srv);
    nfvo_auth_free(f->n.auth);
    db_pool_close(f->n.pool);
    free(f->cfg.admin_password);
    testlib_tmpdir_free(f->dir);
    free(f);
    return 0;
}

/* POST /oauth/token with the form body and client header (NULL = none). */
static void token_call(struct fixture *f, const char *client, const char *form,
                       struct testlib_response *r)
{
    const char *headers[] = {FORM, client, NULL};
    struct testlib_http_opts o = {.headers = headers, .body = form};
    testlib_http_call(f->srv.url, "POST", "/oauth/token", &o, r);
}

static void assert_oauth_error(const struct testlib_response *r, long status, const char *error)
{
    assert_int_equal(r->status, status);
    assert_non_null(r->json);
    assert_string_equal(json_string_value(json_object_get(r->json, "error")), error);
    assert_non_null(json_string_value(json_object_get(r->json, "error_description")));
}

/* A successful login; *ret_access and *ret_refresh are malloc'ed. */
static void login(struct fixture *f, char **ret_access, char **ret_refresh)
{
    struct testlib_response r;
    token_call(f, BASIC, "grant_type=password&username=admin&password=" PASSWORD_FORM, &r);
    assert_int_equal(r.status, 200);
    *ret_access = strdup(json_string_value(json_object_get(r.json, "access_token")));
    *ret_refresh = strdup(json_string_value(json_object_get(r.json, "refresh_token")));
    testlib_response_done(&r);
}

/* GET path with the bearer token and project-id (each NULL = not sent). */
static void api(struct fixture *f, const char *path, const char *token, const char *project,
                struct testlib_response *r)
{
    char auth[AUTH_JWT_TOKEN_MAX + 32], proj[128];
    const char *headers[3] = {NULL};
    size_t n = 0;
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        headers[n++] = auth;
    }
    if (project) {
        snprintf(proj, sizeof(proj), "project-id: %s", project);
        headers[n++] = proj;
    }
    struct testlib_http_opts o = {.headers = headers};
    testlib_http_call(f->srv.url, "GET", path, &o, r);
}

static char *default_project(struct fixture *f, const char *token)
{
    struct testlib_response r;
    api(f, "/api/v1/projects", token, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(r.json), 1);
    json_t *p = json_array_get(r.json, 0);
    assert_string_equal(json_string_value(json_object_get(p, "name")), "default");
    assert_non_null(json_string_value(json_object_get(p, "description")));
    const char *id = json_string_value(json_object_get(p, "id"));
    assert_int_equal(strlen(id), 36);
    char *ret = strdup(id);
    testlib_response_done(&r);
    return ret;
}

static void test_login_and_projects(void **state)
{
    struct fixture *f = *state;
    /* Only the hash is kept: the configuration's plaintext is gone. */
    assert_string_equal(f->cfg.admin_password, "");
    struct testlib_response r;
    token_call(f, BASIC, "grant_type=password&username=admin&password=" PASSWORD_FORM, &r);
    assert_int_equal(r.status, 200);
    const char *access = json_string_value(json_object_get(r.json, "access_token"));
    assert_non_null(access);
    assert_string_equal(json_string_value(json_object_get(r.json, "value")), access);
    assert_string_equal(json_string_value(json_object_get(r.json, "token_type")), "bearer");
    assert_string_equal(json_string_value(json_object_get(r.json, "scope")), "read write");
    const char *refresh = json_string_value(json_object_get(r.json, "refresh_token"));
    assert_non_null(refresh);
    assert_string_not_equal(refresh, access);
    json_int_t left = json_integer_value(json_object_get(r.json, "expires_in"));
    assert_true(left > 3500 && left <= 3600);
    testlib_assert_header(&r, "Cache-Control", "no-store");
    char *token = strdup(access);
    testlib_response_done(&r);

    char *id = default_project(f, token);
    /* A trailing slash names the same list (Spring MVC's rule, lib/http's trailing_slash). */
    api(f, "/api/v1/projects/", token, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(json_array_get(r.json, 0), "id")), id);
    testlib_response_done(&r);
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/projects/%s", id);
    api(f, path, token, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), "default");
    testlib_response_done(&r);
    api(f, "/api/v1/projects/00000000-0000-4000-8000-000000000000", token, NULL, &r);
    testlib_assert_problem(&r, 404, "not-found", "id", NULL);
    testlib_response_done(&r);

    /* project-id: required on /api/ but the exempt trees, and must name a project. */
    api(f, "/api/v1/things", token, id, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "user")), "admin");
    assert_string_equal(json_string_value(json_object_get(r.json, "project")), id);
    testlib_response_done(&r);
    api(f, "/api/v1/things", token, NULL, &r);
    testlib_assert_problem(&r, 400, "bad-request", NULL, "project-id");
    assert_string_equal(json_string_value(json_object_get(r.json, "header")), "project-id");
    testlib_response_done(&r);
    api(f, "/api/v1/things", token, "00000000-0000-4000-8000-000000000000", &r);
    testlib_assert_problem(&r, 403, "forbidden", NULL, "project-id");
    assert_string_equal(json_string_value(json_object_get(r.json, "header")), "project-id");
    testlib_response_done(&r);
    api(f, "/api/v1/version/", token, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "project")), "");
    testlib_response_done(&r);
    free(id);
    free(token);
}

static void test_bad_client_password_grant(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    const char *form = "grant_type=password&username=admin&password=" PASSWORD_FORM;
    /* openbatonOSClient:wrong, then no Basic at all */
    token_call(f, "Authorization: Basic b3BlbmJhdG9uT1NDbGllbnQ6d3Jvbmc=", form, &r);
    assert_oauth_error(&r, 401, "invalid_client");
    testlib_assert_header(&r, "WWW-Authenticate", "Basic realm=\"oauth2/client\"");
    testlib_response_done(&r);
    token_call(f, NULL, form, &r);
    assert_oauth_error(&r, 401, "invalid_client");
    testlib_response_done(&r);

    token_call(f, BASIC, "grant_type=password&username=admin&password=p+w1", &r);
    assert_oauth_error(&r, 400, "invalid_grant");
    assert_string_equal(json_string_value(json_object_get(r.json, "error_description")),
                        "Bad credentials");
    testlib_response_done(&r);
    token_call(f, BASIC, "grant_type=password&username=mallory&password=" PASSWORD_FORM, &r);
    assert_oauth_error(&r, 400, "invalid_grant");
    testlib_response_done(&r);
    token_call(f, BASIC, "grant_type=client_credentials", &r);
    assert_oauth_error(&r, 400, "unsupported_grant_type");
    testlib_response_done(&r);
    token_call(f, BASIC, "username=admin", &r);
    assert_oauth_error(&r, 400, "invalid_request");
    testlib_response_done(&r);
    token_call(f, BASIC, "grant_type=password&grant_type=password&username=admin", &r);
    assert_oauth_error(&r, 400, "invalid_request");
    testlib_response_done(&r);
    token_call(f, BASIC, "grant_type=password&username=admin", &r);
    assert_oauth_error(&r, 400, "invalid_request");
    testlib_response_done(&r);
}

static void test_throttle(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    for (int i = 0; i < 4; i++) {
        token_call(f, BASIC, "grant_type=password&username=admin&password=nope", &r);
        assert_oauth_error(&r, 400, "invalid_grant");
        testlib_response_done(&r);
    }
    /* Even the right password waits now. */
    token_call(f, BASIC, "grant_type=password&username=admin&password=" PASSWORD_FORM, &r);
    assert_oauth_error(&r, 429, "too_many_requests");
    char retry[16];
    assert_true(testlib_response_header(&r, "Retry-After", retry, sizeof(retry)));
    testlib_response_done(&r);
}

static void test_refresh(void **state)
{
    struct fixture *f = *state;
    char *access, *refresh;
    login(f, &access, &refresh);
    struct testlib_response r;
    char form[AUTH_JWT_TOKEN_MAX + 64];
    snprintf(form, sizeof(form), "grant_type=refresh_token&refresh_token=%s", refresh);
    token_call(f, BASIC, form, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "refresh_token")), refresh);
    char *again = strdup(json_string_value(json_object_get(r.json, "access_token")));
    testlib_response_done(&r);
    api(f, "/api/v1/projects", again, NULL, &r);
    assert_int_equal(r.status, 200);
    testlib_response_done(&r);

    /* Not interchangeable: an access token as refresh token, a refresh token as bearer. */
    snprintf(form, sizeof(form), "grant_type=refresh_token&refresh_token=%s", access);
    token_call(f, BASIC, form, &r);
    assert_oauth_error(&r, 400, "invalid_grant");
    testlib_response_done(&r);
    api(f, "/api/v1/projects", refresh, NULL, &r);
    testlib_assert_problem(&r, 401, "unauthorized", NULL, NULL);
    testlib_response_done(&r);
    token_call(f, BASIC, "grant_type=refresh_token&refresh_token=junk", &r);
    assert_oauth_error(&r, 400, "invalid_grant");
    testlib_response_done(&r);
    token_call(f, BASIC, "grant_type=refresh_token", &r);
    assert_oauth_error(&r, 400, "invalid_request");
    testlib_response_done(&r);
    free(again);
    free(access);
    free(refresh);
}

/* A token forged with key for sub, issued at now - age for ttl seconds. */
static char *forge(const uint8_t *key, const char *iss, const char *sub, int64_t age, int64_t ttl)
{
    char *t = NULL;
    assert_int_equal(
        auth_jwt_issue(key, NFVO_TOKEN_KEY_LEN, iss, sub, time_now_s() - age, ttl, &t, NULL), 0);
    return t;
}

static void expect_invalid_token(struct fixture *f, char *token)
{
    struct testlib_response r;
    api(f, "/api/v1/projects", token, NULL, &r);
    testlib_assert_problem(&r, 401, "unauthorized", NULL, NULL);
    char challenge[256];
    assert_true(testlib_response_header(&r, "WWW-Authenticate", challenge, sizeof(challenge)));
    assert_non_null(strstr(challenge, "Bearer realm=\"oauth2-server\", error=\"invalid_token\""));
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "invalid_token");
    testlib_response_done(&r);
    free(token);
}

static void test_tokens_refused(void **state)
{
    struct fixture *f = *state;
    uint8_t key[NFVO_TOKEN_KEY_LEN], other[NFVO_TOKEN_KEY_LEN];
    /* The key the NFVO keeps (the call returns the stored one). */
    assert_int_equal(nfvo_auth_store_key(f->n.pool, key), 0);
    memcpy(other, key, sizeof(other));
    other[0] ^= 1;
    struct testlib_response r;
    char *good = forge(key, "pop-nfvo", "admin", 0, 3600);
    api(f, "/api/v1/projects", good, NULL, &r);
    assert_int_equal(r.status, 200); /* the forging is right: the key is the one in use */
    testlib_response_done(&r);
    free(good);
    expect_invalid_token(f, forge(key, "pop-nfvo", "admin", 3700, 3600)); /* expired */
    expect_invalid_token(f, forge(key, "pop-nfvo", "admin", 0, 7200));    /* over the TTL */
    expect_invalid_token(f, forge(key, "pop-nfvo", "mallory", 0, 3600));  /* no such user */
    expect_invalid_token(f, forge(other, "pop-nfvo", "admin", 0, 3600));  /* another key */
    expect_invalid_token(f, forge(key, "popd-rest", "admin", 0, 3600));   /* another issuer */
    expect_invalid_token(f, strdup("not.a.token"));

    /* No token at all: the bare challenge. */
    api(f, "/api/v1/projects", NULL, NULL, &r);
    testlib_assert_problem(&r, 401, "unauthorized", NULL, "Bearer");
    testlib_assert_header(&r, "WWW-Authenticate", "Bearer realm=\"oauth2-server\"");
    testlib_response_done(&r);
    const char *basic[] = {BASIC, NULL};
    struct testlib_http_opts o = {.headers = basic};
    testlib_http_call(f->srv.url, "GET", "/api/v1/things", &o, &r);
    testlib_assert_problem(&r, 401, "unauthorized", NULL, NULL);
    testlib_response_done(&r);
}

/* The key and the default project are in the database: a restarted module takes them up. */
static void test_restart_keeps_key_and_project(void **state)
{
    struct fixture *f = *state;
    char *access, *refresh;
    login(f, &access, &refresh);
    char *id = default_project(f, access);
    nfvo_auth_free(f->n.auth);
    f->n.auth = NULL;
    free(f->cfg.admin_password);
    f->cfg.admin_password = strdup(PASSWORD);
    assert_int_equal(nfvo_auth_new(&f->n, &f->n.auth), 0);
    char *id2 = default_project(f, access); /* one project still, the same id */
    assert_string_equal(id, id2);
    struct testlib_response r;
    api(f, "/api/v1/things", access, id, &r);
    assert_int_equal(r.status, 200);
    testlib_response_done(&r);
    free(id);
    free(id2);
    free(access);
    free(refresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_login_and_projects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_client_password_grant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_keeps_key_and_project, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
