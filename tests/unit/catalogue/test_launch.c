/* lib/catalogue/launch.h: what a launch through a VIM driver makes of a VNF component, the one
 * implementation behind pop-nfvo's allocation and pop-vnfm's VNFM_ALLOCATE (reference §2.5,
 * GenericVIM): the hostname, launchInstanceAndWait's parameters, and the VNFCInstance with the
 * VNFR's addresses, with the NFVO's ids or, as a VNFM makes it, without. */
#include "helpers.h"

#include "catalogue/launch.h"

static const char *const COMPONENT =
    "{\"id\": \"vnfc-1\", \"connection_point\": [{\"virtual_link_reference\": \"private\","
    " \"virtual_link_reference_id\": \"net-1\", \"floatingIp\": \"random\"},"
    " {\"virtual_link_reference\": \"mgmt\"}]}";
static const char *const SERVER =
    "{\"extId\": \"ctr-9\", \"name\": \"sipp-server-42\", \"status\": \"CREATED\","
    " \"ips\": {\"private\": [\"10.1.0.2\", \"10.1.0.3\"], \"mgmt\": [\"10.9.0.2\"]},"
    " \"floatingIps\": {}}";

static void test_hostname(void **state)
{
    (void)state;
    char buf[64];
    cat_launch_hostname("sipp-server", 12345678u, buf, sizeof(buf));
    assert_string_equal(buf, "sipp-server-2345678"); /* rnd % 10 000 000 (§11.18) */
    cat_launch_hostname("sipp-server", 7u, buf, sizeof(buf));
    assert_string_equal(buf, "sipp-server-7");
    cat_launch_hostname("a-very-long-vnf-name", 1u, buf, 8);
    assert_string_equal(buf, "a-very-"); /* cut, NUL-terminated */
}

static void test_params(void **state)
{
    (void)state;
    json_t *vim = parse_text("{\"id\": \"vim-1\", \"name\": \"pop1\"}");
    json_t *vdu = parse_text("{\"vm_image\": [\"pop-tiny:latest\", \"other\"]}");
    json_t *component = parse_text(COMPONENT);
    json_t *got = cat_launch_params(vim, "sipp-server-7", vdu, component);
    json_t *want =
        json_pack("[O, s, s, s, s, O, [], s, {}, []]", vim, "sipp-server-7", "pop-tiny:latest", "",
                  "", json_object_get(component, "connection_point"), "");
    assert_json_equal(got, want);
    json_decref(got);
    json_decref(want);
    /* a VDU without images: null, for the driver to refuse naming it */
    json_t *bare = parse_text("{}");
    got = cat_launch_params(vim, "h", bare, component);
    assert_true(json_is_null(json_array_get(got, 2)));
    assert_int_equal(json_array_size(got), 10);
    json_decref(got);
    json_decref(bare);
    json_decref(vim);
    json_decref(vdu);
    json_decref(component);
}

static json_t *counter_id(void)
{
    static int n;
    char buf[16];
    snprintf(buf, sizeof(buf), "id-%d", ++n);
    return json_string(buf);
}

/* Takes the "id" out of o and notes it in ids ({id: true}); fails unless it is a string with
 * hbVersion 0 beside it. */
static void take_id(json_t *o, json_t *ids)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    assert_non_null(id);
    assert_true(json_integer_value(json_object_get(o, "hbVersion")) == 0 &&
                json_is_integer(json_object_get(o, "hbVersion")));
    json_object_set_new(ids, id, json_true());
    json_object_del(o, "id");
    json_object_del(o, "hbVersion");
}

