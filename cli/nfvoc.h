/* The pop CLI's client of pop-nfvo (Open Baton NFVO 6 REST API, reference §6.1): an OAuth2
 * password grant with the client's HTTP Basic credentials, the access and refresh tokens and
 * the project id cached in the CLI's cache directory, a refresh or a new login when the token
 * has expired, one new login and retry on a 401, and the server's reasons (problem+json or
 * OAuth2 error bodies) as one-line messages. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#define NFVOC_CONNECT_TIMEOUT_MS 5000L
#define NFVOC_TIMEOUT_MS 60000L
#define NFVOC_DEFAULT_CLIENT "openbatonOSClient:secret"
#define NFVOC_DEFAULT_PROJECT "default"
#define NFVOC_EXPIRY_MARGIN_S 30 /* a token this close to its expiry is not used any more */

struct nfvoc;

struct nfvoc_config {
    const char *url;     /* "http[s]://host[:port]" (trailing slashes dropped) */
    const char *auth;    /* "user:password", or NULL: every call fails with -EACCES */
    const char *client;  /* OAuth2 client "id:secret", NULL for NFVOC_DEFAULT_CLIENT */
    const char *project; /* project name or id; NULL: the cached one, else "default" */
};

/* Creates a client. Does no I/O. Returns 0, -EINVAL with a one-line reason in err (errlen
 * bytes), or -ENOMEM. */
int nfvoc_new(const struct nfvoc_config *cfg, char *err, size_t errlen, struct nfvoc **ret);

/* Frees the client. Accepts NULL. */
void nfvoc_free(struct nfvoc *n);

const char *nfvoc_url(const struct nfvoc *n);
const char *nfvoc_user(const struct nfvoc *n);       /* NULL without auth */
const char *nfvoc_project(const struct nfvoc *n);    /* the project name (or id) asked for */
const char *nfvoc_project_id(const struct nfvoc *n); /* NULL until resolved */
int64_t nfvoc_expires_at(const struct nfvoc *n);     /* of the access token, 0 without one */

/* One line saying why the last call failed ("" before any failure). */
const char *nfvoc_error(const struct nfvoc *n);

/* HTTP status of the last reply, 0 when none arrived. */
long nfvoc_status(const struct nfvoc *n);

/* Logs in with the password now (ignoring a cached token), resolves the project's id and
 * caches both (a cache that cannot be written only prints a warning). Returns 0 or the errors
 * of nfvoc_call. */
int nfvoc_login(struct nfvoc *n);

/* Sends an authenticated /api request: path as "/api/v1/ns-records", body (borrowed, may be
 * NULL) as JSON, with the bearer token and the project-id header. On a 2xx returns 0 and in
 * *ret (may be NULL) a new reference to the parsed reply (any JSON value), or NULL for an
 * empty body. Otherwise returns -EREMOTEIO (the NFVO refused: nfvoc_error, nfvoc_status),
 * -EACCES (no credentials), -EPROTO (a reply that is no JSON), -ECONNREFUSED, -ETIMEDOUT,
 * -EIO or -ENOMEM; *ret untouched. */
int nfvoc_call(struct nfvoc *n, const char *method, const char *path, const json_t *body,
               json_t **ret);
