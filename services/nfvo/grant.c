/* The VNFM's calls to the NFVO (reference §3.1, §3.5, §11): on vnfm.nfvo.actions.reply the
 * "returning" tasks GRANT_OPERATION, ALLOCATE_RESOURCES and SCALING, answered as NFVO 6's tasks
 * answer them (§11.11), every other action answered with `null` (§11.2); on vnfm.nfvo.actions the
 * fire-and-forget messages (an early ERROR). */
#include "records-int.h"

#include "auth/random.h"
#include "catalogue/launch.h"
#include "core/cleanup.h"
#include "core/lockset.h"
#include "core/log.h"
#include "crashpoint.h"
#include "drivers.h"
#include "lenient.h"
#include "mq/mq.h"
#include "nfvo.h"
#include "rpc_metrics.h"
#include "vims.h"
#include "json/cleanup.h"

#include <errno.h>
#include <string.h>

#define VIM_LOCK_WAIT_MS 120000

static json_t *refusal(const json_t *vnfr, const char *why)
{
    log_warn("records: refused for %s: %s", json_string_value(json_object_get(vnfr, "name")), why);
    return json_pack("{s:s, s:O, s:s}", "action", "ERROR", "vnfr",
                     vnfr ? (json_t *)vnfr : json_null(), "message", why);
}

/* Whether the refreshed VIM has an image vm_image names: by extId, name or tag (§2.5). */
static bool has_image(const json_t *vim, const json_t *vm_images)
{
    size_t i, j, k;
    json_t *want, *img, *tag;
    json_array_foreach (vm_images, i, want) {
        const char *w = json_string_value(want);
        if (!w)
            continue;
        json_array_foreach (json_object_get(vim, "images"), j, img) {
            const char *ext = json_string_value(json_object_get(img, "extId"));
            const char *name = json_string_value(json_object_get(img, "name"));
            if ((ext && strcmp(ext, w) == 0) || (name && strcmp(name, w) == 0))
                return true;
            json_array_foreach (json_object_get(img, "tags"), k, tag)
                if (json_string_value(tag) && strcmp(json_string_value(tag), w) == 0)
                    return true;
        }
    }
    return false;
}

static const json_t *network_named(const json_t *vim, const char *name)
{
    size_t i;
    json_t *net;
    json_array_foreach (json_object_get(vim, "networks"), i, net) {
        const char *nn = json_string_value(json_object_get(net, "name"));
        if (nn && name && strcmp(nn, name) == 0)
            return net;
    }
    return NULL;
}

struct grant_ctx {
    struct nfvo_records *r;
    json_t *vnfr;    /* the VNFM's, ids assigned */
    json_t *vims;    /* {vnfr vdu id: VIM} */
    json_t *created; /* [{vlr, vim_id, extId}] networks this grant created */
};

/* Notes c ({vlr, vim_id, extId}) in the NSR's _launch.createdNetworks, once per extId. */
static void add_created(json_t *nsr, const json_t *c)
{
    json_t *mine = json_object_get(nsr, "_launch");
    json_t *list = json_object_get(mine, "createdNetworks");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(mine, "createdNetworks", list);
    }
    const char *ext = json_string_value(json_object_get(c, "extId"));
    size_t i;
    json_t *have;
    json_array_foreach (list, i, have) {
        const char *he = json_string_value(json_object_get(have, "extId"));
        if (he && ext && strcmp(he, ext) == 0)
            return;
    }
    json_t *copy = json_deep_copy(c);
    json_object_set_new(copy, "created", json_true());
    json_array_append_new(list, copy);
}

struct intent {
    const char *vim_id, *vlr, *name;
};

/* Notes, before createNetwork, that this NSR makes the network of a virtual link on a VIM
 * (_launch.networkIntents): a crash before the grant is saved leaves a network the record can
 * still name, and the restart or a DELETE removes it. Refused when the NSR may no longer take
 * resources. */
