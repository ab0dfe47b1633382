/* A set of keyed busy marks: at most one holder per key (a container id, a hostname), with
 * waiters woken when a key is released. Keys are strings copied into the set; a mark is not
 * tied to a thread, so one thread may take it and another (a background job) release it. The
 * set has its own mutex and a condition variable on the monotonic clock, so a wall-clock step
 * neither stretches nor cuts a wait. Thread-safe. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct lockset;

#define LOCKSET_KEY_MAX 256       /* bytes of a key, without its NUL */
#define LOCKSET_KEYS_MAX 65536    /* most keys a set may hold at once (max_keys of lockset_new) */
#define LOCKSET_FOREVER INT64_MAX /* wait_ms: wait without a deadline */

/* Creates a set holding at most max_keys (1..LOCKSET_KEYS_MAX) keys at once. Returns 0,
 * -EINVAL or -ENOMEM. */
int lockset_new(size_t max_keys, struct lockset **ret);

/* Frees the set; keys still held are dropped. No thread may be waiting in it. Accepts NULL. */
void lockset_free(struct lockset *s);

/* Takes key, waiting up to wait_ms (0: do not wait; LOCKSET_FOREVER) while another holder has
 * it or the set is full. Returns 0 (the caller now holds key and must release it), -EBUSY
 * (still held or full when the wait ended), -EINVAL (key NULL, empty or longer than
 * LOCKSET_KEY_MAX; wait_ms negative) or -ENOMEM. */
int lockset_acquire(struct lockset *s, const char *key, int64_t wait_ms);

/* Releases key and wakes its waiters (and those waiting for room). Releasing a key nobody
 * holds does nothing. */
void lockset_release(struct lockset *s, const char *key);

/* Keys held right now, and threads waiting in lockset_acquire right now (for metrics and
 * tests). */
size_t lockset_held(struct lockset *s);
size_t lockset_waiting(struct lockset *s);
