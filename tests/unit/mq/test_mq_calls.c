/* Unit tests for lib/mq's RPC bookkeeping, no broker: correlation ids, calls completed by
 * another thread, timeouts and late replies, failing the calls of a dropped connection, the
 * shutdown, the cap, and the publisher-confirm tracker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "mq/mq-int.h"

static int setup(void **state)
{
    struct mq_calls *t = malloc(sizeof(*t));
    assert_non_null(t);
    assert_int_equal(mq_calls_init(t, 8, 0x1234abcd5678ef90ULL), 0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct mq_calls *t = *state;
    mq_calls_done(t);
    free(t);
    return 0;
}

static void test_corr_round_trip(void **state)
{
    struct mq_calls *t = *state;
    struct mq_call c;
    assert_int_equal(mq_call_begin(t, &c, true), 0);
    char corr[MQ_CORR_MAX];
    mq_calls_corr(t, c.id, corr);
    assert_string_equal(corr, "1234abcd5678ef90-0000000000000001");
    uint64_t id = 0;
    assert_int_equal(mq_calls_parse_corr(t, corr, strlen(corr), &id), 0);
    assert_int_equal(id, c.id);
    /* Someone else's ids, truncated or padded ones, and upper case are not ours. */
    const char *bad[] = {"ffffabcd5678ef90-0000000000000001",  "1234abcd5678ef90-000000000000001",
                         "1234abcd5678ef90-00000000000000011", "1234abcd5678ef90_0000000000000001",
                         "1234abcd5678ef90-000000000000000G",  "1234abcd5678ef90-0000000000000000",
                         "1234ABCD5678EF90-0000000000000001",  ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(mq_calls_parse_corr(t, bad[i], strlen(bad[i]), &id), -ENOENT);
    assert_int_equal(mq_calls_parse_corr(t, NULL, 0, &id), -ENOENT);
    mq_call_abandon(t, &c);
    assert_int_equal(mq_calls_pending(t), 0);
}

static void test_random_prefixes_differ(void **state)
{
    (void)state;
    struct mq_calls a, b;
    assert_int_equal(mq_calls_init(&a, 0, 0), 0);
    assert_int_equal(mq_calls_init(&b, 0, 0), 0);
    assert_string_not_equal(a.prefix, b.prefix);
    assert_int_equal(a.max, MQ_CALLS_MAX);
    mq_calls_done(&a);
    mq_calls_done(&b);
}

struct finisher {
    struct mq_calls *t;
    uint64_t id;
    int64_t delay_ms;
    int r;
    const char *reply;
    bool found;
};

static void *finish_later(void *arg)
{
    struct finisher *f = arg;
    time_sleep_ms(f->delay_ms);
    char *copy = f->reply ? strdup(f->reply) : NULL;
    f->found = mq_calls_finish(f->t, f->id, f->r, copy, f->reply ? strlen(f->reply) : 0);
    return NULL;
}

static void test_reply_wakes_the_caller(void **state)
{
    struct mq_calls *t = *state;
    struct mq_call c;
    assert_int_equal(mq_call_begin(t, &c, true), 0);
    struct finisher f = {.t = t, .id = c.id, .delay_ms = 50, .reply = "{\"answer\":1}"};
    pthread_t th;
    pthread_create(&th, NULL, finish_later, &f);
    char *reply = NULL;
    size_t len = 0;
    int64_t t0 = time_mono_ms();
    assert_int_equal(mq_call_wait(t, &c, time_mono_ms() + 5000, &reply, &len), 0);
    assert_true(time_mono_ms() - t0 < 4000);
    pthread_join(th, NULL);
    assert_true(f.found);
    assert_string_equal(reply, "{\"answer\":1}");
    assert_int_equal(len, strlen(reply));
    free(reply);
    assert_int_equal(mq_calls_pending(t), 0);
}

static void test_timeout_then_late_reply(void **state)
{
    struct mq_calls *t = *state;
    struct mq_call c;
    assert_int_equal(mq_call_begin(t, &c, true), 0);
    uint64_t id = c.id;
    int64_t t0 = time_mono_ms();
    char *reply = NULL;
    assert_int_equal(mq_call_wait(t, &c, time_mono_ms() + 100, &reply, NULL), -ETIMEDOUT);
    int64_t took = time_mono_ms() - t0;
    assert_true(took >= 99 && took < 2000);
    assert_null(reply);
    assert_int_equal(mq_calls_pending(t), 0);
    /* The reply that comes after the caller left finds nothing (and is freed: ASan). */
    assert_false(mq_calls_finish(t, id, 0, strdup("late"), 4));
    assert_false(mq_calls_sent(t, id, 1));
}

