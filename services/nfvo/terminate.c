/* Terminating an NSR (reference §3.7): the NSR goes TERMINATED, every VNFR's VNFM gets
 * RELEASE_RESOURCES (at once, each with its timeout), then the NFVO deletes every server of
 * the record itself and every server a launch left pending, and every network this NSR created
 * that no other NSR uses. When all of that is gone the record is deleted; when something could
 * not be removed the NSR stays, in ERROR, naming what is left, and a new DELETE tries again.
 * Every step is idempotent, so a terminate interrupted by a crash is simply run again. */
#include "records-int.h"

#include "core/lockset.h"
#include "core/log.h"
#include "crashpoint.h"
#include "db/db.h"
#include "drivers.h"
#include "nfvo.h"
#include "vims.h"
#include "json/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct term_arg {
    struct nfvo_records *r;
    char id[64];
};

struct release {
    struct nfvo_records *r;
    const json_t *vnfr;
    char error[1024];
    pthread_t thread;
};

static void *release_main(void *p)
{
    struct release *rel = p;
    const char *ep = json_string_value(json_object_get(rel->vnfr, "endpoint"));
    json_t *msg = json_pack("{s:s, s:O}", "action", "RELEASE_RESOURCES", "vnfr", rel->vnfr);
    json_t *reply = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (!msg || records_vnfm_rpc(rel->r, ep, "RELEASE_RESOURCES", records_name(rel->vnfr), msg,
                                 &reply, &e) < 0)
        snprintf(rel->error, sizeof(rel->error), "%s", e.detail[0] ? e.detail : "out of memory");
    json_decref(msg);
    json_decref(reply);
    return NULL;
}

static int mark_terminating(json_t *nsr, void *ud, struct pop_error *e)
{
    (void)ud;
    (void)e;
    json_object_set_new(nsr, "status", json_string("TERMINATED"));
    json_object_set_new(nsr, "task", json_string("Terminating"));
    return 0;
}

static int mark_left(json_t *nsr, void *ud, struct pop_error *e)
{
    (void)e;
    const char *why = ud;
    json_object_set_new(nsr, "status", json_string("ERROR"));
    json_object_set_new(nsr, "task", json_string("Termination failed"));
    records_history(nsr, "ERROR", why);
    return 0;
}

int records_delete_server(struct nfvo_records *r, const char *project, const json_t *vim_given,
                          const char *vim_id, const char *server, struct pop_error *e)
{
    json_t *vim = vim_given ? json_incref((json_t *)vim_given) : NULL;
    if (!vim && nfvo_vims_find(r->n->vims, project, vim_id, &vim, e) < 0)
        return -ENOENT;
    json_t *ans = NULL;
    int rc = nfvo_driver_call(r->n, vim, "deleteServerByIdAndWait",
                              json_pack("[O, s]", vim, server), 0, &ans, e);
    json_decref(ans);
    json_decref(vim);
    return rc;
}

/* Whether another NSR's virtual links use the network extId. */
static bool network_shared(struct nfvo_records *r, const char *id, const char *ext)
{
    _cleanup_db_put_ struct db *db = NULL;
    if (db_pool_get(r->n->pool, &db) < 0)
        return true;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    int rc = db_query_row(db,
                          "SELECT 1 FROM nsrs, json_each(nsrs.doc, '$.vlr') AS v WHERE "
                          "nsrs.id != ? AND json_extract(v.value, '$.extId') = ? LIMIT 1",
                          DB_ARGS(DB_TEXT(id), DB_TEXT(ext)), &st);
    return rc != -ENOENT;
}

static void note(char *buf, size_t size, const char *what)
{
    size_t used = strlen(buf);
    if (used + 3 < size)
        snprintf(buf + used, size - used, "%s%s", used ? "; " : "", what);
}

int records_release_pending(struct nfvo_records *r, const char *id, const char *project, char *left,
                            size_t size)
{
    _cleanup_db_put_ struct db *db = NULL;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    json_t *todo = json_array();
    if (!todo || db_pool_get(r->n->pool, &db) < 0 ||
        db_query(db, "SELECT vim, hostname FROM pending_servers WHERE nsr_id = ?",
                 DB_ARGS(DB_TEXT(id)), &st) < 0) {
        json_decref(todo);
        note(left, size, "cannot read the pending servers");
        return 1;
    }
    while (db_step(st) == 1)
        json_array_append_new(todo, json_pack("{s:o, s:s}", "vim",
                                              json_loads(db_column_text(st, 0), 0, NULL),
                                              "hostname", db_column_text(st, 1)));
    db_stmt_free(st);
    st = NULL;
    db_pool_put(db);
    db = NULL;
    int failed = 0;
    size_t i;
    json_t *t;
    json_array_foreach (todo, i, t) {
        const char *host = json_string_value(json_object_get(t, "hostname"));
        struct pop_error e = POP_ERROR_INIT;
        if (records_delete_server(r, project, json_object_get(t, "vim"), NULL, host, &e) < 0) {
            note(left, size, e.detail);
            failed++;
            continue;
        }
        (void)records_pending_remove(r, id, host);
        log_info("records: NSR %s: server %s of an interrupted launch deleted", id, host);
    }
    json_decref(todo);
    return failed;
}

