/* Unit tests for lib/http: a real MHD server on 127.0.0.1 port 0, driven with libcurl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "http/request.h"
#include "http/server.h"

#define BODY_MAX 1024

struct fixture {
    struct http_server *srv;
    atomic_int handler_calls;
    atomic_int second_reply_result;
    atomic_bool slow_entered;
    atomic_int stream_freed;
    bool tls;
    /* stream handshake: the producer waits until the client saw the first chunk */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool client_got_first;
};

struct response {
    long status;
    struct strbuf body;
    struct strbuf headers;
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

static void h_metrics(struct http_request *req, void *userdata)
{
    (void)userdata;
    struct strbuf sb = STRBUF_INIT;
    if (http_server_metrics(http_request_server(req), &sb) < 0) {
        strbuf_done(&sb);
        http_reply_error(req, API_INTERNAL, NULL);
        return;
    }
    http_reply_text(req, 200, "text/plain; version=0.0.4", strbuf_str(&sb));
    strbuf_done(&sb);
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
    {"GET", "/metrics", h_metrics, HTTP_ROUTE_PUBLIC},
    {"GET", "/slow", h_slow, HTTP_ROUTE_PUBLIC},
    {"GET", "/stream", h_stream, HTTP_ROUTE_PUBLIC},
    {"GET", "/endless", h_endless, HTTP_ROUTE_PUBLIC},
};

/* ---- client helpers ---- */

static size_t collect(char *data, size_t size, size_t n, void *cls)
{
    strbuf_append(cls, data, size * n);
    return size * n;
}

struct first_chunk_watch {
    struct fixture *f;
    struct strbuf *body;
};

static size_t collect_and_signal(char *data, size_t size, size_t n, void *cls)
{
    struct first_chunk_watch *w = cls;
    strbuf_append(w->body, data, size * n);
    if (strstr(strbuf_str(w->body), "chunk-0\n")) {
        pthread_mutex_lock(&w->f->lock);
        w->f->client_got_first = true;
        pthread_cond_broadcast(&w->f->cond);
        pthread_mutex_unlock(&w->f->lock);
    }
    return size * n;
}

struct upload {
    size_t left;
};

static size_t upload_read(char *buf, size_t size, size_t n, void *cls)
{
    struct upload *u = cls;
    size_t k = size * n < u->left ? size * n : u->left;
    memset(buf, 'x', k);
    u->left -= k;
    return k;
}

/* Sends one request; headers is NULL-terminated (may be NULL). body NULL = no body.
 * chunked_len > 0 uploads that many bytes with Transfer-Encoding: chunked instead. */
static void request_full(struct fixture *f, const char *method, const char *path,
                         const char *const *headers, const char *body, size_t chunked_len,
                         struct response *resp, struct first_chunk_watch *watch)
{
    char url[512];
    snprintf(url, sizeof(url), "%s://127.0.0.1:%u%s", f->tls ? "https" : "http",
             http_server_port(f->srv), path);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *hl = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    struct upload up = {chunked_len};
    if (chunked_len) {
        hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
    } else if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    /* The test certificate is a throwaway; validity dates would tie the test to the clock. */
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    if (watch) {
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_and_signal);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, watch);
    } else {
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp->body);
    }
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp->headers);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("curl %s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
}

static void request(struct fixture *f, const char *method, const char *path,
                    const char *const *headers, const char *body, struct response *resp)
{
    request_full(f, method, path, headers, body, 0, resp, NULL);
}

static void response_done(struct response *resp)
{
    strbuf_done(&resp->body);
    strbuf_done(&resp->headers);
}

/* The value of a response header (last occurrence), copied into out; false when absent. */
static bool header_value(const struct response *resp, const char *name, char *out, size_t size)
{
    bool found = false;
    const char *p = strbuf_str(&resp->headers);
    size_t nlen = strlen(name);
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            while (*v == ' ')
                v++;
            size_t vlen = (size_t)(p + len - v);
            while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
                vlen--;
            snprintf(out, size, "%.*s", (int)vlen, v);
            found = true;
        }
        p += len + (eol ? 1 : 0);
    }
    return found;
}

