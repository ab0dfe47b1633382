/* The public side of lib/mq: start and stop, the delivery a handler sees, and the calls any
 * thread makes (reply, ack, publish, RPC). None of it touches librabbitmq-c: everything for the
 * connection is queued to the I/O thread (io.c) and wakes it through an eventfd. */
#include "mq/mq-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/stopper.h"
#include "core/timeutil.h"
#include "core/workq.h"
#include "json/jv.h"

int64_t mq_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct mq_op *mq_op_new(enum mq_op_kind kind, const char *exchange, const char *routing_key,
                        const char *reply_to, const char *correlation_id)
{
    const char *s[] = {exchange, routing_key, reply_to, correlation_id};
    size_t total = 0;
    for (size_t i = 0; i < ARRAY_SIZE(s); i++)
        if (s[i])
            total += strlen(s[i]) + 1;
    struct mq_op *op = calloc(1, sizeof(*op) + total);
    if (!op)
        return NULL;
    op->kind = kind;
    char *p = op->strings;
    char **dst[] = {&op->exchange, &op->routing_key, &op->reply_to, &op->correlation_id};
    for (size_t i = 0; i < ARRAY_SIZE(s); i++) {
        if (!s[i])
            continue;
        size_t n = strlen(s[i]) + 1;
        memcpy(p, s[i], n);
        *dst[i] = p;
        p += n;
    }
    return op;
}

void mq_op_free(struct mq_op *op)
{
    if (!op)
        return;
    free(op->body);
    free(op);
}

static void wake(struct mq *mq)
{
    uint64_t one = 1;
    /* EAGAIN means the counter is already non-zero: the thread wakes anyway. */
    ssize_t n = write(mq->evfd, &one, sizeof(one));
    (void)n;
}

/* Queues op for the I/O thread (which then owns it). -ESHUTDOWN once mq_stop closed intake. */
static int ops_push(struct mq *mq, struct mq_op *op)
{
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
        if (mq->closed)
            return -ESHUTDOWN;
        op->next = NULL;
        if (mq->ops_tail)
            mq->ops_tail->next = op;
        else
            mq->ops_head = op;
        mq->ops_tail = op;
    }
    wake(mq);
    return 0;
}

void mq_set_last_error(struct mq *mq, const char *text)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    snprintf(mq->last_error, sizeof(mq->last_error), "%s", text);
}

static int own_copy(const char *s, const char *fallback, char **own, const char **field)
{
    if (!s)
        s = fallback;
    if (!s) {
        *field = NULL;
        return 0;
    }
    *own = strdup(s);
    if (!*own)
        return -ENOMEM;
    *field = *own;
    return 0;
}

static int register_metrics(struct mq *mq, struct metrics *m)
{
    static const char *const queue_outcome[] = {"queue", "outcome", NULL};
    static const char *const queue[] = {"queue", NULL};
    static const char *const key_outcome[] = {"routing_key", "outcome", NULL};
    static const char *const key[] = {"routing_key", NULL};
    static const char *const method_outcome[] = {"queue", "method", "outcome", NULL};
    static const char *const method[] = {"queue", "method", NULL};
    static const char *const outcome[] = {"outcome", NULL};
    int r;
    if ((r = metrics_counter(m, "mq_deliveries_total",
                             "Deliveries handled, by queue and how they were settled",
                             queue_outcome, &mq->met.deliveries)) < 0 ||
        (r = metrics_summary(m, "mq_delivery_duration_seconds", "Handler time per delivery", queue,
                             &mq->met.delivery_time)) < 0 ||
        (r = metrics_counter(m, "mq_oversize_total",
                             "Deliveries whose body was over the cap (discarded unread)", queue,
                             &mq->met.oversize)) < 0 ||
        (r = metrics_counter(m, "mq_rpc_total", "RPCs made, by routing key and outcome",
                             key_outcome, &mq->met.rpcs)) < 0 ||
        (r = metrics_summary(m, "mq_rpc_duration_seconds", "RPC round trip time", key,
                             &mq->met.rpc_time)) < 0 ||
        (r = metrics_counter(m, "mq_publish_total",
                             "Confirmed publishes, by routing key and outcome", key_outcome,
                             &mq->met.publishes)) < 0 ||
        (r = metrics_counter(m, "mq_methods_total",
                             "Method calls dispatched, by queue, method and outcome",
                             method_outcome, &mq->met.methods)) < 0 ||
        (r = metrics_summary(m, "mq_method_duration_seconds", "Method handling time", method,
                             &mq->met.method_time)) < 0 ||
        (r = metrics_counter(m, "mq_connects_total", "Connection attempts, by outcome", outcome,
                             &mq->met.connects)) < 0 ||
        (r = metrics_gauge(m, "mq_connected", "1 while connected with topology and consumers", NULL,
                           &mq->met.connected)) < 0 ||
        (r = metrics_counter(m, "mq_rpc_late_replies_total",
                             "Replies that matched no waiting RPC (it had timed out or failed)",
                             NULL, &mq->met.late_replies)) < 0)
        return r;
    return 0;
}

