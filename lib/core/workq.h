/* A bounded worker queue: a fixed number of threads run jobs pushed by other threads, in the
 * order pushed. The queue has a cap, so a burst is refused (the caller decides: run it inline,
 * answer 503) instead of growing threads or memory without bound. Shutdown is a drain: no new
 * jobs, the queued ones run, up to a deadline. Thread-safe. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct workq;

#define WORKQ_THREADS_MAX 64
#define WORKQ_QUEUED_MAX 65536
#define WORKQ_FOREVER INT64_MAX /* workq_drain deadline: wait for every job */

/* Starts threads (1..WORKQ_THREADS_MAX) workers, named name (at most 15 bytes are shown, e.g.
 * in top), for at most max_queued (1..WORKQ_QUEUED_MAX) jobs waiting beyond those running.
 * Returns 0, -EINVAL, -ENOMEM or -EAGAIN (not every thread could be created; none is left). */
int workq_new(const char *name, unsigned threads, size_t max_queued, struct workq **ret);

/* Queues fn(arg) to run on a worker; free_arg(arg) (may be NULL) runs after fn returns, or if
 * the job is discarded by a drain deadline. Returns 0 (the queue owns arg), or, leaving arg to
 * the caller: -EAGAIN (max_queued jobs already waiting), -ESHUTDOWN (a drain has begun),
 * -EINVAL (fn NULL). */
int workq_push(struct workq *q, void (*fn)(void *arg), void *arg, void (*free_arg)(void *));

/* Refuses new jobs, then waits until every queued and running job has finished or the
 * monotonic time deadline_ms (time_mono_ms's clock; WORKQ_FOREVER) passes. Jobs still queued at
 * the deadline are discarded without running (free_arg is called); jobs already running cannot
 * be interrupted and are waited for by workq_free. Returns 0, or -ETIMEDOUT when the deadline
 * cut the drain short. Calling it again waits again. */
int workq_drain(struct workq *q, int64_t deadline_ms);

/* Drains without a deadline (unless a drain already ran), joins the workers and frees the
 * queue. Must not be called from a job. Accepts NULL. */
void workq_free(struct workq *q);

/* Jobs queued or running right now. */
size_t workq_pending(struct workq *q);
