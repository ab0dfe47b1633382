/* Fuzz target for lib/auth's JWT verification with a fixed key, policy and clock. Each input is
 * verified twice: as it is (header, base64url and signature checks, which an attacker without
 * the key reaches), and re-signed with the key over its first two segments, so the claims
 * parsing behind the signature check is fuzzed too. */
#include "fuzz.h"

#include "auth/token.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define FUZZ_ISSUER "popd-rest"
#define FUZZ_NOW 1700000000 /* the seeds' tokens were issued around this time */

#define FUZZ_MAX_TTL 86400 /* the policy's longest lifetime (exp - iat) */

static const uint8_t key[32] = "fuzz-jwt-key-0123456789abcdefghi";
static const struct auth_jwt_policy policy = {.issuer = FUZZ_ISSUER, .max_ttl_s = FUZZ_MAX_TTL};

static void check_verify(const char *token)
{
    struct auth_claims c;
    const char *reason = NULL;
    int r = auth_jwt_verify(key, sizeof(key), &policy, token, FUZZ_NOW, &c, &reason);
    FUZZ_ASSERT(r == 0 || r == -EACCES);
    if (r < 0) {
        FUZZ_ASSERT(reason && *reason);
        return;
    }
    /* Accepted: the claims hold what the contract says. */
    FUZZ_ASSERT(strcmp(c.iss, FUZZ_ISSUER) == 0);
    FUZZ_ASSERT(auth_check_username(c.sub) == NULL);
    FUZZ_ASSERT(strlen(c.jti) == AUTH_JTI_LEN && strspn(c.jti, "0123456789abcdef") == AUTH_JTI_LEN);
    FUZZ_ASSERT(c.exp > FUZZ_NOW && c.iat <= FUZZ_NOW + AUTH_JWT_LEEWAY_S);
    FUZZ_ASSERT(c.exp - c.iat > 0 && c.exp - c.iat <= FUZZ_MAX_TTL);
}

static size_t b64url(const uint8_t *in, size_t n, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        if (i + 1 < n)
            out[o++] = tab[v >> 6 & 63];
        if (i + 2 < n)
            out[o++] = tab[v & 63];
    }
    out[o] = '\0';
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2 * AUTH_JWT_TOKEN_MAX)
        return 0;
    char *token = fuzz_strndup(data, size);
    check_verify(token);

    /* "header.payload[.anything]" -> "header.payload.<valid signature>" */
    char *dot1 = strchr(token, '.');
    char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    size_t signed_len = dot2 ? (size_t)(dot2 - token) : strlen(token);
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned maclen = 0;
    FUZZ_ASSERT(HMAC(EVP_sha256(), key, sizeof(key), (const uint8_t *)token, signed_len, mac,
                     &maclen) != NULL);
    char *resigned = malloc(signed_len + 2 + 64);
    FUZZ_ASSERT(resigned != NULL);
    memcpy(resigned, token, signed_len);
    resigned[signed_len] = '.';
    b64url(mac, maclen, resigned + signed_len + 1);
    check_verify(resigned);

    free(resigned);
    free(token);
    return 0;
}
