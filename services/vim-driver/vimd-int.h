/* Inside the driver core: the method table, the Pop session cache, the per-call context every
 * handler opens, parameter readers that name the parameter at fault, and the popd-rest JSON ->
 * Open Baton catalogue conversions. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalogue/catalogue.h"
#include "core/error.h"
#include "vimd.h"

struct lockset;
struct metric;
struct popc;
struct strbuf;

/* ---- The method table (methods.c) ---- */

/* A handler: params is the whole parameters array (parameters[0] the VIM instance), already
 * known to have the table's count. Returns 0 with a new reference in *ret_answer, or a
 * negative errno with err filled; vimd_dispatch adds the "<method> on <Pop>: " prefix. */
typedef int (*vimd_run_fn)(struct vimd *d, const json_t *params, json_t **ret_answer,
                           struct pop_error *err);

struct vimd_method {
    const char *name;
    unsigned n_params; /* the overload: one row per parameter count */
    vimd_run_fn run;   /* NULL: a method of the VIM driver interface a Pop cannot do */
    const char *why;   /* with run NULL: why not, for the exception */
};

/* The table, in the order of reference §2.4 then the mgmt methods. */
const struct vimd_method *vimd_methods(size_t *ret_n);

/* The row for name with n parameters, or NULL; *ret_known tells whether name exists at all. */
const struct vimd_method *vimd_method_find(const char *name, size_t n, bool *ret_known);

