/* Unit tests for JWT issue/verify. Tokens are also crafted by hand (base64url + OpenSSL HMAC) to
 * prove the algorithm is pinned and every claim is checked, whatever libjwt would accept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/token.h"
#include "core/base64.h"
#include "core/cleanup.h"

static const uint8_t key[] = "0123456789abcdef0123456789abcdef";       /* 32 bytes used */
static const uint8_t other_key[] = "fedcba9876543210fedcba9876543210"; /* 32 bytes used */
#define KEYLEN 32
#define JTI "00112233445566778899aabbccddeeff"
#define HS256_HDR "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define GOOD_PAYLOAD                                                                               \
    "{\"iss\":\"pop\",\"sub\":\"admin\",\"iat\":1000,\"exp\":2000,\"jti\":\"" JTI "\"}"
#define NOW 1500
#define TTL 3600 /* the longest lifetime the verifier allows */

static const struct auth_jwt_policy pop = {.issuer = "pop", .max_ttl_s = TTL};
static const struct auth_jwt_policy other_iss = {.issuer = "other", .max_ttl_s = TTL};
static const struct auth_jwt_policy no_iss = {.issuer = NULL, .max_ttl_s = TTL};

/* Builds header.payload.signature; md NULL leaves the signature empty (alg "none"). */
static char *craft(const char *header, const char *payload, const EVP_MD *md, const uint8_t *k)
{
    char h64[1024], p64[8192], s64[256];
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned maclen = 0;
    char signing[10000];

    assert_true(
        base64_encode((const uint8_t *)header, strlen(header), BASE64_URL, h64, sizeof(h64)) >= 0);
    assert_true(base64_encode((const uint8_t *)payload, strlen(payload), BASE64_URL, p64,
                              sizeof(p64)) >= 0);
    snprintf(signing, sizeof(signing), "%s.%s", h64, p64);
    s64[0] = '\0';
    if (md) {
        assert_non_null(
            HMAC(md, k, KEYLEN, (const uint8_t *)signing, strlen(signing), mac, &maclen));
        assert_true(base64_encode(mac, maclen, BASE64_URL, s64, sizeof(s64)) >= 0);
    }
    size_t n = strlen(signing) + 1 + strlen(s64) + 1;
    char *tok = malloc(n);
    assert_non_null(tok);
    snprintf(tok, n, "%s.%s", signing, s64);
    return tok;
}

/* Verifies token at NOW and returns the refusal reason, or "ok". */
static const char *verdict(const char *token)
{
    const char *reason = NULL;
    struct auth_claims c;
    int r = auth_jwt_verify(key, KEYLEN, &pop, token, NOW, &c, &reason);
    if (r == 0)
        return "ok";
    assert_int_equal(r, -EACCES);
    assert_non_null(reason);
    return reason;
}

static const char *verdict_of(const char *header, const char *payload, const EVP_MD *md)
{
    static char reason[64];
    _cleanup_free_ char *tok = craft(header, payload, md, key);
    snprintf(reason, sizeof(reason), "%s", verdict(tok));
    return reason;
}

static void test_issue_verify(void **state)
{
    (void)state;
    _cleanup_free_ char *tok = NULL;
    struct auth_claims issued, seen;
    assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", "admin", 1000, 3600, &tok, &issued), 0);
    assert_string_equal(issued.iss, "pop");
    assert_string_equal(issued.sub, "admin");
    assert_int_equal(issued.iat, 1000);
    assert_int_equal(issued.exp, 4600);
    assert_int_equal(strlen(issued.jti), 32);
    assert_int_equal(strspn(issued.jti, "0123456789abcdef"), 32);

    const char *reason = NULL;
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &pop, tok, 4599, &seen, &reason), 0);
    assert_null(reason);
    assert_string_equal(seen.iss, "pop");
    assert_string_equal(seen.sub, "admin");
    assert_string_equal(seen.jti, issued.jti);
    assert_int_equal(seen.iat, 1000);
    assert_int_equal(seen.exp, 4600);

    /* Valid until exp, not at it. */
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &pop, tok, 4600, &seen, &reason), -EACCES);
    assert_string_equal(reason, "expired (exp)");
    assert_int_equal(auth_jwt_verify(other_key, KEYLEN, &pop, tok, 2000, NULL, &reason), -EACCES);
    assert_string_equal(reason, "bad signature");
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &other_iss, tok, 2000, NULL, &reason), -EACCES);
    assert_string_equal(reason, "wrong issuer (iss)");
}

