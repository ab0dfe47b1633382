/* The I/O thread: the only thread that calls librabbitmq-c. It connects (with capped, jittered
 * backoff), declares the topology, consumes, and then polls the socket, its eventfd and the
 * stop token: frames are read without blocking and assembled here (so an oversize body is
 * skipped frame by frame, never buffered), heartbeats are sent and checked on every wake-up
 * (at least every half interval, whatever the handlers do), and the replies, acks and
 * publishes other threads queued are written. */
#include "mq/mq-int.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <amqp_tcp_socket.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/stopper.h"
#include "core/timeutil.h"
#include "core/workq.h"

#define IO_FRAMES_PER_WAKE 256 /* then the queued ops get a turn */
#define IO_DEFERRED_RETRY_MS 10
#define IO_BACKOFF_BASE_MS 100
#define IO_HEALTHY_MS 10000

/* The connection the I/O thread is on, and whether the outage was already reported. */
struct io {
    struct mq *mq;
    uint64_t gen; /* mq->generation while connected */
    char text[512];
    char user[MQ_NAME_MAX + 1]; /* the user of the current (or last) attempt */
};

static struct timeval ms_tv(int64_t ms)
{
    return (struct timeval){.tv_sec = (time_t)(ms / 1000),
                            .tv_usec = (suseconds_t)(ms % 1000) * 1000};
}

static amqp_bytes_t bytes(const char *s)
{
    return s ? amqp_cstring_bytes(s) : amqp_empty_bytes;
}

/* Copies an AMQP short string (not NUL-terminated) into out[MQ_NAME_MAX + 1]. */
static void copy_bytes(char *out, amqp_bytes_t b)
{
    size_t n = b.len > MQ_NAME_MAX ? MQ_NAME_MAX : b.len;
    if (n)
        memcpy(out, b.bytes, n);
    out[n] = '\0';
}

static int fail_text(struct io *io, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_text(struct io *io, int r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(io->text, sizeof(io->text), fmt, ap);
    va_end(ap);
    mq_set_last_error(io->mq, io->text);
    return r;
}

static int check_reply(struct io *io, const char *what)
{
    amqp_rpc_reply_t rep = amqp_get_rpc_reply(io->mq->conn);
    int r = mq_errno_from_reply(rep, what, io->text, sizeof(io->text));
    if (r < 0)
        mq_set_last_error(io->mq, io->text);
    return r;
}

static void set_connected(struct io *io, bool up)
{
    struct mq *mq = io->mq;
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
        mq->connected = up;
        if (up)
            io->gen = ++mq->generation;
        pthread_cond_broadcast(&mq->cond);
    }
    metric_set(mq->met.connected, NULL, up ? 1 : 0);
}

/* mq_stop asked for the consumers to go: none is started on a reconnect after that. */
static bool consumers_stopping(struct mq *mq)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    return mq->cancel_req;
}

static bool cancel_requested(struct mq *mq)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    return mq->cancel_req && !mq->cancelled;
}

static void set_cancelled(struct mq *mq)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    mq->cancelled = true;
    pthread_cond_broadcast(&mq->cond);
}

static struct mq_op *take_ops(struct mq *mq)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    struct mq_op *ops = mq->ops_head;
    mq->ops_head = mq->ops_tail = NULL;
    return ops;
}

/* Puts ops not yet run back at the front of the queue, in order. */
static void untake_ops(struct mq *mq, struct mq_op *ops)
{
    if (!ops)
        return;
    struct mq_op *last = ops;
    while (last->next)
        last = last->next;
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    last->next = mq->ops_head;
    mq->ops_head = ops;
    if (!mq->ops_tail)
        mq->ops_tail = last;
}

static void drain_evfd(struct mq *mq)
{
    uint64_t v;
    ssize_t n = read(mq->evfd, &v, sizeof(v));
    (void)n;
}

/* While disconnected: publishes fail at once (nothing was sent), settlements are dropped (the
 * broker redelivers what was never acked). */
static void fail_ops(struct mq *mq, int r)
{
    struct mq_op *op = take_ops(mq);
    while (op) {
        struct mq_op *next = op->next;
        if (op->kind == MQ_OP_PUBLISH)
            mq_calls_finish(&mq->calls, op->call_id, r, NULL, 0);
        else
            log_debug("mq: settlement of delivery %" PRIu64 " on %s dropped: not connected "
                      "(the broker redelivers it)",
                      op->delivery_tag, op->queue ? op->queue : "?");
        mq_op_free(op);
        op = next;
    }
}

/* ---- connecting ---- */

static void count_login(struct mq *mq, bool ok)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
    mq->login_failures = ok ? 0 : mq->login_failures + 1;
}

/* The queue arguments of d: x-expires when it has an expiry (entry is the storage). */
static amqp_table_t queue_args(const struct mq_decl *d, amqp_table_entry_t *entry)
{
    if (!d->expires_ms)
        return amqp_empty_table;
    *entry = (amqp_table_entry_t){
        .key = amqp_cstring_bytes("x-expires"),
        .value = {.kind = AMQP_FIELD_KIND_I32, .value = {.i32 = (int32_t)d->expires_ms}}};
    return (amqp_table_t){.num_entries = 1, .entries = entry};
}

