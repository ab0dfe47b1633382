/* popd-rest's real routes and handlers over HTTP, without the Docker engine: login and logout,
 * create (addresses reserved, the 201 body), metadata on a CREATED container, get and list,
 * bad bodies refused naming the field and changing nothing, networks, state conflicts, and
 * what a client gets while the engine does not answer.
 *
 * How it runs without the engine: popd_init builds the service and touches no engine (its
 * contract); popd_networks_init, which does, is replaced by putting the default network's
 * row straight into the store (popd_fixture_add_network), as the engine-side start-up would
 * leave it. POPD_DOCKER_SOCKET points at a tripwire: a socket of the test's own that hangs up
 * on every connection and counts them, so every test asserts which requests reached the
 * engine (most must not), and a request that does gets an engine that answers nothing. The
 * server is started with popd_http_config, the configuration popd-rest serves with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "handlers.h"
#include "popd.h"
#include "popd_fixture.h"
#include "testlib.h"
#include "testlib_http.h"

#define USER "tester"
#define PASSWORD "tester-pass"
#define BODY_MAX 4096
#define NET_ID "0a1b2c3d-0000-4000-8000-00000000d0d0"

/* The engine socket: accepts, counts and hangs up at once. */
struct tripwire {
    int lfd;
    int stop[2];
    pthread_t thread;
    atomic_int hits;
};

static void *tripwire_main(void *arg)
{
    struct tripwire *t = arg;
    struct pollfd p[2] = {{.fd = t->lfd, .events = POLLIN}, {.fd = t->stop[0], .events = POLLIN}};
    while (poll(p, 2, -1) >= 0 && !(p[1].revents & POLLIN)) {
        int fd = accept(t->lfd, NULL, NULL);
        if (fd >= 0) {
            atomic_fetch_add(&t->hits, 1);
            close(fd);
        }
    }
    return NULL;
}

