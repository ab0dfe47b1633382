/* The Pop REST client (popd-rest's /v1 API): a login cached until shortly before it expires,
 * one renewal and retry when a request gets 401, a deadline on every call, and problem+json
 * replies kept word for word. One struct popc is shared by every thread of a process (see
 * docs/internals/popc.md for the locking). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define POPC_URL_MAX 2048
#define POPC_USER_MAX 64
#define POPC_PASSWORD_MAX 1024
#define POPC_TOKEN_MAX 8192     /* characters of a bearer token */
#define POPC_EXPIRY_MARGIN_S 30 /* a token this close to its expiry is not used any more */
#define POPC_DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define POPC_DEFAULT_TIMEOUT_MS 30000L
#define POPC_DEFAULT_MAX_IDLE 8 /* idle HTTP clients kept for reuse */
#define POPC_MAX_IDLE_MAX 1024

struct popc;

/* Why a call failed. err.r is the call's return value. For a reply with an error status
 * (r = -EREMOTEIO): err.api is the problem's "code" mapped back (api_error_from_code), or,
 * for an unknown code or a body that is no problem, the table's row for the HTTP status;
 * err.field is the problem's "field" and err.detail its "detail" (its "title" when it has no
 * detail; "HTTP <status> from <url>" when it has neither), both as sent, only cut to their
 * size; status is the HTTP status. For a failure with no reply (status 0) detail says what
 * happened ("cannot reach <url>: connection refused or host unknown", "...: no answer in
 * time"). */
struct popc_error {
    struct pop_error err;
    long status; /* HTTP status of the failed reply, 0 when none arrived */
    bool login;  /* the login the call needed failed, so the request itself was not sent */
};

#define POPC_ERROR_INIT                                                                            \
    {                                                                                              \
        .err = POP_ERROR_INIT, .status = 0, .login = false                                         \
    }

struct popc_config {
    const char *url;         /* "http[s]://host[:port]", trailing slashes dropped */
    const char *user;        /* NULL: no credentials, every call that needs a login is -EACCES */
    const char *password;    /* with user */
    long connect_timeout_ms; /* 0 = POPC_DEFAULT_CONNECT_TIMEOUT_MS */
    /* Bounds each whole call (popc_call with its login, renewal and retry; popc_login;
     * popc_logout), including a wait for another thread's login. 0 = POPC_DEFAULT_TIMEOUT_MS */
    long timeout_ms;
    size_t max_response_bytes; /* reply body cap; 0 = lib/httpc's default (8 MiB) */
    size_t max_idle;           /* idle HTTP clients kept (1..POPC_MAX_IDLE_MAX); 0 = default */
    /* A refused connection reached nothing, so any request may be sent again: for up to this
     * long (within the call's timeout) a refused one is, after 50 ms, then twice as long each
     * time up to 500 ms, so a server restarting (a crash, an upgrade) is waited for. 0 = a
     * refusal is the call's error at once (a user at a terminal wants to know). */
    long refused_retry_ms;
    /* Token persistence, both optional (NULL: the token lives in memory only). Called with
     * ud, never two at a time, from the thread that needs the token, without popc's lock.
     * token_load: the stored token for this url and user, asked when popc has none in memory
     * (its first call, after a logout); returns 0 with a malloc'ed *ret_token and its expiry
     * (Unix seconds), or a negative errno for none (any failure just means a login).
     * token_store: after every login with the new token; with token NULL (expires_at 0) on
     * logout, to forget it. Returns 0 or a negative errno; it may describe its failure in err
     * (else popc does). A failed store after a login is only logged (the login still
     * counts); a failed forget is popc_logout's error. */
    int (*token_load)(void *ud, char **ret_token, int64_t *ret_expires_at);
    int (*token_store)(void *ud, const char *token, int64_t expires_at, struct pop_error *err);
    void *ud;
};

/* Creates a client; cfg's strings are copied (the password is wiped from memory by
 * popc_free). Does no I/O. Returns 0, -EINVAL with err naming the field ("url", "user",
 * "password", "timeout_ms", "max_idle") and what is wrong with it, or -ENOMEM. err may be
 * NULL. */
int popc_new(const struct popc_config *cfg, struct popc **ret, struct pop_error *err);

/* Frees the client. No call may be running. Accepts NULL. */
void popc_free(struct popc *c);

const char *popc_url(const struct popc *c);  /* normalized: no trailing slash */
const char *popc_user(const struct popc *c); /* NULL without credentials */

/* Sends one authenticated request: path as "/v1/containers?name=x" (escape parts with
 * httpc_url_escape), body borrowed and sent as JSON (NULL: none). Uses the token in memory
 * while it is more than POPC_EXPIRY_MARGIN_S from its expiry, else the stored one
 * (token_load), else logs in. A 401 to a token this call did not just get from a login
 * renews it once (or takes the one another thread just renewed) and retries once; a second
 * 401 is the error. On a 2xx returns 0 and in *ret a new reference to the parsed object, or
 * NULL for an empty body (ret may be NULL to drop the body). Otherwise *ret is untouched and
 * err says why: -EREMOTEIO (an error reply, see struct popc_error), -EACCES (no
 * credentials), -EPROTO (a 2xx, or a login reply, that is no JSON object or has no usable
 * token), -ECONNREFUSED (cannot connect or resolve), -ETIMEDOUT (the call's deadline
 * passed), -EMSGSIZE (reply over the cap), -EINVAL (bad method or path), -EIO, -ENOMEM.
 * err may be NULL. Thread-safe. */
int popc_call(struct popc *c, const char *method, const char *path, const json_t *body,
              json_t **ret, struct popc_error *err);

/* Logs in now, whatever token is cached, and keeps (and stores) the new token. Returns 0 and
 * the token's expiry in *ret_expires_at (may be NULL), or the errors of popc_call (with
 * err->login set for a refusal). Thread-safe. */
int popc_login(struct popc *c, int64_t *ret_expires_at, struct popc_error *err);

/* Revokes the token (the one in memory, else the stored one) on the server, unless it has
 * expired already; a 401 counts as revoked. Then forgets it in memory and through
 * token_store(NULL). Returns 1 when there was a token, 0 when there was none (nothing
 * stored is touched then), or a negative errno: the errors of popc_call for the revocation
 * (nothing is forgotten then), or token_store's. Thread-safe. */
int popc_logout(struct popc *c, struct popc_error *err);
