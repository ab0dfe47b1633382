/* Unit tests for the declarative config table: defaults, file, env precedence, errors. */
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

#include "core/config.h"

struct test_cfg {
    char *listen;
    int64_t port;
    bool verbose;
    uint64_t body_max;
    char *secret;
};

static const char *no_spaces(const char *v)
{
    return strchr(v, ' ') ? "must not contain spaces" : NULL;
}

static const struct config_field fields[] = {
    {"T_LISTEN", CONFIG_STRING, offsetof(struct test_cfg, listen), "127.0.0.1", false, false, 0, 0,
     no_spaces, "address"},
    {"T_PORT", CONFIG_INT, offsetof(struct test_cfg, port), "8080", false, false, 1, 65535, NULL,
     "port"},
    {"T_VERBOSE", CONFIG_BOOL, offsetof(struct test_cfg, verbose), "false", false, false, 0, 0,
     NULL, "verbose"},
    {"T_BODY_MAX", CONFIG_SIZE, offsetof(struct test_cfg, body_max), "64k", false, false, 0,
     1 << 20, NULL, "body cap"},
    {"T_SECRET", CONFIG_STRING, offsetof(struct test_cfg, secret), NULL, true, true, 0, 0, NULL,
     "the secret"},
};

static int clear_env(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        unsetenv(fields[i].name);
    return 0;
}

static void test_defaults_and_env(void **state)
{
    (void)state;
    struct test_cfg cfg = {0};
    char err[256] = "";
    setenv("T_SECRET", "s3", 1);
    setenv("T_PORT", "9000", 1);
    assert_int_equal(config_load(fields, 5, &cfg, NULL, err, sizeof(err)), 0);
    assert_string_equal(cfg.listen, "127.0.0.1");
    assert_int_equal(cfg.port, 9000);
    assert_false(cfg.verbose);
    assert_int_equal(cfg.body_max, 65536);
    assert_string_equal(cfg.secret, "s3");
    config_done(fields, 5, &cfg);
    assert_null(cfg.listen);
}

static void test_missing_required_names_variable(void **state)
{
    (void)state;
    struct test_cfg cfg = {0};
    char err[256] = "";
    assert_int_equal(config_load(fields, 5, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "T_SECRET is required"));
    config_done(fields, 5, &cfg);
}

static void test_bad_values_name_variable(void **state)
{
    (void)state;
    struct test_cfg cfg = {0};
    char err[256] = "";
    setenv("T_SECRET", "x", 1);
    setenv("T_PORT", "70000", 1);
    assert_int_equal(config_load(fields, 5, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "T_PORT"));
    config_done(fields, 5, &cfg);
    unsetenv("T_PORT");
    setenv("T_LISTEN", "a b", 1);
    assert_int_equal(config_load(fields, 5, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "T_LISTEN: must not contain spaces"));
    config_done(fields, 5, &cfg);
}

static void test_file_then_env_wins(void **state)
{
    (void)state;
    char path[] = "/tmp/pop-config-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\nT_PORT = 1234\nT_SECRET=fromfile\nT_VERBOSE=yes\n", f);
    fclose(f);
    setenv("T_PORT", "4321", 1);
    struct test_cfg cfg = {0};
    char err[256] = "";
    assert_int_equal(config_load(fields, 5, &cfg, path, err, sizeof(err)), 0);
    assert_int_equal(cfg.port, 4321);
    assert_string_equal(cfg.secret, "fromfile");
    assert_true(cfg.verbose);
    config_done(fields, 5, &cfg);

    f = fopen(path, "w");
    fputs("T_UNKNOWN=1\n", f);
    fclose(f);
    assert_int_equal(config_load(fields, 5, &cfg, path, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "unknown setting T_UNKNOWN"));
    config_done(fields, 5, &cfg);
    unlink(path);
}

static void test_template_roundtrip(void **state)
{
    (void)state;
    char path[] = "/tmp/pop-config-tpl-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    const char *overrides[] = {"T_SECRET", "generated", NULL};
    assert_int_equal(config_write_template(fields, 5, f, overrides), 0);
    fclose(f);
    struct test_cfg cfg = {0};
    char err[256] = "";
    assert_int_equal(config_load(fields, 5, &cfg, path, err, sizeof(err)), 0);
    assert_string_equal(cfg.secret, "generated");
    assert_int_equal(cfg.port, 8080);
    config_done(fields, 5, &cfg);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults_and_env, clear_env),
        cmocka_unit_test_setup(test_missing_required_names_variable, clear_env),
        cmocka_unit_test_setup(test_bad_values_name_variable, clear_env),
        cmocka_unit_test_setup(test_file_then_env_wins, clear_env),
        cmocka_unit_test_setup(test_template_roundtrip, clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
