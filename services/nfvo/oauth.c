/* POST /oauth/token (reference §6.1): the OAuth 2 token endpoint of NFVO 6's Spring Security
 * OAuth2 server, for its password and refresh_token grants. The client authenticates with HTTP
 * Basic; the grant comes as an application/x-www-form-urlencoded body (or, as Spring also
 * reads it, the query string). Errors are RFC 6749 §5.2 bodies {"error", "error_description"},
 * the field names Open Baton's clients parse. */
#include "auth-int.h"

#include "auth/digest.h"
#include "auth/password.h"
#include "auth/throttle.h"
#include "config.h"
#include "core/base64.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/timeutil.h"
#include "http/request.h"
#include "nfvo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FORM_PAIRS_MAX 16
#define CLIENT_CRED_MAX 512 /* bytes of "id:secret" */

static void oauth_error(struct http_request *req, unsigned status, const char *error,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void oauth_error(struct http_request *req, unsigned status, const char *error,
                        const char *fmt, ...)
{
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    http_reply_header(req, "Cache-Control", "no-store");
    http_reply_header(req, "Pragma", "no-cache");
    json_t *body = json_pack("{s:s, s:s}", "error", error, "error_description", detail);
    if (!body) {
        http_reply_error(req, API_INTERNAL, "out of memory");
        return;
    }
    http_reply_json(req, status, body);
}

/* One form field: '+' is a space, then percent-decoding. */
static int form_decode(const char *s, size_t len, char **ret)
{
    _cleanup_free_ char *raw = strndup(s, len);
    if (!raw)
        return -ENOMEM;
    for (char *p = raw; *p; p++)
        if (*p == '+')
            *p = ' ';
    return parse_percent_decode(raw, len, ret);
}

/* The value of name in the form s[0..len): 1 and *ret (malloc'ed), 0 when absent, -EINVAL
 * (bad escape), -EEXIST (given twice: RFC 6749 §3.2 forbids it), -E2BIG or -ENOMEM. */
static int form_value(const char *s, size_t len, const char *name, char **ret)
{
    char *found = NULL;
    unsigned pairs = 0;
    int r = 0;
    size_t at = 0;
    while (at < len) {
        const char *pair = s + at;
        size_t plen = strcspn(pair, "&");
        if (plen > len - at)
            plen = len - at;
        at += plen + 1;
        if (plen == 0)
            continue;
        if (++pairs > FORM_PAIRS_MAX) {
            r = -E2BIG;
            break;
        }
        size_t klen = strcspn(pair, "=");
        if (klen > plen)
            klen = plen;
        char *key = NULL;
        if ((r = form_decode(pair, klen, &key)) < 0)
            break;
        bool match = strcmp(key, name) == 0;
        free(key);
        if (!match)
            continue;
        if (found) {
            r = -EEXIST;
            break;
        }
        size_t vlen = klen < plen ? plen - klen - 1 : 0;
        if ((r = form_decode(pair + klen + (klen < plen), vlen, &found)) < 0)
            break;
    }
    if (r < 0) {
        free(found);
        return r;
    }
    if (!found)
        return 0;
    *ret = found;
    return 1;
}

struct grant {
    const char *body;
    size_t len;
    const char *query;
};

/* A parameter of the grant, from the body or else the query string. Replies 400 itself and
 * returns < 0 on a malformed or repeated one; 0 with *ret NULL when absent. */
static int grant_param(struct http_request *req, const struct grant *g, const char *name,
                       char **ret)
{
    *ret = NULL;
    int r = form_value(g->body, g->len, name, ret);
    if (r == 0 && g->query)
        r = form_value(g->query, strlen(g->query), name, ret);
    if (r == -EEXIST)
        oauth_error(req, 400, "invalid_request", "parameter %s is given twice", name);
    else if (r == -ENOMEM)
        http_reply_error(req, API_INTERNAL, "out of memory");
    else if (r < 0)
        oauth_error(req, 400, "invalid_request", "the form is malformed (at %s)", name);
    return r < 0 ? r : 0;
}

/* The client's HTTP Basic credentials equal NFVO_CLIENT_ID:NFVO_CLIENT_SECRET. */
static bool client_ok(struct http_request *req, const struct nfvo *n)
{
    const char *h = http_request_header(req, "Authorization");
    if (!h || strncasecmp(h, "Basic ", 6) != 0)
        return false;
    const char *b64 = h + 6;
    size_t blen = strlen(b64);
    uint8_t cred[CLIENT_CRED_MAX + 1];
    int len = blen <= BASE64_PADDED_SIZE(CLIENT_CRED_MAX)
                  ? base64_decode(b64, blen, BASE64_PAD, cred, CLIENT_CRED_MAX)
                  : -ENOBUFS;
    if (len < 0)
        return false;
    cred[len] = '\0';
    char *colon = memchr(cred, ':', (size_t)len);
    if (!colon || memchr(cred, '\0', (size_t)len))
        return false;
    *colon = '\0';
    /* Both halves are compared, whatever the first gives, in time independent of them. */
    int id = auth_secret_equal((const char *)cred, n->cfg->client_id);
    int secret = auth_secret_equal(colon + 1, n->cfg->client_secret);
    explicit_bzero(cred, sizeof(cred));
    return id == 1 && secret == 1;
}

/* The 200 reply of both grants (GsonSerializerOAuth2AccessToken's fields). */
static void reply_tokens(struct http_request *req, const char *access,
                         const struct auth_claims *claims, const char *refresh)
{
    int64_t left = claims->exp - time_now_s();
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "access_token", access, "value",
                             access, "token_type", "bearer", "refresh_token", refresh, "expires_in",
                             (json_int_t)(left > 0 ? left : 0), "scope", "read write");
    if (!body) {
        http_reply_error(req, API_INTERNAL, "out of memory");
        return;
    }
    http_reply_header(req, "Cache-Control", "no-store");
    http_reply_header(req, "Pragma", "no-cache");
    http_reply_json(req, 200, body);
}