static void test_issue_unique_jti(void **state)
{
    (void)state;
    _cleanup_free_ char *a = NULL, *b = NULL;
    struct auth_claims ca, cb;
    assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", "admin", 1000, 60, &a, &ca), 0);
    assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", "admin", 1000, 60, &b, &cb), 0);
    assert_string_not_equal(ca.jti, cb.jti);
    assert_string_not_equal(a, b);
}

/* The login rule, shared by issue and verify so we never hand out a token we would refuse. */
static void test_check_username(void **state)
{
    (void)state;
    static const char *const good[] = {
        "admin",
        "a",
        "Tester-1",
        "o.k_2@x",
        "a!#$%&()*+,-./:;<=>?@[]^_`{|}~Z09",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 64 */
    };
    static const char *const bad[] = {
        "",
        "ad\nmin",
        "ad\rmin",
        "ad\tmin",
        "\x1b[31madmin",
        "ad\x7fmin",
        "ad min",
        " admin",
        "admin ",
        "ad\"min",
        "ad'min",
        "ad\\min",
        "adm\xc3\xa9n",
        "adm\xc2\x85n",
        "\xff",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
    };
    for (size_t i = 0; i < ARRAY_SIZE(good); i++)
        if (auth_check_username(good[i]))
            fail_msg("good name %zu refused: %s", i, auth_check_username(good[i]));
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        if (!auth_check_username(bad[i]))
            fail_msg("bad name %zu accepted", i);
    assert_non_null(auth_check_username(NULL));

    /* Whatever is accepted round-trips through a token unchanged. */
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        _cleanup_free_ char *tok = NULL;
        struct auth_claims seen;
        assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", good[i], 1000, 60, &tok, NULL), 0);
        assert_int_equal(auth_jwt_verify(key, KEYLEN, &pop, tok, 1001, &seen, NULL), 0);
        assert_string_equal(seen.sub, good[i]);
    }
    char *tok = (char *)"untouched";
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", bad[i], 1000, 60, &tok, NULL), -EINVAL);
    assert_string_equal(tok, "untouched");
}

static void test_issue_bad_args(void **state)
{
    (void)state;
    char *tok = (char *)"untouched";
    char long_name[AUTH_CLAIM_MAX + 2];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';

    assert_int_equal(auth_jwt_issue(key, 31, "pop", "admin", 1000, 60, &tok, NULL), -EINVAL);
    assert_int_equal(auth_jwt_issue(key, 0, "pop", "admin", 1000, 60, &tok, NULL), -EINVAL);
    assert_int_equal(auth_jwt_issue(NULL, KEYLEN, "pop", "admin", 1000, 60, &tok, NULL), -EINVAL);
    assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", "", 1000, 60, &tok, NULL), -EINVAL);
    assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", NULL, 1000, 60, &tok, NULL), -EINVAL);
    assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", long_name, 1000, 60, &tok, NULL), -EINVAL);
    assert_int_equal(auth_jwt_issue(key, KEYLEN, long_name, "admin", 1000, 60, &tok, NULL),
                     -EINVAL);
    assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", "ad\nmin", 1000, 60, &tok, NULL), -EINVAL);
    assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", "admin", 1000, 0, &tok, NULL), -EINVAL);
    assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", "admin", -1, 60, &tok, NULL), -EINVAL);
    assert_int_equal(
        auth_jwt_issue(key, KEYLEN, "pop", "admin", 1000, AUTH_JWT_TTL_MAX + 1, &tok, NULL),
        -EINVAL);
    assert_string_equal(tok, "untouched");

    /* 64 bytes is the longest name accepted. */
    long_name[AUTH_CLAIM_MAX] = '\0';
    _cleanup_free_ char *ok = NULL;
    struct auth_claims seen;
    assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", long_name, 1000, 60, &ok, NULL), 0);
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &pop, ok, 1000, &seen, NULL), 0);
    assert_string_equal(seen.sub, long_name);
}

