/* PBKDF2-HMAC-SHA256 password hashes with salt and iteration count stored in the string. */
#include "auth/password.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/random.h"
#include "core/base64.h"
#include "core/parse.h"

#define PASSWORD_PREFIX "$pbkdf2-sha256$i="
#define PASSWORD_SALT_LEN 16
#define PASSWORD_SALT_MIN 8
#define PASSWORD_SALT_MAX 64
#define PASSWORD_HASH_LEN 32
/* Longest encoded string we parse: prefix, 8 digits, two '$', 64-byte salt, 32-byte hash. */
#define PASSWORD_ENCODED_MAX 256

static int password_derive(const char *password, size_t len, const uint8_t *salt, size_t saltlen,
                           unsigned iterations, uint8_t out[static PASSWORD_HASH_LEN])
{
    if (PKCS5_PBKDF2_HMAC(password, (int)len, salt, (int)saltlen, (int)iterations, EVP_sha256(),
                          PASSWORD_HASH_LEN, out) != 1)
        return -EIO;
    return 0;
}

static int password_len(const char *password, size_t *ret_len)
{
    if (!password)
        return -EINVAL;
    size_t len = strnlen(password, AUTH_PASSWORD_MAX + 1);
    if (len > AUTH_PASSWORD_MAX)
        return -EINVAL;
    *ret_len = len;
    return 0;
}

int auth_password_hash(const char *password, unsigned iterations, char **ret_encoded)
{
    uint8_t salt[PASSWORD_SALT_LEN], hash[PASSWORD_HASH_LEN];
    char salt64[BASE64_ENCODED_SIZE(PASSWORD_SALT_LEN)];
    char hash64[BASE64_ENCODED_SIZE(PASSWORD_HASH_LEN)];
    char buf[PASSWORD_ENCODED_MAX];
    size_t len;
    int r;

    if (password_len(password, &len) < 0 || len == 0 || !ret_encoded)
        return -EINVAL;
    if (iterations == 0)
        iterations = AUTH_PASSWORD_DEFAULT_ITERATIONS;
    if (iterations > AUTH_PASSWORD_MAX_ITERATIONS)
        return -EINVAL;
    r = auth_random_bytes(salt, sizeof(salt));
    if (r < 0)
        return r;
    r = password_derive(password, len, salt, sizeof(salt), iterations, hash);
    if (r < 0)
        return r;
    base64_encode(salt, sizeof(salt), 0, salt64, sizeof(salt64));
    base64_encode(hash, sizeof(hash), 0, hash64, sizeof(hash64));
    OPENSSL_cleanse(hash, sizeof(hash));
    snprintf(buf, sizeof(buf), PASSWORD_PREFIX "%u$%s$%s", iterations, salt64, hash64);
    OPENSSL_cleanse(hash64, sizeof(hash64));
    char *s = strdup(buf);
    OPENSSL_cleanse(buf, sizeof(buf));
    if (!s)
        return -ENOMEM;
    *ret_encoded = s;
    return 0;
}

/* Splits "$pbkdf2-sha256$i=N$salt$hash" into its parts; -EINVAL on any deviation. */
static int password_parse(const char *encoded, unsigned *ret_iterations, uint8_t *salt,
                          size_t *ret_saltlen, uint8_t hash[static PASSWORD_HASH_LEN])
{
    char digits[9];
    int64_t iterations;

    if (!encoded || strnlen(encoded, PASSWORD_ENCODED_MAX + 1) > PASSWORD_ENCODED_MAX)
        return -EINVAL;
    if (strncmp(encoded, PASSWORD_PREFIX, strlen(PASSWORD_PREFIX)) != 0)
        return -EINVAL;
    const char *p = encoded + strlen(PASSWORD_PREFIX);
    size_t n = strspn(p, "0123456789");
    if (n == 0 || n >= sizeof(digits) || p[n] != '$' || p[0] == '0')
        return -EINVAL;
    memcpy(digits, p, n);
    digits[n] = '\0';
    if (parse_int64(digits, 1, AUTH_PASSWORD_MAX_ITERATIONS, &iterations) < 0)
        return -EINVAL;

    const char *salt64 = p + n + 1;
    const char *dollar = strchr(salt64, '$');
    if (!dollar)
        return -EINVAL;
    int saltlen = base64_decode(salt64, (size_t)(dollar - salt64), 0, salt, PASSWORD_SALT_MAX);
    if (saltlen < PASSWORD_SALT_MIN)
        return -EINVAL;
    const char *hash64 = dollar + 1;
    uint8_t tmp[PASSWORD_HASH_LEN + 3];
    int hashlen = base64_decode(hash64, strlen(hash64), 0, tmp, sizeof(tmp));
    if (hashlen != PASSWORD_HASH_LEN)
        return -EINVAL;
    memcpy(hash, tmp, PASSWORD_HASH_LEN);
    *ret_iterations = (unsigned)iterations;
    *ret_saltlen = (size_t)saltlen;
    return 0;
}

int auth_password_verify(const char *password, const char *encoded)
{
    uint8_t salt[PASSWORD_SALT_MAX], want[PASSWORD_HASH_LEN], got[PASSWORD_HASH_LEN];
    unsigned iterations;
    size_t len, saltlen;
    int r;

    if (password_len(password, &len) < 0)
        return -EINVAL;
    r = password_parse(encoded, &iterations, salt, &saltlen, want);
    if (r < 0)
        return r;
    r = password_derive(password, len, salt, saltlen, iterations, got);
    if (r < 0)
        return r;
    r = CRYPTO_memcmp(want, got, PASSWORD_HASH_LEN) == 0 ? 0 : -EACCES;
    OPENSSL_cleanse(got, sizeof(got));
    return r;
}

void auth_password_burn(const char *password)
{
    static const char salt[] = "pop-nfv-burn-salt";
    uint8_t out[PASSWORD_HASH_LEN];
    size_t len;

    if (password_len(password, &len) < 0) {
        password = "";
        len = 0;
    }
    (void)password_derive(password, len, (const uint8_t *)salt, PASSWORD_SALT_LEN,
                          AUTH_PASSWORD_DEFAULT_ITERATIONS, out);
    OPENSSL_cleanse(out, sizeof(out));
}
