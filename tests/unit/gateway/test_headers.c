/* Unit tests for the gateway's header filtering in both directions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "headers.h"

static void test_hop_by_hop(void **state)
{
    (void)state;
    const char *hop[] = {
        "Connection",          "keep-alive",        "TE", "Trailer", "transfer-encoding", "Upgrade",
        "Proxy-Authorization", "proxy-authenticate"};
    for (size_t i = 0; i < sizeof(hop) / sizeof(hop[0]); i++) {
        assert_true(gw_header_hop_by_hop(hop[i]));
        assert_false(gw_header_forward_request(hop[i], NULL));
        assert_false(gw_header_forward_response(hop[i], NULL));
    }
    assert_false(gw_header_hop_by_hop("Content-Type"));
    assert_false(gw_header_hop_by_hop("Proxy"));
}

static void test_connection_list(void **state)
{
    (void)state;
    const char *conn = " keep-alive , X-Secret,,x-other ";
    assert_true(gw_header_in_list(conn, "X-Secret"));
    assert_true(gw_header_in_list(conn, "x-secret"));
    assert_true(gw_header_in_list(conn, "X-Other"));
    assert_false(gw_header_in_list(conn, "X-Secre"));
    assert_false(gw_header_in_list(conn, "X-Secrets"));
    assert_false(gw_header_in_list(NULL, "X-Secret"));
    assert_false(gw_header_forward_request("X-Secret", conn));
    assert_false(gw_header_forward_response("x-other", conn));
    assert_true(gw_header_forward_request("X-Public", conn));
}

static void test_request_side(void **state)
{
    (void)state;
    const char *pass[] = {"Authorization", "Content-Type",  "Accept",  "Cookie",
                          "User-Agent",    "If-None-Match", "X-Custom"};
    for (size_t i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
        assert_true(gw_header_forward_request(pass[i], NULL));
    /* Set by curl or rewritten by the gateway: a client's copy must not reach the upstream. */
    const char *own[] = {"Host",
                         "content-length",
                         "Expect",
                         "X-Request-Id",
                         "X-Forwarded-For",
                         "x-forwarded-proto",
                         "X-Forwarded-Host"};
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
        assert_false(gw_header_forward_request(own[i], NULL));
}

static void test_response_side(void **state)
{
    (void)state;
    assert_true(gw_header_forward_response("Content-Type", NULL));
    assert_true(gw_header_forward_response("Set-Cookie", NULL));
    assert_true(gw_header_forward_response("WWW-Authenticate", NULL));
    assert_true(gw_header_forward_response("Location", NULL));
    assert_false(gw_header_forward_response("X-Request-Id", NULL));
    assert_false(gw_header_forward_response("Date", NULL));
    assert_false(gw_header_forward_response("Content-Length", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hop_by_hop),
        cmocka_unit_test(test_connection_list),
        cmocka_unit_test(test_request_side),
        cmocka_unit_test(test_response_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
