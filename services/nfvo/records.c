/* The records module: its store (one JSON document per NSR, see 0005_records.sql), the edits
 * made under an NSR's lock, the operation threads, and the helpers every records file uses on
 * the documents. */
#include "records-int.h"

#include "auth/random.h"
#include "catalogue/date.h"
#include "core/cleanup.h"
#include "core/lockset.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "mq/mq.h"
#include "nfvo.h"
#include "json/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSR_LOCK_WAIT_MS 60000

/* ---- documents ---- */

json_t *records_uuid(void)
{
    char id[37];
    return auth_uuid4(id) < 0 ? NULL : json_string(id);
}

void records_assign_ids(json_t *o)
{
    if (json_is_array(o)) {
        size_t i;
        json_t *v;
        json_array_foreach (o, i, v)
            records_assign_ids(v);
        return;
    }
    if (!json_is_object(o))
        return;
    if (!json_is_string(json_object_get(o, "id")))
        json_object_set_new(o, "id", records_uuid());
    if (!json_is_integer(json_object_get(o, "hbVersion")))
        json_object_set_new(o, "hbVersion", json_integer(0));
    const char *k;
    json_t *v;
    json_object_foreach (o, k, v) {
        /* Maps keyed by names or ids, and free-form members, are not entities; a VNFC
         * instance's ips and floatingIps lists are (Ip entities, which a VNFM that allocates
         * by itself sends without ids), a Server's {network: [ip]} maps are not. */
        if (strcmp(k, "metadata") == 0 || strcmp(k, "parameters") == 0 ||
            strcmp(k, "vnfcParameters") == 0 || strcmp(k, "idType") == 0 ||
            strcmp(k, "extension") == 0 || strcmp(k, "requires") == 0 ||
            ((strcmp(k, "ips") == 0 || strcmp(k, "floatingIps") == 0) && !json_is_array(v)))
            continue;
        if (json_is_object(v) || json_is_array(v))
            records_assign_ids(v);
    }
}

static json_t *now_text(void)
{
    struct cat_date d;
    char buf[64];
    if (cat_date_from_unix(time_now_s(), &d) < 0 || cat_date_format(&d, buf, sizeof(buf)) < 0)
        return json_string("");
    return json_string(buf);
}

void records_history(json_t *entity, const char *event, const char *description)
{
    json_t *hist = json_object_get(entity, "lifecycle_event_history");
    if (!json_is_array(hist)) {
        hist = json_array();
        json_object_set_new(entity, "lifecycle_event_history", hist);
    }
    /* NFVO 6 keeps the first 1024 characters of a reason (§3.7). */
    char text[1025];
    snprintf(text, sizeof(text), "%s", description ? description : "");
    json_t *ev = json_pack("{s:o, s:i, s:s, s:s, s:o}", "id", records_uuid(), "hbVersion", 0,
                           "event", event, "description", text, "executedAt", now_text());
    if (ev)
        json_array_append_new(hist, ev);
}

json_t *records_vnfr(const json_t *nsr, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get(nsr, "vnfr"), i, v) {
        const char *vn = json_string_value(json_object_get(v, "name"));
        if (vn && name && strcmp(vn, name) == 0)
            return v;
    }
    return NULL;
}

int records_put_vnfr(json_t *nsr, json_t *vnfr)
{
    json_t *list = json_object_get(nsr, "vnfr");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(nsr, "vnfr", list);
    }
    const char *name = json_string_value(json_object_get(vnfr, "name"));
    size_t i;
    json_t *v;
    json_array_foreach (list, i, v) {
        const char *vn = json_string_value(json_object_get(v, "name"));
        if (vn && name && strcmp(vn, name) == 0)
            return json_array_set_new(list, i, vnfr);
    }
    return json_array_append_new(list, vnfr);
}

void records_set_status(json_t *vnfr, const char *status)
{
    json_object_set_new(vnfr, "status", json_string(status));
}

static const char *const statuses[] = {"ERROR",   "NULL",   "INITIALIZED", "INACTIVE",
                                       "SCALING", "ACTIVE", "TERMINATED",  "RESUMING"};

