/* Unit tests for PBKDF2 password hashing: round trips, the stored format, interop with an
 * independent implementation, malformed strings, caps, and the cost of unknown-user logins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "core/base64.h"
#include "core/cleanup.h"
#include "core/parse.h"

/* Link-time seam: records the iteration count of every PBKDF2 run, then does the real work. */
int __real_PKCS5_PBKDF2_HMAC(const char *pass, int passlen, const unsigned char *salt, int saltlen,
                             int iter, const EVP_MD *digest, int keylen, unsigned char *out);
int __wrap_PKCS5_PBKDF2_HMAC(const char *pass, int passlen, const unsigned char *salt, int saltlen,
                             int iter, const EVP_MD *digest, int keylen, unsigned char *out);

static int last_iterations;
static int pbkdf2_calls;

int __wrap_PKCS5_PBKDF2_HMAC(const char *pass, int passlen, const unsigned char *salt, int saltlen,
                             int iter, const EVP_MD *digest, int keylen, unsigned char *out)
{
    last_iterations = iter;
    pbkdf2_calls++;
    return __real_PKCS5_PBKDF2_HMAC(pass, passlen, salt, saltlen, iter, digest, keylen, out);
}

#define FAST 1000

static void test_round_trip(void **state)
{
    (void)state;
    _cleanup_free_ char *h = NULL;
    assert_int_equal(auth_password_hash("s3cret pass", FAST, &h), 0);
    assert_non_null(h);
    assert_int_equal(auth_password_verify("s3cret pass", h), 0);
    assert_int_equal(auth_password_verify("s3cret pasS", h), -EACCES);
    assert_int_equal(auth_password_verify("s3cret pass ", h), -EACCES);
    assert_int_equal(auth_password_verify("", h), -EACCES);
}