static void test_error_result_frees_reply(void **state)
{
    struct mq_calls *t = *state;
    struct mq_call c;
    assert_int_equal(mq_call_begin(t, &c, true), 0);
    assert_true(mq_calls_finish(t, c.id, -EMSGSIZE, strdup("ignored"), 7));
    char *reply = NULL;
    assert_int_equal(mq_call_wait(t, &c, time_mono_ms() + 1000, &reply, NULL), -EMSGSIZE);
    assert_null(reply);
}

static void test_dropped_connection_fails_its_calls(void **state)
{
    struct mq_calls *t = *state;
    struct mq_call on1, on2, unsent;
    assert_int_equal(mq_call_begin(t, &on1, true), 0);
    assert_int_equal(mq_call_begin(t, &on2, true), 0);
    assert_int_equal(mq_call_begin(t, &unsent, true), 0);
    assert_true(mq_calls_sent(t, on1.id, 1));
    assert_true(mq_calls_sent(t, on2.id, 2));
    /* Connection 1 dropped: only the call published on it fails. */
    assert_int_equal(mq_calls_fail_generation(t, 1, -ECONNRESET), 1);
    assert_int_equal(mq_call_wait(t, &on1, time_mono_ms() + 1000, NULL, NULL), -ECONNRESET);
    assert_int_equal(mq_calls_pending(t), 2);
    assert_int_equal(mq_calls_fail_generation(t, 2, -ECONNRESET), 1);
    assert_int_equal(mq_call_wait(t, &on2, time_mono_ms() + 1000, NULL, NULL), -ECONNRESET);
    /* A call never published is not failed by a drop (the I/O thread fails it as unsent). */
    assert_int_equal(mq_calls_fail_generation(t, 3, -ECONNRESET), 0);
    assert_int_equal(mq_calls_pending(t), 1);
    mq_call_abandon(t, &unsent);
}

static void test_confirms_complete_publishes_only(void **state)
{
    struct mq_calls *t = *state;
    struct mq_call pub, rpc, nacked;
    assert_int_equal(mq_call_begin(t, &pub, false), 0);
    assert_int_equal(mq_call_begin(t, &rpc, true), 0);
    assert_int_equal(mq_call_begin(t, &nacked, true), 0);
    assert_true(mq_calls_confirmed(t, pub.id, true));
    assert_int_equal(mq_call_wait(t, &pub, time_mono_ms() + 1000, NULL, NULL), 0);
    /* An RPC's confirm only says the broker took the request: it still waits for the reply. */
    assert_true(mq_calls_confirmed(t, rpc.id, true));
    assert_int_equal(mq_call_wait(t, &rpc, time_mono_ms() + 50, NULL, NULL), -ETIMEDOUT);
    assert_true(mq_calls_confirmed(t, nacked.id, false));
    assert_int_equal(mq_call_wait(t, &nacked, time_mono_ms() + 1000, NULL, NULL), -EIO);
}

static void test_cap_and_close(void **state)
{
    struct mq_calls *t = *state; /* max 8 */
    struct mq_call c[9];
    for (int i = 0; i < 8; i++)
        assert_int_equal(mq_call_begin(t, &c[i], i % 2), 0);
    assert_int_equal(mq_call_begin(t, &c[8], true), -EAGAIN);
    assert_int_equal(mq_calls_close(t, -ESHUTDOWN), 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(mq_call_wait(t, &c[i], time_mono_ms() + 1000, NULL, NULL), -ESHUTDOWN);
    assert_int_equal(mq_call_begin(t, &c[8], true), -ESHUTDOWN);
    assert_int_equal(mq_calls_pending(t), 0);
}

/* Many callers, completed in another order by another thread: each gets its own reply. */
struct waiter {
    struct mq_calls *t;
    atomic_uint_fast64_t id;
    atomic_int ready;
    int r;
    char reply[32];
};

static void *wait_one(void *arg)
{
    struct waiter *w = arg;
    struct mq_call c;
    if (mq_call_begin(w->t, &c, true) != 0) {
        w->r = -1;
        w->ready = 1;
        return NULL;
    }
    w->id = c.id;
    w->ready = 1;
    char *reply = NULL;
    w->r = mq_call_wait(w->t, &c, time_mono_ms() + 10000, &reply, NULL);
    if (reply)
        snprintf(w->reply, sizeof(w->reply), "%s", reply);
    free(reply);
    return NULL;
}

static void test_concurrent_callers(void **state)
{
    (void)state;
    struct mq_calls t;
    assert_int_equal(mq_calls_init(&t, 0, 0), 0);
    enum { N = 64 };
    static struct waiter w[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        w[i] = (struct waiter){.t = &t};
        pthread_create(&th[i], NULL, wait_one, &w[i]);
    }
    for (int i = 0; i < N; i++)
        while (!w[i].ready)
            time_sleep_ms(1);
    for (int i = N - 1; i >= 0; i--) {
        char body[32];
        snprintf(body, sizeof(body), "for-%llu", (unsigned long long)w[i].id);
        assert_true(mq_calls_finish(&t, w[i].id, 0, strdup(body), strlen(body)));
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].r, 0);
        char want[32];
        snprintf(want, sizeof(want), "for-%llu", (unsigned long long)w[i].id);
        assert_string_equal(w[i].reply, want);
    }
    assert_int_equal(mq_calls_pending(&t), 0);
    mq_calls_done(&t);
}