static void tripwire_start(struct tripwire *t, const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    assert_true(strlen(path) < sizeof(a.sun_path));
    memcpy(a.sun_path, path, strlen(path) + 1);
    t->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(t->lfd >= 0);
    assert_int_equal(bind(t->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(t->lfd, 16), 0);
    assert_int_equal(pipe(t->stop), 0);
    assert_int_equal(pthread_create(&t->thread, NULL, tripwire_main, t), 0);
}

static void tripwire_stop(struct tripwire *t)
{
    assert_int_equal(write(t->stop[1], "x", 1), 1);
    pthread_join(t->thread, NULL);
    close(t->lfd);
    close(t->stop[0]);
    close(t->stop[1]);
}

struct fixture {
    char *dir;
    struct tripwire engine;
    struct popd p;
    struct testlib_server srv;
    char auth[1200]; /* "Authorization: Bearer <token of USER>" */
};

/* POST /v1/login as user; the reply in *ret. */
static void login(struct fixture *f, const char *user, const char *password,
                  struct testlib_response *ret)
{
    json_t *body = json_pack("{s:s, s:s}", "username", user, "password", password);
    char *text = json_dumps(body, 0);
    static const char *const json_ct[] = {"Content-Type: application/json", NULL};
    struct testlib_http_opts o = {.headers = json_ct, .body = text};
    testlib_http_call(f->srv.url, "POST", "/v1/login", &o, ret);
    free(text);
    json_decref(body);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->dir = testlib_tmpdir_new("popd-handlers");
    char path[256];
    snprintf(path, sizeof(path), "%s/engine.sock", f->dir);
    tripwire_start(&f->engine, path);

    testlib_env_clear("POPD_");
    setenv("POPD_DOCKER_SOCKET", path, 1);
    snprintf(path, sizeof(path), "%s/popd.db", f->dir);
    setenv("POPD_DB", path, 1);
    setenv("POPD_NAME", "unit", 1);
    setenv("POPD_AUTH", USER ":" PASSWORD, 1);
    setenv("POPD_PASSWORD_ITERATIONS", "1000", 1);
    setenv("POPD_PORT", "0", 1);
    setenv("POPD_BODY_MAX", "4k", 1);
    setenv("POPD_IMAGE_ALLOWLIST", "pop-tiny:latest,pop-base:1", 1);
    struct popd_config cfg = {0};
    char err[512] = "";
    if (popd_config_load(&cfg, NULL, err, sizeof(err)) < 0)
        fail_msg("popd_config_load: %s", err);
    if (popd_init(&f->p, &cfg, err, sizeof(err)) < 0)
        fail_msg("popd_init: %s", err);
    /* What popd_networks_init would have made of the default network, engine side aside. */
    popd_fixture_add_network(f->p.store, NET_ID, POPD_DEFAULT_NETWORK, "10.77.0.0/24");

    struct http_server_config hc;
    popd_http_config(&f->p, &hc);
    testlib_server_start(&f->srv, &hc);

    struct testlib_response r;
    login(f, USER, PASSWORD, &r);
    assert_int_equal(r.status, 200);
    snprintf(f->auth, sizeof(f->auth), "Authorization: Bearer %s",
             json_string_value(json_object_get(r.json, "value")));
    testlib_response_done(&r);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    testlib_server_stop(&f->srv);
    popd_done(&f->p);
    tripwire_stop(&f->engine);
    testlib_tmpdir_free(f->dir);
    free(f);
    return 0;
}

/* One authenticated request; body (JSON) NULL = none. */
static void call(struct fixture *f, const char *method, const char *path, const char *body,
                 struct testlib_response *ret)
{
    const char *const hdrs[] = {f->auth, body ? "Content-Type: application/json" : NULL, NULL};
    struct testlib_http_opts o = {.headers = hdrs, .body = body};
    testlib_http_call(f->srv.url, method, path, &o, ret);
}

/* The authenticated request must be answered with this problem. */
static void refused(struct fixture *f, const char *method, const char *path, const char *body,
                    long status, const char *code, const char *field, const char *detail)
{
    const char *const hdrs[] = {f->auth, body ? "Content-Type: application/json" : NULL, NULL};
    struct testlib_http_opts o = {.headers = hdrs, .body = body};
    testlib_call_problem(f->srv.url, method, path, &o, status, code, field, detail);
}

/* What a client can see of the Pop's state: every container and network, as listed. */
static char *snapshot(struct fixture *f)
{
    struct testlib_response r;
    struct strbuf sb = STRBUF_INIT;
    call(f, "GET", "/v1/containers", NULL, &r);
    assert_int_equal(r.status, 200);
    strbuf_puts(&sb, strbuf_str(&r.body));
    testlib_response_done(&r);
    call(f, "GET", "/v1/networks", NULL, &r);
    assert_int_equal(r.status, 200);
    strbuf_puts(&sb, strbuf_str(&r.body));
    testlib_response_done(&r);
    return strbuf_steal(&sb);
}

/* The state is what before (a snapshot) says: the refused requests changed nothing. */
static void assert_unchanged(struct fixture *f, char *before)
{
    char *after = snapshot(f);
    assert_string_equal(after, before);
    free(after);
    free(before);
}

/* POST /v1/containers body must give 201; the container's JSON in *ret (release it). */
static void create(struct fixture *f, const char *body, struct testlib_response *ret)
{
    call(f, "POST", "/v1/containers", body, ret);
    if (ret->status != 201)
        fail_msg("create %s: HTTP %ld %s", body, ret->status, strbuf_str(&ret->body));
    assert_non_null(ret->json);
}

/* The string at path "a.b.c" (object keys) in j; NULL when any step is missing. */
static const char *str_at(const json_t *j, const char *path)
{
    for (const char *k = path; j && *k;) {
        size_t len = strcspn(k, ".");
        char key[64];
        snprintf(key, sizeof(key), "%.*s", (int)len, k);
        j = json_object_get(j, key);
        k += len + (k[len] == '.');
    }
    return json_string_value(j);
}

static void test_login_info_logout(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    login(f, USER, "wrong", &r);
    testlib_assert_problem(&r, 401, "unauthorized", NULL, "invalid username or password");
    testlib_assert_header(&r, "WWW-Authenticate", "Bearer realm=\"pop\"");
    testlib_response_done(&r);
    login(f, "nobody", PASSWORD, &r);
    testlib_assert_problem(&r, 401, "unauthorized", NULL, "invalid username or password");
    testlib_response_done(&r);

    int64_t now = time_now_s();
    login(f, USER, PASSWORD, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "token_type")), "Bearer");
    json_int_t exp = json_integer_value(json_object_get(r.json, "expires_at"));
    assert_true(exp >= now + 3600 && exp <= time_now_s() + 3600);
    char auth[1200];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
             json_string_value(json_object_get(r.json, "value")));
    testlib_response_done(&r);

    /* No token, a token that is not one, then the good one. */
    assert_int_equal(testlib_http_call(f->srv.url, "GET", "/v1/info", NULL, &r), 0);
    testlib_assert_problem(&r, 401, "unauthorized", NULL, "Authorization: Bearer");
    testlib_response_done(&r);
    const char *const bad[] = {"Authorization: Bearer not.a.token", NULL};
    struct testlib_http_opts o = {.headers = bad};
    testlib_http_call(f->srv.url, "GET", "/v1/info", &o, &r);
    testlib_assert_problem(&r, 401, "unauthorized", NULL, NULL);
    testlib_response_done(&r);
    const char *const good[] = {auth, NULL};
    o.headers = good;
    testlib_http_call(f->srv.url, "GET", "/v1/info", &o, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), "unit");
    assert_string_equal(json_string_value(json_object_get(r.json, "type")), "docker");
    assert_string_equal(json_string_value(json_object_get(r.json, "version")), POPD_VERSION);
    testlib_response_done(&r);

    /* Logged out, the token is refused; the fixture's own session is another token. */
    testlib_http_call(f->srv.url, "POST", "/v1/logout", &o, &r);
    assert_int_equal(r.status, 204);
    testlib_response_done(&r);
    testlib_http_call(f->srv.url, "GET", "/v1/info", &o, &r);
    testlib_assert_problem(&r, 401, "unauthorized", NULL, "token revoked");
    testlib_response_done(&r);
    call(f, "GET", "/v1/info", NULL, &r);
    assert_int_equal(r.status, 200);
    testlib_response_done(&r);

    /* Bodies the login schema refuses, naming the field. */
    static const char *const json_ct[] = {"Content-Type: application/json", NULL};
    o = (struct testlib_http_opts){.headers = json_ct, .body = "{\"username\":\"" USER "\"}"};
    testlib_http_call(f->srv.url, "POST", "/v1/login", &o, &r);
    testlib_assert_problem(&r, 400, "invalid-field", "password", "password: required");
    testlib_response_done(&r);
    o.body = "{\"username\":\"" USER "\",\"password\":\"x\",\"otp\":1}";
    testlib_http_call(f->srv.url, "POST", "/v1/login", &o, &r);
    testlib_assert_problem(&r, 400, "unknown-field", "otp", NULL);
    testlib_response_done(&r);
    assert_int_equal(atomic_load(&f->engine.hits), 0);
}

