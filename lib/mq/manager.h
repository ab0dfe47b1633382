/* An Open Baton manager's life on the broker (reference §1.2), written once for pop-vim-driver
 * and pop-vnfm: a thread that registers with the NFVO (retrying with backoff while no broker
 * or NFVO answers, never giving up), then serves the component's queue as the broker user the
 * NFVO handed out, registers again when the broker keeps refusing that user, and deregisters on
 * an orderly stop. The consumers' handlers run on a worker queue the manager owns. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "mq/mq.h"

struct metrics;
struct mq_manager;

/* Login refusals in a row after which the credentials are asked for again. */
#define MQ_MANAGER_LOGIN_FAILURES_REREGISTER 3

struct mq_manager_config {
    const char *log_prefix; /* the first word of its log lines: "plugin", "vnfm" */
    const char *id;         /* what registers (a plugin id, a VNFM type): logs, health */
    /* The registration user's connection (host, port, vhost, user, password, rpc_timeout_ms
     * bounding each registration); the service connection is the same with the NFVO's user.
     * Strings are copied by mq_start; they must live until mq_manager_start returns. */
    struct mq_config reg;
    const json_t *register_body; /* the registration request (kept by reference) */
    /* Members added to the deregistration body next to username, password and action
     * ({"type"}, or a VNFM's {"type", "vnfmManagerEndpoint"}); NULL = none. Kept by reference. */
    const json_t *deregister_extra;
    const struct mq_decl *decls; /* the service connection's topology; borrowed, outlives m */
    size_t n_decls;
    const struct mq_consumer *cons; /* borrowed, outlives m */
    size_t n_cons;
    unsigned workers; /* handlers run at once, and the prefetch (1..64) */
    size_t body_max;  /* 0 = MQ_DEFAULT_BODY_MAX */
    bool rpc;         /* the service connection gets an RPC reply queue (mq_rpc from handlers) */
    struct metrics *metrics; /* may be NULL; lib/mq's families */
    void *ud;                /* the handlers' ud */
};

/* Checks the tables (mq_check), creates the workers and starts the thread; does not wait for the
 * broker. Returns 0, or a negative errno with err filled. */
int mq_manager_start(const struct mq_manager_config *cfg, struct mq_manager **ret,
                     struct pop_error *err);

/* Stops registering, deregisters (when registered and connected), stops consuming, lets the
 * requests being handled finish (at most drain_ms; the rest go back to the queue) and frees
 * everything. Accepts NULL. Not from a handler. */
void mq_manager_stop(struct mq_manager *m, int64_t drain_ms);

/* The service connection, NULL before the first registration (for mq_rpc outside a handler;
 * a handler has mq_delivery_mq). */
struct mq *mq_manager_mq(struct mq_manager *m);

/* {"state": "registering"|"connecting"|"serving", "connects", "last_error"} for /healthz;
 * *ret_serving says whether requests are being served. NULL on ENOMEM. */
json_t *mq_manager_health(struct mq_manager *m, bool *ret_serving);
