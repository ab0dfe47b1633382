/* Unit tests for the gateway's per-client token buckets, with explicit clocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "ratelimit.h"

static void test_parse(void **state)
{
    (void)state;
    unsigned c = 99, p = 99;
    assert_int_equal(gw_ratelimit_parse("5/m", &c, &p), 0);
    assert_int_equal(c, 5);
    assert_int_equal(p, 60);
    assert_int_equal(gw_ratelimit_parse("10/s", &c, &p), 0);
    assert_true(c == 10 && p == 1);
    assert_int_equal(gw_ratelimit_parse("100/h", &c, &p), 0);
    assert_true(c == 100 && p == 3600);
    assert_int_equal(gw_ratelimit_parse("7/min", &c, &p), 0);
    assert_true(c == 7 && p == 60);
    assert_int_equal(gw_ratelimit_parse("3", &c, &p), 0);
    assert_true(c == 3 && p == 60);
    assert_int_equal(gw_ratelimit_parse("0", &c, &p), 0);
    assert_int_equal(c, 0);
    const char *bad[] = {"", "/m", "5/", "5/d", "-1/m", "x/m", "5/m/", "99999999999/s"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        c = 42;
        assert_int_equal(gw_ratelimit_parse(bad[i], &c, &p), -EINVAL);
        assert_int_equal(c, 42);
    }
    assert_null(gw_ratelimit_new(0, 60));
}

static void test_burst_then_refill(void **state)
{
    (void)state;
    struct gw_ratelimit *rl = gw_ratelimit_new(5, 60);
    assert_non_null(rl);
    int64_t retry = 0, t = 1000000;
    for (int i = 0; i < 5; i++)
        assert_int_equal(gw_ratelimit_take(rl, "10.0.0.1", t, &retry), 0);
    assert_int_equal(gw_ratelimit_take(rl, "10.0.0.1", t, &retry), -EAGAIN);
    assert_int_equal(retry, 12); /* one token per 12 s */
    /* Another client has its own bucket. */
    assert_int_equal(gw_ratelimit_take(rl, "10.0.0.2", t, &retry), 0);
    /* 6 s later still nothing, and the wait shrinks. */
    assert_int_equal(gw_ratelimit_take(rl, "10.0.0.1", t + 6000, &retry), -EAGAIN);
    assert_int_equal(retry, 6);
    /* Frequent attempts do not stop the refill. */
    for (int64_t ms = 6001; ms < 12000; ms += 7)
        assert_int_equal(gw_ratelimit_take(rl, "10.0.0.1", t + ms, &retry), -EAGAIN);
    assert_int_equal(gw_ratelimit_take(rl, "10.0.0.1", t + 12000, &retry), 0);
    assert_int_equal(gw_ratelimit_take(rl, "10.0.0.1", t + 12000, &retry), -EAGAIN);
    /* A long pause refills to the burst, not beyond. */
    t += 3600 * 1000;
    for (int i = 0; i < 5; i++)
        assert_int_equal(gw_ratelimit_take(rl, "10.0.0.1", t, &retry), 0);
    assert_int_equal(gw_ratelimit_take(rl, "10.0.0.1", t, &retry), -EAGAIN);
    gw_ratelimit_free(rl);
}

static void test_table_bounded(void **state)
{
    (void)state;
    struct gw_ratelimit *rl = gw_ratelimit_new(1, 3600);
    int64_t retry;
    assert_int_equal(gw_ratelimit_take(rl, "victim", 0, &retry), 0);
    assert_int_equal(gw_ratelimit_take(rl, "victim", 1, &retry), -EAGAIN);
    assert_int_equal(retry, 3600);
    /* Filling the table with other clients evicts the least recently seen: the victim starts
     * over (bounded memory is worth that), while a recent client keeps its empty bucket. */
    char key[32];
    for (int i = 0; i < GW_RATELIMIT_ENTRIES; i++) {
        snprintf(key, sizeof(key), "c%d", i);
        assert_int_equal(gw_ratelimit_take(rl, key, 10 + i, &retry), 0);
    }
    assert_int_equal(gw_ratelimit_take(rl, "victim", 100000, &retry), 0);
    snprintf(key, sizeof(key), "c%d", GW_RATELIMIT_ENTRIES - 1);
    assert_int_equal(gw_ratelimit_take(rl, key, 100001, &retry), -EAGAIN);
    gw_ratelimit_free(rl);
    gw_ratelimit_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_burst_then_refill),
        cmocka_unit_test(test_table_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