static void test_verify_bad_args(void **state)
{
    (void)state;
    _cleanup_free_ char *tok = craft(HS256_HDR, GOOD_PAYLOAD, EVP_sha256(), key);
    /* An empty or short key is the caller's bug, never "no signature check". */
    assert_int_equal(auth_jwt_verify(key, 0, &pop, tok, NOW, NULL, NULL), -EINVAL);
    assert_int_equal(auth_jwt_verify((const uint8_t *)"", 0, &pop, tok, NOW, NULL, NULL), -EINVAL);
    assert_int_equal(auth_jwt_verify(key, 16, &pop, tok, NOW, NULL, NULL), -EINVAL);
    assert_int_equal(auth_jwt_verify(NULL, KEYLEN, &pop, tok, NOW, NULL, NULL), -EINVAL);
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &no_iss, tok, NOW, NULL, NULL), -EINVAL);
    /* A policy without a lifetime bound (or a nonsensical clock) is a bug, not "no cap". */
    const struct auth_jwt_policy no_ttl = {.issuer = "pop", .max_ttl_s = 0};
    const struct auth_jwt_policy huge_ttl = {.issuer = "pop", .max_ttl_s = AUTH_JWT_TTL_MAX + 1};
    assert_int_equal(auth_jwt_verify(key, KEYLEN, NULL, tok, NOW, NULL, NULL), -EINVAL);
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &no_ttl, tok, NOW, NULL, NULL), -EINVAL);
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &huge_ttl, tok, NOW, NULL, NULL), -EINVAL);
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &pop, tok, -1, NULL, NULL), -EINVAL);
}

static void test_crafted_valid(void **state)
{
    (void)state;
    _cleanup_free_ char *tok = craft(HS256_HDR, GOOD_PAYLOAD, EVP_sha256(), key);
    struct auth_claims c;
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &pop, tok, NOW, &c, NULL), 0);
    assert_string_equal(c.sub, "admin");
    assert_string_equal(c.jti, JTI);
    assert_int_equal(c.iat, 1000);
    assert_int_equal(c.exp, 2000);
    assert_string_equal(
        verdict_of("{\"typ\":\"JWT\",\"alg\":\"HS256\"}", GOOD_PAYLOAD, EVP_sha256()), "ok");
    assert_string_equal(verdict_of("{\"alg\":\"HS256\"}", GOOD_PAYLOAD, EVP_sha256()), "ok");
}

static void test_alg_none(void **state)
{
    (void)state;
    assert_string_equal(verdict_of("{\"alg\":\"none\",\"typ\":\"JWT\"}", GOOD_PAYLOAD, NULL),
                        "algorithm not allowed");
    assert_string_equal(verdict_of("{\"alg\":\"none\"}", GOOD_PAYLOAD, NULL),
                        "algorithm not allowed");
    assert_string_equal(verdict_of("{\"alg\":\"None\"}", GOOD_PAYLOAD, NULL),
                        "algorithm not allowed");
    /* "none" with a perfectly valid HS256 signature attached. */
    assert_string_equal(verdict_of("{\"alg\":\"none\"}", GOOD_PAYLOAD, EVP_sha256()),
                        "algorithm not allowed");
    /* Two-segment form. */
    _cleanup_free_ char *tok = craft("{\"alg\":\"none\"}", GOOD_PAYLOAD, NULL, key);
    tok[strlen(tok) - 1] = '\0';
    assert_string_equal(verdict(tok), "malformed token");
}

