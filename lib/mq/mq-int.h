/* What stays inside lib/mq: the mq object shared by the API (mq.c) and the I/O thread (io.c),
 * and the bookkeeping that needs no broker (call table, confirm tracker, error translation,
 * table checks, the dispatch core), which tests/unit/mq exercises directly. */
#pragma once

#include <amqp.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/backoff.h"
#include "core/cond.h"
#include "mq/mq.h"

struct stopper;
struct metric;

/* ---- errors.c: librabbitmq-c and broker codes -> negative errno, translated once ---- */

/* An amqp_status_enum value (< 0) as a negative errno; AMQP_STATUS_OK is 0. */
int mq_errno_from_status(int status);
/* A broker reply code of connection.close / channel.close / basic.return (403, 404, ...). */
int mq_errno_from_reply_code(unsigned code);
/* "ACCESS_REFUSED" for 403 and so on; "UNKNOWN" otherwise. */
const char *mq_reply_code_name(unsigned code);
/* A failed amqp_rpc_reply_t (a synchronous method, login) as a negative errno, with the
 * library's or the broker's words in text (e.g. "403 ACCESS_REFUSED - ..."). what names the
 * step ("login", "declare queue 'x'"). Returns 0 for AMQP_RESPONSE_NORMAL. */
int mq_errno_from_reply(amqp_rpc_reply_t r, const char *what, char *text, size_t size);

/* ---- topology.c ---- */

/* mq_check without the pop_error: reason in why. */
int mq_check_tables(const struct mq_decl *decls, size_t n_decls, const struct mq_consumer *cons,
                    size_t n_cons, char *why, size_t size);
int mq_check_config(const struct mq_config *cfg, char *why, size_t size);

/* ---- calls.c: calls waiting for a confirm or a reply (any thread; own lock) ---- */

#define MQ_CALL_BUCKETS 256
/* "<16 hex instance>-<16 hex id>" and its NUL. */
#define MQ_CORR_MAX 34

struct mq_call {
    struct mq_call *next; /* bucket chain */
    uint64_t id;
    bool want_reply; /* RPC: done on its reply; publish: done on its confirm */
    bool sent;       /* published on connection `generation` */
    uint64_t generation;
    bool done;
    int r;
    char *reply; /* RPC reply body, malloc'ed, NUL-terminated */
    size_t reply_len;
    pthread_cond_t cond;
};

struct mq_calls {
    pthread_mutex_t lock;
    char prefix[17]; /* random per instance, so a reply meant for another process is not ours */
    uint64_t next_id;
    size_t n, max;
    bool closed;
    int closed_r;
    struct mq_call *buckets[MQ_CALL_BUCKETS];
};

/* seed makes the prefix (0 = random). Returns 0 or a negative errno. */
int mq_calls_init(struct mq_calls *t, size_t max, uint64_t seed);
void mq_calls_done(struct mq_calls *t);
/* Registers c (caller's storage, until mq_call_wait returns). Returns 0 with c->id set,
 * -EAGAIN (max calls), -ESHUTDOWN (closed: with its r), or an error from pthread. */
int mq_call_begin(struct mq_calls *t, struct mq_call *c, bool want_reply);
void mq_calls_corr(const struct mq_calls *t, uint64_t id, char out[MQ_CORR_MAX]);
/* The call id in a correlation id of ours: 0 or -ENOENT (not ours, or malformed). */
int mq_calls_parse_corr(const struct mq_calls *t, const char *s, size_t len, uint64_t *ret_id);
/* Marks id published on generation; false if the call is gone (the caller gave up). */
bool mq_calls_sent(struct mq_calls *t, uint64_t id, uint64_t generation);
/* Completes id with r and (steals) reply; false, reply freed, if no such call waits. */
bool mq_calls_finish(struct mq_calls *t, uint64_t id, int r, char *reply, size_t reply_len);
/* A broker confirm: a publish completes (0, or -EIO when nacked); an RPC fails on a nack only. */
bool mq_calls_confirmed(struct mq_calls *t, uint64_t id, bool ack);
/* Fails every call sent on generation (the connection dropped). Returns how many. */
size_t mq_calls_fail_generation(struct mq_calls *t, uint64_t generation, int r);
/* Fails every call with r and refuses new ones with -ESHUTDOWN. Returns how many. */
size_t mq_calls_close(struct mq_calls *t, int r);
/* Waits for c until the monotonic deadline_ms, then unregisters it and destroys its cond.
 * Returns c's result (r; on 0 the reply, if any, goes to ret_reply and ret_len, to free) or
 * -ETIMEDOUT. */