static int declare(struct io *io, const struct mq_decl *d)
{
    amqp_connection_state_t c = io->mq->conn;
    bool passive = d->flags & MQ_PASSIVE;
    char what[MQ_NAME_MAX * 2 + 64];
    switch (d->kind) {
    case MQ_EXCHANGE:
        snprintf(what, sizeof(what), "declare exchange '%s'", d->exchange);
        amqp_exchange_declare(c, MQ_CH_CONSUME, bytes(d->exchange), bytes(d->type), passive,
                              !!(d->flags & MQ_DURABLE), !!(d->flags & MQ_AUTO_DELETE), 0,
                              amqp_empty_table);
        break;
    case MQ_QUEUE:
        snprintf(what, sizeof(what), "declare queue '%s'", d->queue);
        amqp_table_entry_t arg;
        amqp_queue_declare(c, MQ_CH_CONSUME, bytes(d->queue), passive, !!(d->flags & MQ_DURABLE),
                           !!(d->flags & MQ_EXCLUSIVE), !!(d->flags & MQ_AUTO_DELETE),
                           queue_args(d, &arg));
        break;
    case MQ_BIND:
        snprintf(what, sizeof(what), "bind queue '%s' to '%s'", d->queue, d->exchange);
        amqp_queue_bind(c, MQ_CH_CONSUME, bytes(d->queue), bytes(d->exchange),
                        bytes(d->routing_key ? d->routing_key : ""), amqp_empty_table);
        break;
    }
    return check_reply(io, what);
}

static int open_channel(struct io *io, amqp_channel_t ch)
{
    amqp_channel_open(io->mq->conn, ch);
    char what[32];
    snprintf(what, sizeof(what), "open channel %u", ch);
    return check_reply(io, what);
}

static int setup_publish_channel(struct io *io)
{
    int r = open_channel(io, MQ_CH_PUBLISH);
    if (r < 0)
        return r;
    amqp_confirm_select(io->mq->conn, MQ_CH_PUBLISH);
    r = check_reply(io, "confirm.select");
    if (r < 0)
        return r;
    mq_confirms_reset(&io->mq->confirms);
    return 0;
}

static int setup_reply_queue(struct io *io)
{
    struct mq *mq = io->mq;
    int r = open_channel(io, MQ_CH_REPLY);
    if (r < 0)
        return r;
    /* Server-named and exclusive: private to this connection, gone with it. Not auto-delete,
     * which would delete it if its consumer were ever cancelled. */
    amqp_queue_declare_ok_t *ok =
        amqp_queue_declare(mq->conn, MQ_CH_REPLY, amqp_empty_bytes, 0, 0, 1, 0, amqp_empty_table);
    if ((r = check_reply(io, "declare the RPC reply queue")) < 0)
        return r;
    if (!ok || !ok->queue.len)
        return fail_text(io, -EPROTO, "declare the RPC reply queue: no name from the broker");
    copy_bytes(mq->reply_queue, ok->queue);
    if (mq->cfg.rpc_reply_exchange) {
        amqp_queue_bind(mq->conn, MQ_CH_REPLY, bytes(mq->reply_queue),
                        bytes(mq->cfg.rpc_reply_exchange), bytes(mq->reply_queue),
                        amqp_empty_table);
        if ((r = check_reply(io, "bind the RPC reply queue")) < 0)
            return r;
    }
    amqp_basic_consume(mq->conn, MQ_CH_REPLY, bytes(mq->reply_queue), bytes("pop-reply"), 0, 1, 1,
                       amqp_empty_table);
    return check_reply(io, "consume the RPC reply queue");
}

static int start_consumers(struct io *io)
{
    struct mq *mq = io->mq;
    if (consumers_stopping(mq) || mq->n_cons == 0) {
        set_cancelled(mq);
        return 0;
    }
    amqp_basic_qos(mq->conn, MQ_CH_CONSUME, 0, (uint16_t)mq->cfg.prefetch, 0);
    int r = check_reply(io, "basic.qos");
    if (r < 0)
        return r;
    for (size_t i = 0; i < mq->n_cons; i++) {
        char tag[32], what[MQ_NAME_MAX + 32];
        snprintf(tag, sizeof(tag), "pop-%zu", i);
        snprintf(what, sizeof(what), "consume queue '%s'", mq->cons[i].queue);
        amqp_basic_consume(mq->conn, MQ_CH_CONSUME, bytes(mq->cons[i].queue), bytes(tag), 0, 0, 0,
                           amqp_empty_table);
        if ((r = check_reply(io, what)) < 0)
            return r;
    }
    return 0;
}

/* A set-up step failed after login. If the broker closed the connection, answer close-ok so
 * it does not wait for us; if it closed a channel (a refused declaration), close the
 * connection properly; after a library error (socket, timeout) just let the socket go. */
