/* Unit tests for the scope guards of cleanup.h: a _cleanup_unlock_ guard unlocks on every way
 * out of its scope (the LOCKED() for-loop it replaced in popd-rest's store kept the mutex held
 * after a break or return), and cleanups declared after it still run under the lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>

#include "core/cleanup.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* True when the mutex is free (it is taken and let go again to find out). */
static bool is_unlocked(void)
{
    if (pthread_mutex_trylock(&lock) != 0)
        return false;
    pthread_mutex_unlock(&lock);
    return true;
}

static int return_from_inside(int x)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&lock);
    if (x > 0)
        return 1;
    return 0;
}

static int return_from_a_loop(void)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&lock);
    for (int i = 0;; i++)
        if (i == 3)
            return i;
}

static int break_out_of_a_block(void)
{
    int n = 0;
    for (int i = 0; i < 5; i++) {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&lock);
        n++;
        if (i == 1)
            break; /* leaves the block, and the guard with it */
        if (i == 0)
            continue;
    }
    return n;
}

static int goto_out_of_a_block(void)
{
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&lock);
        goto out;
    }
out:
    return is_unlocked() ? 0 : -1;
}

static bool locked_at_cleanup;

static void note_lock_state(int *unused)
{
    (void)unused;
    locked_at_cleanup = !is_unlocked();
}

static void cleanup_order(void)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&lock);
    _cleanup_(note_lock_state) int later = 0; /* cleaned up first, still under the lock */
    (void)later;
}

static void test_unlock_guard_unlocks_on_every_exit(void **state)
{
    (void)state;
    assert_int_equal(return_from_inside(1), 1);
    assert_true(is_unlocked());
    assert_int_equal(return_from_inside(0), 0);
    assert_true(is_unlocked());
    assert_int_equal(return_from_a_loop(), 3);
    assert_true(is_unlocked());
    assert_int_equal(break_out_of_a_block(), 2);
    assert_true(is_unlocked());
    assert_int_equal(goto_out_of_a_block(), 0);
    assert_true(is_unlocked());
}

static void test_later_cleanups_run_under_the_lock(void **state)
{
    (void)state;
    cleanup_order();
    assert_true(locked_at_cleanup);
    assert_true(is_unlocked());
}

static void test_null_guard_does_nothing(void **state)
{
    (void)state;
    {
        _cleanup_unlock_ pthread_mutex_t *held = NULL;
        (void)held;
    }
    assert_true(is_unlocked());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unlock_guard_unlocks_on_every_exit),
        cmocka_unit_test(test_later_cleanups_run_under_the_lock),
        cmocka_unit_test(test_null_guard_does_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