int mq_call_wait(struct mq_calls *t, struct mq_call *c, int64_t deadline_ms, char **ret_reply,
                 size_t *ret_len);
/* Unregisters a call that was never queued. */
void mq_call_abandon(struct mq_calls *t, struct mq_call *c);
size_t mq_calls_pending(struct mq_calls *t);

/* ---- confirms.c: publishes awaiting basic.ack/nack on the publish channel (I/O thread) ---- */

struct mq_confirm {
    uint64_t seq; /* delivery tag the broker will confirm */
    uint64_t id;  /* call id; 0 = settled (out of order), waiting to be compacted */
};

struct mq_confirms {
    struct mq_confirm *v;
    size_t cap, head, n;
    uint64_t next_seq;
};

int mq_confirms_init(struct mq_confirms *c, size_t cap);
void mq_confirms_done(struct mq_confirms *c);
/* A new channel: tags restart at 1; entries must have been drained. */
void mq_confirms_reset(struct mq_confirms *c);
/* Records the next publish of call id and returns its tag. When full, the oldest entry is
 * forgotten (its caller times out) and *ret_dropped gets its id (0 otherwise). */
uint64_t mq_confirms_push(struct mq_confirms *c, uint64_t id, uint64_t *ret_dropped);
/* basic.ack/nack tag (multiple: every tag <= tag): calls fn(id, ud) for each entry settled. */
size_t mq_confirms_settle(struct mq_confirms *c, uint64_t tag, bool multiple,
                          void (*fn)(uint64_t id, void *ud), void *ud);
/* Every entry (the channel is gone): fn for each, then empty. */
size_t mq_confirms_drain(struct mq_confirms *c, void (*fn)(uint64_t id, void *ud), void *ud);

/* ---- dispatch.c ---- */

/* The dispatch of one request body, without a delivery: status/body_size as
 * mq_delivery_status/_body_size say. Always sets *ret_reply (c->ok or c->fail's body; NULL only
 * when out of memory) and *ret_method (the table's name, or "unknown"). Returns 0 when the
 * method answered, else the error's r. */
int mq_dispatch_body(const struct mq_codec *c, const struct mq_method *m, size_t n, int status,
                     uint64_t body_size, size_t body_max, const char *body, size_t len, void *ud,
                     json_t **ret_reply, const char **ret_method);

/* ---- the mq object (mq.c, io.c) ---- */

/* Channels: consumers with their replies and acks; publishes with confirms; RPC replies. A
 * failing publish (a missing exchange) closes only channel 2, which is reopened at once. */
enum { MQ_CH_CONSUME = 1, MQ_CH_PUBLISH = 2, MQ_CH_REPLY = 3, MQ_CH_COUNT = 4 };

enum mq_op_kind {
    MQ_OP_PUBLISH, /* channel 2: mq_publish_json, mq_rpc (call_id waits) */
    MQ_OP_REPLY,   /* channel 1: publish to reply_to, then ack */
    MQ_OP_ACK,
    MQ_OP_REJECT,
};

/* Work for the I/O thread; owns everything it points to. */
struct mq_op {
    struct mq_op *next;
    enum mq_op_kind kind;
    uint64_t call_id;      /* PUBLISH */
    bool rpc;              /* PUBLISH: reply_to = our reply queue, transient, with expiration */
    int64_t expiration_ms; /* PUBLISH rpc */
    uint64_t generation;   /* REPLY/ACK/REJECT: the connection the delivery came on */
    uint64_t delivery_tag;
    bool requeue;
    char *exchange, *routing_key, *reply_to, *correlation_id; /* point into strings[] */
    char *body;                                               /* malloc'ed */
    size_t body_len;
    const char *queue; /* for metrics: the consumer's queue (borrowed from the table) */
    char strings[];
};

