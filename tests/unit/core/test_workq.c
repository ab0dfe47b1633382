/* Unit tests for the worker queue, with real threads: jobs run in order and free their
 * argument, a full queue refuses with -EAGAIN, a drain refuses new jobs, waits for running
 * ones, and at its deadline discards the jobs that never started. */
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

#include "core/timeutil.h"
#include "core/workq.h"

/* A gate jobs can block on until the test opens it. */
struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool open;
    atomic_int entered; /* jobs that reached the gate */
};

static void gate_init(struct gate *g)
{
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->cond, NULL);
    g->open = false;
    atomic_init(&g->entered, 0);
}

static void gate_open(struct gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->open = true;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

static void gate_done(struct gate *g)
{
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->lock);
}

/* Waits (up to 20 s) until n jobs have reached the gate. */
static void gate_wait_entered(struct gate *g, int n)
{
    int64_t limit = time_mono_ms() + 20000;
    while (atomic_load(&g->entered) < n && time_mono_ms() < limit)
        time_sleep_ms(1);
    assert_int_equal(atomic_load(&g->entered), n);
}

struct job {
    struct gate *gate; /* NULL: do not block */
    int64_t sleep_ms;
    atomic_int *log; /* appends id here in run order */
    atomic_int *log_len;
    int id;
    atomic_int *ran, *freed;
};

static void job_run(void *arg)
{
    struct job *j = arg;
    if (j->gate) {
        atomic_fetch_add(&j->gate->entered, 1);
        pthread_mutex_lock(&j->gate->lock);
        while (!j->gate->open)
            pthread_cond_wait(&j->gate->cond, &j->gate->lock);
        pthread_mutex_unlock(&j->gate->lock);
    }
    if (j->sleep_ms)
        time_sleep_ms(j->sleep_ms);
    if (j->log)
        atomic_store(&j->log[atomic_fetch_add(j->log_len, 1)], j->id);
    atomic_fetch_add(j->ran, 1);
}

static void job_free(void *arg)
{
    struct job *j = arg;
    atomic_fetch_add(j->freed, 1);
    free(j);
}

static struct job *job_new(struct gate *g, atomic_int *ran, atomic_int *freed)
{
    struct job *j = calloc(1, sizeof(*j));
    assert_non_null(j);
    j->gate = g;
    j->ran = ran;
    j->freed = freed;
    return j;
}

static void test_jobs_run_in_order_and_free_their_argument(void **state)
{
    (void)state;
    struct workq *q = NULL;
    assert_int_equal(workq_new("test-order", 1, 64, &q), 0);
    atomic_int ran = 0, freed = 0, log_len = 0;
    atomic_int log[50];
    for (int i = 0; i < 50; i++) {
        struct job *j = job_new(NULL, &ran, &freed);
        j->id = i;
        j->log = log;
        j->log_len = &log_len;
        assert_int_equal(workq_push(q, job_run, j, job_free), 0);
    }
    assert_int_equal(workq_drain(q, WORKQ_FOREVER), 0);
    assert_int_equal(atomic_load(&ran), 50);
    assert_int_equal(atomic_load(&freed), 50);
    for (int i = 0; i < 50; i++)
        assert_int_equal(atomic_load(&log[i]), i); /* one worker: first in, first run */
    assert_int_equal(workq_pending(q), 0);
    workq_free(q);
}

static void test_full_queue_refuses_with_eagain(void **state)
{
    (void)state;
    struct workq *q = NULL;
    assert_int_equal(workq_new("test-full", 1, 2, &q), 0);
    struct gate g;
    gate_init(&g);
    atomic_int ran = 0, freed = 0;
    assert_int_equal(workq_push(q, job_run, job_new(&g, &ran, &freed), job_free), 0);
    gate_wait_entered(&g, 1); /* the only worker is busy */
    assert_int_equal(workq_push(q, job_run, job_new(&g, &ran, &freed), job_free), 0);
    assert_int_equal(workq_push(q, job_run, job_new(&g, &ran, &freed), job_free), 0);
    assert_int_equal(workq_pending(q), 3);
    struct job *extra = job_new(NULL, &ran, &freed);
    assert_int_equal(workq_push(q, job_run, extra, job_free), -EAGAIN);
    assert_int_equal(atomic_load(&freed), 0); /* refused: the caller still owns it */
    gate_open(&g);
    assert_int_equal(workq_drain(q, WORKQ_FOREVER), 0);
    assert_int_equal(atomic_load(&ran), 3);
    assert_int_equal(workq_push(q, job_run, extra, job_free), -ESHUTDOWN);
    job_free(extra);
    workq_free(q);
    assert_int_equal(atomic_load(&freed), 4);
    gate_done(&g);
}

