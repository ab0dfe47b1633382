/* Launching an NSR (reference §3.6): INSTANTIATE to every VNF's VNFM at once (their grants
 * and allocations come back on vnfm.nfvo.actions.reply, grant.c), then MODIFY to every target
 * with its complete dependency record once all its sources are INITIALIZED, then START in
 * dependency order, a source ACTIVE before its targets start. Every request has a timeout; a
 * failure puts its VNFR and the NSR in ERROR with the reason. */
#include "records-int.h"

#include "config.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/stopper.h"
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
#include <stdlib.h>
#include <string.h>

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
                      why ? why : "the VNFM answered ERROR without a reason");
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

struct step {
    struct nfvo_records *r;
    const char *nsr_id;
    const char *action; /* INSTANTIATE, MODIFY, START */
    const char *vnf;    /* VNFR (= VNFD) name */
    const char *vnfm;   /* the VNFD's endpoint */
    json_t *msg;        /* the request */
    const char *status; /* the VNFR's status after the reply */
    bool fill;          /* INSTANTIATE: fill the dependencies where it is a source */
    char error[1024];   /* "" = done */
    pthread_t thread;
};

static void *step_main(void *arg)
{
    struct step *s = arg;
    struct pop_error e = POP_ERROR_INIT;
    if (records_vnfm_step(s->r, s->nsr_id, s->vnfm, s->action, s->vnf, s->msg, s->status, s->fill,
                          &e) < 0)
        snprintf(s->error, sizeof(s->error), "%s", e.detail);
    return NULL;
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

/* Runs the steps at once; returns how many failed (each VNFR failed with its reason). */
static int run_steps(struct nfvo_records *r, const char *nsr_id, struct step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (pthread_create(&steps[i].thread, NULL, step_main, &steps[i]) != 0) {
            snprintf(steps[i].error, sizeof(steps[i].error), "%s of %s: cannot start a thread",
                     steps[i].action, steps[i].vnf);
            steps[i].thread = 0;
        }
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (steps[i].thread)
            pthread_join(steps[i].thread, NULL);
        if (steps[i].error[0]) {
            failed++;
            records_fail(r, nsr_id, steps[i].vnf, steps[i].error);
        }
    }
    if (failed)
        release_leftovers(r, nsr_id);
    return failed;
}

static void free_steps(struct step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(steps[i].msg);
    free(steps);
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

static void launch_main(void *p)
{
    struct launch_arg *a = p;
    struct nfvo_records *r = a->r;
    const char *id = a->id;
    json_t *nsr = NULL;
    struct step *steps = NULL;
    int *levels = NULL;
    size_t n = 0;
    if (load_current(r, id, &nsr) < 0)
        goto out;
    crashpoint("launch.before_instantiate");
    /* 1. INSTANTIATE, all at once. */
    const json_t *vnfds = json_object_get(json_object_get(nsr, "_launch"), "vnfds");
    n = json_array_size(vnfds);
    if (!(steps = calloc(n ? n : 1, sizeof(*steps))))
        goto out;
    for (size_t i = 0; i < n; i++) {
        const json_t *vnfd = json_array_get(vnfds, i);
        struct pop_error e = POP_ERROR_INIT;
        steps[i] = (struct step){.r = r,
                                 .nsr_id = id,
                                 .action = "INSTANTIATE",
                                 .vnf = records_name(vnfd),
                                 .status = "INITIALIZED",
                                 .fill = true};
        steps[i].vnfm = records_vnfm_of(nsr, steps[i].vnf);
        if (!(steps[i].msg = instantiate_msg(r, nsr, vnfd, &e))) {
            records_fail(r, id, steps[i].vnf, e.detail[0] ? e.detail : "out of memory");
            goto out;
        }
    }
    if (run_steps(r, id, steps, n) > 0)
        goto out;
    free_steps(steps, n);
    steps = NULL;
    json_decref(nsr);
    nsr = NULL;
    crashpoint("launch.before_modify");
    /* 2. MODIFY every target with its whole record: all its sources are INITIALIZED now. */
    if (load_current(r, id, &nsr) < 0)
        goto out;
    const json_t *deps = json_object_get(nsr, "vnf_dependency");
    n = json_array_size(deps);
    if (!(steps = calloc(n ? n : 1, sizeof(*steps))))
        goto out;
    for (size_t i = 0; i < n; i++) {
        const json_t *dep = json_array_get(deps, i);
        const char *target = json_string_value(json_object_get(dep, "target"));
        steps[i] = (struct step){.r = r,
                                 .nsr_id = id,
                                 .action = "MODIFY",
                                 .vnf = target,
                                 .vnfm = records_vnfm_of(nsr, target),
                                 .status = "INACTIVE"};
        steps[i].msg = json_pack("{s:s, s:O, s:O}", "action", "MODIFY", "vnfr",
                                 records_vnfr(nsr, target), "vnfrd", dep);
    }
    if (run_steps(r, id, steps, n) > 0)
        goto out;
    free_steps(steps, n);
    steps = NULL;
    json_decref(nsr);
    nsr = NULL;
    /* 3. START, level by level: a source is ACTIVE before its targets start. */
    if (load_current(r, id, &nsr) < 0)
        goto out;
    const json_t *vnfrs = json_object_get(nsr, "vnfr");
    size_t count = json_array_size(vnfrs);
    if (!(levels = nsr_start_levels(nsr))) {
        records_fail(r, id, NULL, "out of memory");
        goto out;
    }
    int top = 0;
    for (size_t i = 0; i < count; i++)
        if (levels[i] > top)
            top = levels[i];
    for (int lvl = 0; lvl <= top; lvl++) {
        if (!(steps = calloc(count ? count : 1, sizeof(*steps))))
            goto out;
        n = 0;
        for (size_t i = 0; i < count; i++) {
            const json_t *vnfr = json_array_get(vnfrs, i);
            const char *name = records_name(vnfr);
            if (levels[i] != lvl)
                continue;
            const json_t *dep = nsr_dependency_of(nsr, name);
            steps[n] = (struct step){.r = r,
                                     .nsr_id = id,
                                     .action = "START",
                                     .vnf = name,
                                     .vnfm = records_vnfm_of(nsr, name),
                                     .status = "ACTIVE"};
            steps[n].msg = json_pack("{s:s, s:O, s:n, s:O}", "action", "START",
                                     "virtualNetworkFunctionRecord", (json_t *)vnfr, "vnfcInstance",
                                     "vnfrDependency", dep ? (json_t *)dep : json_null());
            n++;
        }
        if (run_steps(r, id, steps, n) > 0)
            goto out;
        free_steps(steps, n);
        steps = NULL;
        n = 0;
        if (lvl < top)
            crashpoint("launch.between_start_levels");
    }
    crashpoint("launch.before_active");
    /* 4. ACTIVE. */
    struct pop_error e = POP_ERROR_INIT;
    if (records_finish(r, id, "launch", finish_edit, NULL, &e) == 0)
        log_info("records: NSR %s ACTIVE", id);
out:
    if (steps)
        free_steps(steps, n);
    free(levels);
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
