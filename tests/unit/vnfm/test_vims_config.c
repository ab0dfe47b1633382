/* pop-vnfm's own inputs: VNFM_VIMS_FILE (refusals naming the entry, lookups), the VIM instances
 * remembered from the NFVO's messages (newest wins, seen before the file, the oldest forgotten
 * beyond the cap), and the driver routing of VNFM_DRIVER / VNFM_DRIVERS. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "core/config.h"
#include "testlib.h"
#include "vims.h"

static char *write_file(const char *dir, const char *text)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/vims.json", dir) > 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* vnfm_vims_new on text: its result, and err's detail in why (may be NULL). */
static int load_text(const char *text, struct vnfm_vims **ret, char *why, size_t n)
{
    char *dir = testlib_tmpdir_new("vnfm-vims");
    char *path = write_file(dir, text);
    struct pop_error e = POP_ERROR_INIT;
    int r = vnfm_vims_new(path, ret, &e);
    if (why)
        snprintf(why, n, "%s", e.detail);
    pop_error_clear(&e);
    free(path);
    testlib_tmpdir_free(dir);
    return r;
}

#define VIM_A "{\"id\":\"vim-a\",\"name\":\"pop1\",\"authUrl\":\"http://p1\",\"type\":\"pop\"}"

static void test_file_lookup(void **state)
{
    (void)state;
    struct vnfm_vims *v = NULL;
    assert_int_equal(load_text("[" VIM_A ", {\"id\":\"vim-b\",\"name\":\"pop2\",\"authUrl\":"
                               "\"http://p2\",\"type\":\"pop\",\"username\":\"u\"}]",
                               &v, NULL, 0),
                     0);
    json_t *vim = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(vnfm_vims_lookup(v, "vim-b", &vim, &e), 0);
    assert_string_equal(json_string_value(json_object_get(vim, "username")), "u");
    json_decref(vim);
    assert_int_equal(vnfm_vims_lookup(v, "vim-x", &vim, &e), -ENOENT);
    assert_non_null(strstr(e.detail, "VIM instance vim-x unknown to this VNFM"));
    assert_non_null(strstr(e.detail, "vims.json"));
    pop_error_clear(&e);
    size_t file = 0, seen = 0;
    vnfm_vims_count(v, &file, &seen);
    assert_int_equal(file, 2);
    assert_int_equal(seen, 0);
    vnfm_vims_free(v);
}

static void test_file_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *text, *why;
    } cases[] = {
        {"{}", "must be a JSON array"},
        {"[" VIM_A ",{\"name\":\"x\",\"authUrl\":\"u\",\"type\":\"pop\"}]", "[1].id: required"},
        {"[{\"id\":\"a\",\"name\":\"x\",\"type\":\"pop\"}]", "[0].authUrl: required"},
        {"[" VIM_A "," VIM_A "]", "[1].id: 'vim-a' is listed twice"},
        {"[" VIM_A, "VNFM_VIMS_FILE"},
        {"[{\"id\":\"a\",\"id\":\"b\"}]", "VNFM_VIMS_FILE"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vnfm_vims *v = NULL;
        char why[512];
        assert_int_equal(load_text(cases[i].text, &v, why, sizeof(why)), -EINVAL);
        if (!strstr(why, cases[i].why))
            fail_msg("%s: '%s' does not say '%s'", cases[i].text, why, cases[i].why);
    }
    struct vnfm_vims *v = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(vnfm_vims_new("/nonexistent/vims.json", &v, &e), -ENOENT);
    assert_non_null(strstr(e.detail, "/nonexistent/vims.json"));
    pop_error_clear(&e);
}

