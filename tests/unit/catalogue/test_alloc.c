/* lib/catalogue when memory runs out: the n-th allocation fails, for every n a decode, an
 * encode and a copy make. Each call then fails with -ENOMEM (or NULL) or succeeds, and nothing
 * leaks or is freed twice (ASan and LSan watch the asan build). Linked with
 * --wrap=malloc,calloc,realloc,strdup,strndup; jansson allocates through the same counter. */
#include "helpers.h"

#include "testlib_alloc.h"

#define SWEEP TESTLIB_ALLOC_SWEEP

static void decode_under_pressure(const struct cat_class *cls, const char *rel)
{
    size_t len;
    char *text = read_fixture(rel, &len);
    long runs = 0;
    /* Text: jansson reports some of its own allocation failures as syntax errors ("string or
     * '}' expected"), so a parse may also fail with API_BAD_JSON; never anything else. */
    SWEEP({
        struct pop_error e = POP_ERROR_INIT;
        json_t *doc = NULL;
        int r = cat_parse(text, len, &doc, &e);
        if (r == 0)
            json_decref(doc);
        else if (r != -ENOMEM && !(r == -EINVAL && e.api == API_BAD_JSON))
            fail_msg("%s: run %ld: %d %s", rel, runs, r, e.detail);
        /* the repeats in the fixtures are equal: refusing one would be our mistake */
        else if (strstr(e.detail, "duplicate") || strstr(e.detail, "repeated"))
            fail_msg("%s: run %ld: %s", rel, runs, e.detail);
        else
            assert_null(doc);
        runs++;
    });
    assert_true(runs > 10);

    /* Decoding a parsed document: every failure is -ENOMEM, and nothing is half-returned. */
    json_t *doc = parse_text(text);
    runs = 0;
    SWEEP({
        struct pop_error e = POP_ERROR_INIT;
        void *obj = NULL;
        int r = cat_decode(cls, doc, 0, &obj, &e);
        if (r == 0) {
            cat_free(cls, obj);
        } else {
            if (r != -ENOMEM || e.api != API_INTERNAL)
                fail_msg("%s: run %ld: %d %s", rel, runs, r, e.detail);
            assert_null(obj);
        }
        runs++;
    });
    assert_true(runs > 10);
    json_decref(doc);

    void *obj = NULL;
    assert_int_equal(cat_parse_as(cls, text, len, 0, &obj, NULL), 0);
    json_t *want = cat_encode(cls, obj, 0);
    assert_non_null(want);
    SWEEP({
        json_t *got = cat_encode(cls, obj, 0);
        if (got) {
            assert_json_equal(got, want);
            json_decref(got);
        }
    });
    SWEEP({
        void *copy = NULL;
        int r = cat_copy(cls, obj, &copy);
        if (r == 0)
            cat_free(cls, copy);
        else
            assert_int_equal(r, -ENOMEM);
    });
    json_decref(want);
    cat_free(cls, obj);
    free(text);
}

static void test_nsd_with_repeated_keys(void **state)
{
    (void)state;
    /* the repeated-key path of cat_parse included */
    decode_under_pressure(
        &cat_nsd_class,
        "openbaton/integration-tests_NetworkServiceDescriptor-iperf-dummy-requires-provides.json");
}

static void test_sipp_nsd(void **state)
{
    (void)state;
    decode_under_pressure(&cat_nsd_class, "openbaton/openbaton-docker_docker-NSR-SIPp.json");
}

static void test_records(void **state)
{
    (void)state;
    decode_under_pressure(&cat_vnfr_class, "catalogue/vnfr-sipp-server-allocated.json");
    decode_under_pressure(&cat_nsr_class, "catalogue/nsr-sipp.json");
    decode_under_pressure(&cat_vim_class, "catalogue/vim-openstack.json");
    decode_under_pressure(&cat_server_class, "catalogue/server-pop.json");
    decode_under_pressure(&cat_vnf_package_class, "catalogue/vnf-package.json");
}

static void test_builders(void **state)
{
    (void)state;
    struct cat_server *s = cat_server_new();
    SWEEP({
        if (cat_server_add_ip(s, "private", "10.0.0.1") == 0)
            assert_string_equal(cat_server_ip(s, "private"), "10.0.0.1");
    });
    SWEEP({
        int r = cat_strmap_set(&s->floating_ips, "private", "1.2.3.4");
        assert_true(r == 0 || r == -ENOMEM);
    });
    cat_server_free(s);
    struct cat_configuration *c = cat_configuration_new();
    SWEEP({
        int r = cat_configuration_set(c, "k", "v");
        assert_true(r == 0 || r == -ENOMEM);
    });
    cat_configuration_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nsd_with_repeated_keys),
        cmocka_unit_test(test_sipp_nsd),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_builders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