static json_t *body_json(const struct response *resp)
{
    json_error_t err;
    json_t *j = json_loads(strbuf_str(&resp->body), 0, &err);
    if (!j)
        fail_msg("not JSON (%s): %s", err.text, strbuf_str(&resp->body));
    return j;
}

static void assert_problem(const struct response *resp, unsigned status, const char *code)
{
    char ct[128], rid[128], type[160];
    assert_int_equal(resp->status, status);
    assert_true(header_value(resp, "Content-Type", ct, sizeof(ct)));
    assert_string_equal(ct, "application/problem+json");
    assert_true(header_value(resp, "X-Request-Id", rid, sizeof(rid)));
    json_t *j = body_json(resp);
    snprintf(type, sizeof(type), "https://pop-nfv.dev/problems/%s", code);
    assert_string_equal(json_string_value(json_object_get(j, "type")), type);
    assert_string_equal(json_string_value(json_object_get(j, "code")), code);
    assert_int_equal(json_integer_value(json_object_get(j, "status")), status);
    assert_non_null(json_string_value(json_object_get(j, "title")));
    assert_non_null(json_string_value(json_object_get(j, "detail")));
    assert_string_equal(json_string_value(json_object_get(j, "request_id")), rid);
    json_decref(j);
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

static int start_server_tls(void **state, unsigned timeout_s, bool tls)
{
    struct fixture *f = calloc(1, sizeof(*f));
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->cond, NULL);
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
    };
    f->tls = tls;
    if (http_server_start(&cfg, &f->srv) < 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int start_server(void **state, unsigned timeout_s)
{
    return start_server_tls(state, timeout_s, false);
}

static int setup_tls(void **state)
{
    return start_server_tls(state, 5, true);
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
    http_server_stop(f->srv);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->cond);
    free(f);
    return 0;
}

/* ---- tests ---- */

static void test_route_params_and_query(void **state)
{
    struct fixture *f = *state;
    struct response r = {0};
    request(f, "GET", "/v1/containers/web%201?name=a%20b", auth_ok, NULL, &r);
    assert_int_equal(r.status, 200);
    char v[128];
    assert_true(header_value(&r, "Content-Type", v, sizeof(v)));
    assert_string_equal(v, "application/json");
    assert_true(header_value(&r, "Server", v, sizeof(v)));
    assert_string_equal(v, "pop-test");
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "web 1");
    assert_string_equal(json_string_value(json_object_get(j, "name")), "a b");
    assert_string_equal(json_string_value(json_object_get(j, "principal")), "alice");
    json_decref(j);
    response_done(&r);

    request(f, "GET", "/v1/containers/x?name", auth_ok, NULL, &r);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "name")), ""); /* present, empty */
    json_decref(j);
    response_done(&r);
    request(f, "GET", "/v1/containers/x?other=1", auth_ok, NULL, &r);
    j = body_json(&r);
    assert_true(json_is_null(json_object_get(j, "name")));
    json_decref(j);
    response_done(&r);

    request(f, "POST", "/v1/containers/x/start", auth_ok, NULL, &r);
    assert_int_equal(r.status, 204);
    response_done(&r);

    /* A parameter never matches an empty segment, and there is no implicit trailing slash. */
    request(f, "GET", "/v1/containers/", auth_ok, NULL, &r);
    assert_problem(&r, 404, "not-found");
    response_done(&r);
}

