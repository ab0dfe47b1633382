/* Unit tests for the popd store on a real SQLite file: allocation, uniqueness under
 * concurrency, exhaustion, release on final states, persistence across reopen, bind failures
 * reported as errors, moves off the state graph refused, and readers not held up by a writer
 * waiting for another process's write lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "popd_core_migrations.h"
#include "popd_fixture.h"
#include "store.h"
#include "testlib.h"

/* Binding text fails with SQLITE_NOMEM on demand (linked with --wrap=sqlite3_bind_text), as
 * it would when SQLite cannot copy the string. */
static atomic_int bind_text_fail;
int __real_sqlite3_bind_text(sqlite3_stmt *s, int i, const char *v, int n, void (*d)(void *));
int __wrap_sqlite3_bind_text(sqlite3_stmt *s, int i, const char *v, int n, void (*d)(void *));
int __wrap_sqlite3_bind_text(sqlite3_stmt *s, int i, const char *v, int n, void (*d)(void *))
{
    if (atomic_load(&bind_text_fail))
        return SQLITE_NOMEM;
    return __real_sqlite3_bind_text(s, i, v, n, d);
}

struct fixture {
    char *dir;
    char path[128];
    struct pop_store *st;
};

static uint32_t A(const char *s)
{
    uint32_t a = 0;
    assert_int_equal(ipam_parse_addr(s, &a), 0);
    return a;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->dir = testlib_tmpdir_new("popd-store");
    snprintf(f->path, sizeof(f->path), "%s/popd.db", f->dir);
    assert_int_equal(store_open(f->path, &f->st), 0);
    popd_fixture_add_network(f->st, "net-1", "private", "10.77.0.0/24");
    popd_fixture_add_network(f->st, "net-2", "tiny", "10.78.0.0/30"); /* one assignable address */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    testlib_tmpdir_free(f->dir);
    free(f);
    return 0;
}

static int create(struct pop_store *st, const char *id, const char *net, uint32_t ip,
                  struct pop_container *c, struct store_error *err)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->id, sizeof(c->id), "%s", id);
    snprintf(c->name, sizeof(c->name), "name-%s", id);
    snprintf(c->image_id, sizeof(c->image_id), "pop-tiny:latest");
    snprintf(c->flavour_id, sizeof(c->flavour_id), "docker.container");
    c->created = 100;
    char ep_id[40];
    snprintf(ep_id, sizeof(ep_id), "ep-%s", id);
    struct endpoint_request req = {net, ip, ep_id};
    return store_container_create(st, c, &req, 1, err);
}

static void test_lowest_free_then_requested(void **state)
{
    struct fixture *f = *state;
    struct pop_container c;
    struct store_error err;
    assert_int_equal(create(f->st, "c1", "private", 0, &c, &err), 0);
    assert_int_equal(c.ep[0].ipv4, A("10.77.0.2"));
    assert_string_equal(c.ep[0].net_name, "private");
    assert_int_equal(create(f->st, "c2", "private", A("10.77.0.9"), &c, &err), 0);
    assert_int_equal(c.ep[0].ipv4, A("10.77.0.9"));
    assert_int_equal(create(f->st, "c3", "private", A("10.77.0.9"), &c, &err), -EADDRINUSE);
    assert_string_equal(err.network, "private");
    assert_int_equal(create(f->st, "c4", "private", A("10.77.0.1"), &c, &err), -EDOM);
    assert_int_equal(create(f->st, "c5", "nowhere", 0, &c, &err), -ENOENT);
    assert_string_equal(err.network, "nowhere");
    /* failed creates left nothing behind */
    struct pop_container *list;
    size_t n;
    assert_int_equal(store_container_list(f->st, NULL, NULL, &list, &n), 0);
    assert_int_equal(n, 2);
    pop_container_list_free(list, n);
    assert_int_equal(create(f->st, "c1", "private", 0, &c, &err), -EEXIST);
}

