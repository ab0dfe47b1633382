/* lib/catalogue on every real Open Baton fixture (tests/fixtures/openbaton, copied verbatim):
 * parse -> struct -> JSON gives the same JSON value, up to the one documented normalization
 * (3.2 object-style dependency source/target written as 6.0 names), and typed access sees the
 * values the descriptors hold. */
#include "helpers.h"

static const char *const nsd_fixtures[] = {
    "openbaton/openbaton-docker_docker-NSR-SIPp.json",
    "openbaton/openbaton-docker_docker-NSR-iperf3.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-iperf-docker.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-sipp-real-fms-heal.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-ncat-scaling.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-iperf-dummy-requires-provides.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-with-many-dependencies.json",
    "openbaton/go-docker-vnfm_docker-iperf.json",
};

static const char *const vim_fixtures[] = {
    "openbaton/openbaton-docker_pop-vim-instance.json",
    "openbaton/go-docker-driver_docker.json",
};

/* The deliberate normalization (docs/internals/catalogue.md): an Open Baton 3.2 reference
 * {"name": n, ...} in vnf_dependency[].source/target is written as n, the NFVO 6 form. */
static void normalize_nsd(json_t *nsd)
{
    size_t i;
    json_t *dep;
    json_array_foreach (json_object_get(nsd, "vnf_dependency"), i, dep) {
        const char *keys[] = {"source", "target"};
        for (size_t k = 0; k < 2; k++) {
            json_t *ref = json_object_get(dep, keys[k]);
            if (json_is_object(ref))
                json_object_set(dep, keys[k], json_object_get(ref, "name"));
        }
    }
}

static json_t *nsd_round_trip(const char *text, size_t len, unsigned enc_flags)
{
    struct cat_nsd *nsd = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (cat_nsd_parse(text, len, CAT_DEC_REQUIRED, &nsd, &e) < 0)
        fail_msg("decode: %s", e.detail);
    json_t *out = cat_nsd_to_json(nsd, enc_flags);
    assert_non_null(out);
    cat_nsd_free(nsd);
    return out;
}

static void test_nsd_fixtures_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(nsd_fixtures) / sizeof(nsd_fixtures[0]); i++) {
        size_t len;
        char *text = read_fixture(nsd_fixtures[i], &len);
        print_message("%s\n", nsd_fixtures[i]);
        json_t *want = parse_text(text);
        normalize_nsd(want);

        json_t *got = nsd_round_trip(text, len, 0);
        assert_json_equal(got, want);

        /* Everything in the fixtures is a modelled field: nothing went to `extra`, so the
         * Java-class view (which drops extras) is the same document. */
        json_t *java = nsd_round_trip(text, len, CAT_ENC_GSON_CLASS);
        assert_json_equal(java, want);

        /* Our own output is a fixed point. */
        char *again = json_dumps(got, JSON_COMPACT);
        json_t *twice = nsd_round_trip(again, strlen(again), 0);
        assert_json_equal(twice, got);

        free(again);
        json_decref(twice);
        json_decref(java);
        json_decref(got);
        json_decref(want);
        free(text);
    }
}

static void test_vim_fixtures_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vim_fixtures) / sizeof(vim_fixtures[0]); i++) {
        size_t len;
        char *text = read_fixture(vim_fixtures[i], &len);
        json_t *want = parse_text(text);
        struct cat_vim *vim = NULL;
        struct pop_error e = POP_ERROR_INIT;
        if (cat_vim_parse(text, len, CAT_DEC_REQUIRED, &vim, &e) < 0)
            fail_msg("%s: %s", vim_fixtures[i], e.detail);
        json_t *got = cat_vim_to_json(vim, 0);
        assert_json_equal(got, want);
        json_decref(got);
        json_decref(want);
        cat_vim_free(vim);
        free(text);
    }
}

/* The thesis's Pop VIM instance is `type: pop`, so a Java NFVO holds it as a
 * GenericVimInstance: tenant, username, password, keyPair and securityGroups are gone (§4.3,
 * §11.13). We keep them when reading; the Java view drops exactly those. */
static void test_pop_vim_fixture_classes(void **state)
{
    (void)state;
    size_t len;
    char *text = read_fixture("openbaton/openbaton-docker_pop-vim-instance.json", &len);
    struct cat_vim *vim = NULL;
    assert_int_equal(cat_vim_parse(text, len, 0, &vim, NULL), 0);
    assert_int_equal(cat_vim_class_of(vim), CAT_VIM_GENERIC);
    assert_string_equal(vim->username, "user_name");
    assert_string_equal(vim->password, "password_value");
    assert_string_equal(vim->location->latitude, "52.525876");

    json_t *java = cat_vim_to_json(vim, CAT_ENC_GSON_CLASS);
    json_t *want =
        parse_text("{\"name\":\"pop-vim-instance\",\"authUrl\":\"http://localhost:60000\","
                   "\"type\":\"pop\",\"location\":{\"name\":\"Berlin\","
                   "\"latitude\":\"52.525876\",\"longitude\":\"13.314400\"}}");
    assert_json_equal(java, want);
    json_decref(java);
    json_decref(want);
    cat_vim_free(vim);
    free(text);

    text = read_fixture("openbaton/go-docker-driver_docker.json", &len);
    assert_int_equal(cat_vim_parse(text, len, 0, &vim, NULL), 0);
    assert_int_equal(cat_vim_class_of(vim), CAT_VIM_DOCKER);
    cat_vim_free(vim);
    free(text);
}