static void close_after_failure(struct mq *mq)
{
    amqp_rpc_reply_t rep = amqp_get_rpc_reply(mq->conn);
    if (rep.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION)
        return;
    if (rep.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        amqp_connection_close_ok_t ok = {0};
        amqp_send_method(mq->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
    } else {
        amqp_connection_close(mq->conn, AMQP_REPLY_SUCCESS);
    }
}

static int io_connect(struct io *io)
{
    struct mq *mq = io->mq;
    const struct mq_config *cfg = &mq->cfg;
    int r;
    mq->conn = amqp_new_connection();
    if (!mq->conn)
        return fail_text(io, -ENOMEM, "connect: out of memory");
    amqp_socket_t *sock = amqp_tcp_socket_new(mq->conn);
    if (!sock) {
        r = fail_text(io, -ENOMEM, "connect: out of memory");
        goto fail;
    }
    struct timeval tv = ms_tv(cfg->connect_timeout_ms);
    int st = amqp_socket_open_noblock(sock, cfg->host, cfg->port, &tv);
    if (st != AMQP_STATUS_OK) {
        r = st == AMQP_STATUS_SOCKET_ERROR ? -ECONNREFUSED : mq_errno_from_status(st);
        fail_text(io, r, "connect to %s:%u: %s (%s)", cfg->host, cfg->port, strerror(-r),
                  amqp_error_string2(st));
        goto fail;
    }
    /* Without these a half-open broker blocks the handshake and every declaration forever. */
    amqp_set_handshake_timeout(mq->conn, &tv);
    amqp_set_rpc_timeout(mq->conn, &tv);
    /* librabbitmq-c does not announce these: without consumer_cancel_notify a deleted queue
     * silently ends our consumer; without connection.blocked a resource alarm is invisible. */
    amqp_table_entry_t caps[] = {
        {.key = amqp_cstring_bytes("consumer_cancel_notify"),
         .value = {.kind = AMQP_FIELD_KIND_BOOLEAN, .value = {.boolean = 1}}},
        {.key = amqp_cstring_bytes("connection.blocked"),
         .value = {.kind = AMQP_FIELD_KIND_BOOLEAN, .value = {.boolean = 1}}},
    };
    amqp_table_entry_t entries[] = {
        {.key = amqp_cstring_bytes("connection_name"),
         .value = {.kind = AMQP_FIELD_KIND_UTF8,
                   .value = {.bytes = amqp_cstring_bytes(cfg->name)}}},
        {.key = amqp_cstring_bytes("capabilities"),
         .value = {.kind = AMQP_FIELD_KIND_TABLE,
                   .value = {.table = {.num_entries = 2, .entries = caps}}}},
    };
    amqp_table_t props = {.num_entries = 2, .entries = entries};
    /* mq_set_login may replace the user between attempts: this attempt's copy. */
    char password[MQ_NAME_MAX + 1];
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
        snprintf(io->user, sizeof(io->user), "%s", cfg->user);
        snprintf(password, sizeof(password), "%s", cfg->password);
    }
    amqp_rpc_reply_t rep = amqp_login_with_properties(
        mq->conn, cfg->vhost, 0, AMQP_DEFAULT_FRAME_SIZE, (int)cfg->heartbeat_s, &props,
        AMQP_SASL_METHOD_PLAIN, io->user, password);
    explicit_bzero(password, sizeof(password));
    char what[MQ_NAME_MAX * 2 + 32];
    snprintf(what, sizeof(what), "login as '%s' on vhost '%s'", io->user, cfg->vhost);
    r = mq_errno_from_reply(rep, what, io->text, sizeof(io->text));
    if (r < 0) {
        mq_set_last_error(mq, io->text);
        count_login(mq, false);
        goto fail_open;
    }
    count_login(mq, true);
    if ((r = open_channel(io, MQ_CH_CONSUME)) < 0)
        goto fail_open;
    for (size_t i = 0; i < mq->n_decls; i++)
        if ((r = declare(io, &mq->decls[i])) < 0)
            goto fail_open;
    if ((r = setup_publish_channel(io)) < 0)
        goto fail_open;
    if (!cfg->no_rpc && (r = setup_reply_queue(io)) < 0)
        goto fail_open;
    if ((r = start_consumers(io)) < 0)
        goto fail_open;
    return 0;
fail_open:
    close_after_failure(mq);
fail:
    amqp_destroy_connection(mq->conn);
    mq->conn = NULL;
    return r;
}

/* ---- assembling messages ---- */

static void asm_reset(struct mq *mq, int ch)
{
    free(mq->asm_[ch].body);
    memset(&mq->asm_[ch], 0, sizeof(mq->asm_[ch]));
}

static char *dup_or_null(bool has, const char *s)
{
    return has ? strdup(s) : NULL;
}

static int push_delivery(struct mq *mq, struct mq_delivery *d)
{
    int r = workq_push(mq->workers, mq_delivery_run, d, mq_delivery_release);
    if (r == 0)
        return 0;
    if (r == -EAGAIN)
        return r;
    /* The worker queue is draining: the delivery stays unacked and goes back to the broker
     * when the connection closes. */
    log_debug("mq: delivery %" PRIu64 " on %s not handled: worker queue closed", d->tag,
              mq_delivery_queue(d));
    d->outcome = "discarded";
    mq_delivery_release(d);
    return 0;
}

