/* lib/core/base64: both alphabets, padded and unpadded, one accepted spelling per byte string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/parse.h"

static void test_round_trips(void **state)
{
    (void)state;
    static const struct {
        const char *in, *unpadded, *padded;
    } cases[] = {
        {"", "", ""},
        {"f", "Zg", "Zg=="},
        {"fo", "Zm8", "Zm8="},
        {"foo", "Zm9v", "Zm9v"},
        {"foob", "Zm9vYg", "Zm9vYg=="},
        {"fooba", "Zm9vYmE", "Zm9vYmE="},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = strlen(cases[i].in);
        char out[16];
        uint8_t back[16];
        assert_int_equal(base64_encode((const uint8_t *)cases[i].in, n, 0, out, sizeof(out)),
                         strlen(cases[i].unpadded));
        assert_string_equal(out, cases[i].unpadded);
        assert_int_equal(
            base64_encode((const uint8_t *)cases[i].in, n, BASE64_PAD, out, sizeof(out)),
            strlen(cases[i].padded));
        assert_string_equal(out, cases[i].padded);
        /* Padded text decodes only with BASE64_PAD; unpadded text decodes either way. */
        assert_int_equal(
            base64_decode(cases[i].padded, strlen(cases[i].padded), BASE64_PAD, back, sizeof(back)),
            n);
        assert_memory_equal(back, cases[i].in, n);
        assert_int_equal(base64_decode(cases[i].unpadded, strlen(cases[i].unpadded), BASE64_PAD,
                                       back, sizeof(back)),
                         n);
        if (strchr(cases[i].padded, '='))
            assert_int_equal(
                base64_decode(cases[i].padded, strlen(cases[i].padded), 0, back, sizeof(back)),
                -EINVAL);
    }
}

static void test_refusals(void **state)
{
    (void)state;
    uint8_t out[16];
    /* the other alphabet, a bad length, non-zero trailing bits, padding not ending a group */
    assert_int_equal(base64_decode("a+/b", 4, BASE64_URL, out, sizeof(out)), -EINVAL);
    assert_int_equal(base64_decode("a-_b", 4, 0, out, sizeof(out)), -EINVAL);
    assert_int_equal(base64_decode("abcde", 5, 0, out, sizeof(out)), -EINVAL);
    assert_int_equal(base64_decode("Zh", 2, 0, out, sizeof(out)), -EINVAL);
    assert_int_equal(base64_decode("Zg=", 3, BASE64_PAD, out, sizeof(out)), -EINVAL);
    assert_int_equal(base64_decode("Zg===", 5, BASE64_PAD, out, sizeof(out)), -EINVAL);
    assert_int_equal(base64_decode("Zm9vYmFy", 8, 0, out, 5), -ENOBUFS);
    char small[4];
    assert_int_equal(base64_encode((const uint8_t *)"foo", 3, BASE64_PAD, small, sizeof(small)),
                     -ENOBUFS);
}

static void test_percent_decode(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(parse_percent_decode("a%2Fb%41%7e", 11, &out), 0);
    assert_string_equal(out, "a/bA~");
    free(out);
    assert_int_equal(parse_percent_decode("x%00y", 5, &out), -EINVAL);
    assert_int_equal(parse_percent_decode("x%4", 3, &out), -EINVAL);
    assert_int_equal(parse_percent_decode("x%g1", 4, &out), -EINVAL);
    /* Only len bytes are read. */
    assert_int_equal(parse_percent_decode("ab%41", 2, &out), 0);
    assert_string_equal(out, "ab");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_percent_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
