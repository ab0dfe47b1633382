/* Unit tests for the stop token, with real threads: a fire wakes every sleeper at once, the
 * descriptor turns readable for poll loops, and a fired token cancels every later sleep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/stopper.h"
#include "core/timeutil.h"

#define LONG_SLEEP_MS 60000 /* what a sleeper would wait without the fire */

struct sleeper {
    struct stopper *s;
    int result;
    pthread_t thread;
};

static void *sleeper_main(void *arg)
{
    struct sleeper *sl = arg;
    sl->result = stopper_sleep_ms(sl->s, LONG_SLEEP_MS);
    return NULL;
}

static bool readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void test_sleep_runs_its_course_unfired(void **state)
{
    (void)state;
    struct stopper *s = NULL;
    assert_int_equal(stopper_new(&s), 0);
    assert_false(stopper_fired(s));
    assert_false(readable(stopper_fd(s)));
    int64_t start = time_mono_ms();
    assert_int_equal(stopper_sleep_ms(s, 60), 0);
    assert_true(time_mono_ms() - start >= 60);
    assert_int_equal(stopper_sleep_ms(s, 0), 0);
    assert_int_equal(stopper_sleep_ms(s, -5), 0);
    stopper_free(s);
    stopper_free(NULL);
}

static void test_fire_wakes_every_sleeper_at_once(void **state)
{
    (void)state;
    struct stopper *s = NULL;
    assert_int_equal(stopper_new(&s), 0);
    struct sleeper sl[4];
    for (int i = 0; i < 4; i++) {
        sl[i] = (struct sleeper){.s = s, .result = 1};
        assert_int_equal(pthread_create(&sl[i].thread, NULL, sleeper_main, &sl[i]), 0);
    }
    time_sleep_ms(50); /* let them fall asleep (one that has not yet is cancelled anyway) */
    int64_t start = time_mono_ms();
    stopper_fire(s);
    for (int i = 0; i < 4; i++) {
        pthread_join(sl[i].thread, NULL);
        assert_int_equal(sl[i].result, -ECANCELED);
    }
    /* Woken by the fire, not by the end of a minute's sleep. */
    assert_true(time_mono_ms() - start < LONG_SLEEP_MS / 2);
    stopper_free(s);
}

static void test_fired_token_stays_fired(void **state)
{
    (void)state;
    struct stopper *s = NULL;
    assert_int_equal(stopper_new(&s), 0);
    stopper_fire(s);
    stopper_fire(s); /* idempotent */
    assert_true(stopper_fired(s));
    /* The descriptor stays readable for every poller, however often it is polled. */
    for (int i = 0; i < 3; i++)
        assert_true(readable(stopper_fd(s)));
    int64_t start = time_mono_ms();
    assert_int_equal(stopper_sleep_ms(s, LONG_SLEEP_MS), -ECANCELED);
    assert_int_equal(stopper_sleep_ms(s, 0), -ECANCELED);
    assert_true(time_mono_ms() - start < LONG_SLEEP_MS / 2);
    stopper_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sleep_runs_its_course_unfired),
        cmocka_unit_test(test_fire_wakes_every_sleeper_at_once),
        cmocka_unit_test(test_fired_token_stays_fired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