int records_status_ordinal(const char *status)
{
    for (size_t i = 0; status && i < ARRAY_SIZE(statuses); i++)
        if (strcmp(status, statuses[i]) == 0)
            return (int)i;
    return -1;
}

const char *records_nsr_status(const json_t *nsr)
{
    const json_t *vnfrs = json_object_get(nsr, "vnfr");
    int low = -1;
    bool terminated = false;
    size_t i;
    json_t *v;
    json_array_foreach (vnfrs, i, v) {
        int o = records_status_ordinal(json_string_value(json_object_get(v, "status")));
        if (o < 0)
            o = 1;
        if (o == 6)
            terminated = true;
        if (low < 0 || o < low)
            low = o;
    }
    if (terminated)
        return "TERMINATED";
    if (low < 0)
        return "NULL";
    return statuses[low];
}

int records_still_launching(const json_t *nsr, struct pop_error *e)
{
    const char *status = json_string_value(json_object_get(nsr, "status"));
    if (status && strcmp(status, "TERMINATED") == 0)
        return pop_error_set(e, -ECANCELED, API_STATE_CONFLICT, NULL,
                             "the NSR is being terminated");
    if (status && strcmp(status, "ERROR") == 0)
        return pop_error_set(e, -ECANCELED, API_STATE_CONFLICT, NULL,
                             "the NSR is in ERROR: its launch is over");
    return 0;
}

/* ---- the store ---- */

int records_load(struct nfvo_records *r, const char *project, const char *id, json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int rc = db_pool_get(r->n->pool, &db);
    if (rc < 0)
        return rc;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((rc = db_query_row(db, "SELECT doc FROM nsrs WHERE id = ?1 AND (?2 = '' OR project = ?2)",
                           DB_ARGS(DB_TEXT(id), DB_TEXT(project ? project : "")), &st)) < 0)
        return rc;
    json_t *doc = json_loads(db_column_text(st, 0), 0, NULL);
    if (!doc)
        return -EIO;
    *ret = doc;
    return 0;
}

static int save(struct db *db, const char *id, const json_t *nsr)
{
    _cleanup_free_ char *text = json_dumps(nsr, JSON_COMPACT);
    if (!text)
        return -ENOMEM;
    const char *status = json_string_value(json_object_get(nsr, "status"));
    int rc = db_run(db, "UPDATE nsrs SET doc = ?, status = ?, updated = ? WHERE id = ?",
                    DB_ARGS(DB_TEXT(text), DB_TEXT(status ? status : "NULL"), DB_INT(time_now_s()),
                            DB_TEXT(id)));
    return rc < 0 ? rc : rc == 0 ? -ENOENT : 0;
}

/* 1 when an operation on the NSR is in flight, 0 when none, or the store's error. */
static int operation_in_flight(struct db *db, const char *id)
{
    _cleanup_stmt_ struct db_stmt *st = NULL;
    int rc =
        db_query_row(db, "SELECT 1 FROM operations WHERE nsr_id = ?", DB_ARGS(DB_TEXT(id)), &st);
    return rc == 0 ? 1 : rc == -ENOENT ? 0 : rc;
}

/* The save of an edit that ends the operation: both or neither. */
struct finish_save {
    const char *id, *kind; /* kind NULL: whatever operation is in flight but a terminate */
    const json_t *nsr;
};

static int finish_save_tx(struct db *db, void *ud)
{
    const struct finish_save *f = ud;
    int rc = save(db, f->id, f->nsr);
    if (rc < 0)
        return rc;
    rc = f->kind ? db_run(db, "DELETE FROM operations WHERE nsr_id = ? AND kind = ?",
                          DB_ARGS(DB_TEXT(f->id), DB_TEXT(f->kind)))
                 : db_run(db, "DELETE FROM operations WHERE nsr_id = ? AND kind <> 'terminate'",
                          DB_ARGS(DB_TEXT(f->id)));
    return rc < 0 ? rc : 0;
}

