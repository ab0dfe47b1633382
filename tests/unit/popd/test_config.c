/* Unit tests for popd-rest configuration: defaults, required users, and the parsing of pools,
 * flavours and lists done at init, each failing with a message naming the variable. */
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

#include "auth/password.h"
#include "popd.h"
#include "testlib.h"
#include "users.h"

static char *tmp_dir;        /* the database and users files of one test */
static char db_path[128];    /* tmp_dir/popd.db */
static char users_path[128]; /* tmp_dir/users, written by the tests that use it */

/* Only the settings a test makes: every POPD_ variable of the environment is unset. */
static int clean_env(void **state)
{
    (void)state;
    testlib_env_clear("POPD_");
    tmp_dir = testlib_tmpdir_new("popd-cfg-test");
    snprintf(db_path, sizeof(db_path), "%s/popd.db", tmp_dir);
    snprintf(users_path, sizeof(users_path), "%s/users", tmp_dir);
    setenv("POPD_DB", db_path, 1);
    setenv("POPD_PASSWORD_ITERATIONS", "1000", 1);
    return 0;
}

static int remove_db(void **state)
{
    (void)state;
    testlib_tmpdir_free(tmp_dir);
    tmp_dir = NULL;
    return 0;
}

/* Loads config and runs popd_init; returns popd_init's (or load's) result, err filled. */
static int init_with_env(struct popd *p, char *err, size_t errlen)
{
    struct popd_config cfg = {0};
    int r = popd_config_load(&cfg, NULL, err, errlen);
    if (r < 0) {
        popd_config_done(&cfg);
        memset(p, 0, sizeof(*p));
        return r;
    }
    r = popd_init(p, &cfg, err, errlen);
    return r;
}

static void test_users_required(void **state)
{
    (void)state;
    struct popd_config cfg = {0};
    char err[256] = "";
    assert_int_equal(popd_config_load(&cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "POPD_AUTH or POPD_USERS_FILE"));
    popd_config_done(&cfg);
    setenv("POPD_AUTH", "nocolon", 1);
    assert_int_equal(popd_config_load(&cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "POPD_AUTH: must be user:password"));
    popd_config_done(&cfg);
}

static void test_defaults_and_users(void **state)
{
    (void)state;
    setenv("POPD_AUTH", "admin:s3cret", 1);
    struct popd p;
    char err[256] = "";
    assert_int_equal(init_with_env(&p, err, sizeof(err)), 0);
    assert_string_equal(p.cfg.name, "popd");
    assert_int_equal(p.cfg.port, 8080);
    assert_int_equal(p.n_flavours, 3);
    assert_string_equal(p.flavours[0].id, "docker.container");
    assert_int_equal(popd_flavour_find(&p, "small")->ram_mb, 512);
    assert_int_equal(p.n_pools, 2);
    assert_int_equal(p.pools[0].prefix, 24);
    assert_int_equal(p.jwt_key_len, 32); /* generated and stored */
    assert_int_equal(popd_users_check(p.users, "admin", "s3cret"), 0);
    assert_int_equal(popd_users_check(p.users, "admin", "wrong"), -EACCES);
    assert_int_equal(popd_users_check(p.users, "nobody", "s3cret"), -EACCES);
    /* What a token's sub is checked against. */
    assert_true(popd_users_exists(p.users, "admin"));
    assert_false(popd_users_exists(p.users, "nobody"));
    assert_false(popd_users_exists(p.users, "Admin"));
    assert_false(popd_users_exists(p.users, "admi"));
    assert_false(popd_users_exists(p.users, "admin\n"));
    assert_true(popd_image_allowed(&p, "anything:latest"));
    uint8_t key[32];
    memcpy(key, p.jwt_key, 32);
    popd_done(&p);
    /* the generated key survives a restart, so sessions do too */
    assert_int_equal(init_with_env(&p, err, sizeof(err)), 0);
    assert_memory_equal(key, p.jwt_key, 32);
    popd_done(&p);
}

