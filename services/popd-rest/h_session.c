/* POST /v1/login, POST /v1/logout, GET /v1/info and the Bearer authentication hook. */
#include "handlers.h"

#include "auth/throttle.h"
#include "auth/token.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "users.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_ISSUER "popd-rest"

static void unauthorized(struct http_request *req, const char *detail)
{
    http_reply_header(req, "WWW-Authenticate", "Bearer realm=\"pop\"");
    http_reply_error(req, API_UNAUTHORIZED, "%s", detail);
}

int popd_authenticate(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const char *h = http_request_header(req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7]) {
        unauthorized(req, "an Authorization: Bearer <token> header is required (POST /v1/login)");
        return -EACCES;
    }
    struct auth_claims *claims = malloc(sizeof(*claims));
    if (!claims) {
        http_reply_error(req, API_INTERNAL, "out of memory");
        return -ENOMEM;
    }
    const struct auth_jwt_policy policy = {.issuer = TOKEN_ISSUER, .max_ttl_s = p->cfg.token_ttl_s};
    const char *reason = "invalid token";
    int r =
        auth_jwt_verify(p->jwt_key, p->jwt_key_len, &policy, h + 7, time_now_s(), claims, &reason);
    /* A good signature is not enough: the account may have been removed from the config
     * since the token was issued (the key outlives restarts). */
    if (r == 0 && !popd_users_exists(p->users, claims->sub)) {
        reason = "subject is not a user of this Pop (sub)";
        r = -EACCES;
    }
    if (r == 0) {
        r = store_token_is_revoked(p->store, claims->jti);
        if (r == 1) {
            reason = "token revoked (logged out)";
            r = -EACCES;
        } else if (r < 0) {
            free(claims);
            http_reply_error(req, API_INTERNAL, "cannot check token revocation");
            return r;
        }
    }
    if (r < 0) {
        free(claims);
        unauthorized(req, reason);
        return -EACCES;
    }
    http_request_set_ctx(req, claims, free);
    return 0;
}

static const struct jv_field login_fields[] = {
    /* The rule a token's sub is held to, so every name that can log in can also use its token. */
    {.name = "username",
     .type = JV_STRING,
     .required = true,
     .min_len = 1,
     .max_len = AUTH_CLAIM_MAX,
     .check = auth_check_username},
    {.name = "password", .type = JV_STRING, .required = true, .min_len = 1, .max_len = 1024},
};
static const struct jv_schema login_schema = {login_fields, 2, false};

void h_login(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    _cleanup_json_ json_t *body = NULL;
    if (http_request_json(req, &login_schema, &body) < 0)
        return;
    const char *user = jv_get_string(body, "username");
    const char *pass = jv_get_string(body, "password");

    int64_t wait = auth_throttle_wait_ms(p->throttle, user, time_mono_ms());
    if (wait > 0) {
        char secs[32];
        snprintf(secs, sizeof(secs), "%lld", (long long)((wait + 999) / 1000));
        http_reply_header(req, "Retry-After", secs);
        http_reply_error(req, API_TOO_MANY_REQUESTS,
                         "too many failed logins for this account; retry in %s s", secs);
        return;
    }
    if (popd_users_check(p->users, user, pass) < 0) {
        auth_throttle_failure(p->throttle, user, time_mono_ms());
        log_info("login failed for user '%.64s' from %s", user, http_request_client(req));
        unauthorized(req, "invalid username or password");
        return;
    }
    auth_throttle_success(p->throttle, user);
    char *token = NULL;
    struct auth_claims claims;
    int r = auth_jwt_issue(p->jwt_key, p->jwt_key_len, TOKEN_ISSUER, user, time_now_s(),
                           p->cfg.token_ttl_s, &token, &claims);
    if (r < 0) {
        http_reply_error(req, API_INTERNAL, "cannot issue a token");
        return;
    }
    log_info("login: user '%s' from %s", user, http_request_client(req));
    http_reply_json(req, 200,
                    json_pack("{s:s, s:I, s:s}", "value", token, "expires_at",
                              (json_int_t)claims.exp, "token_type", "Bearer"));
    free(token);
}

void h_logout(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const struct auth_claims *claims = http_request_get_ctx(req);
    if (store_token_revoke(p->store, claims->jti, claims->exp) < 0) {
        http_reply_error(req, API_INTERNAL, "cannot revoke the token");
        return;
    }
    log_info("logout: user '%s'", claims->sub);
    http_reply_empty(req, 204);
}

void h_info(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:I, s:s}", "type", "docker", "name", p->cfg.name,
                              "timestamp", (json_int_t)time_now_s(), "version", POPD_VERSION));
}
