/* Unit tests for the reconnect backoff: doubling up to the cap, jitter within [d/2, d], reset
 * only after a healthy up period. Time is passed in, so nothing here sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>

#include "core/backoff.h"

/* Asserts the delay lies in [d/2, d]. */
static void assert_jittered(int64_t got, int64_t d)
{
    if (got < d / 2 || got > d)
        fail_msg("delay %lld is outside [%lld, %lld]", (long long)got, (long long)(d / 2),
                 (long long)d);
}

static void test_doubles_up_to_the_cap(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 100, 2000, 10000);
    const int64_t want[] = {100, 200, 400, 800, 1600, 2000, 2000, 2000};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_jittered(backoff_next(&b, 0), want[i]);
}

static void test_jitter_spreads_delays(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 1000, 1000, 0);
    bool differ = false;
    int64_t first = backoff_next(&b, 0);
    for (int i = 0; i < 64; i++) {
        int64_t d = backoff_next(&b, 0);
        assert_jittered(d, 1000);
        differ = differ || d != first;
    }
    assert_true(differ); /* 65 equal draws out of 501 values would be no jitter at all */
}

static void test_resets_only_after_a_healthy_period(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 100, 2000, 10000);
    for (int i = 0; i < 6; i++)
        backoff_next(&b, 0);
    /* Up for less than the healthy period: a flapping peer keeps the long delay. */
    backoff_up(&b, 50000);
    assert_jittered(backoff_next(&b, 59999), 2000);
    /* Up for the healthy period: the next failure starts again from the base. */
    backoff_up(&b, 60000);
    assert_jittered(backoff_next(&b, 70000), 100);
    assert_jittered(backoff_next(&b, 70100), 200);
    /* A failure without an up in between does not count as healthy. */
    assert_jittered(backoff_next(&b, 900000), 400);
}

static void test_clamps_its_arguments(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 0, -5, -1); /* base 1, cap 1, healthy 0 */
    assert_int_equal(backoff_next(&b, 0), 1);
    assert_int_equal(backoff_next(&b, 0), 1);
    backoff_init(&b, 300, 100, 0); /* a cap below the base is the base */
    assert_jittered(backoff_next(&b, 0), 300);
    assert_jittered(backoff_next(&b, 0), 300);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_up_to_the_cap),
        cmocka_unit_test(test_jitter_spreads_delays),
        cmocka_unit_test(test_resets_only_after_a_healthy_period),
        cmocka_unit_test(test_clamps_its_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
