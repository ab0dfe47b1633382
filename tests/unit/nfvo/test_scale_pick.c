/* The choices of a scale out or in (services/nfvo/scale_pick.c): which VDU and VNFC instance,
 * the refusals naming the limit, the new component's connection points, and what leaves the
 * records with an instance. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "records-int.h"
#include "testlib.h"

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    if (!j)
        fail_msg("%s at %d: %s", err.text, err.position, text);
    return j;
}

/* A server VNFR with two VDUs: v1 (limit 2) holds i1 and i2, v2 (limit 3) holds i3. */
static const char *vnfr_text =
    "{\"id\":\"r\",\"name\":\"sipp-server\",\"vnf_address\":[\"10.0.0.1\",\"10.0.0.2\",\"10.0.0."
    "3\"],"
    "\"vdu\":["
    "{\"id\":\"v1\",\"scale_in_out\":2,"
    " \"vnfc\":[{\"id\":\"c1\",\"connection_point\":[{\"id\":\"cp\",\"hbVersion\":0,"
    "   \"virtual_link_reference\":\"private\",\"virtual_link_reference_id\":\"net\"}]},"
    "  {\"id\":\"c2\",\"connection_point\":[]}],"
    " \"vnfc_instance\":[{\"id\":\"i1\",\"vnfComponent\":{\"id\":\"c1\"},"
    "   \"ips\":[{\"netName\":\"private\",\"ip\":\"10.0.0.1\"}]},"
    "  {\"id\":\"i2\",\"vnfComponent\":{\"id\":\"c2\"},"
    "   \"ips\":[{\"netName\":\"private\",\"ip\":\"10.0.0.2\"}]}]},"
    "{\"id\":\"v2\",\"name\":\"second\",\"scale_in_out\":3,\"vnfc\":[{\"id\":\"c3\"}],"
    " \"vnfc_instance\":[{\"id\":\"i3\",\"vnfComponent\":{\"id\":\"c3\"},"
    "   \"ips\":[{\"netName\":\"private\",\"ip\":\"10.0.0.3\"}]}]}]}";

static void test_out_vdu(void **state)
{
    (void)state;
    json_t *vnfr = parse(vnfr_text), *vdu = NULL;
    struct pop_error e = POP_ERROR_INIT;
    /* v1 is at its limit: refused naming it; the any-VDU form takes v2. */
    assert_int_equal(scale_out_vdu(vnfr, "v1", &vdu, &e), -EBUSY);
    assert_int_equal(pop_error_api(&e), API_STATE_CONFLICT);
    assert_string_equal(e.detail, "VDU v1 of VNF sipp-server allows at most 2 VNFC instances "
                                  "(scale_in_out)");
    assert_null(vdu);
    assert_int_equal(scale_out_vdu(vnfr, NULL, &vdu, &e), 0);
    assert_string_equal(json_string_value(json_object_get(vdu, "id")), "v2");
    vdu = NULL;
    assert_int_equal(scale_out_vdu(vnfr, "v2", &vdu, &e), 0);
    assert_non_null(vdu);
    pop_error_clear(&e);
    assert_int_equal(scale_out_vdu(vnfr, "nope", &vdu, &e), -ENOENT);
    assert_int_equal(pop_error_api(&e), API_NOT_FOUND);
    /* A limit of 1 reads in the singular; no VDU below its limit refuses the any-VDU form. */
    json_object_set_new(json_array_get(json_object_get(vnfr, "vdu"), 1), "scale_in_out",
                        json_integer(1));
    json_object_del(json_array_get(json_object_get(vnfr, "vdu"), 1), "name");
    assert_int_equal(scale_out_vdu(vnfr, "v2", &vdu, &e), -EBUSY);
    assert_string_equal(e.detail,
                        "VDU v2 of VNF sipp-server allows at most 1 VNFC instance (scale_in_out)");
    assert_int_equal(scale_out_vdu(vnfr, NULL, &vdu, &e), -EBUSY);
    assert_non_null(strstr(e.detail, "every VDU of VNF sipp-server"));
    json_decref(vnfr);
}

static void test_in_pick(void **state)
{
    (void)state;
    json_t *vnfr = parse(vnfr_text), *vdu = NULL, *vi = NULL;
    struct pop_error e = POP_ERROR_INIT;
    /* Without ids: the first VDU with two or more, its newest instance. */
    assert_int_equal(scale_in_pick(vnfr, NULL, NULL, &vdu, &vi, &e), 0);
    assert_string_equal(json_string_value(json_object_get(vdu, "id")), "v1");
    assert_string_equal(json_string_value(json_object_get(vi, "id")), "i2");
    assert_int_equal(scale_in_pick(vnfr, "v1", "i1", &vdu, &vi, &e), 0);
    assert_string_equal(json_string_value(json_object_get(vi, "id")), "i1");
    /* The last instance of a VDU stays. */
    assert_int_equal(scale_in_pick(vnfr, "v2", NULL, &vdu, &vi, &e), -EBUSY);
    assert_int_equal(pop_error_api(&e), API_STATE_CONFLICT);
    assert_string_equal(e.detail, "VDU second of VNF sipp-server has 1 VNFC instance: scale in "
                                  "keeps one at least");
    assert_int_equal(scale_in_pick(vnfr, "v2", "i3", &vdu, &vi, &e), -EBUSY);
    assert_int_equal(scale_in_pick(vnfr, "v1", "i3", &vdu, &vi, &e), -ENOENT);
    assert_int_equal(pop_error_api(&e), API_NOT_FOUND);
    assert_int_equal(scale_in_pick(vnfr, "v9", NULL, &vdu, &vi, &e), -ENOENT);
    /* Once v1 is down to one, nothing is left to scale in. */
    assert_int_equal(
        scale_remove_instance(vnfr, json_array_get(json_object_get(vnfr, "vdu"), 0), "i2"), 0);
    assert_int_equal(scale_in_pick(vnfr, NULL, NULL, &vdu, &vi, &e), -EBUSY);
    assert_non_null(strstr(e.detail, "no VDU of VNF sipp-server has more than one"));
    json_decref(vnfr);
}

