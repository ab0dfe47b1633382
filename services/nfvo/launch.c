/* Launching an NSR (reference §3.6): a thread per VNF sends its INSTANTIATE at once (the
 * grants and allocations come back on vnfm.nfvo.actions.reply, grant.c); a target gets its
 * MODIFY with its complete dependency record as soon as all its sources are INITIALIZED, and a
 * VNF its START as soon as its sources are ACTIVE, so a source runs before its targets start
 * while VNFs that do not depend on each other go ahead without waiting. Every request has a
 * timeout; a failure puts its VNFR and the NSR in ERROR with the reason. */
#include "records-int.h"

#include "config.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/stopper.h"
#include "core/strv.h"
#include "core/timeutil.h"
#include "crashpoint.h"
#include "managers.h"
#include "mq/mq.h"
#include "mq/register.h"
#include "nfvo.h"
#include "rpc_metrics.h"
#include "vims.h"
#include "json/cleanup.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Adds to vims ({id: VIM}) the VIM instance of every VNFC instance of vnfr not there yet. */
static void add_vnfc_vims(struct nfvo *n, const json_t *vnfr, json_t *vims)
{
    size_t i, j;
    json_t *vdu, *vi;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu)
        json_array_foreach (json_object_get(vdu, "vnfc_instance"), j, vi) {
            const char *id = json_string_value(json_object_get(vi, "vim_id"));
            json_t *vim = NULL;
            if (id && !json_object_get(vims, id) && nfvo_vims_find_by_id(n->vims, id, &vim) == 0)
                json_object_set_new(vims, id, vim);
        }
}

/* After the INSTANTIATE, NFVO 6's messages name a VNFC's VIM by id only (its vim_id), so a
 * VNFM that restarted since could not reach the VIM's driver for a START, HEAL or MODIFY. Every
 * request that carries no vimInstances gets the VIM instances of the VNFCs it names, as
 * {vim id: VIM}: pop-vnfm remembers what any message carries (services/vnfm/vims.c), and Open
 * Baton's VNFMs ignore a field their message class does not have. */
static void attach_vims(struct nfvo *n, json_t *msg)
{
    if (json_object_get(msg, "vimInstances"))
        return;
    json_t *vims = json_object();
    if (!vims)
        return;
    add_vnfc_vims(n, json_object_get(msg, "vnfr"), vims);
    add_vnfc_vims(n, json_object_get(msg, "virtualNetworkFunctionRecord"), vims);
    if (json_object_size(vims))
        json_object_set_new(msg, "vimInstances", vims);
    else
        json_decref(vims);
}

