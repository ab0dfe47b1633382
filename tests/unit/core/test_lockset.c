/* Unit tests for the lock set, with real threads: exclusion per key, a waiter getting the key
 * when it is released, timeouts measured on the monotonic clock (the wall clock is stepped an
 * hour ahead through a link-time wrap of clock_gettime), the key cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/lockset.h"
#include "core/timeutil.h"

/* The wall clock as the code under test sees it: real time plus wall_skew_s. */
static atomic_long wall_skew_s;

int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
    int r = __real_clock_gettime(id, ts);
    if (r == 0 && id == CLOCK_REALTIME)
        ts->tv_sec += atomic_load(&wall_skew_s);
    return r;
}

struct waiter {
    struct lockset *set;
    const char *key;
    int64_t wait_ms;
    int result;
    atomic_bool done;
    pthread_t thread;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;
    w->result = lockset_acquire(w->set, w->key, w->wait_ms);
    atomic_store(&w->done, true);
    return NULL;
}

static void waiter_start(struct waiter *w, struct lockset *s, const char *key, int64_t wait_ms)
{
    *w = (struct waiter){.set = s, .key = key, .wait_ms = wait_ms};
    assert_int_equal(pthread_create(&w->thread, NULL, waiter_main, w), 0);
}

/* Waits (up to 20 s, far beyond any wait the tests ask for) for the waiter to return. */
static void waiter_join(struct waiter *w)
{
    int64_t limit = time_mono_ms() + 20000;
    while (!atomic_load(&w->done) && time_mono_ms() < limit)
        time_sleep_ms(5);
    if (!atomic_load(&w->done))
        fail_msg("lockset_acquire(%s, %lld ms) did not return within 20 s", w->key,
                 (long long)w->wait_ms);
    pthread_join(w->thread, NULL);
}

/* Waits until n threads are blocked in lockset_acquire. */
static void wait_for_waiters(struct lockset *s, size_t n)
{
    int64_t limit = time_mono_ms() + 20000;
    while (lockset_waiting(s) < n && time_mono_ms() < limit)
        time_sleep_ms(1);
    assert_int_equal(lockset_waiting(s), n);
}

static void test_one_holder_per_key(void **state)
{
    (void)state;
    struct lockset *s = NULL;
    assert_int_equal(lockset_new(8, &s), 0);
    assert_int_equal(lockset_acquire(s, "c1", 0), 0);
    assert_int_equal(lockset_acquire(s, "c1", 0), -EBUSY);
    assert_int_equal(lockset_acquire(s, "c2", 0), 0); /* other keys are independent */
    assert_int_equal(lockset_held(s), 2);
    lockset_release(s, "c1");
    lockset_release(s, "c1");    /* not held: nothing happens */
    lockset_release(s, "other"); /* never held */
    assert_int_equal(lockset_acquire(s, "c1", 0), 0);
    lockset_release(s, "c1");
    lockset_release(s, "c2");
    assert_int_equal(lockset_held(s), 0);
    /* Keys left held are dropped with the set (ASan checks the copies are freed). */
    assert_int_equal(lockset_acquire(s, "left", 0), 0);
    lockset_free(s);
    lockset_free(NULL);
}

static void test_second_acquirer_gets_key_after_release(void **state)
{
    (void)state;
    struct lockset *s = NULL;
    assert_int_equal(lockset_new(8, &s), 0);
    assert_int_equal(lockset_acquire(s, "c1", 0), 0);
    struct waiter w;
    waiter_start(&w, s, "c1", LOCKSET_FOREVER);
    wait_for_waiters(s, 1);
    assert_false(atomic_load(&w.done));
    /* Released from another thread than the waiter's: marks are not tied to threads. */
    lockset_release(s, "c1");
    waiter_join(&w);
    assert_int_equal(w.result, 0);
    assert_int_equal(lockset_acquire(s, "c1", 0), -EBUSY); /* the waiter holds it now */
    lockset_release(s, "c1");
    lockset_free(s);
}

