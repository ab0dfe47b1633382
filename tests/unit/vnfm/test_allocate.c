/* VNFM_ALLOCATE (services/vnfm/act_allocate.c): the VNFM launching the VNFCs itself after the
 * grant and at SCALE_OUT, as Open Baton's allocate=true (§3.4, §8.2), against the NFVO stand-in
 * and the fake driver: no ALLOCATE_RESOURCES or SCALING, launchInstanceAndWait with the NFVO's
 * 10 parameters on the grant's VIM, the VNFC instances and vnf_address as the NFVO makes them
 * (without ids), and a failed request deleting what it launched. */
#include "fake.h"

#include "json/jv.h"

#define SIPP "openbaton/openbaton-docker_docker-NSR-SIPp.json"

struct ctx {
    struct fake f;
    struct cat_nsd *nsd;
};

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    fake_init(&c->f);
    c->f.ops.allocate = true;
    c->nsd = standin_onboard_fixture(SIPP);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    cat_nsd_free(c->nsd);
    fake_done(&c->f);
    free(c);
    return 0;
}

static json_t *instantiate(struct ctx *c, const char *name)
{
    return fake_run(&c->f, fake_instantiate_msg(c->nsd, cat_nsd_find_vnfd(c->nsd, name)));
}

/* The one VNFC instance of the reply's VNFR (JSON, borrowed). */
static const json_t *only_vnfc(const json_t *reply)
{
    const json_t *vdus =
        json_object_get(jv_get_object(reply, "virtualNetworkFunctionRecord"), "vdu");
    assert_int_equal(json_array_size(vdus), 1);
    const json_t *vis = json_object_get(json_array_get(vdus, 0), "vnfc_instance");
    assert_int_equal(json_array_size(vis), 1);
    return json_array_get(vis, 0);
}

/* The methods called, without the hostnames (random): ["nfvo GRANT_OPERATION", ...]. */
static char *methods(const struct fake *f)
{
    json_t *m = json_array();
    size_t i;
    json_t *call;
    json_array_foreach (f->calls, i, call) {
        const char *t = json_string_value(call);
        const char *sp = strchr(t, ' ');
        if (strncmp(t, "nfvo ", 5) == 0 || !sp)
            json_array_append_new(m, json_string(t));
        else
            json_array_append_new(m, json_stringn(t, (size_t)(sp - t)));
    }
    char *text = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    return text;
}

static void test_instantiate_launches(void **state)
{
    struct ctx *c = *state;
    json_t *reply = instantiate(c, "sipp-server");
    assert_string_equal(jv_get_string(reply, "action"), "INSTANTIATE");
    char *m = methods(&c->f);
    assert_string_equal(m, "[\"nfvo GRANT_OPERATION\",\"launchInstanceAndWait\",\"mgmtCheck\"]");
    free(m);
    assert_int_equal(json_array_size(c->f.nfvo_requests), 1);
    /* the VNFC instance as the NFVO's allocation makes it, without ids (the NFVO assigns them) */
    const json_t *vi = only_vnfc(reply);
    const char *host = jv_get_string(vi, "hostname");
    assert_non_null(host);
    assert_true(strncmp(host, "sipp-server-", 12) == 0 && strlen(host) > 12 && strlen(host) <= 19);
    assert_null(json_object_get(vi, "id"));
    assert_string_equal(jv_get_string(vi, "vim_id"), "vim-pop1");
    assert_string_equal(jv_get_string(vi, "state"), "CREATED");
    struct fake_ctr *ctr = fake_ctr(&c->f, host);
    assert_non_null(ctr);
    assert_string_equal(jv_get_string(vi, "vc_id"), ctr->id);
    assert_string_equal(ctr->image, "mcilloni/sipp-server:latest");
    json_t *ips = json_loads("[{\"netName\": \"private\", \"ip\": \"10.1.0.2\"}]", 0, NULL);
    assert_json_equal(json_object_get(vi, "ips"), ips);
    json_decref(ips);
    json_t *addr = json_loads("[\"10.1.0.2\"]", 0, NULL);
    assert_json_equal(
        json_object_get(jv_get_object(reply, "virtualNetworkFunctionRecord"), "vnf_address"), addr);
    json_decref(addr);
    /* the component it was made of, with the NFVO's ids from the grant */
    assert_non_null(jv_get_string(jv_get_object(vi, "vnfComponent"), "id"));
    json_decref(reply);
}

