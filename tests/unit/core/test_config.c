/* Unit tests for the declarative config table: defaults, file, env precedence, errors naming the
 * variable, validators with a reason of their own, secrets kept out of logs and messages. */
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
#include "core/log.h"
#include "testlib.h"

struct test_cfg {
    char *listen;
    int64_t port;
    bool verbose;
    uint64_t body_max;
    char *secret;
    char *list;
    int64_t pin;
    char *empty_secret;
};

static int no_spaces(const char *v, char *why, size_t n)
{
    if (!strchr(v, ' '))
        return 0;
    snprintf(why, n, "must not contain spaces");
    return -EINVAL;
}

/* A reason built from the value: which entry, and how long it is. */
static int short_entries(const char *v, char *why, size_t n)
{
    unsigned idx = 1;
    for (const char *p = v; *p; idx++) {
        size_t len = strcspn(p, ",");
        if (len > 3) {
            snprintf(why, n, "entry %u is %zu characters long, at most 3", idx, len);
            return -EINVAL;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int refuse_silently(const char *v, char *why, size_t n)
{
    (void)why;
    (void)n;
    return strcmp(v, "bad") == 0 ? -EINVAL : 0;
}

#define T struct test_cfg
static const struct config_field fields[] = {
    CONFIG_STR(T, listen, "T_LISTEN", "127.0.0.1", .check = no_spaces, .help = "address"),
    CONFIG_INT(T, port, "T_PORT", "8080", 1, 65535, .help = "port"),
    CONFIG_BOOL(T, verbose, "T_VERBOSE", "false", .help = "verbose"),
    CONFIG_SIZE(T, body_max, "T_BODY_MAX", "64k", 1 << 20, .help = "body cap"),
    CONFIG_STR(T, secret, "T_SECRET", NULL, .required = true, .secret = true, .help = "the secret"),
    CONFIG_STR(T, list, "T_LIST", "a,bb", .check = short_entries, .help = "short entries"),
    CONFIG_INT(T, pin, "T_PIN", "1234", 0, 9999, .secret = true, .help = "a secret number"),
    CONFIG_STR(T, empty_secret, "T_EMPTY_SECRET", "", .secret = true, .check = refuse_silently,
               .help = "a secret left empty"),
};
#undef T
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* Every field's variable starts with T_: none of them set unless a test sets it. */
static int clear_env(void **state)
{
    (void)state;
    testlib_env_clear("T_");
    return 0;
}

static void test_defaults_and_env(void **state)
{
    (void)state;
    struct test_cfg cfg = {0};
    char err[256] = "";
    setenv("T_SECRET", "s3", 1);
    setenv("T_PORT", "9000", 1);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, NULL, err, sizeof(err)), 0);
    assert_string_equal(cfg.listen, "127.0.0.1");
    assert_int_equal(cfg.port, 9000);
    assert_false(cfg.verbose);
    assert_int_equal(cfg.body_max, 65536);
    assert_string_equal(cfg.secret, "s3");
    assert_int_equal(cfg.pin, 1234);
    config_done(fields, N_FIELDS, &cfg);
    assert_null(cfg.listen);
    assert_null(cfg.secret);
}

static void test_missing_required_names_variable(void **state)
{
    (void)state;
    struct test_cfg cfg = {0};
    char err[256] = "";
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "T_SECRET is required"));
    config_done(fields, N_FIELDS, &cfg);
}

static void test_bad_values_name_variable(void **state)
{
    (void)state;
    struct test_cfg cfg = {0};
    char err[256] = "";
    setenv("T_SECRET", "x", 1);
    setenv("T_PORT", "70000", 1);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "T_PORT: '70000' is not an integer in [1, 65535]");
    config_done(fields, N_FIELDS, &cfg);
    unsetenv("T_PORT");
    setenv("T_LISTEN", "a b", 1);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "T_LISTEN: must not contain spaces");
    config_done(fields, N_FIELDS, &cfg);
    unsetenv("T_LISTEN");
    setenv("T_BODY_MAX", "2m", 1);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "T_BODY_MAX: '2m' is not a size (e.g. 64k, 10m) of at most 1048576");
    config_done(fields, N_FIELDS, &cfg);
    unsetenv("T_BODY_MAX");
    setenv("T_VERBOSE", "maybe", 1);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "T_VERBOSE: 'maybe' is not a boolean (true/false)");
    config_done(fields, N_FIELDS, &cfg);
}

/* The old validator type (const char *(*)(const char *)) could only return a fixed string; a
 * reason naming the entry at fault needed a static buffer. */
static void test_validator_gives_its_own_reason(void **state)
{
    (void)state;
    struct test_cfg cfg = {0};
    char err[256] = "";
    setenv("T_SECRET", "x", 1);
    setenv("T_LIST", "a,bb,cccc,d", 1);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "T_LIST: entry 3 is 4 characters long, at most 3");
    config_done(fields, N_FIELDS, &cfg);
    setenv("T_LIST", "abcde", 1);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "T_LIST: entry 1 is 5 characters long, at most 3");
    config_done(fields, N_FIELDS, &cfg);
    /* A validator that gives no reason still gets the variable named. */
    unsetenv("T_LIST");
    setenv("T_EMPTY_SECRET", "bad", 1);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "T_EMPTY_SECRET: invalid value");
    config_done(fields, N_FIELDS, &cfg);
}

