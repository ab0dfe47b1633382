/* VIM instances in the real SQLite store (services/nfvo/vims_store.c) and the module's reads
 * and deletes (vims.c) without a broker: scoped per project (another project's VIM is not
 * found, its name is free), unique names in a project, find by id or name, the in-use hook
 * refusing a DELETE, which drivers serve which types. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db/db.h"
#include "nfvo.h"
#include "store.h"
#include "testlib.h"
#include "vims-int.h"
#include "vims.h"

struct fixture {
    char *dir;
    struct nfvo n;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->dir = testlib_tmpdir_new("nfvo-vims");
    char path[512];
    snprintf(path, sizeof(path), "%s/nfvo.db", f->dir);
    assert_int_equal(nfvo_store_open(path, &f->n.pool), 0);
    assert_int_equal(nfvo_vims_new(&f->n, &f->n.vims), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    nfvo_vims_free(f->n.vims);
    db_pool_close(f->n.pool);
    testlib_tmpdir_free(f->dir);
    free(f);
    return 0;
}

static void put(struct fixture *f, const char *id, const char *project, const char *name,
                const char *type, int want)
{
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "projectId", project,
                            "name", name, "type", type, "authUrl", "http://h", "password", "pw");
    assert_int_equal(nfvo_vims_db_insert(f->n.pool, doc), want);
    json_decref(doc);
}

static void test_scoped(void **state)
{
    struct fixture *f = *state;
    put(f, "id-a", "proj-a", "pop1", "pop", 0);
    put(f, "id-b", "proj-b", "pop1", "pop", 0); /* the same name in another project */
    put(f, "id-c", "proj-a", "pop1", "pop", -EEXIST);
    json_t *doc = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(nfvo_vims_find(f->n.vims, "proj-a", "pop1", &doc, &e), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "id")), "id-a");
    /* the drivers get the real password */
    assert_string_equal(json_string_value(json_object_get(doc, "password")), "pw");
    json_decref(doc);
    assert_int_equal(nfvo_vims_find(f->n.vims, "proj-a", "id-a", &doc, &e), 0);
    json_decref(doc);
    /* another project's VIM, by id or name, is not there */
    doc = NULL;
    assert_int_equal(nfvo_vims_find(f->n.vims, "proj-b", "id-a", &doc, &e), -ENOENT);
    assert_int_equal(api_error_status(pop_error_api(&e)), 404);
    assert_null(doc);
    assert_int_equal(nfvo_vims_get(f->n.vims, "proj-a", "pop1", &doc, &e), -ENOENT); /* id only */
    assert_int_equal(nfvo_vims_delete(f->n.vims, "proj-b", "id-a", &e), -ENOENT);
    assert_int_equal(nfvo_vims_db_name_taken(f->n.pool, "proj-a", "pop1", NULL), 1);
    assert_int_equal(nfvo_vims_db_name_taken(f->n.pool, "proj-a", "pop1", "id-a"), 0);
    assert_int_equal(nfvo_vims_db_name_taken(f->n.pool, "proj-c", "pop1", NULL), 0);
    json_t *list = NULL;
    assert_int_equal(nfvo_vims_list(f->n.vims, "proj-b", &list, &e), 0);
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), "id-b");
    json_decref(list);
    assert_int_equal(nfvo_vims_list(f->n.vims, "", &list, &e), 0);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    /* an update cannot move a VIM to another project */
    doc = json_pack("{s:s, s:s, s:s, s:s}", "id", "id-a", "projectId", "proj-b", "name", "x",
                    "type", "pop");
    assert_int_equal(nfvo_vims_db_update(f->n.pool, doc), -ENOENT);
    json_decref(doc);
}

static void test_find_prefers_id(void **state)
{
    struct fixture *f = *state;
    put(f, "id-1", "p", "id-2", "pop", 0); /* named like the other's id */
    put(f, "id-2", "p", "second", "pop", 0);
    json_t *doc = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(nfvo_vims_find(f->n.vims, "p", "id-2", &doc, &e), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "second");
    json_decref(doc);
}

static int busy_ns(void *ud, const char *project, const json_t *vim, char *why, size_t n)
{
    int *calls = ud;
    (*calls)++;
    assert_string_equal(project, "p");
    assert_string_equal(json_string_value(json_object_get(vim, "name")), "pop1");
    snprintf(why, n, "NS record ns-1 uses it");
    return 1;
}

static void test_delete_in_use(void **state)
{
    struct fixture *f = *state;
    put(f, "id-1", "p", "pop1", "pop", 0);
    int calls = 0;
    nfvo_vims_set_in_use_check(f->n.vims, busy_ns, &calls);
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(nfvo_vims_delete(f->n.vims, "p", "id-1", &e), -EBUSY);
    assert_int_equal(api_error_status(pop_error_api(&e)), 409);
    assert_non_null(strstr(e.detail, "VIM instance pop1 is in use"));
    assert_non_null(strstr(e.detail, "NS record ns-1 uses it"));
    assert_int_equal(calls, 1);
    json_t *doc = NULL;
    assert_int_equal(nfvo_vims_find(f->n.vims, "p", "id-1", &doc, &e), 0); /* still there */
    json_decref(doc);
    nfvo_vims_set_in_use_check(f->n.vims, NULL, NULL);
    assert_int_equal(nfvo_vims_delete(f->n.vims, "p", "id-1", &e), 0);
    assert_int_equal(nfvo_vims_find(f->n.vims, "p", "id-1", &doc, &e), -ENOENT);
}

static void test_served_by(void **state)
{
    struct fixture *f = *state;
    put(f, "v1", "p", "a", "pop", 0);
    put(f, "v2", "q", "b", "pop", 0);
    put(f, "v3", "p", "c", "popx", 0);
    put(f, "v4", "p", "d", "docker.x", 0);
    put(f, "v5", "p", "e", "docker", 0);
    json_t *list = NULL;
    assert_int_equal(nfvo_vims_db_served_by(f->n.pool, "vim-drivers.pop.it", &list), 0);
    char *text = json_dumps(list, JSON_COMPACT);
    assert_string_equal(
        text, "[{\"id\":\"v1\",\"projectId\":\"p\"},{\"id\":\"v2\",\"projectId\":\"q\"}]");
    free(text);
    json_decref(list);
    assert_int_equal(nfvo_vims_db_served_by(f->n.pool, "vim-drivers.docker.x.n", &list), 0);
    assert_int_equal(json_array_size(list), 2); /* "docker.x" and "docker" */
    json_decref(list);
    /* only plugin ids are scheduled */
    assert_int_equal(nfvo_vims_schedule_type_refresh(f->n.vims, "pop", 0), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scoped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_prefers_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_in_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_served_by, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