static void defer(struct mq *mq, struct mq_delivery *d)
{
    d->next = NULL;
    if (mq->deferred_tail)
        mq->deferred_tail->next = d;
    else
        mq->deferred_head = d;
    mq->deferred_tail = d;
}

static void push_deferred(struct mq *mq)
{
    while (mq->deferred_head) {
        struct mq_delivery *d = mq->deferred_head;
        struct mq_delivery *next = d->next;
        if (push_delivery(mq, d) == -EAGAIN)
            return;
        mq->deferred_head = next;
        if (!next)
            mq->deferred_tail = NULL;
    }
}

static int complete_delivery(struct io *io, struct mq_asm *a)
{
    struct mq *mq = io->mq;
    struct mq_delivery *d = calloc(1, sizeof(*d));
    if (!d)
        return fail_text(io, -ENOMEM, "delivery: out of memory");
    d->mq = mq;
    d->consumer = (size_t)a->consumer;
    d->generation = io->gen;
    d->tag = a->tag;
    d->redelivered = a->redelivered;
    d->body_size = a->body_size;
    d->t0_us = mq_now_us();
    d->exchange = strdup(a->exchange);
    d->routing_key = strdup(a->routing_key);
    d->correlation_id = dup_or_null(a->has_corr, a->correlation_id);
    d->reply_to = dup_or_null(a->has_reply_to, a->reply_to);
    d->content_type = dup_or_null(a->has_ctype, a->content_type);
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&mq->lock);
        mq->deliveries_out++;
    }
    if (!d->exchange || !d->routing_key || (a->has_corr && !d->correlation_id) ||
        (a->has_reply_to && !d->reply_to) || (a->has_ctype && !d->content_type)) {
        mq_delivery_free(d);
        return fail_text(io, -ENOMEM, "delivery: out of memory");
    }
    if (a->oversize) {
        d->status = -EMSGSIZE;
        const char *labels[] = {mq_delivery_queue(d)};
        metric_add(mq->met.oversize, labels, 1);
        log_debug("mq: delivery %" PRIu64 " on %s: body of %" PRIu64
                  " bytes over the cap of %zu, discarded unread",
                  d->tag, mq_delivery_queue(d), a->body_size, mq->cfg.body_max);
    } else {
        d->body = a->body;
        d->len = (size_t)a->body_size;
        a->body = NULL;
    }
    if (mq->deferred_head || push_delivery(mq, d) == -EAGAIN)
        defer(mq, d);
    return 0;
}

static void complete_reply(struct io *io, struct mq_asm *a)
{
    struct mq *mq = io->mq;
    uint64_t id;
    if (!a->has_corr ||
        mq_calls_parse_corr(&mq->calls, a->correlation_id, strlen(a->correlation_id), &id) < 0) {
        log_debug("mq: reply without a correlation id of ours dropped");
        metric_add(mq->met.late_replies, NULL, 1);
        return;
    }
    bool found;
    if (a->oversize) {
        found = mq_calls_finish(&mq->calls, id, -EMSGSIZE, NULL, 0);
    } else {
        found = mq_calls_finish(&mq->calls, id, 0, a->body, (size_t)a->body_size);
        a->body = NULL;
    }
    if (!found) {
        log_debug("mq: late reply %s dropped (its call timed out or failed)", a->correlation_id);
        metric_add(mq->met.late_replies, NULL, 1);
    }
}

static void complete_return(struct io *io, struct mq_asm *a)
{
    struct mq *mq = io->mq;
    uint64_t id;
    log_debug("mq: publish to '%s' / '%s' returned: %u %s", a->exchange, a->routing_key,
              a->return_code, mq_reply_code_name(a->return_code));
    if (a->has_msgid &&
        mq_calls_parse_corr(&mq->calls, a->message_id, strlen(a->message_id), &id) == 0)
        mq_calls_finish(&mq->calls, id, mq_errno_from_reply_code(a->return_code), NULL, 0);
}

static int complete(struct io *io, int ch)
{
    struct mq *mq = io->mq;
    struct mq_asm *a = &mq->asm_[ch];
    int r = 0;
    if (a->is_return)
        complete_return(io, a);
    else if (ch == MQ_CH_REPLY)
        complete_reply(io, a);
    else
        r = complete_delivery(io, a);
    asm_reset(mq, ch);
    /* Nothing points into the channel's frame memory any more. */
    amqp_maybe_release_buffers_on_channel(mq->conn, (amqp_channel_t)ch);
    return r;
}

