/* JWT issue and verify over libjwt 1.10, with the algorithm pinned to HS256 by our own header
 * and signature checks before libjwt parses anything (libjwt trusts the token's alg). */
#include "auth/token.h"

#include <errno.h>
#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "auth/random.h"
#include "core/base64.h"
#include "core/cleanup.h"
#include "core/parse.h"

_Static_assert(sizeof(long) >= sizeof(int64_t), "libjwt grant integers are long");

#define TOKEN_HEADER_MAX 256
#define TOKEN_SIG_LEN 32

/* Header spellings we accept, decoded. The first is what libjwt 1.10 writes. */
static const char *const token_headers[] = {
    "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
    "{\"typ\":\"JWT\",\"alg\":\"HS256\"}",
    "{\"alg\":\"HS256\"}",
};

static void token_jwt_freep(jwt_t **j)
{
    jwt_free(*j);
}
#define _cleanup_jwt_ _cleanup_(token_jwt_freep)

static bool token_key_ok(const uint8_t *key, size_t keylen)
{
    return key && keylen >= AUTH_JWT_KEY_MIN && keylen <= AUTH_JWT_KEY_MAX;
}

static bool token_name_ok(const char *s)
{
    if (!s)
        return false;
    size_t n = strnlen(s, AUTH_CLAIM_MAX + 1);
    if (n == 0 || n > AUTH_CLAIM_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

_Static_assert(AUTH_CLAIM_MAX == 64, "auth_check_username's reason states the limit");

const char *auth_check_username(const char *s)
{
    if (!s)
        return "is required";
    size_t n = strnlen(s, AUTH_CLAIM_MAX + 1);
    if (n == 0 || n > AUTH_CLAIM_MAX)
        return "must be 1-64 characters";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '\\')
            return "may contain only visible ASCII characters other than quotes and backslash";
    }
    return NULL;
}

static int token_errno(int e)
{
    return e == ENOMEM ? -ENOMEM : -EIO;
}

int auth_jwt_issue(const uint8_t *key, size_t keylen, const char *issuer, const char *subject,
                   int64_t now, int64_t ttl_s, char **ret_token, struct auth_claims *ret_claims)
{
    _cleanup_jwt_ jwt_t *j = NULL;
    struct auth_claims c = {0};
    int r;

    if (!token_key_ok(key, keylen) || !token_name_ok(issuer) || auth_check_username(subject) ||
        now < 0 || ttl_s <= 0 || ttl_s > AUTH_JWT_TTL_MAX || now > INT64_MAX - ttl_s || !ret_token)
        return -EINVAL;

    r = auth_random_hex(AUTH_JTI_LEN / 2, c.jti, sizeof(c.jti));
    if (r < 0)
        return r;
    memcpy(c.iss, issuer, strlen(issuer) + 1);
    memcpy(c.sub, subject, strlen(subject) + 1);
    c.iat = now;
    c.exp = now + ttl_s;

    r = jwt_new(&j);
    if (r != 0)
        return token_errno(r);
    r = jwt_set_alg(j, JWT_ALG_HS256, key, (int)keylen);
    if (r == 0)
        r = jwt_add_grant(j, "iss", c.iss);
    if (r == 0)
        r = jwt_add_grant(j, "sub", c.sub);
    if (r == 0)
        r = jwt_add_grant(j, "jti", c.jti);
    if (r == 0)
        r = jwt_add_grant_int(j, "iat", (long)c.iat);
    if (r == 0)
        r = jwt_add_grant_int(j, "exp", (long)c.exp);
    if (r != 0)
        return token_errno(r);
    /* libjwt 1.10 allocates with malloc; the caller releases with free(). */
    char *token = jwt_encode_str(j);
    if (!token)
        return token_errno(errno);
    *ret_token = token;
    if (ret_claims)
        *ret_claims = c;
    return 0;
}

static int token_refuse(const char **ret_reason, const char *reason)
{
    if (ret_reason)
        *ret_reason = reason;
    return -EACCES;
}

