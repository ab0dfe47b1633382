/* Unit tests for service_main: flags, subcommands, file-then-environment precedence, VERBOSE,
 * usage errors, validator reasons and secrets in what is logged, start failure and a clean
 * stop on SIGTERM/SIGINT, each with its exit status. A fake service records what it saw; it
 * raises the termination signal from start, which stays pending (service_main blocked it)
 * until service_main waits for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/service.h"
#include "testlib.h"

struct svc_cfg {
    char *name;
    int64_t port;
    char *token;
};

/* What the fake service saw; reset before every test. */
static struct {
    int starts, stops, checks, cmd_runs;
    char name[64];
    int64_t port;
    bool token_set;
    enum log_level level_at_check, level_at_start;
    int start_r;   /* < 0: start fails with it */
    int raise_sig; /* raised by a successful start */
    char *owned;   /* a string start moved out of the config */
    void *stopped_state;
    int cmd_argc;
    char cmd_argv0[32], cmd_argv1[32];
} rec;

static int check_name(const char *v, char *why, size_t n)
{
    size_t len = strlen(v);
    if (len <= 8)
        return 0;
    snprintf(why, n, "%zu characters, at most 8", len);
    return -EINVAL;
}

#define T struct svc_cfg
static const struct config_field fields[] = {
    CONFIG_STR(T, name, "T_NAME", "svc", .check = check_name, .help = "the name"),
    CONFIG_INT(T, port, "T_PORT", "80", 1, 65535, .help = "the port"),
    CONFIG_STR(T, token, "T_TOKEN", "", .secret = true, .help = "the token"),
};
#undef T

static int check_config(const void *cfgp, char *why, size_t n)
{
    const struct svc_cfg *cfg = cfgp;
    rec.checks++;
    rec.level_at_check = log_get_level();
    if (cfg->port == 13) {
        snprintf(why, n, "T_PORT 13 is unlucky with T_NAME %s", cfg->name);
        return -EINVAL;
    }
    return 0;
}

static int start(void *cfgp, struct service_started *ret, struct pop_error *err)
{
    struct svc_cfg *cfg = cfgp;
    rec.starts++;
    rec.level_at_start = log_get_level();
    snprintf(rec.name, sizeof(rec.name), "%s", cfg->name);
    rec.port = cfg->port;
    rec.token_set = cfg->token && *cfg->token;
    if (rec.start_r < 0)
        return pop_error_set(err, rec.start_r, API_ERROR_COUNT, NULL, "cannot listen on test:%lld",
                             (long long)cfg->port);
    /* Taking a string out of the config: service_main must neither free it nor leak it. */
    rec.owned = cfg->name;
    cfg->name = NULL;
    snprintf(ret->ready_on, sizeof(ret->ready_on), "test://%s:%lld", rec.owned,
             (long long)cfg->port);
    ret->state = &rec;
    raise(rec.raise_sig);
    return 0;
}

static void stop(void *state)
{
    rec.stops++;
    rec.stopped_state = state;
    free(rec.owned);
    rec.owned = NULL;
}

static int cmd_init(const struct service_def *def, int argc, char **argv)
{
    (void)def;
    rec.cmd_runs++;
    rec.cmd_argc = argc;
    snprintf(rec.cmd_argv0, sizeof(rec.cmd_argv0), "%s", argv[0]);
    snprintf(rec.cmd_argv1, sizeof(rec.cmd_argv1), "%s", argc > 1 ? argv[1] : "");
    return 7;
}

static const struct service_cmd cmds[] = {
    {.name = "init", .args = "[FILE]", .help = "write a config file", .run = cmd_init},
};

static struct service_def def = {
    .name = "svc",
    .version = "1.0",
    .summary = "serve the test",
    .env_prefix = "T_",
    .fields = fields,
    .n_fields = sizeof(fields) / sizeof(fields[0]),
    .cfg_size = sizeof(struct svc_cfg),
    .check_config = check_config,
    .cmds = cmds,
    .n_cmds = 1,
    .start = start,
    .stop = stop,
};

static char *out, *err; /* what the last run() printed on stdout and stderr */
static char *tmp_dir;
static char cfg_path[128]; /* in tmp_dir, not there unless a test writes it */