/* records_edit and records_finish. finishing: the edit ends the operation (of kind, or any
 * but a terminate when kind is NULL: a launch step failing after a DELETE took the launch over
 * must not end the terminate, which a restart would then not run again) in the same
 * transaction. Otherwise, while an operation is in flight, the
 * NSR does not become ACTIVE: its VNFRs all reach ACTIVE before the operation's last edit, and
 * a client seeing ACTIVE must find the NSR free for its next operation. */
static int edit(struct nfvo_records *r, const char *id, records_edit_fn fn, void *ud,
                bool finishing, const char *kind, struct pop_error *e)
{
    int rc = lockset_acquire(r->nsr_locks, id, NSR_LOCK_WAIT_MS);
    if (rc < 0)
        return pop_error_set(e, rc, API_UNAVAILABLE, NULL, "NSR %s is busy", id);
    /* Declared before the first goto: a jump past a cleanup variable's initialisation would
     * run its cleanup on garbage. */
    _cleanup_db_put_ struct db *db = NULL;
    json_t *nsr = NULL;
    if ((rc = records_load(r, "", id, &nsr)) < 0) {
        pop_error_set(e, rc, rc == -ENOENT ? API_NOT_FOUND : API_INTERNAL, NULL,
                      rc == -ENOENT ? "no NSR %s" : "cannot read NSR %s", id);
        goto out;
    }
    if ((rc = fn(nsr, ud, e)) < 0)
        goto out;
    int s = db_pool_get(r->n->pool, &db);
    const char *before = json_string_value(json_object_get(nsr, "status"));
    const char *after = records_nsr_status(nsr);
    bool held = s == 0 && !finishing && strcmp(after, "ACTIVE") == 0 && before &&
                strcmp(before, "ACTIVE") != 0 && operation_in_flight(db, id) == 1;
    /* An NSR being terminated stays TERMINATED whatever its VNFRs say. */
    if (!held && !(before && strcmp(before, "TERMINATED") == 0))
        json_object_set_new(nsr, "status", json_string(after));
    json_object_set_new(nsr, "updatedAt", now_text());
    if (s == 0) {
        struct finish_save f = {id, kind, nsr};
        s = finishing ? db_tx(db, finish_save_tx, &f) : save(db, id, nsr);
    }
    if (s < 0) {
        rc = pop_error_set(e, s, API_INTERNAL, NULL, "cannot save NSR %s: %s", id, strerror(-s));
        log_error("records: %s", e->detail);
    }
out:
    json_decref(nsr);
    lockset_release(r->nsr_locks, id);
    return rc;
}

int records_edit(struct nfvo_records *r, const char *id, records_edit_fn fn, void *ud,
                 struct pop_error *e)
{
    return edit(r, id, fn, ud, false, NULL, e);
}

int records_finish(struct nfvo_records *r, const char *id, const char *kind, records_edit_fn fn,
                   void *ud, struct pop_error *e)
{
    return edit(r, id, fn, ud, true, kind, e);
}

struct insert_ctx {
    const char *project, *id, *nsd_id, *text, *kind;
};

static int insert_tx(struct db *db, void *ud)
{
    struct insert_ctx *c = ud;
    int64_t now = time_now_s();
    int rc = db_run(db,
                    "INSERT INTO nsrs (id, project, nsd_id, status, doc, created, updated) "
                    "VALUES (?, ?, ?, 'NULL', ?, ?, ?)",
                    DB_ARGS(DB_TEXT(c->id), DB_TEXT(c->project), DB_TEXT(c->nsd_id),
                            DB_TEXT(c->text), DB_INT(now), DB_INT(now)));
    if (rc < 0)
        return rc;
    return db_run(db, "INSERT INTO operations (nsr_id, kind, started) VALUES (?, ?, ?)",
                  DB_ARGS(DB_TEXT(c->id), DB_TEXT(c->kind), DB_INT(now)));
}