static void mq_destroy(struct mq *mq)
{
    if (!mq)
        return;
    while (mq->ops_head) {
        struct mq_op *op = mq->ops_head;
        mq->ops_head = op->next;
        mq_op_free(op);
    }
    if (mq->evfd >= 0)
        close(mq->evfd);
    stopper_free(mq->stop);
    mq_confirms_done(&mq->confirms);
    mq_calls_done(&mq->calls);
    pthread_cond_destroy(&mq->cond);
    pthread_mutex_destroy(&mq->lock);
    free(mq->own_name);
    free(mq->own_host);
    free(mq->own_vhost);
    free(mq->own_user);
    if (mq->own_password) {
        explicit_bzero(mq->own_password, strlen(mq->own_password));
        free(mq->own_password);
    }
    free(mq->own_reply_exchange);
    free(mq);
}

int mq_start(const struct mq_config *cfg, const struct mq_decl *decls, size_t n_decls,
             const struct mq_consumer *cons, size_t n_cons, struct workq *workers,
             struct metrics *metrics, void *ud, struct mq **ret)
{
    struct pop_error err = POP_ERROR_INIT;
    int r = mq_check(cfg, decls, n_decls, cons, n_cons, &err);
    if (r < 0) {
        log_debug("mq: refused configuration: %s", err.detail);
        return r;
    }
    if (n_cons && !workers) {
        log_debug("mq: consumers need a worker queue");
        return -EINVAL;
    }
    struct mq *mq = calloc(1, sizeof(*mq));
    if (!mq)
        return -ENOMEM;
    mq->evfd = -1;
    if (pthread_mutex_init(&mq->lock, NULL) != 0) {
        free(mq);
        return -ENOMEM;
    }
    if ((r = cond_init_mono(&mq->cond)) < 0) {
        pthread_mutex_destroy(&mq->lock);
        free(mq);
        return r;
    }
    if ((r = mq_calls_init(&mq->calls, MQ_CALLS_MAX, 0)) < 0 ||
        (r = mq_confirms_init(&mq->confirms, 2 * MQ_CALLS_MAX)) < 0)
        goto fail;

    mq->cfg = *cfg;
    if ((r = own_copy(cfg->name, "pop", &mq->own_name, &mq->cfg.name)) < 0 ||
        (r = own_copy(cfg->host, "127.0.0.1", &mq->own_host, &mq->cfg.host)) < 0 ||
        (r = own_copy(cfg->vhost, "/", &mq->own_vhost, &mq->cfg.vhost)) < 0 ||
        (r = own_copy(cfg->user, NULL, &mq->own_user, &mq->cfg.user)) < 0 ||
        (r = own_copy(cfg->password, NULL, &mq->own_password, &mq->cfg.password)) < 0 ||
        (r = own_copy(cfg->rpc_reply_exchange, NULL, &mq->own_reply_exchange,
                      &mq->cfg.rpc_reply_exchange)) < 0)
        goto fail;
    if (!mq->cfg.port)
        mq->cfg.port = MQ_DEFAULT_PORT;
    if (!mq->cfg.heartbeat_s)
        mq->cfg.heartbeat_s = MQ_DEFAULT_HEARTBEAT_S;
    if (!mq->cfg.prefetch)
        mq->cfg.prefetch = MQ_DEFAULT_PREFETCH;
    if (!mq->cfg.body_max)
        mq->cfg.body_max = MQ_DEFAULT_BODY_MAX;
    if (!mq->cfg.backoff_max_ms)
        mq->cfg.backoff_max_ms = MQ_DEFAULT_BACKOFF_MAX_MS;
    if (!mq->cfg.connect_timeout_ms)
        mq->cfg.connect_timeout_ms = MQ_DEFAULT_CONNECT_TIMEOUT_MS;
    if (!mq->cfg.rpc_timeout_ms)
        mq->cfg.rpc_timeout_ms = MQ_DEFAULT_RPC_TIMEOUT_MS;
    mq->decls = decls;
    mq->n_decls = n_decls;
    mq->cons = cons;
    mq->n_cons = n_cons;
    mq->workers = workers;
    mq->ud = ud;
    if (metrics && (r = register_metrics(mq, metrics)) < 0)
        goto fail;
    mq->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (mq->evfd < 0) {
        r = -errno;
        goto fail;
    }
    if ((r = stopper_new(&mq->stop)) < 0)
        goto fail;
    r = pthread_create(&mq->io, NULL, mq_io_main, mq);
    if (r != 0) {
        r = -EAGAIN;
        goto fail;
    }
    mq->io_started = true;
    pthread_setname_np(mq->io, "mq-io");
    *ret = mq;
    return 0;
fail:
    mq_destroy(mq);
    return r;
}

