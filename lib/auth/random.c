/* Random bytes, hex strings and UUIDs from OpenSSL's RAND_bytes. */
#include "auth/random.h"

#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <string.h>

int auth_random_bytes(void *buf, size_t n)
{
    if (n == 0)
        return 0;
    if (!buf || n > INT_MAX)
        return -EINVAL;
    return RAND_bytes(buf, (int)n) == 1 ? 0 : -EIO;
}

static void random_to_hex(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int auth_random_hex(size_t nbytes, char *out, size_t outlen)
{
    uint8_t raw[AUTH_RANDOM_HEX_MAX];
    if (nbytes == 0 || nbytes > AUTH_RANDOM_HEX_MAX || !out)
        return -EINVAL;
    if (outlen < 2 * nbytes + 1)
        return -ENOBUFS;
    int r = auth_random_bytes(raw, nbytes);
    if (r < 0)
        return r;
    random_to_hex(raw, nbytes, out);
    OPENSSL_cleanse(raw, nbytes);
    return 0;
}

int auth_uuid4(char out[static 37])
{
    uint8_t u[16];
    char hex[33];
    int r = auth_random_bytes(u, sizeof(u));
    if (r < 0)
        return r;
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    random_to_hex(u, sizeof(u), hex);
    /* 8-4-4-4-12 groups. */
    size_t o = 0;
    for (size_t i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            out[o++] = '-';
        out[o++] = hex[i];
    }
    out[o] = '\0';
    return 0;
}