static int reset(void **state)
{
    (void)state;
    memset(&rec, 0, sizeof(rec));
    rec.raise_sig = SIGTERM;
    def.version = "1.0";
    log_set_level(LOG_INFO);
    testlib_env_clear("T_"); /* the service's prefix: T_VERBOSE too */
    tmp_dir = testlib_tmpdir_new("pop-service-test");
    snprintf(cfg_path, sizeof(cfg_path), "%s/svc.conf", tmp_dir);
    return 0;
}

static int cleanup(void **state)
{
    (void)state;
    free(out);
    free(err);
    out = err = NULL;
    testlib_tmpdir_free(tmp_dir);
    tmp_dir = NULL;
    log_set_level(LOG_INFO);
    return 0;
}

/* run("svc", "-verbose", NULL): service_main's status, its output in out and err. */
static int run(const char *arg0, ...)
{
    char *argv[16];
    int argc = 0;
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a; a = va_arg(ap, const char *)) {
        assert_true(argc < 15);
        argv[argc++] = (char *)a;
    }
    va_end(ap);
    argv[argc] = NULL;

    free(out);
    free(err);
    struct testlib_capture cap_out, cap_err;
    testlib_capture_begin(&cap_out, STDOUT_FILENO);
    testlib_capture_begin(&cap_err, STDERR_FILENO);
    int status = service_main(&def, argc, argv);
    err = testlib_capture_end(&cap_err);
    out = testlib_capture_end(&cap_out);
    return status;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_help_lists_commands_flags_and_settings(void **state)
{
    (void)state;
    assert_int_equal(run("svc", "-h", NULL), SERVICE_EXIT_OK);
    assert_non_null(strstr(out, "usage: svc [-verbose] [-config FILE]  serve the test\n"));
    assert_non_null(strstr(out, "       svc init [FILE]                write a config file\n"));
    assert_non_null(strstr(out, "  -config FILE"));
    assert_non_null(strstr(out, "  T_NAME=svc\n      the name\n"));
    assert_non_null(strstr(out, "  T_PORT=80\n"));
    assert_non_null(strstr(out, "  T_VERBOSE=false\n")); /* added for every service */
    assert_string_equal(err, "");
    assert_int_equal(rec.starts, 0);
    assert_int_equal(run("svc", "-verbose", "--help", NULL), SERVICE_EXIT_OK);
    assert_non_null(strstr(out, "T_PORT=80"));
    assert_int_equal(rec.starts, 0);
}

static void test_usage_errors_exit_2(void **state)
{
    (void)state;
    assert_int_equal(run("svc", "-bogus", NULL), SERVICE_EXIT_USAGE);
    assert_non_null(strstr(err, "svc: unknown argument '-bogus'\nusage: svc [-verbose]"));
    assert_non_null(strstr(err, "Run 'svc -h' for every setting."));
    assert_string_equal(out, "");
    assert_int_equal(run("svc", "-config", NULL), SERVICE_EXIT_USAGE);
    assert_non_null(strstr(err, "svc: -config needs a FILE"));
    assert_int_equal(run("svc", "serve", NULL), SERVICE_EXIT_USAGE);
    assert_non_null(strstr(err, "unknown argument 'serve'"));
    /* A command comes first or not at all. */
    assert_int_equal(run("svc", "-verbose", "init", NULL), SERVICE_EXIT_USAGE);
    assert_non_null(strstr(err, "unknown argument 'init'"));
    assert_int_equal(rec.starts, 0);
    assert_int_equal(rec.cmd_runs, 0);
}

static void test_subcommand_runs_instead_of_the_service(void **state)
{
    (void)state;
    assert_int_equal(run("svc", "init", "a.conf", "b", NULL), 7);
    assert_int_equal(rec.cmd_runs, 1);
    assert_int_equal(rec.cmd_argc, 3);
    assert_string_equal(rec.cmd_argv0, "init");
    assert_string_equal(rec.cmd_argv1, "a.conf");
    assert_int_equal(rec.starts, 0);
    assert_int_equal(rec.checks, 0); /* no configuration is loaded for a command */
    assert_int_equal(run("svc", "init", "-h", NULL), SERVICE_EXIT_OK);
    assert_non_null(strstr(out, "usage: svc"));
    assert_int_equal(rec.cmd_runs, 1);
}