static int save_intent(json_t *nsr, void *ud, struct pop_error *e)
{
    const struct intent *in = ud;
    int rc = records_still_launching(nsr, e);
    if (rc < 0)
        return rc;
    if (records_network_intended(nsr, in->vim_id, in->vlr))
        return 0;
    json_t *mine = json_object_get(nsr, "_launch");
    if (!json_is_object(mine))
        return pop_error_set(e, -EINVAL, API_INTERNAL, NULL, "the NSR has no launch notes");
    json_t *list = json_object_get(mine, "networkIntents");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(mine, "networkIntents", list);
    }
    return json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "vim_id", in->vim_id, "vlr",
                                                 in->vlr, "name", in->name)) < 0
               ? -ENOMEM
               : 0;
}

/* True when the record's VNFR was granted already: a second GRANT_OPERATION for it is the same
 * INSTANTIATE again (redelivered to a VNFM restarted after it had asked). */
static bool granted_before(const json_t *stored)
{
    size_t i;
    json_t *ev;
    json_array_foreach (json_object_get(stored, "lifecycle_event_history"), i, ev) {
        const char *what = json_string_value(json_object_get(ev, "event"));
        if (what && strcmp(what, "GRANTED") == 0)
            return true;
    }
    return false;
}

/* The VNFC instance of vdu made from component (same vnfComponent id), or NULL. */
static json_t *instance_of(const json_t *vdu, const json_t *component)
{
    const char *id = json_string_value(json_object_get(component, "id"));
    size_t i;
    json_t *vi;
    json_array_foreach (json_object_get(vdu, "vnfc_instance"), i, vi) {
        const char *cid =
            json_string_value(json_object_get(json_object_get(vi, "vnfComponent"), "id"));
        if (id && cid && strcmp(id, cid) == 0)
            return vi;
    }
    return NULL;
}

/* The VNFC instances the stored VNFR has and vnfr lacks (same VDU id, same component), added to
 * vnfr: an allocation saved while the grant was under way is not lost by the grant's save. */
static void keep_instances(json_t *vnfr, const json_t *stored)
{
    size_t i, j;
    json_t *vdu, *vi;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu) {
        const json_t *old = scale_by_id(json_object_get(stored, "vdu"),
                                        json_string_value(json_object_get(vdu, "id")));
        json_array_foreach (json_object_get(old, "vnfc_instance"), j, vi) {
            if (instance_of(vdu, json_object_get(vi, "vnfComponent")))
                continue;
            json_t *list = json_object_get(vdu, "vnfc_instance");
            if (!json_is_array(list)) {
                list = json_array();
                json_object_set_new(vdu, "vnfc_instance", list);
            }
            json_array_append_new(list, json_deep_copy(vi));
        }
    }
}

/* Saves the granted VNFR (keeping the placeholder's id), the VLRs' networks and a GRANTED
 * event. */
static int save_grant(json_t *nsr, void *ud, struct pop_error *e)
{
    struct grant_ctx *g = ud;
    const char *name = json_string_value(json_object_get(g->vnfr, "name"));
    const json_t *old = records_vnfr(nsr, name);
    if (!old)
        return pop_error_set(e, -ENOENT, API_NOT_FOUND, NULL, "the NSR has no VNF named %s",
                             name ? name : "?");
    int rc = records_still_launching(nsr, e);
    if (rc < 0)
        return rc;
    json_object_set(g->vnfr, "id", json_object_get(old, "id"));
    size_t i;
    json_t *c;
    json_array_foreach (g->created, i, c) {
        size_t k;
        json_t *vlr;
        json_array_foreach (json_object_get(nsr, "vlr"), k, vlr) {
            const char *vn = json_string_value(json_object_get(vlr, "name"));
            if (vn && strcmp(vn, json_string_value(json_object_get(c, "vlr"))) == 0) {
                json_object_set(vlr, "extId", json_object_get(c, "extId"));
                json_object_set(vlr, "vim_id", json_object_get(c, "vim_id"));
                json_object_set_new(vlr, "status", json_string("NORMALOPERATION"));
                /* Created by this NSR: by this grant, or by one whose answer a crash lost and
                 * whose intent the record kept. */
                if (json_is_true(json_object_get(c, "created")) ||
                    records_network_intended(nsr, json_string_value(json_object_get(c, "vim_id")),
                                             vn))
                    add_created(nsr, c);
            }
        }
    }
    if (granted_before(old))
        keep_instances(g->vnfr, old); /* the status stays what the launch made it */
    else
        records_set_status(g->vnfr, "NULL");
    return records_put_vnfr(nsr, json_incref(g->vnfr)) < 0 ? -ENOMEM : 0;
}