/* An access token for user, with refresh (the caller's) or a fresh refresh token. */
static void issue(struct http_request *req, struct nfvo_auth *a, const char *user,
                  const char *refresh)
{
    int64_t now = time_now_s();
    _cleanup_free_ char *access = NULL, *fresh = NULL;
    struct auth_claims claims;
    if (auth_jwt_issue(a->key, sizeof(a->key), NFVO_TOKEN_ISSUER, user, now, a->ttl_s, &access,
                       &claims) < 0 ||
        (!refresh && auth_jwt_issue(a->key, sizeof(a->key), NFVO_REFRESH_ISSUER, user, now,
                                    a->refresh_ttl_s, &fresh, NULL) < 0)) {
        http_reply_error(req, API_INTERNAL, "cannot issue a token");
        return;
    }
    reply_tokens(req, access, &claims, refresh ? refresh : fresh);
}

static void grant_password(struct http_request *req, struct nfvo_auth *a, const struct grant *g)
{
    _cleanup_free_ char *user = NULL, *pass = NULL;
    if (grant_param(req, g, "username", &user) < 0 || grant_param(req, g, "password", &pass) < 0)
        goto out;
    if (!user || !pass) {
        oauth_error(req, 400, "invalid_request", "the password grant needs %s",
                    !user ? "username" : "password");
        goto out;
    }
    /* Spring's answer to any bad login, so the reply does not tell which part was wrong. */
    if (auth_check_username(user)) {
        auth_password_burn(pass);
        oauth_error(req, 400, "invalid_grant", "Bad credentials");
        goto out;
    }
    int64_t wait = auth_throttle_wait_ms(a->throttle, user, time_mono_ms());
    if (wait > 0) {
        char secs[32];
        snprintf(secs, sizeof(secs), "%lld", (long long)((wait + 999) / 1000));
        http_reply_header(req, "Retry-After", secs);
        oauth_error(req, 429, "too_many_requests",
                    "too many failed logins for this account; retry in %s s", secs);
        goto out;
    }
    int r;
    if (nfvo_auth_user_exists(a, user)) {
        r = auth_password_verify(pass, a->hash);
    } else {
        auth_password_burn(pass);
        r = -EACCES;
    }
    if (r < 0) {
        auth_throttle_failure(a->throttle, user, time_mono_ms());
        log_info("login failed for user '%.64s' from %s", user, http_request_client(req));
        oauth_error(req, 400, "invalid_grant", "Bad credentials");
        goto out;
    }
    auth_throttle_success(a->throttle, user);
    log_info("login: user '%s' from %s", user, http_request_client(req));
    issue(req, a, user, NULL);
out:
    if (pass)
        explicit_bzero(pass, strlen(pass));
}

static void grant_refresh(struct http_request *req, struct nfvo_auth *a, const struct grant *g)
{
    _cleanup_free_ char *token = NULL;
    if (grant_param(req, g, "refresh_token", &token) < 0)
        return;
    if (!token || !*token) {
        oauth_error(req, 400, "invalid_request", "the refresh_token grant needs refresh_token");
        return;
    }
    const struct auth_jwt_policy policy = {.issuer = NFVO_REFRESH_ISSUER,
                                           .max_ttl_s = a->refresh_ttl_s};
    struct auth_claims claims;
    const char *reason = "invalid token";
    int r = auth_jwt_verify(a->key, sizeof(a->key), &policy, token, time_now_s(), &claims, &reason);
    if (r == 0 && !nfvo_auth_user_exists(a, claims.sub)) {
        reason = "subject is not a user of this NFVO (sub)";
        r = -EACCES;
    }
    if (r == -EACCES) {
        oauth_error(req, 400, "invalid_grant", "Invalid refresh token: %s", reason);
        return;
    }
    if (r < 0) {
        http_reply_error(req, API_INTERNAL, "cannot check the token");
        return;
    }
    /* As Spring's default (reuseRefreshToken): the same refresh token, a new access token. */
    issue(req, a, claims.sub, token);
}

void nfvo_handle_token(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    if (!client_ok(req, n)) {
        http_reply_header(req, "WWW-Authenticate", "Basic realm=\"oauth2/client\"");
        oauth_error(req, 401, "invalid_client",
                    "Bad client credentials (HTTP Basic with the NFVO's OAuth client)");
        return;
    }
    struct grant g = {.query = http_request_query_string(req)};
    g.body = http_request_body(req, &g.len);
    const char *ct = http_request_header(req, "Content-Type");
    if (g.len && (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)) {
        oauth_error(req, 400, "invalid_request",
                    "the body must be application/x-www-form-urlencoded");
        return;
    }
    _cleanup_free_ char *type = NULL;
    if (grant_param(req, &g, "grant_type", &type) < 0)
        return;
    if (!type || !*type)
        oauth_error(req, 400, "invalid_request", "Missing grant type");
    else if (strcmp(type, "password") == 0)
        grant_password(req, n->auth, &g);
    else if (strcmp(type, "refresh_token") == 0)
        grant_refresh(req, n->auth, &g);
    else
        oauth_error(req, 400, "unsupported_grant_type", "Unsupported grant type: %.64s", type);
}
