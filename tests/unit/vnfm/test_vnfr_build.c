/* The VNFR the VNFM builds from a VNFD (reference §4.4) for every VNFD of the Open Baton
 * fixtures, checked against a second, JSON-level reading of §4.4; the exact wire form for the
 * SIPp client; the refusals; and the NFVO's copies taken whole (ids, hbVersion, history). */
#include "standin.h"

#define NSR_ID "nsr-1"

static const char *const nsd_fixtures[] = {
    "openbaton/openbaton-docker_docker-NSR-SIPp.json",
    "openbaton/openbaton-docker_docker-NSR-iperf3.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-iperf-docker.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-ncat-scaling.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-with-many-dependencies.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-iperf-dummy-requires-provides.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-sipp-real-fms-heal.json",
    "openbaton/go-docker-vnfm_docker-iperf.json",
};

/* A deep copy of j without any "id" or "hbVersion" member. */
static json_t *strip(const json_t *j)
{
    if (json_is_object(j)) {
        json_t *o = json_object();
        const char *k;
        json_t *v;
        json_object_foreach ((json_t *)j, k, v)
            if (strcmp(k, "id") != 0 && strcmp(k, "hbVersion") != 0)
                json_object_set_new(o, k, strip(v));
        return o;
    }
    if (json_is_array(j)) {
        json_t *a = json_array();
        size_t i;
        json_t *v;
        json_array_foreach (j, i, v)
            json_array_append_new(a, strip(v));
        return a;
    }
    return json_deep_copy(j);
}

static void copy_member(json_t *dst, const json_t *src, const char *key, const char *as)
{
    json_t *v = json_object_get(src, key);
    if (v)
        json_object_set_new(dst, as ? as : key, strip(v));
}

/* strip(src[key]), or [] when src has none. */
static json_t *list_of(const json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);
    return v ? strip(v) : json_array();
}

static void add_key(json_t *params, const char *key)
{
    size_t i;
    json_t *p;
    json_array_foreach (params, i, p)
        if (strcmp(json_string_value(json_object_get(p, "confKey")), key) == 0)
            return;
    json_array_append_new(params, json_pack("{s:s}", "confKey", key));
}