bool records_network_intended(const json_t *nsr, const char *vim_id, const char *vlr)
{
    size_t i;
    json_t *in;
    json_array_foreach (json_object_get(json_object_get(nsr, "_launch"), "networkIntents"), i, in) {
        const char *iv = json_string_value(json_object_get(in, "vim_id"));
        const char *il = json_string_value(json_object_get(in, "vlr"));
        if (iv && il && vim_id && vlr && strcmp(iv, vim_id) == 0 && strcmp(il, vlr) == 0)
            return true;
    }
    return false;
}

/* Whether _launch.createdNetworks of nsr has the network of vlr on vim_id. */
static bool network_recorded(const json_t *nsr, const char *vim_id, const char *vlr)
{
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get(json_object_get(nsr, "_launch"), "createdNetworks"), i, c) {
        const char *cv = json_string_value(json_object_get(c, "vim_id"));
        const char *cl = json_string_value(json_object_get(c, "vlr"));
        if (cv && cl && strcmp(cv, vim_id) == 0 && strcmp(cl, vlr) == 0)
            return true;
    }
    return false;
}

/* The network called name on the refreshed VIM (its extId), deleted unless another NSR uses
 * it; under the VIM's lock, so no grant is creating or reusing it meanwhile. */
static int release_intent(struct nfvo_records *r, const char *id, const char *project,
                          const char *vim_id, const char *name, struct pop_error *e)
{
    char key[LOCKSET_KEY_MAX + 1];
    snprintf(key, sizeof(key), "%s", vim_id);
    if (lockset_acquire(r->vim_locks, key, 120000) < 0)
        return pop_error_set(e, -EBUSY, API_UNAVAILABLE, NULL, "VIM instance %s is busy", vim_id);
    json_t *vim = NULL, *ans = NULL;
    int rc = nfvo_vims_refresh(r->n->vims, project, key, &vim, e);
    const char *ext = NULL;
    size_t i;
    json_t *net;
    json_array_foreach (rc == 0 ? json_object_get(vim, "networks") : NULL, i, net) {
        const char *nn = json_string_value(json_object_get(net, "name"));
        if (nn && strcmp(nn, name) == 0)
            ext = json_string_value(json_object_get(net, "extId"));
    }
    if (rc == 0 && ext && !network_shared(r, id, ext)) {
        rc =
            nfvo_driver_call(r->n, vim, "deleteNetwork", json_pack("[O, s]", vim, ext), 0, &ans, e);
        if (rc == 0)
            log_info("records: NSR %s: network %s an interrupted grant made deleted", id, name);
    }
    json_decref(ans);
    json_decref(vim);
    lockset_release(r->vim_locks, key);
    return rc;
}

static int drop_intents(json_t *nsr, void *ud, struct pop_error *e)
{
    (void)ud;
    (void)e;
    json_object_del(json_object_get(nsr, "_launch"), "networkIntents");
    return 0;
}

int records_release_intents(struct nfvo_records *r, const char *id, const char *project, char *left,
                            size_t size)
{
    _cleanup_json_ json_t *nsr = NULL;
    if (records_load(r, "", id, &nsr) < 0)
        return 0;
    int failed = 0;
    size_t i;
    json_t *in;
    json_array_foreach (json_object_get(json_object_get(nsr, "_launch"), "networkIntents"), i, in) {
        const char *vim_id = json_string_value(json_object_get(in, "vim_id"));
        const char *vlr = json_string_value(json_object_get(in, "vlr"));
        const char *name = json_string_value(json_object_get(in, "name"));
        if (!vim_id || !vlr || !name || network_recorded(nsr, vim_id, vlr))
            continue;
        struct pop_error e = POP_ERROR_INIT;
        if (release_intent(r, id, project, vim_id, name, &e) < 0) {
            note(left, size, e.detail);
            failed++;
        }
    }
    struct pop_error e = POP_ERROR_INIT;
    if (!failed && json_object_get(json_object_get(nsr, "_launch"), "networkIntents"))
        (void)records_edit(r, id, drop_intents, NULL, &e);
    return failed;
}