static void test_create_reserves_addresses(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    int64_t before = time_now_s();
    create(f, "{\"name\":\"web\",\"image_id\":\"pop-tiny:latest\"}", &r);
    const json_t *c = r.json;
    const char *id = str_at(c, "id");
    assert_non_null(id);
    assert_int_equal(strlen(id), 36);
    assert_string_equal(json_string_value(json_array_get(json_object_get(c, "names"), 0)), "web");
    assert_int_equal(json_array_size(json_object_get(c, "names")), 1);
    assert_string_equal(str_at(c, "status"), "CREATED");
    assert_string_equal(str_at(c, "extended_status"), "created; not started");
    assert_string_equal(str_at(c, "image_id"), "pop-tiny:latest");
    assert_string_equal(str_at(c, "flavour_id"), "docker.container");
    assert_true(json_integer_value(json_object_get(c, "created")) >= before);
    assert_int_equal(json_object_size(json_object_get(c, "md")), 0);
    /* The default network, its lowest free host address reserved. */
    assert_int_equal(json_object_size(json_object_get(c, "endpoints")), 1);
    assert_string_equal(str_at(c, "endpoints.private.net_id"), NET_ID);
    assert_string_equal(str_at(c, "endpoints.private.net_name"), "private");
    assert_string_equal(str_at(c, "endpoints.private.ipv4.address"), "10.77.0.2");
    assert_string_equal(str_at(c, "endpoints.private.ipv4.subnet.cidr"), "10.77.0.0/24");
    assert_string_equal(str_at(c, "endpoints.private.ipv4.subnet.gateway"), "10.77.0.1");
    assert_int_equal(strlen(str_at(c, "endpoints.private.endpoint_id")), 36);
    testlib_response_done(&r);

    /* An address asked for is reserved as asked; then it is taken. */
    create(f,
           "{\"name\":\"db\",\"image_id\":\"pop-base:1\",\"flavour_id\":\"small\","
           "\"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"10.77.0.9\"}}}}",
           &r);
    assert_string_equal(str_at(r.json, "endpoints.private.ipv4.address"), "10.77.0.9");
    assert_string_equal(str_at(r.json, "flavour_id"), "small");
    testlib_response_done(&r);
    /* An empty address means "assign one": the next lowest. */
    create(f,
           "{\"name\":\"cache\",\"image_id\":\"pop-tiny:latest\","
           "\"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"\"}}}}",
           &r);
    assert_string_equal(str_at(r.json, "endpoints.private.ipv4.address"), "10.77.0.3");
    testlib_response_done(&r);

    char *before_refusals = snapshot(f);
    refused(f, "POST", "/v1/containers",
            "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\","
            "\"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"10.77.0.9\"}}}}",
            409, "conflict", "endpoints.private.ipv4.address", "10.77.0.9 is already reserved");
    refused(f, "POST", "/v1/containers", "{\"name\":\"web\",\"image_id\":\"pop-tiny:latest\"}", 409,
            "conflict", "name", "a container called 'web' already exists");
    refused(f, "POST", "/v1/containers",
            "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\",\"endpoints\":{\"nowhere\":{}}}", 400,
            "invalid-field", "endpoints", "no network called 'nowhere'");
    refused(f, "POST", "/v1/containers",
            "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\","
            "\"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"10.77.1.5\"}}}}",
            400, "invalid-field", "endpoints.private.ipv4.address",
            "10.77.1.5 is not a usable host address");
    refused(f, "POST", "/v1/containers",
            "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\","
            "\"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"10.77.0.1\"}}}}",
            400, "invalid-field", "endpoints.private.ipv4.address", NULL);
    assert_unchanged(f, before_refusals);
    assert_int_equal(atomic_load(&f->engine.hits), 0);
}

