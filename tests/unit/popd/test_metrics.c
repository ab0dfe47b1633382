/* Unit tests for popd-rest's metric families: the store's counts read at scrape time, and a
 * store that cannot answer failing the render (so /metrics answers 500, not a 200 without
 * them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/metrics.h"
#include "core/strbuf.h"
#include "popd.h"
#include "popd_fixture.h"
#include "testlib.h"

/* The store, as the collect hook sees it, fails on demand (linked with --wrap=store_stats). */
static int stats_fail;
int __real_store_stats(struct pop_store *st, int64_t status_counts[POP_STATUS_COUNT],
                       int64_t *ret_reserved);
int __wrap_store_stats(struct pop_store *st, int64_t status_counts[POP_STATUS_COUNT],
                       int64_t *ret_reserved);
int __wrap_store_stats(struct pop_store *st, int64_t status_counts[POP_STATUS_COUNT],
                       int64_t *ret_reserved)
{
    return stats_fail ? stats_fail : __real_store_stats(st, status_counts, ret_reserved);
}

struct fixture {
    char *dir;
    char path[128];
    struct popd p;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->dir = testlib_tmpdir_new("popd-metrics");
    snprintf(f->path, sizeof(f->path), "%s/popd.db", f->dir);
    assert_int_equal(store_open(f->path, &f->p.store), 0);
    assert_int_equal(popd_metrics_init(&f->p), 0);
    stats_fail = 0;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    metrics_free(f->p.metrics);
    store_close(f->p.store);
    testlib_tmpdir_free(f->dir);
    free(f);
    return 0;
}

static void add_container(struct pop_store *st)
{
    popd_fixture_add_network(st, "net-1", "private", "10.77.0.0/24");
    struct pop_container c = {0};
    snprintf(c.id, sizeof(c.id), "c1");
    snprintf(c.name, sizeof(c.name), "one");
    snprintf(c.image_id, sizeof(c.image_id), "pop-tiny:latest");
    snprintf(c.flavour_id, sizeof(c.flavour_id), "docker.container");
    struct endpoint_request req = {"private", 0, "ep-1"};
    struct store_error err;
    assert_int_equal(store_container_create(st, &c, &req, 1, &err), 0);
}

static const char page_fmt[] = "# HELP popd_containers Pop containers by status.\n"
                               "# TYPE popd_containers gauge\n"
                               "popd_containers{status=\"CREATED\"} %d\n"
                               "popd_containers{status=\"RUNNING\"} 0\n"
                               "popd_containers{status=\"EXITED\"} 0\n"
                               "popd_containers{status=\"FAILED\"} 0\n"
                               "popd_containers{status=\"STOPPING\"} 0\n"
                               "# HELP popd_reserved_addresses IPv4 addresses reserved on all "
                               "networks.\n"
                               "# TYPE popd_reserved_addresses gauge\n"
                               "popd_reserved_addresses %d\n"
                               "# HELP popd_engine_events_total Docker events received.\n"
                               "# TYPE popd_engine_events_total counter\n"
                               "popd_engine_events_total %d\n"
                               "# HELP popd_engine_event_reconnects_total Events stream "
                               "reconnects.\n"
                               "# TYPE popd_engine_event_reconnects_total counter\n"
                               "popd_engine_event_reconnects_total 0\n";

static void assert_page(struct popd *p, int created, int reserved, int events)
{
    char want[2048];
    snprintf(want, sizeof(want), page_fmt, created, reserved, events);
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(metrics_render(p->metrics, &sb), 0);
    assert_string_equal(strbuf_str(&sb), want);
    strbuf_done(&sb);
}

/* The names and labels dashboards and tests/integration grep for, read live from the store. */
static void test_families_from_store(void **state)
{
    struct fixture *f = *state;
    assert_page(&f->p, 0, 0, 0);
    add_container(f->p.store);
    metric_add(f->p.m_events, NULL, 3);
    assert_page(&f->p, 1, 1, 3);
}

static void test_store_failure_fails_render(void **state)
{
    struct fixture *f = *state;
    stats_fail = -EIO;
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(metrics_render(f->p.metrics, &sb), -EIO);
    assert_int_equal(sb.len, 0);
    strbuf_done(&sb);
    stats_fail = 0;
    assert_page(&f->p, 0, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_families_from_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_failure_fails_render, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
