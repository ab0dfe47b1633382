/* Unit tests for lib/core/metrics: exact Prometheus text, escaping, the series cap, concurrent
 * adds, collect hooks, and a render that fails whole (OOM, the buffer cap, a failing hook). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "core/strbuf.h"

/* Allocation failures on demand (linked with --wrap=malloc,realloc): the n-th call from now
 * fails when fail_in reaches 1; 0 = never. */
static _Thread_local int fail_malloc_in, fail_realloc_in;
void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n)
{
    if (fail_malloc_in > 0 && --fail_malloc_in == 0)
        return NULL;
    return __real_malloc(n);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (fail_realloc_in > 0 && --fail_realloc_in == 0)
        return NULL;
    return __real_realloc(p, n);
}

static int setup(void **state)
{
    struct metrics *m = NULL;
    if (metrics_new(&m) < 0)
        return -1;
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    metrics_free(*state);
    return 0;
}

/* Renders m and compares the whole page. */
static void assert_page(struct metrics *m, const char *want)
{
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(metrics_render(m, &sb), 0);
    assert_string_equal(strbuf_str(&sb), want);
    strbuf_done(&sb);
}

static void test_counter_without_labels(void **state)
{
    struct metrics *m = *state;
    struct metric *c = NULL;
    assert_int_equal(metrics_counter(m, "jobs_total", "Jobs run.", NULL, &c), 0);
    /* Rendered as 0 before anything is counted, as a dashboard expects. */
    assert_page(m, "# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total 0\n");
    assert_int_equal(metric_add(c, NULL, 2), 0);
    assert_int_equal(metric_add(c, NULL, 40), 0);
    assert_page(m, "# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total 42\n");
}

static void test_counter_with_labels(void **state)
{
    struct metrics *m = *state;
    struct metric *c = NULL;
    static const char *const labels[] = {"method", "status", NULL};
    assert_int_equal(metrics_counter(m, "rpc_total", "RPCs by method and outcome.", labels, &c), 0);
    /* A labelled family shows only its header until a label set is used. */
    assert_page(m, "# HELP rpc_total RPCs by method and outcome.\n# TYPE rpc_total counter\n");
    assert_int_equal(metric_add(c, (const char *const[]){"launch", "ok"}, 1), 0);
    assert_int_equal(metric_add(c, (const char *const[]){"stop", "error"}, 3), 0);
    assert_int_equal(metric_add(c, (const char *const[]){"launch", "ok"}, 1), 0);
    assert_page(m, "# HELP rpc_total RPCs by method and outcome.\n"
                   "# TYPE rpc_total counter\n"
                   "rpc_total{method=\"launch\",status=\"ok\"} 2\n"
                   "rpc_total{method=\"stop\",status=\"error\"} 3\n");
}

static void test_gauge(void **state)
{
    struct metrics *m = *state;
    struct metric *g = NULL, *h = NULL;
    static const char *const labels[] = {"pool", NULL};
    assert_int_equal(metrics_gauge(m, "in_flight", "Work running.", NULL, &g), 0);
    assert_int_equal(metrics_gauge(m, "idle", "Idle clients.", labels, &h), 0);
    assert_int_equal(metric_add(g, NULL, 3), 0);
    assert_int_equal(metric_sub(g, NULL, 5), 0);
    assert_int_equal(metric_set(h, (const char *const[]){"a"}, 7), 0);
    assert_int_equal(metric_set(h, (const char *const[]){"b"}, 1), 0);
    assert_int_equal(metric_set(h, (const char *const[]){"a"}, 4), 0);
    assert_page(m, "# HELP in_flight Work running.\n# TYPE in_flight gauge\nin_flight -2\n"
                   "# HELP idle Idle clients.\n# TYPE idle gauge\n"
                   "idle{pool=\"a\"} 4\nidle{pool=\"b\"} 1\n");
}