static void test_seen(void **state)
{
    (void)state;
    struct vnfm_vims *v = NULL;
    assert_int_equal(load_text("[" VIM_A "]", &v, NULL, 0), 0);
    /* INSTANTIATE: {vnfdVduId: [VIM]}; a grant answer: vduVim {vnfrVduId: VIM}. */
    json_t *inst = json_loads("{\"action\":\"INSTANTIATE\",\"vimInstances\":{\"vdu-1\":[{\"id\":"
                              "\"vim-a\",\"name\":\"fresh\"}, {\"id\":\"vim-c\"}]}}",
                              0, NULL);
    json_t *grant = json_loads("{\"vduVim\":{\"x\":{\"id\":\"vim-d\",\"name\":\"d\"}}}", 0, NULL);
    json_t *scale = json_loads("{\"vimInstance\":{\"id\":\"vim-e\"}}", 0, NULL);
    vnfm_vims_see(v, inst);
    vnfm_vims_see(v, grant);
    vnfm_vims_see(v, scale);
    vnfm_vims_see(v, NULL);
    json_t *vim = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(vnfm_vims_lookup(v, "vim-a", &vim, &e), 0);
    assert_string_equal(json_string_value(json_object_get(vim, "name")), "fresh");
    json_decref(vim);
    static const char *const ids[] = {"vim-c", "vim-d", "vim-e"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(vnfm_vims_lookup(v, ids[i], &vim, &e), 0);
        json_decref(vim);
    }
    /* Past the cap the oldest goes; the file still answers for its own. */
    for (int i = 0; i < VNFM_VIMS_SEEN_MAX; i++) {
        json_t *m = json_pack("{s:{s:o}}", "vimInstance", "id", json_sprintf("many-%d", i));
        assert_non_null(m);
        vnfm_vims_see(v, m);
        json_decref(m);
    }
    size_t file = 0, seen = 0;
    vnfm_vims_count(v, &file, &seen);
    assert_int_equal(seen, VNFM_VIMS_SEEN_MAX);
    assert_int_equal(vnfm_vims_lookup(v, "vim-c", &vim, &e), -ENOENT);
    pop_error_clear(&e);
    assert_int_equal(vnfm_vims_lookup(v, "vim-a", &vim, &e), 0);
    assert_string_equal(json_string_value(json_object_get(vim, "name")), "pop1");
    json_decref(vim);
    assert_int_equal(vnfm_vims_lookup(v, "many-1023", &vim, &e), 0);
    json_decref(vim);
    json_decref(inst);
    json_decref(grant);
    json_decref(scale);
    vnfm_vims_free(v);
}

static int load_config(struct vnfm_config *cfg, char *err, size_t n)
{
    size_t nf = 0;
    const struct config_field *f = vnfm_config_fields(&nf);
    memset(cfg, 0, sizeof(*cfg));
    return config_load(f, nf, cfg, NULL, err, n);
}

static void done_config(struct vnfm_config *cfg)
{
    size_t nf = 0;
    const struct config_field *f = vnfm_config_fields(&nf);
    config_done(f, nf, cfg);
}

static void test_config(void **state)
{
    (void)state;
    testlib_env_clear("VNFM_");
    struct vnfm_config cfg;
    char err[512], buf[256], why[256];
    assert_int_equal(load_config(&cfg, err, sizeof(err)), 0);
    assert_string_equal(vnfm_config_endpoint(&cfg), "pop");
    assert_string_equal(vnfm_config_driver(&cfg, "pop", buf, sizeof(buf)),
                        "vim-drivers.pop.default");
    /* No password: the cross check names it. */
    assert_int_equal(vnfm_config_check(&cfg, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "VNFM_BROKER_PASSWORD"));
    done_config(&cfg);

    setenv("VNFM_TYPE", "mgmt", 1);
    setenv("VNFM_ENDPOINT", "mgmt-endpoint", 1);
    setenv("VNFM_DRIVERS", "docker=vim-drivers.docker.d1,pop=vim-drivers.pop.p2", 1);
    assert_int_equal(load_config(&cfg, err, sizeof(err)), 0);
    assert_string_equal(vnfm_config_endpoint(&cfg), "mgmt-endpoint");
    assert_string_equal(vnfm_config_driver(&cfg, "pop", buf, sizeof(buf)), "vim-drivers.pop.p2");
    assert_string_equal(vnfm_config_driver(&cfg, "docker", buf, sizeof(buf)),
                        "vim-drivers.docker.d1");
    assert_string_equal(vnfm_config_driver(&cfg, "po", buf, sizeof(buf)),
                        "vim-drivers.pop.default");
    assert_string_equal(vnfm_config_driver(&cfg, NULL, buf, sizeof(buf)),
                        "vim-drivers.pop.default");
    done_config(&cfg);

    static const char *const bad_drivers[] = {"pop", "=x", "pop=", "pop=a b", "a=b,,c=d"};
    for (size_t i = 0; i < sizeof(bad_drivers) / sizeof(bad_drivers[0]); i++) {
        setenv("VNFM_DRIVERS", bad_drivers[i], 1);
        assert_int_not_equal(load_config(&cfg, err, sizeof(err)), 0);
        if (!strstr(err, "VNFM_DRIVERS"))
            fail_msg("VNFM_DRIVERS=%s: %s", bad_drivers[i], err);
        done_config(&cfg);
    }
    unsetenv("VNFM_DRIVERS");
    setenv("VNFM_TYPE", "", 1);
    assert_int_not_equal(load_config(&cfg, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "VNFM_TYPE"));
    done_config(&cfg);
    setenv("VNFM_TYPE", "a/b", 1);
    assert_int_not_equal(load_config(&cfg, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "VNFM_TYPE"));
    done_config(&cfg);
    testlib_env_clear("VNFM_");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_lookup),
        cmocka_unit_test(test_file_refusals),
        cmocka_unit_test(test_seen),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