static void test_bad_pools_and_flavours_name_variable(void **state)
{
    (void)state;
    setenv("POPD_AUTH", "admin:s3cret", 1);
    struct popd p;
    char err[256] = "";
    static const char *bad_pools[] = {"10.0.0.0/8",     "10.0.0.0/16/12",    "10.0.0.0/16/31",
                                      "10.0.0.0/16/30", "10.0.0.1/16/24",    "127.0.0.0/8/24",
                                      "0.0.0.0/0/24",   "169.254.0.0/16/24", ""};
    for (size_t i = 0; i < sizeof(bad_pools) / sizeof(bad_pools[0]); i++) {
        setenv("POPD_POOLS", bad_pools[i], 1);
        assert_int_equal(init_with_env(&p, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "POPD_POOLS"));
        popd_done(&p);
    }
    unsetenv("POPD_POOLS");
    static const char *bad_flavours[] = {"tiny", "tiny:1", "tiny:x:5", "tiny:1:5,tiny:2:6",
                                         "huge:5000:1"};
    for (size_t i = 0; i < sizeof(bad_flavours) / sizeof(bad_flavours[0]); i++) {
        setenv("POPD_FLAVOURS", bad_flavours[i], 1);
        assert_int_equal(init_with_env(&p, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "POPD_FLAVOURS"));
        popd_done(&p);
    }
    setenv("POPD_FLAVOURS", " a:1:64 , b:0:0 ", 1);
    assert_int_equal(init_with_env(&p, err, sizeof(err)), 0);
    assert_non_null(popd_flavour_find(&p, "a"));
    assert_non_null(popd_flavour_find(&p, "b"));
    popd_done(&p);
    setenv("POPD_JWT_KEY", "abcd", 1);
    struct popd_config cfg = {0};
    assert_int_equal(popd_config_load(&cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "POPD_JWT_KEY"));
    popd_config_done(&cfg);
    setenv("POPD_NAME", "Bad_Name", 1);
    unsetenv("POPD_JWT_KEY");
    assert_int_equal(popd_config_load(&cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "POPD_NAME"));
    popd_config_done(&cfg);
}

/* Account names follow the login rule (auth_check_username), so every account can log in and
 * use its token; a name that could not is refused at start, naming the variable. */
static void test_bad_user_names(void **state)
{
    (void)state;
    static const char *bad[] = {"ad min:pw",  "ad\"min:pw", "ad'min:pw",
                                "ad\\min:pw", "ad\tmin:pw", "adm\xc3\xa9n:pw"};
    struct popd p;
    char err[256] = "";
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setenv("POPD_AUTH", bad[i], 1);
        assert_int_equal(init_with_env(&p, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "POPD_AUTH: user names may contain only"));
        popd_done(&p);
    }
    unsetenv("POPD_AUTH");

    FILE *f = fopen(users_path, "w");
    assert_non_null(f);
    char *hash = NULL;
    assert_int_equal(auth_password_hash("pw", 1000, &hash), 0);
    fprintf(f, "alice:%s\nev e:%s\n", hash, hash);
    fclose(f);
    free(hash);
    setenv("POPD_USERS_FILE", users_path, 1);
    assert_int_equal(init_with_env(&p, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "POPD_USERS_FILE"));
    assert_non_null(strstr(err, ":2: user names may contain only"));
    popd_done(&p);
}

static void test_users_file(void **state)
{
    (void)state;
    FILE *f = fopen(users_path, "w");
    assert_non_null(f);
    /* hash of "pw" with 1000 iterations */
    char *hash = NULL;
    assert_int_equal(auth_password_hash("pw", 1000, &hash), 0);
    fprintf(f, "# operators\nalice:%s\n", hash);
    fclose(f);
    free(hash);
    setenv("POPD_USERS_FILE", users_path, 1);
    struct popd p;
    char err[256] = "";
    assert_int_equal(init_with_env(&p, err, sizeof(err)), 0);
    assert_int_equal(popd_users_check(p.users, "alice", "pw"), 0);
    popd_done(&p);

    f = fopen(users_path, "w");
    fputs("bob:plaintext\n", f);
    fclose(f);
    assert_int_equal(init_with_env(&p, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "POPD_USERS_FILE"));
    assert_non_null(strstr(err, ":1:"));
    popd_done(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_users_required, clean_env, remove_db),
        cmocka_unit_test_setup_teardown(test_defaults_and_users, clean_env, remove_db),
        cmocka_unit_test_setup_teardown(test_bad_pools_and_flavours_name_variable, clean_env,
                                        remove_db),
        cmocka_unit_test_setup_teardown(test_bad_user_names, clean_env, remove_db),
        cmocka_unit_test_setup_teardown(test_users_file, clean_env, remove_db),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