static void test_exhaustion_and_release_on_final(void **state)
{
    struct fixture *f = *state;
    struct pop_container c;
    struct store_error err;
    assert_int_equal(create(f->st, "a", "tiny", 0, &c, &err), 0);
    assert_int_equal(c.ep[0].ipv4, A("10.78.0.2"));
    assert_int_equal(create(f->st, "b", "tiny", 0, &c, &err), -ENOSPC);
    assert_string_equal(err.network, "tiny");
    /* RUNNING then FAILED releases the address */
    assert_int_equal(store_container_transition(f->st, "a", POP_MASK(POP_CREATED), POP_RUNNING,
                                                "running", "dock1", 5),
                     0);
    assert_int_equal(
        store_container_transition(f->st, "a", POP_MASK(POP_CREATED), POP_FAILED, "x", NULL, 0),
        -ESTALE);
    assert_int_equal(store_container_transition(f->st, "a", POP_MASK(POP_RUNNING), POP_FAILED,
                                                "exited with code 3", "", 0),
                     0);
    assert_int_equal(create(f->st, "b", "tiny", 0, &c, &err), 0);
    assert_int_equal(c.ep[0].ipv4, A("10.78.0.2"));
    struct pop_container got;
    assert_int_equal(store_container_get(f->st, "name-a", &got), 0);
    assert_int_equal(got.status, POP_FAILED);
    assert_string_equal(got.extended_status, "exited with code 3");
    assert_string_equal(got.docker_id, "");
    assert_int_equal(got.started, 5);
    pop_container_done(&got);
    /* a network with endpoints cannot be removed */
    assert_int_equal(store_network_remove(f->st, "net-2"), -EBUSY);
    assert_int_equal(store_container_remove(f->st, "a"), 0);
    assert_int_equal(store_container_remove(f->st, "b"), 0);
    assert_int_equal(store_network_remove(f->st, "net-2"), 0);
    assert_int_equal(store_container_remove(f->st, "b"), -ENOENT);
}

struct worker {
    struct pop_store *st;
    int index;
    uint32_t ip;
    int r;
};

static void *create_worker(void *arg)
{
    struct worker *w = arg;
    struct pop_container c;
    struct store_error err;
    char id[16];
    snprintf(id, sizeof(id), "w%d", w->index);
    w->r = create(w->st, id, "private", 0, &c, &err);
    w->ip = c.ep[0].ipv4;
    return NULL;
}

