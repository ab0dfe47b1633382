/* The managers the NFVO knows (reference §1.2): every VNF manager and VIM driver plugin that
 * registered on nfvo.manager.handling, each with a broker user of its own made through the
 * management API with exactly NFVO 6's permissions. Kept in SQLite, so a restarted NFVO answers
 * a re-registration with the credentials it gave before, as NFVO 6 does. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"

struct db_pool;
struct mq_admin;
struct nfvo_managers;

#define NFVO_MANAGER_PASSWORD_LEN 16

/* pool and admin are borrowed and must outlive m; vhost is copied. */
int nfvo_managers_new(struct db_pool *pool, struct mq_admin *admin, const char *vhost,
                      struct nfvo_managers **ret);
void nfvo_managers_free(struct nfvo_managers *m);

/* One message of nfvo.manager.handling, read leniently (Java's single quotes):
 * - {"type", "action":"register", ["vnfmManagerEndpoint": {...} or its JSON text]}: makes (or,
 *   when the type is known, resets to the stored password) the broker user named type, with the
 *   permissions for t = the endpoint's "endpoint" (a VNFM) or the type (a plugin, which must be
 *   "vim-drivers.<type>.<name>" or "monitor.<...>"), and returns in *ret_reply the
 *   ManagerCredentials {"rabbitUsername","rabbitPassword","id","hbVersion"};
 * - {"username","password","action":"deregister"|"unregister" (any case)}: when they match a
 *   manager, deletes its broker user and the record; *ret_reply NULL (no reply is sent).
 * Returns 0, or a negative errno with err naming what was wrong with the message or what
 * failed (the broker's API, the database); nothing is changed then. Serialised inside. */
int nfvo_managers_handle(struct nfvo_managers *m, const char *body, size_t len, json_t **ret_reply,
                         struct pop_error *err);

/* Called after each successful registration of a VIM driver plugin (a type "vim-drivers.<...>"),
 * with its id, under the registration lock: it must only schedule work, never wait. */
typedef void (*nfvo_managers_plugin_fn)(void *ud, const char *plugin_id);
/* Installs the callback (NULL: none); ud is borrowed. Set it before registrations arrive. */
void nfvo_managers_set_on_plugin(struct nfvo_managers *m, nfvo_managers_plugin_fn fn, void *ud);

/* How many managers are registered, for /healthz and /metrics; < 0 on a database error. */
int nfvo_managers_count(struct nfvo_managers *m);

/* The id of a registered plugin serving VIMs of vim_type ("vim-drivers.<vim_type>.<name>"):
 * `want` when it is one of them, else the latest registered; copied into buf. -ENOENT when no
 * plugin of that type registered, -EINVAL for an empty type. */
int nfvo_managers_plugin_for(struct nfvo_managers *m, const char *vim_type, const char *want,
                             char *buf, size_t size);
/* The queue ("endpoint") of the VNFM whose VnfmManagerEndpoint type is `type` (the VNFD's
 * `endpoint`, §3.1), copied into buf; -ENOENT when none registered. */
int nfvo_managers_vnfm_endpoint(struct nfvo_managers *m, const char *type, char *buf, size_t size);
/* The registered VnfmManagerEndpoints (GET /api/v1/vnfmanagers): a new JSON array. */
int nfvo_managers_list_vnfms(struct nfvo_managers *m, json_t **ret);
