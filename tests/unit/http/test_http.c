/* Unit tests for lib/http: a real MHD server on 127.0.0.1 port 0, driven with libcurl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/metrics.h"
#include "core/strbuf.h"
#include "http/request.h"
#include "http/server.h"
#include "testlib.h"
#include "testlib_http.h"

#define BODY_MAX 1024

struct fixture {
    struct testlib_server srv;
    atomic_int handler_calls;
    atomic_int second_reply_result;
    atomic_bool slow_entered;
    atomic_int stream_freed;
    /* a registry of the "service's" own, passed in the config (NULL: the server's own) */
    struct metrics *registry;
    struct metric *jobs;
    atomic_int collect_fail;
    /* stream handshake: the producer waits until the client saw the first chunk */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool client_got_first;
};

/* ---- handlers ---- */

static void h_container(struct http_request *req, void *userdata)
{
    struct fixture *f = userdata;
    atomic_fetch_add(&f->handler_calls, 1);
    const char *name = http_request_query(req, "name");
    const char *principal = http_request_get_ctx(req);
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s?, s:s?}", "id", http_request_param(req, "id"), "name",
                              name, "principal", principal));
}

static void h_create(struct http_request *req, void *userdata)
{
    struct fixture *f = userdata;
    atomic_fetch_add(&f->handler_calls, 1);
    size_t len;
    const char *body = http_request_body(req, &len);
    http_reply_json(
        req, 201, json_pack("{s:I, s:b}", "len", (json_int_t)len, "terminated", body[len] == '\0'));
}

static void h_start(struct http_request *req, void *userdata)
{
    (void)userdata;
    http_reply_empty(req, 204);
}

static void h_public(struct http_request *req, void *userdata)
{
    (void)userdata;
    http_reply_text(req, 200, NULL, "ok");
}

static void h_forgetful(struct http_request *req, void *userdata)
{
    (void)req;
    (void)userdata;
}

static void h_twice(struct http_request *req, void *userdata)
{
    struct fixture *f = userdata;
    http_reply_header(req, "Retry-After", "7");
    http_reply_error_ext(req, API_INVALID_FIELD, json_pack("{s:s}", "field", "name"),
                         "field %s must not be empty", "name");
    atomic_store(&f->second_reply_result, http_reply_json(req, 200, json_object()));
}

static int count_header(const char *name, const char *value, void *cls)
{
    (void)value;
    if (strcasecmp(name, "X-Test") == 0)
        (*(int *)cls)++;
    return 0;
}

static void h_proxy(struct http_request *req, void *userdata)
{
    (void)userdata;
    int seen = 0;
    http_request_foreach_header(req, count_header, &seen);
    const char *qs = http_request_query_string(req);
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s?, s:s, s:i}", "rest", http_request_param(req, "rest"),
                              "query", qs, "path", http_request_path(req), "x_test", seen));
}

static void h_slow(struct http_request *req, void *userdata)
{
    struct fixture *f = userdata;
    atomic_store(&f->slow_entered, true);
    usleep(300 * 1000);
    http_reply_text(req, 200, NULL, "done");
}

struct stream_state {
    struct fixture *f;
    int next;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream_state *st = cls;
    if (st->next == 5)
        return HTTP_STREAM_END;
    if (st->next == 1) {
        /* Only a layer that sends chunks as they come lets the client see chunk 0 now. */
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 5;
        pthread_mutex_lock(&st->f->lock);
        while (!st->f->client_got_first)
            if (pthread_cond_timedwait(&st->f->cond, &st->f->lock, &deadline) == ETIMEDOUT)
                break;
        bool ok = st->f->client_got_first;
        pthread_mutex_unlock(&st->f->lock);
        if (!ok)
            return HTTP_STREAM_ERROR;
    }
    int n = snprintf(buf, max, "chunk-%d\n", st->next++);
    return n;
}

static void h_stream(struct http_request *req, void *userdata)
{
    struct stream_state *st = calloc(1, sizeof(*st));
    st->f = userdata;
    static const char *const headers[] = {"Content-Type",      "text/plain", "Connection", "close",
                                          "Transfer-Encoding", "gzip",       NULL};
    http_reply_stream(req, 200, headers, -1, stream_read, st, free);
}

struct endless {
    struct fixture *f;
};

static ssize_t endless_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if (pos > 0)
        usleep(5 * 1000);
    int n = snprintf(buf, max, "tick\n");
    return n;
}