static int on_header(struct io *io, int ch, const amqp_frame_t *f)
{
    struct mq *mq = io->mq;
    struct mq_asm *a = &mq->asm_[ch];
    if (!a->active || a->have_header)
        return fail_text(io, -EPROTO, "content header without a delivery on channel %d", ch);
    a->have_header = true;
    a->body_size = f->payload.properties.body_size;
    const amqp_basic_properties_t *p = f->payload.properties.decoded;
    if (p) {
        if ((a->has_corr = p->_flags & AMQP_BASIC_CORRELATION_ID_FLAG))
            copy_bytes(a->correlation_id, p->correlation_id);
        if ((a->has_reply_to = p->_flags & AMQP_BASIC_REPLY_TO_FLAG))
            copy_bytes(a->reply_to, p->reply_to);
        if ((a->has_ctype = p->_flags & AMQP_BASIC_CONTENT_TYPE_FLAG))
            copy_bytes(a->content_type, p->content_type);
        if ((a->has_msgid = p->_flags & AMQP_BASIC_MESSAGE_ID_FLAG))
            copy_bytes(a->message_id, p->message_id);
    }
    /* The cap is checked against the declared size before anything is allocated. */
    if (a->body_size > mq->cfg.body_max) {
        a->oversize = true;
    } else {
        a->body = malloc((size_t)a->body_size + 1);
        if (!a->body)
            return fail_text(io, -ENOMEM, "message body: out of memory");
        a->body[a->body_size] = '\0';
    }
    return a->body_size == 0 ? complete(io, ch) : 0;
}

static int on_body(struct io *io, int ch, amqp_bytes_t frag)
{
    struct mq_asm *a = &io->mq->asm_[ch];
    if (!a->active || !a->have_header)
        return fail_text(io, -EPROTO, "content body without a header on channel %d", ch);
    if (frag.len > a->body_size - a->got)
        return fail_text(io, -EPROTO, "content body longer than announced on channel %d", ch);
    if (a->body)
        memcpy(a->body + a->got, frag.bytes, frag.len);
    a->got += frag.len;
    return a->got == a->body_size ? complete(io, ch) : 0;
}

static void settle_confirm(uint64_t id, void *ud)
{
    struct mq *mq = ((void **)ud)[0];
    bool ack = *(bool *)((void **)ud)[1];
    mq_calls_confirmed(&mq->calls, id, ack);
}

static void fail_confirm(uint64_t id, void *ud)
{
    struct mq *mq = ((void **)ud)[0];
    int r = *(int *)((void **)ud)[1];
    mq_calls_finish(&mq->calls, id, r, NULL, 0);
}

