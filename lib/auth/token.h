/* Session tokens: JWTs signed with HMAC-SHA256 only; the algorithm is pinned, never taken from
 * the token. Claims: iss, sub, iat, exp, jti (128-bit random hex, for revocation); nbf is
 * checked when present. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define AUTH_JWT_KEY_MIN 32      /* bytes of HMAC key, at least the hash size */
#define AUTH_JWT_KEY_MAX 1024    /* bytes */
#define AUTH_JWT_TOKEN_MAX 4096  /* longest token verified */
#define AUTH_CLAIM_MAX 64        /* longest iss and sub, in bytes */
#define AUTH_JTI_LEN 32          /* hex digits of a token id */
#define AUTH_JWT_TTL_MAX 2592000 /* 30 days */
#define AUTH_JWT_LEEWAY_S 60     /* iat and nbf may be this far ahead of now (clock skew) */

struct auth_claims {
    char iss[AUTH_CLAIM_MAX + 1];
    char sub[AUTH_CLAIM_MAX + 1];
    char jti[AUTH_JTI_LEN + 1];
    int64_t iat; /* seconds since the epoch */
    int64_t exp; /* seconds since the epoch; the token is valid while now < exp */
};

/* Checks a user name, as a client types it at login and as it travels in a token's sub:
 * 1..AUTH_CLAIM_MAX bytes of visible ASCII (0x21-0x7e) other than '"', '\'' and '\\', so a name
 * can neither forge a log line nor look like two names. Returns NULL when s is acceptable, else
 * a short static reason (usable as a jv_field.check). */
const char *auth_check_username(const char *s);

/* Issues an HS256 token for subject from issuer, valid from now for ttl_s seconds, with a fresh
 * jti. issuer: 1..AUTH_CLAIM_MAX bytes, no control characters; subject: a name
 * auth_check_username accepts. On success *ret_token is a malloc'ed string the caller frees,
 * and *ret_claims (may be NULL) describes it. Returns 0, -EINVAL (key shorter than
 * AUTH_JWT_KEY_MIN or longer than AUTH_JWT_KEY_MAX, bad names, now < 0, ttl_s not in
 * 1..AUTH_JWT_TTL_MAX), -ENOMEM or -EIO; outputs untouched on failure. */
int auth_jwt_issue(const uint8_t *key, size_t keylen, const char *issuer, const char *subject,
                   int64_t now, int64_t ttl_s, char **ret_token, struct auth_claims *ret_claims);

/* What a verifier accepts beyond a good signature: the issuer it expects and the longest
 * lifetime it hands out, so a token stolen or minted with a far exp cannot outlive it. */
struct auth_jwt_policy {
    const char *issuer; /* iss must equal it; 1..AUTH_CLAIM_MAX bytes, no control characters */
    int64_t max_ttl_s;  /* exp - iat may not exceed it; 1..AUTH_JWT_TTL_MAX */
};

/* Verifies token at time now (seconds since the epoch, >= 0), following RFC 8725: the header
 * must declare HS256 (anything else, "none" included, is refused before the signature is looked
 * at); HMAC-SHA256 signature under key; iss equal to policy->issuer; sub a name
 * auth_check_username accepts; jti exactly AUTH_JTI_LEN lowercase hex digits; integer iat and
 * exp with iat <= now + AUTH_JWT_LEEWAY_S, exp > now and 0 < exp - iat <= policy->max_ttl_s;
 * nbf, when present, an integer <= now + AUTH_JWT_LEEWAY_S. Whether sub names a current account
 * and whether jti is revoked are the caller's business. Returns 0 and fills *ret_claims (may be
 * NULL); -EACCES when the token is refused, with a short static reason naming the claim in
 * *ret_reason (may be NULL; untouched on success), fit for the client; -EINVAL for a bad key,
 * policy or now (caller's mistake); -ENOMEM or -EIO (OpenSSL). */
int auth_jwt_verify(const uint8_t *key, size_t keylen, const struct auth_jwt_policy *policy,
                    const char *token, int64_t now, struct auth_claims *ret_claims,
                    const char **ret_reason);