/* Refreshes the VIM, checks the images, creates the NSR's virtual links it lacks (under the
 * VIM's lock: two grants must not create one link twice, §11.8). Returns the refreshed VIM. */
static json_t *prepare_vim(struct grant_ctx *g, const json_t *nsr, const char *project,
                           const char *vim_name, const json_t *vdu, char *why, size_t size)
{
    struct nfvo *n = g->r->n;
    struct pop_error e = POP_ERROR_INIT;
    json_t *vim = NULL;
    if (nfvo_vims_find(n->vims, project, vim_name, &vim, &e) < 0) {
        snprintf(why, size, "VIM instance %s: %s", vim_name, e.detail);
        return NULL;
    }
    /* A copy: vim is replaced by its refreshed self below. */
    char key[LOCKSET_KEY_MAX + 1];
    const char *vim_id = json_string_value(json_object_get(vim, "id"));
    snprintf(key, sizeof(key), "%s", vim_id ? vim_id : vim_name);
    if (lockset_acquire(g->r->vim_locks, key, VIM_LOCK_WAIT_MS) < 0) {
        snprintf(why, size, "VIM instance %s is busy with other grants", vim_name);
        json_decref(vim);
        return NULL;
    }
    json_t *fresh = NULL;
    if (nfvo_vims_refresh(n->vims, project, key, &fresh, &e) < 0) {
        snprintf(why, size, "%s", e.detail);
        goto fail;
    }
    json_decref(vim);
    vim = fresh;
    if (!has_image(vim, json_object_get(vdu, "vm_image"))) {
        _cleanup_free_ char *imgs = json_dumps(json_object_get(vdu, "vm_image"), JSON_COMPACT);
        snprintf(why, size, "VDU %s: no image %s on VIM instance %s", records_name(vdu),
                 imgs ? imgs : "?", vim_name);
        goto fail;
    }
    size_t i;
    json_t *vlr;
    json_array_foreach (json_object_get(nsr, "vlr"), i, vlr) {
        const char *vl = json_string_value(json_object_get(vlr, "name"));
        const json_t *have = network_named(vim, vl);
        json_t *net = have ? json_incref((json_t *)have) : NULL;
        bool created = false;
        if (!net) {
            struct intent in = {key, vl, vl};
            if (records_edit(g->r, json_string_value(json_object_get(nsr, "id")), save_intent, &in,
                             &e) < 0) {
                snprintf(why, size, "virtual link %s: %s", vl, e.detail);
                goto fail;
            }
            json_t *want = json_pack("{s:s}", "name", vl);
            if (json_object_get(vlr, "cidr"))
                json_object_set(want, "subnet", json_object_get(vlr, "cidr"));
            if (nfvo_driver_call(n, vim, "createNetwork", json_pack("[O, o]", vim, want), 0, &net,
                                 &e) < 0) {
                snprintf(why, size, "virtual link %s: %s", vl, e.detail);
                goto fail;
            }
            created = true;
            log_info("records: NSR %s: network %s created on VIM %s",
                     json_string_value(json_object_get(nsr, "id")), vl, vim_name);
            crashpoint("grant.network_created");
            json_array_append(json_object_get(vim, "networks"), net);
        }
        json_array_append_new(g->created,
                              json_pack("{s:s, s:O, s:O, s:b}", "vlr", vl, "extId",
                                        json_object_get(net, "extId"), "vim_id",
                                        json_object_get(vim, "id"), "created", created));
        json_decref(net);
    }
    lockset_release(g->r->vim_locks, key);
    return vim;
fail:
    lockset_release(g->r->vim_locks, key);
    json_decref(vim);
    return NULL;
}

/* The id of virtual link vl's network on the VIM vim_id (a VNF's VDUs may be on different
 * VIMs, each with its own network of that name). */