static void test_summary(void **state)
{
    struct metrics *m = *state;
    struct metric *s = NULL, *t = NULL;
    static const char *const labels[] = {"route", NULL};
    assert_int_equal(metrics_summary(m, "wait_seconds", "Waiting time.", NULL, &s), 0);
    assert_int_equal(metrics_summary(m, "call_seconds", "Call time.", labels, &t), 0);
    assert_int_equal(metric_observe_us(s, NULL, 1500000), 0);
    assert_int_equal(metric_observe_us(s, NULL, 7), 0);
    assert_int_equal(metric_observe_us(t, (const char *const[]){"/a"}, 2000001), 0);
    assert_page(m, "# HELP wait_seconds Waiting time.\n# TYPE wait_seconds summary\n"
                   "wait_seconds_sum 1.500007\nwait_seconds_count 2\n"
                   "# HELP call_seconds Call time.\n# TYPE call_seconds summary\n"
                   "call_seconds_sum{route=\"/a\"} 2.000001\n"
                   "call_seconds_count{route=\"/a\"} 1\n");
}

static void test_escaping(void **state)
{
    struct metrics *m = *state;
    struct metric *c = NULL;
    static const char *const labels[] = {"path", NULL};
    assert_int_equal(metrics_counter(m, "hits_total", "Hits, \"quoted\"\\ and\nsplit.", labels, &c),
                     0);
    assert_int_equal(metric_add(c, (const char *const[]){"a\\b\"c\nd} e=\"f\""}, 1), 0);
    /* HELP escapes backslash and newline only; label values also the double quote. */
    assert_page(m, "# HELP hits_total Hits, \"quoted\"\\\\ and\\nsplit.\n"
                   "# TYPE hits_total counter\n"
                   "hits_total{path=\"a\\\\b\\\"c\\nd} e=\\\"f\\\"\"} 1\n");
}

static void test_series_cap(void **state)
{
    struct metrics *m = *state;
    struct metric *c = NULL, *g = NULL, *s = NULL;
    static const char *const labels[] = {"user", "kind", NULL};
    struct metric_def cd = {METRIC_COUNTER, "logins_total", "Logins.", labels, 2};
    struct metric_def gd = {METRIC_GAUGE, "sessions", "Sessions.", labels, 1};
    struct metric_def sd = {METRIC_SUMMARY, "login_seconds", "Login time.", labels, 1};
    assert_int_equal(metrics_register(m, &cd, &c), 0);
    assert_int_equal(metrics_register(m, &gd, &g), 0);
    assert_int_equal(metrics_register(m, &sd, &s), 0);

    assert_int_equal(metric_add(c, (const char *const[]){"ann", "pw"}, 1), 0);
    assert_int_equal(metric_add(c, (const char *const[]){"bob", "pw"}, 1), 0);
    /* A client choosing new values cannot add series: the rest goes to one "other" series. */
    char name[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof(name), "mallory%d", i);
        assert_int_equal(metric_add(c, (const char *const[]){name, "pw"}, 1), -ENOSPC);
    }
    /* Known series keep counting; naming the overflow series itself is not a new series. */
    assert_int_equal(metric_add(c, (const char *const[]){"ann", "pw"}, 1), 0);
    assert_int_equal(metric_add(c, (const char *const[]){"other", "other"}, 1), 0);
    /* An unusable value (not UTF-8, too long, NULL) is counted there too. */
    char longv[METRICS_VALUE_MAX + 2];
    memset(longv, 'x', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    assert_int_equal(metric_add(c, (const char *const[]){"\xc3\x28", "pw"}, 1), -EILSEQ);
    assert_int_equal(metric_add(c, (const char *const[]){longv, "pw"}, 1), -EILSEQ);
    assert_int_equal(metric_add(c, (const char *const[]){NULL, "pw"}, 1), -EILSEQ);
    assert_int_equal(metric_add(c, NULL, 1), -EILSEQ);
    /* Exactly at the length limit, or valid UTF-8, is usable: refused here only by the cap. */
    longv[METRICS_VALUE_MAX] = '\0';
    assert_int_equal(metric_add(c, (const char *const[]){longv, "pw"}, 1), -ENOSPC);
    assert_int_equal(metric_add(c, (const char *const[]){"\xc3\xa9t\xc3\xa9", "pw"}, 1), -ENOSPC);

    /* A gauge refuses instead: a value set for some other series would be a lie. */
    assert_int_equal(metric_set(g, (const char *const[]){"ann", "pw"}, 5), 0);
    assert_int_equal(metric_set(g, (const char *const[]){"bob", "pw"}, 9), -ENOSPC);
    assert_int_equal(metric_add(g, (const char *const[]){"bob", "pw"}, 9), -ENOSPC);
    /* A summary folds like a counter. */
    assert_int_equal(metric_observe_us(s, (const char *const[]){"ann", "pw"}, 1000), 0);
    assert_int_equal(metric_observe_us(s, (const char *const[]){"bob", "pw"}, 2000), -ENOSPC);

    assert_page(m, "# HELP logins_total Logins.\n# TYPE logins_total counter\n"
                   "logins_total{user=\"ann\",kind=\"pw\"} 2\n"
                   "logins_total{user=\"bob\",kind=\"pw\"} 1\n"
                   "logins_total{user=\"other\",kind=\"other\"} 1007\n"
                   "# HELP sessions Sessions.\n# TYPE sessions gauge\n"
                   "sessions{user=\"ann\",kind=\"pw\"} 5\n"
                   "# HELP login_seconds Login time.\n# TYPE login_seconds summary\n"
                   "login_seconds_sum{user=\"ann\",kind=\"pw\"} 0.001000\n"
                   "login_seconds_count{user=\"ann\",kind=\"pw\"} 1\n"
                   "login_seconds_sum{user=\"other\",kind=\"other\"} 0.002000\n"
                   "login_seconds_count{user=\"other\",kind=\"other\"} 1\n");
}

