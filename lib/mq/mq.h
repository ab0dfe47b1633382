/* AMQP 0-9-1 messaging over librabbitmq-c: one connection owned by one I/O thread, a declared
 * topology redeclared on every (re)connect, consumers whose handlers run on a lib/core worker
 * queue, replies and acks queued back to the I/O thread, publishes with broker confirms and an
 * RPC client with a timeout on every call. Nothing outside lib/mq calls librabbitmq-c.
 * docs/internals/mq.md has the threads, the lifetimes and what happens on a disconnect. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct mq;
struct mq_delivery;
struct workq;
struct metrics;
struct jv_schema;

/* Names on the wire are AMQP short strings. */
#define MQ_NAME_MAX 255
/* Defaults for the zero fields of struct mq_config. */
#define MQ_DEFAULT_PORT 5672
#define MQ_DEFAULT_HEARTBEAT_S 30
#define MQ_DEFAULT_PREFETCH 8
#define MQ_DEFAULT_BODY_MAX (1024 * 1024)
#define MQ_DEFAULT_BACKOFF_MAX_MS 2000
#define MQ_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define MQ_DEFAULT_RPC_TIMEOUT_MS 30000
/* The content type of every message lib/mq sends. The bodies are JSON, but Open Baton labels
 * them text/plain and NFVO 6's String listeners expect text (reference §3.1). */
#define MQ_CONTENT_TYPE "text/plain"
/* Calls (mq_rpc plus mq_publish_json) waiting at once; one more is -EAGAIN. */
#define MQ_CALLS_MAX 4096

struct mq_config {
    const char *name;     /* shown as the connection's name on the broker and in logs; NULL="pop" */
    const char *host;     /* NULL = "127.0.0.1" */
    uint16_t port;        /* 0 = 5672 */
    const char *vhost;    /* NULL = "/" */
    const char *user;     /* required */
    const char *password; /* required; never logged */
    unsigned heartbeat_s; /* 0 = 30; the broker may lower it, never to 0 (heartbeats stay on) */
    unsigned prefetch;    /* unacked deliveries per consumer; 0 = 8 */
    size_t body_max;      /* bytes of one incoming message body; 0 = 1 MiB */
    int64_t backoff_max_ms;     /* reconnect delay cap; 0 = 2000 (first retry after <= 100 ms) */
    int64_t connect_timeout_ms; /* TCP connect, AMQP handshake, each declaration; 0 = 5000 */
    int64_t rpc_timeout_ms; /* mq_rpc with timeout <= 0, and the publish confirm wait; 0 = 30000 */
    /* RPC replies: a private exclusive server-named queue (amq.gen-...), also bound to this
     * exchange with its own name as routing key when set, since Open Baton's Java plugins
     * publish replies through "openbaton-exchange" rather than the default exchange. */
    const char *rpc_reply_exchange;
    bool no_rpc; /* true: no reply queue is declared and mq_rpc is -EOPNOTSUPP */
};

/* The topology, declared in table order on every (re)connect. */
enum mq_decl_kind {
    MQ_EXCHANGE, /* .exchange, .type ("direct", "fanout", "topic", "headers") */
    MQ_QUEUE,    /* .queue */
    MQ_BIND,     /* .queue bound to .exchange with .routing_key ("" allowed) */
};

enum {
    MQ_DURABLE = 1u << 0,     /* exchanges, queues: survives a broker restart */
    MQ_AUTO_DELETE = 1u << 1, /* exchanges, queues: deleted when the last binding/consumer goes */
    MQ_EXCLUSIVE = 1u << 2,   /* queues: owned by this connection, deleted with it */
    /* exchanges, queues: only check that it exists, with the rights of a user who may not
     * configure it (an Open Baton plugin's user may bind to openbaton-exchange, not declare
     * it); a missing one fails the connection with -ENOENT and is retried with backoff */
    MQ_PASSIVE = 1u << 3,
    /* queues: deleted on an orderly mq_stop if it is empty then (queue.delete if-empty), so a
     * stopped service leaves no queue that peers would still send to; one holding requests
     * is kept for the next start (and its expiry). A crash leaves it to expires_ms. */
    MQ_DELETE_ON_STOP = 1u << 4,
};