/* §4.4 read a second time, on the JSON: what the VNFR of vnfd (as JSON) must be. */
static json_t *expected_vnfr(const json_t *d, const char *flavour)
{
    json_t *e = json_object();
    copy_member(e, d, "name", NULL);
    copy_member(e, d, "type", NULL);
    copy_member(e, d, "vendor", NULL);
    copy_member(e, d, "version", NULL);
    copy_member(e, d, json_object_get(d, "endpoint") ? "endpoint" : "type", "endpoint");
    copy_member(e, d, "id", "descriptor_reference");
    copy_member(e, d, "vnfPackageLocation", "packageId");
    copy_member(e, d, "cyclicDependency", NULL);
    json_object_set_new(e, "parent_ns_id", json_string(NSR_ID));
    json_object_set_new(e, "deployment_flavour_key", json_string(flavour));
    json_object_set_new(e, "status", json_string("NULL"));
    json_object_set_new(e, "vnf_address", json_array());
    json_object_set_new(e, "lifecycle_event_history", json_array());

    const json_t *conf = json_object_get(d, "configurations");
    json_t *params = json_array();
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get(conf, "configurationParameters"), i, v) {
        json_t *p = json_object();
        copy_member(p, v, "confKey", NULL);
        copy_member(p, v, "value", NULL);
        copy_member(p, v, "description", NULL);
        json_array_append_new(params, p);
    }
    json_t *cname = json_object_get(conf, "name");
    json_object_set_new(e, "configurations",
                        json_pack("{s:O, s:o}", "name", cname ? cname : json_object_get(d, "name"),
                                  "configurationParameters", params));
    json_t *req = json_array(), *prov = json_array();
    const char *k;
    json_object_foreach (json_object_get(d, "requires"), k, v) {
        size_t j;
        json_t *key;
        json_array_foreach (json_object_get(v, "parameters"), j, key)
            add_key(req, json_string_value(key));
    }
    json_array_foreach (json_object_get(d, "provides"), i, v)
        add_key(prov, json_string_value(v));
    json_object_set_new(
        e, "requires", json_pack("{s:s, s:o}", "name", "requires", "configurationParameters", req));
    json_object_set_new(
        e, "provides",
        json_pack("{s:s, s:o}", "name", "provides", "configurationParameters", prov));

    json_object_set_new(e, "monitoring_parameter", list_of(d, "monitoring_parameter"));
    json_object_set_new(e, "connection_point", list_of(d, "connection_point"));
    json_object_set_new(e, "lifecycle_event", list_of(d, "lifecycle_event"));
    json_t *asp = list_of(d, "auto_scale_policy");
    json_array_foreach (asp, i, v) {
        size_t j;
        json_t *a;
        json_array_foreach (json_object_get(v, "actions"), j, a)
            if (!json_object_get(a, "target"))
                json_object_set(a, "target", json_object_get(d, "type"));
    }
    json_object_set_new(e, "auto_scale_policy", asp);

    json_t *vls = list_of(d, "virtual_link");
    json_array_foreach (vls, i, v) {
        char ext[128];
        snprintf(ext, sizeof(ext), "net-%s", json_string_value(json_object_get(v, "name")));
        json_object_set_new(v, "extId", json_string(ext)); /* every fixture VL has a VLR */
        for (const char *const *l =
                 (const char *const[]){"qos", "test_access", "connection_points_references", NULL};
             *l; l++)
            if (!json_object_get(v, *l))
                json_object_set_new(v, *l, json_array());
    }
    json_object_set_new(e, "virtual_link", vls);

    json_t *vdus = json_array();
    json_array_foreach (json_object_get(d, "vdu"), i, v) {
        json_t *u = json_object();
        json_object_set(u, "parent_vdu", json_object_get(v, "id"));
        json_object_set_new(u, "vimInstanceName", json_pack("[s]", "pop1"));
        json_object_set_new(u, "vnfc_instance", json_array());
        for (const char *const *f =
                 (const char *const[]){"name", "computation_requirement",
                                       "virtual_memory_resource_element",
                                       "virtual_network_bandwidth_resource", "vdu_constraint",
                                       "high_availability", "scale_in_out", "hostname", NULL};
             *f; f++)
            copy_member(u, v, *f, NULL);
        for (const char *const *l =
                 (const char *const[]){"vm_image", "lifecycle_event", "fault_management_policy",
                                       "vnfc", "monitoring_parameter", NULL};
             *l; l++)
            json_object_set_new(u, *l, list_of(v, *l));
        json_array_append_new(vdus, u);
    }
    json_object_set_new(e, "vdu", vdus);
    return e;
}

static size_t count_identities(const json_t *j)
{
    size_t n = 0;
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach ((json_t *)j, k, v)
            n += (strcmp(k, "id") == 0 || strcmp(k, "hbVersion") == 0) + count_identities(v);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach (j, i, v)
            n += count_identities(v);
    }
    return n;
}

/* The VNFR of vnfd (onboarded: every part has an id) is the record §4.4 describes, with no
 * ids, and goes through the catalogue unchanged. */
static void check_section_4_4(const struct cat_nsd *nsd, const struct cat_vnfd *vnfd)
{
    struct cat_vnfr *vnfr = standin_build(nsd, vnfd);
    json_t *got = cat_vnfr_to_json(vnfr, 0);
    json_t *d = cat_vnfd_to_json(vnfd, 0);
    assert_true(count_identities(d) > 2 * vnfd->vdu.n);
    json_t *want =
        expected_vnfr(d, vnfd->deployment_flavour.n ? vnfd->deployment_flavour.v[0].flavour_key
                                                    : vnfd->vdu.v[0].computation_requirement);
    assert_json_equal(got, want);
    assert_int_equal(count_identities(got), 0);
    char *text = json_dumps(got, 0);
    struct cat_vnfr *again = NULL;
    assert_int_equal(cat_vnfr_parse(text, strlen(text), 0, &again, NULL), 0);
    json_t *again_j = cat_vnfr_to_json(again, 0);
    assert_json_equal(again_j, got);
    json_decref(again_j);
    cat_vnfr_free(again);
    free(text);
    json_decref(want);
    json_decref(d);
    json_decref(got);
    cat_vnfr_free(vnfr);
}

