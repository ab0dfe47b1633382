/* The Pop REST client: the token cache and its locking, the login, the one renewal on 401,
 * per-call deadlines and the reading of error replies. See docs/internals/popc.md. */
#include "popc/popc.h"

#include "core/cleanup.h"
#include "core/log.h"
#include "core/objpool.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "httpc/httpc.h"
#include "json/jv.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POPC_REFUSED_PAUSE_MS 50      /* the first pause after a refused connection */
#define POPC_REFUSED_PAUSE_MAX_MS 500 /* the longest */

struct popc {
    char *url;
    char *user;     /* NULL without credentials */
    char *password; /* NULL without credentials */
    long connect_timeout_ms;
    long timeout_ms;
    long refused_retry_ms;
    size_t max_response;
    int (*token_load)(void *ud, char **ret_token, int64_t *ret_expires_at);
    int (*token_store)(void *ud, const char *token, int64_t expires_at, struct pop_error *err);
    void *ud;
    struct objpool *clients; /* idle struct httpc, one taken per call */

    /* Locks, in this order: fetch_lock, then lock. fetch_lock is held by the one thread that
     * loads, logs in or logs out, across its I/O and the hooks, so that the others wait for
     * its token instead of logging in too, and the hooks never run two at a time. lock guards
     * the fields below it and is never held across I/O or a hook. */
    pthread_mutex_t fetch_lock;
    pthread_mutex_t lock;
    char *token;        /* NULL when none */
    int64_t expires_at; /* of token, Unix seconds */
    uint64_t gen;       /* changes with token, so a thread can tell whether it was renewed */
    bool store_stale;   /* the stored token was refused: do not load it again */
};

/* The token one request is sent with: a copy, so the shared one can change meanwhile. */
struct popc_token {
    char *value;
    int64_t expires_at;
    uint64_t gen;
    bool fresh; /* from a login this call made */
};

enum popc_want {
    POPC_WANT_ANY,   /* the one in memory while usable, else the stored one, else a login */
    POPC_WANT_RENEW, /* any usable token other than the refused generation, else a login */
    POPC_WANT_LOGIN, /* a login, whatever is cached */
};

/* One call: the HTTP client it holds, its deadline and where its error goes. */
struct popc_xfer {
    struct popc *c;
    struct httpc *http;
    int64_t deadline_ms; /* time_mono_ms */
    struct popc_error *err;
};

static void popc_wipe(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
}

static int popc_fail(struct popc_xfer *x, int r, long status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records a failure that is not an error reply: the API code follows from r by default. */
static int popc_fail(struct popc_xfer *x, int r, long status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pop_error_setv(&x->err->err, r, API_ERROR_COUNT, NULL, fmt, ap);
    va_end(ap);
    x->err->status = status;
    return r;
}

/* A token can go into an Authorization header as it is: visible ASCII, capped. */
static bool popc_token_ok(const char *t)
{
    if (!t || !*t)
        return false;
    size_t n = 0;
    for (; t[n]; n++)
        if (n >= POPC_TOKEN_MAX || (unsigned char)t[n] <= 0x20 || (unsigned char)t[n] >= 0x7f)
            return false;
    return true;
}

static bool popc_fresh_enough(int64_t expires_at)
{
    return expires_at - POPC_EXPIRY_MARGIN_S > time_now_s();
}

static int popc_check_url(const char *url, size_t *ret_len, struct pop_error *err)
{
    size_t len = strnlen(url, POPC_URL_MAX + 1);
    if (len > POPC_URL_MAX)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "url",
                             "must be http://host[:port] or https://host[:port]");
    while (len > 0 && url[len - 1] == '/')
        len--;
    if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) || len <= 8)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "url",
                             "must be http://host[:port] or https://host[:port]");
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
            return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "url",
                                 "must not contain blanks or control characters");
    *ret_len = len;
    return 0;
}

