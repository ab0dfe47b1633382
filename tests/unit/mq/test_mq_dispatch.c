/* Unit tests for mq_dispatch's core over the Open Baton plugin codec, no broker: the answer
 * envelope, overloads by parameter count, object parameters checked by a schema, errors that
 * travel word for word, and every kind of bad request answered with an exception naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mq/mq-int.h"
#include "json/jv.h"

static int m_echo(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)err;
    (*(int *)ud)++;
    *ret = json_incref(json_array_get(params, 0));
    return 0;
}

static int m_launch8(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)params;
    (void)err;
    (void)ud;
    *ret = json_string("launch/8");
    return 0;
}

static int m_launch10(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)params;
    (void)err;
    (void)ud;
    *ret = json_string("launch/10");
    return 0;
}

static int m_void(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)params;
    (void)ret;
    (void)err;
    (void)ud;
    return 0; /* no answer: JSON null */
}

static int m_popfail(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)params;
    (void)ud;
    *ret = json_string("must not leak");
    return pop_error_set(err, -ENOSPC, API_EXHAUSTED, "endpoints.private",
                         "endpoints.private: network 'private' has no free address left");
}

static int m_barefail(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)params;
    (void)ret;
    (void)err;
    (void)ud;
    return -ETIMEDOUT;
}

static const struct jv_field named_fields[] = {
    {.name = "hostname", .type = JV_STRING, .required = true},
};
static const struct jv_schema named_schema = {.fields = named_fields, .n = 1};

static int m_named(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)err;
    (void)ud;
    *ret = json_incref(json_object_get(params, "hostname"));
    return 0;
}

static const struct mq_method table[] = {
    {.name = "echo", .n_params = 1, .run = m_echo},
    {.name = "launchInstanceAndWait", .n_params = 8, .run = m_launch8},
    {.name = "launchInstanceAndWait", .n_params = 10, .run = m_launch10},
    {.name = "deleteServerByIdAndWait", .n_params = 2, .run = m_void},
    {.name = "popfail", .n_params = -1, .run = m_popfail},
    {.name = "barefail", .n_params = -1, .run = m_barefail},
    {.name = "named", .n_params = -1, .params_schema = &named_schema, .run = m_named},
};

static int calls;