struct mq_delivery {
    struct mq_delivery *next; /* the I/O thread's deferred list (workq full) */
    struct mq *mq;
    size_t consumer; /* index in the consumer table */
    uint64_t generation, tag;
    bool redelivered, settled;
    const char *outcome; /* for metrics: "replied", "acked", "rejected", ... */
    int status;
    uint64_t body_size;
    char *body;
    size_t len;
    char *exchange, *routing_key, *correlation_id, *reply_to, *content_type; /* NULL = absent */
    int64_t t0_us;
};

/* A message being assembled from method, header and body frames on one channel. */
struct mq_asm {
    bool active, have_header;
    bool is_return; /* basic.return on the publish channel */
    unsigned return_code;
    uint64_t tag;
    bool redelivered;
    int consumer; /* index, or -1 for the reply consumer */
    char exchange[MQ_NAME_MAX + 1], routing_key[MQ_NAME_MAX + 1];
    char correlation_id[MQ_NAME_MAX + 1], reply_to[MQ_NAME_MAX + 1];
    char content_type[MQ_NAME_MAX + 1], message_id[MQ_NAME_MAX + 1];
    bool has_corr, has_reply_to, has_ctype, has_msgid;
    uint64_t body_size, got;
    char *body; /* NULL while skipping an oversize body */
    bool oversize;
};

struct mq_metrics {
    struct metric *deliveries;    /* mq_deliveries_total{queue,outcome} */
    struct metric *delivery_time; /* mq_delivery_duration_seconds{queue} */
    struct metric *oversize;      /* mq_oversize_total{queue} */
    struct metric *rpcs;          /* mq_rpc_total{routing_key,outcome} */
    struct metric *rpc_time;      /* mq_rpc_duration_seconds{routing_key} */
    struct metric *publishes;     /* mq_publish_total{routing_key,outcome} */
    struct metric *methods;       /* mq_methods_total{queue,method,outcome} */
    struct metric *method_time;   /* mq_method_duration_seconds{queue,method} */
    struct metric *connects;      /* mq_connects_total{outcome} */
    struct metric *connected;     /* mq_connected */
    struct metric *late_replies;  /* mq_rpc_late_replies_total */
};

struct mq {
    /* Set at start, then read-only. */
    struct mq_config cfg; /* strings point into owned copies below */
    char *own_name, *own_host, *own_vhost, *own_user, *own_password, *own_reply_exchange;
    const struct mq_decl *decls;
    size_t n_decls;
    const struct mq_consumer *cons;
    size_t n_cons;
    struct workq *workers;
    void *ud;
    struct mq_metrics met;
    int evfd; /* wakes the I/O thread: ops queued, cancel or stop asked */
    struct stopper *stop;
    pthread_t io;
    bool io_started;

    pthread_mutex_t lock; /* guards the fields down to calls */
    pthread_cond_t cond;  /* connected, deliveries_out, cancelled changed (monotonic clock) */
    struct mq_op *ops_head, *ops_tail;
    bool connected;
    uint64_t generation; /* connections established; the current one while connected */
    bool cancel_req, cancelled, closed, stopped, freeing;
    size_t deliveries_out; /* handed to the workq and not yet freed */
    char last_error[512];
    unsigned login_failures; /* see mq_login_failures */

    struct mq_calls calls; /* its own lock; never taken together with lock */

    /* The I/O thread's alone. */
    amqp_connection_state_t conn;
    char reply_queue[MQ_NAME_MAX + 1];
    struct mq_confirms confirms;
    struct mq_asm asm_[MQ_CH_COUNT];
    struct mq_delivery *deferred_head, *deferred_tail;
    struct backoff backoff;
    bool warned_down; /* the first failed connect of an outage is a warning, the rest debug */
};

void *mq_io_main(void *arg);
/* Records text as mq_last_error. */
void mq_set_last_error(struct mq *mq, const char *text);
/* Frees a delivery and counts it out (wakes mq_free). */
void mq_delivery_free(struct mq_delivery *d);
/* The job run on a worker for each delivery. */
void mq_delivery_run(void *arg);
void mq_delivery_release(void *arg);
/* op_new: one allocation for the op and its strings (NULL strings stay NULL). */
struct mq_op *mq_op_new(enum mq_op_kind kind, const char *exchange, const char *routing_key,
                        const char *reply_to, const char *correlation_id);
void mq_op_free(struct mq_op *op);
int64_t mq_now_us(void);