static void test_default_cap(void **state)
{
    struct metrics *m = *state;
    struct metric *c = NULL;
    static const char *const labels[] = {"id", NULL};
    assert_int_equal(metrics_counter(m, "ids_total", "By id.", labels, &c), 0);
    char id[32];
    for (int i = 0; i < METRICS_SERIES_DEFAULT + 50; i++) {
        snprintf(id, sizeof(id), "%d", i);
        assert_int_equal(metric_add(c, (const char *const[]){id}, 1),
                         i < METRICS_SERIES_DEFAULT ? 0 : -ENOSPC);
    }
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(metrics_render(m, &sb), 0);
    assert_non_null(strstr(strbuf_str(&sb), "\nids_total{id=\"999\"} 1\n"));
    assert_null(strstr(strbuf_str(&sb), "\nids_total{id=\"1000\"}"));
    assert_non_null(strstr(strbuf_str(&sb), "\nids_total{id=\"other\"} 50\n"));
    strbuf_done(&sb);
}

static void test_series_oom_folds(void **state)
{
    struct metrics *m = *state;
    struct metric *c = NULL;
    static const char *const labels[] = {"k", NULL};
    assert_int_equal(metrics_counter(m, "n_total", "N.", labels, &c), 0);
    fail_malloc_in = 1;
    assert_int_equal(metric_add(c, (const char *const[]){"a"}, 1), -ENOMEM);
    fail_malloc_in = 0;
    assert_int_equal(metric_add(c, (const char *const[]){"a"}, 1), 0);
    assert_page(m, "# HELP n_total N.\n# TYPE n_total counter\n"
                   "n_total{k=\"other\"} 1\nn_total{k=\"a\"} 1\n");
}