int records_vnfm_request(struct nfvo_records *r, const char *vnfm_type, const char *action,
                         const char *vnf, json_t *msg, bool need_vnfr, json_t **reply,
                         struct pop_error *e)
{
    struct nfvo *n = r->n;
    attach_vims(n, msg);
    char queue[MQ_NAME_MAX + 1];
    if (nfvo_managers_vnfm_endpoint(n->managers, vnfm_type, queue, sizeof(queue)) < 0)
        return pop_error_set(e, -ENOENT, API_STATE_CONFLICT, NULL,
                             "%s of %s: VNFManager with endpoint: %s is not registered", action,
                             vnf, vnfm_type ? vnfm_type : "(none)");
    int64_t timeout_s = n->cfg->vnfm_timeout_s;
    json_t *rep = NULL;
    int64_t t0 = nfvo_rpc_now_us();
    int rc = mq_rpc(n->mq, MQ_OPENBATON_EXCHANGE, queue, msg, timeout_s * 1000, &rep);
    const char *answered = rc == 0 ? json_string_value(json_object_get(rep, "action")) : NULL;
    log_debug("records: %s of %s: VNFM %s answered in %.1f ms", action, vnf, queue,
              (double)(nfvo_rpc_now_us() - t0) / 1000.0);
    nfvo_rpc_observe(n->rpc, "vnfm", action,
                     rc == 0 && answered && strcmp(answered, "ERROR") == 0 ? -EREMOTEIO : rc, t0);
    if (rc == -ETIMEDOUT)
        return pop_error_set(e, rc, API_GATEWAY_TIMEOUT, NULL,
                             "%s of %s: VNFM %s did not answer within %lld s", action, vnf, queue,
                             (long long)timeout_s);
    if (rc == -ENOENT)
        return pop_error_set(e, rc, API_UNAVAILABLE, NULL,
                             "%s of %s: VNFM %s is not running (nothing consumes its queue)",
                             action, vnf, queue);
    if (rc < 0)
        return pop_error_set(e, rc, API_UNAVAILABLE, NULL, "%s of %s: VNFM %s: %s", action, vnf,
                             queue, strerror(-rc));
    const char *got = json_string_value(json_object_get(rep, "action"));
    if (got && strcmp(got, "ERROR") == 0) {
        const char *why =
            json_string_value(json_object_get(json_object_get(rep, "exception"), "detailMessage"));
        if (!why)
            why = json_string_value(json_object_get(rep, "message"));
        pop_error_set(e, -EREMOTEIO, API_BAD_GATEWAY, NULL, "%s of %s: %s", action, vnf,
                      /* pop-vnfm's errors start "<action> of VNFR <vnf>: " (for any NFVO) */
                      why ? strv_after_prefix(
                                why, (const char *const[]){action, " of VNFR ", vnf, ": ", NULL})
                          : "the VNFM answered ERROR without a reason");
        json_decref(rep);
        return -EREMOTEIO;
    }
    if (need_vnfr && !json_is_object(json_object_get(rep, "virtualNetworkFunctionRecord"))) {
        _cleanup_free_ char *text = json_dumps(rep, JSON_COMPACT | JSON_ENCODE_ANY);
        pop_error_set(e, -EBADMSG, API_BAD_GATEWAY, NULL,
                      "%s of %s: VNFM %s answered without a VNFR: %.200s", action, vnf, queue,
                      text ? text : "?");
        json_decref(rep);
        return -EBADMSG;
    }
    *reply = rep;
    return 0;
}

int records_vnfm_rpc(struct nfvo_records *r, const char *vnfm_type, const char *action,
                     const char *vnf, json_t *msg, json_t **reply, struct pop_error *e)
{
    return records_vnfm_request(r, vnfm_type, action, vnf, msg, true, reply, e);
}

/* ---- failing ---- */

struct fail_ctx {
    const char *vnfr_name, *reason;
};

static int fail_edit(json_t *nsr, void *ud, struct pop_error *e)
{
    (void)e;
    struct fail_ctx *f = ud;
    json_t *vnfr = f->vnfr_name ? records_vnfr(nsr, f->vnfr_name) : NULL;
    if (vnfr) {
        records_set_status(vnfr, "ERROR");
        records_history(vnfr, "ERROR", f->reason);
    }
    /* Without a VNFR to blame the NSR itself is in error. */
    if (!vnfr) {
        size_t i;
        json_t *v;
        json_array_foreach (json_object_get(nsr, "vnfr"), i, v)
            if (records_status_ordinal(json_string_value(json_object_get(v, "status"))) != 5)
                records_set_status(v, "ERROR");
    }
    records_history(nsr, "ERROR", f->reason);
    json_object_set_new(nsr, "task", json_string("Error"));
    return 0;
}

void records_fail(struct nfvo_records *r, const char *id, const char *vnfr_name, const char *reason)
{
    if (stopper_fired(r->n->stop))
        return; /* the next start decides (nfvo_records_resume) */
    log_warn("records: NSR %s in ERROR: %s", id, reason);
    struct fail_ctx f = {vnfr_name, reason};
    struct pop_error e = POP_ERROR_INIT;
    (void)records_finish(r, id, NULL, fail_edit, &f, &e);
}

/* ---- one request per VNF ---- */

struct store_ctx {
    const char *action, *vnf, *status;
    bool fill;
    const json_t *reply; /* the VNFR of the reply */
};