static void test_not_found_and_method_not_allowed(void **state)
{
    struct fixture *f = *state;
    struct response r = {0};
    char allow[128];

    request(f, "GET", "/nope", auth_ok, NULL, &r);
    assert_problem(&r, 404, "not-found");
    response_done(&r);

    request(f, "DELETE", "/v1/containers", auth_ok, NULL, &r);
    assert_problem(&r, 405, "method-not-allowed");
    assert_true(header_value(&r, "Allow", allow, sizeof(allow)));
    assert_string_equal(allow, "POST");
    response_done(&r);

    request(f, "PUT", "/v1/containers/abc", auth_ok, NULL, &r);
    assert_problem(&r, 405, "method-not-allowed");
    assert_true(header_value(&r, "Allow", allow, sizeof(allow)));
    assert_string_equal(allow, "GET, HEAD");
    response_done(&r);

    request(f, "GET", "/v1/../public", NULL, NULL, &r);
    assert_problem(&r, 400, "bad-request");
    response_done(&r);
    request(f, "GET", "/v1/containers/%zz", auth_ok, NULL, &r);
    assert_problem(&r, 400, "bad-request");
    response_done(&r);
    assert_int_equal(atomic_load(&f->handler_calls), 0);
}

static void test_body_cap(void **state)
{
    struct fixture *f = *state;
    struct response r = {0};
    static const char *const json_ct[] = {"Content-Type: application/json",
                                          "Authorization: Bearer good", NULL};
    char *big = malloc(BODY_MAX + 2);
    memset(big, 'x', BODY_MAX + 1);
    big[BODY_MAX + 1] = '\0';

    request(f, "POST", "/v1/containers", json_ct, big, &r);
    assert_problem(&r, 413, "body-too-large");
    response_done(&r);

    /* Without a Content-Length the cap applies while reading. */
    request_full(f, "POST", "/v1/containers", json_ct, NULL, BODY_MAX * 5, &r, NULL);
    assert_problem(&r, 413, "body-too-large");
    response_done(&r);
    assert_int_equal(atomic_load(&f->handler_calls), 0);

    big[BODY_MAX] = '\0'; /* exactly at the cap is fine */
    request(f, "POST", "/v1/containers", json_ct, big, &r);
    assert_int_equal(r.status, 201);
    json_t *j = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "len")), BODY_MAX);
    assert_true(json_is_true(json_object_get(j, "terminated")));
    json_decref(j);
    response_done(&r);

    request_full(f, "POST", "/v1/containers", json_ct, NULL, 700, &r, NULL);
    assert_int_equal(r.status, 201);
    j = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "len")), 700);
    json_decref(j);
    response_done(&r);
    free(big);
}

static void test_unsupported_media_type(void **state)
{
    struct fixture *f = *state;
    struct response r = {0};
    static const char *const text_ct[] = {"Content-Type: text/plain", "Authorization: Bearer good",
                                          NULL};
    static const char *const json_charset[] = {"Content-Type: Application/JSON; charset=utf-8",
                                               "Authorization: Bearer good", NULL};
    request(f, "POST", "/v1/containers", text_ct, "{}", &r);
    assert_problem(&r, 415, "unsupported-media-type");
    response_done(&r);
    assert_int_equal(atomic_load(&f->handler_calls), 0);

    request(f, "POST", "/v1/containers", json_charset, "{}", &r);
    assert_int_equal(r.status, 201);
    response_done(&r);

    /* A body-less POST needs no content type. */
    request(f, "POST", "/v1/containers", auth_ok, NULL, &r);
    assert_int_equal(r.status, 201);
    response_done(&r);
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
    struct response r = {0};
    char rid[128], rid2[128];

    request(f, "GET", "/public", NULL, NULL, &r);
    assert_true(header_value(&r, "X-Request-Id", rid, sizeof(rid)));
    assert_true(is_generated_id(rid));
    response_done(&r);
    request(f, "GET", "/public", NULL, NULL, &r);
    assert_true(header_value(&r, "X-Request-Id", rid2, sizeof(rid2)));
    assert_true(is_generated_id(rid2));
    assert_string_not_equal(rid, rid2);
    response_done(&r);

    static const char *const sane[] = {"X-Request-Id: abc-123.X_y", NULL};
    request(f, "GET", "/public", sane, NULL, &r);
    assert_true(header_value(&r, "X-Request-Id", rid, sizeof(rid)));
    assert_string_equal(rid, "abc-123.X_y");
    response_done(&r);

    static const char *const insane[] = {"X-Request-Id: bad id;rm", NULL};
    request(f, "GET", "/public", insane, NULL, &r);
    assert_true(header_value(&r, "X-Request-Id", rid, sizeof(rid)));
    assert_true(is_generated_id(rid));
    response_done(&r);

    char too_long[100] = "X-Request-Id: ";
    memset(too_long + strlen(too_long), 'a', 65);
    const char *const long_hdr[] = {too_long, NULL};
    request(f, "GET", "/public", long_hdr, NULL, &r);
    assert_true(header_value(&r, "X-Request-Id", rid, sizeof(rid)));
    assert_true(is_generated_id(rid));
    response_done(&r);

    /* Errors carry it too, in the header and the problem body. */
    request(f, "GET", "/nope", sane, NULL, &r);
    assert_problem(&r, 404, "not-found");
    assert_true(header_value(&r, "X-Request-Id", rid, sizeof(rid)));
    assert_string_equal(rid, "abc-123.X_y");
    response_done(&r);
}