static void test_register_errors(void **state)
{
    struct metrics *m = *state;
    static char sentinel;
    struct metric *x = NULL, *const keep = (struct metric *)(void *)&sentinel, *ret = keep;
    assert_int_equal(metrics_counter(m, "ok_total", "ok", NULL, &x), 0);
    assert_int_equal(metrics_gauge(m, "ok_total", "again", NULL, &ret), -EEXIST);
    assert_int_equal(metrics_counter(m, "", "h", NULL, &ret), -EINVAL);
    assert_int_equal(metrics_counter(m, "9lives", "h", NULL, &ret), -EINVAL);
    assert_int_equal(metrics_counter(m, "has-dash", "h", NULL, &ret), -EINVAL);
    assert_int_equal(metrics_counter(m, NULL, "h", NULL, &ret), -EINVAL);
    assert_int_equal(metrics_counter(m, "bad_label", "h", (const char *const[]){"a:b", NULL}, &ret),
                     -EINVAL);
    assert_int_equal(
        metrics_counter(m, "reserved", "h", (const char *const[]){"__name__", NULL}, &ret),
        -EINVAL);
    assert_int_equal(metrics_counter(m, "twice", "h", (const char *const[]){"a", "a", NULL}, &ret),
                     -EINVAL);
    assert_int_equal(
        metrics_summary(m, "q_seconds", "h", (const char *const[]){"quantile", NULL}, &ret),
        -EINVAL);
    static const char *const nine[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", NULL};
    assert_int_equal(metrics_counter(m, "wide", "h", nine, &ret), -E2BIG);
    struct metric_def huge = {METRIC_COUNTER, "huge", "h", (const char *const[]){"a", NULL},
                              (size_t)1 << 30};
    assert_int_equal(metrics_register(m, &huge, &ret), -EINVAL);
    struct metric_def badtype = {(enum metric_type)7, "t", "h", NULL, 0};
    assert_int_equal(metrics_register(m, &badtype, &ret), -EINVAL);
    fail_malloc_in = 1;
    assert_int_equal(metrics_counter(m, "oom", "h", NULL, &ret), -ENOMEM);
    fail_malloc_in = 0;
    assert_ptr_equal(ret, keep);
    /* Colons are allowed in metric names (recording rules), not in label names. */
    assert_int_equal(metrics_counter(m, "a:b_total", "h", (const char *const[]){"_x1", NULL}, &ret),
                     0);

    /* The wrong operation for a type changes nothing. */
    struct metric *g = NULL, *s = NULL;
    assert_int_equal(metrics_gauge(m, "g", "h", NULL, &g), 0);
    assert_int_equal(metrics_summary(m, "s_seconds", "h", NULL, &s), 0);
    assert_int_equal(metric_sub(x, NULL, 1), -EINVAL);
    assert_int_equal(metric_observe_us(x, NULL, 1), -EINVAL);
    assert_int_equal(metric_add(s, NULL, 1), -EINVAL);
    assert_int_equal(metric_set(s, NULL, 1), -EINVAL);
    assert_int_equal(metric_observe_us(g, NULL, 1), -EINVAL);
    assert_int_equal(metric_add(NULL, NULL, 1), -EINVAL);
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(metrics_render(m, &sb), 0);
    assert_non_null(strstr(strbuf_str(&sb), "\nok_total 0\n"));
    assert_non_null(strstr(strbuf_str(&sb), "\ns_seconds_sum 0.000000\ns_seconds_count 0\n"));
    assert_non_null(strstr(strbuf_str(&sb), "\ng 0\n"));
    strbuf_done(&sb);
}

struct hook_state {
    struct metric *g;
    int calls;
    int fail;
};

static int hook(struct metrics *m, void *ud)
{
    (void)m;
    struct hook_state *h = ud;
    h->calls++;
    if (h->fail)
        return h->fail;
    metric_set(h->g, (const char *const[]){"RUNNING"}, 10 * h->calls);
    return 0;
}

static void test_collect_hooks(void **state)
{
    struct metrics *m = *state;
    struct hook_state h = {0};
    static const char *const labels[] = {"status", NULL};
    assert_int_equal(metrics_gauge(m, "containers", "By status.", labels, &h.g), 0);
    assert_int_equal(metrics_on_collect(m, hook, &h), 0);
    assert_int_equal(metrics_on_collect(m, NULL, &h), -EINVAL);
    /* The hook runs before the families are written, so its values are on the same page. */
    assert_page(m, "# HELP containers By status.\n# TYPE containers gauge\n"
                   "containers{status=\"RUNNING\"} 10\n");
    assert_page(m, "# HELP containers By status.\n# TYPE containers gauge\n"
                   "containers{status=\"RUNNING\"} 20\n");

    /* A failing hook fails the render and leaves what the buffer held. */
    h.fail = -EIO;
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "before\n");
    assert_int_equal(metrics_render(m, &sb), -EIO);
    assert_string_equal(strbuf_str(&sb), "before\n");
    strbuf_done(&sb);
}

static void fill(struct metrics *m)
{
    struct metric *c = NULL;
    static const char *const labels[] = {"route", NULL};
    assert_int_equal(metrics_counter(m, "req_total", "Requests.", labels, &c), 0);
    char route[32];
    for (int i = 0; i < 200; i++) {
        snprintf(route, sizeof(route), "/r/%d", i);
        assert_int_equal(metric_add(c, (const char *const[]){route}, (uint64_t)i), 0);
    }
}