static int store_reply(json_t *nsr, void *ud, struct pop_error *e)
{
    struct store_ctx *s = ud;
    const char *st = json_string_value(json_object_get(nsr, "status"));
    if (st && strcmp(st, "TERMINATED") == 0)
        return pop_error_set(e, -ECANCELED, API_STATE_CONFLICT, NULL, "terminated meanwhile");
    json_t *vnfr = json_deep_copy(s->reply);
    const json_t *old = records_vnfr(nsr, s->vnf);
    if (!vnfr)
        return -ENOMEM;
    if (old)
        json_object_set(vnfr, "id", json_object_get(old, "id"));
    records_assign_ids(vnfr);
    records_set_status(vnfr, s->status);
    if (strcmp(s->action, "START") == 0) {
        size_t i, j;
        json_t *vdu, *vi;
        json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu)
            json_array_foreach (json_object_get(vdu, "vnfc_instance"), j, vi)
                json_object_set_new(vi, "state", json_string("ACTIVE"));
    }
    if (s->fill)
        nsr_fill_dependencies(nsr, vnfr);
    return records_put_vnfr(nsr, vnfr) < 0 ? -ENOMEM : 0;
}

/* Whether vnfr (a stored VNFR, may be NULL) shows the server of VNFC instance vi. */
static bool shows_server(const json_t *vnfr, const json_t *vi)
{
    const json_t *want = json_object_get(vi, "vc_id");
    size_t i, j;
    json_t *vdu, *have;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu)
        json_array_foreach (json_object_get(vdu, "vnfc_instance"), j, have)
            if (want && json_equal(json_object_get(have, "vc_id"), want))
                return true;
    return false;
}

/* A VNFM that allocates by itself (Open Baton's allocate=true) launched the servers its
 * INSTANTIATE reply shows. When the reply cannot be stored (the NSR was terminated meanwhile)
 * no record will ever show them, so those the stored VNFR lacks are deleted now. (With the
 * NFVO allocating, its own allocation recorded them and the terminate deletes them.) */
static void release_unstored(struct nfvo_records *r, const char *nsr_id, const char *vnf,
                             const json_t *reply_vnfr)
{
    _cleanup_json_ json_t *nsr = NULL;
    if (records_load(r, "", nsr_id, &nsr) < 0)
        nsr = NULL; /* gone already */
    const json_t *stored = nsr ? records_vnfr(nsr, vnf) : NULL;
    size_t i, j;
    json_t *vdu, *vi;
    json_array_foreach (json_object_get(reply_vnfr, "vdu"), i, vdu)
        json_array_foreach (json_object_get(vdu, "vnfc_instance"), j, vi) {
            const char *vim_id = json_string_value(json_object_get(vi, "vim_id"));
            const char *server = json_string_value(json_object_get(vi, "vc_id"));
            if (!server)
                server = json_string_value(json_object_get(vi, "hostname"));
            _cleanup_json_ json_t *vim = NULL;
            if (!vim_id || !server || shows_server(stored, vi) ||
                nfvo_vims_find_by_id(r->n->vims, vim_id, &vim) < 0)
                continue;
            struct pop_error e = POP_ERROR_INIT;
            if (records_delete_server(r, NULL, vim, NULL, server, &e) < 0)
                log_warn("records: NSR %s: server %s the VNFM launched for %s and no record "
                         "shows could not be deleted: %s",
                         nsr_id, server, vnf, e.detail);
            else
                log_info("records: NSR %s: server %s the VNFM launched for %s deleted (the NSR "
                         "was terminated meanwhile)",
                         nsr_id, server, vnf);
        }
}

int records_vnfm_step(struct nfvo_records *r, const char *nsr_id, const char *vnfm,
                      const char *action, const char *vnf, json_t *msg, const char *status,
                      bool fill, struct pop_error *e)
{
    json_t *reply = NULL;
    int rc = records_vnfm_rpc(r, vnfm, action, vnf, msg, &reply, e);
    if (rc < 0)
        return rc;
    struct store_ctx s = {action, vnf, status, fill,
                          json_object_get(reply, "virtualNetworkFunctionRecord")};
    struct pop_error se = POP_ERROR_INIT;
    if ((rc = records_edit(r, nsr_id, store_reply, &s, &se)) < 0) {
        pop_error_set(e, rc, pop_error_api(&se), NULL, "%s of %s: %s", action, vnf, se.detail);
        if (strcmp(action, "INSTANTIATE") == 0)
            release_unstored(r, nsr_id, vnf, s.reply);
    }
    json_decref(reply);
    return rc;
}