static void test_other_algs(void **state)
{
    (void)state;
    /* A correct HS512 signature under our key: libjwt would accept it, we must not. */
    assert_string_equal(
        verdict_of("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", GOOD_PAYLOAD, EVP_sha512()),
        "algorithm not allowed");
    assert_string_equal(
        verdict_of("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", GOOD_PAYLOAD, EVP_sha384()),
        "algorithm not allowed");
    /* RS256 header with an HMAC signature (key confusion). */
    assert_string_equal(
        verdict_of("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", GOOD_PAYLOAD, EVP_sha256()),
        "algorithm not allowed");
    assert_string_equal(verdict_of("{\"typ\":\"JWT\"}", GOOD_PAYLOAD, EVP_sha256()),
                        "algorithm not allowed");
    assert_string_equal(verdict_of("{\"alg\":\"hs256\"}", GOOD_PAYLOAD, EVP_sha256()),
                        "algorithm not allowed");
    /* HS256, but with fields we do not issue (kid, duplicate alg, whitespace). */
    assert_string_equal(verdict_of("{\"alg\":\"HS256\",\"kid\":\"x\"}", GOOD_PAYLOAD, EVP_sha256()),
                        "unsupported token header");
    assert_string_equal(
        verdict_of("{\"alg\":\"HS256\",\"alg\":\"none\"}", GOOD_PAYLOAD, EVP_sha256()),
        "unsupported token header");
    assert_string_equal(verdict_of("{\"alg\": \"HS256\"}", GOOD_PAYLOAD, EVP_sha256()),
                        "unsupported token header");
}

static void test_signature(void **state)
{
    (void)state;
    _cleanup_free_ char *good = craft(HS256_HDR, GOOD_PAYLOAD, EVP_sha256(), key);
    _cleanup_free_ char *evil =
        craft(HS256_HDR,
              "{\"iss\":\"pop\",\"sub\":\"root\",\"iat\":1000,\"exp\":2000,\"jti\":\"" JTI "\"}",
              EVP_sha256(), key);

    /* Tampered payload: evil's payload with good's signature. */
    char *dot2 = strrchr(evil, '.');
    const char *sig = strrchr(good, '.') + 1;
    size_t n = (size_t)(dot2 - evil) + 1 + strlen(sig) + 1;
    _cleanup_free_ char *tampered = malloc(n);
    assert_non_null(tampered);
    snprintf(tampered, n, "%.*s.%s", (int)(dot2 - evil), evil, sig);
    assert_string_equal(verdict(tampered), "bad signature");

    _cleanup_free_ char *wrong = craft(HS256_HDR, GOOD_PAYLOAD, EVP_sha256(), other_key);
    assert_string_equal(verdict(wrong), "bad signature");

    /* Missing, truncated and padded signatures. */
    _cleanup_free_ char *cut = strdup(good);
    assert_non_null(cut);
    *(strrchr(cut, '.') + 1) = '\0';
    assert_string_equal(verdict(cut), "bad signature");
    char *s = strrchr(good, '.') + 1;
    s[0] = s[0] == 'A' ? 'B' : 'A';
    assert_string_equal(verdict(good), "bad signature");
    s[5] = '\0';
    assert_string_equal(verdict(good), "bad signature");
}

/* A payload with every claim right except the ones a test spells out (JSON text, literals). */
#define CLAIMS(iss, sub, iat, exp, jti, extra)                                                     \
    "{\"iss\":" iss ",\"sub\":" sub ",\"iat\":" iat ",\"exp\":" exp ",\"jti\":" jti extra "}"
#define WITH_SUB(sub) CLAIMS("\"pop\"", sub, "1000", "2000", "\"" JTI "\"", "")
#define WITH_TIMES(iat, exp) CLAIMS("\"pop\"", "\"admin\"", iat, exp, "\"" JTI "\"", "")
#define WITH_NBF(nbf) CLAIMS("\"pop\"", "\"admin\"", "1000", "2000", "\"" JTI "\"", ",\"nbf\":" nbf)
#define WITH_JTI(jti) CLAIMS("\"pop\"", "\"admin\"", "1000", "2000", jti, "")

/* Signs payload with the real key (so only the claims can be wrong) and verifies it at NOW. */
static const char *claims_verdict(const char *payload)
{
    return verdict_of(HS256_HDR, payload, EVP_sha256());
}