/* Each refused with a 4xx naming the problem (and the field where there is one); none changes
 * anything. */
static void test_bad_create_bodies(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    create(f, "{\"name\":\"base\",\"image_id\":\"pop-tiny:latest\"}", &r);
    testlib_response_done(&r);
    char *before = snapshot(f);
    const char *c = "/v1/containers";
    refused(f, "POST", c, "{\"name\":\"x\",\"image_id\":", 400, "bad-json", NULL, NULL);
    refused(f, "POST", c, "{\"name\":\"x\",\"name\":\"y\",\"image_id\":\"pop-tiny:latest\"}", 400,
            "bad-json", NULL, "duplicate");
    refused(f, "POST", c, "[]", 400, "bad-json", NULL, NULL);
    refused(f, "POST", c, "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\",\"colour\":\"red\"}",
            400, "unknown-field", "colour", "colour: unknown field");
    refused(f, "POST", c, "{\"name\":5,\"image_id\":\"pop-tiny:latest\"}", 400, "invalid-field",
            "name", NULL);
    refused(f, "POST", c, "{\"name\":\"x\"}", 400, "invalid-field", "image_id", "required");
    refused(f, "POST", c, "{\"name\":\"bad name!\",\"image_id\":\"pop-tiny:latest\"}", 400,
            "invalid-field", "name", NULL);
    refused(f, "POST", c,
            "{\"name\":\"12345678-abcd-4bcd-8bcd-123456789abc\",\"image_id\":\"pop-tiny:latest\"}",
            400, "invalid-field", "name", "form of an id");
    refused(f, "POST", c,
            "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\","
            "\"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"\",\"mask\":\"x\"}}}}",
            400, "unknown-field", "endpoints.private.ipv4.mask", NULL);
    refused(f, "POST", c,
            "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\","
            "\"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"999.1.1.1\"}}}}",
            400, "invalid-field", "endpoints.private.ipv4.address", NULL);
    refused(f, "POST", c,
            "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\","
            "\"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"0.0.0.0\"}}}}",
            400, "invalid-field", "endpoints.private.ipv4.address", "leave the address out");
    refused(f, "POST", c,
            "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\",\"flavour_id\":\"huge\"}", 400,
            "invalid-field", "flavour_id", "unknown flavour 'huge'");
    refused(f, "POST", c, "{\"name\":\"x\",\"image_id\":\"nginx:latest\"}", 403, "forbidden", NULL,
            "image allowlist");

    /* The layer's refusals before the handler: media type and body cap. */
    const char *const text[] = {f->auth, "Content-Type: text/plain", NULL};
    struct testlib_http_opts o = {.headers = text, .body = "{}"};
    testlib_http_call(f->srv.url, "POST", c, &o, &r);
    testlib_assert_problem(&r, 415, "unsupported-media-type", NULL, NULL);
    testlib_response_done(&r);
    char big[BODY_MAX + 64];
    int n =
        snprintf(big, sizeof(big), "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\",\"pad\":\"");
    memset(big + n, 'p', sizeof(big) - (size_t)n - 3);
    memcpy(big + sizeof(big) - 3, "\"}", 3);
    refused(f, "POST", c, big, 413, "body-too-large", NULL, NULL);

    assert_unchanged(f, before);
    assert_int_equal(atomic_load(&f->engine.hits), 0);
}

