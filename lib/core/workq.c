/* The worker queue (see workq.h): a ring of jobs under one mutex, two condition variables
 * (work arrived, everything finished), workers that exit once a drain has begun and the ring
 * is empty. */
#include "core/workq.h"

#include "core/cleanup.h"
#include "core/cond.h"
#include "core/log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct workq_job {
    void (*fn)(void *arg);
    void *arg;
    void (*free_arg)(void *arg);
};

struct workq {
    pthread_mutex_t lock; /* guards everything below but threads/n_threads, set at start */
    pthread_cond_t work;  /* a job was queued, or a drain began */
    pthread_cond_t idle;  /* the last job finished; monotonic clock */
    char name[16];
    bool draining;
    bool drained; /* a drain ran to its end (or deadline) */
    size_t running;
    size_t head, n_queued, max_queued;
    struct workq_job *ring; /* max_queued slots; queued jobs are ring[head .. head+n_queued) */
    unsigned n_threads;
    pthread_t *threads;
};

static void workq_run_free(const struct workq_job *j)
{
    if (j->free_arg)
        j->free_arg(j->arg);
}

static void *workq_main(void *opaque)
{
    struct workq *q = opaque;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (q->n_queued == 0 && !q->draining)
            pthread_cond_wait(&q->work, &q->lock);
        if (q->n_queued == 0)
            break;
        struct workq_job j = q->ring[q->head];
        q->head = (q->head + 1) % q->max_queued;
        q->n_queued--;
        q->running++;
        pthread_mutex_unlock(&q->lock);
        j.fn(j.arg);
        workq_run_free(&j);
        pthread_mutex_lock(&q->lock);
        q->running--;
        if (q->running == 0 && q->n_queued == 0)
            pthread_cond_broadcast(&q->idle);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* Tells the workers to finish and joins them. */
static void workq_join(struct workq *q)
{
    pthread_mutex_lock(&q->lock);
    q->draining = true;
    pthread_cond_broadcast(&q->work);
    pthread_mutex_unlock(&q->lock);
    for (unsigned i = 0; i < q->n_threads; i++)
        pthread_join(q->threads[i], NULL);
    q->n_threads = 0;
}

int workq_new(const char *name, unsigned threads, size_t max_queued, struct workq **ret)
{
    if (!name || threads == 0 || threads > WORKQ_THREADS_MAX || max_queued == 0 ||
        max_queued > WORKQ_QUEUED_MAX)
        return -EINVAL;
    struct workq *q = calloc(1, sizeof(*q));
    if (!q)
        return -ENOMEM;
    int r = -ENOMEM;
    q->ring = calloc(max_queued, sizeof(*q->ring));
    q->threads = calloc(threads, sizeof(*q->threads));
    if (!q->ring || !q->threads)
        goto fail_alloc;
    if ((r = -pthread_mutex_init(&q->lock, NULL)) < 0)
        goto fail_alloc;
    if ((r = -pthread_cond_init(&q->work, NULL)) < 0)
        goto fail_mutex;
    if ((r = cond_init_mono(&q->idle)) < 0)
        goto fail_work;
    snprintf(q->name, sizeof(q->name), "%s", name);
    q->max_queued = max_queued;
    for (; q->n_threads < threads; q->n_threads++) {
        r = pthread_create(&q->threads[q->n_threads], NULL, workq_main, q);
        if (r != 0)
            break;
        pthread_setname_np(q->threads[q->n_threads], q->name);
    }
    if (q->n_threads < threads) {
        /* All or nothing: a queue with fewer workers than asked for is not what was sized. */
        workq_join(q);
        r = -EAGAIN;
        goto fail_idle;
    }
    *ret = q;
    return 0;

fail_idle:
    pthread_cond_destroy(&q->idle);
fail_work:
    pthread_cond_destroy(&q->work);
fail_mutex:
    pthread_mutex_destroy(&q->lock);
fail_alloc:
    free(q->threads);
    free(q->ring);
    free(q);
    return r;
}

int workq_push(struct workq *q, void (*fn)(void *arg), void *arg, void (*free_arg)(void *))
{
    if (!fn)
        return -EINVAL;
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&q->lock);
    if (q->draining)
        return -ESHUTDOWN;
    if (q->n_queued == q->max_queued)
        return -EAGAIN;
    q->ring[(q->head + q->n_queued) % q->max_queued] = (struct workq_job){fn, arg, free_arg};
    q->n_queued++;
    pthread_cond_signal(&q->work);
    return 0;
}

int workq_drain(struct workq *q, int64_t deadline_ms)
{
    int r = 0;
    size_t n_dropped = 0;
    pthread_mutex_lock(&q->lock);
    q->draining = true;
    pthread_cond_broadcast(&q->work);
    while (q->n_queued > 0 || q->running > 0) {
        if (deadline_ms == WORKQ_FOREVER) {
            pthread_cond_wait(&q->idle, &q->lock);
        } else if (cond_wait_until(&q->idle, &q->lock, deadline_ms) == -ETIMEDOUT) {
            r = -ETIMEDOUT;
            break;
        }
    }
    q->drained = true;
    /* Jobs nobody started: take them out one by one, freeing each argument outside the lock
     * (free_arg is the caller's code). */
    while (q->n_queued > 0) {
        struct workq_job j = q->ring[q->head];
        q->head = (q->head + 1) % q->max_queued;
        q->n_queued--;
        n_dropped++;
        pthread_mutex_unlock(&q->lock);
        workq_run_free(&j);
        pthread_mutex_lock(&q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    if (n_dropped > 0)
        log_debug("workq %s: drain deadline passed; %zu queued jobs discarded", q->name, n_dropped);
    return r;
}

void workq_free(struct workq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    bool drained = q->drained;
    pthread_mutex_unlock(&q->lock);
    if (!drained)
        workq_drain(q, WORKQ_FOREVER);
    workq_join(q);
    pthread_cond_destroy(&q->idle);
    pthread_cond_destroy(&q->work);
    pthread_mutex_destroy(&q->lock);
    free(q->threads);
    free(q->ring);
    free(q);
}

size_t workq_pending(struct workq *q)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&q->lock);
    return q->n_queued + q->running;
}
