/* The VNF manager's functions (the thesis's mgmt protocol, reference §7.8) as plugin methods,
 * the VIM instance first and the VNFC's hostname (the Pop container's name) second:
 * mgmtCheck, mgmtStart, mgmtStop, mgmtAddMetadata, mgmtDelete. Each answers the container as a
 * Server (mgmtDelete: true). Start and stop count a container already where they would take
 * it as done, so a redelivered request is answered, not refused. */
#include <errno.h>
#include <string.h>

#include "core/strbuf.h"
#include "vimd-int.h"
#include "json/cleanup.h"
#include "json/jv.h"

/* One popd-rest call on /v1/containers/<hostname><suffix>. */
static int container_call(struct vimd_call *c, const char *verb, const char *hostname,
                          const char *suffix, const json_t *body, json_t **ret, long *ret_status,
                          struct pop_error *err)
{
    struct strbuf path = STRBUF_INIT;
    int r = vimd_path(&path, "/v1/containers/", hostname, suffix);
    if (r < 0)
        r = pop_error_set(err, r, API_INTERNAL, NULL, NULL);
    else
        r = vimd_pop(c, verb, strbuf_str(&path), body, ret, ret_status, err);
    strbuf_done(&path);
    return r;
}

/* Opens the call and reads the hostname (parameters[1]). */
static int open_mgmt(struct vimd *d, const json_t *params, struct vimd_call *c,
                     const char **ret_hostname, struct pop_error *err)
{
    int r = vimd_call_open(d, params, c, err);
    return r < 0 ? r : vimd_param_ref(params, 1, "hostname", ret_hostname, err);
}

int vimd_mgmt_check(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    const char *hostname;
    _cleanup_json_ json_t *ct = NULL;
    int r;
    if ((r = open_mgmt(d, params, &c, &hostname, err)) < 0 ||
        (r = container_call(&c, "GET", hostname, NULL, NULL, &ct, NULL, err)) < 0)
        return r;
    return vimd_server_answer(ct, ret, err);
}

/* The state-conflict of a start or stop, looked at again: if the container is now in one of
 * the states `done` lists (space-separated), that is the answer. */
static int settled(struct vimd_call *c, const char *hostname, const char *done, json_t **ret,
                   struct pop_error *err)
{
    struct pop_error ignored = POP_ERROR_INIT;
    _cleanup_json_ json_t *ct = NULL;
    if (container_call(c, "GET", hostname, NULL, NULL, &ct, NULL, &ignored) < 0)
        return err->r;
    const char *status = json_string_value(json_object_get(ct, "status"));
    size_t len = status ? strlen(status) : 0;
    for (const char *p = done; status && *p;) {
        size_t n = strcspn(p, " ");
        if (n == len && strncmp(p, status, n) == 0) {
            pop_error_clear(err);
            return vimd_server_answer(ct, ret, err);
        }
        p += n + (p[n] == ' ');
    }
    return err->r;
}

int vimd_mgmt_start(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    const char *hostname;
    int r;
    if ((r = open_mgmt(d, params, &c, &hostname, err)) < 0)
        return r;
    _cleanup_json_ json_t *ct = NULL;
    long status = 0;
    r = container_call(&c, "POST", hostname, "/start", NULL, &ct, &status, err);
    if (r < 0 && status == 409 && err->api == API_STATE_CONFLICT)
        return settled(&c, hostname, "RUNNING", ret, err);
    return r < 0 ? r : vimd_server_answer(ct, ret, err);
}

int vimd_mgmt_stop(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    const char *hostname;
    int r;
    if ((r = open_mgmt(d, params, &c, &hostname, err)) < 0)
        return r;
    _cleanup_json_ json_t *ct = NULL;
    long status = 0;
    r = container_call(&c, "POST", hostname, "/stop", NULL, &ct, &status, err);
    /* Stopping or stopped already (FAILED too: it does not run); the Server's status says
     * which. A CREATED container was never started: stopping it is refused. */
    if (r < 0 && status == 409 && err->api == API_STATE_CONFLICT)
        return settled(&c, hostname, "STOPPING EXITED FAILED", ret, err);
    return r < 0 ? r : vimd_server_answer(ct, ret, err);
}

int vimd_mgmt_add_metadata(struct vimd *d, const json_t *params, json_t **ret,
                           struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    const char *hostname;
    const json_t *entries;
    int r;
    if ((r = open_mgmt(d, params, &c, &hostname, err)) < 0 ||
        (r = vimd_param_object(params, 2, "metadata", false, &entries, err)) < 0)
        return r;
    const char *k;
    const json_t *v;
    json_object_foreach ((json_t *)entries, k, v) {
        const char *why = jv_check_env_key(k);
        if (why && strlen(k) > 128)
            return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters[2]",
                                 "parameters[2] (metadata): a key of %zu bytes: the key %s",
                                 strlen(k), why);
        if (why)
            return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters[2]",
                                 "parameters[2] (metadata).%s: the key %s", k, why);
        if (!json_is_string(v))
            return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters[2]",
                                 "parameters[2] (metadata).%s: expected a string (\"\" deletes "
                                 "the key)",
                                 k);
    }
    /* Always with apply=recreate: popd-rest then stores the values of a CREATED container for
     * its start, and replaces a RUNNING one by one with the same addresses and the new
     * environment (a source that scaled or healed reaching its running targets). */
    _cleanup_json_ json_t *body = json_pack("{s:O}", "entries", entries);
    if (!body)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    _cleanup_json_ json_t *ct = NULL;
    if ((r = container_call(&c, "PATCH", hostname, "/metadata?apply=recreate", body, &ct, NULL,
                            err)) < 0)
        return r;
    return vimd_server_answer(ct, ret, err);
}

int vimd_mgmt_delete(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    const char *hostname;
    int r;
    if ((r = open_mgmt(d, params, &c, &hostname, err)) < 0 ||
        (r = container_call(&c, "DELETE", hostname, NULL, NULL, NULL, NULL, err)) < 0)
        return r;
    *ret = json_true();
    return 0;
}