/* After a failed launch: the servers it left journalled and the networks it meant to create
 * but did not record are removed at once, so the Pop holds only what the record shows. (A
 * launch still running in a VNFM's ALLOCATE is refused when it comes to save its server, and
 * deletes it then.) A launch that failed because the broker went away could not reach the
 * driver either: the removal is tried again, once a second while the broker is back, for at
 * most the driver timeout and 10 s. */
static void release_leftovers(struct nfvo_records *r, const char *id)
{
    struct nfvo *n = r->n;
    int64_t until = time_mono_ms() + (n->cfg->driver_timeout_s + 10) * 1000;
    char left[1024];
    for (;;) {
        _cleanup_json_ json_t *nsr = NULL;
        if (stopper_fired(n->stop) || records_load(r, "", id, &nsr) < 0)
            return;
        const char *project = json_string_value(json_object_get(nsr, "projectId"));
        left[0] = '\0';
        if (records_release_pending(r, id, project, left, sizeof(left)) +
                records_release_intents(r, id, project, left, sizeof(left)) ==
            0)
            return;
        int64_t now = time_mono_ms();
        if (now >= until)
            break;
        (void)mq_wait_connected(n->mq, until - now);
        if (stopper_sleep_ms(n->stop, 1000) != 0)
            return;
    }
    log_warn("records: NSR %s: what its failed launch left could not all be removed (DELETE the "
             "NSR to retry): %s",
             id, left);
}

/* ---- the messages ---- */

static json_t *instantiate_msg(struct nfvo_records *r, const json_t *nsr, const json_t *vnfd,
                               struct pop_error *e)
{
    struct nfvo *n = r->n;
    const char *project = json_string_value(json_object_get(nsr, "projectId"));
    const json_t *names = json_object_get(json_object_get(nsr, "_launch"), "vimNames");
    json_t *vims = json_object();
    size_t i, j;
    json_t *vdu, *name;
    json_array_foreach (json_object_get(vnfd, "vdu"), i, vdu) {
        const char *vdu_id = json_string_value(json_object_get(vdu, "id"));
        json_t *list = json_array();
        json_array_foreach (json_object_get(names, vdu_id ? vdu_id : ""), j, name) {
            json_t *vim = NULL;
            if (nfvo_vims_find(n->vims, project, json_string_value(name), &vim, e) < 0) {
                json_decref(list);
                json_decref(vims);
                return NULL;
            }
            json_array_append_new(list, vim);
        }
        json_object_set_new(vims, vdu_id ? vdu_id : "", list);
    }
    /* vnfdf: the first deployment flavour, else one named after the computation requirement. */
    json_t *flavour = json_array_get(json_object_get(vnfd, "deployment_flavour"), 0);
    json_t *vnfdf = flavour ? json_incref(flavour) : NULL;
    if (!vnfdf) {
        const char *key = json_string_value(json_object_get(
            json_array_get(json_object_get(vnfd, "vdu"), 0), "computation_requirement"));
        if (!key) {
            json_decref(vims);
            pop_error_set(e, -EINVAL, API_INVALID_FIELD, "deployment_flavour",
                          "INSTANTIATE of %s: the VNFD has no deployment_flavour and its VDU no "
                          "computation_requirement",
                          records_name(vnfd));
            return NULL;
        }
        vnfdf = json_pack("{s:s}", "flavour_key", key);
    }
    char port[16];
    snprintf(port, sizeof(port), "%lld", (long long)n->cfg->broker_port);
    return json_pack("{s:s, s:O, s:o, s:O, s:O, s:{s:s, s:s, s:s, s:s, s:O}, s:o, s:[]}", "action",
                     "INSTANTIATE", "vnfd", vnfd, "vnfdf", vnfdf, "vnfInstanceName",
                     json_object_get(vnfd, "name"), "vlrs", json_object_get(nsr, "vlr"),
                     "extension", "brokerIp", n->cfg->broker_ip_for_vnfms, "brokerPort", port,
                     "monitoringIp", "", "timezone", n->cfg->timezone, "nsr-id",
                     json_object_get(nsr, "id"), "vimInstances", vims, "keys");
}