static int popc_client_make(void *ud, void **ret)
{
    const struct popc *c = ud;
    struct httpc_config cfg = {
        .base_url = c->url,
        .connect_timeout_ms = c->connect_timeout_ms,
        .timeout_ms = c->timeout_ms,
        .max_response_bytes = c->max_response,
    };
    struct httpc *h = NULL;
    int r = httpc_new(&cfg, &h);
    if (r < 0)
        return r;
    *ret = h;
    return 0;
}

static void popc_client_destroy(void *obj)
{
    httpc_free(obj);
}

int popc_new(const struct popc_config *cfg, struct popc **ret, struct pop_error *err)
{
    size_t url_len = 0;
    int r;
    if (!cfg || !cfg->url)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "url", "is required");
    if ((r = popc_check_url(cfg->url, &url_len, err)) < 0)
        return r;
    if (cfg->user) {
        size_t n = strnlen(cfg->user, POPC_USER_MAX + 1);
        if (n == 0 || n > POPC_USER_MAX)
            return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "user", "must be 1 to %d bytes",
                                 POPC_USER_MAX);
        n = cfg->password ? strnlen(cfg->password, POPC_PASSWORD_MAX + 1) : 0;
        if (n == 0 || n > POPC_PASSWORD_MAX)
            return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "password",
                                 "must be 1 to %d bytes", POPC_PASSWORD_MAX);
    }
    if (cfg->timeout_ms < 0 || cfg->connect_timeout_ms < 0)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD,
                             cfg->timeout_ms < 0 ? "timeout_ms" : "connect_timeout_ms",
                             "must not be negative");
    if (cfg->max_idle > POPC_MAX_IDLE_MAX)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "max_idle", "must be at most %d",
                             POPC_MAX_IDLE_MAX);

    struct popc *c = calloc(1, sizeof(*c));
    if (!c)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    pthread_mutex_init(&c->fetch_lock, NULL);
    pthread_mutex_init(&c->lock, NULL);
    c->url = strndup(cfg->url, url_len);
    if (cfg->user) {
        c->user = strdup(cfg->user);
        c->password = strdup(cfg->password);
    }
    c->connect_timeout_ms =
        cfg->connect_timeout_ms ? cfg->connect_timeout_ms : POPC_DEFAULT_CONNECT_TIMEOUT_MS;
    c->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : POPC_DEFAULT_TIMEOUT_MS;
    c->refused_retry_ms = cfg->refused_retry_ms > 0 ? cfg->refused_retry_ms : 0;
    c->max_response = cfg->max_response_bytes;
    c->token_load = cfg->token_load;
    c->token_store = cfg->token_store;
    c->ud = cfg->ud;
    if (!c->url || (cfg->user && (!c->user || !c->password)) ||
        objpool_new(cfg->max_idle ? cfg->max_idle : POPC_DEFAULT_MAX_IDLE, popc_client_make,
                    popc_client_destroy, c, &c->clients) < 0) {
        popc_free(c);
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    }
    /* One client made now: a URL libcurl cannot use fails here, not at the first call. */
    void *h = NULL;
    if ((r = objpool_acquire(c->clients, &h)) < 0) {
        pop_error_set(err, r, r == -ENOMEM ? API_INTERNAL : API_INVALID_FIELD,
                      r == -ENOMEM ? NULL : "url", "is not usable ('%s')", c->url);
        popc_free(c);
        return r;
    }
    objpool_release(c->clients, h);
    *ret = c;
    return 0;
}

void popc_free(struct popc *c)
{
    if (!c)
        return;
    objpool_free(c->clients);
    popc_wipe(c->password); /* a secret: not left in freed memory */
    popc_wipe(c->token);
    free(c->password);
    free(c->user);
    free(c->url);
    free(c->token);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->fetch_lock);
    free(c);
}

const char *popc_url(const struct popc *c)
{
    return c->url;
}

const char *popc_user(const struct popc *c)
{
    return c->user;
}

static void popc_token_done(struct popc_token *t)
{
    popc_wipe(t->value);
    free(t->value);
    *t = (struct popc_token){0};
}

/* Sends one request (token NULL: none) with what is left of the call's deadline. Returns 0
 * whenever a reply arrived, whatever its status, else the transport error (recorded). */