static void test_wait_times_out_on_the_monotonic_clock(void **state)
{
    (void)state;
    struct lockset *s = NULL;
    assert_int_equal(lockset_new(8, &s), 0);
    assert_int_equal(lockset_acquire(s, "c1", 0), 0);

    int64_t start = time_mono_ms();
    assert_int_equal(lockset_acquire(s, "c1", 150), -EBUSY);
    assert_true(time_mono_ms() - start >= 150); /* it did wait the time it was given */

    /* The wall clock jumps an hour ahead: a wait measured on it would last an hour. */
    atomic_store(&wall_skew_s, 3600);
    struct waiter w;
    waiter_start(&w, s, "c1", 150);
    waiter_join(&w);
    assert_int_equal(w.result, -EBUSY);
    /* ... and an hour back: a wait measured on it would end at once, or spin. */
    atomic_store(&wall_skew_s, -3600);
    start = time_mono_ms();
    assert_int_equal(lockset_acquire(s, "c1", 150), -EBUSY);
    assert_true(time_mono_ms() - start >= 150);
    atomic_store(&wall_skew_s, 0);
    lockset_release(s, "c1");
    lockset_free(s);
}

static void test_full_set_waits_for_room(void **state)
{
    (void)state;
    struct lockset *s = NULL;
    assert_int_equal(lockset_new(2, &s), 0);
    assert_int_equal(lockset_acquire(s, "a", 0), 0);
    assert_int_equal(lockset_acquire(s, "b", 0), 0);
    assert_int_equal(lockset_acquire(s, "c", 0), -EBUSY); /* free key, but no room */
    struct waiter w;
    waiter_start(&w, s, "c", LOCKSET_FOREVER);
    wait_for_waiters(s, 1);
    lockset_release(s, "a");
    waiter_join(&w);
    assert_int_equal(w.result, 0);
    assert_int_equal(lockset_held(s), 2);
    lockset_release(s, "b");
    lockset_release(s, "c");
    lockset_free(s);
}

static void test_rejects_bad_arguments(void **state)
{
    (void)state;
    struct lockset *s = NULL;
    assert_int_equal(lockset_new(0, &s), -EINVAL);
    assert_int_equal(lockset_new(LOCKSET_KEYS_MAX + 1, &s), -EINVAL);
    assert_null(s);
    assert_int_equal(lockset_new(1, &s), 0);
    char key[LOCKSET_KEY_MAX + 2];
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    assert_int_equal(lockset_acquire(s, key, 0), -EINVAL); /* one byte too long */
    key[LOCKSET_KEY_MAX] = '\0';
    assert_int_equal(lockset_acquire(s, key, 0), 0); /* exactly the maximum */
    lockset_release(s, key);
    assert_int_equal(lockset_acquire(s, "", 0), -EINVAL);
    assert_int_equal(lockset_acquire(s, NULL, 0), -EINVAL);
    assert_int_equal(lockset_acquire(s, "k", -1), -EINVAL);
    assert_int_equal(lockset_held(s), 0);
    lockset_free(s);
}

#define THREADS 6
#define ROUNDS 500

struct contend {
    struct lockset *set;
    int inside; /* plain int on purpose: only the key holder touches it */
    int total;
    atomic_int errors;
};

static void *contend_main(void *arg)
{
    struct contend *c = arg;
    for (int i = 0; i < ROUNDS; i++) {
        if (lockset_acquire(c->set, "shared", LOCKSET_FOREVER) < 0) {
            atomic_fetch_add(&c->errors, 1);
            continue;
        }
        if (c->inside++ != 0)
            atomic_fetch_add(&c->errors, 1);
        c->total++;
        c->inside--;
        lockset_release(c->set, "shared");
    }
    return NULL;
}

static void test_threads_exclude_each_other(void **state)
{
    (void)state;
    struct contend c = {0};
    assert_int_equal(lockset_new(4, &c.set), 0);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, contend_main, &c), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&c.errors), 0);
    assert_int_equal(c.total, THREADS * ROUNDS);
    assert_int_equal(lockset_held(c.set), 0);
    lockset_free(c.set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_holder_per_key),
        cmocka_unit_test(test_second_acquirer_gets_key_after_release),
        cmocka_unit_test(test_wait_times_out_on_the_monotonic_clock),
        cmocka_unit_test(test_full_set_waits_for_room),
        cmocka_unit_test(test_rejects_bad_arguments),
        cmocka_unit_test(test_threads_exclude_each_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