static int on_channel_close(struct io *io, int ch, const amqp_channel_close_t *m)
{
    struct mq *mq = io->mq;
    char what[32];
    snprintf(what, sizeof(what), "channel %d closed by the broker", ch);
    int len = m->reply_text.len > MQ_NAME_MAX ? MQ_NAME_MAX : (int)m->reply_text.len;
    int r = mq_errno_from_reply_code(m->reply_code);
    if (r == 0)
        r = -ECONNRESET;
    fail_text(io, r, "%s: %u %s: %.*s", what, m->reply_code, mq_reply_code_name(m->reply_code), len,
              (const char *)m->reply_text.bytes);
    amqp_channel_close_ok_t ok = {0};
    int st = amqp_send_method(mq->conn, (amqp_channel_t)ch, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    if (st != AMQP_STATUS_OK)
        return fail_text(io, mq_errno_from_status(st), "channel.close-ok: %s",
                         amqp_error_string2(st));
    asm_reset(mq, ch);
    if (ch != MQ_CH_PUBLISH)
        return r;
    /* A publish to a missing exchange closes the publish channel only: its unconfirmed
     * publishes fail with the broker's reason, and the channel is opened again at once. */
    log_debug("mq: %s", io->text);
    void *ud[] = {mq, &r};
    mq_confirms_drain(&mq->confirms, fail_confirm, ud);
    return setup_publish_channel(io);
}

static int on_method(struct io *io, int ch, const amqp_method_t *m)
{
    struct mq *mq = io->mq;
    switch (m->id) {
    case AMQP_BASIC_DELIVER_METHOD: {
        const amqp_basic_deliver_t *dm = m->decoded;
        struct mq_asm *a = &mq->asm_[ch];
        if (a->active)
            return fail_text(io, -EPROTO, "delivery before the previous body on channel %d", ch);
        int consumer = -1;
        if (ch == MQ_CH_CONSUME) {
            char tag[MQ_NAME_MAX + 1];
            copy_bytes(tag, dm->consumer_tag);
            unsigned long idx;
            char extra;
            if (sscanf(tag, "pop-%lu%c", &idx, &extra) != 1 || idx >= mq->n_cons)
                return fail_text(io, -EPROTO, "delivery for unknown consumer '%s'", tag);
            consumer = (int)idx;
        } else if (ch != MQ_CH_REPLY) {
            return fail_text(io, -EPROTO, "delivery on channel %d", ch);
        }
        a->active = true;
        a->consumer = consumer;
        a->tag = dm->delivery_tag;
        a->redelivered = dm->redelivered;
        copy_bytes(a->exchange, dm->exchange);
        copy_bytes(a->routing_key, dm->routing_key);
        return 0;
    }
    case AMQP_BASIC_RETURN_METHOD: {
        const amqp_basic_return_t *rm = m->decoded;
        struct mq_asm *a = &mq->asm_[ch];
        if (a->active || ch != MQ_CH_PUBLISH)
            return fail_text(io, -EPROTO, "unexpected basic.return on channel %d", ch);
        a->active = true;
        a->is_return = true;
        a->return_code = rm->reply_code;
        copy_bytes(a->exchange, rm->exchange);
        copy_bytes(a->routing_key, rm->routing_key);
        return 0;
    }
    case AMQP_BASIC_ACK_METHOD:
    case AMQP_BASIC_NACK_METHOD: {
        bool ack = m->id == AMQP_BASIC_ACK_METHOD;
        uint64_t tag;
        bool multiple;
        if (ack) {
            const amqp_basic_ack_t *am = m->decoded;
            tag = am->delivery_tag;
            multiple = am->multiple;
        } else {
            const amqp_basic_nack_t *nm = m->decoded;
            tag = nm->delivery_tag;
            multiple = nm->multiple;
        }
        if (ch != MQ_CH_PUBLISH)
            return fail_text(io, -EPROTO, "confirm on channel %d", ch);
        void *ud[] = {mq, &ack};
        mq_confirms_settle(&mq->confirms, tag, multiple, settle_confirm, ud);
        return 0;
    }
    case AMQP_CHANNEL_CLOSE_METHOD:
        return on_channel_close(io, ch, m->decoded);
    case AMQP_CONNECTION_CLOSE_METHOD: {
        const amqp_connection_close_t *cm = m->decoded;
        int len = cm->reply_text.len > MQ_NAME_MAX ? MQ_NAME_MAX : (int)cm->reply_text.len;
        int r = mq_errno_from_reply_code(cm->reply_code);
        fail_text(io, r ? r : -ECONNRESET, "connection closed by the broker: %u %s: %.*s",
                  cm->reply_code, mq_reply_code_name(cm->reply_code), len,
                  (const char *)cm->reply_text.bytes);
        amqp_connection_close_ok_t ok = {0};
        amqp_send_method(mq->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
        return r ? r : -ECONNRESET;
    }
    case AMQP_BASIC_CANCEL_METHOD: {
        /* The broker cancels a consumer whose queue was deleted: reconnecting redeclares it. */
        const amqp_basic_cancel_t *cm = m->decoded;
        char tag[MQ_NAME_MAX + 1];
        copy_bytes(tag, cm->consumer_tag);
        return fail_text(io, -ENOENT, "consumer '%s' cancelled by the broker (queue deleted?)",
                         tag);
    }
    case AMQP_CONNECTION_BLOCKED_METHOD:
        log_warn("mq: the broker blocks publishing (resource alarm)");
        return 0;
    case AMQP_CONNECTION_UNBLOCKED_METHOD:
        log_info("mq: the broker unblocked publishing");
        return 0;
    default:
        log_debug("mq: ignoring %s on channel %d", amqp_method_name(m->id), ch);
        return 0;
    }
}

static int on_frame(struct io *io, const amqp_frame_t *f)
{
    int ch = f->channel;
    if (ch >= MQ_CH_COUNT)
        return fail_text(io, -EPROTO, "frame on unknown channel %d", ch);
    switch (f->frame_type) {
    case AMQP_FRAME_METHOD:
        return on_method(io, ch, &f->payload.method);
    case AMQP_FRAME_HEADER:
        return on_header(io, ch, f);
    case AMQP_FRAME_BODY:
        return on_body(io, ch, f->payload.body_fragment);
    default:
        return 0;
    }
}

/* Reads what is there without blocking. The library sends our heartbeat when one is due and
 * returns HEARTBEAT_TIMEOUT once the broker has been silent for two intervals. One microsecond,
 * not zero: librabbitmq-c takes {0, 0} as "immediate", a deadline earlier than any heartbeat
 * deadline, which makes its read-side check for a silent broker unreachable (0.11 still notices
 * while sending our own heartbeat); {0, 1} keeps both checks and is still a non-blocking read. */
static int read_frames(struct io *io)
{
    struct mq *mq = io->mq;
    for (int i = 0; i < IO_FRAMES_PER_WAKE; i++) {
        struct timeval tiny = {0, 1};
        amqp_frame_t f;
        int st = amqp_simple_wait_frame_noblock(mq->conn, &f, &tiny);
        if (st == AMQP_STATUS_TIMEOUT)
            break;
        if (st != AMQP_STATUS_OK) {
            if (st == AMQP_STATUS_HEARTBEAT_TIMEOUT)
                return fail_text(io, -ETIMEDOUT, "no heartbeat from the broker for two intervals");
            return fail_text(io, mq_errno_from_status(st), "read: %s", amqp_error_string2(st));
        }
        int r = on_frame(io, &f);
        if (r < 0)
            return r;
    }
    amqp_maybe_release_buffers(mq->conn);
    return 0;
}

/* ---- writing ---- */

static int publish_op(struct io *io, struct mq_op *op)
{
    struct mq *mq = io->mq;
    if (!mq_calls_sent(&mq->calls, op->call_id, io->gen))
        return 0; /* the caller gave up before we got to it */
    char expiration[24];
    amqp_basic_properties_t p = {0};
    p._flags =
        AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG;
    p.content_type = amqp_cstring_bytes(MQ_CONTENT_TYPE);
    p.message_id = bytes(op->correlation_id);
    if (op->rpc) {
        /* An RPC's request and reply are worth nothing once the caller gave up. */
        p.delivery_mode = 1;
        p._flags |=
            AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_EXPIRATION_FLAG;
        p.correlation_id = bytes(op->correlation_id);
        p.reply_to = bytes(mq->reply_queue);
        snprintf(expiration, sizeof(expiration), "%" PRId64, op->expiration_ms);
        p.expiration = amqp_cstring_bytes(expiration);
    } else {
        p.delivery_mode = 2;
    }
    amqp_bytes_t body = {.len = op->body_len, .bytes = op->body};
    int st = amqp_basic_publish(mq->conn, MQ_CH_PUBLISH, bytes(op->exchange),
                                bytes(op->routing_key), 1, 0, &p, body);
    if (st != AMQP_STATUS_OK)
        return fail_text(io, mq_errno_from_status(st), "publish: %s", amqp_error_string2(st));
    uint64_t dropped;
    mq_confirms_push(&mq->confirms, op->call_id, &dropped);
    if (dropped)
        mq_calls_finish(&mq->calls, dropped, -EIO, NULL, 0);
    return 0;
}

static int settle_op(struct io *io, struct mq_op *op)
{
    struct mq *mq = io->mq;
    if (op->generation != io->gen) {
        log_debug("mq: settlement of delivery %" PRIu64 " on %s dropped: it came on an "
                  "earlier connection (the broker redelivers it)",
                  op->delivery_tag, op->queue ? op->queue : "?");
        return 0;
    }
    int st = AMQP_STATUS_OK;
    if (op->kind == MQ_OP_REPLY) {
        amqp_basic_properties_t p = {0};
        p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
        p.content_type = amqp_cstring_bytes(MQ_CONTENT_TYPE);
        p.delivery_mode = 1;
        if (op->correlation_id) {
            p._flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
            p.correlation_id = amqp_cstring_bytes(op->correlation_id);
        }
        amqp_bytes_t body = {.len = op->body_len, .bytes = op->body};
        /* The default exchange: the only one that reaches a direct reply-to address too. */
        st = amqp_basic_publish(mq->conn, MQ_CH_CONSUME, amqp_empty_bytes, bytes(op->routing_key),
                                0, 0, &p, body);
        if (st == AMQP_STATUS_OK)
            st = amqp_basic_ack(mq->conn, MQ_CH_CONSUME, op->delivery_tag, 0);
    } else if (op->kind == MQ_OP_ACK) {
        st = amqp_basic_ack(mq->conn, MQ_CH_CONSUME, op->delivery_tag, 0);
    } else {
        st = amqp_basic_reject(mq->conn, MQ_CH_CONSUME, op->delivery_tag, op->requeue);
    }
    if (st != AMQP_STATUS_OK)
        return fail_text(io, mq_errno_from_status(st), "settle delivery: %s",
                         amqp_error_string2(st));
    return 0;
}

static int run_ops(struct io *io)
{
    struct mq_op *op = take_ops(io->mq);
    while (op) {
        struct mq_op *next = op->next;
        int r = op->kind == MQ_OP_PUBLISH ? publish_op(io, op) : settle_op(io, op);
        if (r < 0) {
            /* The op that failed is lost with the connection (its call fails with it). */
            untake_ops(io->mq, next);
            mq_op_free(op);
            return r;
        }
        mq_op_free(op);
        op = next;
    }
    return 0;
}

static int cancel_consumers(struct io *io)
{
    struct mq *mq = io->mq;
    for (size_t i = 0; i < mq->n_cons; i++) {
        char tag[32];
        snprintf(tag, sizeof(tag), "pop-%zu", i);
        amqp_basic_cancel(mq->conn, MQ_CH_CONSUME, bytes(tag));
        int r = check_reply(io, "basic.cancel");
        if (r < 0) {
            set_cancelled(mq);
            return r;
        }
    }
    /* Deliveries the broker sent before cancel-ok were queued by the library: take them now,
     * so mq_stop sees them counted before it sees the cancel done. */
    int r = read_frames(io);
    set_cancelled(mq);
    return r;
}

/* The MQ_DELETE_ON_STOP queues, each if empty. The consumers are cancelled by now, so what is
 * left in a queue is a request nobody took: such a queue stays (a refusal, 406, closes the
 * channel, which the close that follows does not mind). */
static void delete_queues_on_stop(struct io *io)
{
    struct mq *mq = io->mq;
    for (size_t i = 0; i < mq->n_decls; i++) {
        const struct mq_decl *d = &mq->decls[i];
        if (d->kind != MQ_QUEUE || !(d->flags & MQ_DELETE_ON_STOP))
            continue;
        amqp_queue_delete(mq->conn, MQ_CH_CONSUME, bytes(d->queue), 0, 1);
        char what[MQ_NAME_MAX + 32];
        snprintf(what, sizeof(what), "delete queue '%s'", d->queue);
        if (check_reply(io, what) < 0) {
            log_info("mq: queue '%s' kept at stop: %s", d->queue, io->text);
            return;
        }
        log_debug("mq: queue '%s' deleted at stop", d->queue);
    }
}

/* Connected: serve until the connection fails (< 0) or a stop is asked (0). */
static int serve(struct io *io)
{
    struct mq *mq = io->mq;
    int fd = amqp_get_sockfd(mq->conn);
    int hb_s = amqp_get_heartbeat(mq->conn);
    /* Wake at least every half interval, so a heartbeat goes out in time and a silent broker
     * is noticed, whatever the handlers are doing. */
    int wake_ms = hb_s > 0 ? hb_s * 500 : 1000;
    for (;;) {
        int r = read_frames(io);
        if (r == 0)
            r = run_ops(io);
        if (r == 0 && cancel_requested(mq))
            r = cancel_consumers(io);
        if (r < 0)
            return r;
        push_deferred(mq);
        if (stopper_fired(mq->stop)) {
            /* mq_stop closed intake first: what is queued now is the last of it. */
            if ((r = run_ops(io)) < 0)
                return r;
            delete_queues_on_stop(io);
            return 0;
        }
        int timeout = wake_ms;
        if (mq->deferred_head && timeout > IO_DEFERRED_RETRY_MS)
            timeout = IO_DEFERRED_RETRY_MS;
        if (amqp_frames_enqueued(mq->conn) || amqp_data_in_buffer(mq->conn))
            timeout = 0;
        struct pollfd p[3] = {{.fd = fd, .events = POLLIN},
                              {.fd = mq->evfd, .events = POLLIN},
                              {.fd = stopper_fd(mq->stop), .events = POLLIN}};
        int n = poll(p, 3, timeout);
        if (n < 0 && errno != EINTR)
            return fail_text(io, -errno, "poll: %s", strerror(errno));
        if (n > 0 && (p[1].revents & POLLIN))
            drain_evfd(mq);
    }
}

static void teardown(struct io *io, int r)
{
    struct mq *mq = io->mq;
    set_connected(io, false);
    /* Calls in flight on this connection: their request may or may not have been served. */
    mq_calls_fail_generation(&mq->calls, io->gen, r < 0 ? -ECONNRESET : -ESHUTDOWN);
    int fr = r < 0 ? -ECONNRESET : -ESHUTDOWN;
    void *ud[] = {mq, &fr};
    mq_confirms_drain(&mq->confirms, fail_confirm, ud);
    for (int ch = 0; ch < MQ_CH_COUNT; ch++)
        asm_reset(mq, ch);
    /* Deliveries never handed to a worker go back to the broker with the connection. */
    while (mq->deferred_head) {
        struct mq_delivery *d = mq->deferred_head;
        mq->deferred_head = d->next;
        d->outcome = "discarded";
        mq_delivery_release(d);
    }
    mq->deferred_tail = NULL;
    mq->reply_queue[0] = '\0';
    if (r == 0)
        amqp_connection_close(mq->conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(mq->conn);
    mq->conn = NULL;
}

/* Disconnected: waits delay_ms for the next attempt, failing queued publishes at once. Returns
 * -ECANCELED when a stop is asked. */
static int wait_down(struct io *io, int64_t delay_ms)
{
    struct mq *mq = io->mq;
    int64_t deadline = time_mono_ms() + delay_ms;
    for (;;) {
        fail_ops(mq, -ENOTCONN);
        if (cancel_requested(mq))
            set_cancelled(mq); /* nothing to cancel while down */
        if (stopper_fired(mq->stop))
            return -ECANCELED;
        int64_t left = deadline - time_mono_ms();
        if (left <= 0)
            return 0;
        struct pollfd p[2] = {{.fd = mq->evfd, .events = POLLIN},
                              {.fd = stopper_fd(mq->stop), .events = POLLIN}};
        int n = poll(p, 2, left > 60000 ? 60000 : (int)left);
        if (n > 0 && (p[0].revents & POLLIN))
            drain_evfd(mq);
    }
}

void *mq_io_main(void *arg)
{
    struct io io = {.mq = arg};
    struct mq *mq = io.mq;
    backoff_init(&mq->backoff, IO_BACKOFF_BASE_MS, mq->cfg.backoff_max_ms, IO_HEALTHY_MS);
    while (!stopper_fired(mq->stop)) {
        int r = io_connect(&io);
        const char *outcome[] = {r == 0 ? "up" : "failed"};
        metric_add(mq->met.connects, outcome, 1);
        if (r == 0) {
            backoff_up(&mq->backoff, time_mono_ms());
            set_connected(&io, true);
            log_info("mq: connected to %s:%u vhost '%s' as '%s' (%s)%s", mq->cfg.host, mq->cfg.port,
                     mq->cfg.vhost, io.user, mq->cfg.name, mq->warned_down ? ", recovered" : "");
            mq->warned_down = false;
            r = serve(&io);
            teardown(&io, r);
            if (r == 0)
                break;
            log_warn("mq: connection lost (%s): %s; reconnecting", strerror(-r), io.text);
            mq->warned_down = true;
        } else if (!mq->warned_down) {
            log_warn("mq: cannot connect (%s): %s; retrying with backoff", strerror(-r), io.text);
            mq->warned_down = true;
        } else {
            log_debug("mq: cannot connect (%s): %s", strerror(-r), io.text);
        }
        if (wait_down(&io, backoff_next(&mq->backoff, time_mono_ms())) < 0)
            break;
    }
    fail_ops(mq, -ESHUTDOWN);
    set_cancelled(mq);
    return NULL;
}