void mq_stop(struct mq *mq, int64_t deadline_ms)
{
    if (!mq)
        return;
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
        if (mq->stopped)
            return;
        mq->stopped = true;
        mq->cancel_req = true;
    }
    wake(mq);
    {
        /* No new deliveries once the consumers are cancelled; then the ones taken settle. */
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
        while (!mq->cancelled)
            if (cond_wait_until(&mq->cond, &mq->lock, deadline_ms) == -ETIMEDOUT)
                break;
        while (mq->deliveries_out > 0)
            if (cond_wait_until(&mq->cond, &mq->lock, deadline_ms) == -ETIMEDOUT)
                break;
        mq->closed = true; /* replies queued so far still go out; later ones are refused */
    }
    mq_calls_close(&mq->calls, -ESHUTDOWN);
    stopper_fire(mq->stop);
    if (mq->io_started) {
        pthread_join(mq->io, NULL);
        mq->io_started = false;
    }
}

void mq_free(struct mq *mq)
{
    if (!mq)
        return;
    mq_stop(mq, time_mono_ms());
    {
        /* Deliveries still queued on the workers point at mq: wait until each was run or
         * discarded by the queue's drain. */
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
        mq->freeing = true;
        while (mq->deliveries_out > 0)
            cond_wait_until(&mq->cond, &mq->lock, INT64_MAX);
    }
    mq_destroy(mq);
}

int mq_wait_connected(struct mq *mq, int64_t timeout_ms)
{
    int64_t deadline = time_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    while (!mq->connected) {
        if (mq->stopped)
            return -ESHUTDOWN;
        if (cond_wait_until(&mq->cond, &mq->lock, deadline) == -ETIMEDOUT && !mq->connected)
            return -ETIMEDOUT;
    }
    return 0;
}

bool mq_connected(struct mq *mq)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    return mq->connected;
}

uint64_t mq_connects(struct mq *mq)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    return mq->generation;
}

void mq_last_error(struct mq *mq, char *buf, size_t size)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    snprintf(buf, size, "%s", mq->last_error);
}

int mq_set_login(struct mq *mq, const char *user, const char *password)
{
    struct mq_config probe = {.user = user, .password = password};
    char why[128];
    if (mq_check_config(&probe, why, sizeof(why)) < 0) {
        log_debug("mq_set_login: %s", why);
        return -EINVAL;
    }
    char *u = strdup(user), *pw = strdup(password);
    if (!u || !pw) {
        free(u);
        free(pw);
        return -ENOMEM;
    }
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    free(mq->own_user);
    explicit_bzero(mq->own_password, strlen(mq->own_password));
    free(mq->own_password);
    mq->own_user = u;
    mq->own_password = pw;
    mq->cfg.user = u;
    mq->cfg.password = pw;
    mq->login_failures = 0; /* refusals of the old credentials say nothing of the new */
    return 0;
}

unsigned mq_login_failures(struct mq *mq)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    return mq->login_failures;
}

/* ---- deliveries ---- */

const char *mq_delivery_body(const struct mq_delivery *d, size_t *ret_len)
{
    if (ret_len)
        *ret_len = d->body ? d->len : 0;
    return d->body;
}

int mq_delivery_status(const struct mq_delivery *d)
{
    return d->status;
}

uint64_t mq_delivery_body_size(const struct mq_delivery *d)
{
    return d->body_size;
}

const char *mq_delivery_queue(const struct mq_delivery *d)
{
    return d->mq->cons[d->consumer].queue;
}

const char *mq_delivery_exchange(const struct mq_delivery *d)
{
    return d->exchange ? d->exchange : "";
}

