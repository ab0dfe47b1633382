/* base64 codec: canonical decoding only, so a token, a hash or a byte[] has one spelling. */
#include "core/base64.h"

#include <errno.h>

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int base64_encode(const uint8_t *in, size_t n, unsigned flags, char *out, size_t outlen)
{
    const char *alpha = (flags & BASE64_URL) ? b64_url : b64_std;
    bool pad = flags & BASE64_PAD;
    if (n > (SIZE_MAX - 8) / 4 * 3 ||
        outlen < (pad ? BASE64_PADDED_SIZE(n) : BASE64_ENCODED_SIZE(n)))
        return -ENOBUFS;
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        out[o++] = alpha[v >> 6 & 63];
        out[o++] = alpha[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        if (pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        out[o++] = alpha[v >> 6 & 63];
        if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    return (int)o;
}

static int b64_value(char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

int base64_decode(const char *in, size_t n, unsigned flags, uint8_t *out, size_t outlen)
{
    if (flags & BASE64_PAD) {
        size_t padded = n, pad = 0;
        while (n > 0 && in[n - 1] == '=' && pad < 2) {
            n--;
            pad++;
        }
        if (pad && padded % 4 != 0)
            return -EINVAL;
    }
    if (n % 4 == 1 || n > (size_t)INT32_MAX)
        return -EINVAL;
    size_t need = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    if (need > outlen)
        return -ENOBUFS;
    bool url = flags & BASE64_URL;
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(in[i], url);
        if (v < 0)
            return -EINVAL;
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* Leftover bits of the last character must be zero for the encoding to be canonical. */
    if (acc & ((1u << bits) - 1))
        return -EINVAL;
    return (int)o;
}