static void endless_free(void *cls)
{
    struct endless *e = cls;
    atomic_fetch_add(&e->f->stream_freed, 1);
    free(e);
}

static void h_endless(struct http_request *req, void *userdata)
{
    struct endless *e = malloc(sizeof(*e));
    e->f = userdata;
    http_reply_stream(req, 200, NULL, -1, endless_read, e, endless_free);
}

static int authenticate(struct http_request *req, void *userdata)
{
    (void)userdata;
    const char *auth = http_request_header(req, "Authorization");
    if (auth && strcmp(auth, "Bearer good") == 0) {
        http_request_set_ctx(req, strdup("alice"), free);
        return 0;
    }
    http_reply_header(req, "WWW-Authenticate", "Bearer");
    http_reply_error(req, API_UNAUTHORIZED, "missing or bad token");
    return -EACCES;
}

static const struct http_route routes[] = {
    {"GET", "/v1/containers/{id}", h_container, 0},
    {"POST", "/v1/containers", h_create, HTTP_ROUTE_JSON},
    {"POST", "/v1/containers/{id}/start", h_start, 0},
    {"GET", "/public", h_public, HTTP_ROUTE_PUBLIC},
    {"GET", "/forgetful", h_forgetful, HTTP_ROUTE_PUBLIC},
    {"GET", "/twice", h_twice, HTTP_ROUTE_PUBLIC},
    {NULL, "/proxy/{*rest}", h_proxy, HTTP_ROUTE_PUBLIC},
    {"GET", "/metrics", http_handle_metrics, HTTP_ROUTE_PUBLIC},
    {"GET", "/slow", h_slow, HTTP_ROUTE_PUBLIC},
    {"GET", "/stream", h_stream, HTTP_ROUTE_PUBLIC},
    {"GET", "/endless", h_endless, HTTP_ROUTE_PUBLIC},
};

/* ---- client helpers ---- */

/* The producer of /stream waits until the client saw its first chunk. */
static bool signal_first_chunk(const struct testlib_response *resp, void *ud)
{
    struct fixture *f = ud;
    if (strstr(strbuf_str(&resp->body), "chunk-0\n")) {
        pthread_mutex_lock(&f->lock);
        f->client_got_first = true;
        pthread_cond_broadcast(&f->cond);
        pthread_mutex_unlock(&f->lock);
    }
    return true;
}

/* Sends one request; headers is NULL-terminated (may be NULL). body NULL = no body. */
static void request(struct fixture *f, const char *method, const char *path,
                    const char *const *headers, const char *body, struct testlib_response *resp)
{
    struct testlib_http_opts o = {.headers = headers, .body = body};
    testlib_http_call(f->srv.url, method, path, &o, resp);
}

/* Sends one request whose reply must be lib/http's problem status/code, naming no field. */
static void request_problem(struct fixture *f, const char *method, const char *path,
                            const char *const *headers, const char *body, long status,
                            const char *code)
{
    struct testlib_http_opts o = {.headers = headers, .body = body};
    testlib_call_problem(f->srv.url, method, path, &o, status, code, NULL, NULL);
}

/* The reply's body as JSON (borrowed from resp); fails the test when it is not JSON. */
static json_t *body_json(const struct testlib_response *resp)
{
    if (!resp->json)
        fail_msg("not JSON: %s", strbuf_str(&resp->body));
    return resp->json;
}

static const char *const auth_ok[] = {"Authorization: Bearer good", NULL};

/* ---- fixtures ---- */

static const char test_cert_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjjCCATSgAwIBAgIUWEBm1/rHJdGCeQHSG7XKfar7ukQwCgYIKoZIzj0EAwIw\n"
    "EzERMA8GA1UEAwwIcG9wLXRlc3QwIBcNMjYxMTI0MjEzODEwWhgPMjEyNjEwMzEy\n"
    "MTM4MTBaMBMxETAPBgNVBAMMCHBvcC10ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
    "AQcDQgAEls9t5LTPQ2YINMr8IPtFLY8w07zfPOwbS9OgLyU3B3CL9SVvqlSFWu5a\n"
    "Weiwh2USqo97p7ydR1CfFEMc72nd4aNkMGIwHQYDVR0OBBYEFIBqd92wq/1OVkY0\n"
    "VH8g+XfpH35pMB8GA1UdIwQYMBaAFIBqd92wq/1OVkY0VH8g+XfpH35pMA8GA1Ud\n"
    "EwEB/wQFMAMBAf8wDwYDVR0RBAgwBocEfwAAATAKBggqhkjOPQQDAgNIADBFAiEA\n"
    "5NtHzGLIWDFaHUDn54oBL4dWibmlHE3xl5QaiuV1HMoCIFMQ+sA99hJ5rym3zZA9\n"
    "gfWp8dg9WVAm00g1gArYEcJU\n"
    "-----END CERTIFICATE-----\n";

