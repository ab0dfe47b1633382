/* lib/http's JSON bodies and pop_error replies: the problem a client gets names the code and
 * the field, chosen from the error's kind, never from its text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "http/request.h"
#include "http/server.h"
#include "testlib.h"
#include "testlib_http.h"
#include "json/jv.h"

static const struct jv_field thing_fields[] = {
    {.name = "name", .type = JV_STRING, .required = true, .max_len = 16},
    {.name = "size", .type = JV_INT, .min = 1, .max = 10},
};
static const struct jv_schema thing_schema = {thing_fields, 2, false};

static void h_thing(struct http_request *req, void *userdata)
{
    (void)userdata;
    json_t *body = NULL;
    if (http_request_json(req, &thing_schema, &body) < 0)
        return;
    http_reply_json(req, 201, body);
}

/* Replies with the error the query describes, as a domain function would have recorded it. */
static void h_fail(struct http_request *req, void *userdata)
{
    (void)userdata;
    struct pop_error e = POP_ERROR_INIT;
    const char *kind = http_request_query(req, "kind");
    if (kind && strcmp(kind, "chosen") == 0)
        pop_error_set(&e, -ENOENT, API_CONFLICT, "image_id", "image '%s' is missing", "x");
    else if (kind && strcmp(kind, "errno") == 0)
        pop_error_set(&e, -EBUSY, API_ERROR_COUNT, NULL, NULL);
    else
        pop_error_set(&e, -ENOMEM, API_ERROR_COUNT, NULL, "no memory");
    http_reply_pop_error(req, &e);
}

static const struct http_route routes[] = {
    {"POST", "/things", h_thing, HTTP_ROUTE_PUBLIC | HTTP_ROUTE_JSON},
    {"GET", "/fail", h_fail, HTTP_ROUTE_PUBLIC},
};

static int setup(void **state)
{
    struct http_server_config cfg = {.routes = routes, .n_routes = 2};
    *state = testlib_server_fixture(sizeof(struct testlib_server), &cfg);
    return 0;
}

/* Sends one request with a JSON content type; returns the status, the reply in *ret. */
static long call(struct testlib_server *srv, const char *method, const char *path, const char *body,
                 struct testlib_response *ret)
{
    static const char *const json_ct[] = {"Content-Type: application/json", NULL};
    struct testlib_http_opts o = {.headers = json_ct, .body = body};
    testlib_http_call(srv->url, method, path, &o, ret);
    assert_non_null(ret->json);
    return ret->status;
}

/* The problem lib/http sends for code, naming field (NULL: none), its detail containing
 * detail; releases r. */
static void assert_problem(struct testlib_response *r, const char *code, const char *field,
                           const char *detail)
{
    testlib_assert_problem(r, r->status, code, field, detail);
    testlib_response_done(r);
}

static void test_body_problems_by_kind(void **state)
{
    struct testlib_server *srv = *state;
    struct testlib_response r;
    assert_int_equal(call(srv, "POST", "/things", "{\"name\":\"a\",\"size\":3}", &r), 201);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), "a");
    testlib_response_done(&r);
    assert_int_equal(call(srv, "POST", "/things", "{\"name\":", &r), 400);
    assert_problem(&r, "bad-json", NULL, "line 1");
    assert_int_equal(call(srv, "POST", "/things", "{\"name\":\"a\",\"name\":\"b\"}", &r), 400);
    assert_problem(&r, "bad-json", NULL, "duplicate");
    assert_int_equal(call(srv, "POST", "/things", "{\"name\":\"a\",\"colour\":1}", &r), 400);
    assert_problem(&r, "unknown-field", "colour", "colour: unknown field");
    assert_int_equal(call(srv, "POST", "/things", "{\"name\":\"a\",\"size\":11}", &r), 400);
    assert_problem(&r, "invalid-field", "size", "size: must be between 1 and 10");
    assert_int_equal(call(srv, "POST", "/things", "{}", &r), 400);
    assert_problem(&r, "invalid-field", "name", "name: required");
    /* A value whose text says "unknown field" is still an invalid value, not an unknown one. */
    assert_int_equal(call(srv, "POST", "/things", "{\"name\":\"unknown field\",\"size\":0}", &r),
                     400);
    assert_problem(&r, "invalid-field", "size", "size:");
    assert_int_equal(call(srv, "POST", "/things", NULL, &r), 400);
    assert_problem(&r, "bad-json", NULL, "a JSON object body is required");
}

static void test_pop_error_reply(void **state)
{
    struct testlib_server *srv = *state;
    struct testlib_response r;
    assert_int_equal(call(srv, "GET", "/fail?kind=chosen", NULL, &r), 409);
    assert_problem(&r, "conflict", "image_id", "image 'x' is missing");
    /* No API code chosen: the default mapping of the errno, and the title as detail. */
    assert_int_equal(call(srv, "GET", "/fail?kind=errno", NULL, &r), 409);
    assert_problem(&r, "state-conflict", NULL, api_error_title(API_STATE_CONFLICT));
    assert_int_equal(call(srv, "GET", "/fail", NULL, &r), 500);
    assert_problem(&r, "internal", NULL, "no memory");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_body_problems_by_kind, setup, testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_pop_error_reply, setup, testlib_server_teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
