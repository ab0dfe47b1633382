/* Unit tests for metadata merge (empty value deletes), validation and env conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strv.h"
#include "metadata.h"

static void test_merge_overrides_and_deletes(void **state)
{
    (void)state;
    struct md_set md = {0}, patch = {0};
    assert_int_equal(md_set_put(&md, "SERVER_PRIVATE", "172.16.0.2"), 0);
    assert_int_equal(md_set_put(&md, "A", "1"), 0);
    assert_int_equal(md_set_put(&patch, "A", "2"), 0);
    assert_int_equal(md_set_put(&patch, "B", "3"), 0);
    /* an empty value in a patch must delete: put it directly as a patch entry */
    patch.entries = realloc(patch.entries, (patch.n + 1) * sizeof(patch.entries[0]));
    patch.entries[patch.n++] = (struct md_entry){strdup("SERVER_PRIVATE"), strdup("")};
    assert_int_equal(md_set_merge(&md, &patch), 0);
    assert_int_equal(md.n, 2);
    assert_string_equal(md_set_get(&md, "A"), "2");
    assert_string_equal(md_set_get(&md, "B"), "3");
    assert_null(md_set_get(&md, "SERVER_PRIVATE"));
    md_set_done(&patch);
    md_set_done(&md);
}

static void test_env_sorted(void **state)
{
    (void)state;
    struct md_set md = {0};
    md_set_put(&md, "Z", "last");
    md_set_put(&md, "A", "x=y");
    char **env = NULL;
    assert_int_equal(md_set_to_env(&md, &env), 0);
    assert_string_equal(env[0], "A=x=y");
    assert_string_equal(env[1], "Z=last");
    assert_null(env[2]);
    strv_free(env);
    md_set_done(&md);
}

/* A patch keeps empty values (they delete keys when merged) and its size is capped. */
static void test_patch_put(void **state)
{
    (void)state;
    struct md_set patch = {0}, md = {0};
    assert_int_equal(md_set_put(&md, "GONE", "x"), 0);
    assert_int_equal(md_patch_put(&patch, "GONE", ""), 0);
    assert_int_equal(md_patch_put(&patch, "NEW", "v"), 0);
    assert_int_equal(patch.n, 2);
    assert_int_equal(md_set_merge(&md, &patch), 0);
    assert_null(md_set_get(&md, "GONE"));
    assert_string_equal(md_set_get(&md, "NEW"), "v");
    md_set_done(&patch);
    char key[16];
    for (int i = 0; i < MD_ENTRIES_MAX; i++) {
        snprintf(key, sizeof(key), "K%d", i);
        assert_int_equal(md_patch_put(&patch, key, ""), 0);
    }
    assert_int_equal(md_patch_put(&patch, "ONE_MORE", "x"), -E2BIG);
    assert_int_equal(patch.n, MD_ENTRIES_MAX);
    md_set_done(&patch);
    md_set_done(&md);
}

static void test_entry_cap(void **state)
{
    (void)state;
    struct md_set md = {0};
    char key[16];
    for (int i = 0; i < MD_ENTRIES_MAX; i++) {
        snprintf(key, sizeof(key), "K%d", i);
        assert_int_equal(md_set_put(&md, key, "v"), 0);
    }
    assert_int_equal(md_set_put(&md, "ONE_MORE", "v"), -E2BIG);
    assert_int_equal(md_set_put(&md, "K1", "replaced"), 0); /* replacing is fine */
    struct md_set patch = {0};
    md_set_put(&patch, "NEW", "v");
    assert_int_equal(md_set_merge(&md, &patch), -E2BIG);
    assert_int_equal(md.n, MD_ENTRIES_MAX); /* unchanged on failure */
    md_set_done(&patch);
    md_set_done(&md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_overrides_and_deletes),
        cmocka_unit_test(test_env_sorted),
        cmocka_unit_test(test_patch_put),
        cmocka_unit_test(test_entry_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
