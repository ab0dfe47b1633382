/* Unit tests for the popd store on a real SQLite file: allocation, uniqueness under
 * concurrency, exhaustion, release on final states, persistence across reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

struct fixture {
    char dir[64];
    char path[128];
    struct pop_store *st;
};

static uint32_t A(const char *s)
{
    uint32_t a = 0;
    assert_int_equal(ipam_parse_addr(s, &a), 0);
    return a;
}

static void add_network(struct pop_store *st, const char *id, const char *name, const char *cidr)
{
    struct pop_network n = {0};
    snprintf(n.id, sizeof(n.id), "%s", id);
    snprintf(n.name, sizeof(n.name), "%s", name);
    snprintf(n.docker_name, sizeof(n.docker_name), "test-%s", name);
    assert_int_equal(ipam_parse_cidr(cidr, &n.subnet), 0);
    n.subnet.gateway = ipam_default_gateway(&n.subnet);
    n.created = 1;
    assert_int_equal(store_network_add(st, &n), 0);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/popd-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/popd.db", f->dir);
    assert_int_equal(store_open(f->path, &f->st), 0);
    add_network(f->st, "net-1", "private", "10.77.0.0/24");
    add_network(f->st, "net-2", "tiny", "10.78.0.0/30"); /* one assignable address */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
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
    int64_t counts[6], reserved = 0;
    assert_int_equal(store_stats(f->st, counts, &reserved), 0);
    assert_int_equal(counts[POP_CREATED], 2);
    assert_int_equal(reserved, 2);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