static const char *extid_of(const json_t *created, const char *vl, const char *vim_id)
{
    size_t i;
    json_t *c;
    json_array_foreach (created, i, c) {
        const char *cvim = json_string_value(json_object_get(c, "vim_id"));
        if (vl && vim_id && cvim && strcmp(json_string_value(json_object_get(c, "vlr")), vl) == 0 &&
            strcmp(cvim, vim_id) == 0)
            return json_string_value(json_object_get(c, "extId"));
    }
    return NULL;
}

static json_t *grant(struct nfvo_records *r, json_t *vnfr)
{
    const char *nsr_id = json_string_value(json_object_get(vnfr, "parent_ns_id"));
    _cleanup_json_ json_t *nsr = NULL;
    if (!nsr_id || records_load(r, "", nsr_id, &nsr) < 0)
        return refusal(vnfr, "the VNFR's parent_ns_id names no NSR of this NFVO");
    const char *project = json_string_value(json_object_get(nsr, "projectId"));
    /* Asked again (a redelivered INSTANTIATE): the grant is the one the record holds, with its
     * ids and the components allocated since, so the ALLOCATE that follows launches nothing
     * twice. */
    const json_t *stored = records_vnfr(nsr, json_string_value(json_object_get(vnfr, "name")));
    bool again = stored && granted_before(stored);
    if (again) {
        log_info("records: NSR %s: VNF %s granted again: the grant it has is the answer", nsr_id,
                 records_name(stored));
        if (!(vnfr = json_deep_copy(stored)))
            return refusal(stored, "out of memory");
    } else {
        json_incref(vnfr);
    }
    records_assign_ids(vnfr);
    struct grant_ctx g = {.r = r, .vnfr = vnfr, .vims = json_object(), .created = json_array()};
    char why[1024] = "";
    json_t *answer = NULL;
    size_t i, j, k;
    json_t *vdu, *vnfc, *cp;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu) {
        const json_t *names = json_object_get(vdu, "vimInstanceName");
        if (!json_array_size(names)) {
            snprintf(why, sizeof(why), "VDU %s has no vimInstanceName", records_name(vdu));
            goto out;
        }
        /* NFVO 6 picks one at random among the VDU's VIMs. */
        uint32_t rnd = 0;
        (void)auth_random_bytes(&rnd, sizeof(rnd));
        const char *vim_name =
            json_string_value(json_array_get(names, rnd % json_array_size(names)));
        json_t *vim =
            prepare_vim(&g, nsr, project, vim_name ? vim_name : "", vdu, why, sizeof(why));
        if (!vim)
            goto out;
        json_object_set_new(g.vims, json_string_value(json_object_get(vdu, "id")), vim);
        json_array_foreach (json_object_get(vdu, "vnfc"), j, vnfc)
            json_array_foreach (json_object_get(vnfc, "connection_point"), k, cp) {
                const char *vl = json_string_value(json_object_get(cp, "virtual_link_reference"));
                const char *ext =
                    extid_of(g.created, vl, json_string_value(json_object_get(vim, "id")));
                if (!ext) {
                    snprintf(why, sizeof(why),
                             "a connection point of VDU %s is on virtual link %s, which the NSR "
                             "does not declare",
                             records_name(vdu), vl ? vl : "(none)");
                    goto out;
                }
                json_object_set_new(cp, "virtual_link_reference_id", json_string(ext));
            }
    }
    if (!again)
        records_history(vnfr, "GRANTED",
                        "All the resources that are contained in this VNFR were granted to be "
                        "deployed in the chosen vim(s)");
    struct pop_error e = POP_ERROR_INIT;
    if (records_edit(r, nsr_id, save_grant, &g, &e) < 0) {
        snprintf(why, sizeof(why), "%s", e.detail);
        goto out;
    }
    answer = json_pack("{s:b, s:O, s:O}", "grantAllowed", 1, "vduVim", g.vims,
                       "virtualNetworkFunctionRecord", vnfr);
out:
    if (!answer)
        answer = refusal(vnfr, why);
    json_decref(g.vims);
    json_decref(g.created);
    json_decref(vnfr);
    return answer;
}

/* ---- ALLOCATE_RESOURCES ---- */