int records_insert(struct nfvo_records *r, const char *project, const json_t *nsr,
                   const char *op_kind)
{
    _cleanup_free_ char *text = json_dumps(nsr, JSON_COMPACT);
    if (!text)
        return -ENOMEM;
    struct insert_ctx c = {
        .project = project,
        .id = json_string_value(json_object_get(nsr, "id")),
        .nsd_id = json_string_value(json_object_get(nsr, "descriptor_reference")),
        .text = text,
        .kind = op_kind,
    };
    if (!c.id || !c.nsd_id)
        return -EINVAL;
    _cleanup_db_put_ struct db *db = NULL;
    int rc = db_pool_get(r->n->pool, &db);
    return rc < 0 ? rc : db_tx(db, insert_tx, &c);
}

int records_delete(struct nfvo_records *r, const char *id)
{
    _cleanup_db_put_ struct db *db = NULL;
    int rc = db_pool_get(r->n->pool, &db);
    if (rc < 0)
        return rc;
    if ((rc = db_run(db, "DELETE FROM pending_servers WHERE nsr_id = ?", DB_ARGS(DB_TEXT(id)))) < 0)
        return rc;
    rc = db_run(db, "DELETE FROM nsrs WHERE id = ?", DB_ARGS(DB_TEXT(id)));
    return rc < 0 ? rc : 0;
}

int records_set_operation(struct nfvo_records *r, const char *id, const char *kind)
{
    _cleanup_db_put_ struct db *db = NULL;
    int rc = db_pool_get(r->n->pool, &db);
    if (rc < 0)
        return rc;
    if (!kind)
        rc = db_run(db, "DELETE FROM operations WHERE nsr_id = ?", DB_ARGS(DB_TEXT(id)));
    else
        rc = db_run(db,
                    "INSERT INTO operations (nsr_id, kind, started) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (nsr_id) DO UPDATE SET kind = ?2, started = ?3",
                    DB_ARGS(DB_TEXT(id), DB_TEXT(kind), DB_INT(time_now_s())));
    return rc < 0 ? rc : 0;
}

int records_claim_operation(struct nfvo_records *r, const char *id, const char *kind,
                            char *ret_current, size_t size)
{
    _cleanup_db_put_ struct db *db = NULL;
    int rc = db_pool_get(r->n->pool, &db);
    if (rc < 0)
        return rc;
    rc = db_run(db,
                "INSERT INTO operations (nsr_id, kind, started) VALUES (?, ?, ?) "
                "ON CONFLICT (nsr_id) DO NOTHING",
                DB_ARGS(DB_TEXT(id), DB_TEXT(kind), DB_INT(time_now_s())));
    if (rc != 0)
        return rc < 0 ? rc : 0;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    rc =
        db_query_row(db, "SELECT kind FROM operations WHERE nsr_id = ?", DB_ARGS(DB_TEXT(id)), &st);
    if (rc == 0 && size)
        snprintf(ret_current, size, "%s", db_column_text(st, 0));
    /* Gone between the two statements: the other operation ended; the caller may try again. */
    return rc == 0 || rc == -ENOENT ? -EBUSY : rc;
}

int records_end_operation(struct nfvo_records *r, const char *id, const char *kind)
{
    _cleanup_db_put_ struct db *db = NULL;
    int rc = db_pool_get(r->n->pool, &db);
    if (rc < 0)
        return rc;
    rc = db_run(db, "DELETE FROM operations WHERE nsr_id = ? AND kind = ?",
                DB_ARGS(DB_TEXT(id), DB_TEXT(kind)));
    return rc < 0 ? rc : rc > 0;
}

int records_list(struct nfvo_records *r, const char *project, json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int rc = db_pool_get(r->n->pool, &db);
    if (rc < 0)
        return rc;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((rc = db_query(db, "SELECT doc FROM nsrs WHERE project = ? ORDER BY created, id",
                       DB_ARGS(DB_TEXT(project)), &st)) < 0)
        return rc;
    _cleanup_json_ json_t *out = json_array();
    if (!out)
        return -ENOMEM;
    while ((rc = db_step(st)) == 1) {
        json_t *doc = json_loads(db_column_text(st, 0), 0, NULL);
        if (doc)
            json_array_append_new(out, doc);
    }
    if (rc < 0)
        return rc;
    *ret = json_incref(out);
    return 0;
}

