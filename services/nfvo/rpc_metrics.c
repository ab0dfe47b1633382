/* See rpc_metrics.h. */
#include "rpc_metrics.h"

#include "core/cleanup.h"
#include "core/metrics.h"
#include "db/db.h"
#include "nfvo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct nfvo_rpc_metrics {
    struct nfvo *n;
    struct metric *calls, *call_time, *nsrs, *ops;
};

int64_t nfvo_rpc_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *outcome_of(int r)
{
    switch (r) {
    case 0:
        return "ok";
    case -ETIMEDOUT:
        return "timeout";
    case -ENOENT:
        return "unroutable";
    case -EREMOTEIO:
        return "refused";
    default:
        return "error";
    }
}

void nfvo_rpc_observe(struct nfvo_rpc_metrics *m, const char *peer, const char *what, int r,
                      int64_t started_us)
{
    if (!m)
        return;
    metric_add(m->calls, (const char *const[]){peer, what, outcome_of(r)}, 1);
    int64_t us = nfvo_rpc_now_us() - started_us;
    metric_observe_us(m->call_time, (const char *const[]){peer, what}, (uint64_t)(us > 0 ? us : 0));
}

static const char *const statuses[] = {"ERROR",   "NULL",   "INITIALIZED", "INACTIVE",
                                       "SCALING", "ACTIVE", "TERMINATED",  "RESUMING"};
static const char *const kinds[] = {"launch", "terminate", "scale_out", "scale_in",
                                    "heal",   "start",     "stop"};

/* Counts per value of column (NULL values ignored) into a gauge with one label, every listed
 * value set (0 when absent) so a status that empties shows 0, not its last count. */
static int count_into(struct db *db, const char *sql, struct metric *g, const char *const *names,
                      size_t n)
{
    int64_t counts[16] = {0};
    _cleanup_stmt_ struct db_stmt *st = NULL;
    int rc = db_query(db, sql, NULL, 0, &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == 1) {
        const char *v = db_column_text(st, 0);
        for (size_t i = 0; v && i < n; i++)
            if (strcmp(v, names[i]) == 0)
                counts[i] = db_column_int64(st, 1);
    }
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        metric_set(g, (const char *const[]){names[i]}, counts[i]);
    return 0;
}

static int collect(struct metrics *reg, void *ud)
{
    (void)reg;
    struct nfvo_rpc_metrics *m = ud;
    _cleanup_db_put_ struct db *db = NULL;
    int rc = db_pool_get(m->n->pool, &db);
    if (rc < 0)
        return rc;
    rc = count_into(db, "SELECT status, COUNT(*) FROM nsrs GROUP BY status", m->nsrs, statuses,
                    ARRAY_SIZE(statuses));
    if (rc == 0)
        rc = count_into(db, "SELECT kind, COUNT(*) FROM operations GROUP BY kind", m->ops, kinds,
                        ARRAY_SIZE(kinds));
    return rc;
}

int nfvo_rpc_metrics_new(struct nfvo *n, struct nfvo_rpc_metrics **ret)
{
    struct nfvo_rpc_metrics *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->n = n;
    int r = metrics_counter(n->metrics, "nfvo_calls_total",
                            "calls pop-nfvo made, by peer (vnfm, driver), action or method and "
                            "outcome (ok, timeout, unroutable, refused, error)",
                            (const char *const[]){"peer", "call", "outcome", NULL}, &m->calls);
    if (r == 0)
        r = metrics_summary(n->metrics, "nfvo_call_duration_seconds",
                            "time pop-nfvo waited for its calls, by peer and action or method",
                            (const char *const[]){"peer", "call", NULL}, &m->call_time);
    if (r == 0)
        r = metrics_gauge(n->metrics, "nfvo_nsrs", "NS records, by status",
                          (const char *const[]){"status", NULL}, &m->nsrs);
    if (r == 0)
        r = metrics_gauge(n->metrics, "nfvo_operations_in_flight",
                          "operations on NS records not ended yet, by kind",
                          (const char *const[]){"kind", NULL}, &m->ops);
    if (r == 0)
        r = metrics_on_collect(n->metrics, collect, m);
    if (r < 0) {
        free(m);
        return r;
    }
    *ret = m;
    return 0;
}

void nfvo_rpc_metrics_free(struct nfvo_rpc_metrics *m)
{
    free(m);
}