/* ---- the confirm tracker ---- */

struct settled {
    uint64_t ids[16];
    size_t n;
};

static void note(uint64_t id, void *ud)
{
    struct settled *s = ud;
    s->ids[s->n++] = id;
}

static void test_confirms_single_multiple_drain(void **state)
{
    (void)state;
    struct mq_confirms c;
    assert_int_equal(mq_confirms_init(&c, 8), 0);
    uint64_t dropped;
    for (uint64_t id = 101; id <= 105; id++)
        assert_int_equal(mq_confirms_push(&c, id, &dropped), id - 100);
    struct settled s = {0};
    /* A single ack out of order. */
    assert_int_equal(mq_confirms_settle(&c, 3, false, note, &s), 1);
    assert_int_equal(s.ids[0], 103);
    /* The same tag again, or one never used, settles nothing. */
    assert_int_equal(mq_confirms_settle(&c, 3, false, note, &s), 0);
    assert_int_equal(mq_confirms_settle(&c, 99, false, note, &s), 0);
    /* multiple: everything up to 4 that is still open. */
    assert_int_equal(mq_confirms_settle(&c, 4, true, note, &s), 3);
    assert_int_equal(s.ids[1], 101);
    assert_int_equal(s.ids[2], 102);
    assert_int_equal(s.ids[3], 104);
    assert_int_equal(c.n, 1);
    /* The channel goes: the rest is drained, and tags start again at 1. */
    assert_int_equal(mq_confirms_drain(&c, note, &s), 1);
    assert_int_equal(s.ids[4], 105);
    mq_confirms_reset(&c);
    assert_int_equal(mq_confirms_push(&c, 200, &dropped), 1);
    mq_confirms_done(&c);
}

static void test_confirms_full_ring_forgets_oldest(void **state)
{
    (void)state;
    struct mq_confirms c;
    assert_int_equal(mq_confirms_init(&c, 3), 0);
    uint64_t dropped;
    for (uint64_t id = 1; id <= 3; id++) {
        mq_confirms_push(&c, id, &dropped);
        assert_int_equal(dropped, 0);
    }
    assert_int_equal(mq_confirms_push(&c, 4, &dropped), 4);
    assert_int_equal(dropped, 1);
    struct settled s = {0};
    /* Wrapped around the ring, still in tag order. */
    assert_int_equal(mq_confirms_settle(&c, 4, false, note, &s), 1);
    assert_int_equal(mq_confirms_settle(&c, 3, true, note, &s), 2);
    assert_int_equal(s.ids[0], 4);
    assert_int_equal(s.ids[1], 2);
    assert_int_equal(s.ids[2], 3);
    assert_int_equal(c.n, 0);
    mq_confirms_done(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_corr_round_trip, setup, teardown),
        cmocka_unit_test(test_random_prefixes_differ),
        cmocka_unit_test_setup_teardown(test_reply_wakes_the_caller, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_then_late_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_result_frees_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_connection_fails_its_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirms_complete_publishes_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_and_close, setup, teardown),
        cmocka_unit_test(test_concurrent_callers),
        cmocka_unit_test(test_confirms_single_multiple_drain),
        cmocka_unit_test(test_confirms_full_ring_forgets_oldest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
