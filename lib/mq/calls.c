/* The calls waiting for a broker confirm (mq_publish_json) or a reply (mq_rpc): a hash of
 * caller-owned records by id, completed by the I/O thread, timed out by their callers. The I/O
 * thread never holds a pointer to a call outside this lock: it refers to calls by id, so a
 * caller that gave up can return (and its stack frame go) at any time. */
#include "mq/mq-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/cleanup.h"

int mq_calls_init(struct mq_calls *t, size_t max, uint64_t seed)
{
    memset(t, 0, sizeof(*t));
    if (seed == 0 && getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
        return -errno;
    snprintf(t->prefix, sizeof(t->prefix), "%016" PRIx64, seed);
    t->next_id = 1;
    t->max = max ? max : MQ_CALLS_MAX;
    int r = pthread_mutex_init(&t->lock, NULL);
    return -r;
}

void mq_calls_done(struct mq_calls *t)
{
    pthread_mutex_destroy(&t->lock);
}

static struct mq_call **bucket(struct mq_calls *t, uint64_t id)
{
    return &t->buckets[id % MQ_CALL_BUCKETS];
}

static struct mq_call *find_locked(struct mq_calls *t, uint64_t id)
{
    for (struct mq_call *c = *bucket(t, id); c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

static void unlink_locked(struct mq_calls *t, struct mq_call *c)
{
    for (struct mq_call **p = bucket(t, c->id); *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            c->next = NULL;
            t->n--;
            return;
        }
}

/* Completes c: out of the table, so a late reply finds nothing, then woken. Signalled under the
 * lock: once the lock is released the caller may return and its record be gone. */
static void finish_locked(struct mq_calls *t, struct mq_call *c, int r, char *reply, size_t len)
{
    unlink_locked(t, c);
    c->done = true;
    c->r = r;
    c->reply = reply;
    c->reply_len = len;
    pthread_cond_signal(&c->cond);
}

int mq_call_begin(struct mq_calls *t, struct mq_call *c, bool want_reply)
{
    memset(c, 0, sizeof(*c));
    c->want_reply = want_reply;
    int r = cond_init_mono(&c->cond);
    if (r < 0)
        return r;
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&t->lock);
    if (t->closed || t->n >= t->max) {
        pthread_cond_destroy(&c->cond);
        return t->closed ? -ESHUTDOWN : -EAGAIN;
    }
    c->id = t->next_id++;
    c->next = *bucket(t, c->id);
    *bucket(t, c->id) = c;
    t->n++;
    return 0;
}

void mq_calls_corr(const struct mq_calls *t, uint64_t id, char out[MQ_CORR_MAX])
{
    snprintf(out, MQ_CORR_MAX, "%s-%016" PRIx64, t->prefix, id);
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

int mq_calls_parse_corr(const struct mq_calls *t, const char *s, size_t len, uint64_t *ret_id)
{
    /* Exactly what mq_calls_corr writes: 16 hex, '-', 16 hex. */
    if (!s || len != MQ_CORR_MAX - 1 || memcmp(s, t->prefix, 16) != 0 || s[16] != '-')
        return -ENOENT;
    uint64_t id = 0;
    for (size_t i = 17; i < len; i++) {
        int v = hexval(s[i]);
        if (v < 0)
            return -ENOENT;
        id = id << 4 | (uint64_t)v;
    }
    if (id == 0)
        return -ENOENT;
    *ret_id = id;
    return 0;
}

bool mq_calls_sent(struct mq_calls *t, uint64_t id, uint64_t generation)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&t->lock);
    struct mq_call *c = find_locked(t, id);
    if (!c)
        return false;
    c->sent = true;
    c->generation = generation;
    return true;
}

bool mq_calls_finish(struct mq_calls *t, uint64_t id, int r, char *reply, size_t reply_len)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&t->lock);
    struct mq_call *c = find_locked(t, id);
    if (!c) {
        free(reply);
        return false;
    }
    finish_locked(t, c, r, reply, reply_len);
    return true;
}

bool mq_calls_confirmed(struct mq_calls *t, uint64_t id, bool ack)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&t->lock);
    struct mq_call *c = find_locked(t, id);
    if (!c)
        return false;
    if (!c->want_reply)
        finish_locked(t, c, ack ? 0 : -EIO, NULL, 0);
    else if (!ack)
        finish_locked(t, c, -EIO, NULL, 0);
    return true;
}

size_t mq_calls_fail_generation(struct mq_calls *t, uint64_t generation, int r)
{
    size_t n = 0;
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&t->lock);
    for (size_t b = 0; b < MQ_CALL_BUCKETS; b++) {
        struct mq_call *c = t->buckets[b];
        while (c) {
            struct mq_call *next = c->next;
            if (c->sent && c->generation == generation) {
                finish_locked(t, c, r, NULL, 0);
                n++;
            }
            c = next;
        }
    }
    return n;
}

size_t mq_calls_close(struct mq_calls *t, int r)
{
    size_t n = 0;
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&t->lock);
    t->closed = true;
    t->closed_r = r;
    for (size_t b = 0; b < MQ_CALL_BUCKETS; b++)
        while (t->buckets[b]) {
            finish_locked(t, t->buckets[b], r, NULL, 0);
            n++;
        }
    return n;
}

int mq_call_wait(struct mq_calls *t, struct mq_call *c, int64_t deadline_ms, char **ret_reply,
                 size_t *ret_len)
{
    int r;
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&t->lock);
        while (!c->done)
            if (cond_wait_until(&c->cond, &t->lock, deadline_ms) == -ETIMEDOUT && !c->done)
                break;
        if (!c->done) {
            unlink_locked(t, c);
            r = -ETIMEDOUT;
        } else {
            r = c->r;
        }
    }
    pthread_cond_destroy(&c->cond);
    if (r == 0 && ret_reply) {
        *ret_reply = c->reply;
        if (ret_len)
            *ret_len = c->reply_len;
    } else {
        free(c->reply);
    }
    c->reply = NULL;
    return r;
}

void mq_call_abandon(struct mq_calls *t, struct mq_call *c)
{
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&t->lock);
        if (!c->done)
            unlink_locked(t, c);
    }
    pthread_cond_destroy(&c->cond);
    free(c->reply);
    c->reply = NULL;
}

size_t mq_calls_pending(struct mq_calls *t)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&t->lock);
    return t->n;
}