static int popc_send(struct popc_xfer *x, const char *method, const char *path, const char *token,
                     const char *body, struct httpc_response *ret)
{
    const char *url = x->c->url;
    int64_t left = x->deadline_ms - time_mono_ms();
    if (left <= 0)
        return popc_fail(x, -ETIMEDOUT, 0, "cannot reach %s: no answer in time", url);
    httpc_set_timeout(x->http, (long)left);
    struct strbuf auth = STRBUF_INIT;
    if (token && strbuf_printf(&auth, "Authorization: Bearer %s", token) < 0)
        return popc_fail(x, -ENOMEM, 0, "out of memory");
    const char *headers[4];
    size_t n = 0;
    headers[n++] = "Accept: application/json";
    if (body)
        headers[n++] = "Content-Type: application/json";
    if (token)
        headers[n++] = strbuf_str(&auth);
    headers[n] = NULL;
    int r;
    int64_t until = time_mono_ms() + x->c->refused_retry_ms, pause = POPC_REFUSED_PAUSE_MS;
    for (;;) {
        r = httpc_request(x->http, method, path, headers, body, body ? strlen(body) : 0, ret);
        int64_t now = time_mono_ms();
        if (r != -ECONNREFUSED || now + pause > until || now + pause >= x->deadline_ms)
            break;
        log_debug("popc: %s refused the connection; trying again in %lld ms", url,
                  (long long)pause);
        time_sleep_ms(pause);
        httpc_set_timeout(x->http, (long)(x->deadline_ms - time_mono_ms()));
        pause = pause * 2 > POPC_REFUSED_PAUSE_MAX_MS ? POPC_REFUSED_PAUSE_MAX_MS : pause * 2;
    }
    popc_wipe(auth.buf);
    strbuf_done(&auth);
    switch (r) {
    case 0:
        return 0;
    case -ETIMEDOUT:
        return popc_fail(x, r, 0, "cannot reach %s: no answer in time", url);
    case -ECONNREFUSED:
        return popc_fail(x, r, 0, "cannot reach %s: connection refused or host unknown", url);
    case -EMSGSIZE:
        return popc_fail(x, r, 0, "cannot reach %s: the response is too large", url);
    case -EINVAL:
        return popc_fail(x, r, 0, "invalid request to %s: %s", url, httpc_last_error(x->http));
    case -ENOMEM:
        return popc_fail(x, r, 0, "out of memory");
    default:
        return popc_fail(x, r, 0, "cannot reach %s: %s", url, httpc_last_error(x->http));
    }
}

/* The row of the table for an HTTP status, for replies whose code is unknown or absent: the
 * first row with that status, else bad-request for a 4xx and bad-gateway for anything else
 * (the server failed). */
static enum api_error popc_api_from_status(long status)
{
    for (unsigned i = 0; i < API_ERROR_COUNT; i++)
        if (api_error_status((enum api_error)i) == status)
            return (enum api_error)i;
    return status >= 400 && status <= 499 ? API_BAD_REQUEST : API_BAD_GATEWAY;
}

/* Records an error reply: the problem's code, field and detail as sent (its title when it has
 * no detail), else a line naming the status. Returns -EREMOTEIO. */
static int popc_reply_error(struct popc_xfer *x, const struct httpc_response *resp)
{
    struct jv_error jerr;
    _cleanup_json_ json_t *doc = NULL;
    const char *code = NULL, *field = NULL, *detail = NULL;
    if (resp->body_len > 0 && jv_parse(resp->body, resp->body_len, &doc, &jerr) == 0) {
        code = jv_get_string(doc, "code");
        field = jv_get_string(doc, "field");
        detail = jv_get_string(doc, "detail");
        if (!detail || !*detail)
            detail = jv_get_string(doc, "title");
    }
    enum api_error api = api_error_from_code(code);
    if (api == API_ERROR_COUNT)
        api = popc_api_from_status(resp->status);
    x->err->status = resp->status;
    if (detail && *detail)
        return pop_error_set(&x->err->err, -EREMOTEIO, api, field, "%s", detail);
    return pop_error_set(&x->err->err, -EREMOTEIO, api, field, "HTTP %ld from %s", resp->status,
                         x->c->url);
}