static bool has_instance(const json_t *vdu, const json_t *component)
{
    return instance_of(vdu, component) != NULL;
}

static int save_vnfr(json_t *nsr, void *ud, struct pop_error *e)
{
    json_t *vnfr = ud;
    int rc = records_still_launching(nsr, e);
    if (rc < 0)
        return rc;
    return records_put_vnfr(nsr, json_incref(vnfr)) < 0 ? -ENOMEM : 0;
}

/* Launches component of vdu on vim and adds its VNFC instance to vnfr, saved in the NSR before
 * the launch's pending server row goes (that row covers the launch itself). 0, or < 0 with
 * why. */
static int allocate_one(struct nfvo_records *r, json_t *vnfr, json_t *vdu, const json_t *component,
                        const json_t *vim, char *why, size_t size)
{
    struct nfvo *n = r->n;
    const char *nsr_id = json_string_value(json_object_get(vnfr, "parent_ns_id"));
    const char *name = json_string_value(json_object_get(vnfr, "name"));
    uint32_t rnd = 0;
    (void)auth_random_bytes(&rnd, sizeof(rnd));
    char hostname[300];
    cat_launch_hostname(name, rnd, hostname, sizeof(hostname));
    struct pop_error e = POP_ERROR_INIT;
    if (records_pending_add(r, nsr_id, vim, hostname) < 0) {
        snprintf(why, size, "cannot record the launch in the database");
        return -EIO;
    }
    crashpoint("allocate.before_launch");
    json_t *server = NULL;
    int rc = nfvo_driver_call(n, vim, "launchInstanceAndWait",
                              cat_launch_params(vim, hostname, vdu, component), 0, &server, &e);
    if (rc < 0) {
        /* The failed launch left nothing (the driver cleans up) or a server named hostname:
         * the pending row stays, so the next release finds it. */
        snprintf(why, size, "%s", e.detail);
        return rc;
    }
    json_t *vi = cat_launch_add_instance(vnfr, vdu, component, server,
                                         json_string_value(json_object_get(vim, "id")), hostname,
                                         records_uuid);
    json_decref(server);
    if (!vi) {
        snprintf(why, size, "out of memory");
        return -ENOMEM;
    }
    if ((rc = records_edit(r, nsr_id, save_vnfr, vnfr, &e)) < 0) {
        snprintf(why, size, "%s", e.detail);
        /* Not in the record (terminated meanwhile): it must not outlive the refusal. */
        json_t *ans = NULL;
        struct pop_error de = POP_ERROR_INIT;
        if (nfvo_driver_call(n, vim, "deleteServerByIdAndWait", json_pack("[O, s]", vim, hostname),
                             0, &ans, &de) == 0)
            (void)records_pending_remove(r, nsr_id, hostname);
        json_decref(ans);
        return rc;
    }
    (void)records_pending_remove(r, nsr_id, hostname);
    return 0;
}

/* The VNFC instance of component in the VDU of id vdu_id of the stored VNFR (borrowed), or
 * NULL. */
static json_t *stored_instance(const json_t *stored, const char *vdu_id, const json_t *component)
{
    return instance_of(scale_by_id(json_object_get(stored, "vdu"), vdu_id), component);
}

/* A component the record already has a VNFC instance for (a redelivered ALLOCATE_RESOURCES):
 * that instance and its addresses go into vnfr instead of a second server. */
static void take_stored(json_t *vnfr, json_t *vdu, const json_t *vi)
{
    json_t *instances = json_object_get(vdu, "vnfc_instance");
    if (!json_is_array(instances)) {
        instances = json_array();
        json_object_set_new(vdu, "vnfc_instance", instances);
    }
    json_t *addr = json_object_get(vnfr, "vnf_address");
    if (!json_is_array(addr)) {
        addr = json_array();
        json_object_set_new(vnfr, "vnf_address", addr);
    }
    json_array_append_new(instances, json_deep_copy(vi));
    size_t i;
    json_t *ip;
    json_array_foreach (json_object_get(vi, "ips"), i, ip)
        json_array_append(addr, json_object_get(ip, "ip"));
}