const char *records_vnfm_of(const json_t *nsr, const char *vnf)
{
    const json_t *vnfr = records_vnfr(nsr, vnf);
    const char *ep = json_string_value(json_object_get(vnfr, "endpoint"));
    return ep ? ep : json_string_value(json_object_get(vnfr, "type"));
}

/* ---- the operation ---- */

struct launch_arg {
    struct nfvo_records *r;
    char id[64];
};

static int finish_edit(json_t *nsr, void *ud, struct pop_error *e)
{
    (void)ud;
    (void)e;
    json_object_set_new(nsr, "task", json_string("Onboarded"));
    records_history(nsr, "INSTANTIATE_FINISH", "the Network Service is ACTIVE");
    return 0;
}

static int load_current(struct nfvo_records *r, const char *id, json_t **nsr)
{
    int rc = records_load(r, "", id, nsr);
    if (rc < 0)
        log_error("records: launch of NSR %s: cannot read it: %s", id, strerror(-rc));
    return rc;
}

/* ---- the operation: one thread per VNF ---- */

/* How far a VNF of the launch got. */
enum vnf_reached { VNF_PENDING, VNF_INITIALIZED, VNF_ACTIVE };

struct launch_run;

/* One VNF's way through the launch: INSTANTIATE; if it is a target, MODIFY once every source of
 * its dependency record is INITIALIZED (their parameters are in the record then); START once
 * the sources it starts after are ACTIVE. As Open Baton's NFVO does (§3.6 step 5), a VNF waits
 * for its own sources only, not for the whole NS to reach each stage. */
struct vnf_run {
    struct launch_run *run;
    const char *name;    /* VNFR (= VNFD) name, borrowed from the NSR document */
    const char *vnfm;    /* the VNFD's endpoint */
    json_t *instantiate; /* the INSTANTIATE request */
    bool target;         /* it has a dependency record: MODIFY before START */
    size_t *sources;     /* its sources (indexes in run->vnfs): INITIALIZED before its MODIFY */
    size_t n_sources;
    size_t *after; /* the sources not on a cycle with it: ACTIVE before its START */
    size_t n_after;
    enum vnf_reached reached; /* under run->lock */
    char error[1024];         /* "" = no failure */
    pthread_t thread;
    bool running; /* thread was created */
};

struct launch_run {
    struct nfvo_records *r;
    const char *id;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    bool failed; /* some VNF failed: the others take no further step */
    struct vnf_run *vnfs;
    size_t n;
};

/* Records how far v got (VNF_PENDING: it failed with why) and wakes the VNFs waiting on it. */
static void vnf_reach(struct vnf_run *v, enum vnf_reached reached, const char *why)
{
    struct launch_run *run = v->run;
    pthread_mutex_lock(&run->lock);
    if (why) {
        snprintf(v->error, sizeof(v->error), "%s", why);
        run->failed = true;
    } else {
        v->reached = reached;
    }
    pthread_cond_broadcast(&run->changed);
    pthread_mutex_unlock(&run->lock);
}

/* Waits until every VNF of waited (indexes) reached at least level: true, or false when some
 * VNF of the launch failed meanwhile (v takes no further step). Every request has a timeout, so
 * each VNF waited for either gets there or fails. */
static bool vnf_wait(struct vnf_run *v, const size_t *waited, size_t n, enum vnf_reached level)
{
    struct launch_run *run = v->run;
    pthread_mutex_lock(&run->lock);
    for (;;) {
        size_t k = 0;
        while (k < n && run->vnfs[waited[k]].reached >= level)
            k++;
        if (run->failed || k == n)
            break;
        pthread_cond_wait(&run->changed, &run->lock);
    }
    bool go = !run->failed;
    pthread_mutex_unlock(&run->lock);
    return go;
}

/* One request to v's VNFM, its reply stored with status; false when it failed (recorded). */
static bool vnf_step(struct vnf_run *v, const char *action, json_t *msg, const char *status,
                     bool fill)
{
    struct pop_error e = POP_ERROR_INIT;
    if (!msg) {
        vnf_reach(v, VNF_PENDING, "out of memory");
        return false;
    }
    int rc =
        records_vnfm_step(v->run->r, v->run->id, v->vnfm, action, v->name, msg, status, fill, &e);
    json_decref(msg);
    if (rc < 0)
        vnf_reach(v, VNF_PENDING, e.detail);
    return rc == 0;
}

