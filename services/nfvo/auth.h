/* The NFVO's northbound security (reference §6.1): POST /oauth/token (password and
 * refresh_token grants, HTTP Basic client credentials), bearer tokens signed and checked with
 * lib/auth, the users of the configuration (kept as KDF hashes), projects (a `default` one at
 * least) and the `project-id` header every /api/ route needs but the few §6.1 exempts. */
#pragma once

#include <stddef.h>

struct http_request;
struct http_route;
struct nfvo;
struct nfvo_auth;

/* n is borrowed and must outlive the result. */
int nfvo_auth_new(struct nfvo *n, struct nfvo_auth **ret);
void nfvo_auth_free(struct nfvo_auth *a);

/* The http_server_config.authenticate hook (userdata = the struct nfvo): checks the bearer
 * token and the project-id header, sets the request's principal (principal.h), or replies 401
 * / 403 / 400 itself and returns < 0. */
int nfvo_auth_authenticate(struct http_request *req, void *userdata);

/* /oauth/token, /api/v1/projects[...]: routes with the struct nfvo as userdata. */
const struct http_route *nfvo_auth_routes(size_t *ret_n);