static void test_file_then_environment(void **state)
{
    (void)state;
    write_file(cfg_path, "# test\nT_NAME=file\nT_PORT=1000\n");
    setenv("T_PORT", "2000", 1);
    assert_int_equal(run("svc", "-config", cfg_path, NULL), SERVICE_EXIT_OK);
    assert_string_equal(rec.name, "file");
    assert_int_equal(rec.port, 2000);
    unsetenv("T_PORT");
    assert_int_equal(run("svc", "--config", cfg_path, NULL), SERVICE_EXIT_OK);
    assert_int_equal(rec.port, 1000);
    assert_int_equal(run("svc", NULL), SERVICE_EXIT_OK);
    assert_string_equal(rec.name, "svc");
    assert_int_equal(rec.port, 80);
    assert_int_equal(rec.starts, 3);
    assert_int_equal(rec.stops, 3);
}

static void test_missing_config_file_names_it(void **state)
{
    (void)state;
    assert_int_equal(run("svc", "-config", cfg_path, NULL), SERVICE_EXIT_FAILURE);
    assert_non_null(strstr(err, "configuration: config file "));
    assert_non_null(strstr(err, cfg_path));
    assert_int_equal(rec.starts, 0);
}

/* -verbose is on before loading; <prefix>VERBOSE from right after; either one is enough. */
static void test_verbose_flag_and_setting(void **state)
{
    (void)state;
    assert_int_equal(run("svc", NULL), SERVICE_EXIT_OK);
    assert_int_equal(rec.level_at_check, LOG_INFO);
    assert_int_equal(rec.level_at_start, LOG_INFO);

    log_set_level(LOG_INFO);
    assert_int_equal(run("svc", "-verbose", NULL), SERVICE_EXIT_OK);
    assert_int_equal(rec.level_at_check, LOG_DEBUG);
    assert_int_equal(rec.level_at_start, LOG_DEBUG);

    log_set_level(LOG_INFO);
    setenv("T_VERBOSE", "true", 1);
    assert_int_equal(run("svc", NULL), SERVICE_EXIT_OK);
    assert_int_equal(rec.level_at_check, LOG_INFO);
    assert_int_equal(rec.level_at_start, LOG_DEBUG);
    assert_non_null(strstr(err, "config T_VERBOSE=true\n"));

    /* From the file, and the environment still wins over it. */
    log_set_level(LOG_INFO);
    unsetenv("T_VERBOSE");
    write_file(cfg_path, "T_VERBOSE=yes\n");
    assert_int_equal(run("svc", "-config", cfg_path, NULL), SERVICE_EXIT_OK);
    assert_int_equal(rec.level_at_start, LOG_DEBUG);
    log_set_level(LOG_INFO);
    setenv("T_VERBOSE", "false", 1);
    assert_int_equal(run("svc", "-config", cfg_path, NULL), SERVICE_EXIT_OK);
    assert_int_equal(rec.level_at_start, LOG_INFO);
    /* The setting cannot turn the flag off. */
    assert_int_equal(run("svc", "-verbose", "-config", cfg_path, NULL), SERVICE_EXIT_OK);
    assert_int_equal(rec.level_at_start, LOG_DEBUG);

    log_set_level(LOG_INFO);
    setenv("T_VERBOSE", "maybe", 1);
    assert_int_equal(run("svc", NULL), SERVICE_EXIT_FAILURE);
    assert_non_null(strstr(err, "configuration: T_VERBOSE: 'maybe' is not a boolean"));
}

static void test_validator_reason_in_message(void **state)
{
    (void)state;
    setenv("T_NAME", "much-too-long", 1);
    assert_int_equal(run("svc", NULL), SERVICE_EXIT_FAILURE);
    assert_non_null(strstr(err, "configuration: T_NAME: 13 characters, at most 8\n"));
    assert_int_equal(rec.starts, 0);

    setenv("T_NAME", "ok", 1);
    setenv("T_PORT", "13", 1);
    assert_int_equal(run("svc", NULL), SERVICE_EXIT_FAILURE);
    assert_non_null(strstr(err, "configuration: T_PORT 13 is unlucky with T_NAME ok\n"));
    assert_int_equal(rec.starts, 0);

    setenv("T_PORT", "0", 1);
    assert_int_equal(run("svc", NULL), SERVICE_EXIT_FAILURE);
    assert_non_null(strstr(err, "configuration: T_PORT: '0' is not an integer in [1, 65535]"));
}