static void test_launch_failure(void **state)
{
    struct ctx *c = *state;
    c->f.fail_method = "launchInstanceAndWait";
    c->f.fail_detail = "launchInstanceAndWait on pop1: no image mcilloni/sipp-server:latest";
    json_t *reply = instantiate(c, "sipp-server");
    assert_string_equal(jv_get_string(reply, "action"), "ERROR");
    const char *d = jv_get_string(jv_get_object(reply, "exception"), "detailMessage");
    assert_non_null(d);
    assert_true(strncmp(d, "INSTANTIATE of VNFR sipp-server: VNFC sipp-server-", 50) == 0);
    assert_non_null(
        strstr(d, ": launchInstanceAndWait on pop1: no image mcilloni/sipp-server:latest"));
    /* what the launch may have left is deleted; the record names no VNFC instance */
    char *m = methods(&c->f);
    assert_string_equal(
        m, "[\"nfvo GRANT_OPERATION\",\"launchInstanceAndWait\",\"deleteServerByIdAndWait\"]");
    free(m);
    assert_int_equal(c->f.n, 0);
    const json_t *vdu = json_array_get(
        json_object_get(jv_get_object(reply, "virtualNetworkFunctionRecord"), "vdu"), 0);
    assert_int_equal(json_array_size(json_object_get(vdu, "vnfc_instance")), 0);
    json_decref(reply);
}

static void test_failure_after_the_launch(void **state)
{
    struct ctx *c = *state;
    c->f.fail_method = "mgmtCheck";
    c->f.fail_detail = "mgmtCheck on pop1: cannot reach http://pop1:8080";
    json_t *reply = instantiate(c, "sipp-client");
    assert_string_equal(jv_get_string(reply, "action"), "ERROR");
    char *m = methods(&c->f);
    assert_string_equal(m, "[\"nfvo GRANT_OPERATION\",\"launchInstanceAndWait\",\"mgmtCheck\","
                           "\"deleteServerByIdAndWait\"]");
    free(m);
    assert_int_equal(c->f.n, 0); /* the container it launched is gone */
    json_decref(reply);
}

static void test_scale_out_launches(void **state)
{
    struct ctx *c = *state;
    json_t *reply = instantiate(c, "sipp-server");
    struct cat_vnfr *server = fake_reply_vnfr(reply);
    json_decref(reply);
    /* the NFVO stores the VNFC instance with ids and adds the new component (§3.7) */
    server->vdu.v[0].vnfc_instance.v[0].base.id = strdup("sipp-server-vnfci-1");
    json_t *vnfr = cat_vnfr_to_json(server, 0);
    json_t *vnfc = json_object_get(json_array_get(json_object_get(vnfr, "vdu"), 0), "vnfc");
    json_t *component = json_deep_copy(json_array_get(vnfc, 0));
    json_object_set_new(component, "id", json_string("vnfc-new"));
    json_array_append(vnfc, component);
    char *first = strdup(server->vdu.v[0].vnfc_instance.v[0].hostname);
    fake_reset_calls(&c->f);
    json_t *msg = json_pack("{s:s, s:o, s:o, s:o, s:s, s:{}}", "action", "SCALE_OUT",
                            "virtualNetworkFunctionRecord", vnfr, "component", component,
                            "vimInstance", fake_vim(), "mode", "", "extension");
    reply = fake_run(&c->f, msg);
    assert_string_equal(jv_get_string(reply, "action"), "SCALED");
    char *m = methods(&c->f);
    assert_string_equal(m, "[\"launchInstanceAndWait\",\"mgmtCheck\",\"mgmtCheck\",\"mgmtStart\"]");
    free(m);
    const json_t *added = jv_get_object(reply, "vnfcInstance");
    const char *host = jv_get_string(added, "hostname");
    assert_true(strncmp(host, "sipp-server-", 12) == 0 && strcmp(host, first) != 0);
    assert_string_equal(jv_get_string(jv_get_object(added, "vnfComponent"), "id"), "vnfc-new");
    assert_string_equal(jv_get_string(json_array_get(json_object_get(added, "ips"), 0), "ip"),
                        "10.1.0.3");
    assert_string_equal(fake_ctr(&c->f, host)->status, "RUNNING");
    assert_int_equal(json_array_size(json_object_get(
                         jv_get_object(reply, "virtualNetworkFunctionRecord"), "vnf_address")),
                     2);
    json_decref(reply);
    cat_vnfr_free(server);
    free(first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_instantiate_launches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_launch_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_after_the_launch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scale_out_launches, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