/* The body of a 2xx: NULL when empty, else it must be a JSON object. */
static int popc_parse_body(struct popc_xfer *x, const struct httpc_response *resp, json_t **ret)
{
    if (resp->body_len == 0) {
        *ret = NULL;
        return 0;
    }
    struct jv_error jerr;
    if (jv_parse(resp->body, resp->body_len, ret, &jerr) < 0) {
        char msg[600];
        jv_error_format(&jerr, msg, sizeof(msg));
        return popc_fail(x, jerr.kind == JV_ERR_NOMEM ? -ENOMEM : -EPROTO, resp->status,
                         "%s sent a reply that is not a JSON object: %s", x->c->url, msg);
    }
    return 0;
}

/* POST /v1/login. Returns 0 with a new token in *ret_value, or the error (recorded). */
static int popc_login_http(struct popc_xfer *x, char **ret_value, int64_t *ret_expires_at)
{
    struct popc *c = x->c;
    _cleanup_json_ json_t *body =
        json_pack("{s:s, s:s}", "username", c->user, "password", c->password);
    _cleanup_free_ char *text = body ? jv_dump(body) : NULL;
    if (!text)
        return popc_fail(x, -ENOMEM, 0, "out of memory");
    struct httpc_response resp = {0};
    int r = popc_send(x, "POST", "/v1/login", NULL, text, &resp);
    popc_wipe(text);
    if (r < 0)
        return r;
    if (resp.status != 200) {
        r = popc_reply_error(x, &resp);
        httpc_response_done(&resp);
        return r;
    }
    _cleanup_json_ json_t *doc = NULL;
    r = popc_parse_body(x, &resp, &doc);
    httpc_response_done(&resp);
    if (r < 0)
        return r;
    const char *token = doc ? jv_get_string(doc, "value") : NULL;
    int64_t exp = doc ? jv_get_int(doc, "expires_at", 0) : 0;
    if (!popc_token_ok(token) || exp <= 0)
        return popc_fail(x, -EPROTO, 200, "%s answered the login without a usable token", c->url);
    char *copy = strdup(token);
    if (!copy)
        return popc_fail(x, -ENOMEM, 0, "out of memory");
    log_debug("popc: logged in to %s as %s", c->url, c->user);
    *ret_value = copy;
    *ret_expires_at = exp;
    return 0;
}

/* Copies the token in memory into *ret (c->lock held). */
static int popc_token_copy(struct popc_xfer *x, struct popc_token *ret)
{
    struct popc *c = x->c;
    char *v = strdup(c->token);
    if (!v)
        return popc_fail(x, -ENOMEM, 0, "out of memory");
    *ret = (struct popc_token){.value = v, .expires_at = c->expires_at, .gen = c->gen};
    return 0;
}

/* Whether the token in memory serves want (c->lock held). */
static bool popc_token_serves(const struct popc *c, enum popc_want want, uint64_t refused)
{
    if (want == POPC_WANT_LOGIN || !c->token || !popc_fresh_enough(c->expires_at))
        return false;
    return want != POPC_WANT_RENEW || c->gen != refused;
}

/* fetch_lock, waiting no longer than the call's deadline. */
static int popc_fetch_lock(struct popc_xfer *x)
{
    int64_t until = x->deadline_ms;
    struct timespec ts = {.tv_sec = (time_t)(until / 1000),
                          .tv_nsec = (long)(until % 1000) * 1000000L};
    int r = pthread_mutex_clocklock(&x->c->fetch_lock, CLOCK_MONOTONIC, &ts);
    if (r == ETIMEDOUT)
        return popc_fail(x, -ETIMEDOUT, 0, "cannot reach %s: no answer in time", x->c->url);
    if (r != 0)
        return popc_fail(x, -r, 0, "cannot lock the token of %s: %s", x->c->url, strerror(r));
    return 0;
}

