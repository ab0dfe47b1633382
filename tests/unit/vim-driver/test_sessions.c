/* Unit tests for the Pop session cache: one session per (url, user, password), a changed
 * password is another session, the cache is bounded and drops the least recently used one,
 * and a session dropped while in use stays valid until its holder gives it back (ASan would
 * report a use after free or a leak). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "popc/popc.h"
#include "vimd-int.h"

static struct vimd_session *get(struct vimd_sessions *s, const char *url, const char *user,
                                const char *password)
{
    struct vimd_session *x = NULL;
    struct pop_error err = POP_ERROR_INIT;
    int r = vimd_sessions_get(s, url, user, password, &x, &err);
    if (r < 0)
        fail_msg("get %s: %s", url, err.detail);
    return x;
}

static void test_shared_by_key(void **state)
{
    (void)state;
    struct vimd_sessions *s = NULL;
    assert_int_equal(vimd_sessions_new(8, 1000, 0, 0, &s), 0);
    struct vimd_session *a = get(s, "http://h:1", "u", "p");
    struct vimd_session *b = get(s, "http://h:1", "u", "p");
    struct vimd_session *slash = get(s, "http://h:1/", "u", "p");
    assert_ptr_equal(a, b);
    assert_ptr_equal(a, slash); /* a trailing slash is the same Pop */
    assert_int_equal(vimd_sessions_count(s), 1);
    struct vimd_session *other_pw = get(s, "http://h:1", "u", "q");
    struct vimd_session *other_user = get(s, "http://h:1", "v", "p");
    struct vimd_session *no_user = get(s, "http://h:1", NULL, NULL);
    struct vimd_session *other_url = get(s, "http://h:2", "u", "p");
    struct vimd_session *all[] = {a, other_pw, other_user, no_user, other_url};
    for (size_t i = 0; i < 5; i++)
        for (size_t j = i + 1; j < 5; j++)
            assert_ptr_not_equal(all[i], all[j]);
    assert_int_equal(vimd_sessions_count(s), 5);
    assert_string_equal(popc_url(vimd_session_popc(other_url)), "http://h:2");
    assert_string_equal(popc_user(vimd_session_popc(other_user)), "v");
    assert_null(popc_user(vimd_session_popc(no_user)));
    vimd_session_put(b);
    vimd_session_put(slash);
    for (size_t i = 0; i < 5; i++)
        vimd_session_put(all[i]);
    vimd_sessions_free(s);
}

static void test_bounded_lru(void **state)
{
    (void)state;
    struct vimd_sessions *s = NULL;
    assert_int_equal(vimd_sessions_new(2, 1000, 0, 0, &s), 0);
    struct vimd_session *a = get(s, "http://a:1", "u", "p");
    vimd_session_put(a);
    struct vimd_session *b = get(s, "http://b:1", "u", "p");
    vimd_session_put(b);
    /* a is used again, so b is the least recently used one when c comes. */
    struct vimd_session *a2 = get(s, "http://a:1", "u", "p");
    assert_ptr_equal(a2, a);
    vimd_session_put(a2);
    struct vimd_session *c = get(s, "http://c:1", "u", "p");
    vimd_session_put(c);
    assert_int_equal(vimd_sessions_count(s), 2);
    struct vimd_session *a3 = get(s, "http://a:1", "u", "p");
    assert_ptr_equal(a3, a); /* still there */
    vimd_session_put(a3);
    assert_int_equal(vimd_sessions_count(s), 2);
    vimd_sessions_free(s);
}

static void test_dropped_while_held(void **state)
{
    (void)state;
    struct vimd_sessions *s = NULL;
    assert_int_equal(vimd_sessions_new(1, 1000, 0, 0, &s), 0);
    struct vimd_session *held = get(s, "http://a:1", "u", "p");
    struct vimd_session *next = get(s, "http://b:1", "u", "p"); /* drops a from the cache */
    assert_int_equal(vimd_sessions_count(s), 1);
    /* Still usable by the call holding it. */
    assert_string_equal(popc_url(vimd_session_popc(held)), "http://a:1");
    /* Asking for a again makes a new one (the held one is no longer findable). */
    struct vimd_session *again = get(s, "http://a:1", "u", "p");
    assert_ptr_not_equal(again, held);
    vimd_session_put(held); /* the last holder frees it */
    vimd_session_put(next);
    vimd_session_put(again);
    vimd_sessions_free(s);
}

static void test_bad_config(void **state)
{
    (void)state;
    struct vimd_sessions *s = NULL;
    assert_int_equal(vimd_sessions_new(0, 1000, 0, 0, &s), -EINVAL);
    assert_int_equal(vimd_sessions_new(VIMD_SESSIONS_MAX + 1, 1000, 0, 0, &s), -EINVAL);
    assert_int_equal(vimd_sessions_new(4, 1000, 0, 0, &s), 0);
    struct vimd_session *x = (struct vimd_session *)0x1;
    struct pop_error err = POP_ERROR_INIT;
    assert_int_equal(vimd_sessions_get(s, "ftp://h", "u", "p", &x, &err), -EINVAL);
    assert_string_equal(err.field, "url");
    assert_ptr_equal(x, (struct vimd_session *)0x1);
    /* A user without a password is refused by popc, naming the field. */
    assert_int_equal(vimd_sessions_get(s, "http://h:1", "u", NULL, &x, &err), -EINVAL);
    assert_string_equal(err.field, "password");
    assert_int_equal(vimd_sessions_count(s), 0); /* a failed one is not cached */
    vimd_sessions_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_by_key),
        cmocka_unit_test(test_bounded_lru),
        cmocka_unit_test(test_dropped_while_held),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
