/* lib/http request framing against a hostile client: raw bytes on a socket to a real server, so
 * that requests no well-behaved client library would send can be tried. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/request.h"
#include "http/server.h"
#include "testlib.h"
#include "testlib_http.h"

#define IDLE_TIMEOUT_S 10 /* far longer than any answer below may take */
#define ANSWER_WAIT_MS 3000

struct fixture {
    struct testlib_server srv; /* first: see testlib_server_fixture */
    atomic_int handler_calls;
};

static void h_echo(struct http_request *req, void *userdata)
{
    struct fixture *f = userdata;
    atomic_fetch_add(&f->handler_calls, 1);
    size_t len = 0;
    http_request_body(req, &len);
    const char *auth = http_request_header(req, "Authorization");
    http_reply_json(req, 200, json_pack("{s:I, s:s?}", "body_len", (json_int_t)len, "auth", auth));
}

static int authenticate(struct http_request *req, void *userdata)
{
    (void)userdata;
    const char *auth = http_request_header(req, "Authorization");
    return auth && strcmp(auth, "Bearer good") == 0 ? 0 : -EACCES;
}

static const struct http_route routes[] = {
    {"GET", "/echo", h_echo, HTTP_ROUTE_PUBLIC},
    {"POST", "/echo", h_echo, HTTP_ROUTE_PUBLIC},
    {"GET", "/private", h_echo, 0},
};

static int setup(void **state)
{
    struct http_server_config cfg = {
        .conn_timeout_s = IDLE_TIMEOUT_S,
        .routes = routes,
        .n_routes = sizeof(routes) / sizeof(routes[0]),
        .authenticate = authenticate,
    };
    *state = testlib_server_fixture(sizeof(struct fixture), &cfg);
    return 0;
}

/* Sends len raw bytes and reads until the server closes or ANSWER_WAIT_MS pass. */
static void exchange(struct fixture *f, const char *raw, size_t len, struct testlib_exchange *ret)
{
    testlib_exchange(f->srv.port, raw, len, ANSWER_WAIT_MS, ret);
}

#define EXCHANGE(f, lit, ret) exchange(f, lit, sizeof(lit) - 1, ret)

static unsigned count_responses(const struct testlib_exchange *x)
{
    unsigned n = 0;
    for (const char *p = x->reply; (p = strstr(p, "HTTP/1.1 ")); p++) {
        unsigned status;
        char sp;
        if (sscanf(p + 9, "%3u%c", &status, &sp) == 2 && sp == ' ')
            n++; /* a status line, not the text "HTTP/1.1" inside a detail */
    }
    return n;
}

/* One 400 problem+json naming what is wrong, and the connection closed at once. */
static void assert_refused(struct fixture *f, const struct testlib_exchange *x,
                           const char *detail_part)
{
    if (strncmp(x->reply, "HTTP/1.1 400 ", 13) != 0)
        fail_msg("expected 400, got: %.200s", x->reply);
    assert_int_equal(count_responses(x), 1);
    assert_non_null(strstr(x->reply, "Content-Type: application/problem+json"));
    const char *body = strstr(x->reply, "\r\n\r\n");
    assert_non_null(body);
    json_t *j = json_loads(body + 4, 0, NULL);
    assert_non_null(j);
    const char *detail = json_string_value(json_object_get(j, "detail"));
    assert_non_null(detail);
    if (!strstr(detail, detail_part))
        fail_msg("detail '%s' does not say '%s'", detail, detail_part);
    json_decref(j);
    assert_true(x->closed);
    assert_true(x->elapsed_ms < ANSWER_WAIT_MS);
    assert_int_equal(atomic_load(&f->handler_calls), 0);
}

/* Sends the literal raw request; it must be refused (assert_refused) saying detail_part. */
#define REFUSED(f, lit, detail_part)                                                               \
    do {                                                                                           \
        struct testlib_exchange x_;                                                                \
        EXCHANGE(f, lit, &x_);                                                                     \
        assert_refused(f, &x_, detail_part);                                                       \
    } while (0)

static void test_duplicate_content_length_smuggling(void **state)
{
    struct fixture *f = *state;
    /* The first length hides a second request in the body; the second length exposes it. */
    REFUSED(f,
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            "Content-Length: 33\r\nContent-Length: 0\r\n\r\n"
            "GET /echo HTTP/1.1\r\nHost: a\r\n\r\n",
            "more than one Content-Length");
}

