/* VIM instances ("datacenters", reference §4.3, §6.2): stored per project in SQLite, refreshed
 * through the driver that serves their type (drivers.h), with REST routes under
 * /api/v1/datacenters. A VIM instance is kept as its GenericVimInstance JSON (id, hbVersion,
 * name, authUrl, type, active, location, images, networks, metadata, projectId, shared) plus
 * the credentials of a Pop (username, password), which the REST output masks. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

struct http_route;
struct nfvo;
struct nfvo_vims;

int nfvo_vims_new(struct nfvo *n, struct nfvo_vims **ret);
void nfvo_vims_free(struct nfvo_vims *v);

/* /api/v1/datacenters[...] with the struct nfvo as userdata. */
const struct http_route *nfvo_vims_routes(size_t *ret_n);

/* The VIM instance of project whose name or id is key, as the drivers get it: with the
 * credentials, the images and networks of its last refresh and metadata.plugin = the id of the
 * driver that serves it (what a grant hands the VNFM, §11). New reference in *ret; -ENOENT
 * with e naming the VIM when there is none. */
int nfvo_vims_find(struct nfvo_vims *v, const char *project, const char *key, json_t **ret,
                   struct pop_error *e);
/* The VIM instance with id in any project, the same form as nfvo_vims_find: for what the NFVO
 * itself recorded (a VNFC's vim_id). 0, -ENOENT or the store's error. */
int nfvo_vims_find_by_id(struct nfvo_vims *v, const char *id, json_t **ret);
/* Every VIM instance of project (a JSON array, the same form as nfvo_vims_find). */
int nfvo_vims_list(struct nfvo_vims *v, const char *project, json_t **ret, struct pop_error *e);
/* Calls the driver's refresh for the VIM instance (name or id) and stores what it answers
 * (images, networks); *ret (may be NULL) gets the refreshed instance. */
int nfvo_vims_refresh(struct nfvo_vims *v, const char *project, const char *key, json_t **ret,
                      struct pop_error *e);

/* Stops the background refreshes (the ones a driver's registration schedules) and waits for
 * the one running: called at shutdown before the broker connection is freed. Idempotent. */
void nfvo_vims_stop(struct nfvo_vims *v);

/* Whether something (an NS record) uses vim, a VIM instance of project as nfvo_vims_find gives
 * it: > 0 with why filled ("NS record x uses it") refuses its DELETE with 409, 0 lets it go, < 0
 * (a negative errno) fails the DELETE with 500. Called holding that VIM's busy mark: it may call
 * nfvo_vims_find and nfvo_vims_list, never change or refresh the VIM. */
typedef int (*nfvo_vims_in_use_fn)(void *ud, const char *project, const json_t *vim, char *why,
                                   size_t why_size);
/* Installs the check (NULL: nothing is in use, the default); ud is borrowed. Set it at start,
 * before the HTTP server serves. */
void nfvo_vims_set_in_use_check(struct nfvo_vims *v, nfvo_vims_in_use_fn fn, void *ud);

/* Schedules a refresh of every VIM instance (of every project) whose type the plugin
 * vim-drivers.<type>.<name> serves, delay_ms from now, as NFVO 6 does after a plugin
 * registers (§1.2). Runs on the module's own thread; failures are logged. Returns 0, -EINVAL
 * (not a vim-drivers id) or -ENOMEM. */
int nfvo_vims_schedule_type_refresh(struct nfvo_vims *v, const char *plugin_id, int64_t delay_ms);
