/* pop-nfvo's REST API for the CLI: OAuth2 tokens and the project id, kept in a cache file per
 * (user, NFVO URL), and requests with their one-line errors. */
#include "nfvoc.h"

#include "cache.h"
#include "core/base64.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "httpc/httpc.h"
#include "json/cleanup.h"
#include "json/jv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NFVOC_ERROR_MAX 512
#define NFVOC_CRED_MAX 1024 /* bytes of user:password and of the client id:secret */

struct nfvoc {
    struct httpc *http;
    char *url;
    char *user;     /* NULL without auth */
    char *password; /* with user */
    char *basic;    /* "Authorization: Basic ..." of the OAuth2 client */
    char *project;  /* asked for; NULL: the cached one, else the default */
    bool project_given;
    char *cache; /* NULL when there is no usable cache directory */
    /* the session */
    char *access;
    char *refresh;
    int64_t expires_at;
    char *project_id;
    bool loaded; /* the cache was read */
    long status;
    char error[NFVOC_ERROR_MAX];
};

static void nfvoc_set_error(struct nfvoc *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void nfvoc_set_error(struct nfvoc *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->error, sizeof(n->error), fmt, ap);
    va_end(ap);
    for (char *p = n->error; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

static void nfvoc_wipe(char *s)
{
    if (s)
        memset(s, 0, strlen(s));
}

static void nfvoc_forget(struct nfvoc *n)
{
    free(n->access);
    free(n->refresh);
    n->access = n->refresh = NULL;
    n->expires_at = 0;
}

int nfvoc_new(const struct nfvoc_config *cfg, char *err, size_t errlen, struct nfvoc **ret)
{
    const char *url = cfg->url;
    size_t len = strlen(url);
    while (len > 0 && url[len - 1] == '/')
        len--;
    if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
        len <= (size_t)(url[4] == 's' ? 8 : 7) || memchr(url, '?', len) || memchr(url, '#', len)) {
        snprintf(err, errlen, "NFVO_URL must be http[s]://host[:port], got '%s'", url);
        return -EINVAL;
    }
    const char *auth = cfg->auth;
    const char *colon = auth ? strchr(auth, ':') : NULL;
    if (auth && (!colon || colon == auth || !colon[1] || strlen(auth) > NFVOC_CRED_MAX)) {
        snprintf(err, errlen, "NFVO_AUTH must be user:password");
        return -EINVAL;
    }
    const char *client = cfg->client ? cfg->client : NFVOC_DEFAULT_CLIENT;
    const char *ccolon = strchr(client, ':');
    if (!ccolon || ccolon == client || strlen(client) > NFVOC_CRED_MAX) {
        snprintf(err, errlen, "NFVO_CLIENT must be client-id:secret");
        return -EINVAL;
    }
    struct nfvoc *n = calloc(1, sizeof(*n));
    if (!n)
        return -ENOMEM;
    char b64[BASE64_PADDED_SIZE(NFVOC_CRED_MAX)];
    struct strbuf basic = STRBUF_INIT;
    int r = base64_encode((const uint8_t *)client, strlen(client), BASE64_PAD, b64, sizeof(b64));
    if (r >= 0)
        r = strbuf_printf(&basic, "Authorization: Basic %s", b64);
    n->basic = r >= 0 ? strbuf_steal(&basic) : NULL;
    strbuf_done(&basic);
    n->url = strndup(url, len);
    if (auth) {
        n->user = strndup(auth, (size_t)(colon - auth));
        n->password = strdup(colon + 1);
    }
    n->project_given = cfg->project != NULL;
    n->project = strdup(cfg->project ? cfg->project : NFVOC_DEFAULT_PROJECT);
    struct httpc_config hc = {.base_url = n->url,
                              .connect_timeout_ms = NFVOC_CONNECT_TIMEOUT_MS,
                              .timeout_ms = NFVOC_TIMEOUT_MS};
    if (!n->basic || !n->url || !n->project || (auth && (!n->user || !n->password)) ||
        (r = httpc_new(&hc, &n->http)) < 0) {
        nfvoc_free(n);
        if (r == -EINVAL) {
            snprintf(err, errlen, "NFVO_URL has characters a URL cannot hold");
            return -EINVAL;
        }
        return -ENOMEM;
    }
    if (n->user && (r = cache_path_kind("nfvo", n->user, n->url, &n->cache)) < 0)
        log_debug("no NFVO token cache: %s", strerror(-r));
    *ret = n;
    return 0;
}

void nfvoc_free(struct nfvoc *n)
{
    if (!n)
        return;
    httpc_free(n->http);
    nfvoc_wipe(n->password);
    nfvoc_wipe(n->access);
    nfvoc_wipe(n->refresh);
    nfvoc_forget(n);
    free(n->url);
    free(n->user);
    free(n->password);
    free(n->basic);
    free(n->project);
    free(n->project_id);
    free(n->cache);
    free(n);
}

const char *nfvoc_url(const struct nfvoc *n)
{
    return n->url;
}

const char *nfvoc_user(const struct nfvoc *n)
{
    return n->user;
}

const char *nfvoc_project(const struct nfvoc *n)
{
    return n->project;
}

const char *nfvoc_project_id(const struct nfvoc *n)
{
    return n->project_id;
}

int64_t nfvoc_expires_at(const struct nfvoc *n)
{
    return n->expires_at;
}

const char *nfvoc_error(const struct nfvoc *n)
{
    return n->error;
}

long nfvoc_status(const struct nfvoc *n)
{
    return n->status;
}

/* ---- the cache file: {user, url, project, project_id, access_token, refresh_token,
 * expires_at} ---- */

static void nfvoc_cache_load(struct nfvoc *n)
{
    n->loaded = true;
    _cleanup_json_ json_t *doc = NULL;
    if (!n->cache || cache_load_doc(n->cache, &doc) < 0)
        return;
    const char *u = jv_get_string(doc, "user"), *l = jv_get_string(doc, "url");
    const char *project = jv_get_string(doc, "project");
    const char *access = jv_get_string(doc, "access_token");
    if (!u || !l || !project || !access || strcmp(u, n->user) != 0 || strcmp(l, n->url) != 0)
        return;
    if (n->project_given && strcmp(project, n->project) != 0)
        return; /* another project asked for: log in again */
    const char *refresh = jv_get_string(doc, "refresh_token");
    const char *pid = jv_get_string(doc, "project_id");
    char *p = strdup(project);
    n->access = strdup(access);
    n->refresh = refresh ? strdup(refresh) : NULL;
    n->project_id = pid ? strdup(pid) : NULL;
    n->expires_at = jv_get_int(doc, "expires_at", 0);
    if (p) {
        free(n->project);
        n->project = p;
    }
}

static void nfvoc_cache_store(struct nfvoc *n)
{
    if (!n->cache || !n->access)
        return;
    _cleanup_json_ json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s?, s:I}", "user", n->user, "url", n->url,
                  "project", n->project, "project_id", n->project_id, "access_token", n->access,
                  "refresh_token", n->refresh, "expires_at", (json_int_t)n->expires_at);
    int r = doc ? cache_store_doc(n->cache, doc) : -ENOMEM;
    if (r < 0)
        fprintf(stderr, "pop: warning: cannot cache the NFVO token in %s: %s\n", n->cache,
                strerror(-r));
}