static void test_effective_config_logged_secrets_redacted(void **state)
{
    (void)state;
    setenv("T_TOKEN", "hunter2", 1);
    assert_int_equal(run("svc", NULL), SERVICE_EXIT_OK);
    assert_true(rec.token_set);
    assert_non_null(strstr(err, "config T_NAME=svc\n"));
    assert_non_null(strstr(err, "config T_PORT=80\n"));
    assert_non_null(strstr(err, "config T_TOKEN=<redacted>\n"));
    assert_non_null(strstr(err, "config T_VERBOSE=false\n"));
    assert_null(strstr(err, "hunter2"));
    /* The config is logged before start-up, the ready line after it. */
    assert_true(strstr(err, "config T_TOKEN") < strstr(err, "ready on"));
}

static void test_start_failure_exits_1_with_the_message(void **state)
{
    (void)state;
    rec.start_r = -EADDRINUSE;
    assert_int_equal(run("svc", NULL), SERVICE_EXIT_FAILURE);
    assert_int_equal(rec.starts, 1);
    assert_int_equal(rec.stops, 0);
    assert_non_null(strstr(err, "start-up: cannot listen on test:80\n"));
    assert_null(strstr(err, "ready on"));
}

static void test_ready_line_and_clean_stop(void **state)
{
    (void)state;
    assert_int_equal(run("svc", NULL), SERVICE_EXIT_OK);
    assert_non_null(strstr(err, "svc 1.0 ready on test://svc:80\n"));
    assert_non_null(strstr(err, "received SIGTERM; shutting down\n"));
    assert_int_equal(rec.stops, 1);
    assert_ptr_equal(rec.stopped_state, &rec);
    assert_null(rec.owned);

    def.version = NULL;
    rec.raise_sig = SIGINT;
    assert_int_equal(run("svc", NULL), SERVICE_EXIT_OK);
    assert_non_null(strstr(err, "svc ready on test://svc:80\n"));
    assert_non_null(strstr(err, "received SIGINT; shutting down\n"));
    assert_int_equal(rec.stops, 2);
}

static void test_write_config_template(void **state)
{
    (void)state;
    const char *overrides[] = {"T_TOKEN", "generated", NULL};
    assert_int_equal(service_write_config(&def, cfg_path, overrides), 0);
    struct stat st;
    assert_int_equal(stat(cfg_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* Never overwritten. */
    assert_int_equal(service_write_config(&def, cfg_path, NULL), -EEXIST);

    FILE *f = fopen(cfg_path, "r");
    assert_non_null(f);
    char text[2048];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_non_null(strstr(text, "# svc configuration (KEY=VALUE)"));
    assert_non_null(strstr(text, "# the port\nT_PORT=80\n"));
    assert_non_null(strstr(text, "T_TOKEN=generated\n"));
    assert_non_null(strstr(text, "T_VERBOSE=false\n"));

    /* What init writes, the service reads. */
    assert_int_equal(run("svc", "-config", cfg_path, NULL), SERVICE_EXIT_OK);
    assert_true(rec.token_set);
    assert_int_equal(rec.port, 80);
}

int main(void)
{
#define TEST(fn) cmocka_unit_test_setup_teardown(fn, reset, cleanup)
    const struct CMUnitTest tests[] = {
        TEST(test_help_lists_commands_flags_and_settings),
        TEST(test_usage_errors_exit_2),
        TEST(test_subcommand_runs_instead_of_the_service),
        TEST(test_file_then_environment),
        TEST(test_missing_config_file_names_it),
        TEST(test_verbose_flag_and_setting),
        TEST(test_validator_reason_in_message),
        TEST(test_effective_config_logged_secrets_redacted),
        TEST(test_start_failure_exits_1_with_the_message),
        TEST(test_ready_line_and_clean_stop),
        TEST(test_write_config_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