static struct cat_nsd *load_nsd(const char *rel)
{
    size_t len;
    char *text = read_fixture(rel, &len);
    struct cat_nsd *nsd = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (cat_nsd_parse(text, len, CAT_DEC_REQUIRED, &nsd, &e) < 0)
        fail_msg("%s: %s", rel, e.detail);
    free(text);
    return nsd;
}

static void test_sipp_typed_view(void **state)
{
    (void)state;
    struct cat_nsd *nsd = load_nsd("openbaton/openbaton-docker_docker-NSR-SIPp.json");
    assert_int_equal(nsd->vnfd.n, 2);
    struct cat_vnfd *client = cat_nsd_find_vnfd(nsd, "sipp-client");
    assert_non_null(client);
    assert_null(cat_nsd_find_vnfd(nsd, "nope"));
    assert_string_equal(client->type, "client");
    assert_string_equal(client->endpoint, "mgmt");
    assert_int_equal(client->lifecycle_event.v[0].event, CAT_EVENT_CONFIGURE);
    assert_string_equal(cat_event_name(client->lifecycle_event.v[1].event), "INSTANTIATE");
    struct cat_vdu *vdu = &client->vdu.v[0];
    assert_int_equal(vdu->scale_in_out.v, 5);
    assert_true(vdu->vim_instance_name.set); /* [] kept apart from absent */
    assert_int_equal(vdu->vim_instance_name.n, 0);
    assert_string_equal(vdu->vnfc.v[0].connection_point.v[0].virtual_link_reference, "private");
    assert_string_equal(client->deployment_flavour.v[0].flavour_key, "docker.container");
    assert_string_equal(cat_configuration_get(client->configurations, "SIPP_RATE"), "10");
    /* "threshold": 100 is a Java double, kept as written */
    struct cat_auto_scale_policy *asp = &client->auto_scale_policy.v[0];
    assert_true(asp->threshold.set && asp->threshold.integral);
    assert_true(asp->threshold.v == 100.0);
    assert_int_equal(asp->mode, CAT_SCALING_REACTIVE);
    assert_int_equal(asp->type, CAT_SCALING_VOTED);
    assert_int_equal(asp->actions.v[0].type, CAT_SCALE_OUT);
    assert_true(asp->alarms.v[0].threshold.v == 40.0);
    /* 3.2 object references become names */
    assert_string_equal(nsd->vnf_dependency.v[0].source, "sipp-server");
    assert_string_equal(nsd->vnf_dependency.v[0].target, "sipp-client");
    assert_string_equal(nsd->vnf_dependency.v[0].parameters.v[0], "private");
    cat_nsd_free(nsd);
}

static void test_heal_and_requires_typed_view(void **state)
{
    (void)state;
    struct cat_nsd *nsd =
        load_nsd("openbaton/integration-tests_NetworkServiceDescriptor-sipp-real-fms-heal.json");
    struct cat_vdu *vdu = &cat_nsd_find_vnfd(nsd, "sipp-server")->vdu.v[0];
    struct cat_fault_policy *fp = &vdu->fault_management_policy.v[0];
    assert_true(fp->is_vnf_alarm.set && fp->is_vnf_alarm.v);
    assert_int_equal(fp->severity, CAT_SEVERITY_CRITICAL);
    assert_int_equal(fp->period.v, 5);
    assert_int_equal(fp->criteria.v[0].vnfc_selector, CAT_VNFC_SELECTOR_AT_LEAST_ONE);
    assert_string_equal(fp->criteria.v[0].threshold, "0");
    struct cat_connection_point *cp = &vdu->vnfc.v[0].connection_point.v[0];
    assert_string_equal(cp->floating_ip, "random");
    assert_true(cp->interface_id.set);
    assert_int_equal(cp->interface_id.v, 0);
    cat_nsd_free(nsd);

    /* This fixture repeats "type" in both VNFDs with the same value: accepted. */
    nsd = load_nsd(
        "openbaton/integration-tests_NetworkServiceDescriptor-iperf-dummy-requires-provides.json");
    struct cat_vnfd *client = cat_nsd_find_vnfd(nsd, "iperf-client");
    assert_string_equal(client->type, "client");
    assert_int_equal(client->requires.n, 1);
    assert_string_equal(client->requires.v[0].key, "iperf-server");
    assert_string_equal(client->requires.v[0].value.parameters.v[0], "private");
    assert_true(nsd->vnf_dependency.set);
    assert_int_equal(nsd->vnf_dependency.n, 0);
    cat_nsd_free(nsd);

    nsd = load_nsd(
        "openbaton/integration-tests_NetworkServiceDescriptor-with-many-dependencies.json");
    assert_int_equal(nsd->vnfd.n, 11);
    assert_int_equal(nsd->vnf_dependency.n, 31);
    assert_true(cat_strv_contains(&nsd->vnfd.v[0].provides, "param2"));
    cat_nsd_free(nsd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nsd_fixtures_round_trip),
        cmocka_unit_test(test_vim_fixtures_round_trip),
        cmocka_unit_test(test_pop_vim_fixture_classes),
        cmocka_unit_test(test_sipp_typed_view),
        cmocka_unit_test(test_heal_and_requires_typed_view),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