/* ---- HTTP ---- */

/* The one-line reason of an error reply: problem+json detail/title, OAuth2
 * error_description/error, else the status. */
static void nfvoc_reply_error(struct nfvoc *n, const struct httpc_response *resp,
                              const char *prefix)
{
    _cleanup_json_ json_t *doc = NULL;
    struct jv_error jerr;
    const char *why = NULL;
    if (resp->body_len > 0 && jv_parse(resp->body, resp->body_len, &doc, &jerr) == 0) {
        const char *keys[] = {"detail", "error_description", "message", "title", "error"};
        for (size_t i = 0; i < ARRAY_SIZE(keys) && !why; i++) {
            const char *s = jv_get_string(doc, keys[i]);
            if (s && *s)
                why = s;
        }
    }
    if (why)
        nfvoc_set_error(n, "%s%s", prefix, why);
    else
        nfvoc_set_error(n, "%sHTTP %ld from %s", prefix, resp->status, n->url);
}

static int nfvoc_transport_error(struct nfvoc *n, int r)
{
    n->status = 0;
    if (r == -ECONNREFUSED)
        nfvoc_set_error(n, "cannot reach the NFVO at %s: connection refused or host unknown",
                        n->url);
    else if (r == -ETIMEDOUT)
        nfvoc_set_error(n, "the NFVO at %s did not answer in time", n->url);
    else if (r == -EMSGSIZE)
        nfvoc_set_error(n, "the NFVO's answer is too large");
    else
        nfvoc_set_error(n, "NFVO at %s: %s", n->url, httpc_last_error(n->http));
    return r;
}

static int nfvoc_send(struct nfvoc *n, const char *method, const char *path,
                      const char *const *headers, const char *body, size_t len,
                      struct httpc_response *resp)
{
    int r = httpc_request(n->http, method, path, headers, body, len, resp);
    if (r < 0)
        return nfvoc_transport_error(n, r);
    n->status = resp->status;
    log_debug("%s %s: %ld", method, path, resp->status);
    return 0;
}