/* A throwaway key generated for this test only. */
static const char test_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgy79fFBTNoHth+T2N\n"
    "DdtkvN4NFZY1oXdtDoYTcyO9hTihRANCAASWz23ktM9DZgg0yvwg+0UtjzDTvN88\n"
    "7BtL06AvJTcHcIv1JW+qVIVa7lpZ6LCHZRKqj3unvJ1HUJ8UQxzvad3h\n"
    "-----END PRIVATE KEY-----\n";

/* The service's collect hook: sets its gauge at scrape time, or fails as told. */
static int collect_jobs(struct metrics *m, void *ud)
{
    (void)m;
    struct fixture *f = ud;
    int fail = atomic_load(&f->collect_fail);
    return fail ? fail : metric_set(f->jobs, (const char *const[]){"queued"}, 7);
}

static int start_server_full(void **state, unsigned timeout_s, bool tls, bool registry,
                             bool trailing_slash)
{
    struct fixture *f = calloc(1, sizeof(*f));
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->cond, NULL);
    if (registry && (metrics_new(&f->registry) < 0 ||
                     metrics_gauge(f->registry, "svc_jobs", "Jobs by state.",
                                   (const char *const[]){"state", NULL}, &f->jobs) < 0 ||
                     metrics_on_collect(f->registry, collect_jobs, f) < 0))
        return -1;
    struct http_server_config cfg = {
        .bind_addr = "127.0.0.1",
        .conn_timeout_s = timeout_s,
        .body_max = BODY_MAX,
        .routes = routes,
        .n_routes = sizeof(routes) / sizeof(routes[0]),
        .userdata = f,
        .authenticate = authenticate,
        .server_name = "pop-test",
        .access_log = true,
        .tls_cert_pem = tls ? test_cert_pem : NULL,
        .tls_key_pem = tls ? test_key_pem : NULL,
        .metrics = f->registry,
        .trailing_slash = trailing_slash,
    };
    testlib_server_start(&f->srv, &cfg);
    *state = f;
    return 0;
}

static int start_server(void **state, unsigned timeout_s)
{
    return start_server_full(state, timeout_s, false, false, false);
}

static int setup_tls(void **state)
{
    return start_server_full(state, 5, true, false, false);
}

static int setup_registry(void **state)
{
    return start_server_full(state, 5, false, true, false);
}

static int setup_trailing_slash(void **state)
{
    return start_server_full(state, 5, false, false, true);
}

static int setup(void **state)
{
    return start_server(state, 5);
}

static int setup_short_timeout(void **state)
{
    return start_server(state, 1);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    testlib_server_stop(&f->srv);
    metrics_free(f->registry);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->cond);
    free(f);
    return 0;
}

/* ---- tests ---- */

static void test_route_params_and_query(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    request(f, "GET", "/v1/containers/web%201?name=a%20b", auth_ok, NULL, &r);
    assert_int_equal(r.status, 200);
    testlib_assert_header(&r, "Content-Type", "application/json");
    testlib_assert_header(&r, "Server", "pop-test");
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "web 1");
    assert_string_equal(json_string_value(json_object_get(j, "name")), "a b");
    assert_string_equal(json_string_value(json_object_get(j, "principal")), "alice");
    testlib_response_done(&r);

    request(f, "GET", "/v1/containers/x?name", auth_ok, NULL, &r);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "name")), ""); /* present, empty */
    testlib_response_done(&r);
    request(f, "GET", "/v1/containers/x?other=1", auth_ok, NULL, &r);
    j = body_json(&r);
    assert_true(json_is_null(json_object_get(j, "name")));
    testlib_response_done(&r);

    request(f, "POST", "/v1/containers/x/start", auth_ok, NULL, &r);
    assert_int_equal(r.status, 204);
    testlib_response_done(&r);

    /* A parameter never matches an empty segment, and there is no implicit trailing slash. */
    request_problem(f, "GET", "/v1/containers/", auth_ok, NULL, 404, "not-found");
}

