/* A pop CLI session with one Pop: POP_URL and POP_AUTH turned into a lib/popc client whose
 * token is kept in the CLI's token cache file (cache.h), and its failures as one-line
 * messages for the user. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define SESSION_CONNECT_TIMEOUT_MS 5000L
#define SESSION_TIMEOUT_MS 60000L

struct session;

/* Creates a session. url is "http[s]://host[:port]" (trailing slashes dropped); auth is
 * "user:password" and may be NULL, in which case only session_url() works and every request
 * fails with -EACCES. Returns 0 or -EINVAL with a one-line reason in err (errlen bytes), or
 * -ENOMEM. Does no I/O. */
int session_new(const char *url, const char *auth, char *err, size_t errlen, struct session **ret);

/* Frees the session. Accepts NULL. */
void session_free(struct session *s);

const char *session_url(const struct session *s);
const char *session_user(const struct session *s); /* NULL without auth */

/* One line saying why the last call failed: the server's problem detail, or the transport
 * error. "" before any failure. Valid until the next call. */
const char *session_error(const struct session *s);

/* Logs in now (ignoring any cached token) and caches the new token; a cache that cannot be
 * written only prints a warning. Returns 0 and the expiry in *ret_expires_at, or the errors of
 * session_call. */
int session_login(struct session *s, int64_t *ret_expires_at);

/* Revokes the cached token on the server (a token the server already rejects counts as revoked)
 * and removes the cache file. Returns 1 when there was a cached token, 0 when there was none,
 * or the errors of session_call (the file is kept then). */
int session_logout(struct session *s);

/* Sends an authenticated request (popc_call): body (borrowed, may be NULL) as JSON, the
 * cached token while still valid, else a login, and one new login and retry on a 401 to a
 * token that did not come from a login in this call. On a 2xx returns 0 and in *ret a new
 * reference to the parsed object, or NULL for an empty body (ret may be NULL to ignore the
 * body). Otherwise returns -EREMOTEIO (the server refused: see session_error), -EACCES (no
 * POP_AUTH), -EPROTO (a 2xx whose body is not a JSON object), or a transport error
 * (-ECONNREFUSED, -ETIMEDOUT, -EIO, -EMSGSIZE, -ENOMEM); *ret untouched on failure. */
int session_call(struct session *s, const char *method, const char *path, const json_t *body,
                 json_t **ret);
