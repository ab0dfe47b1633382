/* The NSR document rules of services/nfvo (records.c, nsr_build.c): the NSR status from its
 * VNFRs (§3.5), ids for every entity, and the dependency values a source gives its targets
 * (§5.2: provides then configurations at VNFR level; per VNFC the address on each requested
 * network and the hostname). */
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
        fail_msg("bad test JSON: %s", err.text);
    return j;
}

static void status_is(const char *vnfr_statuses, const char *want)
{
    char text[512];
    snprintf(text, sizeof(text), "{\"vnfr\": %s}", vnfr_statuses);
    json_t *nsr = parse(text);
    assert_string_equal(records_nsr_status(nsr), want);
    json_decref(nsr);
}

static void test_nsr_status(void **state)
{
    (void)state;
    status_is("[]", "NULL");
    status_is("[{\"status\":\"ACTIVE\"},{\"status\":\"ACTIVE\"}]", "ACTIVE");
    /* The lowest ordinal wins: one VNF still INITIALIZED holds the NSR there. */
    status_is("[{\"status\":\"ACTIVE\"},{\"status\":\"INITIALIZED\"}]", "INITIALIZED");
    status_is("[{\"status\":\"ACTIVE\"},{\"status\":\"ERROR\"}]", "ERROR");
    status_is("[{\"status\":\"NULL\"},{\"status\":\"INACTIVE\"}]", "NULL");
    /* Any TERMINATED VNFR makes the NSR TERMINATED, whatever the others say. */
    status_is("[{\"status\":\"ERROR\"},{\"status\":\"TERMINATED\"}]", "TERMINATED");
    /* A status this NFVO does not know counts as NULL rather than hiding the NSR's state. */
    status_is("[{\"status\":\"ACTIVE\"},{\"status\":\"WEIRD\"}]", "NULL");
    assert_int_equal(records_status_ordinal("SCALING"), 4);
    assert_int_equal(records_status_ordinal("nope"), -1);
    assert_int_equal(records_status_ordinal(NULL), -1);
}

static void test_assign_ids(void **state)
{
    (void)state;
    json_t *v = parse("{\"id\":\"keep\",\"vdu\":[{\"vnfc\":[{\"connection_point\":[{}]}]}],"
                      "\"metadata\":{\"k\":\"v\"},\"configurations\":{\"configurationParameters\":"
                      "[{\"confKey\":\"a\"}]}}");
    records_assign_ids(v);
    assert_string_equal(json_string_value(json_object_get(v, "id")), "keep");
    json_t *vdu = json_array_get(json_object_get(v, "vdu"), 0);
    const char *vdu_id = json_string_value(json_object_get(vdu, "id"));
    assert_non_null(vdu_id);
    assert_int_equal(strlen(vdu_id), 36);
    json_t *cp = json_array_get(
        json_object_get(json_array_get(json_object_get(vdu, "vnfc"), 0), "connection_point"), 0);
    assert_non_null(json_string_value(json_object_get(cp, "id")));
    assert_int_equal(json_integer_value(json_object_get(cp, "hbVersion")), 0);
    /* Maps are not entities: metadata gets no id. */
    assert_null(json_object_get(json_object_get(v, "metadata"), "id"));
    /* Every id is fresh. */
    const char *conf_id =
        json_string_value(json_object_get(json_object_get(v, "configurations"), "id"));
    assert_non_null(conf_id);
    assert_string_not_equal(conf_id, vdu_id);
    json_decref(v);
}

static void test_assign_ids_vnfc_instances(void **state)
{
    (void)state;
    /* A VNFC instance a VNFM made (allocate=true, §11.6): its Ip entries are entities and get
     * ids like the rest; a Server's {network: [ip]} map under the same names does not. */
    json_t *v = parse("{\"vdu\":[{\"vnfc_instance\":[{\"hostname\":\"s-1\","
                      "\"ips\":[{\"netName\":\"private\",\"ip\":\"10.1.0.2\"}],"
                      "\"floatingIps\":[{\"netName\":\"private\",\"ip\":\"1.2.3.4\"}]}]}],"
                      "\"server\":{\"ips\":{\"private\":[\"10.1.0.2\"]},\"floatingIps\":{}}}");
    records_assign_ids(v);
    json_t *vi = json_array_get(
        json_object_get(json_array_get(json_object_get(v, "vdu"), 0), "vnfc_instance"), 0);
    const char *vi_id = json_string_value(json_object_get(vi, "id"));
    assert_non_null(vi_id);
    json_t *ip = json_array_get(json_object_get(vi, "ips"), 0);
    json_t *fip = json_array_get(json_object_get(vi, "floatingIps"), 0);
    assert_int_equal(strlen(json_string_value(json_object_get(ip, "id"))), 36);
    assert_int_equal(json_integer_value(json_object_get(ip, "hbVersion")), 0);
    assert_non_null(json_string_value(json_object_get(fip, "id")));
    assert_string_not_equal(json_string_value(json_object_get(ip, "id")), vi_id);
    json_t *server = json_object_get(v, "server");
    assert_int_equal(json_object_size(json_object_get(server, "ips")), 1);
    assert_int_equal(json_object_size(json_object_get(server, "floatingIps")), 0);
    json_decref(v);
}