/* Dispatches body; returns the reply serialized (to free) and the result in *ret_r. */
static char *run(const struct mq_codec *c, const char *body, int *ret_r, const char **ret_method)
{
    json_t *reply = NULL;
    const char *method = NULL;
    *ret_r = mq_dispatch_body(c, table, sizeof(table) / sizeof(table[0]), 0, strlen(body), 1 << 20,
                              body, strlen(body), &calls, &reply, &method);
    assert_non_null(reply);
    if (ret_method)
        *ret_method = method;
    char *s = json_dumps(reply, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(reply);
    return s;
}

static void expect(const char *body, int want_r, const char *want_reply)
{
    int r;
    char *got = run(&mq_codec_openbaton, body, &r, NULL);
    assert_string_equal(got, want_reply);
    assert_int_equal(r, want_r);
    free(got);
}

static void test_answers(void **state)
{
    (void)state;
    calls = 0;
    expect("{\"methodName\":\"echo\",\"parameters\":[{\"a\":1}]}", 0, "{\"answer\":{\"a\":1}}");
    assert_int_equal(calls, 1);
    /* Overloads by count, as Open Baton's plugin SDK resolves them. */
    expect("{\"methodName\":\"launchInstanceAndWait\",\"parameters\":[1,2,3,4,5,6,7,8]}", 0,
           "{\"answer\":\"launch/8\"}");
    expect("{\"methodName\":\"launchInstanceAndWait\",\"parameters\":[1,2,3,4,5,6,7,8,9,10]}", 0,
           "{\"answer\":\"launch/10\"}");
    /* A void method answers null: Gson reads it as "no value", not as a missing answer. */
    expect("{\"methodName\":\"deleteServerByIdAndWait\",\"parameters\":[{},\"id\"]}", 0,
           "{\"answer\":null}");
    /* Unknown fields are ignored, as Gson does. */
    expect("{\"methodName\":\"echo\",\"parameters\":[true],\"interfaceClass\":null}", 0,
           "{\"answer\":true}");
    /* Object parameters with a schema. */
    expect("{\"methodName\":\"named\",\"parameters\":{\"hostname\":\"vnfc-1\"}}", 0,
           "{\"answer\":\"vnfc-1\"}");
}

static void test_method_errors(void **state)
{
    (void)state;
    /* The method's own error, word for word, with its stable code; its answer is dropped. */
    expect("{\"methodName\":\"popfail\",\"parameters\":[]}", -ENOSPC,
           "{\"exception\":{\"code\":\"exhausted\",\"detailMessage\":\"endpoints.private: "
           "network 'private' has no free address left\"}}");
    /* An error without words gets the method and the errno's text, and the default code. */
    expect("{\"methodName\":\"barefail\"}", -ETIMEDOUT,
           "{\"exception\":{\"code\":\"gateway-timeout\",\"detailMessage\":\"barefail: "
           "Connection timed out\"}}");
}

static void test_bad_requests_are_answered(void **state)
{
    (void)state;
    calls = 0;
    expect("{\"methodName\":\"launchInstance\",\"parameters\":[]}", -EOPNOTSUPP,
           "{\"exception\":{\"code\":\"bad-request\",\"detailMessage\":\"method "
           "'launchInstance' is not supported\"}}");
    expect("{\"methodName\":\"launchInstanceAndWait\",\"parameters\":[1,2,3]}", -EINVAL,
           "{\"exception\":{\"code\":\"invalid-field\",\"detailMessage\":\"method "
           "'launchInstanceAndWait' takes 8 or 10 parameters, got 3\"}}");
    expect("{\"methodName\":\"echo\",\"parameters\":{\"x\":1}}", -EINVAL,
           "{\"exception\":{\"code\":\"invalid-field\",\"detailMessage\":\"method 'echo' takes "
           "an array of 1 parameters\"}}");
    expect("{\"methodName\":\"named\",\"parameters\":{\"host\":\"x\"}}", -EINVAL,
           "{\"exception\":{\"code\":\"unknown-field\",\"detailMessage\":\"host: unknown "
           "field\"}}");
    expect("{\"parameters\":[]}", -EINVAL,
           "{\"exception\":{\"code\":\"invalid-field\",\"detailMessage\":\"methodName: "
           "required, a string\"}}");
    expect("{\"methodName\":\"echo\",\"parameters\":7}", -EINVAL,
           "{\"exception\":{\"code\":\"invalid-field\",\"detailMessage\":\"parameters: expected "
           "an array or an object\"}}");
    int r;
    char *got =
        run(&mq_codec_openbaton, "{\"methodName\":\"echo\",\"methodName\":\"x\"}", &r, NULL);
    assert_int_equal(r, -EINVAL);
    assert_non_null(strstr(got, "\"code\":\"bad-json\""));
    assert_non_null(strstr(got, "duplicate object key"));
    free(got);
    got = run(&mq_codec_openbaton, "[\"echo\"]", &r, NULL);
    assert_non_null(strstr(got, "expected a JSON object"));
    free(got);
    got = run(&mq_codec_openbaton, "", &r, NULL);
    assert_non_null(strstr(got, "\"code\":\"bad-json\""));
    free(got);
    assert_int_equal(calls, 0); /* no method ran for any of them */
}

static void test_oversize_is_answered(void **state)
{
    (void)state;
    json_t *reply = NULL;
    const char *method = NULL;
    int r = mq_dispatch_body(&mq_codec_openbaton, table, 1, -EMSGSIZE, 5000000, 1048576, NULL, 0,
                             NULL, &reply, &method);
    assert_int_equal(r, -EMSGSIZE);
    assert_string_equal(method, "unknown");
    char *s = json_dumps(reply, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(s, "{\"exception\":{\"code\":\"body-too-large\",\"detailMessage\":"
                           "\"message body of 5000000 bytes is over the cap of 1048576 bytes\"}}");
    free(s);
    json_decref(reply);
}

/* The hook for a peer that speaks Gson's lenient JSON: here, single quotes become double. */
static int lenient_parse(const char *buf, size_t len, json_t **ret, struct pop_error *err)
{
    char *copy = strndup(buf, len);
    if (!copy)
        return -ENOMEM;
    for (char *p = copy; *p; p++)
        if (*p == '\'')
            *p = '"';
    struct jv_error je;
    int r = jv_parse(copy, strlen(copy), ret, &je);
    free(copy);
    return r < 0 ? jv_error_to_pop(&je, err) : 0;
}

static void test_parse_hook(void **state)
{
    (void)state;
    struct mq_codec lenient = mq_codec_openbaton;
    lenient.parse = lenient_parse;
    int r;
    const char *method;
    char *got = run(&lenient, "{'methodName':'echo','parameters':['quoted']}", &r, &method);
    assert_int_equal(r, 0);
    assert_string_equal(method, "echo");
    assert_string_equal(got, "{\"answer\":\"quoted\"}");
    free(got);
    /* The default codec refuses the same body. */
    got = run(&mq_codec_openbaton, "{'methodName':'echo','parameters':['quoted']}", &r, &method);
    assert_int_equal(r, -EINVAL);
    assert_string_equal(method, "unknown");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_method_errors),
        cmocka_unit_test(test_bad_requests_are_answered),
        cmocka_unit_test(test_oversize_is_answered),
        cmocka_unit_test(test_parse_hook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