static void terminate_main(void *p)
{
    struct term_arg *a = p;
    struct nfvo_records *r = a->r;
    const char *id = a->id;
    struct pop_error e = POP_ERROR_INIT;
    json_t *nsr = NULL;
    char left[2048] = "";
    if (records_edit(r, id, mark_terminating, NULL, &e) < 0 || records_load(r, "", id, &nsr) < 0)
        goto out;
    const char *project = json_string_value(json_object_get(nsr, "projectId"));
    /* 1. RELEASE_RESOURCES to every VNFM that has the VNF. */
    const json_t *vnfrs = json_object_get(nsr, "vnfr");
    size_t n = json_array_size(vnfrs);
    struct release *rel = calloc(n ? n : 1, sizeof(*rel));
    if (!rel)
        goto out;
    for (size_t i = 0; i < n; i++) {
        rel[i] = (struct release){.r = r, .vnfr = json_array_get(vnfrs, i)};
        if (pthread_create(&rel[i].thread, NULL, release_main, &rel[i]) != 0)
            rel[i].thread = 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (rel[i].thread)
            pthread_join(rel[i].thread, NULL);
        /* The VNFM's own clean-up failing is no reason to keep the servers. */
        if (rel[i].error[0])
            log_warn("records: NSR %s: %s", id, rel[i].error);
    }
    free(rel);
    crashpoint("terminate.after_release");
    /* 2. Every server of the record. */
    size_t i, j, k;
    json_t *vnfr, *vdu, *vi;
    json_array_foreach (vnfrs, i, vnfr)
        json_array_foreach (json_object_get(vnfr, "vdu"), j, vdu)
            json_array_foreach (json_object_get(vdu, "vnfc_instance"), k, vi) {
                const char *vim_id = json_string_value(json_object_get(vi, "vim_id"));
                const char *server = json_string_value(json_object_get(vi, "vc_id"));
                if (!server)
                    server = json_string_value(json_object_get(vi, "hostname"));
                if (!server || !vim_id)
                    continue;
                pop_error_clear(&e);
                if (records_delete_server(r, project, NULL, vim_id, server, &e) < 0)
                    note(left, sizeof(left), e.detail);
            }
    /* 3. Servers a launch was making when it was interrupted. */
    records_release_pending(r, id, project, left, sizeof(left));
    crashpoint("terminate.after_servers");
    /* 4. The networks this NSR created, unless another NSR uses them; then those a grant meant
     * to create when a crash took it before it recorded them. */
    json_t *c;
    json_array_foreach (json_object_get(json_object_get(nsr, "_launch"), "createdNetworks"), i, c) {
        const char *ext = json_string_value(json_object_get(c, "extId"));
        const char *vim_id = json_string_value(json_object_get(c, "vim_id"));
        if (!ext || !vim_id || network_shared(r, id, ext))
            continue;
        json_t *vim = NULL, *ans = NULL;
        pop_error_clear(&e);
        if (nfvo_vims_find(r->n->vims, project, vim_id, &vim, &e) < 0 ||
            nfvo_driver_call(r->n, vim, "deleteNetwork", json_pack("[O, s]", vim, ext), 0, &ans,
                             &e) < 0)
            note(left, sizeof(left), e.detail);
        json_decref(ans);
        json_decref(vim);
    }
    records_release_intents(r, id, project, left, sizeof(left));
    if (left[0]) {
        char why[2300];
        snprintf(why, sizeof(why), "termination left resources behind (DELETE again): %s", left);
        (void)records_finish(r, id, "terminate", mark_left, why, &e);
        log_warn("records: NSR %s: %s", id, why);
        goto out;
    }
    if (records_delete(r, id) == 0)
        log_info("records: NSR %s terminated and deleted", id);
out:
    json_decref(nsr);
    free(a);
}

int terminate_start(struct nfvo_records *r, const char *id)
{
    struct term_arg *a = calloc(1, sizeof(*a));
    if (!a)
        return -ENOMEM;
    a->r = r;
    snprintf(a->id, sizeof(a->id), "%s", id);
    /* TERMINATED before the 204, so a GET right after the DELETE does not still show the
     * NSR's old status; the operation thread marks it again (it also resumes after a restart). */
    struct pop_error e = POP_ERROR_INIT;
    (void)records_edit(r, id, mark_terminating, NULL, &e);
    int rc = records_spawn(r, terminate_main, a);
    if (rc < 0)
        free(a);
    return rc;
}