static void test_metadata_patch_on_created(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    create(f, "{\"name\":\"web\",\"image_id\":\"pop-tiny:latest\"}", &r);
    char id[64], path[128];
    snprintf(id, sizeof(id), "%s", str_at(r.json, "id"));
    testlib_response_done(&r);

    call(f, "PATCH", "/v1/containers/web/metadata", "{\"entries\":{\"A\":\"1\",\"B_2\":\"x y\"}}",
         &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(r.json, "status"), "CREATED");
    assert_string_equal(str_at(r.json, "md.A"), "1");
    assert_string_equal(str_at(r.json, "md.B_2"), "x y");
    testlib_response_done(&r);
    /* By id; an empty value deletes the key. */
    snprintf(path, sizeof(path), "/v1/containers/%s/metadata", id);
    call(f, "PATCH", path, "{\"entries\":{\"A\":\"\",\"C\":\"3\"}}", &r);
    assert_int_equal(r.status, 200);
    json_t *want = json_pack("{s:s, s:s}", "B_2", "x y", "C", "3");
    assert_true(json_equal(json_object_get(r.json, "md"), want));
    json_decref(want);
    testlib_response_done(&r);

    char *before = snapshot(f);
    refused(f, "PATCH", path, "{\"entries\":{\"1BAD\":\"x\"}}", 400, "invalid-field",
            "entries.1BAD", NULL);
    refused(f, "PATCH", path, "{\"entries\":{\"A\":5}}", 400, "invalid-field", "entries.A", NULL);
    refused(f, "PATCH", path, "{\"entries\":{},\"x\":1}", 400, "unknown-field", "x", NULL);
    refused(f, "PATCH", path, "{}", 400, "invalid-field", "entries", "required");
    refused(f, "PATCH", "/v1/containers/web/metadata?apply=bogus", "{\"entries\":{\"A\":\"1\"}}",
            400, "bad-query", NULL, "apply");
    refused(f, "PATCH", "/v1/containers/nosuch/metadata", "{\"entries\":{\"A\":\"1\"}}", 404,
            "not-found", NULL, "nosuch");
    refused(f, "PATCH", "/v1/containers/bad%20name/metadata", "{\"entries\":{\"A\":\"1\"}}", 400,
            "bad-request", NULL, "is not an id or name");
    assert_unchanged(f, before);
    assert_int_equal(atomic_load(&f->engine.hits), 0);
}