/* Tells "alg is not HS256" apart from "HS256 but header has other fields", for the reason. */
static const char *token_header_reason(const char *hdr)
{
    const char *p = strstr(hdr, "\"alg\"");
    if (!p)
        return "algorithm not allowed";
    p += strlen("\"alg\"");
    p += strspn(p, " \t\r\n");
    if (*p++ != ':')
        return "algorithm not allowed";
    p += strspn(p, " \t\r\n");
    if (strncmp(p, "\"HS256\"", strlen("\"HS256\"")) == 0)
        return "unsupported token header";
    return "algorithm not allowed";
}

static bool token_header_ok(const char *hdr, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(token_headers); i++)
        if (len == strlen(token_headers[i]) && memcmp(hdr, token_headers[i], len) == 0)
            return true;
    return false;
}

/* Copies string grant name into out. Returns 0, -ENOENT when the claim is absent, -EINVAL
 * when it is there but not a string of 1..outsize-1 bytes. */
static int token_claim_str(jwt_t *j, const char *name, char *out, size_t outsize)
{
    const char *s = jwt_get_grant(j, name); /* borrowed from j; NULL for a non-string too */
    if (!s) {
        _cleanup_free_ char *json = jwt_get_grants_json(j, name);
        return json ? -EINVAL : -ENOENT;
    }
    size_t n = strnlen(s, outsize);
    if (n == 0 || n >= outsize)
        return -EINVAL;
    memcpy(out, s, n + 1);
    return 0;
}

/* Reads integer grant name. Returns 0, -ENOENT when absent, -EINVAL when not a JSON integer in
 * [0, INT64_MAX]. jwt_get_grant_int cannot tell 0 from a string, so the JSON text is parsed. */
static int token_claim_int(jwt_t *j, const char *name, int64_t *ret)
{
    _cleanup_free_ char *json = jwt_get_grants_json(j, name);
    if (!json)
        return -ENOENT;
    return parse_int64(json, 0, INT64_MAX, ret) == 0 ? 0 : -EINVAL;
}

static bool token_jti_ok(const char *jti)
{
    return strlen(jti) == AUTH_JTI_LEN && strspn(jti, "0123456789abcdef") == AUTH_JTI_LEN;
}

static bool token_policy_ok(const struct auth_jwt_policy *policy)
{
    return policy && token_name_ok(policy->issuer) && policy->max_ttl_s > 0 &&
           policy->max_ttl_s <= AUTH_JWT_TTL_MAX;
}

/* The claims of a token whose signature is ours. Every check names its claim in the reason, so
 * a client (and the log) can tell which one was refused. */
static int token_check_claims(jwt_t *j, const struct auth_jwt_policy *policy, int64_t now,
                              struct auth_claims *c, const char **ret_reason)
{
    int64_t nbf;
    int r;

    if (token_claim_str(j, "iss", c->iss, sizeof(c->iss)) < 0 || strcmp(c->iss, policy->issuer))
        return token_refuse(ret_reason, "wrong issuer (iss)");
    r = token_claim_str(j, "sub", c->sub, sizeof(c->sub));
    if (r == -ENOENT)
        return token_refuse(ret_reason, "missing subject (sub)");
    /* The same rule as a login name: sub reaches logs and account lookups. */
    if (r < 0 || auth_check_username(c->sub))
        return token_refuse(ret_reason, "malformed subject (sub)");
    r = token_claim_str(j, "jti", c->jti, sizeof(c->jti));
    if (r == -ENOENT)
        return token_refuse(ret_reason, "missing token id (jti)");
    if (r < 0 || !token_jti_ok(c->jti))
        return token_refuse(ret_reason, "malformed token id (jti)");
    r = token_claim_int(j, "exp", &c->exp);
    if (r < 0)
        return token_refuse(ret_reason,
                            r == -ENOENT ? "missing expiry (exp)" : "malformed expiry (exp)");
    r = token_claim_int(j, "iat", &c->iat);
    if (r < 0)
        return token_refuse(ret_reason, r == -ENOENT ? "missing issue time (iat)"
                                                     : "malformed issue time (iat)");
    /* nbf is optional (we never issue it), but a token that carries one is held to it. */
    r = token_claim_int(j, "nbf", &nbf);
    if (r == -EINVAL)
        return token_refuse(ret_reason, "malformed not-before time (nbf)");