const char *mq_delivery_routing_key(const struct mq_delivery *d)
{
    return d->routing_key ? d->routing_key : "";
}

const char *mq_delivery_correlation_id(const struct mq_delivery *d)
{
    return d->correlation_id;
}

const char *mq_delivery_reply_to(const struct mq_delivery *d)
{
    return d->reply_to;
}

const char *mq_delivery_content_type(const struct mq_delivery *d)
{
    return d->content_type;
}

bool mq_delivery_redelivered(const struct mq_delivery *d)
{
    return d->redelivered;
}

struct mq *mq_delivery_mq(const struct mq_delivery *d)
{
    return d->mq;
}

void mq_delivery_free(struct mq_delivery *d)
{
    if (!d)
        return;
    struct mq *mq = d->mq;
    free(d->body);
    free(d->exchange);
    free(d->routing_key);
    free(d->correlation_id);
    free(d->reply_to);
    free(d->content_type);
    free(d);
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    mq->deliveries_out--;
    if (mq->deliveries_out == 0)
        pthread_cond_broadcast(&mq->cond);
}

void mq_delivery_run(void *arg)
{
    struct mq_delivery *d = arg;
    struct mq *mq = d->mq;
    log_set_request_id(d->correlation_id);
    int64_t t0 = mq_now_us();
    mq->cons[d->consumer].handler(d, mq->ud);
    if (!d->settled)
        mq_ack(d);
    const char *labels[] = {mq_delivery_queue(d)};
    metric_observe_us(mq->met.delivery_time, labels, (uint64_t)(mq_now_us() - t0));
    log_set_request_id(NULL);
}

void mq_delivery_release(void *arg)
{
    struct mq_delivery *d = arg;
    const char *labels[] = {mq_delivery_queue(d), d->outcome ? d->outcome : "discarded"};
    metric_add(d->mq->met.deliveries, labels, 1);
    mq_delivery_free(d);
}

static int settle(struct mq_delivery *d, struct mq_op *op, const char *outcome)
{
    if (!op)
        return -ENOMEM;
    op->generation = d->generation;
    op->delivery_tag = d->tag;
    op->queue = mq_delivery_queue(d);
    int r = ops_push(d->mq, op);
    if (r < 0) {
        mq_op_free(op);
        d->outcome = "unsettled";
        return r;
    }
    d->settled = true;
    d->outcome = outcome;
    return 0;
}

int mq_reply_json(struct mq_delivery *d, json_t *body)
{
    if (d->settled) {
        json_decref(body);
        return -EALREADY;
    }
    if (!d->reply_to) {
        json_decref(body);
        log_debug("mq: request on %s has no reply_to: acked without a reply", mq_delivery_queue(d));
        int r = mq_ack(d);
        return r < 0 ? r : -EDESTADDRREQ;
    }
    char *text = jv_dump(body ? body : json_null());
    json_decref(body);
    if (!text) {
        int r = mq_ack(d);
        return r < 0 ? r : -ENOMEM;
    }
    struct mq_op *op = mq_op_new(MQ_OP_REPLY, "", d->reply_to, NULL, d->correlation_id);
    if (!op) {
        free(text);
        return -ENOMEM;
    }
    op->body = text;
    op->body_len = strlen(text);
    return settle(d, op, "replied");
}

int mq_ack(struct mq_delivery *d)
{
    if (d->settled)
        return -EALREADY;
    return settle(d, mq_op_new(MQ_OP_ACK, NULL, NULL, NULL, NULL), "acked");
}

int mq_reject(struct mq_delivery *d, bool requeue)
{
    if (d->settled)
        return -EALREADY;
    struct mq_op *op = mq_op_new(MQ_OP_REJECT, NULL, NULL, NULL, NULL);
    if (op)
        op->requeue = requeue;
    return settle(d, op, requeue ? "requeued" : "rejected");
}

/* ---- publish and RPC ---- */

static const char *call_outcome(int r)
{
    switch (r) {
    case 0:
        return "ok";
    case -ETIMEDOUT:
        return "timeout";
    case -ENOTCONN:
        return "unavailable";
    case -ECONNRESET:
        return "reset";
    case -ENOENT:
        return "unroutable";
    case -EMSGSIZE:
        return "too_large";
    case -EBADMSG:
        return "bad_reply";
    case -ESHUTDOWN:
        return "shutdown";
    case -EAGAIN:
        return "busy";
    default:
        return "error";
    }
}