static void test_claims(void **state)
{
    (void)state;
    assert_string_equal(claims_verdict(WITH_TIMES("1000", "1500")), "expired (exp)");
    assert_string_equal(claims_verdict(WITH_TIMES("10", "20")), "expired (exp)");
    assert_string_equal(
        claims_verdict(CLAIMS("\"evil\"", "\"admin\"", "1000", "2000", "\"" JTI "\"", "")),
        "wrong issuer (iss)");
    assert_string_equal(claims_verdict("{\"sub\":\"admin\",\"iat\":1000,\"exp\":2000,\"jti\":"
                                       "\"" JTI "\"}"),
                        "wrong issuer (iss)");
    assert_string_equal(claims_verdict(CLAIMS("5", "\"admin\"", "1000", "2000", "\"" JTI "\"", "")),
                        "wrong issuer (iss)");
    assert_string_equal(
        claims_verdict("{\"iss\":\"pop\",\"sub\":\"admin\",\"iat\":1000,\"jti\":\"" JTI "\"}"),
        "missing expiry (exp)");
    assert_string_equal(claims_verdict(WITH_TIMES("1000", "\"2000\"")), "malformed expiry (exp)");
    assert_string_equal(claims_verdict(WITH_TIMES("1000", "2000.5")), "malformed expiry (exp)");
    assert_string_equal(claims_verdict(WITH_TIMES("1000", "null")), "malformed expiry (exp)");
    assert_string_equal(
        claims_verdict("{\"iss\":\"pop\",\"sub\":\"admin\",\"exp\":2000,\"jti\":\"" JTI "\"}"),
        "missing issue time (iat)");
    assert_string_equal(claims_verdict(WITH_TIMES("\"1000\"", "2000")),
                        "malformed issue time (iat)");
    assert_string_equal(
        claims_verdict("{\"iss\":\"pop\",\"iat\":1000,\"exp\":2000,\"jti\":\"" JTI "\"}"),
        "missing subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"\"")), "malformed subject (sub)");
    assert_string_equal(
        claims_verdict("{\"iss\":\"pop\",\"sub\":\"admin\",\"iat\":1000,\"exp\":2000}"),
        "missing token id (jti)");
    assert_string_equal(claims_verdict(WITH_TIMES("9000", "9999")), "issued in the future (iat)");
    /* Signed, but the payload is not a JSON object. */
    assert_string_equal(claims_verdict("not json"), "malformed token");
}

/* RFC 8725 / RFC 7519 4.1.5: a token that says "not before" is held to it (with the same clock
 * skew as iat), and an nbf we cannot read is a refusal, never "no nbf". */
static void test_claim_nbf(void **state)
{
    (void)state;
    /* NOW is 1500 and the leeway 60 s. */
    assert_string_equal(claims_verdict(WITH_NBF("1561")), "token not yet valid (nbf)");
    assert_string_equal(claims_verdict(WITH_NBF("1999")), "token not yet valid (nbf)");
    assert_string_equal(claims_verdict(WITH_NBF("9223372036854775807")),
                        "token not yet valid (nbf)");
    assert_string_equal(claims_verdict(WITH_NBF("1560")), "ok");
    assert_string_equal(claims_verdict(WITH_NBF("1500")), "ok");
    assert_string_equal(claims_verdict(WITH_NBF("0")), "ok");
    assert_string_equal(claims_verdict(WITH_NBF("\"1000\"")), "malformed not-before time (nbf)");
    assert_string_equal(claims_verdict(WITH_NBF("\"9999\"")), "malformed not-before time (nbf)");
    assert_string_equal(claims_verdict(WITH_NBF("1000.5")), "malformed not-before time (nbf)");
    assert_string_equal(claims_verdict(WITH_NBF("-1")), "malformed not-before time (nbf)");
    assert_string_equal(claims_verdict(WITH_NBF("null")), "malformed not-before time (nbf)");
    assert_string_equal(claims_verdict(WITH_NBF("true")), "malformed not-before time (nbf)");
    assert_string_equal(claims_verdict(WITH_NBF("[1000]")), "malformed not-before time (nbf)");
}