/* Launches every VNFC component of vnfr without an instance on its VDU's VIM (by_vdu[vdu id]),
 * recording each before the next. An NSR that may no longer take resources (in ERROR after a
 * restart, terminated) is refused before anything is launched; a component the record shows
 * launched already (the same request delivered again) is not launched twice. */
static json_t *allocate(struct nfvo_records *r, json_t *vnfr, const json_t *by_vdu)
{
    const char *nsr_id = json_string_value(json_object_get(vnfr, "parent_ns_id"));
    const char *name = json_string_value(json_object_get(vnfr, "name"));
    if (!nsr_id || !name)
        return refusal(vnfr, "the VNFR has no parent_ns_id or name");
    char why[1024];
    _cleanup_json_ json_t *nsr = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (records_load(r, "", nsr_id, &nsr) < 0)
        return refusal(vnfr, "the VNFR's parent_ns_id names no NSR of this NFVO");
    if (records_still_launching(nsr, &e) < 0)
        return refusal(vnfr, e.detail);
    const json_t *stored = records_vnfr(nsr, name);
    size_t i, j;
    json_t *vdu, *component;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu) {
        const json_t *vim = json_object_get(by_vdu, json_string_value(json_object_get(vdu, "id")));
        if (!vim) {
            snprintf(why, sizeof(why), "no VIM instance for VDU %s in vimInstances",
                     records_name(vdu));
            return refusal(vnfr, why);
        }
        json_array_foreach (json_object_get(vdu, "vnfc"), j, component) {
            if (has_instance(vdu, component))
                continue;
            const json_t *vi =
                stored_instance(stored, json_string_value(json_object_get(vdu, "id")), component);
            if (vi) {
                log_info("records: NSR %s: VNF %s: a component already launched is not launched "
                         "again",
                         nsr_id, name);
                take_stored(vnfr, vdu, vi);
                continue;
            }
            if (allocate_one(r, vnfr, vdu, component, vim, why, sizeof(why)) < 0)
                return refusal(vnfr, why);
        }
    }
    return json_pack("{s:s, s:O}", "action", "ALLOCATE_RESOURCES", "vnfr", vnfr);
}

/* ---- SCALING ---- */

/* ScalingTask (§3.7 step 3, §11.11): the component the scale out added (the NSR's
 * _launch.scaling names it, with the VIM chosen at the request) is launched and recorded. */
static json_t *scaling(struct nfvo_records *r, json_t *vnfr)
{
    const char *nsr_id = json_string_value(json_object_get(vnfr, "parent_ns_id"));
    const char *name = json_string_value(json_object_get(vnfr, "name"));
    _cleanup_json_ json_t *nsr = NULL;
    if (!nsr_id || !name || records_load(r, "", nsr_id, &nsr) < 0)
        return refusal(vnfr, "the VNFR's parent_ns_id names no NSR of this NFVO");
    const json_t *sc = json_object_get(json_object_get(nsr, "_launch"), "scaling");
    const char *kind = json_string_value(json_object_get(sc, "kind"));
    const char *for_vnf = json_string_value(json_object_get(sc, "vnfr"));
    char why[1024];
    if (!kind || strcmp(kind, "out") != 0 || !for_vnf || strcmp(for_vnf, name) != 0) {
        snprintf(why, sizeof(why), "no scale out of VNF %s is in progress", name);
        return refusal(vnfr, why);
    }
    json_t *vdu =
        scale_by_id(json_object_get(vnfr, "vdu"), json_string_value(json_object_get(sc, "vdu")));
    const json_t *component = scale_by_id(json_object_get(vdu, "vnfc"),
                                          json_string_value(json_object_get(sc, "component")));
    if (!component) {
        snprintf(why, sizeof(why),
                 "the VNFR lacks the VDU or the VNF component the scale out of %s added", name);
        return refusal(vnfr, why);
    }
    if (has_instance(vdu, component))
        return refusal(vnfr, "the component the scale out added has its VNFC instance already");
    json_t *vim = NULL;
    struct pop_error e = POP_ERROR_INIT;
    const char *vim_name = json_string_value(json_object_get(sc, "vim"));
    if (nfvo_vims_find(r->n->vims, json_string_value(json_object_get(nsr, "projectId")),
                       vim_name ? vim_name : "", &vim, &e) < 0)
        return refusal(vnfr, e.detail);
    records_set_status(vnfr, "SCALING");
    int rc = allocate_one(r, vnfr, vdu, component, vim, why, sizeof(why));
    json_decref(vim);
    if (rc < 0)
        return refusal(vnfr, why);
    crashpoint("scale_out.after_allocation");
    return json_pack("{s:s, s:O}", "action", "SCALED", "vnfr", vnfr);
}