/* The SIPp record of §4.6: the client needs the server's "private" address and hostname, and
 * its configuration value "port". */
static const char *nsr_text =
    "{\"vnf_dependency\":[{\"target\":\"sipp-client\",\"idType\":{\"sipp-server\":\"server\"},"
    "\"parameters\":{\"server\":{\"parameters\":{\"private\":\"\",\"hostname\":\"\","
    "\"port\":\"\",\"absent\":\"\"}}},\"vnfcParameters\":{}}]}";

static const char *server_text =
    "{\"name\":\"sipp-server\",\"type\":\"server\","
    "\"provides\":{\"configurationParameters\":[{\"confKey\":\"port\",\"value\":\"1\"}]},"
    "\"configurations\":{\"configurationParameters\":[{\"confKey\":\"port\",\"value\":\"5060\"},"
    "{\"confKey\":\"other\",\"value\":\"x\"}]},"
    "\"vdu\":[{\"vnfc_instance\":["
    "{\"id\":\"vi-1\",\"hostname\":\"sipp-server-1\",\"ips\":[{\"netName\":\"private\","
    "\"ip\":\"10.0.0.2\"},{\"netName\":\"mgmt\",\"ip\":\"10.1.0.2\"}]},"
    "{\"id\":\"vi-2\",\"hostname\":\"sipp-server-2\",\"ips\":[{\"netName\":\"private\","
    "\"ip\":\"10.0.0.3\"}]}]}]}";

static void test_fill_dependencies(void **state)
{
    (void)state;
    json_t *nsr = parse(nsr_text), *server = parse(server_text);
    assert_true(nsr_is_source(nsr, "sipp-server"));
    assert_false(nsr_is_source(nsr, "sipp-client"));
    nsr_fill_dependencies(nsr, server);
    json_t *dep = nsr_dependency_of(nsr, "sipp-client");
    assert_non_null(dep);
    json_t *vnfr_level = json_object_get(
        json_object_get(json_object_get(dep, "parameters"), "server"), "parameters");
    /* configurations override provides; network names and hostname stay "" at VNFR level. */
    assert_string_equal(json_string_value(json_object_get(vnfr_level, "port")), "5060");
    assert_string_equal(json_string_value(json_object_get(vnfr_level, "private")), "");
    assert_string_equal(json_string_value(json_object_get(vnfr_level, "absent")), "");
    assert_null(json_object_get(vnfr_level, "other")); /* only what the target asked */
    json_t *per = json_object_get(json_object_get(json_object_get(dep, "vnfcParameters"), "server"),
                                  "parameters");
    assert_int_equal(json_object_size(per), 2);
    json_t *one = json_object_get(json_object_get(per, "vi-1"), "parameters");
    assert_string_equal(json_string_value(json_object_get(one, "private")), "10.0.0.2");
    assert_string_equal(json_string_value(json_object_get(one, "hostname")), "sipp-server-1");
    assert_null(json_object_get(one, "mgmt")); /* not requested */
    json_t *two = json_object_get(json_object_get(per, "vi-2"), "parameters");
    assert_string_equal(json_string_value(json_object_get(two, "private")), "10.0.0.3");
    /* Filling again (a second INSTANTIATE reply) gives the same record, not duplicates. */
    nsr_fill_dependencies(nsr, server);
    assert_int_equal(json_object_size(per), 2);
    /* A VNFR that is nobody's source changes nothing. */
    json_t *client = parse("{\"name\":\"sipp-client\",\"vdu\":[]}");
    char *before = json_dumps(nsr, JSON_SORT_KEYS);
    nsr_fill_dependencies(nsr, client);
    char *after = json_dumps(nsr, JSON_SORT_KEYS);
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_decref(client);
    json_decref(server);
    json_decref(nsr);
}