/* Every VNFD of every fixture NSD builds into the record §4.4 describes. */
static void test_fixtures_build_as_section_4_4(void **state)
{
    (void)state;
    size_t built = 0;
    for (size_t f = 0; f < ARRAY_SIZE(nsd_fixtures); f++) {
        struct cat_nsd *nsd = standin_onboard_fixture(nsd_fixtures[f]);
        for (size_t i = 0; i < nsd->vnfd.n; i++) {
            print_message("%s: %s\n", nsd_fixtures[f], nsd->vnfd.v[i].name);
            check_section_4_4(nsd, &nsd->vnfd.v[i]);
            built++;
        }
        cat_nsd_free(nsd);
    }
    assert_true(built >= 20);
}

/* The SIPp client's VNFR, written out: what goes to the NFVO in GRANT_OPERATION. */
static const char sipp_client_vnfr[] =
    "{\"name\":\"sipp-client\",\"type\":\"client\",\"endpoint\":\"mgmt\",\"vendor\":\"mcilloni\","
    "\"version\":\"1.0\",\"descriptor_reference\":\"vnfd-sipp-client\",\"parent_ns_id\":\"nsr-1\","
    "\"packageId\":\"https://github.com/openbaton/vnf-scripts.git\","
    "\"deployment_flavour_key\":\"docker.container\",\"status\":\"NULL\",\"vnf_address\":[],"
    "\"lifecycle_event_history\":[],\"monitoring_parameter\":[],\"connection_point\":[],"
    "\"configurations\":{\"name\":\"sipp-configuration\",\"configurationParameters\":["
    "{\"confKey\":\"SIPP_LENGTH\",\"value\":\"0\",\"description\":\"Controls the length (in "
    "milliseconds) of calls. More precisely, this controls the duration of 'pause' instructions "
    "in the scenario, if they do not have a 'milliseconds' section. Default value is 0.\"},"
    "{\"confKey\":\"SIPP_RATE\",\"value\":\"10\",\"description\":\"Set the call rate (in calls per "
    "seconds). Default is 10. If the -rp option is used, the call rate is calculated with the "
    "period in ms given by the user.\"},"
    "{\"confKey\":\"SIPP_RATE_PERIOD\",\"value\":\"1000\",\"description\":\"Specify the rate "
    "period in milliseconds for the call rate.  Default is 1 second.  This allows you to have n "
    "calls every m milliseconds (by using -r n -rp m). Example: -r 7 -rp 2000 ==> 7 calls every 2 "
    "seconds.\"},"
    "{\"confKey\":\"SIPP_RATE_MAX\",\"value\":\"10\",\"description\":\"If -rate_increase is set, "
    "then quit after the rate reaches this value. Example: -rate_increase 10 -max_rate 100 ==> "
    "increase calls by 10 until 100 cps is hit.\"},"
    "{\"confKey\":\"SIPP_RATE_INCREASE\",\"value\":\"0\",\"description\":\"Specify the rate "
    "increase every -fd seconds.  This allows you to increase the load for each independent "
    "logging period. Example: -rate_increase 10 -fd 10 ==> increase calls by 10 every 10 "
    "seconds.\"},"
    "{\"confKey\":\"SIPP_RTP_ECHO\",\"value\":\"10\",\"description\":\"Enable RTP echo. RTP/UDP "
    "packets received on port defined by -mp are echoed to their sender. RTP/UDP packets coming "
    "on this port + 2 are also echoed to their sender (used for sound and video echo).\"},"
    "{\"confKey\":\"SIPP_TRANSPORT_MODE\",\"value\":\"u1\",\"description\":\"Set the transport "
    "mode: - u1: UDP with one socket (default), - un: UDP with one socket per call, - ui: UDP "
    "with one socket per IP address The IP addresses must be defined in the injection file. - "
    "t1: TCP with one socket, - tn: TCP with one socket per call, - l1: TLS with one socket, - "
    "ln: TLS with one socket per call, - c1: u1 + compression (only if compression plugin "
    "loaded), - cn: un + compression (only if compression plugin loaded).\"}]},"
    "\"requires\":{\"name\":\"requires\",\"configurationParameters\":[]},"
    "\"provides\":{\"name\":\"provides\",\"configurationParameters\":[]},"
    "\"lifecycle_event\":[{\"event\":\"CONFIGURE\",\"lifecycle_events\":[\"server_sipp_start.sh\"]}"
    ","
    "{\"event\":\"INSTANTIATE\",\"lifecycle_events\":[\"sipp_install.sh\"]}],"
    "\"auto_scale_policy\":["
    "{\"name\":\"scale-out\",\"threshold\":100,\"comparisonOperator\":\">=\",\"period\":30,"
    "\"cooldown\":60,\"mode\":\"REACTIVE\",\"type\":\"VOTED\",\"alarms\":[{\"metric\":\"system.cpu."
    "util[,idle]\",\"statistic\":\"avg\",\"comparisonOperator\":\"<=\",\"threshold\":40,"
    "\"weight\":1}],\"actions\":[{\"type\":\"SCALE_OUT\",\"value\":\"1\",\"target\":\"client\"}]},"
    "{\"name\":\"scale-in\",\"threshold\":100,\"comparisonOperator\":\">=\",\"period\":30,"
    "\"cooldown\":60,\"mode\":\"REACTIVE\",\"type\":\"VOTED\",\"alarms\":[{\"metric\":\"system.cpu."
    "util[,idle]\",\"statistic\":\"avg\",\"comparisonOperator\":\">=\",\"threshold\":60,"
    "\"weight\":1}],\"actions\":[{\"type\":\"SCALE_IN\",\"value\":\"1\",\"target\":\"client\"}]}],"
    "\"virtual_link\":[{\"name\":\"private\",\"extId\":\"net-private\",\"qos\":[],"
    "\"test_access\":[],\"connection_points_references\":[]}],"
    "\"vdu\":[{\"parent_vdu\":\"vdu-sipp-client-0\",\"vm_image\":[\"mcilloni/sipp-client:latest\"],"
    "\"scale_in_out\":5,\"lifecycle_event\":[],\"fault_management_policy\":[],"
    "\"monitoring_parameter\":[],\"vimInstanceName\":[\"pop1\"],\"vnfc_instance\":[],"
    "\"vnfc\":[{\"connection_point\":[{\"virtual_link_reference\":\"private\"}]}]}]}";