static void test_get_and_list(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r, by_id;
    create(f, "{\"name\":\"web\",\"image_id\":\"pop-tiny:latest\"}", &r);
    char id[64], path[128];
    snprintf(id, sizeof(id), "%s", str_at(r.json, "id"));
    testlib_response_done(&r);
    create(f, "{\"name\":\"db\",\"image_id\":\"pop-tiny:latest\"}", &r);
    testlib_response_done(&r);

    call(f, "GET", "/v1/containers/web", NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(path, sizeof(path), "/v1/containers/%s", id);
    call(f, "GET", path, NULL, &by_id);
    assert_int_equal(by_id.status, 200);
    assert_true(json_equal(r.json, by_id.json));
    assert_string_equal(str_at(r.json, "id"), id);
    testlib_response_done(&by_id);
    testlib_response_done(&r);

    call(f, "GET", "/v1/containers", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "list")), 2);
    testlib_response_done(&r);
    call(f, "GET", "/v1/containers?name=web", NULL, &r);
    json_t *list = json_object_get(r.json, "list");
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(str_at(json_array_get(list, 0), "id"), id);
    testlib_response_done(&r);
    snprintf(path, sizeof(path), "/v1/containers?id=%s", id);
    call(f, "GET", path, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "list")), 1);
    testlib_response_done(&r);
    call(f, "GET", "/v1/containers?name=nosuch", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "list")), 0);
    testlib_response_done(&r);

    refused(f, "GET", "/v1/containers?name=bad%20name", NULL, 400, "bad-query", NULL, "name:");
    refused(f, "GET", "/v1/containers/nosuch", NULL, 404, "not-found", NULL,
            "no container with id or name 'nosuch'");
    assert_int_equal(atomic_load(&f->engine.hits), 0);
}