/* With trailing_slash, "/x/" names the resource of "/x" when no pattern matches "/x/" itself;
 * one slash only, and the method rules are those of the bare path. */
static void test_trailing_slash(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    request(f, "GET", "/v1/containers/web/?name=n", auth_ok, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "web");
    assert_string_equal(json_string_value(json_object_get(j, "name")), "n");
    testlib_response_done(&r);
    request(f, "GET", "/public/", auth_ok, NULL, &r);
    assert_int_equal(r.status, 200);
    testlib_response_done(&r);
    request(f, "POST", "/v1/containers/web/start/", auth_ok, NULL, &r);
    assert_int_equal(r.status, 204);
    testlib_response_done(&r);
    /* "/v1/containers/": {id} never matches an empty segment; "/v1/containers" is POST only. */
    request(f, "GET", "/v1/containers/", auth_ok, NULL, &r);
    testlib_assert_problem(&r, 405, "method-not-allowed", NULL, NULL);
    testlib_assert_header(&r, "Allow", "POST");
    testlib_response_done(&r);
    /* The authentication hook still runs for the bare path's route. */
    request_problem(f, "GET", "/v1/containers/web/", NULL, NULL, 401, "unauthorized");
    request_problem(f, "GET", "/public//", auth_ok, NULL, 404, "not-found");
    request_problem(f, "GET", "/nope/", auth_ok, NULL, 404, "not-found");
    /* A rest capture takes the slash as part of the rest: nothing is stripped. */
    request(f, "GET", "/proxy/a/", auth_ok, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(body_json(&r), "rest")), "a/");
    testlib_response_done(&r);
}

static void test_not_found_and_method_not_allowed(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;

    request_problem(f, "GET", "/nope", auth_ok, NULL, 404, "not-found");

    request(f, "DELETE", "/v1/containers", auth_ok, NULL, &r);
    testlib_assert_problem(&r, 405, "method-not-allowed", NULL, NULL);
    testlib_assert_header(&r, "Allow", "POST");
    testlib_response_done(&r);

    request(f, "PUT", "/v1/containers/abc", auth_ok, NULL, &r);
    testlib_assert_problem(&r, 405, "method-not-allowed", NULL, NULL);
    testlib_assert_header(&r, "Allow", "GET, HEAD");
    testlib_response_done(&r);

    request_problem(f, "GET", "/v1/../public", NULL, NULL, 400, "bad-request");
    request_problem(f, "GET", "/v1/containers/%zz", auth_ok, NULL, 400, "bad-request");
    assert_int_equal(atomic_load(&f->handler_calls), 0);
}

static void test_body_cap(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    static const char *const json_ct[] = {"Content-Type: application/json",
                                          "Authorization: Bearer good", NULL};
    char *big = malloc(BODY_MAX + 2);
    memset(big, 'x', BODY_MAX + 1);
    big[BODY_MAX + 1] = '\0';

    request_problem(f, "POST", "/v1/containers", json_ct, big, 413, "body-too-large");

    /* Without a Content-Length the cap applies while reading. */
    struct testlib_http_opts chunked = {.headers = json_ct, .chunked_len = BODY_MAX * 5};
    testlib_http_call(f->srv.url, "POST", "/v1/containers", &chunked, &r);
    testlib_assert_problem(&r, 413, "body-too-large", NULL, NULL);
    testlib_response_done(&r);
    assert_int_equal(atomic_load(&f->handler_calls), 0);

    big[BODY_MAX] = '\0'; /* exactly at the cap is fine */
    request(f, "POST", "/v1/containers", json_ct, big, &r);
    assert_int_equal(r.status, 201);
    json_t *j = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "len")), BODY_MAX);
    assert_true(json_is_true(json_object_get(j, "terminated")));
    testlib_response_done(&r);

    chunked.chunked_len = 700;
    testlib_http_call(f->srv.url, "POST", "/v1/containers", &chunked, &r);
    assert_int_equal(r.status, 201);
    j = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "len")), 700);
    testlib_response_done(&r);
    free(big);
}