static void test_sipp_client_exact(void **state)
{
    (void)state;
    struct cat_nsd *nsd = standin_onboard_fixture(nsd_fixtures[0]);
    struct cat_vnfr *vnfr = standin_build(nsd, cat_nsd_find_vnfd(nsd, "sipp-client"));
    json_t *got = cat_vnfr_to_json(vnfr, 0);
    json_t *want = parse_text(sipp_client_vnfr);
    assert_json_equal(got, want);
    json_decref(want);
    json_decref(got);
    cat_vnfr_free(vnfr);
    cat_nsd_free(nsd);
}

/* requires (all sources, each key once) and provides become value-less Configurations; a VNFD
 * without configurations gets one named after the VNFR; no endpoint falls back to the type. */
static void test_requires_provides_and_defaults(void **state)
{
    (void)state;
    struct cat_nsd *nsd = standin_onboard_text(
        "{\"name\":\"n\",\"vendor\":\"v\",\"version\":\"1\",\"vld\":[{\"name\":\"private\"}],"
        "\"vnfd\":[{\"name\":\"c\",\"vendor\":\"v\",\"version\":\"1\",\"type\":\"client\","
        "\"provides\":[\"port\",\"port\",\"user\"],"
        "\"requires\":{\"s1\":{\"parameters\":[\"private\",\"hostname\"]},"
        "\"s2\":{\"parameters\":[\"private\",\"mgmt\"]}},"
        "\"deployment_flavour\":[{\"flavour_key\":\"docker.container\"}],"
        "\"vdu\":[{\"vm_image\":[\"i\"],\"vnfc\":[],\"name\":\"u\",\"hostname\":\"c\","
        "\"computation_requirement\":\"docker.container\",\"vdu_constraint\":\"none\","
        "\"high_availability\":{\"resiliencyLevel\":\"ACTIVE_STANDBY_STATELESS\","
        "\"redundancyScheme\":\"1:N\"}}]}]}");
    check_section_4_4(nsd, &nsd->vnfd.v[0]);
    struct cat_vnfr *vnfr = standin_build(nsd, &nsd->vnfd.v[0]);
    assert_string_equal(vnfr->endpoint, "client");
    assert_string_equal(vnfr->configurations->name, "c");
    assert_int_equal(vnfr->configurations->configuration_parameters.n, 0);
    json_t *got = cat_configuration_to_json(vnfr->requires, 0);
    json_t *want = parse_text("{\"name\":\"requires\",\"configurationParameters\":[{\"confKey\":"
                              "\"private\"},{\"confKey\":\"hostname\"},{\"confKey\":\"mgmt\"}]}");
    assert_json_equal(got, want);
    json_decref(got);
    json_decref(want);
    got = cat_configuration_to_json(vnfr->provides, 0);
    want = parse_text("{\"name\":\"provides\",\"configurationParameters\":[{\"confKey\":\"port\"},"
                      "{\"confKey\":\"user\"}]}");
    assert_json_equal(got, want);
    json_decref(got);
    json_decref(want);
    cat_vnfr_free(vnfr);
    cat_nsd_free(nsd);
}

