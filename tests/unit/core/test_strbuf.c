/* Unit tests for the string buffer: growth, cap, steal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

static void test_append_and_printf(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    assert_string_equal(strbuf_str(&sb), "");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(strbuf_printf(&sb, "%d,", i % 10), 0);
    assert_int_equal(sb.len, 2000);
    assert_memory_equal(sb.buf, "0,1,2,", 6);
    strbuf_done(&sb);
}

static void test_cap_rejects_and_keeps_content(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    sb.max = 8;
    assert_int_equal(strbuf_puts(&sb, "12345678"), 0);
    assert_int_equal(strbuf_puts(&sb, "9"), -E2BIG);
    assert_string_equal(strbuf_str(&sb), "12345678");
    strbuf_done(&sb);
}

static void test_steal_resets(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    char *empty = strbuf_steal(&sb);
    assert_string_equal(empty, "");
    free(empty);
    strbuf_puts(&sb, "abc");
    char *s = strbuf_steal(&sb);
    assert_string_equal(s, "abc");
    assert_null(sb.buf);
    assert_int_equal(sb.len, 0);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_printf),
        cmocka_unit_test(test_cap_rejects_and_keeps_content),
        cmocka_unit_test(test_steal_resets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