/* The most a queue's expiry may be (the broker takes a 32-bit signed count of ms). */
#define MQ_EXPIRES_MAX_MS 2147483647LL

struct mq_decl {
    enum mq_decl_kind kind;
    const char *exchange;
    const char *queue;
    const char *routing_key;
    const char *type;
    unsigned flags; /* MQ_DURABLE | MQ_AUTO_DELETE | MQ_EXCLUSIVE | MQ_PASSIVE | ... */
    /* queues: the broker deletes the queue once it has had no consumer for this long (the
     * x-expires argument), 0 = never. Unlike MQ_AUTO_DELETE, a consumer that crashes leaves
     * its unacked requests in the queue for a restart within the expiry to take. */
    int64_t expires_ms;
};

/* Runs on a worker of the queue given to mq_start, one call per delivery. It settles the
 * delivery with mq_reply_json, mq_ack or mq_reject; one it leaves unsettled is acked when it
 * returns. It must not keep d after returning. ud is mq_start's. */
typedef void (*mq_handler_fn)(struct mq_delivery *d, void *ud);

struct mq_consumer {
    const char *queue;
    mq_handler_fn handler;
};

/* Checks cfg and the tables without starting anything: names present and at most MQ_NAME_MAX
 * bytes, flags that fit the kind, known exchange types, no declaration of the default
 * exchange or (unless MQ_PASSIVE) of an "amq." name the broker reserves, consumers with a
 * queue and a handler. Returns 0 or -EINVAL with err naming the entry ("decls[2].queue:
 * required"). err may be NULL. */
int mq_check(const struct mq_config *cfg, const struct mq_decl *decls, size_t n_decls,
             const struct mq_consumer *cons, size_t n_cons, struct pop_error *err);

/* Validates cfg and the tables (mq_check), then starts the I/O thread, which connects (and
 * reconnects) on its own; mq_start does not wait for the broker: see mq_wait_connected. The config
 * strings are copied; decls and cons are borrowed and must outlive mq. workers may be NULL only
 * when n_cons is 0; its max_queued need not cover the prefetch (a delivery the queue refuses is
 * held by the I/O thread and pushed again). metrics (may be NULL) gets lib/mq's families (one mq
 * per registry). Returns 0, -EINVAL (see mq_check; the reason is logged at debug), -ENOMEM or
 * -EAGAIN (no thread). */
int mq_start(const struct mq_config *cfg, const struct mq_decl *decls, size_t n_decls,
             const struct mq_consumer *cons, size_t n_cons, struct workq *workers,
             struct metrics *metrics, void *ud, struct mq **ret);

/* Stops consuming (basic.cancel), waits until the handlers of deliveries already taken have
 * settled them or the monotonic deadline_ms passes (time_mono_ms's clock), then fails every
 * waiting call with -ESHUTDOWN, closes the connection (unsettled deliveries go back to the
 * broker, which redelivers them) and joins the I/O thread. Replies of handlers that run later
 * are dropped. Idempotent. Must not be called from a handler. */
void mq_stop(struct mq *mq, int64_t deadline_ms);

/* mq_stop(mq, now) unless already stopped, then waits until every delivery handed to the
 * worker queue has been run or discarded (workq_drain/workq_free discard), and frees mq.
 * Accepts NULL. */
void mq_free(struct mq *mq);

/* Waits until the connection is up with its topology and consumers, at most timeout_ms.
 * Returns 0, -ETIMEDOUT or -ESHUTDOWN. */