/* Appends "&key=value" (without '&' when first) to a form body. */
static int nfvoc_form(struct strbuf *sb, const char *key, const char *value)
{
    int r = strbuf_printf(sb, "%s%s=", strbuf_str(sb)[0] ? "&" : "", key);
    return r < 0 ? r : httpc_url_escape(sb, value);
}

/* POST /oauth/token with the grant in form (refresh: a refresh grant, whose failure is not
 * the user's to read as a bad password). */
static int nfvoc_token(struct nfvoc *n, const char *form, bool refresh)
{
    const char *headers[] = {n->basic, "Content-Type: application/x-www-form-urlencoded",
                             "Accept: application/json", NULL};
    struct httpc_response resp = {0};
    int r = nfvoc_send(n, "POST", "/oauth/token", headers, form, strlen(form), &resp);
    if (r < 0)
        return r;
    if (resp.status != 200) {
        struct strbuf prefix = STRBUF_INIT;
        if (strbuf_printf(&prefix, "%s as '%s' at %s failed: ",
                          refresh ? "token refresh" : "NFVO login", n->user, n->url) < 0) {
            strbuf_done(&prefix);
            httpc_response_done(&resp);
            return -ENOMEM;
        }
        nfvoc_reply_error(n, &resp, strbuf_str(&prefix));
        strbuf_done(&prefix);
        httpc_response_done(&resp);
        return -EREMOTEIO;
    }
    _cleanup_json_ json_t *doc = NULL;
    struct jv_error jerr;
    r = jv_parse(resp.body, resp.body_len, &doc, &jerr);
    httpc_response_done(&resp);
    const char *access = r == 0 ? jv_get_string(doc, "access_token") : NULL;
    if (!access || !*access) {
        nfvoc_set_error(n, "the NFVO's token answer has no access_token");
        return -EPROTO;
    }
    const char *refresh_token = jv_get_string(doc, "refresh_token");
    char *a = strdup(access), *rt = refresh_token ? strdup(refresh_token) : NULL;
    if (!a || (refresh_token && !rt)) {
        free(a);
        free(rt);
        return -ENOMEM;
    }
    nfvoc_forget(n);
    n->access = a;
    n->refresh = rt;
    n->expires_at = time_now_s() + jv_get_int(doc, "expires_in", 0);
    return 0;
}

static int nfvoc_password_grant(struct nfvoc *n)
{
    struct strbuf form = STRBUF_INIT;
    int r = nfvoc_form(&form, "grant_type", "password");
    if (r == 0)
        r = nfvoc_form(&form, "username", n->user);
    if (r == 0)
        r = nfvoc_form(&form, "password", n->password);
    if (r == 0)
        r = nfvoc_token(n, strbuf_str(&form), false);
    nfvoc_wipe(form.buf);
    strbuf_done(&form);
    return r;
}

static int nfvoc_refresh_grant(struct nfvoc *n)
{
    struct strbuf form = STRBUF_INIT;
    int r = nfvoc_form(&form, "grant_type", "refresh_token");
    if (r == 0)
        r = nfvoc_form(&form, "refresh_token", n->refresh);
    if (r == 0)
        r = nfvoc_token(n, strbuf_str(&form), true);
    strbuf_done(&form);
    return r;
}

/* One request with the token in memory (and the project id unless path is a projects path).
 * Returns 0 with the response in *resp (any status), or a transport error. */
static int nfvoc_api(struct nfvoc *n, const char *method, const char *path, const char *body,
                     struct httpc_response *resp)
{
    struct strbuf bearer = STRBUF_INIT, project = STRBUF_INIT;
    const char *headers[5] = {NULL};
    size_t h = 0;
    int r = strbuf_printf(&bearer, "Authorization: Bearer %s", n->access);
    headers[h++] = strbuf_str(&bearer);
    headers[h++] = "Accept: application/json";
    if (body)
        headers[h++] = "Content-Type: application/json";
    if (r == 0 && strncmp(path, "/api/v1/projects", 16) != 0 && n->project_id) {
        r = strbuf_printf(&project, "project-id: %s", n->project_id);
        headers[h++] = strbuf_str(&project);
    }
    if (r == 0)
        r = nfvoc_send(n, method, path, headers, body, body ? strlen(body) : 0, resp);
    strbuf_done(&bearer);
    strbuf_done(&project);
    return r;
}

