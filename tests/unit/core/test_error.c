/* lib/core/error: one error recorded where it is understood; the default errno mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "core/error.h"

static void test_set_and_default(void **state)
{
    (void)state;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(pop_error_api(&e), API_INTERNAL); /* r = 0 maps to nothing useful */
    assert_int_equal(pop_error_set(&e, -ENOENT, API_CONFLICT, "image_id", "image %s", "x"),
                     -ENOENT);
    assert_int_equal(e.r, -ENOENT);
    assert_int_equal(pop_error_api(&e), API_CONFLICT);
    assert_string_equal(e.field, "image_id");
    assert_string_equal(e.detail, "image x");
    /* A deeper, more precise error is kept; only what is empty is filled. */
    assert_int_equal(pop_error_default(&e, -EIO, API_BAD_GATEWAY, "outer"), -EIO);
    assert_int_equal(e.r, -ENOENT);
    assert_int_equal(pop_error_api(&e), API_CONFLICT);
    assert_string_equal(e.detail, "image x");
    pop_error_clear(&e);
    assert_int_equal(pop_error_default(&e, -EIO, API_ERROR_COUNT, "outer %d", 1), -EIO);
    assert_int_equal(pop_error_api(&e), API_BAD_GATEWAY);
    assert_string_equal(e.detail, "outer 1");
    assert_string_equal(e.field, "");
    /* NULL is allowed and records nothing. */
    assert_int_equal(pop_error_set(NULL, -EINVAL, API_BAD_REQUEST, NULL, "x"), -EINVAL);
}

static void test_truncation_keeps_utf8(void **state)
{
    (void)state;
    struct pop_error e = POP_ERROR_INIT;
    char big[POP_ERROR_DETAIL_MAX + 8];
    /* 'a' then two-byte characters, so the cut falls inside one of them. */
    big[0] = 'a';
    size_t n = 1;
    while (n + 2 < sizeof(big)) {
        big[n++] = (char)0xc3;
        big[n++] = (char)0xa9;
    }
    big[n] = '\0';
    pop_error_set(&e, -EINVAL, API_INVALID_FIELD, NULL, "%s", big);
    size_t len = strlen(e.detail);
    assert_true(len < sizeof(e.detail));
    assert_true(len % 2 == 1); /* 'a' plus whole characters only */
    assert_int_equal((unsigned char)e.detail[len - 1], 0xa9);
}

static void test_default_mapping(void **state)
{
    (void)state;
    static const struct {
        int r;
        enum api_error api;
    } map[] = {
        {-EINVAL, API_BAD_REQUEST},        {-ENOENT, API_NOT_FOUND},
        {-EEXIST, API_CONFLICT},           {-EBUSY, API_STATE_CONFLICT},
        {-ESTALE, API_STATE_CONFLICT},     {-ENOSPC, API_EXHAUSTED},
        {-EACCES, API_UNAUTHORIZED},       {-EPERM, API_FORBIDDEN},
        {-EMSGSIZE, API_BODY_TOO_LARGE},   {-EAGAIN, API_TOO_MANY_REQUESTS},
        {-ETIMEDOUT, API_GATEWAY_TIMEOUT}, {-EIO, API_BAD_GATEWAY},
        {-ECONNREFUSED, API_BAD_GATEWAY},  {-ESHUTDOWN, API_UNAVAILABLE},
        {-ENOMEM, API_INTERNAL},           {-EDOM, API_INTERNAL},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        assert_int_equal(api_error_from_errno(map[i].r), map[i].api);
    assert_int_equal(api_error_status(API_STATE_CONFLICT), 409);
    assert_string_equal(api_error_code(API_GATEWAY_TIMEOUT), "gateway-timeout");
    assert_int_equal(api_error_status((enum api_error)9999), 500);
}

/* A client maps a problem's code back to the table: every code of the table round-trips, and
 * anything else (unknown, another case, empty, NULL) is "not one of ours". */
static void test_from_code(void **state)
{
    (void)state;
    for (unsigned i = 0; i < API_ERROR_COUNT; i++)
        assert_int_equal(api_error_from_code(api_error_code((enum api_error)i)), i);
    assert_int_equal(api_error_from_code("state-conflict"), API_STATE_CONFLICT);
    assert_int_equal(api_error_from_code("unsupported-media-type"), API_UNSUPPORTED_MEDIA);
    assert_int_equal(api_error_from_code("no-such-code"), API_ERROR_COUNT);
    assert_int_equal(api_error_from_code("Not-Found"), API_ERROR_COUNT);
    assert_int_equal(api_error_from_code("not-found "), API_ERROR_COUNT);
    assert_int_equal(api_error_from_code(""), API_ERROR_COUNT);
    assert_int_equal(api_error_from_code(NULL), API_ERROR_COUNT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_and_default),
        cmocka_unit_test(test_truncation_keeps_utf8),
        cmocka_unit_test(test_default_mapping),
        cmocka_unit_test(test_from_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
