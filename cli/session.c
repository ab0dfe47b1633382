/* Session with a Pop: the CLI's configuration and token cache around lib/popc, and the
 * one-line messages its errors become. */
#include "session.h"

#include "cache.h"
#include "core/log.h"
#include "popc/popc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_ERROR_MAX 512

struct session {
    struct popc *popc;
    char *user;  /* NULL without auth */
    char *cache; /* token file path, NULL when there is no usable cache directory */
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

/* The message for a failed popc call; what prefixes a refusal of the request itself. */
static int session_fail(struct session *s, int r, const struct popc_error *e, const char *what)
{
    if (r == -EREMOTEIO && e->login)
        session_set_error(s, "login as '%s' failed: %s", s->user, e->err.detail);
    else if (r == -EREMOTEIO)
        session_set_error(s, "%s%s", what, e->err.detail);
    else
        session_set_error(s, "%s", e->err.detail);
    return r;
}

static int session_no_auth(struct session *s)
{
    session_set_error(s, "POP_AUTH is not set (export POP_AUTH=user:password)");
    return -EACCES;
}

/* lib/popc's token hooks: the cache file for (user, url). */
static int session_token_load(void *ud, char **ret_token, int64_t *ret_expires_at)
{
    struct session *s = ud;
    if (!s->cache)
        return -ENOENT;
    return cache_load(s->cache, s->user, popc_url(s->popc), ret_token, ret_expires_at);
}

static int session_token_store(void *ud, const char *token, int64_t expires_at,
                               struct pop_error *err)
{
    struct session *s = ud;
    if (!s->cache)
        return 0;
    int r;
    if (token) {
        if ((r = cache_store(s->cache, s->user, popc_url(s->popc), token, expires_at)) < 0)
            fprintf(stderr, "pop: warning: cannot cache the session token in %s: %s\n", s->cache,
                    strerror(-r));
        return r;
    }
    if ((r = cache_remove(s->cache)) < 0)
        return pop_error_set(err, r, API_INTERNAL, NULL, "cannot remove %s: %s", s->cache,
                             strerror(-r));
    return 0;
}

int session_new(const char *url, const char *auth, char *err, size_t errlen, struct session **ret)
{
    const char *colon = auth ? strchr(auth, ':') : NULL;
    bool auth_ok = auth && colon && colon != auth && colon[1];
    struct session *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    if (auth_ok && !(s->user = strndup(auth, (size_t)(colon - auth)))) {
        session_free(s);
        return -ENOMEM;
    }
    struct popc_config cfg = {
        .url = url,
        .user = s->user,
        .password = auth_ok ? colon + 1 : NULL,
        .connect_timeout_ms = SESSION_CONNECT_TIMEOUT_MS,
        .timeout_ms = SESSION_TIMEOUT_MS,
        .max_idle = 1, /* one command, one thread */
        .token_load = session_token_load,
        .token_store = session_token_store,
        .ud = s,
    };
    struct pop_error perr = POP_ERROR_INIT;
    int r = popc_new(&cfg, &s->popc, &perr);
    /* POP_URL is checked first, then POP_AUTH, as the user reads them. */
    if (r == -EINVAL && strcmp(perr.field, "url") == 0) {
        snprintf(err, errlen, "POP_URL %s", perr.detail);
    } else if (auth && !auth_ok) {
        snprintf(err, errlen, "POP_AUTH must be user:password");
        r = -EINVAL;
    } else if (r == -EINVAL) {
        snprintf(err, errlen, "POP_AUTH: the user name or password is too long (%d/%d)",
                 POPC_USER_MAX, POPC_PASSWORD_MAX);
    }
    if (r < 0) {
        session_free(s);
        return r;
    }
    if (s->user) {
        r = cache_path(s->user, popc_url(s->popc), &s->cache);
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
    popc_free(s->popc);
    free(s->user);
    free(s->cache);
    free(s);
}

const char *session_url(const struct session *s)
{
    return popc_url(s->popc);
}

const char *session_user(const struct session *s)
{
    return s->user;
}

const char *session_error(const struct session *s)
{
    return s->error;
}

int session_login(struct session *s, int64_t *ret_expires_at)
{
    if (!s->user)
        return session_no_auth(s);
    struct popc_error e = POPC_ERROR_INIT;
    int r = popc_login(s->popc, ret_expires_at, &e);
    return r < 0 ? session_fail(s, r, &e, "") : 0;
}

int session_call(struct session *s, const char *method, const char *path, const json_t *body,
                 json_t **ret)
{
    if (!s->user)
        return session_no_auth(s);
    struct popc_error e = POPC_ERROR_INIT;
    int r = popc_call(s->popc, method, path, body, ret, &e);
    return r < 0 ? session_fail(s, r, &e, "") : 0;
}

int session_logout(struct session *s)
{
    if (!s->user)
        return session_no_auth(s);
    struct popc_error e = POPC_ERROR_INIT;
    int r = popc_logout(s->popc, &e);
    return r < 0 ? session_fail(s, r, &e, "logout failed: ") : r;
}