static void test_networks_and_flavours(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    call(f, "GET", "/v1/networks", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *list = json_object_get(r.json, "list");
    assert_int_equal(json_array_size(list), 1);
    json_t *net = json_array_get(list, 0);
    assert_string_equal(str_at(net, "id"), NET_ID);
    assert_string_equal(str_at(net, "name"), "private");
    json_t *sn = json_array_get(json_object_get(net, "subnets"), 0);
    assert_string_equal(str_at(sn, "cidr"), "10.77.0.0/24");
    assert_string_equal(str_at(sn, "gateway"), "10.77.0.1");
    testlib_response_done(&r);
    call(f, "GET", "/v1/networks?name=private", NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "list")), 1);
    testlib_response_done(&r);
    call(f, "GET", "/v1/networks?name=other", NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "list")), 0);
    testlib_response_done(&r);
    call(f, "GET", "/v1/networks/private", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(r.json, "id"), NET_ID);
    testlib_response_done(&r);

    /* Refused before the engine is asked anything. */
    char *before = snapshot(f);
    refused(f, "GET", "/v1/networks/nosuch", NULL, 404, "not-found", NULL, "nosuch");
    refused(f, "POST", "/v1/networks", "{\"name\":\"private\"}", 409, "conflict", "name",
            "a network called 'private' already exists");
    refused(f, "POST", "/v1/networks", "{\"name\":\"data\",\"cidr\":\"10.1.2.3/24\"}", 400,
            "invalid-field", "cidr", "host bits");
    refused(f, "POST", "/v1/networks", "{\"name\":\"data\",\"cidr\":\"10.1.2.0/24\",\"mtu\":1}",
            400, "unknown-field", "mtu", NULL);
    refused(f, "POST", "/v1/networks", "{\"cidr\":\"10.1.2.0/24\"}", 400, "invalid-field", "name",
            "required");
    refused(f, "DELETE", "/v1/networks/private", NULL, 403, "forbidden", NULL, "default network");
    assert_unchanged(f, before);

    call(f, "GET", "/v1/flavours", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *want = json_pack("[{s:s, s:s, s:i, s:i}, {s:s, s:s, s:i, s:i}, {s:s, s:s, s:i, s:i}]",
                             "id", "docker.container", "name", "docker.container", "vcpus", 0,
                             "ram", 0, "id", "small", "name", "small", "vcpus", 1, "ram", 512, "id",
                             "medium", "name", "medium", "vcpus", 2, "ram", 2048);
    if (!json_equal(json_object_get(r.json, "list"), want))
        fail_msg("flavours: %s", strbuf_str(&r.body));
    json_decref(want);
    testlib_response_done(&r);
    assert_int_equal(atomic_load(&f->engine.hits), 0);
}

static void test_state_conflict_and_metrics(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    create(f, "{\"name\":\"web\",\"image_id\":\"pop-tiny:latest\"}", &r);
    testlib_response_done(&r);
    refused(f, "POST", "/v1/containers/web/stop", NULL, 409, "state-conflict", NULL, "CREATED");
    refused(f, "POST", "/v1/containers/nosuch/start", NULL, 404, "not-found", NULL, NULL);

    /* /metrics needs a session; the store's counts are read at scrape time. */
    assert_int_equal(testlib_http_call(f->srv.url, "GET", "/metrics", NULL, &r), 0);
    testlib_assert_problem(&r, 401, "unauthorized", NULL, NULL);
    testlib_response_done(&r);
    call(f, "GET", "/metrics", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(strbuf_str(&r.body), "popd_containers{status=\"CREATED\"} 1\n"));
    assert_non_null(strstr(strbuf_str(&r.body), "popd_reserved_addresses 1\n"));
    assert_non_null(strstr(strbuf_str(&r.body),
                           "http_requests_total{route=\"/v1/containers\",method=\"POST\","
                           "status=\"2xx\"} 1\n"));
    testlib_response_done(&r);
    assert_int_equal(atomic_load(&f->engine.hits), 0);
}

/* The requests that need the engine, while it hangs up on everything: a delete is refused as
 * a gateway failure and forgets nothing; health says the engine is unreachable. */
static void test_engine_unreachable(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    create(f, "{\"name\":\"web\",\"image_id\":\"pop-tiny:latest\"}", &r);
    testlib_response_done(&r);
    char *before = snapshot(f);
    refused(f, "DELETE", "/v1/containers/web", NULL, 502, "bad-gateway", NULL,
            "the engine could not remove container 'web'");
    assert_unchanged(f, before);
    int hits = atomic_load(&f->engine.hits);
    assert_true(hits >= 1);

    assert_int_equal(testlib_http_call(f->srv.url, "GET", "/healthz", NULL, &r), 0);
    assert_int_equal(r.status, 503);
    assert_string_equal(str_at(r.json, "status"), "degraded");
    assert_string_equal(str_at(r.json, "engine"), "unreachable");
    testlib_response_done(&r);
    assert_true(atomic_load(&f->engine.hits) > hits);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_login_info_logout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_reserves_addresses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_create_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metadata_patch_on_created, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_and_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_networks_and_flavours, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_conflict_and_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engine_unreachable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
