/* Condition variables on the monotonic clock, so a wall-clock step (NTP, an operator) neither
 * stretches nor cuts a timed wait: the lock set, the worker queue and lib/mq's RPC waits. */
#pragma once

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Initializes c to measure timed waits on CLOCK_MONOTONIC. Returns 0 or a negative errno. */
static inline int cond_init_mono(pthread_cond_t *c)
{
    pthread_condattr_t a;
    int r = pthread_condattr_init(&a);
    if (r != 0)
        return -r;
    r = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    if (r == 0)
        r = pthread_cond_init(c, &a);
    pthread_condattr_destroy(&a);
    return -r;
}

/* Waits on c (initialized by cond_init_mono, m held) until signalled or the monotonic time
 * deadline_ms (time_mono_ms's clock; INT64_MAX = no deadline). Returns 0 when woken (perhaps
 * spuriously: callers loop on their predicate) or -ETIMEDOUT. */
static inline int cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, int64_t deadline_ms)
{
    if (deadline_ms == INT64_MAX)
        return pthread_cond_wait(c, m) == 0 ? 0 : -EINVAL;
    struct timespec ts = {.tv_sec = (time_t)(deadline_ms / 1000),
                          .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};
    return pthread_cond_timedwait(c, m, &ts) == ETIMEDOUT ? -ETIMEDOUT : 0;
}
