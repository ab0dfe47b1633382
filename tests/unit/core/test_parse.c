/* Unit tests for checked number, size and boolean parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>

#include "core/parse.h"

static void test_int64(void **state)
{
    (void)state;
    int64_t v = 42;
    assert_int_equal(parse_int64("17", 0, 100, &v), 0);
    assert_int_equal(v, 17);
    assert_int_equal(parse_int64("-3", -5, 5, &v), 0);
    assert_int_equal(v, -3);
    v = 42;
    assert_int_equal(parse_int64("101", 0, 100, &v), -ERANGE);
    assert_int_equal(parse_int64("12abc", 0, 100, &v), -EINVAL);
    assert_int_equal(parse_int64("", 0, 100, &v), -EINVAL);
    assert_int_equal(parse_int64(" 1", 0, 100, &v), -EINVAL);
    assert_int_equal(parse_int64("99999999999999999999", INT64_MIN, INT64_MAX, &v), -ERANGE);
    assert_int_equal(v, 42);
}

static void test_size(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_int_equal(parse_size("64k", UINT64_MAX, &v), 0);
    assert_int_equal(v, 65536);
    assert_int_equal(parse_size("2M", UINT64_MAX, &v), 0);
    assert_int_equal(v, 2u << 20);
    assert_int_equal(parse_size("2MB", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(parse_size("-1", UINT64_MAX, &v), -EINVAL);
    assert_int_equal(parse_size("2g", 1024, &v), -ERANGE);
}

static void test_bool(void **state)
{
    (void)state;
    bool b = false;
    assert_int_equal(parse_bool("TRUE", &b), 0);
    assert_true(b);
    assert_int_equal(parse_bool("off", &b), 0);
    assert_false(b);
    assert_int_equal(parse_bool("maybe", &b), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int64),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_bool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