/* exp is bounded by the verifier's lifetime, not by whatever the token claims. */
static void test_claim_lifetime(void **state)
{
    (void)state;
    /* The classic forever token: exp = 2^63-1. */
    assert_string_equal(claims_verdict(WITH_TIMES("1000", "9223372036854775807")),
                        "lifetime longer than allowed (exp - iat)");
    assert_string_equal(claims_verdict(WITH_TIMES("0", "9223372036854775807")),
                        "lifetime longer than allowed (exp - iat)");
    /* TTL is 3600: exactly that is fine, a second more is not. */
    assert_string_equal(claims_verdict(WITH_TIMES("1000", "4600")), "ok");
    assert_string_equal(claims_verdict(WITH_TIMES("1000", "4601")),
                        "lifetime longer than allowed (exp - iat)");
    /* Beyond 2^63-1 jansson cannot hold the number at all. */
    assert_string_equal(claims_verdict(WITH_TIMES("1000", "9223372036854775808")),
                        "malformed token");
    /* exp not after iat (possible only with iat inside the leeway). */
    assert_string_equal(claims_verdict(WITH_TIMES("1550", "1520")),
                        "expiry not after issue time (exp, iat)");
    assert_string_equal(claims_verdict(WITH_TIMES("1550", "1550")),
                        "expiry not after issue time (exp, iat)");
    /* iat: not negative, not beyond the leeway, never huge. */
    assert_string_equal(claims_verdict(WITH_TIMES("-5", "2000")), "malformed issue time (iat)");
    assert_string_equal(claims_verdict(WITH_TIMES("1561", "2000")), "issued in the future (iat)");
    assert_string_equal(claims_verdict(WITH_TIMES("1560", "2000")), "ok");
    assert_string_equal(claims_verdict(WITH_TIMES("9223372036854775806", "9223372036854775807")),
                        "issued in the future (iat)");

    /* The cap is the caller's lifetime: a token issued for an hour does not pass a verifier
     * that hands out ten minutes. */
    const struct auth_jwt_policy short_ttl = {.issuer = "pop", .max_ttl_s = 600};
    _cleanup_free_ char *tok = NULL;
    const char *reason = NULL;
    assert_int_equal(auth_jwt_issue(key, KEYLEN, "pop", "admin", NOW, 3600, &tok, NULL), 0);
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &pop, tok, NOW, NULL, NULL), 0);
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &short_ttl, tok, NOW, NULL, &reason), -EACCES);
    assert_string_equal(reason, "lifetime longer than allowed (exp - iat)");
}

/* sub follows the login rule: it is logged (logout) and looked up as an account. */
static void test_claim_sub(void **state)
{
    (void)state;
    assert_string_equal(claims_verdict(WITH_SUB("\"ad\\nmin\"")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"admin\\n2024-01-01 INFO login: user 'root'\"")),
                        "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"ad\\rmin\"")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"ad\\tmin\"")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"\\u001b[31madmin\"")),
                        "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"ad\\u007fmin\"")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"ad min\"")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"ad\\\"min\"")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"ad'min\"")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"ad\\\\min\"")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"adm\\u00e9n\"")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("\"adm\\u0085n\"")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("5")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("null")), "malformed subject (sub)");
    assert_string_equal(claims_verdict(WITH_SUB("[\"admin\"]")), "malformed subject (sub)");
    /* jansson refuses NUL inside strings, so the name cannot be cut short either. */
    assert_string_equal(claims_verdict(WITH_SUB("\"admin\\u0000root\"")), "malformed token");
    assert_string_equal(
        claims_verdict(
            WITH_SUB("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"")),
        "malformed subject (sub)"); /* 65 bytes */
    assert_string_equal(
        claims_verdict(
            WITH_SUB("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"")),
        "ok"); /* 64 bytes */
    assert_string_equal(claims_verdict(WITH_SUB("\"a!#$%&()*+,-./:;<=>?@[]^_`{|}~Z09\"")), "ok");
}

static void test_claim_jti(void **state)
{
    (void)state;
    assert_string_equal(claims_verdict(WITH_JTI("\"abc\"")), "malformed token id (jti)");
    assert_string_equal(claims_verdict(WITH_JTI("\"00112233445566778899AABBCCDDEEFF\"")),
                        "malformed token id (jti)");
    assert_string_equal(claims_verdict(WITH_JTI("\"00112233445566778899aabbccddeef\"")),
                        "malformed token id (jti)"); /* 31 digits */
    assert_string_equal(claims_verdict(WITH_JTI("\"00112233445566778899aabbccddeeff0\"")),
                        "malformed token id (jti)"); /* 33 digits */
    assert_string_equal(claims_verdict(WITH_JTI("\"00112233445566778899aabbccddeefg\"")),
                        "malformed token id (jti)");
    assert_string_equal(claims_verdict(WITH_JTI("\"00112233-4455-6677-8899-aabbccddeeff\"")),
                        "malformed token id (jti)");
    assert_string_equal(claims_verdict(WITH_JTI("\"\"")), "malformed token id (jti)");
    assert_string_equal(claims_verdict(WITH_JTI("12345")), "malformed token id (jti)");
    assert_string_equal(claims_verdict(WITH_JTI("null")), "malformed token id (jti)");
    assert_string_equal(claims_verdict(WITH_JTI("\"" JTI "\"")), "ok");
}

static void test_garbage(void **state)
{
    (void)state;
    static const char *const junk[] = {
        "",         "abc",         "a.b",      "a.b.c.d", "..",
        "...",      "!!!.$$$.***", "eyJ.eyJ.", " . . ",   "eyJhbGciOiJIUzI1NiJ9..sig",
        ".eyJ.sig",
    };
    for (size_t i = 0; i < ARRAY_SIZE(junk); i++) {
        const char *reason = NULL;
        int r = auth_jwt_verify(key, KEYLEN, &pop, junk[i], NOW, NULL, &reason);
        if (r != -EACCES || !reason)
            fail_msg("junk token %zu not refused: %d", i, r);
    }
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &pop, NULL, NOW, NULL, NULL), -EACCES);
}

static void test_oversize(void **state)
{
    (void)state;
    size_t n = AUTH_JWT_TOKEN_MAX + 100;
    _cleanup_free_ char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'A', n);
    big[n] = '\0';
    big[10] = '.';
    big[20] = '.';
    assert_string_equal(verdict(big), "token too large");

    /* A genuinely signed token whose payload pushes it over the cap. */
    char payload[AUTH_JWT_TOKEN_MAX];
    snprintf(payload, sizeof(payload),
             "{\"iss\":\"pop\",\"sub\":\"admin\",\"iat\":1000,\"exp\":2000,\"jti\":\"" JTI
             "\",\"pad\":\"%03000d\"}",
             0);
    assert_string_equal(verdict_of(HS256_HDR, payload, EVP_sha256()), "token too large");
}