int mq_wait_connected(struct mq *mq, int64_t timeout_ms);
bool mq_connected(struct mq *mq);
/* Connections established so far (1 after the first connect; +1 per recovery). */
uint64_t mq_connects(struct mq *mq);
/* The last connection or channel failure as text (library or broker words, e.g. "403
 * ACCESS_REFUSED - access to queue 'x' in vhost '/' refused for user 'u'"); "" if none. */
void mq_last_error(struct mq *mq, char *buf, size_t size);
/* Consecutive connection attempts whose TCP connect succeeded but whose login was refused
 * (wrong credentials, a deleted user, no access to the vhost); 0 after any successful login.
 * A service whose broker user is handed out by a peer (Open Baton's registration) takes a
 * growing count as the sign to ask for its credentials again. */
unsigned mq_login_failures(struct mq *mq);
/* Replaces the user and password (copied) used from the next connection attempt on, and
 * zeroes mq_login_failures; the current connection, if any, stays. With mq_login_failures this lets
 * a service that gets its broker user from a peer keep one mq (its metrics, its waiting calls)
 * across a new registration. Returns 0, -EINVAL (see mq_check for the rules) or -ENOMEM. */
int mq_set_login(struct mq *mq, const char *user, const char *password);

/* The delivery a handler got; everything returned is owned by d. */
/* The body, NUL-terminated (len excludes the NUL); NULL with *ret_len 0 when the message was
 * over body_max (mq_delivery_status says -EMSGSIZE: the body was discarded unread). */
const char *mq_delivery_body(const struct mq_delivery *d, size_t *ret_len);
/* 0, or -EMSGSIZE for a body over body_max (its declared size in mq_delivery_body_size). */
int mq_delivery_status(const struct mq_delivery *d);
uint64_t mq_delivery_body_size(const struct mq_delivery *d);
const char *mq_delivery_queue(const struct mq_delivery *d);
const char *mq_delivery_exchange(const struct mq_delivery *d);
const char *mq_delivery_routing_key(const struct mq_delivery *d);
const char *mq_delivery_correlation_id(const struct mq_delivery *d); /* NULL when absent */
const char *mq_delivery_reply_to(const struct mq_delivery *d);       /* NULL when absent */
const char *mq_delivery_content_type(const struct mq_delivery *d);   /* NULL when absent */
bool mq_delivery_redelivered(const struct mq_delivery *d);
/* The mq the delivery came from, e.g. to make an RPC from a handler. */
struct mq *mq_delivery_mq(const struct mq_delivery *d);

/* Steals body (a json_t of any type; NULL = JSON null). Publishes it to the delivery's reply_to
 * on the default exchange (the only exchange that reaches a direct reply-to address), echoing
 * correlation_id when the request had one, then acks the request: the reply is always on the
 * wire before the ack (same channel, in order), so a request is never acked without its reply
 * (at-least-once). Returns 0 once queued to the I/O thread, -EDESTADDRREQ when the request has
 * no reply_to (acked without a reply), -EALREADY (already settled), -ENOMEM (body not
 * serializable; acked) or -ESHUTDOWN (left unsettled; the broker redelivers it). If the
 * connection drops before the I/O thread gets to it, reply and ack are dropped and the broker
 * redelivers the request. */
int mq_reply_json(struct mq_delivery *d, json_t *body);
/* Acks without a reply. 0, -EALREADY or -ESHUTDOWN. */
int mq_ack(struct mq_delivery *d);
/* Rejects: requeue true puts it back for another delivery (careful: at once), false drops it
 * (or dead-letters it, if the queue says so). 0, -EALREADY or -ESHUTDOWN. */
int mq_reject(struct mq_delivery *d, bool requeue);

/* Steals body. Publishes a persistent message with mandatory set and waits for the broker's
 * confirm, at most rpc_timeout_ms. Returns 0 (the broker has it), -ENOENT (no such exchange,
 * or no queue bound for that routing key: unroutable), -ENOTCONN (not connected: fails at
 * once, no queueing while the broker is away), -ECONNRESET (the connection dropped before the
 * confirm: it may or may not have been delivered), -ETIMEDOUT, -EAGAIN (MQ_CALLS_MAX calls
 * waiting), -EIO (nacked), -EINVAL (a name too long), -ESHUTDOWN, -ENOMEM. */
