/* Session with a Pop: token from the cache or a login, JSON requests, problem+json errors. */
#include "session.h"

#include "cache.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "httpc/httpc.h"
#include "json/jv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_ERROR_MAX 512

struct session {
    char *url;
    char *user;     /* NULL without auth */
    char *password; /* NULL without auth */
    char *cache;    /* token file path, NULL when there is no usable cache directory */
    struct httpc *http;
    char *token;        /* current bearer token or NULL */
    int64_t expires_at; /* of token */
    long status;
    char error[SESSION_ERROR_MAX];
};

static void session_set_error(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void session_set_error(struct session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof(s->error), fmt, ap);
    va_end(ap);
    /* one line, whatever the server sent */
    for (char *p = s->error; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

int session_new(const char *url, const char *auth, char *err, size_t errlen, struct session **ret)
{
    size_t url_len = strlen(url);
    while (url_len > 0 && url[url_len - 1] == '/')
        url_len--;
    if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) || url_len <= 8 ||
        url_len > SESSION_URL_MAX) {
        snprintf(err, errlen, "POP_URL must be http://host[:port] or https://host[:port]");
        return -EINVAL;
    }
    for (size_t i = 0; i < url_len; i++)
        if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f) {
            snprintf(err, errlen, "POP_URL must not contain blanks or control characters");
            return -EINVAL;
        }
    const char *colon = auth ? strchr(auth, ':') : NULL;
    if (auth && (!colon || colon == auth || !colon[1])) {
        snprintf(err, errlen, "POP_AUTH must be user:password");
        return -EINVAL;
    }
    if (auth &&
        ((size_t)(colon - auth) > SESSION_USER_MAX || strlen(colon + 1) > SESSION_PASSWORD_MAX)) {
        snprintf(err, errlen, "POP_AUTH: the user name or password is too long (%d/%d)",
                 SESSION_USER_MAX, SESSION_PASSWORD_MAX);
        return -EINVAL;
    }
    struct session *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->url = strndup(url, url_len);
    if (auth) {
        s->user = strndup(auth, (size_t)(colon - auth));
        s->password = strdup(colon + 1);
    }
    if (!s->url || (auth && (!s->user || !s->password))) {
        session_free(s);
        return -ENOMEM;
    }
    struct httpc_config cfg = {
        .base_url = s->url,
        .connect_timeout_ms = SESSION_CONNECT_TIMEOUT_MS,
        .timeout_ms = SESSION_TIMEOUT_MS,
    };
    int r = httpc_new(&cfg, &s->http);
    if (r < 0) {
        snprintf(err, errlen, "POP_URL: cannot use '%s'", s->url);
        session_free(s);
        return r;
    }
    if (s->user) {
        r = cache_path(s->user, s->url, &s->cache);
        if (r < 0)
            log_debug("no token cache: %s", strerror(-r));
    }
    *ret = s;
    return 0;
}

void session_free(struct session *s)
{
    if (!s)
        return;
    httpc_free(s->http);
    if (s->password) {
        /* the password is a secret: do not leave it in freed memory */
        volatile char *p = s->password;
        while (*p)
            *p++ = '\0';
    }
    free(s->password);
    free(s->user);
    free(s->url);
    free(s->cache);
    free(s->token);
    free(s);
}

const char *session_url(const struct session *s)
{
    return s->url;
}

const char *session_user(const struct session *s)
{
    return s->user;
}

const char *session_error(const struct session *s)
{
    return s->error;
}

long session_status(const struct session *s)
{
    return s->status;
}

/* Sends one request with the given token (NULL: none) and keeps the raw response. */
static int session_send(struct session *s, const char *method, const char *path, const char *token,
                        const json_t *body, struct httpc_response *ret)
{
    _cleanup_free_ char *text = NULL;
    if (body && !(text = jv_dump(body)))
        return -ENOMEM;
    struct strbuf auth = STRBUF_INIT;
    if (token && strbuf_printf(&auth, "Authorization: Bearer %s", token) < 0)
        return -ENOMEM;
    const char *headers[4];
    size_t n = 0;
    headers[n++] = "Accept: application/json";
    if (text)
        headers[n++] = "Content-Type: application/json";
    if (token)
        headers[n++] = strbuf_str(&auth);
    headers[n] = NULL;
    s->status = 0;
    int r = httpc_request(s->http, method, path, headers, text, text ? strlen(text) : 0, ret);
    strbuf_done(&auth);
    if (r < 0) {
        const char *why = r == -ETIMEDOUT      ? "no answer in time"
                          : r == -ECONNREFUSED ? "connection refused or host unknown"
                          : r == -EMSGSIZE     ? "the response is too large"
                                               : httpc_last_error(s->http);
        session_set_error(s, "cannot reach %s: %s", s->url, why);
        return r;
    }
    s->status = ret->status;
    return 0;
}

/* Records the error of a non-2xx reply: the problem detail, else its title, else the status. */
static void session_reply_error(struct session *s, const struct httpc_response *resp,
                                const char *what)
{
    struct jv_error jerr;
    _cleanup_json_ json_t *doc = NULL;
    const char *detail = NULL;
    if (resp->body_len > 0 && jv_parse(resp->body, resp->body_len, &doc, &jerr) == 0) {
        detail = jv_get_string(doc, "detail");
        if (!detail || !*detail)
            detail = jv_get_string(doc, "title");
    }
    if (detail && *detail)
        session_set_error(s, "%s%s", what, detail);
    else
        session_set_error(s, "%sHTTP %ld from %s", what, resp->status, s->url);
}

