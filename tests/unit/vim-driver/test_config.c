/* Unit tests for the driver's settings: defaults, the environment, errors naming the
 * variable, the broker password that has no default, and the options handed to the core. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/config.h"
#include "vimd.h"

static int clear_env(void **state)
{
    (void)state;
    size_t n;
    const struct config_field *f = vimd_config_fields(&n);
    for (size_t i = 0; i < n; i++)
        unsetenv(f[i].name);
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    struct vimd_config cfg = {0};
    char why[256];
    assert_int_equal(vimd_config_load(&cfg, NULL, why, sizeof(why)), 0);
    assert_string_equal(cfg.broker_host, "localhost");
    assert_int_equal(cfg.broker_port, 5672);
    assert_string_equal(cfg.broker_vhost, "/");
    assert_string_equal(cfg.broker_user, "openbaton-manager-user");
    assert_null(cfg.broker_password);
    assert_string_equal(cfg.type, "pop");
    assert_string_equal(cfg.name, "default");
    assert_int_equal(cfg.workers, 8);
    assert_int_equal(cfg.pop_timeout_ms, 30000);
    assert_int_equal(cfg.body_max, 4u << 20);
    /* No broker password, no connection: the rule the AMQP side checks. */
    assert_int_equal(vimd_config_check(&cfg, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "VIMD_BROKER_PASSWORD must be set to connect to the broker");
    struct vimd_options o;
    vimd_config_options(&cfg, &o);
    assert_string_equal(o.type, "pop");
    assert_int_equal(o.pop_timeout_ms, 30000);
    assert_int_equal(o.pop_refused_retry_ms, 5000);
    assert_int_equal(o.max_sessions, 64);
    assert_int_equal(o.max_idle, 8);
    vimd_config_done(&cfg);
}

static void test_environment(void **state)
{
    (void)state;
    setenv("VIMD_TYPE", "pop-lab", 1);
    setenv("VIMD_NAME", "berlin_1", 1);
    setenv("VIMD_POP_TIMEOUT", "1500", 1);
    setenv("VIMD_POP_RETRY_REFUSED", "0", 1);
    setenv("VIMD_BROKER_PASSWORD", "s3cret", 1);
    struct vimd_config cfg = {0};
    char why[256];
    assert_int_equal(vimd_config_load(&cfg, NULL, why, sizeof(why)), 0);
    assert_string_equal(cfg.type, "pop-lab");
    assert_string_equal(cfg.name, "berlin_1");
    assert_int_equal(vimd_config_check(&cfg, why, sizeof(why)), 0);
    struct vimd_options o;
    vimd_config_options(&cfg, &o);
    assert_string_equal(o.type, "pop-lab");
    assert_int_equal(o.pop_timeout_ms, 1500);
    assert_int_equal(o.pop_refused_retry_ms, 0);
    vimd_config_done(&cfg);
}

static void bad(const char *var, const char *value, const char *want)
{
    clear_env(NULL);
    setenv(var, value, 1);
    struct vimd_config cfg = {0};
    char why[256];
    assert_int_equal(vimd_config_load(&cfg, NULL, why, sizeof(why)), -EINVAL);
    if (!strstr(why, want))
        fail_msg("%s=%s: got '%s', want '%s'", var, value, why, want);
    vimd_config_done(&cfg);
}

static void test_errors_name_the_variable(void **state)
{
    (void)state;
    /* A dot would change which part of the queue name the NFVO reads as the type. */
    bad("VIMD_TYPE", "pop.x", "VIMD_TYPE: may contain only a-z, 0-9, '-' and '_'");
    bad("VIMD_NAME", "", "VIMD_NAME: must be 1-64 characters (got 0)");
    bad("VIMD_WORKERS", "0", "VIMD_WORKERS");
    bad("VIMD_SESSIONS", "5000", "VIMD_SESSIONS");
    bad("VIMD_BROKER_PORT", "http", "VIMD_BROKER_PORT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, clear_env),
        cmocka_unit_test_setup(test_environment, clear_env),
        cmocka_unit_test_setup(test_errors_name_the_variable, clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