static void test_salted(void **state)
{
    (void)state;
    _cleanup_free_ char *a = NULL, *b = NULL;
    assert_int_equal(auth_password_hash("same", FAST, &a), 0);
    assert_int_equal(auth_password_hash("same", FAST, &b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(auth_password_verify("same", a), 0);
    assert_int_equal(auth_password_verify("same", b), 0);
}

static void test_format(void **state)
{
    (void)state;
    _cleanup_free_ char *h = NULL;
    uint8_t buf[64];
    assert_int_equal(auth_password_hash("pw", FAST, &h), 0);
    const char *prefix = "$pbkdf2-sha256$i=1000$";
    assert_memory_equal(h, prefix, strlen(prefix));
    const char *salt = h + strlen(prefix);
    const char *dollar = strchr(salt, '$');
    assert_non_null(dollar);
    assert_int_equal(base64_decode(salt, (size_t)(dollar - salt), 0, buf, sizeof(buf)), 16);
    assert_int_equal(base64_decode(dollar + 1, strlen(dollar + 1), 0, buf, sizeof(buf)), 32);
}

/* Produced by Python's hashlib.pbkdf2_hmac("sha256", b"correct horse", b"0123456789abcdef",
 * 1000), so operators can prepare hashes with common tools. */
static void test_interop_vector(void **state)
{
    (void)state;
    const char *enc = "$pbkdf2-sha256$i=1000$MDEyMzQ1Njc4OWFiY2RlZg$"
                      "cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M";
    assert_int_equal(auth_password_verify("correct horse", enc), 0);
    assert_int_equal(auth_password_verify("correct horsf", enc), -EACCES);
}

static void test_default_iterations(void **state)
{
    (void)state;
    _cleanup_free_ char *h = NULL;
    int64_t iterations = 0;
    char digits[16] = "";

    assert_int_equal(auth_password_hash("pw", 0, &h), 0);
    const char *p = h + strlen("$pbkdf2-sha256$i=");
    size_t n = strcspn(p, "$");
    assert_true(n < sizeof(digits));
    memcpy(digits, p, n);
    assert_int_equal(parse_int64(digits, 0, INT64_MAX, &iterations), 0);
    assert_true(iterations >= 600000);

    /* Verifying a real account and burning for an unknown one cost the same work. */
    last_iterations = 0;
    assert_int_equal(auth_password_verify("pw", h), 0);
    assert_int_equal(last_iterations, iterations);
    last_iterations = 0;
    auth_password_burn("pw");
    assert_int_equal(last_iterations, iterations);
}

static void test_burn_odd_input(void **state)
{
    (void)state;
    char big[AUTH_PASSWORD_MAX + 2];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    pbkdf2_calls = 0;
    auth_password_burn(NULL);
    auth_password_burn(big);
    assert_int_equal(pbkdf2_calls, 2);
    assert_int_equal(last_iterations, (int)AUTH_PASSWORD_DEFAULT_ITERATIONS);
}

static void test_bad_input(void **state)
{
    (void)state;
    char *h = (char *)"untouched";
    char big[AUTH_PASSWORD_MAX + 2];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';

    assert_int_equal(auth_password_hash(NULL, FAST, &h), -EINVAL);
    assert_int_equal(auth_password_hash("", FAST, &h), -EINVAL);
    assert_int_equal(auth_password_hash(big, FAST, &h), -EINVAL);
    assert_int_equal(auth_password_hash("pw", AUTH_PASSWORD_MAX_ITERATIONS + 1, &h), -EINVAL);
    assert_string_equal(h, "untouched");

    /* Exactly at the cap is fine, and the cap applies to verify too. */
    big[AUTH_PASSWORD_MAX] = '\0';
    _cleanup_free_ char *ok = NULL;
    assert_int_equal(auth_password_hash(big, FAST, &ok), 0);
    assert_int_equal(auth_password_verify(big, ok), 0);
    big[AUTH_PASSWORD_MAX] = 'x';
    assert_int_equal(auth_password_verify(big, ok), -EINVAL);
    assert_int_equal(auth_password_verify(NULL, ok), -EINVAL);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "plaintext",
        "$pbkdf2-sha512$i=1000$MDEyMzQ1Njc4OWFiY2RlZg$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M",
        "$pbkdf2-sha256$i=0$MDEyMzQ1Njc4OWFiY2RlZg$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M",
        "$pbkdf2-sha256$i=01000$MDEyMzQ1Njc4OWFiY2RlZg$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M",
        "$pbkdf2-sha256$i=+1000$MDEyMzQ1Njc4OWFiY2RlZg$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M",
        "$pbkdf2-sha256$i=abc$MDEyMzQ1Njc4OWFiY2RlZg$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M",
        "$pbkdf2-sha256$i=99999999$MDEyMzQ1Njc4OWFiY2RlZg$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Sr"
        "wk4M",
        "$pbkdf2-sha256$i=1000$MDEyMzQ1Njc4OWFiY2RlZg",
        "$pbkdf2-sha256$i=1000$MDEyMzQ1Njc4OWFiY2RlZg$",
        "$pbkdf2-sha256$i=1000$$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M",
        /* salt of 4 bytes: too short */
        "$pbkdf2-sha256$i=1000$c2FsdA$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M",
        /* hash one byte short, then padded, then with a stray '$' */
        "$pbkdf2-sha256$i=1000$MDEyMzQ1Njc4OWFiY2RlZg$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srw",
        "$pbkdf2-sha256$i=1000$MDEyMzQ1Njc4OWFiY2RlZg$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M=",
        "$pbkdf2-sha256$i=1000$MDEyMzQ1Njc4OWFiY2RlZg$cBg8D2DungRB9k76szThf5ehfyBz991ay6PT8Srwk4M$",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        int r = auth_password_verify("correct horse", bad[i]);
        if (r != -EINVAL)
            fail_msg("encoded string %zu accepted or misread: %d", i, r);
    }
    assert_int_equal(auth_password_verify("correct horse", NULL), -EINVAL);

    char huge[600];
    memset(huge, 'A', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    memcpy(huge, "$pbkdf2-sha256$i=1000$", strlen("$pbkdf2-sha256$i=1000$"));
    assert_int_equal(auth_password_verify("correct horse", huge), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_salted),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_interop_vector),
        cmocka_unit_test(test_default_iterations),
        cmocka_unit_test(test_burn_odd_input),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
