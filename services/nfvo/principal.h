/* Who is calling, as the authentication hook established it for one /api request: the user
 * and the project of its `project-id` header (reference §6.1). Handlers read it; only the
 * hook sets it. */
#pragma once

struct http_request;

#define NFVO_NAME_MAX 128
#define NFVO_ID_MAX 64

struct nfvo_principal {
    char user[NFVO_NAME_MAX];
    char project[NFVO_ID_MAX]; /* "" on the routes that need no project-id */
};

/* Attaches a copy of p to req. Returns 0 or -ENOMEM. */
int nfvo_principal_set(struct http_request *req, const struct nfvo_principal *p);
/* The principal of req, or NULL on a public route. */
const struct nfvo_principal *nfvo_principal_get(const struct http_request *req);
/* The caller's project id, "" when none. */
const char *nfvo_request_project(const struct http_request *req);