static void test_remove_instance(void **state)
{
    (void)state;
    json_t *vnfr = parse(vnfr_text);
    json_t *v1 = json_array_get(json_object_get(vnfr, "vdu"), 0);
    assert_int_equal(scale_remove_instance(vnfr, v1, "i1"), 0);
    json_t *want = parse("{\"vnfc\":[{\"id\":\"c2\",\"connection_point\":[]}],"
                         "\"vnfc_instance\":[{\"id\":\"i2\",\"vnfComponent\":{\"id\":\"c2\"},"
                         "  \"ips\":[{\"netName\":\"private\",\"ip\":\"10.0.0.2\"}]}]}");
    assert_true(json_equal(json_object_get(v1, "vnfc"), json_object_get(want, "vnfc")));
    assert_true(
        json_equal(json_object_get(v1, "vnfc_instance"), json_object_get(want, "vnfc_instance")));
    json_t *addr = parse("[\"10.0.0.2\",\"10.0.0.3\"]");
    assert_true(json_equal(json_object_get(vnfr, "vnf_address"), addr));
    assert_int_equal(scale_remove_instance(vnfr, v1, "i1"), -ENOENT);
    json_decref(addr);
    json_decref(want);
    json_decref(vnfr);
}

static void test_new_component(void **state)
{
    (void)state;
    json_t *nsr = parse("{\"vlr\":[{\"name\":\"private\",\"extId\":\"net\"}]}");
    json_t *vnfr = parse(vnfr_text);
    json_t *v1 = json_array_get(json_object_get(vnfr, "vdu"), 0);
    struct pop_error e = POP_ERROR_INIT;
    /* No body: the first component's connection points, without their ids. */
    json_t *c = scale_new_component(nsr, v1, NULL, &e);
    assert_non_null(c);
    json_t *want = parse("{\"connection_point\":[{\"virtual_link_reference\":\"private\"}]}");
    assert_true(json_equal(c, want));
    json_decref(c);
    json_t *given = parse("{\"connection_point\":[{\"virtual_link_reference\":\"private\","
                          "\"floatingIp\":\"random\"}]}");
    c = scale_new_component(nsr, v1, given, &e);
    assert_true(json_equal(c, given));
    json_decref(c);
    json_decref(given);
    /* A CP on a link the NSR lacks, or none at all: 400 naming the field. */
    given = parse("{\"connection_point\":[{\"virtual_link_reference\":\"private\"},"
                  "{\"virtual_link_reference\":\"elsewhere\"}]}");
    assert_null(scale_new_component(nsr, v1, given, &e));
    assert_int_equal(pop_error_api(&e), API_INVALID_FIELD);
    assert_string_equal(e.field, "vnfComponent.connection_point[1].virtual_link_reference");
    assert_non_null(strstr(e.detail, "'elsewhere' is no virtual link of the NSR"));
    json_decref(given);
    given = parse("{\"connection_point\":[{}]}");
    assert_null(scale_new_component(nsr, v1, given, &e));
    assert_non_null(strstr(e.detail, "(none) is no virtual link"));
    json_decref(given);
    given = parse("{}");
    assert_null(scale_new_component(nsr, v1, given, &e));
    assert_string_equal(e.field, "vnfComponent.connection_point");
    json_decref(given);
    json_decref(want);
    json_decref(vnfr);
    json_decref(nsr);
}

static void test_forget_vnfc(void **state)
{
    (void)state;
    json_t *dep = parse("{\"vnfcParameters\":{\"server\":{\"parameters\":{"
                        "\"i1\":{\"parameters\":{\"private\":\"10.0.0.1\"}},"
                        "\"i2\":{\"parameters\":{\"private\":\"10.0.0.2\"}}}},"
                        "\"client\":{\"parameters\":{}}}}");
    scale_forget_vnfc(dep, "i1");
    scale_forget_vnfc(dep, "nope");
    json_t *want = parse("{\"vnfcParameters\":{\"server\":{\"parameters\":{"
                         "\"i2\":{\"parameters\":{\"private\":\"10.0.0.2\"}}}},"
                         "\"client\":{\"parameters\":{}}}}");
    assert_true(json_equal(dep, want));
    scale_forget_vnfc(NULL, "i2");
    json_decref(want);
    json_decref(dep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_vdu),         cmocka_unit_test(test_in_pick),
        cmocka_unit_test(test_remove_instance), cmocka_unit_test(test_new_component),
        cmocka_unit_test(test_forget_vnfc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
