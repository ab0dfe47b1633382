/* Unit tests for string vectors: splitting with trimming and empty pieces dropped, the piece
 * cap, membership, capped length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/strv.h"

static void test_split_trims_and_drops_empty_pieces(void **state)
{
    (void)state;
    char **v = NULL;
    assert_int_equal(strv_split(" a , b\t,,\tc d ,", ',', &v), 3);
    assert_string_equal(v[0], "a");
    assert_string_equal(v[1], "b");
    assert_string_equal(v[2], "c d"); /* inner blanks stay */
    assert_null(v[3]);
    strv_free(v);

    const char *empties[] = {"", " ", " , ,\t", ","};
    for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
        v = NULL;
        assert_int_equal(strv_split(empties[i], ',', &v), 0);
        assert_non_null(v); /* an empty vector, not NULL */
        assert_null(v[0]);
        strv_free(v);
    }

    assert_int_equal(strv_split("x:y", ':', &v), 2);
    assert_string_equal(v[1], "y");
    strv_free(v);
}

static void test_split_refuses_bad_input_and_too_many_pieces(void **state)
{
    (void)state;
    char **v = (char **)(uintptr_t)0x1; /* must stay untouched on failure */
    assert_int_equal(strv_split(NULL, ',', &v), -EINVAL);
    assert_int_equal(strv_split("a", '\0', &v), -EINVAL);

    /* STRV_SPLIT_MAX pieces are fine, one more is refused before anything is allocated. */
    size_t len = 2 * STRV_SPLIT_MAX;
    char *s = malloc(len + 2);
    assert_non_null(s);
    for (size_t i = 0; i < len; i += 2) {
        s[i] = 'p';
        s[i + 1] = ',';
    }
    s[len - 1] = '\0'; /* "p,p,...,p": STRV_SPLIT_MAX pieces */
    char **ok = NULL;
    assert_int_equal(strv_split(s, ',', &ok), STRV_SPLIT_MAX);
    assert_int_equal(strv_length((const char *const *)ok, STRV_SPLIT_MAX), STRV_SPLIT_MAX);
    strv_free(ok);
    s[len - 1] = ',';
    s[len] = 'p';
    s[len + 1] = '\0';
    assert_int_equal(strv_split(s, ',', &v), -E2BIG);
    assert_ptr_equal(v, (char **)(uintptr_t)0x1);
    free(s);
}

static void test_contains_and_length(void **state)
{
    (void)state;
    char **v = NULL;
    assert_int_equal(strv_split("alpine,busybox:1.36,pop-tiny", ',', &v), 3);
    assert_true(strv_contains(v, "busybox:1.36"));
    assert_false(strv_contains(v, "busybox")); /* whole strings only */
    assert_false(strv_contains(NULL, "alpine"));
    assert_int_equal(strv_length((const char *const *)v, 10), 3);
    assert_int_equal(strv_length((const char *const *)v, 1), 2); /* stops at max + 1 */
    assert_int_equal(strv_length(NULL, 10), 0);
    strv_free(v);
    strv_free(NULL);
}

static int split_first_is(const char *s, const char *want)
{
    _cleanup_strv_free_ char **v = NULL;
    if (strv_split(s, ',', &v) < 1)
        return -1;
    return strcmp(v[0], want) == 0; /* v is freed on return; ASan checks the leak */
}

static void test_cleanup_frees(void **state)
{
    (void)state;
    assert_int_equal(split_first_is("a,b", "a"), 1);
    assert_int_equal(split_first_is("", "a"), -1);
}

static void test_after_prefix(void **state)
{
    (void)state;
    const char *text = "START of VNFR sipp: the Pop is down";
    assert_string_equal(
        strv_after_prefix(text, (const char *const[]){"START", " of VNFR ", "sipp", ": ", NULL}),
        "the Pop is down");
    /* Any part that differs, or text that ends early, leaves it whole. */
    assert_ptr_equal(
        strv_after_prefix(text, (const char *const[]){"START", " of VNFR ", "sip", ": ", NULL}),
        text);
    const char *early = "START of";
    assert_ptr_equal(strv_after_prefix(early, (const char *const[]){"START", " of VNFR ", NULL}),
                     early);
    assert_ptr_equal(strv_after_prefix(text, (const char *const[]){NULL}), text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_trims_and_drops_empty_pieces),
        cmocka_unit_test(test_split_refuses_bad_input_and_too_many_pieces),
        cmocka_unit_test(test_contains_and_length),
        cmocka_unit_test(test_cleanup_frees),
        cmocka_unit_test(test_after_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
