/* The NFVO's catalogue (reference §4.1, §4.7, §6.2): Network Service Descriptors with their
 * VNF descriptors inline, validated on onboarding (a 4xx naming the field), given ids, stored
 * per project in SQLite, with REST routes under /api/v1/ns-descriptors and
 * /api/v1/vnf-descriptors. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

struct http_route;
struct nfvo;
struct nfvo_catalogue;

int nfvo_catalogue_new(struct nfvo *n, struct nfvo_catalogue **ret);
void nfvo_catalogue_free(struct nfvo_catalogue *c);

/* Whether NS records use the NSD nsd_id of project: the number of records (0: none), with
 * their ids or names written into names (size bytes, truncated, NUL-terminated) for the 409
 * DELETE answers; or a negative errno. Supplied by the records module. */
typedef int (*nfvo_catalogue_in_use_fn)(void *ud, const char *project, const char *nsd_id,
                                        char *names, size_t size);
/* Makes DELETE /api/v1/ns-descriptors/{id} ask in_use(ud, ...) first and answer 409 naming the
 * records while there are some. Call before the server starts; NULL removes the check. */
void nfvo_catalogue_set_in_use_check(struct nfvo_catalogue *c, nfvo_catalogue_in_use_fn in_use,
                                     void *ud);

/* /api/v1/ns-descriptors[...], /api/v1/vnf-descriptors[...] with the struct nfvo as userdata. */
const struct http_route *nfvo_catalogue_routes(size_t *ret_n);

/* The onboarded NSD of project with that id, as stored: every entity with its id and
 * hbVersion, VNFDs inline, `vnf_dependency` in the 6.0 string form (the `requires` of the
 * VNFDs merged in, §4.1). New reference; -ENOENT with e naming the id when there is none. */
int nfvo_catalogue_get_nsd(struct nfvo_catalogue *c, const char *project, const char *id,
                           json_t **ret, struct pop_error *e);