int mq_publish_json(struct mq *mq, const char *exchange, const char *routing_key, json_t *body);

/* Sends request (borrowed) with a fresh correlation id and reply_to = this mq's reply queue,
 * an expiration of timeout_ms (a request nobody took before its caller gave up is dropped by
 * the broker, not run late) and mandatory set, and waits for the reply, at most timeout_ms
 * (<= 0: rpc_timeout_ms). On 0 *ret holds the reply parsed with lib/json's caps (any JSON
 * value, `null` included). Errors: -ETIMEDOUT (no reply in time; a late one is dropped),
 * -ENOTCONN (not connected: at once), -ECONNRESET (the connection dropped while the call was
 * in flight: the request may have been handled), -ENOENT (no exchange, or no queue for the
 * routing key: nobody serves it), -EMSGSIZE (reply over body_max), -EBADMSG (reply not JSON),
 * -EAGAIN, -EOPNOTSUPP (no_rpc), -EINVAL, -ESHUTDOWN, -ENOMEM. Any thread but a stopping one;
 * handlers may call it. */
int mq_rpc(struct mq *mq, const char *exchange, const char *routing_key, const json_t *request,
           int64_t timeout_ms, json_t **ret);

/* Method tables for the envelope protocols: Open Baton's plugin RPC
 * {"methodName","parameters":[...]} -> {"answer"} | {"exception":{"detailMessage"}} is one
 * codec, the VNFM protocol another. */
struct mq_method {
    const char *name;
    /* Parameters expected when params is an array: the overload is chosen by count, as Open
     * Baton's plugin SDK does (launchInstanceAndWait with 8 or 10); -1 = any count. */
    int n_params;
    /* When params is an object, validated with jv_validate before run; NULL = not checked. */
    const struct jv_schema *params_schema;
    /* Fills *ret_answer (a new reference; NULL = JSON null) and returns >= 0, or returns < 0
     * with err filled (or not: the errno's default API code is used). params is borrowed. */
    int (*run)(const json_t *params, json_t **ret_answer, struct pop_error *err, void *ud);
};

struct mq_codec {
    const char *method_key; /* "methodName" */
    const char *params_key; /* "parameters"; absent in a request = an empty array */
    /* Builds the reply body; both return a new reference or NULL (out of memory). */
    json_t *(*ok)(json_t *answer); /* steals answer (never NULL: JSON null when none) */
    json_t *(*fail)(const struct pop_error *e);
    /* Parses a request body into an object; NULL = jv_parse (duplicates refused, depth and NUL
     * checks). The hook is for a peer that sends non-standard JSON, such as Open Baton's Java
     * plugin SDK, whose registration bodies use single quotes (the NFVO's concern). On failure
     * returns < 0 with err filled. */
    int (*parse)(const char *buf, size_t len, json_t **ret, struct pop_error *err);
};

/* Open Baton's plugin envelope: ok = {"answer": answer}, fail = {"exception": {"detailMessage":
 * detail (the API title when empty), "code": the API code}}. */
extern const struct mq_codec mq_codec_openbaton;

/* Handles one request delivery: parses it with c, picks the method of m by name and parameter
 * count, runs it (ud passed on) and replies with c->ok or c->fail, then acks. A body over the
 * cap, a malformed body, an unknown method or a wrong parameter count are answered with
 * c->fail naming the problem, never dropped. Counts mq_methods_total{queue,method,outcome} and
 * the duration when mq has a registry. Call it from a handler. */
void mq_dispatch(struct mq_delivery *d, const struct mq_codec *c, const struct mq_method *m,
                 size_t n, void *ud);