/* ---- the queues ---- */

static json_t *take_message(struct mq_delivery *d, const char *queue)
{
    size_t len = 0;
    const char *body = mq_delivery_body(d, &len);
    if (mq_delivery_status(d) == -EMSGSIZE) {
        log_warn("records: a message over the size limit on %s dropped", queue);
        return NULL;
    }
    json_t *msg = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (nfvo_parse_lenient(body, len, &msg, &e) < 0 || !json_is_object(msg)) {
        log_warn("records: a message on %s that is no JSON object dropped: %s", queue,
                 e.detail[0] ? e.detail : "not an object");
        json_decref(msg);
        return NULL;
    }
    return msg;
}

void records_on_vnfm_call(struct mq_delivery *d, void *ud)
{
    struct nfvo *n = ud;
    _cleanup_json_ json_t *msg = take_message(d, "vnfm.nfvo.actions.reply");
    if (!msg) {
        (void)mq_reply_json(d, json_null());
        return;
    }
    const char *action = json_string_value(json_object_get(msg, "action"));
    json_t *vnfr = json_object_get(msg, "virtualNetworkFunctionRecord");
    json_t *answer = NULL;
    int64_t t0 = nfvo_rpc_now_us();
    if (action && json_is_object(vnfr) && strcmp(action, "GRANT_OPERATION") == 0)
        answer = grant(n->records, vnfr);
    else if (action && json_is_object(vnfr) && strcmp(action, "ALLOCATE_RESOURCES") == 0)
        answer = allocate(n->records, vnfr, json_object_get(msg, "vimInstances"));
    else if (action && json_is_object(vnfr) && strcmp(action, "SCALING") == 0)
        answer = scaling(n->records, vnfr);
    else if (action &&
             (strcmp(action, "GRANT_OPERATION") == 0 || strcmp(action, "ALLOCATE_RESOURCES") == 0 ||
              strcmp(action, "SCALING") == 0))
        answer = refusal(NULL, "the message has no virtualNetworkFunctionRecord");
    else
        log_info("records: %s on vnfm.nfvo.actions.reply answered null",
                 action ? action : "(no action)");
    log_debug("records: %s of %s answered in %.1f ms", action ? action : "(no action)",
              records_name(vnfr), (double)(nfvo_rpc_now_us() - t0) / 1000.0);
    if (mq_reply_json(d, answer) == -EDESTADDRREQ)
        log_warn("records: %s without reply_to: the answer went nowhere",
                 action ? action : "a call");
}

void records_on_vnfm_message(struct mq_delivery *d, void *ud)
{
    struct nfvo *n = ud;
    _cleanup_json_ json_t *msg = take_message(d, "vnfm.nfvo.actions");
    if (!msg)
        return;
    const char *action = json_string_value(json_object_get(msg, "action"));
    const json_t *vnfr = json_object_get(msg, "virtualNetworkFunctionRecord");
    if (!action || strcmp(action, "ERROR") != 0 || !json_is_object(vnfr)) {
        log_info("records: %s on vnfm.nfvo.actions ignored", action ? action : "(no action)");
        return;
    }
    /* An early ERROR (§3.1): the VNFR and its NSR go to ERROR with the VNFM's reason. */
    const char *why =
        json_string_value(json_object_get(json_object_get(msg, "exception"), "detailMessage"));
    const char *nsr_id = json_string_value(json_object_get(msg, "nsrId"));
    if (!nsr_id)
        nsr_id = json_string_value(json_object_get(vnfr, "parent_ns_id"));
    if (nsr_id)
        records_fail(n->records, nsr_id, json_string_value(json_object_get(vnfr, "name")),
                     why ? why : "the VNFM reported an error without a reason");
}