/* One build input over the SIPp server VNFD, for the refusals below to break. */
struct case_in {
    struct cat_nsd *nsd;
    struct cat_strmap ext;
    json_t *vims;
    struct vnfr_build_in in;
};

static void case_open(struct case_in *c)
{
    memset(c, 0, sizeof(*c));
    c->nsd = standin_onboard_fixture(nsd_fixtures[0]);
    cat_strmap_set(&c->ext, "nsr-id", NSR_ID);
    c->vims = parse_text("{\"vdu-sipp-server-0\":[{\"name\":\"pop1\",\"type\":\"pop\","
                         "\"authUrl\":\"http://pop1:60000\"},{\"name\":\"pop2\",\"type\":\"pop\","
                         "\"authUrl\":\"http://pop2:60000\",\"flavours\":[{\"flavour_key\":"
                         "\"docker.container\"}]}]}");
    c->in = (struct vnfr_build_in){.vnfd = cat_nsd_find_vnfd(c->nsd, "sipp-server"),
                                   .flavour_key = "docker.container",
                                   .extension = &c->ext,
                                   .vim_instances = c->vims};
}

static void case_close(struct case_in *c)
{
    for (size_t i = 0; i < c->ext.n; i++) {
        free(c->ext.v[i].key);
        free(c->ext.v[i].value);
    }
    free(c->ext.v);
    json_decref(c->vims);
    cat_nsd_free(c->nsd);
}

static void expect_refused(struct case_in *c, const char *field, const char *detail)
{
    struct cat_vnfr *sentinel = (struct cat_vnfr *)&c, *vnfr = sentinel;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(vnfr_build(&c->in, &vnfr, &e), -EINVAL);
    assert_ptr_equal(vnfr, sentinel);
    assert_string_equal(e.field, field);
    if (!strstr(e.detail, detail))
        fail_msg("detail \"%s\" lacks \"%s\"", e.detail, detail);
}

