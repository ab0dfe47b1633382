/* HMAC-SHA256 through OpenSSL's one-shot HMAC(); secrets compared through their digests. */
#include "auth/digest.h"

#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

int auth_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                     uint8_t out[static AUTH_HMAC_SHA256_LEN])
{
    if (key_len > INT_MAX)
        return -EINVAL;
    /* HMAC() reads no byte of a NULL key or data when the length is 0, but says nothing of a
     * NULL pointer itself: give it a real one. */
    static const uint8_t none;
    unsigned out_len = 0;
    if (!HMAC(EVP_sha256(), key_len ? key : &none, (int)key_len, len ? data : &none, len, out,
              &out_len) ||
        out_len != AUTH_HMAC_SHA256_LEN)
        return -EIO;
    return 0;
}

int auth_secret_equal(const char *a, const char *b)
{
    /* The key only makes the digests fixed-size; it need not be secret. */
    static const char key[] = "auth_secret_equal";
    uint8_t da[AUTH_HMAC_SHA256_LEN], db[AUTH_HMAC_SHA256_LEN];
    a = a ? a : "";
    b = b ? b : "";
    if (auth_hmac_sha256(key, sizeof(key) - 1, a, strlen(a), da) < 0 ||
        auth_hmac_sha256(key, sizeof(key) - 1, b, strlen(b), db) < 0)
        return -EIO;
    return CRYPTO_memcmp(da, db, sizeof(da)) == 0;
}