int records_pending_add(struct nfvo_records *r, const char *nsr_id, const json_t *vim,
                        const char *hostname)
{
    _cleanup_free_ char *text = json_dumps(vim, JSON_COMPACT);
    _cleanup_db_put_ struct db *db = NULL;
    int rc = text ? db_pool_get(r->n->pool, &db) : -ENOMEM;
    if (rc < 0)
        return rc;
    rc = db_run(db,
                "INSERT OR REPLACE INTO pending_servers (nsr_id, vim, hostname, started) "
                "VALUES (?, ?, ?, ?)",
                DB_ARGS(DB_TEXT(nsr_id), DB_TEXT(text), DB_TEXT(hostname), DB_INT(time_now_s())));
    return rc < 0 ? rc : 0;
}

int records_pending_remove(struct nfvo_records *r, const char *nsr_id, const char *hostname)
{
    _cleanup_db_put_ struct db *db = NULL;
    int rc = db_pool_get(r->n->pool, &db);
    if (rc < 0)
        return rc;
    rc = db_run(db, "DELETE FROM pending_servers WHERE nsr_id = ? AND hostname = ?",
                DB_ARGS(DB_TEXT(nsr_id), DB_TEXT(hostname)));
    return rc < 0 ? rc : 0;
}

/* ---- operation threads ---- */

struct spawned {
    struct nfvo_records *r;
    void (*fn)(void *arg);
    void *arg;
};

static void *spawned_main(void *p)
{
    struct spawned s = *(struct spawned *)p;
    free(p);
    s.fn(s.arg);
    pthread_mutex_lock(&s.r->lock);
    if (--s.r->running == 0)
        pthread_cond_broadcast(&s.r->idle);
    pthread_mutex_unlock(&s.r->lock);
    return NULL;
}

int records_spawn(struct nfvo_records *r, void (*fn)(void *arg), void *arg)
{
    struct spawned *s = malloc(sizeof(*s));
    if (!s)
        return -ENOMEM;
    *s = (struct spawned){r, fn, arg};
    pthread_mutex_lock(&r->lock);
    if (r->stopping) {
        pthread_mutex_unlock(&r->lock);
        free(s);
        return -ESHUTDOWN;
    }
    r->running++;
    pthread_mutex_unlock(&r->lock);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = -pthread_create(&t, &attr, spawned_main, s);
    pthread_attr_destroy(&attr);
    if (rc < 0) {
        free(s);
        pthread_mutex_lock(&r->lock);
        if (--r->running == 0)
            pthread_cond_broadcast(&r->idle);
        pthread_mutex_unlock(&r->lock);
    }
    return rc;
}

/* ---- the module ---- */

int nfvo_records_new(struct nfvo *n, struct nfvo_records **ret)
{
    struct nfvo_records *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->n = n;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->idle, NULL);
    int rc;
    if ((rc = lockset_new(LOCKSET_KEYS_MAX, &r->nsr_locks)) < 0 ||
        (rc = lockset_new(LOCKSET_KEYS_MAX, &r->vim_locks)) < 0) {
        nfvo_records_free(r);
        return rc;
    }
    records_install_checks(r);
    *ret = r;
    return 0;
}

void nfvo_records_free(struct nfvo_records *r)
{
    if (!r)
        return;
    /* The broker connection is stopped first: every call an operation waits in ends, and
     * the operation leaves its row for the next start. */
    pthread_mutex_lock(&r->lock);
    r->stopping = true;
    while (r->running)
        pthread_cond_wait(&r->idle, &r->lock);
    pthread_mutex_unlock(&r->lock);
    json_decref(r->interrupted);
    lockset_free(r->nsr_locks);
    lockset_free(r->vim_locks);
    pthread_cond_destroy(&r->idle);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
