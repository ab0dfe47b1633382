/* pop-nfvo's northbound security (auth.h): the administrator's hash, the signing key and the
 * default project at start; the bearer hook with the project-id rule; GET /api/v1/projects. */
#include "auth-int.h"

#include "auth/password.h"
#include "auth/throttle.h"
#include "config.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "http/request.h"
#include "http/server.h"
#include "nfvo.h"
#include "principal.h"
#include "json/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int nfvo_auth_new(struct nfvo *n, struct nfvo_auth **ret)
{
    const struct nfvo_config *cfg = n->cfg;
    if (!cfg->admin_user || auth_check_username(cfg->admin_user) || !cfg->admin_password ||
        !*cfg->admin_password) {
        log_error("NFVO_ADMIN_USER must be 1-%d visible characters without quotes, and "
                  "NFVO_ADMIN_PASSWORD set",
                  AUTH_CLAIM_MAX);
        return -EINVAL;
    }
    struct nfvo_auth *a = calloc(1, sizeof(*a));
    if (!a)
        return -ENOMEM;
    a->n = n;
    a->ttl_s = cfg->token_ttl_s;
    a->refresh_ttl_s = cfg->token_ttl_s * NFVO_REFRESH_TTL_FACTOR;
    if (a->refresh_ttl_s > AUTH_JWT_TTL_MAX)
        a->refresh_ttl_s = AUTH_JWT_TTL_MAX;
    snprintf(a->user, sizeof(a->user), "%s", cfg->admin_user);
    int r = auth_password_hash(cfg->admin_password, (unsigned)cfg->password_iterations, &a->hash);
    /* Only the hash is kept: the configuration's copy of the password goes now (the string
     * is service_main's heap copy, written through once here, before anyone else reads it). */
    explicit_bzero(cfg->admin_password, strlen(cfg->admin_password));
    if (r == 0 && !(a->throttle = auth_throttle_new()))
        r = -ENOMEM;
    if (r == 0)
        r = nfvo_auth_store_key(n->pool, a->key);
    if (r == 0)
        r = nfvo_auth_store_default_project(n->pool);
    if (r < 0) {
        nfvo_auth_free(a);
        return r;
    }
    *ret = a;
    return 0;
}

void nfvo_auth_free(struct nfvo_auth *a)
{
    if (!a)
        return;
    free(a->hash);
    auth_throttle_free(a->throttle);
    explicit_bzero(a->key, sizeof(a->key));
    free(a);
}

bool nfvo_auth_user_exists(const struct nfvo_auth *a, const char *user)
{
    return strcmp(a->user, user) == 0;
}

/* 401 with the RFC 6750 challenge; error NULL when the request had no token at all. */
static void unauthorized(struct http_request *req, const char *error, const char *detail)
{
    char challenge[160];
    if (error)
        snprintf(challenge, sizeof(challenge),
                 "Bearer realm=\"oauth2-server\", error=\"%s\", error_description=\"%s\"", error,
                 detail);
    else
        snprintf(challenge, sizeof(challenge), "Bearer realm=\"oauth2-server\"");
    http_reply_header(req, "WWW-Authenticate", challenge);
    http_reply_error_ext(req, API_UNAUTHORIZED,
                         json_pack("{s:s}", "error", error ? error : "unauthorized"), "%s", detail);
}

/* Whether the route (its pattern, so "/api/v1/projects/" routed to "/api/v1/projects" counts
 * the same) needs a project-id header: every /api/ route but those NFVO 6's
 * AuthorizeInterceptor lets through without one (reference §6.1). */
static bool needs_project(const char *route)
{
    static const char *const trees[] = {"/api/v1/projects", "/api/v1/users", "/api/v1/version",
                                        "/api/v1/security"};
    if (!route || strncmp(route, "/api/", 5) != 0)
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(trees); i++) {
        size_t len = strlen(trees[i]);
        if (strncmp(route, trees[i], len) == 0 && (route[len] == '\0' || route[len] == '/'))
            return false;
    }
    return true;
}

int nfvo_auth_authenticate(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    struct nfvo_auth *a = n->auth;
    const char *h = http_request_header(req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7]) {
        unauthorized(req, NULL,
                     "an Authorization: Bearer <token> header is required (POST /oauth/token)");
        return -EACCES;
    }
    const struct auth_jwt_policy policy = {.issuer = NFVO_TOKEN_ISSUER, .max_ttl_s = a->ttl_s};
    struct auth_claims claims;
    const char *reason = "invalid token";
    int r = auth_jwt_verify(a->key, sizeof(a->key), &policy, h + 7, time_now_s(), &claims, &reason);
    if (r == 0 && !nfvo_auth_user_exists(a, claims.sub)) {
        reason = "subject is not a user of this NFVO (sub)";
        r = -EACCES;
    }
    if (r == -EACCES) {
        unauthorized(req, "invalid_token", reason);
        return r;
    }
    if (r < 0) {
        http_reply_error(req, API_INTERNAL, "cannot check the token");
        return r;
    }
    struct nfvo_principal p = {0};
    snprintf(p.user, sizeof(p.user), "%s", claims.sub);
    if (needs_project(http_request_route(req))) {
        const char *project = http_request_header(req, "project-id");
        if (!project || !*project) {
            http_reply_error_ext(req, API_BAD_REQUEST, json_pack("{s:s}", "header", "project-id"),
                                 "a project-id header is required (GET /api/v1/projects lists "
                                 "the projects)");
            return -EINVAL;
        }
        r = strlen(project) < sizeof(p.project) ? nfvo_projects_exists(n->pool, project) : 0;
        if (r < 0) {
            http_reply_error(req, API_INTERNAL, "cannot look the project up");
            return r;
        }
        if (r == 0) {
            http_reply_error_ext(req, API_FORBIDDEN, json_pack("{s:s}", "header", "project-id"),
                                 "project-id names no project of user '%s'", p.user);
            return -EPERM;
        }
        snprintf(p.project, sizeof(p.project), "%s", project);
    }
    if (nfvo_principal_set(req, &p) < 0) {
        http_reply_error(req, API_INTERNAL, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

static void handle_projects(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    json_t *list = NULL;
    if (nfvo_projects_list(n->pool, &list) < 0) {
        http_reply_error(req, API_INTERNAL, "cannot read the projects");
        return;
    }
    http_reply_json(req, 200, list);
}

static void handle_project(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    json_t *p = NULL;
    int r = nfvo_projects_get(n->pool, http_request_param(req, "id"), &p);
    if (r == -ENOENT) {
        http_reply_error_ext(req, API_NOT_FOUND, json_pack("{s:s}", "field", "id"),
                             "no project with this id");
        return;
    }
    if (r < 0) {
        http_reply_error(req, API_INTERNAL, "cannot read the project");
        return;
    }
    http_reply_json(req, 200, p);
}

static const struct http_route routes[] = {
    {"POST", "/oauth/token", nfvo_handle_token, HTTP_ROUTE_PUBLIC},
    {"GET", "/api/v1/projects", handle_projects, 0},
    {"GET", "/api/v1/projects/{id}", handle_project, 0},
};

const struct http_route *nfvo_auth_routes(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(routes);
    return routes;
}