/* Finds the token for one request (see enum popc_want). Only one thread at a time loads or
 * logs in; the others wait for it and take its token. Returns 0 and fills *ret, or the
 * error (recorded, with err->login set). */
static int popc_token_get(struct popc_xfer *x, enum popc_want want, uint64_t refused,
                          struct popc_token *ret)
{
    struct popc *c = x->c;
    int r;
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&c->lock);
        if (popc_token_serves(c, want, refused))
            return popc_token_copy(x, ret);
    }
    if ((r = popc_fetch_lock(x)) < 0) {
        x->err->login = true;
        return r;
    }
    bool try_store = false;
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&c->lock);
        /* Someone may have fetched one while this thread waited. */
        if (popc_token_serves(c, want, refused)) {
            r = popc_token_copy(x, ret);
            pthread_mutex_unlock(&c->fetch_lock);
            return r;
        }
        if (want == POPC_WANT_RENEW && c->token && c->gen == refused) {
            /* Refused: not to be used again, nor loaded again from the store. */
            popc_wipe(c->token);
            free(c->token);
            c->token = NULL;
            c->expires_at = 0;
            c->gen++;
            c->store_stale = true;
        }
        try_store = want == POPC_WANT_ANY && !c->token && !c->store_stale && c->token_load;
    }

    char *value = NULL;
    int64_t exp = 0;
    bool fresh = false;
    if (try_store && c->token_load(c->ud, &value, &exp) == 0 &&
        !(popc_token_ok(value) && popc_fresh_enough(exp))) {
        popc_wipe(value);
        free(value);
        value = NULL;
    }
    if (!value) {
        r = popc_login_http(x, &value, &exp);
        if (r < 0) {
            x->err->login = true;
            pthread_mutex_unlock(&c->fetch_lock);
            return r;
        }
        fresh = true;
        struct pop_error serr = POP_ERROR_INIT;
        int s = c->token_store ? c->token_store(c->ud, value, exp, &serr) : 0;
        if (s < 0)
            log_debug("popc: the new token for %s was not stored: %s", c->url,
                      serr.detail[0] ? serr.detail : strerror(-s));
    }
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&c->lock);
        popc_wipe(c->token);
        free(c->token);
        c->token = value;
        c->expires_at = exp;
        c->gen++;
        if (fresh)
            c->store_stale = false;
        r = popc_token_copy(x, ret);
        if (r == 0)
            ret->fresh = fresh;
    }
    pthread_mutex_unlock(&c->fetch_lock);
    return r;
}

static bool popc_2xx(long status)
{
    return status >= 200 && status <= 299;
}

/* Starts a call: clears err (a scratch one when the caller passed none), takes a client. */
static int popc_begin(struct popc *c, struct popc_error *err, struct popc_xfer *ret)
{
    *err = (struct popc_error)POPC_ERROR_INIT;
    *ret = (struct popc_xfer){.c = c, .err = err, .deadline_ms = time_mono_ms() + c->timeout_ms};
    if (!c->user)
        return popc_fail(ret, -EACCES, 0, "no user name and password to log in to %s with", c->url);
    void *h = NULL;
    int r = objpool_acquire(c->clients, &h);
    if (r < 0)
        return popc_fail(ret, r, 0, "cannot reach %s: no HTTP client: %s", c->url, strerror(-r));
    ret->http = h;
    return 0;
}

static void popc_end(struct popc_xfer *x)
{
    objpool_release(x->c->clients, x->http);
    x->http = NULL;
}