static void test_unsupported_media_type(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    static const char *const text_ct[] = {"Content-Type: text/plain", "Authorization: Bearer good",
                                          NULL};
    static const char *const json_charset[] = {"Content-Type: Application/JSON; charset=utf-8",
                                               "Authorization: Bearer good", NULL};
    request_problem(f, "POST", "/v1/containers", text_ct, "{}", 415, "unsupported-media-type");
    assert_int_equal(atomic_load(&f->handler_calls), 0);

    request(f, "POST", "/v1/containers", json_charset, "{}", &r);
    assert_int_equal(r.status, 201);
    testlib_response_done(&r);

    /* A body-less POST needs no content type. */
    request(f, "POST", "/v1/containers", auth_ok, NULL, &r);
    assert_int_equal(r.status, 201);
    testlib_response_done(&r);
}

static bool is_generated_id(const char *id)
{
    if (strlen(id) != 32)
        return false;
    for (const char *p = id; *p; p++)
        if (!strchr("0123456789abcdef", *p))
            return false;
    return true;
}

static void test_request_id(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    char rid[128], rid2[128];

    request(f, "GET", "/public", NULL, NULL, &r);
    assert_true(testlib_response_header(&r, "X-Request-Id", rid, sizeof(rid)));
    assert_true(is_generated_id(rid));
    testlib_response_done(&r);
    request(f, "GET", "/public", NULL, NULL, &r);
    assert_true(testlib_response_header(&r, "X-Request-Id", rid2, sizeof(rid2)));
    assert_true(is_generated_id(rid2));
    assert_string_not_equal(rid, rid2);
    testlib_response_done(&r);

    static const char *const sane[] = {"X-Request-Id: abc-123.X_y", NULL};
    request(f, "GET", "/public", sane, NULL, &r);
    testlib_assert_header(&r, "X-Request-Id", "abc-123.X_y");
    testlib_response_done(&r);

    static const char *const insane[] = {"X-Request-Id: bad id;rm", NULL};
    request(f, "GET", "/public", insane, NULL, &r);
    assert_true(testlib_response_header(&r, "X-Request-Id", rid, sizeof(rid)));
    assert_true(is_generated_id(rid));
    testlib_response_done(&r);

    char too_long[100] = "X-Request-Id: ";
    memset(too_long + strlen(too_long), 'a', 65);
    const char *const long_hdr[] = {too_long, NULL};
    request(f, "GET", "/public", long_hdr, NULL, &r);
    assert_true(testlib_response_header(&r, "X-Request-Id", rid, sizeof(rid)));
    assert_true(is_generated_id(rid));
    testlib_response_done(&r);

    /* Errors carry it too, in the header and the problem body. */
    request(f, "GET", "/nope", sane, NULL, &r);
    testlib_assert_problem(&r, 404, "not-found", NULL, NULL);
    testlib_assert_header(&r, "X-Request-Id", "abc-123.X_y");
    testlib_response_done(&r);
}

static void test_authenticate_hook(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    static const char *const bad[] = {"Authorization: Bearer nope", NULL};

    request(f, "GET", "/v1/containers/abc", NULL, NULL, &r);
    testlib_assert_problem(&r, 401, "unauthorized", NULL, NULL);
    testlib_assert_header(&r, "WWW-Authenticate", "Bearer");
    testlib_response_done(&r);
    request_problem(f, "GET", "/v1/containers/abc", bad, NULL, 401, "unauthorized");
    /* Rejected before the body is read or the handler runs. */
    static const char *const json_ct[] = {"Content-Type: application/json", NULL};
    request_problem(f, "POST", "/v1/containers", json_ct, "{}", 401, "unauthorized");
    assert_int_equal(atomic_load(&f->handler_calls), 0);

    request(f, "GET", "/public", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(strbuf_str(&r.body), "ok");
    testlib_response_done(&r);

    request(f, "GET", "/v1/containers/abc", auth_ok, NULL, &r);
    assert_int_equal(r.status, 200);
    testlib_response_done(&r);
    assert_int_equal(atomic_load(&f->handler_calls), 1);
}

static void test_error_ext_and_single_reply(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    request(f, "GET", "/twice", NULL, NULL, &r);
    testlib_assert_problem(&r, 400, "invalid-field", "name", NULL);
    testlib_assert_header(&r, "Retry-After", "7");
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "detail")),
                        "field name must not be empty");
    testlib_response_done(&r);
    assert_int_equal(atomic_load(&f->second_reply_result), -EALREADY);
}

