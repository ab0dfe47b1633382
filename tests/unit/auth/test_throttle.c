/* Unit tests for the failed-login throttle, driven with explicit clock values (no sleeping). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/throttle.h"

static int setup(void **state)
{
    *state = auth_throttle_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    auth_throttle_free(*state);
    return 0;
}

static void fail_n(struct auth_throttle *t, const char *account, int n, int64_t now)
{
    for (int i = 0; i < n; i++)
        auth_throttle_failure(t, account, now);
}

static void test_backoff(void **state)
{
    struct auth_throttle *t = *state;
    assert_int_equal(auth_throttle_wait_ms(t, "alice", 0), 0);
    fail_n(t, "alice", AUTH_THROTTLE_FREE_FAILURES, 1000);
    assert_int_equal(auth_throttle_wait_ms(t, "alice", 1000), 0);

    auth_throttle_failure(t, "alice", 1000);
    assert_int_equal(auth_throttle_wait_ms(t, "alice", 1000), 250);
    assert_int_equal(auth_throttle_wait_ms(t, "alice", 1249), 1);
    assert_int_equal(auth_throttle_wait_ms(t, "alice", 1250), 0);

    auth_throttle_failure(t, "alice", 2000);
    assert_int_equal(auth_throttle_wait_ms(t, "alice", 2000), 500);
    auth_throttle_failure(t, "alice", 3000);
    assert_int_equal(auth_throttle_wait_ms(t, "alice", 3000), 1000);

    /* Doubling stops at the cap. */
    fail_n(t, "alice", 40, 5000);
    assert_int_equal(auth_throttle_wait_ms(t, "alice", 5000), AUTH_THROTTLE_MAX_MS);
    assert_int_equal(auth_throttle_wait_ms(t, "alice", 5000 + AUTH_THROTTLE_MAX_MS), 0);
}

static void test_accounts_independent(void **state)
{
    struct auth_throttle *t = *state;
    fail_n(t, "alice", 10, 0);
    assert_true(auth_throttle_wait_ms(t, "alice", 0) > 0);
    assert_int_equal(auth_throttle_wait_ms(t, "bob", 0), 0);
    assert_int_equal(auth_throttle_wait_ms(t, "Alice", 0), 0);
    assert_int_equal(auth_throttle_wait_ms(t, NULL, 0), 0);
    fail_n(t, NULL, 10, 0);
    assert_true(auth_throttle_wait_ms(t, "", 0) > 0);
}

static void test_success_resets(void **state)
{
    struct auth_throttle *t = *state;
    fail_n(t, "alice", 6, 0);
    assert_true(auth_throttle_wait_ms(t, "alice", 0) > 0);
    auth_throttle_success(t, "alice");
    assert_int_equal(auth_throttle_wait_ms(t, "alice", 0), 0);
    /* The count starts over too: three free failures again. */
    fail_n(t, "alice", AUTH_THROTTLE_FREE_FAILURES, 10);
    assert_int_equal(auth_throttle_wait_ms(t, "alice", 10), 0);
    auth_throttle_success(t, "nobody");
}

static void test_forgets_old_failures(void **state)
{
    struct auth_throttle *t = *state;
    fail_n(t, "alice", 8, 0);
    int64_t later = AUTH_THROTTLE_FORGET_MS;
    auth_throttle_failure(t, "alice", later);
    assert_int_equal(auth_throttle_wait_ms(t, "alice", later), 0);
}

static void test_long_names(void **state)
{
    struct auth_throttle *t = *state;
    char a[10000], b[10000];
    memset(a, 'x', sizeof(a) - 1);
    a[sizeof(a) - 1] = '\0';
    memcpy(b, a, sizeof(b));
    b[sizeof(b) - 2] = 'y';
    fail_n(t, a, 5, 0);
    assert_true(auth_throttle_wait_ms(t, a, 0) > 0);
    assert_int_equal(auth_throttle_wait_ms(t, b, 0), 0);
}

/* Filling the table with fresh names must not push out an account under attack. */
static void test_flood_does_not_evict_target(void **state)
{
    struct auth_throttle *t = *state;
    char name[32];
    fail_n(t, "admin", 7, 0); /* 250 ms * 2^3: must wait until 2000 */
    for (int i = 0; i < AUTH_THROTTLE_ENTRIES + 100; i++) {
        snprintf(name, sizeof(name), "junk-%d", i);
        auth_throttle_failure(t, name, 1 + i / 1000);
    }
    assert_int_equal(auth_throttle_wait_ms(t, "admin", 20), 1980);
}

struct hammer {
    struct auth_throttle *t;
    char account[16];
};

static void *hammer_run(void *arg)
{
    struct hammer *h = arg;
    for (int i = 0; i < 200; i++) {
        auth_throttle_failure(h->t, "shared", 0);
        auth_throttle_failure(h->t, h->account, 0);
        (void)auth_throttle_wait_ms(h->t, "shared", 0);
    }
    return NULL;
}

static void test_threads(void **state)
{
    struct auth_throttle *t = *state;
    enum { N = 4 };
    pthread_t th[N];
    struct hammer h[N];
    for (int i = 0; i < N; i++) {
        h[i].t = t;
        snprintf(h[i].account, sizeof(h[i].account), "user%d", i);
        assert_int_equal(pthread_create(&th[i], NULL, hammer_run, &h[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(auth_throttle_wait_ms(t, "shared", 0), AUTH_THROTTLE_MAX_MS);
    assert_int_equal(auth_throttle_wait_ms(t, "user0", 0), AUTH_THROTTLE_MAX_MS);
}

static void test_null_table(void **state)
{
    (void)state;
    auth_throttle_failure(NULL, "alice", 0);
    auth_throttle_success(NULL, "alice");
    assert_int_equal(auth_throttle_wait_ms(NULL, "alice", 0), 0);
    auth_throttle_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts_independent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_success_resets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forgets_old_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flood_does_not_evict_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test(test_null_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
