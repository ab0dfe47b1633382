/* Unit tests for HMAC-SHA256: the RFC 4231 vectors, empty inputs, a key longer than a block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "auth/digest.h"

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void check(const void *key, size_t key_len, const char *data, const char *want)
{
    uint8_t mac[AUTH_HMAC_SHA256_LEN];
    char got[2 * AUTH_HMAC_SHA256_LEN + 1];
    assert_int_equal(auth_hmac_sha256(key, key_len, data, strlen(data), mac), 0);
    hex(mac, sizeof(mac), got);
    assert_string_equal(got, want);
}

static void test_rfc4231(void **state)
{
    (void)state;
    /* Test case 2: a short key. */
    check("Jefe", 4, "what do ya want for nothing?",
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* Test case 6: a 131-byte key, longer than SHA-256's block, is hashed first. */
    uint8_t key[131];
    memset(key, 0xaa, sizeof(key));
    check(key, sizeof(key), "Test Using Larger Than Block-Size Key - Hash Key First",
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_empty(void **state)
{
    (void)state;
    /* HMAC-SHA256 with an empty key of an empty message (a known value). */
    check(NULL, 0, "", "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void test_secret_equal(void **state)
{
    (void)state;
    assert_int_equal(auth_secret_equal("secret", "secret"), 1);
    assert_int_equal(auth_secret_equal("secret", "secreT"), 0);
    assert_int_equal(auth_secret_equal("secret", "secret "), 0);
    assert_int_equal(auth_secret_equal("", NULL), 1);
    assert_int_equal(auth_secret_equal("x", NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4231),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_secret_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