int popc_call(struct popc *c, const char *method, const char *path, const json_t *body,
              json_t **ret, struct popc_error *err)
{
    struct popc_error scratch;
    struct popc_xfer x;
    int r = popc_begin(c, err ? err : &scratch, &x);
    if (r < 0)
        return r;
    _cleanup_free_ char *text = NULL;
    struct popc_token tok = {0};
    struct httpc_response resp = {0};
    if (body && !(text = jv_dump(body))) {
        r = popc_fail(&x, -ENOMEM, 0, "out of memory");
        goto out;
    }
    if ((r = popc_token_get(&x, POPC_WANT_ANY, 0, &tok)) < 0)
        goto out;
    r = popc_send(&x, method, path, tok.value, text, &resp);
    /* A token fresh from a login that is refused at once will not do better a second time. */
    if (r == 0 && resp.status == 401 && !tok.fresh) {
        log_debug("popc: token refused by %s; logging in again", c->url);
        httpc_response_done(&resp);
        uint64_t refused = tok.gen;
        popc_token_done(&tok);
        if ((r = popc_token_get(&x, POPC_WANT_RENEW, refused, &tok)) < 0)
            goto out;
        r = popc_send(&x, method, path, tok.value, text, &resp);
    }
    if (r < 0)
        goto out;
    if (!popc_2xx(resp.status)) {
        r = popc_reply_error(&x, &resp);
        goto out;
    }
    json_t *doc = NULL;
    if ((r = popc_parse_body(&x, &resp, &doc)) < 0)
        goto out;
    if (ret)
        *ret = doc;
    else
        json_decref(doc);
out:
    httpc_response_done(&resp);
    popc_token_done(&tok);
    popc_end(&x);
    return r;
}

int popc_login(struct popc *c, int64_t *ret_expires_at, struct popc_error *err)
{
    struct popc_error scratch;
    struct popc_xfer x;
    int r = popc_begin(c, err ? err : &scratch, &x);
    if (r < 0)
        return r;
    struct popc_token tok = {0};
    r = popc_token_get(&x, POPC_WANT_LOGIN, 0, &tok);
    if (r == 0 && ret_expires_at)
        *ret_expires_at = tok.expires_at;
    popc_token_done(&tok);
    popc_end(&x);
    return r;
}

/* The token to revoke (fetch_lock held): the one in memory, else the stored one. Returns 1
 * with it in *ret, 0 when there is none, or -ENOMEM. */
static int popc_logout_token(struct popc_xfer *x, struct popc_token *ret)
{
    struct popc *c = x->c;
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&c->lock);
        if (c->token)
            return popc_token_copy(x, ret) < 0 ? -ENOMEM : 1;
    }
    char *value = NULL;
    int64_t exp = 0;
    if (!c->token_load || c->token_load(c->ud, &value, &exp) < 0 || !value)
        return 0;
    *ret = (struct popc_token){.value = value, .expires_at = exp};
    return 1;
}

int popc_logout(struct popc *c, struct popc_error *err)
{
    struct popc_error scratch;
    struct popc_xfer x;
    int r = popc_begin(c, err ? err : &scratch, &x);
    if (r < 0)
        return r;
    if ((r = popc_fetch_lock(&x)) < 0) {
        popc_end(&x);
        return r;
    }
    struct popc_token tok = {0};
    struct httpc_response resp = {0};
    if ((r = popc_logout_token(&x, &tok)) <= 0)
        goto out;
    /* An expired token needs no revoking, and one that cannot be sent was never accepted. */
    if (tok.expires_at > time_now_s() && popc_token_ok(tok.value)) {
        if ((r = popc_send(&x, "POST", "/v1/logout", tok.value, NULL, &resp)) < 0)
            goto out;
        /* 401: the server no longer accepts it, which is what logging out wants */
        if (!popc_2xx(resp.status) && resp.status != 401) {
            r = popc_reply_error(&x, &resp);
            goto out;
        }
    }
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&c->lock);
        popc_wipe(c->token);
        free(c->token);
        c->token = NULL;
        c->expires_at = 0;
        c->gen++;
        c->store_stale = false;
    }
    if (c->token_store && (r = c->token_store(c->ud, NULL, 0, &x.err->err)) < 0) {
        pop_error_default(&x.err->err, r, API_INTERNAL, "cannot forget the stored token: %s",
                          strerror(-r));
        goto out;
    }
    r = 1;
out:
    httpc_response_done(&resp);
    popc_token_done(&tok);
    pthread_mutex_unlock(&c->fetch_lock);
    popc_end(&x);
    return r;
}