static void test_render_fails_whole_on_cap(void **state)
{
    struct metrics *m = *state;
    fill(m);
    struct strbuf full = STRBUF_INIT;
    assert_int_equal(metrics_render(m, &full), 0);
    /* One byte short of the page: no truncated page, the buffer as it was. */
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "keep\n");
    sb.max = 5 + full.len - 1;
    assert_int_equal(metrics_render(m, &sb), -E2BIG);
    assert_string_equal(strbuf_str(&sb), "keep\n");
    sb.max = 5 + full.len;
    assert_int_equal(metrics_render(m, &sb), 0);
    assert_int_equal(sb.len, 5 + full.len);
    assert_string_equal(strbuf_str(&sb) + 5, strbuf_str(&full));
    strbuf_done(&sb);
    strbuf_done(&full);
}

static void test_render_fails_whole_on_oom(void **state)
{
    struct metrics *m = *state;
    fill(m);
    for (int n = 1; n <= 3; n++) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "keep\n");
        fail_realloc_in = n; /* the buffer fails to grow at its n-th growth */
        assert_int_equal(metrics_render(m, &sb), -ENOMEM);
        fail_realloc_in = 0;
        assert_string_equal(strbuf_str(&sb), "keep\n");
        strbuf_done(&sb);
    }
}

/* ---- concurrency ---- */

#define THREADS 8
#define ADDS 20000
#define KEYS 16

struct worker {
    struct metric *c, *s, *g;
    int id;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char key[16];
    for (int i = 0; i < ADDS; i++) {
        /* Every thread walks all keys, so the threads race to create each series. */
        snprintf(key, sizeof(key), "k%d", (i + w->id) % KEYS);
        const char *const v[] = {key};
        metric_add(w->c, v, 3);
        metric_observe_us(w->s, v, 2);
        metric_add(w->g, NULL, 1);
        metric_sub(w->g, NULL, 1);
    }
    return NULL;
}

static void *render_main(void *arg)
{
    struct metrics *m = arg;
    for (int i = 0; i < 50; i++) {
        struct strbuf sb = STRBUF_INIT;
        assert_int_equal(metrics_render(m, &sb), 0);
        strbuf_done(&sb);
    }
    return NULL;
}

static void test_concurrent_adds_sum_exactly(void **state)
{
    struct metrics *m = *state;
    struct metric *c = NULL, *s = NULL, *g = NULL;
    static const char *const labels[] = {"key", NULL};
    assert_int_equal(metrics_counter(m, "adds_total", "Adds.", labels, &c), 0);
    assert_int_equal(metrics_summary(m, "obs_seconds", "Obs.", labels, &s), 0);
    assert_int_equal(metrics_gauge(m, "level", "Level.", NULL, &g), 0);
    pthread_t t[THREADS], r;
    struct worker w[THREADS];
    assert_int_equal(pthread_create(&r, NULL, render_main, m), 0);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){c, s, g, i};
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    pthread_join(r, NULL);

    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(metrics_render(m, &sb), 0);
    const char *page = strbuf_str(&sb);
    /* Each key exactly once (no duplicate series from racing creators), with exact sums. */
    char line[96];
    for (int k = 0; k < KEYS; k++) {
        snprintf(line, sizeof(line), "\nadds_total{key=\"k%d\"} %d\n", k,
                 3 * THREADS * ADDS / KEYS);
        const char *at = strstr(page, line);
        assert_non_null(at);
        snprintf(line, sizeof(line), "\nadds_total{key=\"k%d\"} ", k);
        assert_null(strstr(at + 1, line));
        snprintf(line, sizeof(line), "\nobs_seconds_count{key=\"k%d\"} %d\n", k,
                 THREADS * ADDS / KEYS);
        assert_non_null(strstr(page, line));
        snprintf(line, sizeof(line), "\nobs_seconds_sum{key=\"k%d\"} 0.%06d\n", k,
                 2 * THREADS * ADDS / KEYS);
        assert_non_null(strstr(page, line));
    }
    assert_null(strstr(page, "other"));
    assert_non_null(strstr(page, "\nlevel 0\n"));
    strbuf_done(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counter_without_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counter_with_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gauge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_series_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_series_oom_folds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collect_hooks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_fails_whole_on_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_fails_whole_on_oom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_adds_sum_exactly, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