static void test_refusals(void **state)
{
    (void)state;
    struct case_in c;
    struct cat_vnfr *vnfr = NULL;

    case_open(&c);
    assert_int_equal(vnfr_build(&c.in, &vnfr, NULL), 0); /* the unbroken case builds */
    assert_int_equal(vnfr->vdu.v[0].vim_instance_name.n, 2);
    cat_vnfr_free(vnfr);
    c.in.vnfd = NULL;
    expect_refused(&c, "vnfd", "vnfd: required");
    case_close(&c);

    case_open(&c);
    struct cat_vnfd *d = (struct cat_vnfd *)c.in.vnfd;
    free(d->base.id);
    d->base.id = NULL;
    expect_refused(&c, "vnfd.id", "vnfd.id: required");
    case_close(&c);

    case_open(&c);
    d = (struct cat_vnfd *)c.in.vnfd;
    free(d->vdu.v[0].base.id);
    d->vdu.v[0].base.id = NULL;
    expect_refused(&c, "vnfd.vdu[0].id", "parent_vdu");
    case_close(&c);

    case_open(&c);
    c.in.flavour_key = "";
    expect_refused(&c, "vnfdf.flavour_key", "required");
    case_close(&c);

    case_open(&c);
    cat_strmap_del(&c.ext, "nsr-id");
    expect_refused(&c, "extension.nsr-id", "extension.nsr-id: required");
    case_close(&c);

    case_open(&c);
    json_object_del(c.vims, "vdu-sipp-server-0");
    expect_refused(&c, "vimInstances", "no VIM instance for vnfd.vdu[0]");
    case_close(&c);

    case_open(&c);
    json_object_del(json_array_get(json_object_get(c.vims, "vdu-sipp-server-0"), 0), "name");
    expect_refused(&c, "vimInstances.vdu-sipp-server-0[0]", "name: required");
    case_close(&c);

    /* a VIM listing its flavours must have the VNFD's */
    case_open(&c);
    c.in.flavour_key = "m1.small";
    expect_refused(&c, "vnfdf.flavour_key", "VIM instance 'pop2'");
    case_close(&c);

    /* vimInstances keyed by the VDU's name is accepted too, as vnfm-sdk does */
    case_open(&c);
    d = (struct cat_vnfd *)c.in.vnfd;
    d->vdu.v[0].name = strdup("srv");
    json_t *list = json_incref(json_object_get(c.vims, "vdu-sipp-server-0"));
    json_object_del(c.vims, "vdu-sipp-server-0");
    json_object_set_new(c.vims, "srv", list);
    assert_int_equal(vnfr_build(&c.in, &vnfr, NULL), 0);
    assert_string_equal(vnfr->vdu.v[0].vim_instance_name.v[1], "pop2");
    cat_vnfr_free(vnfr);
    case_close(&c);
}

/* The grant answer (the NFVO's saved copy) becomes the record, echoed exactly: every id and
 * hbVersion, the GRANTED history entry, members this VNFM does not know. */