/* A refused secret is named, its text never shown. */
static void test_secret_values_stay_out_of_messages(void **state)
{
    (void)state;
    struct test_cfg cfg = {0};
    char err[256] = "";
    setenv("T_SECRET", "x", 1);
    setenv("T_PIN", "12345", 1);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, NULL, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "T_PIN: '<redacted>' is not an integer in [0, 9999]");
    config_done(fields, N_FIELDS, &cfg);
}

static void test_log_redacts_secrets(void **state)
{
    (void)state;
    struct test_cfg cfg = {0};
    char err[256] = "";
    setenv("T_SECRET", "hunter2", 1);
    setenv("T_PIN", "4321", 1);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, NULL, err, sizeof(err)), 0);
    struct testlib_capture cap;
    testlib_capture_begin(&cap, STDERR_FILENO); /* where the log writes */
    config_log(fields, N_FIELDS, &cfg);
    char *out = testlib_capture_end(&cap);
    assert_non_null(strstr(out, "config T_LISTEN=127.0.0.1\n"));
    assert_non_null(strstr(out, "config T_PORT=8080\n"));
    assert_non_null(strstr(out, "config T_VERBOSE=false\n"));
    assert_non_null(strstr(out, "config T_BODY_MAX=65536\n"));
    assert_non_null(strstr(out, "config T_SECRET=<redacted>\n"));
    assert_non_null(strstr(out, "config T_PIN=<redacted>\n"));
    /* Whether a secret is set at all is no secret. */
    assert_non_null(strstr(out, "config T_EMPTY_SECRET=\n"));
    assert_null(strstr(out, "hunter2"));
    assert_null(strstr(out, "4321"));
    free(out);
    config_done(fields, N_FIELDS, &cfg);
}

static void test_file_then_env_wins(void **state)
{
    (void)state;
    char path[] = "/tmp/pop-config-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\nT_PORT = 1234\nT_SECRET=fromfile\nT_VERBOSE=yes\nT_LIST=x\n", f);
    fclose(f);
    setenv("T_PORT", "4321", 1);
    struct test_cfg cfg = {0};
    char err[256] = "";
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, path, err, sizeof(err)), 0);
    assert_int_equal(cfg.port, 4321);
    assert_string_equal(cfg.secret, "fromfile");
    assert_true(cfg.verbose);
    assert_string_equal(cfg.list, "x");
    config_done(fields, N_FIELDS, &cfg);

    /* The file's values are checked as the environment's are. */
    f = fopen(path, "w");
    fputs("T_SECRET=s\nT_LIST=abcd\n", f);
    fclose(f);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, path, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "T_LIST: entry 1 is 4 characters long, at most 3");
    config_done(fields, N_FIELDS, &cfg);

    f = fopen(path, "w");
    fputs("T_UNKNOWN=1\n", f);
    fclose(f);
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, path, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "unknown setting T_UNKNOWN"));
    config_done(fields, N_FIELDS, &cfg);
    unlink(path);

    assert_int_equal(config_load(fields, N_FIELDS, &cfg, path, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, path));
    config_done(fields, N_FIELDS, &cfg);
}

static void test_template_roundtrip(void **state)
{
    (void)state;
    char path[] = "/tmp/pop-config-tpl-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    const char *overrides[] = {"T_SECRET", "generated", NULL};
    assert_int_equal(config_write_template(fields, N_FIELDS, f, overrides), 0);
    fclose(f);
    struct test_cfg cfg = {0};
    char err[256] = "";
    assert_int_equal(config_load(fields, N_FIELDS, &cfg, path, err, sizeof(err)), 0);
    assert_string_equal(cfg.secret, "generated");
    assert_int_equal(cfg.port, 8080);
    config_done(fields, N_FIELDS, &cfg);
    unlink(path);
}

static void test_usage_lists_every_setting(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(config_write_usage(fields, N_FIELDS, f), 0);
    fclose(f);
    assert_non_null(strstr(buf, "  T_PORT=8080\n      port\n"));
    assert_non_null(strstr(buf, "  T_SECRET (required)\n      the secret\n"));
    assert_non_null(strstr(buf, "  T_PIN=<redacted>\n"));
    assert_non_null(strstr(buf, "  T_BODY_MAX=64k\n"));
    assert_null(strstr(buf, "1234"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults_and_env, clear_env),
        cmocka_unit_test_setup(test_missing_required_names_variable, clear_env),
        cmocka_unit_test_setup(test_bad_values_name_variable, clear_env),
        cmocka_unit_test_setup(test_validator_gives_its_own_reason, clear_env),
        cmocka_unit_test_setup(test_secret_values_stay_out_of_messages, clear_env),
        cmocka_unit_test_setup(test_log_redacts_secrets, clear_env),
        cmocka_unit_test_setup(test_file_then_env_wins, clear_env),
        cmocka_unit_test_setup(test_template_roundtrip, clear_env),
        cmocka_unit_test_setup(test_usage_lists_every_setting, clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
