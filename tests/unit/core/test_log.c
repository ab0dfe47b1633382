/* lib/core/log: a value from a client never breaks or forges a log line; numbers format as printf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/log.h"
#include "testlib.h"

__attribute__((format(printf, 3, 4))) static size_t fmt(char *out, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    size_t n = log_vformat(out, size, f, ap);
    va_end(ap);
    return n;
}

static void test_string_arguments_are_escaped(void **state)
{
    (void)state;
    char out[256];
    fmt(out, sizeof(out), "login: user '%s' refused", "admin\n2026-01-01T00:00:00Z info  forged");
    assert_string_equal(out, "login: user 'admin\\n2026-01-01T00:00:00Z info  forged' refused");
    fmt(out, sizeof(out), "m=%s", "G\x1b[2JT\r\x7f\a");
    assert_string_equal(out, "m=G\\x1b[2JT\\r\\x7f\\x07");
    fmt(out, sizeof(out), "sub=\"%s\"", "a\" admin=\"yes\\");
    assert_string_equal(out, "sub=\"a\\\" admin=\\\"yes\\\\\"");
    fmt(out, sizeof(out), "%s|%c|%c", "tab\there", '\n', 'x');
    assert_string_equal(out, "tab\\there|\\n|x");
}

static void test_utf8_kept_invalid_bytes_escaped(void **state)
{
    (void)state;
    char out[256];
    fmt(out, sizeof(out), "%s", "caf\xc3\xa9 \xe2\x82\xac");
    assert_string_equal(out, "caf\xc3\xa9 \xe2\x82\xac");
    /* A lone continuation byte, an overlong '/', a surrogate, a C1 control (NEL). */
    fmt(out, sizeof(out), "%s|%s|%s|%s", "\x80", "\xc0\xaf", "\xed\xa0\x80", "\xc2\x85");
    assert_string_equal(out, "\\x80|\\xc0\\xaf|\\xed\\xa0\\x80|\\xc2\\x85");
    /* A sequence cut by the end of the string. */
    fmt(out, sizeof(out), "%s", "\xe2\x82");
    assert_string_equal(out, "\\xe2\\x82");
}

static void test_literal_text_keeps_quotes_escapes_controls(void **state)
{
    (void)state;
    char out[64];
    fmt(out, sizeof(out), "a \"b\" \\ c\nd");
    assert_string_equal(out, "a \"b\" \\ c\\nd");
    fmt(out, sizeof(out), "100%% done");
    assert_string_equal(out, "100% done");
}

static void test_numbers_format_as_printf(void **state)
{
    (void)state;
    char out[128], want[128];
    fmt(out, sizeof(out), "%d %5u %-4x| %08llx %zu %jd %ld %.3f %g %hhu %p", -42, 7u, 0xabu,
        0x1234ULL, (size_t)99, (intmax_t)-5, -9L, 3.14159, 1e10, (unsigned char)200, (void *)0x10);
    snprintf(want, sizeof(want), "%d %5u %-4x| %08llx %zu %jd %ld %.3f %g %hhu %p", -42, 7u, 0xabu,
             0x1234ULL, (size_t)99, (intmax_t)-5, -9L, 3.14159, 1e10, (unsigned char)200,
             (void *)0x10);
    assert_string_equal(out, want);
    fmt(out, sizeof(out), "[%*d] [%-*s] [%.*s] [%5s]", 6, 12, 4, "ab", 3, "abcdef", "x\n");
    assert_string_equal(out, "[    12] [ab  ] [abc] [  x\\n]");
    const char *volatile none = NULL; /* hidden from the compiler's null-argument check */
    fmt(out, sizeof(out), "%s", none);
    assert_string_equal(out, "(null)");
}

static void test_truncates_without_overflow(void **state)
{
    (void)state;
    char out[8];
    size_t n = fmt(out, sizeof(out), "%s%d", "abcdef\n\n", 12345);
    assert_int_equal(n, 6); /* "\\n" does not fit whole: nothing more is written */
    assert_string_equal(out, "abcdef");
    char esc[5];
    assert_int_equal(log_escape(esc, sizeof(esc), "\n\n\n"), 4);
    assert_string_equal(esc, "\\n\\n");
    assert_int_equal(log_escape(esc, 0, "x"), 0);
}

/* The whole line as log_printf writes it to stderr: one line, whatever the arguments hold. */
static void test_log_printf_writes_one_line(void **state)
{
    (void)state;
    struct testlib_capture cap;
    testlib_capture_begin(&cap, STDERR_FILENO);
    log_set_request_id("rid\n1");
    log_info("logout: user '%s'", "eve\nerror forged line");
    log_set_request_id(NULL);
    char *buf = testlib_capture_end(&cap);
    size_t n = strlen(buf);
    assert_true(n > 0);
    assert_non_null(strstr(buf, " rid=rid\\n1 logout: user 'eve\\nerror forged line'\n"));
    assert_ptr_equal(strchr(buf, '\n'), buf + n - 1);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_arguments_are_escaped),
        cmocka_unit_test(test_utf8_kept_invalid_bytes_escaped),
        cmocka_unit_test(test_literal_text_keeps_quotes_escapes_controls),
        cmocka_unit_test(test_numbers_format_as_printf),
        cmocka_unit_test(test_truncates_without_overflow),
        cmocka_unit_test(test_log_printf_writes_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