static void test_transfer_codings_other_than_chunked(void **state)
{
    struct fixture *f = *state;
    static const char *const codings[] = {"gzip", "identity", "chunked, gzip", "xchunked",
                                          "gzip, chunked"};
    for (size_t i = 0; i < sizeof(codings) / sizeof(codings[0]); i++) {
        char raw[256];
        int n = snprintf(raw, sizeof(raw),
                         "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                         "Transfer-Encoding: %s\r\n\r\n",
                         codings[i]);
        struct testlib_exchange x;
        exchange(f, raw, (size_t)n, &x);
        assert_refused(f, &x, "Transfer-Encoding must be chunked");
    }
    REFUSED(f,
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
            "Content-Length: 5\r\n\r\n0\r\n\r\n",
            "both Content-Length and Transfer-Encoding");
    REFUSED(f,
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
            "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "more than one Transfer-Encoding");
}

static void test_plain_chunked_body_still_works(void **state)
{
    struct fixture *f = *state;
    struct testlib_exchange x;
    EXCHANGE(f,
             "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
             "Transfer-Encoding: Chunked\r\nConnection: close\r\n\r\n"
             "2\r\n{}\r\n0\r\n\r\n",
             &x);
    assert_int_equal(strncmp(x.reply, "HTTP/1.1 200 ", 13), 0);
    assert_non_null(strstr(x.reply, "\"body_len\":2"));
}

static void test_host_header_rules(void **state)
{
    struct fixture *f = *state;
    struct testlib_exchange x;
    REFUSED(f, "GET /echo HTTP/1.1\r\n\r\n", "needs a Host header");
    REFUSED(f, "GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "more than one Host");
    /* HTTP/1.0 has no Host requirement. */
    EXCHANGE(f, "GET /echo HTTP/1.0\r\n\r\n", &x);
    assert_int_equal(strncmp(x.reply, "HTTP/1.1 200 ", 13), 0);
}

static void test_bad_header_names(void **state)
{
    struct fixture *f = *state;
    REFUSED(f, "GET /echo HTTP/1.1\r\nHost: a\r\nX Foo: b\r\n\r\n", "header name 'X?Foo'");
    REFUSED(f, "GET /echo HTTP/1.1\r\nHost: a\r\nX-Foo : b\r\n\r\n", "header name 'X-Foo?'");
    REFUSED(f,
            "GET /echo HTTP/1.1\r\nHost: a\r\nX\x01"
            "Foo: b\r\n\r\n",
            "header name 'X?Foo'");
}

static void test_control_bytes_in_header_values(void **state)
{
    struct fixture *f = *state;
    static const char bytes[] = {0x01, 0x1b, 0x07, 0x0b, '\t', 0x7f};
    for (size_t i = 0; i < sizeof(bytes); i++) {
        char raw[128];
        int n = snprintf(raw, sizeof(raw), "GET /echo HTTP/1.1\r\nHost: a\r\nX-Foo: b%cc\r\n\r\n",
                         bytes[i]);
        struct testlib_exchange x;
        exchange(f, raw, (size_t)n, &x);
        char want[64];
        snprintf(want, sizeof(want), "X-Foo contains control byte 0x%02x at offset 1",
                 (unsigned char)bytes[i]);
        assert_refused(f, &x, want);
        const char *body = strstr(x.reply, "\r\n\r\n");
        json_t *j = json_loads(body + 4, 0, NULL);
        assert_string_equal(json_string_value(json_object_get(j, "header")), "X-Foo");
        json_decref(j);
    }
    /* An empty value is legal HTTP. */
    struct testlib_exchange x;
    EXCHANGE(f,
             "GET /echo HTTP/1.1\r\nHost: a\r\nX-Foo: b c\r\nX-Empty:\r\n"
             "Connection: close\r\n\r\n",
             &x);
    assert_int_equal(strncmp(x.reply, "HTTP/1.1 200 ", 13), 0);
}

static void test_two_authorization_headers(void **state)
{
    struct fixture *f = *state;
    struct testlib_exchange x;
    REFUSED(f,
            "GET /private HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer good\r\n"
            "Authorization: Bearer other\r\n\r\n",
            "more than one Authorization");
    REFUSED(f,
            "GET /private HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer other\r\n"
            "Authorization: Bearer good\r\n\r\n",
            "more than one Authorization");
    EXCHANGE(f,
             "GET /private HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer good\r\n"
             "Connection: close\r\n\r\n",
             &x);
    assert_int_equal(strncmp(x.reply, "HTTP/1.1 200 ", 13), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_duplicate_content_length_smuggling, setup,
                                        testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_transfer_codings_other_than_chunked, setup,
                                        testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_plain_chunked_body_still_works, setup,
                                        testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_host_header_rules, setup, testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_bad_header_names, setup, testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_control_bytes_in_header_values, setup,
                                        testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_two_authorization_headers, setup,
                                        testlib_server_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