/* A request built from the NSR as it is now, or NULL when it cannot be read (v failed). */
static json_t *vnf_request(struct vnf_run *v, const char *action)
{
    _cleanup_json_ json_t *nsr = NULL;
    if (records_load(v->run->r, "", v->run->id, &nsr) < 0) {
        vnf_reach(v, VNF_PENDING, "the NSR could not be read back from the database");
        return NULL;
    }
    const json_t *vnfr = records_vnfr(nsr, v->name);
    const json_t *dep = nsr_dependency_of(nsr, v->name);
    json_t *msg =
        strcmp(action, "MODIFY") == 0
            ? json_pack("{s:s, s:O, s:O}", "action", "MODIFY", "vnfr", vnfr, "vnfrd", dep)
            : json_pack("{s:s, s:O, s:n, s:O}", "action", "START", "virtualNetworkFunctionRecord",
                        vnfr, "vnfcInstance", "vnfrDependency", dep ? (json_t *)dep : json_null());
    if (!msg)
        vnf_reach(v, VNF_PENDING, "out of memory");
    return msg;
}

static void *vnf_main(void *arg)
{
    struct vnf_run *v = arg;
    json_t *msg = v->instantiate;
    v->instantiate = NULL;
    if (!vnf_step(v, "INSTANTIATE", msg, "INITIALIZED", true))
        return NULL;
    vnf_reach(v, VNF_INITIALIZED, NULL);
    if (v->target) {
        if (!vnf_wait(v, v->sources, v->n_sources, VNF_INITIALIZED))
            return NULL;
        crashpoint("launch.before_modify");
        if (!(msg = vnf_request(v, "MODIFY")) || !vnf_step(v, "MODIFY", msg, "INACTIVE", false))
            return NULL;
    }
    if (!vnf_wait(v, v->after, v->n_after, VNF_ACTIVE))
        return NULL;
    if (v->n_after)
        crashpoint("launch.between_start_levels");
    if (!(msg = vnf_request(v, "START")) || !vnf_step(v, "START", msg, "ACTIVE", false))
        return NULL;
    vnf_reach(v, VNF_ACTIVE, NULL);
    return NULL;
}

static ssize_t vnf_index(const struct launch_run *run, const char *name)
{
    for (size_t i = 0; name && i < run->n; i++)
        if (strcmp(run->vnfs[i].name, name) == 0)
            return (ssize_t)i;
    return -1;
}

/* Fills every VNF's sources and start-after sources from the NSR's dependency records; the
 * start levels (nsr_start_levels) tell which dependencies are on a cycle: a source on a cycle
 * with its target has a level not below the target's, and the two start without waiting. */
static int plan_dependencies(struct launch_run *run, const json_t *nsr)
{
    _cleanup_free_ int *levels = nsr_start_levels(nsr);
    if (!levels)
        return -ENOMEM;
    size_t i;
    json_t *dep;
    json_array_foreach (json_object_get(nsr, "vnf_dependency"), i, dep) {
        ssize_t t = vnf_index(run, json_string_value(json_object_get(dep, "target")));
        const json_t *ids = json_object_get(dep, "idType");
        if (t < 0)
            continue;
        struct vnf_run *v = &run->vnfs[t];
        size_t max = json_object_size(ids);
        v->target = true;
        if (!(v->sources = calloc(max ? max : 1, sizeof(size_t))) ||
            !(v->after = calloc(max ? max : 1, sizeof(size_t))))
            return -ENOMEM;
        const char *src;
        json_t *unused;
        json_object_foreach ((json_t *)ids, src, unused) {
            ssize_t s = vnf_index(run, src);
            if (s < 0 || s == t)
                continue;
            v->sources[v->n_sources++] = (size_t)s;
            /* run->vnfs is in the order of the NSR's "vnfr", as are the levels */
            if (levels[s] < levels[t])
                v->after[v->n_after++] = (size_t)s;
        }
    }
    return 0;
}