static void test_adopt_grant_answer(void **state)
{
    (void)state;
    struct cat_nsd *nsd = standin_onboard_fixture(nsd_fixtures[0]);
    struct cat_vnfd *d = cat_nsd_find_vnfd(nsd, "sipp-server");
    free(d->vdu.v[0].base.id);
    d->vdu.v[0].base.id = strdup("e9d8c7b6-a5f4-4e3d-8c2b-1a0f9e8d7c6b");
    struct cat_vnfr *cur = standin_build(nsd, d);
    size_t len;
    char *text = read_fixture("catalogue/vnfr-sipp-server-allocated.json", &len);
    json_t *want = parse_text(text);
    struct cat_vnfr *answer = NULL;
    assert_int_equal(cat_vnfr_parse(text, len, 0, &answer, NULL), 0);
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(vnfr_adopt(&cur, answer, "GRANT_OPERATION answer", &e), 0);
    json_t *got = cat_vnfr_to_json(cur, 0);
    assert_json_equal(got, want);
    json_decref(got);

    /* answers that are not this record: refused, nothing changes */
    struct {
        const char *edit; /* member of the answer to change, as JSON */
        const char *field;
        const char *detail;
    } bad[] = {
        {"{\"name\":\"sipp-client\"}", "virtualNetworkFunctionRecord.name", "another VNFR"},
        {"{\"id\":\"other\"}", "virtualNetworkFunctionRecord.id", "id differs"},
        {"{\"vdu\":[]}", "virtualNetworkFunctionRecord.vdu", "number of VDUs"},
        {"{\"vdu\":[{\"id\":\"x\",\"parent_vdu\":\"elsewhere\"}]}",
         "virtualNetworkFunctionRecord.vdu", "missing from the answer"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        json_t *j = json_deep_copy(want);
        json_t *edit = parse_text(bad[i].edit);
        json_object_update(j, edit);
        struct cat_vnfr *a = NULL;
        assert_int_equal(cat_vnfr_from_json(j, 0, &a, NULL), 0);
        struct cat_vnfr *before = cur;
        pop_error_clear(&e);
        assert_int_equal(vnfr_adopt(&cur, a, "ALLOCATE_RESOURCES answer", &e), -EPROTO);
        assert_ptr_equal(cur, before);
        assert_string_equal(e.field, bad[i].field);
        if (!strstr(e.detail, bad[i].detail) || !strstr(e.detail, "ALLOCATE_RESOURCES answer"))
            fail_msg("detail \"%s\"", e.detail);
        json_decref(edit);
        json_decref(j);
    }
    got = cat_vnfr_to_json(cur, 0);
    assert_json_equal(got, want);
    json_decref(got);
    assert_int_equal(vnfr_adopt(&cur, NULL, "SCALING answer", &e), -EPROTO);
    cat_vnfr_free(cur);

    /* before the first answer the record has no ids: an answer without them is refused */
    cur = standin_build(nsd, d);
    struct cat_vnfr *noid = NULL;
    assert_int_equal(cat_vnfr_dup(cur, &noid), 0);
    assert_int_equal(vnfr_adopt(&cur, noid, "GRANT_OPERATION answer", &e), -EPROTO);
    assert_string_equal(e.field, "virtualNetworkFunctionRecord.id");
    cat_vnfr_free(cur);
    json_decref(want);
    free(text);
    cat_nsd_free(nsd);
}

/* The chain of answers an INSTANTIATE sees: build, grant, allocate; then a scale-out. */
static void test_find_and_new_vnfc(void **state)
{
    (void)state;
    struct cat_nsd *nsd = standin_onboard_fixture(nsd_fixtures[0]);
    struct standin_ipam ipam = {0};
    struct cat_vnfr *vnfr = standin_build(nsd, cat_nsd_find_vnfd(nsd, "sipp-server"));
    struct cat_vnfr *granted = NULL, *allocated = NULL, *scaled = NULL;
    assert_int_equal(cat_vnfr_dup(vnfr, &granted), 0);
    standin_grant(granted);
    assert_int_equal(vnfr_adopt(&vnfr, granted, "GRANT_OPERATION answer", NULL), 0);
    assert_int_equal(cat_vnfr_dup(vnfr, &allocated), 0);
    standin_allocate(&ipam, allocated);
    assert_int_equal(vnfr_adopt(&vnfr, allocated, "ALLOCATE_RESOURCES answer", NULL), 0);
    assert_string_equal(vnfr->lifecycle_event_history.v[0].event, "GRANTED");

    struct cat_vdu *vdu = NULL;
    struct cat_vnfc_instance *vi = vnfr_find_vnfc(vnfr, "sipp-server-vnfci-1", NULL, &vdu);
    assert_non_null(vi);
    assert_ptr_equal(vdu, &vnfr->vdu.v[0]);
    assert_ptr_equal(vnfr_find_vnfc(vnfr, NULL, "sipp-server-1", NULL), vi);
    assert_ptr_equal(vnfr_find_vnfc(vnfr, "unknown", "sipp-server-1", NULL), vi);
    assert_null(vnfr_find_vnfc(vnfr, "unknown", "unknown", NULL));
    assert_null(vnfr_find_vnfc(vnfr, NULL, NULL, NULL));

    size_t n = 9;
    assert_null(vnfr_new_vnfc(vnfr, vnfr, &n));
    assert_int_equal(n, 0);
    assert_int_equal(cat_vnfr_dup(vnfr, &scaled), 0);
    struct cat_vnfc_instance *added = standin_scale_out(&ipam, scaled);
    assert_ptr_equal(vnfr_new_vnfc(vnfr, scaled, &n), added);
    assert_int_equal(n, 1);
    assert_string_equal(added->ips.v[0].ip, "10.1.0.3");
    standin_scale_out(&ipam, scaled); /* moves the instances: compare by id */
    assert_string_equal(vnfr_new_vnfc(vnfr, scaled, &n)->base.id, "sipp-server-vnfci-2");
    assert_int_equal(n, 2);
    cat_vnfr_free(scaled);
    cat_vnfr_free(vnfr);
    standin_ipam_done(&ipam);
    cat_nsd_free(nsd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_build_as_section_4_4),
        cmocka_unit_test(test_sipp_client_exact),
        cmocka_unit_test(test_requires_provides_and_defaults),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_adopt_grant_answer),
        cmocka_unit_test(test_find_and_new_vnfc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