static void test_claims_untouched_on_failure(void **state)
{
    (void)state;
    _cleanup_free_ char *tok = craft(HS256_HDR, GOOD_PAYLOAD, EVP_sha256(), other_key);
    struct auth_claims c, before;
    memset(&c, 0x5a, sizeof(c));
    before = c;
    assert_int_equal(auth_jwt_verify(key, KEYLEN, &pop, tok, NOW, &c, NULL), -EACCES);
    assert_memory_equal(&c, &before, sizeof(c));
}

/* Why the wrapper checks alg and key itself: what libjwt 1.10 does on its own. */
static void test_libjwt_pitfalls(void **state)
{
    (void)state;
    jwt_t *j = NULL;
    _cleanup_free_ char *hs512 =
        craft("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", GOOD_PAYLOAD, EVP_sha512(), key);
    assert_int_equal(jwt_decode(&j, hs512, key, KEYLEN), 0);
    assert_int_equal(jwt_get_alg(j), JWT_ALG_HS512);
    jwt_free(j);
    j = NULL;

    /* An empty key means "do not verify": a token signed with another key decodes fine. */
    _cleanup_free_ char *forged = craft(HS256_HDR, GOOD_PAYLOAD, EVP_sha256(), other_key);
    assert_int_equal(jwt_decode(&j, forged, (const unsigned char *)"", 0), 0);
    jwt_free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_verify),
        cmocka_unit_test(test_issue_unique_jti),
        cmocka_unit_test(test_check_username),
        cmocka_unit_test(test_issue_bad_args),
        cmocka_unit_test(test_verify_bad_args),
        cmocka_unit_test(test_crafted_valid),
        cmocka_unit_test(test_alg_none),
        cmocka_unit_test(test_other_algs),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_claims),
        cmocka_unit_test(test_claim_nbf),
        cmocka_unit_test(test_claim_lifetime),
        cmocka_unit_test(test_claim_sub),
        cmocka_unit_test(test_claim_jti),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_claims_untouched_on_failure),
        cmocka_unit_test(test_libjwt_pitfalls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