static int session_parse_body(struct session *s, const struct httpc_response *resp, json_t **ret)
{
    if (resp->body_len == 0) {
        *ret = NULL;
        return 0;
    }
    struct jv_error jerr;
    if (jv_parse(resp->body, resp->body_len, ret, &jerr) < 0) {
        char msg[600];
        jv_error_format(&jerr, msg, sizeof(msg));
        session_set_error(s, "%s sent a reply that is not a JSON object: %s", s->url, msg);
        return -EPROTO;
    }
    return 0;
}

static void session_forget_token(struct session *s)
{
    free(s->token);
    s->token = NULL;
    s->expires_at = 0;
}

int session_login(struct session *s, int64_t *ret_expires_at)
{
    if (!s->user) {
        session_set_error(s, "POP_AUTH is not set (export POP_AUTH=user:password)");
        return -EACCES;
    }
    _cleanup_json_ json_t *body =
        json_pack("{s:s, s:s}", "username", s->user, "password", s->password);
    if (!body)
        return -ENOMEM;
    struct httpc_response resp = {0};
    int r = session_send(s, "POST", "/v1/login", NULL, body, &resp);
    if (r < 0)
        return r;
    if (resp.status != 200) {
        char what[128];
        snprintf(what, sizeof(what), "login as '%s' failed: ", s->user);
        session_reply_error(s, &resp, what);
        httpc_response_done(&resp);
        return -EREMOTEIO;
    }
    _cleanup_json_ json_t *doc = NULL;
    r = session_parse_body(s, &resp, &doc);
    httpc_response_done(&resp);
    if (r < 0)
        return r;
    const char *token = doc ? jv_get_string(doc, "value") : NULL;
    int64_t exp = doc ? jv_get_int(doc, "expires_at", 0) : 0;
    if (!token || !*token || strlen(token) > CACHE_TOKEN_MAX || exp <= 0) {
        session_set_error(s, "%s answered the login without a usable token", s->url);
        return -EPROTO;
    }
    char *copy = strdup(token);
    if (!copy)
        return -ENOMEM;
    session_forget_token(s);
    s->token = copy;
    s->expires_at = exp;
    if (s->cache && (r = cache_store(s->cache, s->user, s->url, s->token, exp)) < 0)
        fprintf(stderr, "pop: warning: cannot cache the session token in %s: %s\n", s->cache,
                strerror(-r));
    log_debug("logged in to %s as %s", s->url, s->user);
    if (ret_expires_at)
        *ret_expires_at = exp;
    return 0;
}

/* Makes sure s->token is set: the cached one when it is still good, else a new login.
 * *ret_fresh says whether it came from a login just now. */
static int session_ensure_token(struct session *s, bool *ret_fresh)
{
    if (!s->token && s->cache) {
        char *token = NULL;
        int64_t exp = 0;
        if (cache_load(s->cache, s->user, s->url, &token, &exp) == 0) {
            if (exp - SESSION_EXPIRY_MARGIN_S > time_now_s()) {
                s->token = token;
                s->expires_at = exp;
            } else {
                free(token);
            }
        }
    }
    if (s->token && s->expires_at - SESSION_EXPIRY_MARGIN_S > time_now_s()) {
        *ret_fresh = false;
        return 0;
    }
    *ret_fresh = true;
    return session_login(s, NULL);
}

int session_call(struct session *s, const char *method, const char *path, const json_t *body,
                 json_t **ret)
{
    if (!s->user) {
        session_set_error(s, "POP_AUTH is not set (export POP_AUTH=user:password)");
        return -EACCES;
    }
    bool fresh = false;
    int r = session_ensure_token(s, &fresh);
    if (r < 0)
        return r;
    struct httpc_response resp = {0};
    r = session_send(s, method, path, s->token, body, &resp);
    if (r == 0 && resp.status == 401 && !fresh) {
        log_debug("token refused by %s; logging in again", s->url);
        httpc_response_done(&resp);
        if ((r = session_login(s, NULL)) < 0)
            return r;
        r = session_send(s, method, path, s->token, body, &resp);
    }
    if (r < 0)
        return r;
    if (resp.status < 200 || resp.status > 299) {
        session_reply_error(s, &resp, "");
        httpc_response_done(&resp);
        return -EREMOTEIO;
    }
    json_t *doc = NULL;
    r = session_parse_body(s, &resp, &doc);
    httpc_response_done(&resp);
    if (r < 0)
        return r;
    if (ret)
        *ret = doc;
    else
        json_decref(doc);
    return 0;
}

int session_logout(struct session *s)
{
    if (!s->user) {
        session_set_error(s, "POP_AUTH is not set (export POP_AUTH=user:password)");
        return -EACCES;
    }
    char *token = NULL;
    int64_t exp = 0;
    if (!s->cache || cache_load(s->cache, s->user, s->url, &token, &exp) < 0)
        return 0;
    _cleanup_free_ char *owned = token;
    int r = 0;
    if (exp > time_now_s()) {
        struct httpc_response resp = {0};
        r = session_send(s, "POST", "/v1/logout", token, NULL, &resp);
        if (r < 0)
            return r;
        /* 401: the server no longer accepts it, which is what logging out wants */
        if ((resp.status < 200 || resp.status > 299) && resp.status != 401) {
            session_reply_error(s, &resp, "logout failed: ");
            httpc_response_done(&resp);
            return -EREMOTEIO;
        }
        httpc_response_done(&resp);
    }
    if ((r = cache_remove(s->cache)) < 0) {
        session_set_error(s, "cannot remove %s: %s", s->cache, strerror(-r));
        return r;
    }
    session_forget_token(s);
    return 1;
}
