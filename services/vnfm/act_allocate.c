/* The VNFM allocating by itself (VNFM_ALLOCATE=true: Open Baton's allocate=true, the default of
 * its Docker VNFM, §3.4, §8.2): after the grant no ALLOCATE_RESOURCES, at SCALE_OUT no SCALING.
 * The VNFM launches each VNF component with the driver's launchInstanceAndWait exactly as the
 * NFVO would (hostname, parameters and VNFC instance from lib/catalogue/launch.h, the code
 * pop-nfvo allocates with), and remembers what it launched so that a request that fails deletes
 * it again: the NFVO records only what a successful reply carries. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "actions-int.h"
#include "catalogue/launch.h"
#include "core/cleanup.h"
#include "json/cleanup.h"
#include "json/jv.h"

static uint32_t random_u32(void)
{
    uint32_t v = 0;
    if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
        v = (uint32_t)time(NULL) ^ (uint32_t)clock();
    return v;
}

/* A VDU's or VIM's name, else its id. */
static const char *name_of(const json_t *o)
{
    const char *n = jv_get_string(o, "name");
    if (!n)
        n = jv_get_string(o, "id");
    return n ? n : "(unnamed)";
}

/* Notes the request's state before its first launch. */
static int begin(struct act_req *q, struct pop_error *e)
{
    if (q->launched)
        return 0;
    int r = cat_vnfr_dup(q->vnfr, &q->unlaunched);
    if (r < 0 || !(q->launched = json_array()))
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    return 0;
}

/* Launches component of vdu (both in vnfr, JSON) on vim; its VNFC instance goes into vnfr. */
static int launch_one(struct act_req *q, json_t *vnfr, json_t *vdu, const json_t *component,
                      const json_t *vim, struct pop_error *e)
{
    char hostname[300];
    cat_launch_hostname(jv_get_string(vnfr, "name"), random_u32(), hostname, sizeof(hostname));
    _cleanup_json_ json_t *params = cat_launch_params(vim, hostname, vdu, component);
    /* Noted before the call: a launch that fails may leave a container of that name. */
    if (!params || json_array_append_new(
                       q->launched, json_pack("{s:O, s:s}", "vim", vim, "hostname", hostname)) < 0)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    struct pop_error de = POP_ERROR_INIT;
    _cleanup_json_ json_t *server = NULL;
    int r = q->ops->driver_call(q->ops->ud, vim, "launchInstanceAndWait", params, &server, &de);
    if (r < 0)
        return pop_error_set(e, r, pop_error_api(&de), de.field, "VNFC %s of VDU %s: %s", hostname,
                             name_of(vdu), *de.detail ? de.detail : strerror(-r));
    if (!json_is_object(server))
        return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, "answer",
                             "VNFC %s of VDU %s: launchInstanceAndWait answered no Server",
                             hostname, name_of(vdu));
    if (!cat_launch_add_instance(vnfr, vdu, component, server, jv_get_string(vim, "id"), hostname,
                                 NULL))
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    act_note(q, "launched VNFC %s on VIM %s", hostname, name_of(vim));
    return 0;
}

/* vnfr (JSON, with the new instances) made q->vnfr. */
static int take(struct act_req *q, const json_t *vnfr, struct pop_error *e)
{
    struct cat_vnfr *v = NULL;
    int r = cat_vnfr_from_json_at(vnfr, "virtualNetworkFunctionRecord", 0, &v, e);
    if (r < 0)
        return r;
    cat_vnfr_free(q->vnfr);
    q->vnfr = v;
    return 0;
}

static bool has_instance(const json_t *vdu, const json_t *component)
{
    const char *id = jv_get_string(component, "id");
    size_t i;
    json_t *vi;
    json_array_foreach (json_object_get(vdu, "vnfc_instance"), i, vi) {
        const char *cid = jv_get_string(json_object_get(vi, "vnfComponent"), "id");
        if (id && cid && strcmp(id, cid) == 0)
            return true;
    }
    return false;
}

int act_allocate(struct act_req *q, struct pop_error *e)
{
    int r = begin(q, e);
    _cleanup_json_ json_t *vnfr = r == 0 ? cat_vnfr_to_json(q->vnfr, 0) : NULL;
    if (r < 0 || !vnfr)
        return r < 0 ? r : pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    size_t i, j;
    json_t *vdu, *component;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu) {
        const char *vdu_id = jv_get_string(vdu, "id");
        const json_t *vim = vdu_id ? json_object_get(q->vdu_vim, vdu_id) : NULL;
        if (!json_is_object(vim))
            return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, "vduVim",
                                 "GRANT_OPERATION: the answer's vduVim has no VIM for VDU %s",
                                 name_of(vdu));
        json_array_foreach (json_object_get(vdu, "vnfc"), j, component)
            if (!has_instance(vdu, component) &&
                (r = launch_one(q, vnfr, vdu, component, vim, e)) < 0)
                return r;
    }
    return take(q, vnfr, e);
}

int act_allocate_scaled(struct act_req *q, const char *component_id, const json_t *vim,
                        struct pop_error *e)
{
    if (!json_is_object(vim))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vimInstance",
                             "vimInstance: required (the VNFM launches the new VNFC on it)");
    int r = begin(q, e);
    _cleanup_json_ json_t *vnfr = r == 0 ? cat_vnfr_to_json(q->vnfr, 0) : NULL;
    if (r < 0 || !vnfr)
        return r < 0 ? r : pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    json_t *found_vdu = NULL;
    const json_t *found = NULL;
    size_t i, j;
    json_t *vdu, *component;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu)
        json_array_foreach (json_object_get(vdu, "vnfc"), j, component) {
            const char *id = jv_get_string(component, "id");
            bool named = component_id && id && strcmp(id, component_id) == 0;
            if (!found && (named || (!component_id && !has_instance(vdu, component)))) {
                found = component;
                found_vdu = vdu;
            }
        }
    if (!found && component_id)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "component",
                             "component: %s is no VNF component of this VNFR", component_id);
    if (!found)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "component",
                             "component: no VNF component lacks its VNFC instance");
    if (has_instance(found_vdu, found))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "component",
                             "component: %s has its VNFC instance already", component_id);
    if ((r = launch_one(q, vnfr, found_vdu, found, vim, e)) < 0)
        return r;
    return take(q, vnfr, e);
}

void act_unlaunch(struct act_req *q)
{
    size_t i;
    json_t *l;
    size_t deleted = 0;
    json_array_foreach (q->launched, i, l) {
        const json_t *vim = json_object_get(l, "vim");
        const char *host = jv_get_string(l, "hostname");
        _cleanup_json_ json_t *params = json_pack("[O, s]", vim, host);
        _cleanup_json_ json_t *answer = NULL;
        struct pop_error de = POP_ERROR_INIT;
        int r = params ? q->ops->driver_call(q->ops->ud, vim, "deleteServerByIdAndWait", params,
                                             &answer, &de)
                       : -ENOMEM;
        if (r == 0 || act_gone(&de))
            deleted++;
        else
            act_note(q, "VNFC %s it launched could not be deleted: %s", host,
                     *de.detail ? de.detail : strerror(-r));
    }
    if (json_array_size(q->launched))
        act_note(q, "%zu of the %zu VNFC(s) it launched deleted", deleted,
                 json_array_size(q->launched));
    if (q->unlaunched) {
        cat_vnfr_free(q->vnfr);
        q->vnfr = TAKE_PTR(q->unlaunched);
    }
}
