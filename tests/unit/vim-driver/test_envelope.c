/* Unit tests for the plugin envelopes: the answer and exception shapes Open Baton reads (§2.3),
 * and the request reader's caps and errors naming the member at fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "vimd.h"

static void assert_json(json_t *j, const char *want)
{
    assert_non_null(j);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    if (strcmp(text, want) != 0)
        fail_msg("got %s, want %s", text, want);
    free(text);
    json_decref(j);
}

static void test_answer(void **state)
{
    (void)state;
    assert_json(vimd_envelope_answer(json_pack("[{s:s}]", "extId", "x")),
                "{\"answer\":[{\"extId\":\"x\"}]}");
    assert_json(vimd_envelope_answer(json_string("pop")), "{\"answer\":\"pop\"}");
    assert_json(vimd_envelope_answer(json_true()), "{\"answer\":true}");
    /* A void method: the answer member is there, and null. */
    assert_json(vimd_envelope_answer(NULL), "{\"answer\":null}");
}

static void test_exception(void **state)
{
    (void)state;
    struct pop_error e = POP_ERROR_INIT;
    pop_error_set(&e, -EREMOTEIO, API_EXHAUSTED, "endpoints.private",
                  "launchInstanceAndWait on pop1: endpoints.private: network 'private' has no "
                  "free address left");
    assert_json(vimd_envelope_exception(&e),
                "{\"exception\":{\"detailMessage\":\"launchInstanceAndWait on pop1: "
                "endpoints.private: network 'private' has no free address left\"}}");
    /* Never an exception without words: the API title stands in. */
    pop_error_set(&e, -ENOMEM, API_ERROR_COUNT, NULL, NULL);
    assert_json(vimd_envelope_exception(&e),
                "{\"exception\":{\"detailMessage\":\"internal error\"}}");
    /* Quotes, newlines and non-ASCII survive as JSON text. */
    pop_error_set(&e, -EINVAL, API_ERROR_COUNT, NULL, "a \"b\"\nc caf\xc3\xa9");
    assert_json(vimd_envelope_exception(&e),
                "{\"exception\":{\"detailMessage\":\"a \\\"b\\\"\\nc caf\xc3\xa9\"}}");
}

/* A detail that is not UTF-8 still makes an exception: the bytes jansson refuses become '?'. */
static void test_exception_not_utf8(void **state)
{
    (void)state;
    struct pop_error e = POP_ERROR_INIT;
    pop_error_set(&e, -EINVAL, API_ERROR_COUNT, NULL, "cut caf\xc3 here \xff.");
    assert_json(vimd_envelope_exception(&e),
                "{\"exception\":{\"detailMessage\":\"cut caf? here ?.\"}}");
}

static void test_envelope_by_result(void **state)
{
    (void)state;
    struct pop_error e = POP_ERROR_INIT;
    assert_json(vimd_envelope(0, json_integer(3), &e), "{\"answer\":3}");
    pop_error_set(&e, -ENOENT, API_ERROR_COUNT, NULL, "gone");
    /* The answer of a failed call is released, not sent. */
    assert_json(vimd_envelope(-ENOENT, json_string("ignored"), &e),
                "{\"exception\":{\"detailMessage\":\"gone\"}}");
}

/* Parses msg, expecting failure with r and detail. */
static void bad_request(const char *msg, size_t max, int r, const char *detail)
{
    struct pop_error e = POP_ERROR_INIT;
    char *method = (char *)0x1;
    json_t *params = (json_t *)0x1;
    assert_int_equal(vimd_request_parse(msg, strlen(msg), max, &method, &params, &e), r);
    if (strcmp(e.detail, detail) != 0)
        fail_msg("%s: got '%s', want '%s'", msg, e.detail, detail);
    assert_ptr_equal(method, (char *)0x1);
    assert_ptr_equal(params, (json_t *)0x1);
}

static void test_request(void **state)
{
    (void)state;
    const char *ok = "{\"methodName\":\"listServer\",\"parameters\":[{\"name\":\"p\"}],"
                     "\"interfaceClass\":null,\"selector\":\"x\"}";
    char *method = NULL;
    json_t *params = NULL;
    assert_int_equal(vimd_request_parse(ok, strlen(ok), 1024, &method, &params, NULL), 0);
    assert_string_equal(method, "listServer");
    assert_int_equal(json_array_size(params), 1);
    free(method);
    json_decref(params);

    bad_request(ok, 10, -EMSGSIZE, "message of 92 bytes is larger than 10");
    bad_request("{\"methodName\":\"a\",", 1024, -EINVAL,
                "line 1, column 18: string or '}' expected near end of file");
    bad_request("[]", 1024, -EINVAL, "expected a JSON object");
    bad_request("{\"parameters\":[]}", 1024, -EINVAL, "methodName: required");
    bad_request("{\"methodName\":null,\"parameters\":[]}", 1024, -EINVAL, "methodName: required");
    bad_request("{\"methodName\":[],\"parameters\":[]}", 1024, -EINVAL,
                "methodName: expected a string");
    bad_request("{\"methodName\":\"\",\"parameters\":[]}", 1024, -EINVAL,
                "methodName: must be 1-128 bytes");
    char long_name[300];
    snprintf(long_name, sizeof(long_name), "{\"methodName\":\"%0129d\",\"parameters\":[]}", 0);
    bad_request(long_name, 1024, -EINVAL, "methodName: must be 1-128 bytes");
    bad_request("{\"methodName\":\"a\\u0000b\",\"parameters\":[]}", 1024, -EINVAL,
                "line 1, column 24: strings must not contain NUL characters");
    bad_request("{\"methodName\":\"a\"}", 1024, -EINVAL, "parameters: required");
    bad_request("{\"methodName\":\"a\",\"parameters\":\"[]\"}", 1024, -EINVAL,
                "parameters: expected an array");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer),
        cmocka_unit_test(test_exception),
        cmocka_unit_test(test_exception_not_utf8),
        cmocka_unit_test(test_envelope_by_result),
        cmocka_unit_test(test_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
