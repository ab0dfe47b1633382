/* After a restart (records.h: nfvo_records_recover, nfvo_records_resume): the operations a
 * previous run of pop-nfvo left in its operations table. A launch, heal or scaling cannot be
 * taken up where it stopped (the VNFMs' calls to the dead process are gone), so it is settled
 * in the database before the first VNFM call is taken: a launch that had started every VNF is
 * finished ACTIVE, anything else ends in ERROR with the reason. Then, once the broker is up, what
 * it left half made (pending servers, networks meant but not recorded) is removed, and an
 * interrupted termination runs again (every step of it is idempotent). */
#include "records-int.h"

#include "core/log.h"
#include "db/db.h"
#include "mq/mq.h"
#include "nfvo.h"
#include "json/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define RESUME_CONNECT_WAIT_MS 60000

/* Every VNFR of the NSR ACTIVE: the launch was past its last START. */
static bool all_active(const json_t *nsr)
{
    const json_t *vnfrs = json_object_get(nsr, "vnfr");
    size_t i;
    json_t *v;
    json_array_foreach (vnfrs, i, v) {
        const char *st = json_string_value(json_object_get(v, "status"));
        if (!st || strcmp(st, "ACTIVE") != 0)
            return false;
    }
    return json_array_size(vnfrs) > 0;
}

static int finish_launch(json_t *nsr, void *ud, struct pop_error *e)
{
    (void)ud;
    (void)e;
    json_object_set_new(nsr, "task", json_string("Onboarded"));
    records_history(nsr, "INSTANTIATE_FINISH",
                    "the Network Service is ACTIVE (every VNF had started when pop-nfvo "
                    "restarted; the launch was finished at the restart)");
    return 0;
}

static int read_interrupted(struct nfvo_records *r, json_t *ops)
{
    _cleanup_db_put_ struct db *db = NULL;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    int rc = db_pool_get(r->n->pool, &db);
    if (rc < 0 || (rc = db_query(db,
                                 "SELECT o.nsr_id, o.kind, n.project FROM operations o JOIN nsrs "
                                 "n ON n.id = o.nsr_id ORDER BY o.started",
                                 NULL, 0, &st)) < 0)
        return rc;
    while ((rc = db_step(st)) == 1)
        json_array_append_new(ops,
                              json_pack("{s:s, s:s, s:s}", "id", db_column_text(st, 0), "kind",
                                        db_column_text(st, 1), "project", db_column_text(st, 2)));
    return rc < 0 ? rc : 0;
}

int nfvo_records_recover(struct nfvo_records *r)
{
    json_t *ops = json_array();
    if (!ops)
        return -ENOMEM;
    int rc = read_interrupted(r, ops);
    if (rc < 0) {
        log_error("records: cannot read the interrupted operations: %s", strerror(-rc));
        json_decref(ops);
        return rc;
    }
    size_t i;
    json_t *op;
    json_array_foreach (ops, i, op) {
        const char *id = json_string_value(json_object_get(op, "id"));
        const char *kind = json_string_value(json_object_get(op, "kind"));
        if (strcmp(kind, "terminate") == 0)
            continue; /* still TERMINATED: nothing is granted to it; resume runs it again */
        _cleanup_json_ json_t *nsr = NULL;
        struct pop_error e = POP_ERROR_INIT;
        if (strcmp(kind, "launch") == 0 && records_load(r, "", id, &nsr) == 0 && all_active(nsr) &&
            records_finish(r, id, "launch", finish_launch, NULL, &e) == 0) {
            log_info("records: NSR %s: its interrupted launch had started every VNF: ACTIVE", id);
            continue;
        }
        char why[512];
        snprintf(why, sizeof(why),
                 "pop-nfvo restarted during the %s; the record shows what it holds (DELETE the "
                 "NSR to release it)",
                 kind);
        records_fail(r, id, NULL, why);
    }
    json_decref(r->interrupted);
    r->interrupted = ops;
    return 0;
}

static int note_left(json_t *nsr, void *ud, struct pop_error *e)
{
    (void)e;
    records_history(nsr, "ERROR", ud);
    return 0;
}

static void resume_main(void *arg)
{
    struct nfvo_records *r = arg;
    if (mq_wait_connected(r->n->mq, RESUME_CONNECT_WAIT_MS) < 0)
        log_warn("records: no broker yet; taking up the interrupted operations anyway");
    size_t i;
    json_t *op;
    json_array_foreach (r->interrupted, i, op) {
        const char *id = json_string_value(json_object_get(op, "id"));
        const char *kind = json_string_value(json_object_get(op, "kind"));
        const char *project = json_string_value(json_object_get(op, "project"));
        if (strcmp(kind, "terminate") == 0) {
            log_info("records: NSR %s: taking up its interrupted termination", id);
            (void)terminate_start(r, id);
            continue;
        }
        char left[1024] = "";
        records_release_pending(r, id, project, left, sizeof(left));
        records_release_intents(r, id, project, left, sizeof(left));
        if (!left[0])
            continue;
        char why[1200];
        snprintf(why, sizeof(why),
                 "after the restart, what the %s left could not all be removed: %s", kind, left);
        struct pop_error e = POP_ERROR_INIT;
        (void)records_edit(r, id, note_left, why, &e);
    }
    log_info("records: the %zu interrupted operation(s) of the previous run are taken up",
             json_array_size(r->interrupted));
}

int nfvo_records_resume(struct nfvo_records *r)
{
    return records_spawn(r, resume_main, r);
}