static void test_authenticate_hook(void **state)
{
    struct fixture *f = *state;
    struct response r = {0};
    char v[64];
    static const char *const bad[] = {"Authorization: Bearer nope", NULL};

    request(f, "GET", "/v1/containers/abc", NULL, NULL, &r);
    assert_problem(&r, 401, "unauthorized");
    assert_true(header_value(&r, "WWW-Authenticate", v, sizeof(v)));
    assert_string_equal(v, "Bearer");
    response_done(&r);
    request(f, "GET", "/v1/containers/abc", bad, NULL, &r);
    assert_problem(&r, 401, "unauthorized");
    response_done(&r);
    /* Rejected before the body is read or the handler runs. */
    static const char *const json_ct[] = {"Content-Type: application/json", NULL};
    request(f, "POST", "/v1/containers", json_ct, "{}", &r);
    assert_problem(&r, 401, "unauthorized");
    response_done(&r);
    assert_int_equal(atomic_load(&f->handler_calls), 0);

    request(f, "GET", "/public", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(strbuf_str(&r.body), "ok");
    response_done(&r);

    request(f, "GET", "/v1/containers/abc", auth_ok, NULL, &r);
    assert_int_equal(r.status, 200);
    response_done(&r);
    assert_int_equal(atomic_load(&f->handler_calls), 1);
}

static void test_error_ext_and_single_reply(void **state)
{
    struct fixture *f = *state;
    struct response r = {0};
    char v[64];
    request(f, "GET", "/twice", NULL, NULL, &r);
    assert_problem(&r, 400, "invalid-field");
    assert_true(header_value(&r, "Retry-After", v, sizeof(v)));
    assert_string_equal(v, "7");
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "name");
    assert_string_equal(json_string_value(json_object_get(j, "detail")),
                        "field name must not be empty");
    json_decref(j);
    response_done(&r);
    assert_int_equal(atomic_load(&f->second_reply_result), -EALREADY);
}

static void test_forgotten_reply_is_500(void **state)
{
    struct fixture *f = *state;
    struct response r = {0};
    request(f, "GET", "/forgetful", NULL, NULL, &r);
    assert_problem(&r, 500, "internal");
    response_done(&r);
    /* The connection thread is still healthy. */
    request(f, "GET", "/public", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    response_done(&r);
}

static void test_proxy_subtree(void **state)
{
    struct fixture *f = *state;
    struct response r = {0};
    static const char *const hdrs[] = {"X-Test: 1", NULL};
    request(f, "PATCH", "/proxy/a/b%2Fc?x=1&y=%20", hdrs, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "rest")), "a/b%2Fc");
    assert_string_equal(json_string_value(json_object_get(j, "query")), "x=1&y=%20");
    assert_string_equal(json_string_value(json_object_get(j, "path")), "/proxy/a/b%2Fc");
    assert_int_equal(json_integer_value(json_object_get(j, "x_test")), 1);
    json_decref(j);
    response_done(&r);

    request(f, "GET", "/proxy/", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "rest")), "");
    assert_true(json_is_null(json_object_get(j, "query")));
    json_decref(j);
    response_done(&r);
}

