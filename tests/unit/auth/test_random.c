/* Unit tests for random bytes, hex ids and UUIDs: shape, freshness and buffer checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth/random.h"

static void test_bytes(void **state)
{
    (void)state;
    uint8_t a[64] = {0}, b[64] = {0}, zero[64] = {0};
    assert_int_equal(auth_random_bytes(a, sizeof(a)), 0);
    assert_int_equal(auth_random_bytes(b, sizeof(b)), 0);
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_memory_not_equal(a, b, sizeof(a));
    assert_int_equal(auth_random_bytes(a, 0), 0);
}

static void test_hex(void **state)
{
    (void)state;
    char a[33], b[33];
    assert_int_equal(auth_random_hex(16, a, sizeof(a)), 0);
    assert_int_equal(auth_random_hex(16, b, sizeof(b)), 0);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    assert_string_not_equal(a, b);

    char small[32] = "untouched";
    assert_int_equal(auth_random_hex(16, small, sizeof(small)), -ENOBUFS);
    assert_string_equal(small, "untouched");
    assert_int_equal(auth_random_hex(0, small, sizeof(small)), -EINVAL);
    assert_int_equal(auth_random_hex(AUTH_RANDOM_HEX_MAX + 1, small, sizeof(small)), -EINVAL);
    assert_string_equal(small, "untouched");
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(x, y);
}

static void test_uuid4(void **state)
{
    (void)state;
    enum { N = 200 };
    char(*ids)[37] = calloc(N, sizeof(*ids));
    assert_non_null(ids);
    for (int i = 0; i < N; i++) {
        char *u = ids[i];
        assert_int_equal(auth_uuid4(u), 0);
        assert_int_equal(strlen(u), 36);
        for (int k = 0; k < 36; k++) {
            if (k == 8 || k == 13 || k == 18 || k == 23)
                assert_int_equal(u[k], '-');
            else
                assert_non_null(strchr("0123456789abcdef", u[k]));
        }
        assert_int_equal(u[14], '4');
        assert_non_null(strchr("89ab", u[19]));
    }
    qsort(ids, N, sizeof(*ids), cmp_str);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_uuid4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