static bool name_ok(const char *s)
{
    return s && strlen(s) <= MQ_NAME_MAX;
}

/* Queues a publish of text on the publish channel for call (registered by the caller) and
 * waits for it. Takes text. */
static int call_publish(struct mq *mq, struct mq_call *call, const char *exchange,
                        const char *routing_key, char *text, bool rpc, int64_t timeout_ms,
                        char **ret_reply, size_t *ret_len)
{
    int64_t deadline = time_mono_ms() + timeout_ms;
    char corr[MQ_CORR_MAX];
    mq_calls_corr(&mq->calls, call->id, corr);
    struct mq_op *op = mq_op_new(MQ_OP_PUBLISH, exchange, routing_key, NULL, corr);
    if (!op) {
        free(text);
        mq_call_abandon(&mq->calls, call);
        return -ENOMEM;
    }
    op->body = text;
    op->body_len = strlen(text);
    op->call_id = call->id;
    op->rpc = rpc;
    op->expiration_ms = timeout_ms;
    int r = ops_push(mq, op);
    if (r < 0) {
        mq_op_free(op);
        mq_call_abandon(&mq->calls, call);
        return r;
    }
    return mq_call_wait(&mq->calls, call, deadline, ret_reply, ret_len);
}

int mq_publish_json(struct mq *mq, const char *exchange, const char *routing_key, json_t *body)
{
    int r;
    if (!exchange)
        exchange = "";
    if (!name_ok(exchange) || !name_ok(routing_key)) {
        json_decref(body);
        r = -EINVAL;
        goto out;
    }
    char *text = jv_dump(body ? body : json_null());
    json_decref(body);
    if (!text) {
        r = -ENOMEM;
        goto out;
    }
    if (!mq_connected(mq)) {
        free(text);
        r = -ENOTCONN;
        goto out;
    }
    struct mq_call call;
    r = mq_call_begin(&mq->calls, &call, false);
    if (r < 0) {
        free(text);
        goto out;
    }
    r = call_publish(mq, &call, exchange, routing_key, text, false, mq->cfg.rpc_timeout_ms, NULL,
                     NULL);
out:;
    const char *labels[] = {routing_key, call_outcome(r)};
    metric_add(mq->met.publishes, labels, 1);
    if (r < 0)
        log_debug("mq: publish to '%s' / '%s' failed: %s", exchange ? exchange : "",
                  routing_key ? routing_key : "", strerror(-r));
    return r;
}

int mq_rpc(struct mq *mq, const char *exchange, const char *routing_key, const json_t *request,
           int64_t timeout_ms, json_t **ret)
{
    int64_t t0 = mq_now_us();
    int r;
    if (timeout_ms <= 0)
        timeout_ms = mq->cfg.rpc_timeout_ms;
    if (!exchange)
        exchange = "";
    if (mq->cfg.no_rpc) {
        r = -EOPNOTSUPP;
        goto out;
    }
    if (!name_ok(exchange) || !name_ok(routing_key)) {
        r = -EINVAL;
        goto out;
    }
    if (!mq_connected(mq)) {
        r = -ENOTCONN;
        goto out;
    }
    char *text = jv_dump(request ? request : json_null());
    if (!text) {
        r = -ENOMEM;
        goto out;
    }
    struct mq_call call;
    r = mq_call_begin(&mq->calls, &call, true);
    if (r < 0) {
        free(text);
        goto out;
    }
    char *reply = NULL;
    size_t len = 0;
    r = call_publish(mq, &call, exchange, routing_key, text, true, timeout_ms, &reply, &len);
    if (r == 0) {
        struct jv_error je;
        json_t *v = NULL;
        r = jv_parse_value(reply ? reply : "", reply ? len : 0, &v, &je);
        free(reply);
        if (r < 0) {
            char why[320];
            jv_error_format(&je, why, sizeof(why));
            log_debug("mq: RPC to '%s' answered with a body that is not JSON: %s", routing_key,
                      why);
            r = r == -ENOMEM ? r : -EBADMSG;
        } else {
            *ret = v;
        }
    }
out:;
    const char *labels[] = {routing_key, call_outcome(r)};
    metric_add(mq->met.rpcs, labels, 1);
    const char *key[] = {routing_key};
    metric_observe_us(mq->met.rpc_time, key, (uint64_t)(mq_now_us() - t0));
    if (r < 0)
        log_debug("mq: RPC to '%s' / '%s' failed: %s", exchange, routing_key ? routing_key : "",
                  strerror(-r));
    return r;
}