/* The id of the project named (or with the id) n->project, from GET /api/v1/projects. */
static int nfvoc_resolve_project(struct nfvoc *n)
{
    struct httpc_response resp = {0};
    int r = nfvoc_api(n, "GET", "/api/v1/projects", NULL, &resp);
    if (r < 0)
        return r;
    if (resp.status != 200) {
        nfvoc_reply_error(n, &resp, "listing the NFVO's projects failed: ");
        httpc_response_done(&resp);
        return -EREMOTEIO;
    }
    _cleanup_json_ json_t *list = NULL;
    struct jv_error jerr;
    r = jv_parse_value(resp.body, resp.body_len, &list, &jerr);
    httpc_response_done(&resp);
    if (r < 0 || !json_is_array(list)) {
        nfvoc_set_error(n, "the NFVO's project list is no JSON array");
        return -EPROTO;
    }
    const char *found = NULL;
    size_t i;
    json_t *p;
    struct strbuf names = STRBUF_INIT;
    json_array_foreach (list, i, p) {
        const char *id = jv_get_string(p, "id"), *name = jv_get_string(p, "name");
        if (id && ((name && strcmp(name, n->project) == 0) || strcmp(id, n->project) == 0)) {
            found = id;
            break;
        }
        if (name)
            strbuf_printf(&names, "%s%s", i ? ", " : "", name);
    }
    if (!found) {
        nfvoc_set_error(n, "the NFVO has no project '%s' (projects: %s)", n->project,
                        strbuf_str(&names)[0] ? strbuf_str(&names) : "none");
        strbuf_done(&names);
        return -EREMOTEIO;
    }
    strbuf_done(&names);
    char *copy = strdup(found);
    if (!copy)
        return -ENOMEM;
    free(n->project_id);
    n->project_id = copy;
    return 0;
}

int nfvoc_login(struct nfvoc *n)
{
    if (!n->user) {
        nfvoc_set_error(n, "NFVO_AUTH is not set (export NFVO_AUTH=user:password)");
        return -EACCES;
    }
    int r = nfvoc_password_grant(n);
    if (r == 0)
        r = nfvoc_resolve_project(n);
    if (r == 0)
        nfvoc_cache_store(n);
    return r;
}

/* A usable token: the one in memory or cached while fresh, else a refresh, else a login.
 * *ret_new says whether it came from the NFVO in this call. */
static int nfvoc_ensure(struct nfvoc *n, bool *ret_new)
{
    *ret_new = false;
    if (!n->loaded && !n->access)
        nfvoc_cache_load(n);
    if (n->access && n->project_id && n->expires_at - NFVOC_EXPIRY_MARGIN_S > time_now_s())
        return 0;
    *ret_new = true;
    if (n->access && n->refresh && n->project_id) {
        int r = nfvoc_refresh_grant(n);
        if (r == 0) {
            nfvoc_cache_store(n);
            return 0;
        }
        if (r != -EREMOTEIO)
            return r;
        log_debug("%s; logging in again", n->error);
    }
    return nfvoc_login(n);
}

int nfvoc_call(struct nfvoc *n, const char *method, const char *path, const json_t *body,
               json_t **ret)
{
    if (!n->user) {
        nfvoc_set_error(n, "NFVO_AUTH is not set (export NFVO_AUTH=user:password)");
        return -EACCES;
    }
    _cleanup_free_ char *text = NULL;
    if (body && !(text = json_dumps(body, JSON_COMPACT)))
        return -ENOMEM;
    bool fresh = false;
    int r = nfvoc_ensure(n, &fresh);
    if (r < 0)
        return r;
    struct httpc_response resp = {0};
    if ((r = nfvoc_api(n, method, path, text, &resp)) < 0)
        return r;
    if (resp.status == 401 && !fresh) {
        /* revoked, or the NFVO's key changed: one new login and retry */
        httpc_response_done(&resp);
        log_debug("the cached NFVO token was refused; logging in again");
        if ((r = nfvoc_login(n)) < 0 || (r = nfvoc_api(n, method, path, text, &resp)) < 0)
            return r;
    }
    if (resp.status < 200 || resp.status > 299) {
        nfvoc_reply_error(n, &resp, "");
        httpc_response_done(&resp);
        return -EREMOTEIO;
    }
    json_t *doc = NULL;
    struct jv_error jerr;
    if (resp.body_len > 0 && jv_parse_value(resp.body, resp.body_len, &doc, &jerr) < 0) {
        nfvoc_set_error(n, "the NFVO answered %s %s with something that is no JSON", method, path);
        httpc_response_done(&resp);
        return -EPROTO;
    }
    httpc_response_done(&resp);
    if (ret)
        *ret = doc;
    else
        json_decref(doc);
    return 0;
}