static void launch_run_free(struct launch_run *run)
{
    for (size_t i = 0; run->vnfs && i < run->n; i++) {
        json_decref(run->vnfs[i].instantiate);
        free(run->vnfs[i].sources);
        free(run->vnfs[i].after);
    }
    free(run->vnfs);
    pthread_cond_destroy(&run->changed);
    pthread_mutex_destroy(&run->lock);
}

/* Builds every VNF's INSTANTIATE request and its dependencies: 0, or < 0 with the NSR failed. */
static int launch_plan(struct launch_run *run, const json_t *nsr)
{
    const json_t *vnfrs = json_object_get(nsr, "vnfr");
    const json_t *vnfds = json_object_get(json_object_get(nsr, "_launch"), "vnfds");
    run->n = json_array_size(vnfrs);
    if (!(run->vnfs = calloc(run->n ? run->n : 1, sizeof(*run->vnfs)))) {
        records_fail(run->r, run->id, NULL, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < run->n; i++) {
        struct vnf_run *v = &run->vnfs[i];
        v->run = run;
        v->name = records_name(json_array_get(vnfrs, i));
        v->vnfm = records_vnfm_of(nsr, v->name);
        const json_t *vnfd = NULL;
        size_t k;
        json_t *d;
        json_array_foreach (vnfds, k, d)
            if (strcmp(records_name(d), v->name) == 0)
                vnfd = d;
        struct pop_error e = POP_ERROR_INIT;
        if (!vnfd)
            pop_error_set(&e, -ENOENT, API_STATE_CONFLICT, NULL,
                          "INSTANTIATE of %s: the NSR keeps no VNFD of that name", v->name);
        if (!vnfd || !(v->instantiate = instantiate_msg(run->r, nsr, vnfd, &e))) {
            records_fail(run->r, run->id, v->name, e.detail[0] ? e.detail : "out of memory");
            return -EINVAL;
        }
    }
    if (plan_dependencies(run, nsr) < 0) {
        records_fail(run->r, run->id, NULL, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

/* Runs every VNF's thread and waits for all; returns how many failed (each VNFR failed with its
 * reason, after all are over, so no reply stored later overwrites the failure). */
static size_t launch_run_all(struct launch_run *run)
{
    for (size_t i = 0; i < run->n; i++) {
        struct vnf_run *v = &run->vnfs[i];
        v->running = pthread_create(&v->thread, NULL, vnf_main, v) == 0;
        if (!v->running) {
            char why[256];
            snprintf(why, sizeof(why), "INSTANTIATE of %s: cannot start a thread", v->name);
            vnf_reach(v, VNF_PENDING, why);
        }
    }
    size_t failed = 0;
    for (size_t i = 0; i < run->n; i++) {
        struct vnf_run *v = &run->vnfs[i];
        if (v->running)
            pthread_join(v->thread, NULL);
        if (v->error[0]) {
            failed++;
            records_fail(run->r, run->id, v->name, v->error);
        }
    }
    if (failed)
        release_leftovers(run->r, run->id);
    return failed;
}

static void launch_main(void *p)
{
    struct launch_arg *a = p;
    struct launch_run run = {.r = a->r, .id = a->id};
    json_t *nsr = NULL;
    pthread_mutex_init(&run.lock, NULL);
    pthread_cond_init(&run.changed, NULL);
    if (load_current(a->r, a->id, &nsr) < 0)
        goto out;
    crashpoint("launch.before_instantiate");
    if (launch_plan(&run, nsr) < 0 || launch_run_all(&run) > 0)
        goto out;
    crashpoint("launch.before_active");
    struct pop_error e = POP_ERROR_INIT;
    if (records_finish(a->r, a->id, "launch", finish_edit, NULL, &e) == 0)
        log_info("records: NSR %s ACTIVE", a->id);
out:
    launch_run_free(&run);
    json_decref(nsr);
    free(a);
}

int launch_start(struct nfvo_records *r, const char *id)
{
    struct launch_arg *a = calloc(1, sizeof(*a));
    if (!a)
        return -ENOMEM;
    a->r = r;
    snprintf(a->id, sizeof(a->id), "%s", id);
    int rc = records_spawn(r, launch_main, a);
    if (rc < 0)
        free(a);
    return rc;
}