/* Handlers (methods_*.c). */
int vimd_refresh(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_list_images(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_list_flavours(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_get_quota(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_get_type(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_list_servers(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_launch(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_delete_server(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_list_networks(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_get_network(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_create_network(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_delete_network(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_mgmt_check(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_mgmt_start(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_mgmt_stop(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);
int vimd_mgmt_add_metadata(struct vimd *d, const json_t *params, json_t **ret,
                           struct pop_error *err);
int vimd_mgmt_delete(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err);

/* ---- The Pop session cache (sessions.c) ---- */

struct vimd_sessions;
struct vimd_session;

/* A cache of at most max sessions (1..VIMD_SESSIONS_MAX), each a popc client made with
 * timeout_ms, refused_retry_ms and max_idle. Returns 0, -EINVAL, -EIO (no random key) or
 * -ENOMEM. */
int vimd_sessions_new(size_t max, long timeout_ms, long refused_retry_ms, size_t max_idle,
                      struct vimd_sessions **ret);
/* Frees the cache; no session may be held. Accepts NULL. */
void vimd_sessions_free(struct vimd_sessions *s);

/* The session for (url, user, password), made on first use: one per VIM instance, shared by
 * every thread (popc is thread-safe). The key holds the url, the user and an HMAC of the
 * password under a per-cache random key, so a changed password gets a new session. When the
 * cache is full the least recently used session is dropped from it (freed once its last holder
 * puts it back). Returns 0 and a held session (give it back with vimd_session_put), or
 * popc_new's -EINVAL (err names the field: url, user, password) or -ENOMEM. */
int vimd_sessions_get(struct vimd_sessions *s, const char *url, const char *user,
                      const char *password, struct vimd_session **ret, struct pop_error *err);
void vimd_session_put(struct vimd_session *x);
struct popc *vimd_session_popc(const struct vimd_session *x);
/* Sessions in the cache now (held ones dropped from it not counted). */
size_t vimd_sessions_count(struct vimd_sessions *s);

/* ---- The driver ---- */

struct vimd {
    char *type;
    long pop_timeout_ms;
    size_t body_max;
    struct vimd_sessions *sessions;
    struct lockset *launching; /* hostnames with a launch in progress in this process */
    struct metric *rpcs;       /* vimd_rpcs_total{method, outcome} */
    struct metric *latency;    /* vimd_rpc_duration_seconds{method} */
};

/* What a handler works with: the VIM instance of parameters[0] and its Pop session. */
struct vimd_call {
    struct vimd *d;
    struct cat_vim *vim;
    struct vimd_session *session;
    struct popc *pop;
};

/* Decodes parameters[0] and takes the session for its authUrl and credentials. Returns 0, or
 * -EINVAL with err naming parameters[0]'s field, or -ENOMEM. Release with vimd_call_done
 * (also after a failure). */
int vimd_call_open(struct vimd *d, const json_t *params, struct vimd_call *c,
                   struct pop_error *err);
void vimd_call_done(struct vimd_call *c);
#define _cleanup_call_ __attribute__((cleanup(vimd_call_done)))

/* One popd-rest request: popc_call, then the outcome in err (the problem's code, field and
 * detail as sent; a login that failed says so and names the user). *ret_status is the HTTP
 * status of a failed reply (0 when none arrived, or on success). */
int vimd_pop(struct vimd_call *c, const char *verb, const char *path, const json_t *body,
             json_t **ret, long *ret_status, struct pop_error *err);

/* What popd-rest has, as catalogue vectors (filled into out, which the caller owns and frees
 * with the object it belongs to, also on failure). */
int vimd_fetch_images(struct vimd_call *c, struct cat_image_vec *out, struct pop_error *err);
int vimd_fetch_networks(struct vimd_call *c, struct cat_network_vec *out, struct pop_error *err);
int vimd_fetch_flavours(struct vimd_call *c, struct cat_flavour_vec *out, struct pop_error *err);

/* path = prefix + percent-escaped ref + suffix (suffix may be NULL). 0, -ENOMEM or -E2BIG. */
int vimd_path(struct strbuf *path, const char *prefix, const char *ref, const char *suffix);

/* ---- Parameters (params.c): errors say "parameters[i] (what): ..." with field parameters[i] */

/* A string parameter; allow_null lets JSON null (and a missing trailing one) read as NULL. */
int vimd_param_string(const json_t *params, size_t i, const char *what, bool allow_null,
                      const char **ret, struct pop_error *err);
/* A Pop container reference: a hostname (a Pop name, 1-63 of [A-Za-z0-9_.-] starting with a
 * letter or digit) or a container id. */
int vimd_param_ref(const json_t *params, size_t i, const char *what, const char **ret,
                   struct pop_error *err);
/* An array (allow_null: null reads as NULL), at most CAT_LIST_MAX entries. */
int vimd_param_array(const json_t *params, size_t i, const char *what, bool allow_null,
                     const json_t **ret, struct pop_error *err);
/* An object (allow_null as above). */
int vimd_param_object(const json_t *params, size_t i, const char *what, bool allow_null,
                      const json_t **ret, struct pop_error *err);

/* ---- popd-rest JSON -> catalogue (convert.c). -EPROTO names what popd-rest left out. ---- */

/* A Server from a popd-rest Container: extId = the container id, name and hostName = its
 * name, status as popd-rest says, ips keyed by network name, floatingIps {} (a Pop has none,
 * and NFVO 6 iterates the map without a null check), image and flavor by reference. */
int vimd_server_from_pop(const json_t *container, struct cat_server **ret, struct pop_error *err);
/* The Server as answer JSON. */
int vimd_server_answer(const json_t *container, json_t **ret, struct pop_error *err);
/* A DockerNetwork from a popd-rest Network: extId = the network id, subnet = its CIDR,
 * gateway, driver "bridge", scope "local"; fills out (zeroed by the caller). */
int vimd_network_from_pop(const json_t *network, struct cat_network *out, struct pop_error *err);
/* The images of a popd-rest image list: one per name ("repo:tag"), extId = name = the name,
 * tags = [the name] plus the bare repository for ":latest", so that a VDU's vm_image matches
 * whether the NFVO compares extId (Generic VIM, §11.13) or tags (Docker VIM). */
int vimd_images_from_pop(const json_t *list, struct cat_image_vec *out, struct pop_error *err);
/* A DeploymentFlavour from a popd-rest Flavour: flavour_key = name, extId = id, vcpus, ram (0
 * = no limit, as popd-rest says). */
int vimd_flavour_from_pop(const json_t *flavour, struct cat_flavour *out, struct pop_error *err);
/* The "list" array of a popd-rest list reply, or -EPROTO. */
int vimd_pop_list(const json_t *reply, const char *what, const json_t **ret, struct pop_error *err);