static void test_instance_with_ids(void **state)
{
    (void)state;
    json_t *vnfr = parse_text("{\"name\": \"sipp-server\", \"vdu\": [{\"id\": \"vdu-1\"}]}");
    json_t *vdu = json_array_get(json_object_get(vnfr, "vdu"), 0);
    json_t *component = parse_text(COMPONENT);
    json_t *server = parse_text(SERVER);
    json_t *vi = cat_launch_add_instance(vnfr, vdu, component, server, "vim-1", "sipp-server-42",
                                         counter_id);
    assert_non_null(vi);
    /* the instance is the VDU's; every address of the Server is the VNFR's */
    assert_ptr_equal(json_array_get(json_object_get(vdu, "vnfc_instance"), 0), vi);
    json_t *addr = json_loads("[\"10.1.0.2\", \"10.1.0.3\", \"10.9.0.2\"]", 0, NULL);
    assert_json_equal(json_object_get(vnfr, "vnf_address"), addr);
    /* five entities, five distinct ids */
    json_t *got = json_deep_copy(vi), *ids = json_object();
    take_id(got, ids);
    size_t i;
    json_t *o;
    json_array_foreach (json_object_get(got, "ips"), i, o)
        take_id(o, ids);
    json_array_foreach (json_object_get(got, "connection_point"), i, o)
        take_id(o, ids);
    assert_int_equal(json_object_size(ids), 5);
    json_t *want = parse_text(
        "{\"vc_id\": \"ctr-9\", \"vim_id\": \"vim-1\", \"hostname\": \"sipp-server-42\","
        " \"state\": \"CREATED\", \"ips\": [{\"netName\": \"private\", \"ip\": \"10.1.0.2\"},"
        " {\"netName\": \"mgmt\", \"ip\": \"10.9.0.2\"}], \"floatingIps\": [],"
        " \"connection_point\": [{\"virtual_link_reference\": \"private\", \"type\": \"internal\"},"
        " {\"virtual_link_reference\": \"mgmt\", \"type\": \"internal\"}]}");
    json_object_set(want, "vnfComponent", component);
    assert_json_equal(got, want);
    json_decref(want);
    json_decref(ids);
    json_decref(got);
    json_decref(addr);
    json_decref(server);
    json_decref(component);
    json_decref(vnfr);
}

static void test_instance_as_a_vnfm_makes_it(void **state)
{
    (void)state;
    /* lists there already are appended to; no entity gets an id or hbVersion (§11.6) */
    json_t *vnfr = parse_text("{\"name\": \"s\", \"vnf_address\": [\"10.1.0.9\"],"
                              " \"vdu\": [{\"vnfc_instance\": [{\"hostname\": \"s-1\"}]}]}");
    json_t *vdu = json_array_get(json_object_get(vnfr, "vdu"), 0);
    json_t *component = parse_text(COMPONENT);
    json_t *server = parse_text("{\"extId\": \"ctr-2\", \"ips\": {\"private\": [\"10.1.0.4\"]}}");
    json_t *vi = cat_launch_add_instance(vnfr, vdu, component, server, NULL, "s-2", NULL);
    assert_non_null(vi);
    json_t *want = json_pack(
        "{s:s, s:s, s:n, s:[{s:s, s:s}], s:[], s:[{s:s, s:s}, {s:s, s:s}], s:O}", "vc_id", "ctr-2",
        "hostname", "s-2", "state", "ips", "netName", "private", "ip", "10.1.0.4", "floatingIps",
        "connection_point", "virtual_link_reference", "private", "type", "internal",
        "virtual_link_reference", "mgmt", "type", "internal", "vnfComponent", component);
    assert_json_equal(vi, want);
    assert_int_equal(json_array_size(json_object_get(vdu, "vnfc_instance")), 2);
    json_t *addr = json_loads("[\"10.1.0.9\", \"10.1.0.4\"]", 0, NULL);
    assert_json_equal(json_object_get(vnfr, "vnf_address"), addr);
    json_decref(addr);
    json_decref(want);
    json_decref(server);
    json_decref(component);
    json_decref(vnfr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostname),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_instance_with_ids),
        cmocka_unit_test(test_instance_as_a_vnfm_makes_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
