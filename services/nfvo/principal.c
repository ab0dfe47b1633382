/* The per-request principal (see principal.h). */
#include "principal.h"

#include "http/request.h"

#include <errno.h>
#include <stdlib.h>

int nfvo_principal_set(struct http_request *req, const struct nfvo_principal *p)
{
    struct nfvo_principal *copy = malloc(sizeof(*copy));
    if (!copy)
        return -ENOMEM;
    *copy = *p;
    http_request_set_ctx(req, copy, free);
    return 0;
}

const struct nfvo_principal *nfvo_principal_get(const struct http_request *req)
{
    return http_request_get_ctx(req);
}

const char *nfvo_request_project(const struct http_request *req)
{
    const struct nfvo_principal *p = nfvo_principal_get(req);
    return p ? p->project : "";
}
