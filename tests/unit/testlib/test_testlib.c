/* The shared fixtures themselves: a temporary tree is removed whole without following links
 * out of it, only the prefix's variables are scrubbed, captures return exactly what was
 * written and put the descriptor back, the closed port refuses connections, the HTTP call
 * keeps status, headers, body and JSON, and the media-type rule of the problem assertion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/request.h"
#include "testlib.h"
#include "testlib_http.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_tmpdir_removed_whole_links_not_followed(void **state)
{
    (void)state;
    char *outside = testlib_tmpdir_new("testlib-outside");
    char kept[256];
    snprintf(kept, sizeof(kept), "%s/kept", outside);
    write_file(kept, "x");

    char *dir = testlib_tmpdir_new("testlib-tree");
    assert_int_equal(strncmp(dir, "/tmp/testlib-tree.", 18), 0);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char p[512];
    snprintf(p, sizeof(p), "%s/a", dir);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/a/b", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/a/b/file", dir);
    write_file(p, "y");
    snprintf(p, sizeof(p), "%s/a/link-to-outside", dir);
    assert_int_equal(symlink(outside, p), 0);
    snprintf(p, sizeof(p), "%s/file", dir);
    write_file(p, "z");
    char dir_copy[256];
    snprintf(dir_copy, sizeof(dir_copy), "%s", dir);
    testlib_tmpdir_free(dir);
    assert_int_equal(stat(dir_copy, &st), -1);
    assert_int_equal(errno, ENOENT);
    /* What the link pointed to is untouched. */
    assert_int_equal(stat(kept, &st), 0);
    testlib_tmpdir_free(outside);
    testlib_tmpdir_free(NULL);
}

static void test_env_clear_only_the_prefix(void **state)
{
    (void)state;
    setenv("TLTEST_A", "1", 1);
    setenv("TLTEST_B", "", 1);
    setenv("TLTESTX", "2", 1);
    setenv("XTLTEST_C", "3", 1);
    assert_int_equal(testlib_env_clear("TLTEST_"), 2);
    assert_null(getenv("TLTEST_A"));
    assert_null(getenv("TLTEST_B"));
    assert_string_equal(getenv("TLTESTX"), "2");
    assert_string_equal(getenv("XTLTEST_C"), "3");
    assert_int_equal(testlib_env_clear("TLTEST_"), 0);
    unsetenv("TLTESTX");
    unsetenv("XTLTEST_C");
}

static void test_capture_both_streams(void **state)
{
    (void)state;
    struct testlib_capture out, err;
    testlib_capture_begin(&out, STDOUT_FILENO);
    testlib_capture_begin(&err, STDERR_FILENO);
    printf("to stdout\n"); /* buffered: the capture flushes it */
    fprintf(stderr, "to stderr");
    assert_int_equal(write(STDERR_FILENO, " raw\n", 5), 5);
    char *e = testlib_capture_end(&err);
    char *o = testlib_capture_end(&out);
    assert_string_equal(o, "to stdout\n");
    assert_string_equal(e, "to stderr raw\n");
    free(o);
    free(e);
    /* Nothing written: an empty string, not NULL. */
    testlib_capture_begin(&err, STDERR_FILENO);
    e = testlib_capture_end(&err);
    assert_string_equal(e, "");
    free(e);
}

static void test_closed_port_refuses(void **state)
{
    (void)state;
    uint16_t port = testlib_closed_port();
    assert_true(port > 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), -1);
    assert_int_equal(errno, ECONNREFUSED);
    close(fd);
}

static void h_echo(struct http_request *req, void *userdata)
{
    (void)userdata;
    size_t len = 0;
    const char *body = http_request_body(req, &len);
    http_reply_header(req, "X-Seen", http_request_header(req, "X-Test"));
    http_reply_json(req, 200, json_pack("{s:s%}", "body", body, len));
}

static void h_problem(struct http_request *req, void *userdata)
{
    (void)userdata;
    http_reply_error_ext(req, API_INVALID_FIELD, json_pack("{s:s}", "field", "a.b"),
                         "a.b: must be short");
}

static const struct http_route routes[] = {
    {"POST", "/echo", h_echo, HTTP_ROUTE_PUBLIC},
    {"GET", "/problem", h_problem, HTTP_ROUTE_PUBLIC},
};

static void test_server_call_and_problem(void **state)
{
    (void)state;
    struct testlib_server srv;
    struct http_server_config cfg = {.routes = routes, .n_routes = 2};
    testlib_server_start(&srv, &cfg);
    char want[64];
    snprintf(want, sizeof(want), "http://127.0.0.1:%u", srv.port);
    assert_string_equal(srv.url, want);

    struct testlib_response r;
    static const char *const hdrs[] = {"X-Test: hello", NULL};
    struct testlib_http_opts o = {.headers = hdrs, .body = "payload"};
    assert_int_equal(testlib_http_call(srv.url, "POST", "/echo", &o, &r), 0);
    assert_int_equal(r.status, 200);
    char v[64];
    testlib_assert_header(&r, "x-seen", "hello");
    assert_false(testlib_response_header(&r, "X-Absent", v, sizeof(v)));
    assert_string_equal(json_string_value(json_object_get(r.json, "body")), "payload");
    testlib_response_done(&r);

    assert_int_equal(testlib_http_call(srv.url, "GET", "/problem", NULL, &r), 0);
    testlib_assert_problem(&r, 400, "invalid-field", "a.b", "must be short");
    testlib_response_done(&r);
    assert_int_equal(testlib_http_call(srv.url, "GET", "/nowhere", NULL, &r), 0);
    testlib_assert_problem(&r, 404, "not-found", NULL, NULL);
    testlib_response_done(&r);

    testlib_server_stop(&srv);
    testlib_server_stop(&srv);
}

/* The rule expect_problem in tests/integration/lib/service.sh applies too. */
static void test_media_type_rule(void **state)
{
    (void)state;
    const char *pj = "application/problem+json";
    assert_true(testlib_media_type_is("application/problem+json", pj));
    assert_true(testlib_media_type_is("application/problem+json; charset=utf-8", pj));
    assert_true(testlib_media_type_is(" Application/Problem+JSON ;q=1", pj));
    assert_false(testlib_media_type_is("application/problem+jsonx", pj));
    assert_false(testlib_media_type_is("application/problem", pj));
    assert_false(testlib_media_type_is("application/json", pj));
    assert_false(testlib_media_type_is("", pj));
    assert_false(testlib_media_type_is(NULL, pj));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tmpdir_removed_whole_links_not_followed),
        cmocka_unit_test(test_env_clear_only_the_prefix),
        cmocka_unit_test(test_capture_both_streams),
        cmocka_unit_test(test_closed_port_refuses),
        cmocka_unit_test(test_server_call_and_problem),
        cmocka_unit_test(test_media_type_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