static void test_concurrent_creates_get_unique_addresses(void **state)
{
    struct fixture *f = *state;
    enum { N = 50 };
    pthread_t th[N];
    struct worker w[N];
    for (int i = 0; i < N; i++) {
        w[i] = (struct worker){f->st, i, 0, -1};
        assert_int_equal(pthread_create(&th[i], NULL, create_worker, &w[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        assert_int_equal(w[i].r, 0);
        for (int j = 0; j < i; j++)
            assert_int_not_equal(w[i].ip, w[j].ip);
    }
}

static void test_metadata_and_persistence(void **state)
{
    struct fixture *f = *state;
    struct pop_container c;
    struct store_error err;
    assert_int_equal(create(f->st, "m", "private", 0, &c, &err), 0);
    struct md_set md = {0};
    md_set_put(&md, "SERVER_PRIVATE", "10.77.0.5");
    md_set_put(&md, "SIPP_RATE", "10");
    assert_int_equal(store_container_set_md(f->st, "m", POP_MASK(POP_CREATED), &md, false), 0);
    assert_int_equal(store_container_set_md(f->st, "m", POP_MASK(POP_RUNNING), &md, false),
                     -ESTALE);
    md_set_done(&md);
    assert_int_equal(store_token_revoke(f->st, "jti-1", 999), 0);

    store_close(f->st);
    assert_int_equal(store_open(f->path, &f->st), 0);
    struct pop_container got;
    assert_int_equal(store_container_get(f->st, "m", &got), 0);
    assert_int_equal(got.md.n, 2);
    assert_string_equal(md_set_get(&got.md, "SIPP_RATE"), "10");
    assert_int_equal(got.ep[0].ipv4, c.ep[0].ipv4);
    assert_int_equal(got.status, POP_CREATED);
    pop_container_done(&got);
    assert_int_equal(store_token_is_revoked(f->st, "jti-1"), 1);
    assert_int_equal(store_token_is_revoked(f->st, "jti-2"), 0);
    assert_int_equal(store_token_purge(f->st, 1000), 0);
    assert_int_equal(store_token_is_revoked(f->st, "jti-1"), 0);

    char *v = NULL;
    assert_int_equal(store_setting_get(f->st, "jwt_key", &v), -ENOENT);
    assert_int_equal(store_setting_put_if_absent(f->st, "jwt_key", "first", &v), 0);
    assert_string_equal(v, "first");
    free(v);
    assert_int_equal(store_setting_put_if_absent(f->st, "jwt_key", "second", &v), 0);
    assert_string_equal(v, "first");
    free(v);
}

static void test_recreate_metadata_forgets_engine_id_atomically(void **state)
{
    struct fixture *f = *state;
    struct pop_container c;
    struct store_error err;
    assert_int_equal(create(f->st, "r", "private", 0, &c, &err), 0);
    assert_int_equal(store_container_transition(f->st, "r", POP_MASK(POP_CREATED), POP_RUNNING,
                                                "running", "engine-1", 5),
                     0);
    struct md_set md = {0};
    md_set_put(&md, "NEW", "1");
    assert_int_equal(store_container_set_md(f->st, "r", POP_MASK(POP_RUNNING), &md, true), 0);
    md_set_done(&md);
    struct pop_container got;
    assert_int_equal(store_container_get(f->st, "r", &got), 0);
    assert_string_equal(got.docker_id, "");
    assert_int_equal(got.status, POP_RUNNING);
    assert_string_equal(md_set_get(&got.md, "NEW"), "1");
    pop_container_done(&got);
}

static void test_foreign_reservations_block_allocation(void **state)
{
    struct fixture *f = *state;
    uint32_t addrs[] = {A("10.77.0.2"), A("10.77.0.3")};
    const char *holders[] = {"docker:aaa", "docker:bbb"};
    assert_int_equal(store_network_reserve_foreign(f->st, "net-1", addrs, holders, 2), 2);
    struct pop_container c;
    struct store_error err;
    assert_int_equal(create(f->st, "x", "private", 0, &c, &err), 0);
    assert_int_equal(c.ep[0].ipv4, A("10.77.0.4"));
    /* refreshing drops stale foreign holders but never a Pop container's address */
    uint32_t again[] = {A("10.77.0.4")};
    const char *h2[] = {"docker:ccc"};
    assert_int_equal(store_network_reserve_foreign(f->st, "net-1", again, h2, 1), 0);
    assert_int_equal(create(f->st, "y", "private", 0, &c, &err), 0);
    assert_int_equal(c.ep[0].ipv4, A("10.77.0.2"));
    int64_t counts[POP_STATUS_COUNT], reserved = 0;
    assert_int_equal(store_stats(f->st, counts, &reserved), 0);
    assert_int_equal(counts[POP_CREATED], 2);
    assert_int_equal(reserved, 2);
}

/* A database from before names in the id format were refused may hold a container or network
 * named like another's id: a reference then resolves to the one whose id it is, in whichever
 * order the two were made. */
static void test_id_wins_over_an_id_shaped_name(void **state)
{
    struct fixture *f = *state;
    static const char id_a[] = "0b9d3c2e-5a1f-4c77-9e21-6f0a1b2c3d4e";
    static const char id_b[] = "7c1e2d3f-4a5b-4c6d-8e7f-8091a2b3c4d5";
    struct pop_container c;
    struct store_error err;
    /* the shadowing name first, then the container whose id it is, then another one after */
    assert_int_equal(create(f->st, id_b, "private", 0, &c, &err), 0);
    pop_container_done(&c);
    memset(&c, 0, sizeof(c));
    snprintf(c.id, sizeof(c.id), "shadow-1");
    snprintf(c.name, sizeof(c.name), "%s", id_a);
    snprintf(c.image_id, sizeof(c.image_id), "pop-tiny:latest");
    struct endpoint_request req = {"private", 0, "ep-before"};
    assert_int_equal(store_container_create(f->st, &c, &req, 1, &err), 0);
    pop_container_done(&c);
    assert_int_equal(create(f->st, id_a, "private", 0, &c, &err), 0);
    pop_container_done(&c);
    memset(&c, 0, sizeof(c));
    snprintf(c.id, sizeof(c.id), "shadow-2");
    snprintf(c.name, sizeof(c.name), "%s", id_b);
    snprintf(c.image_id, sizeof(c.image_id), "pop-tiny:latest");
    struct endpoint_request req2 = {"private", 0, "ep-after"};
    assert_int_equal(store_container_create(f->st, &c, &req2, 1, &err), 0);
    pop_container_done(&c);

    assert_int_equal(store_container_get(f->st, id_a, &c), 0);
    assert_string_equal(c.id, id_a);
    pop_container_done(&c);
    assert_int_equal(store_container_get(f->st, id_b, &c), 0);
    assert_string_equal(c.id, id_b);
    pop_container_done(&c);

    popd_fixture_add_network(f->st, "net-x", id_a, "10.80.0.0/24");
    popd_fixture_add_network(f->st, id_a, "later", "10.81.0.0/24");
    popd_fixture_add_network(f->st, id_b, "earlier", "10.82.0.0/24");
    popd_fixture_add_network(f->st, "net-y", id_b, "10.83.0.0/24");
    struct pop_network net;
    assert_int_equal(store_network_get(f->st, id_a, &net), 0);
    assert_string_equal(net.id, id_a);
    assert_int_equal(store_network_get(f->st, id_b, &net), 0);
    assert_string_equal(net.id, id_b);
}

/* A bind that fails (out of memory) is an error, never a "not found" or "not revoked" answer
 * from a query that ran with NULL in place of the key. */
static void test_failed_bind_is_an_error_not_no_row(void **state)
{
    struct fixture *f = *state;
    struct pop_container c;
    struct store_error err;
    assert_int_equal(create(f->st, "b1", "private", 0, &c, &err), 0);
    assert_int_equal(store_token_revoke(f->st, "jti-bind", 999), 0);

    atomic_store(&bind_text_fail, 1);
    struct pop_network net;
    int get_net = store_network_get(f->st, "private", &net);
    int revoked = store_token_is_revoked(f->st, "jti-bind");
    int removed = store_container_remove(f->st, "b1");
    struct pop_container got;
    int get_c = store_container_get(f->st, "b1", &got);
    int added = create(f->st, "b2", "private", 0, &c, &err);
    atomic_store(&bind_text_fail, 0);

    assert_int_equal(get_net, -ENOMEM);
    assert_int_equal(revoked, -ENOMEM);
    assert_int_equal(removed, -ENOMEM);
    assert_int_equal(get_c, -ENOMEM);
    assert_int_equal(added, -ENOMEM);
    /* and nothing changed */
    assert_int_equal(store_token_is_revoked(f->st, "jti-bind"), 1);
    assert_int_equal(store_container_get(f->st, "b1", &got), 0);
    pop_container_done(&got);
    assert_int_equal(store_container_get(f->st, "b2", &got), -ENOENT);
}

/* store_container_transition only moves along the state graph (pop_transition_allowed): a
 * from_mask naming a state with no edge to the target is refused, whatever the row holds. */
static void test_transition_off_the_graph_refused(void **state)
{
    struct fixture *f = *state;
    struct pop_container c;
    struct store_error err;
    assert_int_equal(create(f->st, "t", "private", 0, &c, &err), 0);
    assert_int_equal(
        store_container_transition(f->st, "t", POP_MASK(POP_CREATED), POP_EXITED, "x", NULL, 0),
        -EINVAL);
    assert_int_equal(store_container_transition(f->st, "t",
                                                POP_MASK(POP_CREATED) | POP_MASK(POP_STOPPING),
                                                POP_STOPPING, "x", NULL, 0),
                     -EINVAL);
    struct pop_container got;
    assert_int_equal(store_container_get(f->st, "t", &got), 0);
    assert_int_equal(got.status, POP_CREATED);
    pop_container_done(&got);
    /* the edges themselves still work, recreate (RUNNING to RUNNING) included */
    assert_int_equal(store_container_transition(f->st, "t", POP_MASK(POP_CREATED), POP_RUNNING,
                                                "running", "e1", 5),
                     0);
    assert_int_equal(store_container_transition(f->st, "t", POP_MASK(POP_RUNNING), POP_RUNNING,
                                                "recreated", "e2", 6),
                     0);
    assert_int_equal(store_container_transition(f->st, "t", POP_MASK(POP_RUNNING), POP_STOPPING,
                                                "stopping", NULL, 0),
                     0);
    assert_int_equal(store_container_transition(f->st, "t", POP_MASK(POP_STOPPING), POP_EXITED,
                                                "exited with code 0", "", 0),
                     0);
}

struct busy_call {
    struct pop_store *st;
    atomic_int started, done;
    int r;
};

static void *busy_writer(void *arg)
{
    struct busy_call *w = arg;
    atomic_store(&w->started, 1);
    struct pop_container c;
    struct store_error err;
    w->r = create(w->st, "busy", "private", 0, &c, &err); /* a db_tx */
    atomic_store(&w->done, 1);
    return NULL;
}

static void *busy_reader(void *arg)
{
    struct busy_call *w = arg;
    atomic_store(&w->started, 1);
    struct pop_network n;
    w->r = store_network_get(w->st, "private", &n);
    atomic_store(&w->done, 1);
    return NULL;
}

/* Another process holds the write lock: a store write (a db_tx) waits for it, in SQLite's busy
 * wait and then db_tx's backoff and retries, and meanwhile another thread's read is answered at
 * once instead of queueing behind the waiting writer (which took ~20 s before giving up). */
static void test_waiting_writer_does_not_hold_up_readers(void **state)
{
    struct fixture *f = *state;
    struct db *other = NULL;
    assert_int_equal(db_open(f->path, popd_core_migrations, popd_core_migrations_count, &other), 0);
    assert_int_equal(db_exec(other, "BEGIN IMMEDIATE"), 0);

    struct busy_call w = {.st = f->st}, rd = {.st = f->st};
    pthread_t tw, tr;
    assert_int_equal(pthread_create(&tw, NULL, busy_writer, &w), 0);
    while (!atomic_load(&w.started))
        usleep(1000);
    /* Let the writer reach its busy wait. Were it slower, the check below could only pass
     * wrongly on a store that does stall, never fail on one that does not. */
    usleep(300 * 1000);
    assert_int_equal(pthread_create(&tr, NULL, busy_reader, &rd), 0);
    /* Well inside the 5 s busy timeout the writer is still waiting out. */
    for (int i = 0; i < 300 && !atomic_load(&rd.done); i++)
        usleep(10 * 1000);
    bool read_while_locked = atomic_load(&rd.done);
    bool writer_was_waiting = !atomic_load(&w.done);

    assert_int_equal(db_exec(other, "COMMIT"), 0);
    pthread_join(tr, NULL);
    pthread_join(tw, NULL);
    db_close(other);
    assert_true(writer_was_waiting);
    assert_true(read_while_locked);
    assert_int_equal(rd.r, 0);
    assert_int_equal(w.r, 0);
    struct pop_container got;
    assert_int_equal(store_container_get(f->st, "busy", &got), 0);
    pop_container_done(&got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lowest_free_then_requested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exhaustion_and_release_on_final, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_creates_get_unique_addresses, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_metadata_and_persistence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recreate_metadata_forgets_engine_id_atomically, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_foreign_reservations_block_allocation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_id_wins_over_an_id_shaped_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_bind_is_an_error_not_no_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transition_off_the_graph_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_waiting_writer_does_not_hold_up_readers, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