static void test_stream_delivers_chunks(void **state)
{
    struct fixture *f = *state;
    struct response r = {0};
    struct first_chunk_watch w = {f, &r.body};
    request_full(f, "GET", "/stream", NULL, NULL, 0, &r, &w);
    assert_int_equal(r.status, 200);
    assert_string_equal(strbuf_str(&r.body), "chunk-0\nchunk-1\nchunk-2\nchunk-3\nchunk-4\n");
    char v[64];
    assert_true(header_value(&r, "Transfer-Encoding", v, sizeof(v)));
    assert_string_equal(v, "chunked"); /* the caller's hop-by-hop headers were dropped */
    assert_true(header_value(&r, "Content-Type", v, sizeof(v)));
    assert_string_equal(v, "text/plain");
    assert_true(header_value(&r, "X-Request-Id", v, sizeof(v)));
    response_done(&r);
}

static size_t abort_after_first(char *data, size_t size, size_t n, void *cls)
{
    (void)data;
    (void)cls;
    (void)size;
    (void)n;
    return 0; /* makes curl hang up mid-body */
}

static void test_stream_client_abort_frees(void **state)
{
    struct fixture *f = *state;
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/endless", http_server_port(f->srv));
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, abort_after_first);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    assert_int_equal(curl_easy_perform(c), CURLE_WRITE_ERROR);
    curl_easy_cleanup(c);
    /* The producer learns of the hang-up: its free callback runs once, without a stop. */
    for (int i = 0; i < 500 && atomic_load(&f->stream_freed) == 0; i++)
        usleep(10 * 1000);
    assert_int_equal(atomic_load(&f->stream_freed), 1);
}

static void test_head(void **state)
{
    struct fixture *f = *state;
    struct response r = {0};
    request(f, "HEAD", "/public", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(strbuf_str(&r.body), "");
    response_done(&r);
    request(f, "GET", "/public", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(strbuf_str(&r.body), "ok");
    response_done(&r);
}

/* The same requests over HTTPS with the in-memory certificate and key. */
static void test_tls(void **state)
{
    test_head(state);
}

static bool metrics_contain(struct fixture *f, const char *const *needles)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        struct response r = {0};
        request(f, "GET", "/metrics", NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        bool all = true;
        for (size_t i = 0; needles[i]; i++)
            all = all && strstr(strbuf_str(&r.body), needles[i]);
        if (all || attempt == 99)
            print_message("%s", all ? "" : strbuf_str(&r.body));
        response_done(&r);
        if (all)
            return true;
        usleep(20 * 1000); /* the completion callback may trail the client by a moment */
    }
    return false;
}

static void test_metrics(void **state)
{
    struct fixture *f = *state;
    struct response r = {0};
    for (int i = 0; i < 3; i++) {
        request(f, "GET", "/v1/containers/a", auth_ok, NULL, &r);
        response_done(&r);
    }
    request(f, "GET", "/nope", NULL, NULL, &r);
    response_done(&r);
    request(f, "GET", "/forgetful", NULL, NULL, &r);
    response_done(&r);
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

static void test_idle_connection_times_out(void **state)
{
    struct fixture *f = *state;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(http_server_port(f->srv))};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    /* Half a request line, then silence: the server must hang up on its own. */
    assert_int_equal(write(fd, "GET /pub", 8), 8);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, 10 * 1000);
    assert_int_equal(n, 1);
    char buf[256];
    ssize_t got = read(fd, buf, sizeof(buf));
    assert_true(got <= 0 || strncmp(buf, "HTTP/1.1 408", 12) == 0);
    close(fd);
}

struct slow_client {
    struct fixture *f;
    struct response r;
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
    http_server_stop(f->srv);
    f->srv = NULL;
    pthread_join(t, NULL);
    assert_int_equal(sc.r.status, 200);
    assert_string_equal(strbuf_str(&sc.r.body), "done");
    response_done(&sc.r);
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
