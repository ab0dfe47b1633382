/* Unit tests for the pure parts of the pop CLI's NFVO commands: what `pop ns show` / `ns ls`
 * make of the NSR fixture (tests/fixtures/catalogue/nsr-sipp.json), when --wait counts an NS
 * as settled, and finding an NS, VNF or VNFC by id or name (unknown and ambiguous names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "nfvo_ref.h"
#include "ns_view.h"

static json_t *load_nsr(void)
{
    json_error_t err;
    json_t *nsr = json_load_file(CLI_FIXTURES "/catalogue/nsr-sipp.json", 0, &err);
    if (!nsr)
        fail_msg("cannot load the NSR fixture: %s", err.text);
    return nsr;
}

/* The value at v[k1][k2]... (array indexes as decimal strings), NULL when absent. */
static json_t *json_at(json_t *v, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n && v; i++)
        v = json_is_array(v) ? json_array_get(v, strtoul(keys[i], NULL, 10))
                             : json_object_get(v, keys[i]);
    return v;
}
#define AT(v, ...)                                                                                 \
    json_at(v, (const char *const[]){__VA_ARGS__},                                                 \
            sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#define STR_AT(v, ...) json_string_value(AT(v, __VA_ARGS__))

static void test_show(void **state)
{
    (void)state;
    json_t *nsr = load_nsr();
    /* the server's VNFC on a known VIM; the client's on one the VIM list lacks */
    json_t *server_vnfc = AT(nsr, "vnfr", "0", "vdu", "0", "vnfc_instance", "0");
    assert_non_null(server_vnfc);
    json_object_set_new(server_vnfc, "vim_id", json_string("vim-1d2c"));
    json_t *vims = json_pack("[{s:s, s:s, s:s}]", "id", "vim-1d2c", "name", "pop1", "authUrl",
                             "http://10.0.0.5:8080");
    json_t *v = ns_view_show(nsr, vims);
    assert_non_null(v);
    assert_string_equal(STR_AT(v, "name"), "docker-test-NS-sipp");
    assert_string_equal(STR_AT(v, "status"), "ACTIVE");
    assert_string_equal(STR_AT(v, "nsd"), "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d");
    assert_string_equal(STR_AT(v, "vnfs", "0", "name"), "sipp-server");
    assert_string_equal(STR_AT(v, "vnfs", "0", "vnfcs", "0", "hostname"), "sipp-server-4242424");
    assert_string_equal(STR_AT(v, "vnfs", "0", "vnfcs", "0", "vim"), "pop1");
    assert_string_equal(STR_AT(v, "vnfs", "0", "vnfcs", "0", "pop"), "http://10.0.0.5:8080");
    assert_string_equal(STR_AT(v, "vnfs", "0", "vnfcs", "0", "addresses", "private"),
                        "192.168.69.19");
    assert_null(STR_AT(v, "vnfs", "1", "vnfcs", "0", "vim"));
    assert_string_equal(STR_AT(v, "vnfs", "1", "vnfcs", "0", "state"), "ACTIVE");
    /* per virtual link, every VNFC's address on it */
    assert_string_equal(STR_AT(v, "virtual_links", "0", "name"), "private");
    assert_string_equal(STR_AT(v, "virtual_links", "0", "network"), "net-7f3e");
    assert_string_equal(STR_AT(v, "virtual_links", "0", "addresses", "sipp-client-77"),
                        "192.168.69.20");
    /* the client's dependency value is the server's address, its VNFC named by hostname; the
     * empty VNF-level placeholder is left out */
    assert_string_equal(STR_AT(v, "dependencies", "0", "target"), "sipp-client");
    assert_string_equal(STR_AT(v, "dependencies", "0", "sources", "sipp-server", "vnfcs",
                               "sipp-server-4242424", "private"),
                        "192.168.69.19");
    assert_null(AT(v, "dependencies", "0", "sources", "sipp-server", "values"));
    assert_string_equal(STR_AT(v, "events", "0", "event"), "INSTANTIATE_FINISH");
    assert_string_equal(STR_AT(v, "events", "0", "record"), "NS");
    assert_int_equal(json_array_size(json_object_get(v, "errors")), 0);
    json_decref(v);

    /* An ERROR entry of a VNFR is an error reason; only the last NS_VIEW_EVENTS are events. */
    json_t *hist = json_array();
    for (int i = 0; i < NS_VIEW_EVENTS + 2; i++)
        json_array_append_new(hist, json_pack("{s:s, s:s, s:s}", "event", "MODIFY", "description",
                                              "m", "executedAt", "t"));
    json_array_append_new(hist, json_pack("{s:s, s:s, s:s}", "event", "ERROR", "description",
                                          "START of sipp-client: boom", "executedAt", "t"));
    json_object_set_new(AT(nsr, "vnfr", "1"), "lifecycle_event_history", hist);
    v = ns_view_show(nsr, NULL);
    assert_non_null(v);
    assert_int_equal(json_array_size(json_object_get(v, "errors")), 1);
    assert_string_equal(STR_AT(v, "errors", "0", "record"), "sipp-client");
    assert_string_equal(STR_AT(v, "errors", "0", "reason"), "START of sipp-client: boom");
    assert_int_equal(json_array_size(json_object_get(v, "events")), 1 + NS_VIEW_EVENTS);
    assert_string_equal(STR_AT(v, "events", "5", "event"), "ERROR");
    assert_string_equal(STR_AT(v, "vnfs", "0", "vnfcs", "0", "vim"), "vim-1d2c"); /* id only */
    json_decref(v);
    json_decref(vims);
    json_decref(nsr);
}

static void test_row_and_settled(void **state)
{
    (void)state;
    json_t *nsr = load_nsr();
    json_t *row = ns_view_row(nsr);
    assert_non_null(row);
    char *text = json_dumps(row, JSON_COMPACT);
    assert_string_equal(text, "{\"name\":\"docker-test-NS-sipp\",\"id\":"
                              "\"c3a1d2e4-5b6f-4a7c-8d9e-0f1a2b3c4d5e\",\"status\":\"ACTIVE\","
                              "\"task\":\"Onboarded\",\"vnfs\":{\"sipp-server\":\"ACTIVE\","
                              "\"sipp-client\":\"ACTIVE\"}}");
    free(text);
    json_decref(row);
    assert_true(ns_view_settled(nsr));
    struct {
        const char *status, *task;
        bool settled;
    } cases[] = {
        {"ACTIVE", "Healing", false},      {"ACTIVE", "Healed", true},
        {"NULL", "Onboarding", false},     {"INITIALIZED", "Onboarding", false},
        {"SCALING", "Scaling out", false}, {"ERROR", "Error", true},
        {"ERROR", "Terminating", false},   {"TERMINATED", "Terminating", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_object_set_new(nsr, "status", json_string(cases[i].status));
        json_object_set_new(nsr, "task", json_string(cases[i].task));
        assert_int_equal(ns_view_settled(nsr), cases[i].settled);
    }
    json_decref(nsr);
}

static void test_find(void **state)
{
    (void)state;
    json_t *list = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "id", "a1", "name",
                             "sipp", "id", "b2", "name", "sipp", "id", "c3", "name", "iperf", "id",
                             "iperf2", "name", "a1");
    char err[256];
    json_t *item = NULL;
    assert_int_equal(nfvo_find(list, "NS", "name", "b2", &item, err, sizeof(err)), 0);
    assert_string_equal(json_string_value(json_object_get(item, "id")), "b2");
    assert_int_equal(nfvo_find(list, "NS", "name", "iperf", &item, err, sizeof(err)), 0);
    assert_string_equal(json_string_value(json_object_get(item, "id")), "c3");
    /* an id wins over another item's name */
    assert_int_equal(nfvo_find(list, "NS", "name", "a1", &item, err, sizeof(err)), 0);
    assert_string_equal(json_string_value(json_object_get(item, "name")), "sipp");
    assert_int_equal(nfvo_find(list, "NS", "name", "sipp", &item, err, sizeof(err)), -EEXIST);
    assert_string_equal(err, "NS name 'sipp' is ambiguous: 2 match (ids a1, b2); give an id");
    assert_int_equal(nfvo_find(list, "NSD", "name", "nope", &item, err, sizeof(err)), -ENOENT);
    assert_string_equal(err, "no NSD with id or name 'nope'");
    json_decref(list);

    json_t *nsr = load_nsr();
    json_t *vnfr, *vdu, *vnfc;
    assert_int_equal(nfvo_find_vnfc(nsr, "sipp-client-77", &vnfr, &vdu, &vnfc, err, sizeof(err)),
                     0);
    assert_string_equal(json_string_value(json_object_get(vnfr, "id")), "vnfr-client");
    assert_string_equal(json_string_value(json_object_get(vdu, "id")), "vdu-c");
    assert_string_equal(json_string_value(json_object_get(vnfc, "id")), "9b1f");
    assert_int_equal(nfvo_find_vnfc(nsr, "02678d22-6a4c-4a0c-a5a4-6f2b2e0b4c11", &vnfr, &vdu, &vnfc,
                                    err, sizeof(err)),
                     0);
    assert_string_equal(json_string_value(json_object_get(vnfc, "hostname")),
                        "sipp-server-4242424");
    assert_int_equal(nfvo_find_vnfc(nsr, "sipp-server", &vnfr, &vdu, &vnfc, err, sizeof(err)),
                     -ENOENT);
    assert_string_equal(err, "no VNFC with id or name 'sipp-server'");
    json_decref(nsr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_show),
        cmocka_unit_test(test_row_and_settled),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