static void test_drain_waits_for_running_jobs(void **state)
{
    (void)state;
    struct workq *q = NULL;
    assert_int_equal(workq_new("test-drain", 3, 8, &q), 0);
    atomic_int ran = 0, freed = 0;
    for (int i = 0; i < 6; i++) {
        struct job *j = job_new(NULL, &ran, &freed);
        j->sleep_ms = 100;
        assert_int_equal(workq_push(q, job_run, j, job_free), 0);
    }
    assert_int_equal(workq_drain(q, time_mono_ms() + 20000), 0);
    /* Nothing is left half-done when drain returns: every job ran and was freed. */
    assert_int_equal(atomic_load(&ran), 6);
    assert_int_equal(atomic_load(&freed), 6);
    assert_int_equal(workq_pending(q), 0);
    workq_free(q);
}

static void test_drain_deadline_discards_jobs_not_started(void **state)
{
    (void)state;
    struct workq *q = NULL;
    assert_int_equal(workq_new("test-deadline", 1, 8, &q), 0);
    struct gate g;
    gate_init(&g);
    atomic_int ran = 0, freed = 0;
    assert_int_equal(workq_push(q, job_run, job_new(&g, &ran, &freed), job_free), 0);
    gate_wait_entered(&g, 1);
    for (int i = 0; i < 3; i++)
        assert_int_equal(workq_push(q, job_run, job_new(NULL, &ran, &freed), job_free), 0);
    int64_t start = time_mono_ms();
    assert_int_equal(workq_drain(q, start + 100), -ETIMEDOUT);
    assert_true(time_mono_ms() - start >= 100);
    /* The three queued jobs were dropped unrun, their arguments freed; the running one goes
     * on until it ends, and workq_free waits for it. */
    assert_int_equal(atomic_load(&ran), 0);
    assert_int_equal(atomic_load(&freed), 3);
    assert_int_equal(workq_pending(q), 1);
    assert_int_equal(workq_push(q, job_run, NULL, NULL), -ESHUTDOWN);
    gate_open(&g);
    workq_free(q);
    assert_int_equal(atomic_load(&ran), 1);
    assert_int_equal(atomic_load(&freed), 4);
    gate_done(&g);
}

static void test_free_without_drain_runs_everything(void **state)
{
    (void)state;
    struct workq *q = NULL;
    assert_int_equal(workq_new("test-free", 2, 16, &q), 0);
    atomic_int ran = 0, freed = 0;
    for (int i = 0; i < 16; i++)
        assert_int_equal(workq_push(q, job_run, job_new(NULL, &ran, &freed), job_free), 0);
    workq_free(q);
    assert_int_equal(atomic_load(&ran), 16);
    assert_int_equal(atomic_load(&freed), 16);
    workq_free(NULL);
}

static void test_rejects_bad_arguments(void **state)
{
    (void)state;
    struct workq *q = NULL;
    assert_int_equal(workq_new("x", 0, 1, &q), -EINVAL);
    assert_int_equal(workq_new("x", WORKQ_THREADS_MAX + 1, 1, &q), -EINVAL);
    assert_int_equal(workq_new("x", 1, 0, &q), -EINVAL);
    assert_int_equal(workq_new("x", 1, WORKQ_QUEUED_MAX + 1, &q), -EINVAL);
    assert_int_equal(workq_new(NULL, 1, 1, &q), -EINVAL);
    assert_null(q);
    assert_int_equal(workq_new("a-name-longer-than-fifteen-bytes", 1, 1, &q), 0);
    assert_int_equal(workq_push(q, NULL, NULL, NULL), -EINVAL);
    workq_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jobs_run_in_order_and_free_their_argument),
        cmocka_unit_test(test_full_queue_refuses_with_eagain),
        cmocka_unit_test(test_drain_waits_for_running_jobs),
        cmocka_unit_test(test_drain_deadline_discards_jobs_not_started),
        cmocka_unit_test(test_free_without_drain_runs_everything),
        cmocka_unit_test(test_rejects_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