static void test_history(void **state)
{
    (void)state;
    json_t *v = parse("{}");
    char long_reason[3000];
    memset(long_reason, 'x', sizeof(long_reason) - 1);
    long_reason[sizeof(long_reason) - 1] = '\0';
    records_history(v, "ERROR", long_reason);
    json_t *ev = json_array_get(json_object_get(v, "lifecycle_event_history"), 0);
    assert_string_equal(json_string_value(json_object_get(ev, "event")), "ERROR");
    /* NFVO 6 keeps the first 1024 characters of a reason. */
    assert_int_equal(strlen(json_string_value(json_object_get(ev, "description"))), 1024);
    assert_non_null(json_string_value(json_object_get(ev, "executedAt")));
    json_decref(v);
}

/* levels_are(NSR_JSON, WANT...): nsr_start_levels of the NSR, by VNFR index. */
static void levels_are(const char *text, const int *want, size_t n)
{
    json_t *nsr = parse(text);
    int *got = nsr_start_levels(nsr);
    assert_non_null(got);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], want[i]);
    free(got);
    json_decref(nsr);
}

static void test_start_levels(void **state)
{
    (void)state;
    /* No dependency: all at once. */
    levels_are("{\"vnfr\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}", (int[]){0, 0}, 2);
    /* The longest chain decides: c needs a directly and through b. */
    levels_are("{\"vnfr\": [{\"name\": \"c\"}, {\"name\": \"b\"}, {\"name\": \"a\"}],"
               " \"vnf_dependency\": [{\"target\": \"c\", \"idType\": {\"a\": {}, \"b\": {}}},"
               " {\"target\": \"b\", \"idType\": {\"a\": {}}}]}",
               (int[]){2, 1, 0}, 3);
    /* A cycle starts together, at the level its sources from outside give (x); what depends
     * on it (c, on b) comes after it, and what depends on c after that. */
    levels_are("{\"vnfr\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"x\"},"
               " {\"name\": \"c\"}, {\"name\": \"d\"}],"
               " \"vnf_dependency\": [{\"target\": \"a\", \"idType\": {\"b\": {}, \"x\": {}}},"
               " {\"target\": \"b\", \"idType\": {\"a\": {}, \"x\": {}}},"
               " {\"target\": \"c\", \"idType\": {\"b\": {}}},"
               " {\"target\": \"d\", \"idType\": {\"c\": {}, \"a\": {}}}]}",
               (int[]){1, 1, 0, 2, 3}, 5);
    /* A cycle alone: all at once. */
    levels_are("{\"vnfr\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"x\"}],"
               " \"vnf_dependency\": [{\"target\": \"a\", \"idType\": {\"b\": {}}},"
               " {\"target\": \"b\", \"idType\": {\"a\": {}}}]}",
               (int[]){0, 0, 0}, 3);
}

/* 60 VNFRs, each depending on every one before it and on the next (a cycle through all), and
 * a 61st depending on them all: the levels come at once, not after a walk of every dependency
 * path (exponential); the cycle starts together, the 61st after it. */
static void test_start_levels_many_dependencies(void **state)
{
    (void)state;
    enum { N = 60 };
    json_t *vnfrs = json_array(), *deps = json_array();
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof(name), "v%d", i);
        json_array_append_new(vnfrs, json_pack("{s:s}", "name", name));
        json_t *src = json_object();
        for (int j = 0; j < i; j++) {
            char s[16];
            snprintf(s, sizeof(s), "v%d", j);
            json_object_set_new(src, s, json_object());
        }
        char next[16];
        snprintf(next, sizeof(next), "v%d", (i + 1) % N);
        json_object_set_new(src, next, json_object());
        json_array_append_new(deps, json_pack("{s:s, s:o}", "target", name, "idType", src));
    }
    json_t *all = json_object();
    for (int j = 0; j < N; j++) {
        char s[16];
        snprintf(s, sizeof(s), "v%d", j);
        json_object_set_new(all, s, json_object());
    }
    json_array_append_new(vnfrs, json_pack("{s:s}", "name", "sink"));
    json_array_append_new(deps, json_pack("{s:s, s:o}", "target", "sink", "idType", all));
    json_t *nsr = json_pack("{s:o, s:o}", "vnfr", vnfrs, "vnf_dependency", deps);
    int *got = nsr_start_levels(nsr);
    assert_non_null(got);
    for (int i = 0; i < N; i++)
        assert_int_equal(got[i], 0);
    assert_int_equal(got[N], 1);
    free(got);
    json_decref(nsr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nsr_status),
        cmocka_unit_test(test_assign_ids),
        cmocka_unit_test(test_assign_ids_vnfc_instances),
        cmocka_unit_test(test_fill_dependencies),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_start_levels),
        cmocka_unit_test(test_start_levels_many_dependencies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
