/* Reconnect backoff: each failure waits twice as long as the last, up to a cap, with jitter so
 * that several clients of one restarted peer do not all come back in the same millisecond;
 * a connection that stayed up for a healthy period starts the next round from the base again.
 * Plain data owned by its one user (not thread-safe); the fields are private. */
#pragma once

#include <stdint.h>

struct backoff {
    int64_t base_ms, max_ms, healthy_ms;
    int64_t next_ms;     /* the un-jittered delay the next failure gets */
    int64_t up_since_ms; /* when the connection last came up; -1 when it is down */
    uint64_t seed;       /* jitter state */
};

/* Sets b up: the first delay is base_ms (>= 1), doubling to at most max_ms (>= base_ms); an
 * up period of healthy_ms or more (>= 0) resets it. */
void backoff_init(struct backoff *b, int64_t base_ms, int64_t max_ms, int64_t healthy_ms);

/* Records that the connection came up at now_ms (monotonic milliseconds). */
void backoff_up(struct backoff *b, int64_t now_ms);

/* Records a failure (or the end of an up period) at now_ms and returns how long to wait
 * before trying again: the current delay with up to half of it taken off at random, so it lies
 * in [delay/2, delay]; the delay then doubles, up to max_ms. If the connection had been up for
 * healthy_ms or more, the delay starts again from base_ms. */
int64_t backoff_next(struct backoff *b, int64_t now_ms);