    /* Both sides are >= 0 here, so none of these differences can overflow. */
    if (c->exp <= now)
        return token_refuse(ret_reason, "expired (exp)");
    if (c->iat > now && c->iat - now > AUTH_JWT_LEEWAY_S)
        return token_refuse(ret_reason, "issued in the future (iat)");
    if (r == 0 && nbf > now && nbf - now > AUTH_JWT_LEEWAY_S)
        return token_refuse(ret_reason, "token not yet valid (nbf)");
    if (c->exp <= c->iat)
        return token_refuse(ret_reason, "expiry not after issue time (exp, iat)");
    /* RFC 8725 3.10: the lifetime is ours to bound, not the token's; a leaked key or a bug in
     * an issuer cannot mint a session that outlives the configured one. */
    if (c->exp - c->iat > policy->max_ttl_s)
        return token_refuse(ret_reason, "lifetime longer than allowed (exp - iat)");
    return 0;
}

int auth_jwt_verify(const uint8_t *key, size_t keylen, const struct auth_jwt_policy *policy,
                    const char *token, int64_t now, struct auth_claims *ret_claims,
                    const char **ret_reason)
{
    _cleanup_jwt_ jwt_t *j = NULL;
    struct auth_claims c = {0};
    char hdr[TOKEN_HEADER_MAX + 1];
    uint8_t sig[TOKEN_SIG_LEN + 3], mac[EVP_MAX_MD_SIZE];
    unsigned maclen = 0;
    int r, n;

    if (!token_key_ok(key, keylen) || !token_policy_ok(policy) || now < 0)
        return -EINVAL;
    if (!token || !*token)
        return token_refuse(ret_reason, "malformed token");
    size_t len = strnlen(token, AUTH_JWT_TOKEN_MAX + 1);
    if (len > AUTH_JWT_TOKEN_MAX)
        return token_refuse(ret_reason, "token too large");

    /* Exactly three segments; header and payload non-empty (an empty signature, as in
     * alg "none" tokens, is refused below by the header check). */
    const char *dot1 = memchr(token, '.', len);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) ||
        dot1 == token || dot2 == dot1 + 1)
        return token_refuse(ret_reason, "malformed token");

    /* The algorithm is ours to choose: refuse any header but the HS256 ones before libjwt
     * sees the token (it would pick the algorithm from the header). */
    n = base64_decode(token, (size_t)(dot1 - token), BASE64_URL, (uint8_t *)hdr, TOKEN_HEADER_MAX);
    if (n < 0)
        return token_refuse(ret_reason,
                            n == -ENOBUFS ? "unsupported token header" : "malformed token");
    hdr[n] = '\0';
    if (!token_header_ok(hdr, (size_t)n))
        return token_refuse(ret_reason, token_header_reason(hdr));

    n = base64_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), BASE64_URL, sig, sizeof(sig));
    if (n != TOKEN_SIG_LEN)
        return token_refuse(ret_reason, "bad signature");
    if (!HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)token, (size_t)(dot2 - token),
              mac, &maclen) ||
        maclen != TOKEN_SIG_LEN)
        return -EIO;
    if (CRYPTO_memcmp(mac, sig, TOKEN_SIG_LEN) != 0)
        return token_refuse(ret_reason, "bad signature");

    /* Signed by us; libjwt checks the signature again and parses the claims. Never pass it an
     * empty key: libjwt 1.10 then skips signature verification. */
    r = jwt_decode(&j, token, key, (int)keylen);
    if (r == ENOMEM)
        return -ENOMEM;
    if (r != 0 || !j)
        return token_refuse(ret_reason, "malformed token");
    if (jwt_get_alg(j) != JWT_ALG_HS256)
        return token_refuse(ret_reason, "algorithm not allowed");

    r = token_check_claims(j, policy, now, &c, ret_reason);
    if (r < 0)
        return r;

    if (ret_claims)
        *ret_claims = c;
    return 0;
}