static void test_forgotten_reply_is_500(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    request_problem(f, "GET", "/forgetful", NULL, NULL, 500, "internal");
    /* The connection thread is still healthy. */
    request(f, "GET", "/public", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    testlib_response_done(&r);
}

static void test_proxy_subtree(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    static const char *const hdrs[] = {"X-Test: 1", NULL};
    request(f, "PATCH", "/proxy/a/b%2Fc?x=1&y=%20", hdrs, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "rest")), "a/b%2Fc");
    assert_string_equal(json_string_value(json_object_get(j, "query")), "x=1&y=%20");
    assert_string_equal(json_string_value(json_object_get(j, "path")), "/proxy/a/b%2Fc");
    assert_int_equal(json_integer_value(json_object_get(j, "x_test")), 1);
    testlib_response_done(&r);

    request(f, "GET", "/proxy/", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "rest")), "");
    assert_true(json_is_null(json_object_get(j, "query")));
    testlib_response_done(&r);
}

static void test_stream_delivers_chunks(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    struct testlib_http_opts watch = {.on_body = signal_first_chunk, .ud = f};
    testlib_http_call(f->srv.url, "GET", "/stream", &watch, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(strbuf_str(&r.body), "chunk-0\nchunk-1\nchunk-2\nchunk-3\nchunk-4\n");
    char v[64];
    testlib_assert_header(&r, "Transfer-Encoding",
                          "chunked"); /* the caller's hop-by-hop headers were dropped */
    testlib_assert_header(&r, "Content-Type", "text/plain");
    assert_true(testlib_response_header(&r, "X-Request-Id", v, sizeof(v)));
    testlib_response_done(&r);
}

static bool hang_up(const struct testlib_response *resp, void *ud)
{
    (void)resp;
    (void)ud;
    return false; /* makes curl hang up mid-body */
}

static void test_stream_client_abort_frees(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    struct testlib_http_opts o = {.on_body = hang_up};
    assert_int_equal(testlib_http_call(f->srv.url, "GET", "/endless", &o, &r), -ECONNABORTED);
    testlib_response_done(&r);
    /* The producer learns of the hang-up: its free callback runs once, without a stop. */
    for (int i = 0; i < 500 && atomic_load(&f->stream_freed) == 0; i++)
        usleep(10 * 1000);
    assert_int_equal(atomic_load(&f->stream_freed), 1);
}

static void test_head(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    request(f, "HEAD", "/public", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(strbuf_str(&r.body), "");
    testlib_response_done(&r);
    request(f, "GET", "/public", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(strbuf_str(&r.body), "ok");
    testlib_response_done(&r);
}

/* The same requests over HTTPS with the in-memory certificate and key. */
static void test_tls(void **state)
{
    test_head(state);
}

static bool metrics_contain(struct fixture *f, const char *const *needles)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        struct testlib_response r;
        request(f, "GET", "/metrics", NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        bool all = true;
        for (size_t i = 0; needles[i]; i++)
            all = all && strstr(strbuf_str(&r.body), needles[i]);
        if (all || attempt == 99)
            print_message("%s", all ? "" : strbuf_str(&r.body));
        testlib_response_done(&r);
        if (all)
            return true;
        usleep(20 * 1000); /* the completion callback may trail the client by a moment */
    }
    return false;
}

static void test_metrics(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    for (int i = 0; i < 3; i++) {
        request(f, "GET", "/v1/containers/a", auth_ok, NULL, &r);
        testlib_response_done(&r);
    }
    request(f, "GET", "/nope", NULL, NULL, &r);
    testlib_response_done(&r);
    request(f, "GET", "/forgetful", NULL, NULL, &r);
    testlib_response_done(&r);
    static const char *const needles[] = {
        "# TYPE http_requests_total counter\n",
        "http_requests_total{route=\"/v1/containers/{id}\",method=\"GET\",status=\"2xx\"} 3\n",
        "http_requests_total{route=\"unmatched\",method=\"GET\",status=\"4xx\"} 1\n",
        "http_requests_total{route=\"/forgetful\",method=\"GET\",status=\"5xx\"} 1\n",
        "# TYPE http_requests_in_flight gauge\nhttp_requests_in_flight 1\n",
        "# TYPE http_request_duration_seconds summary\n",
        "http_request_duration_seconds_count{route=\"/v1/containers/{id}\"} 3\n",
        NULL,
    };
    assert_true(metrics_contain(f, needles));
}

/* The service's registry holds the server's families too: one page with both. */
static void test_metrics_in_service_registry(void **state)
{
    struct fixture *f = *state;
    struct testlib_response r;
    request(f, "GET", "/public", NULL, NULL, &r);
    testlib_response_done(&r);
    static const char *const needles[] = {
        "# HELP svc_jobs Jobs by state.\n# TYPE svc_jobs gauge\nsvc_jobs{state=\"queued\"} 7\n",
        "http_requests_total{route=\"/public\",method=\"GET\",status=\"2xx\"} 1\n",
        "# TYPE http_requests_in_flight gauge\nhttp_requests_in_flight 1\n",
        "http_request_duration_seconds_count{route=\"/public\"} 1\n",
        NULL,
    };
    assert_true(metrics_contain(f, needles));
    assert_ptr_equal(http_server_registry(f->srv.http), f->registry);
    request(f, "GET", "/metrics", NULL, NULL, &r);
    testlib_assert_header(&r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    testlib_response_done(&r);

    /* One server per registry: a second one would count into the same series. */
    struct http_server *other = NULL;
    struct http_server_config cfg = {.routes = routes, .n_routes = 1, .metrics = f->registry};
    assert_int_equal(http_server_start(&cfg, &other), -EEXIST);
    assert_null(other);
}

/* A render that fails is a 500 problem, never a 200 with part of the page. */
static void test_metrics_render_failure_is_500(void **state)
{
    struct fixture *f = *state;
    atomic_store(&f->collect_fail, -EIO);
    struct testlib_response r;
    request(f, "GET", "/metrics", NULL, NULL, &r);
    testlib_assert_problem(&r, 500, "internal", NULL, NULL);
    assert_null(strstr(strbuf_str(&r.body), "http_requests_total"));
    testlib_response_done(&r);
    /* The failure is not sticky. */
    atomic_store(&f->collect_fail, 0);
    request(f, "GET", "/metrics", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(strbuf_str(&r.body), "svc_jobs{state=\"queued\"} 7\n"));
    testlib_response_done(&r);
}

static void test_idle_connection_times_out(void **state)
{
    struct fixture *f = *state;
    /* Half a request line, then silence: the server must hang up on its own. */
    struct testlib_exchange x;
    testlib_exchange(f->srv.port, "GET /pub", 8, 10 * 1000, &x);
    assert_true(x.closed || x.len > 0);
    assert_true(x.len == 0 || strncmp(x.reply, "HTTP/1.1 408", 12) == 0);
}

struct slow_client {
    struct fixture *f;
    struct testlib_response r;
};

static void *slow_client_main(void *cls)
{
    struct slow_client *sc = cls;
    request(sc->f, "GET", "/slow", NULL, NULL, &sc->r);
    return NULL;
}

static void test_stop_lets_in_flight_finish(void **state)
{
    struct fixture *f = *state;
    struct slow_client sc = {.f = f};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, slow_client_main, &sc), 0);
    while (!atomic_load(&f->slow_entered))
        usleep(1000);
    testlib_server_stop(&f->srv);
    pthread_join(t, NULL);
    assert_int_equal(sc.r.status, 200);
    assert_string_equal(strbuf_str(&sc.r.body), "done");
    testlib_response_done(&sc.r);
}

static void test_bad_config(void **state)
{
    (void)state;
    struct http_server *srv = NULL;
    struct http_server_config cfg = {.bind_addr = "not-an-address"};
    assert_int_equal(http_server_start(&cfg, &srv), -EINVAL);
    static const struct http_route bad_routes[] = {{"GET", "no-slash", h_public, 0}};
    cfg = (struct http_server_config){.routes = bad_routes, .n_routes = 1};
    assert_int_equal(http_server_start(&cfg, &srv), -EINVAL);
    cfg = (struct http_server_config){.tls_cert_pem = "x"};
    assert_int_equal(http_server_start(&cfg, &srv), -EINVAL);
    assert_null(srv);
    assert_int_equal(api_error_status(API_GATEWAY_TIMEOUT), 504);
    assert_string_equal(api_error_code(API_STATE_CONFLICT), "state-conflict");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_route_params_and_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_slash, setup_trailing_slash, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_and_method_not_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported_media_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_authenticate_hook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_ext_and_single_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forgotten_reply_is_500, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proxy_subtree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_delivers_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_client_abort_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_in_service_registry, setup_registry, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_render_failure_is_500, setup_registry,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_head, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls, setup_tls, teardown),
        cmocka_unit_test_setup_teardown(test_idle_connection_times_out, setup_short_timeout,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stop_lets_in_flight_finish, setup, teardown),
        cmocka_unit_test(test_bad_config),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
