/* Unit tests for the driver's method table and dispatch: every method of Open Baton's VIM
 * driver interface is in the table with its parameter counts, overloads are chosen by count,
 * unknown methods and counts and unsupported methods answer errors naming them, every bad
 * parameter is refused naming it before popd-rest is asked anything, and every RPC is counted.
 * The VIM instance points at a closed port: a check that let a call through would show up as a
 * transport error instead of the expected words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/metrics.h"
#include "core/strbuf.h"
#include "envelope.h"
#include "vimd-int.h"

static char vim_json[512];

/* A port nothing listens on: bound, then closed. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static int setup(void **state)
{
    snprintf(vim_json, sizeof(vim_json),
             "{\"name\":\"pop1\",\"type\":\"pop\",\"authUrl\":\"http://127.0.0.1:%d\","
             "\"username\":\"u\",\"password\":\"p\"}",
             closed_port());
    struct vimd_options o = {.pop_timeout_ms = 2000};
    struct vimd *d = NULL;
    assert_int_equal(vimd_new(&o, &d, NULL), 0);
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    vimd_free(*state);
    return 0;
}

/* Dispatches method with the parameters text (a JSON array, "V" standing for the VIM
 * instance), expects failure and returns the detail. */
static const char *call_fails(struct vimd *d, const char *method, const char *params_fmt)
{
    static struct pop_error err;
    struct strbuf text = STRBUF_INIT;
    for (const char *p = params_fmt; *p; p++)
        assert_int_equal(*p == 'V' ? strbuf_puts(&text, vim_json) : strbuf_append(&text, p, 1), 0);
    json_error_t jerr;
    json_t *params = json_loads(strbuf_str(&text), 0, &jerr);
    if (!params)
        fail_msg("bad test JSON %s: %s", strbuf_str(&text), jerr.text);
    strbuf_done(&text);
    pop_error_clear(&err);
    json_t *answer = (json_t *)0x1;
    int r = vimd_dispatch(d, method, params, &answer, &err);
    json_decref(params);
    if (r >= 0)
        fail_msg("%s succeeded", method);
    assert_ptr_equal(answer, (json_t *)0x1); /* untouched */
    assert_int_equal(err.r, r);
    return err.detail;
}

#define assert_detail(got, want)                                                                   \
    do {                                                                                           \
        const char *g_ = (got);                                                                    \
        if (strcmp(g_, (want)) != 0)                                                               \
            fail_msg("detail\n  got: %s\n want: %s", g_, (want));                                  \
    } while (0)

/* Every method of reference §2.4 and the mgmt methods, with the counts they take. */
static void test_table(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        unsigned n;
        bool implemented;
    } want[] = {
        {"refresh", 1, true},
        {"listServer", 1, true},
        {"listNetworks", 1, true},
        {"listImages", 1, true},
        {"listFlavors", 1, true},
        {"launchInstance", 8, false},
        {"launchInstanceAndWait", 8, true},
        {"launchInstanceAndWait", 10, true},
        {"rebuildServer", 3, false},
        {"deleteServerByIdAndWait", 2, true},
        {"createNetwork", 2, true},
        {"getNetworkById", 2, true},
        {"updateNetwork", 2, false},
        {"deleteNetwork", 2, true},
        {"createSubnet", 3, false},
        {"updateSubnet", 3, false},
        {"deleteSubnet", 2, false},
        {"getSubnetsExtIds", 2, false},
        {"addFlavor", 2, false},
        {"updateFlavor", 2, false},
        {"deleteFlavor", 2, false},
        {"addImage", 3, false},
        {"addImage", 4, false},
        {"updateImage", 2, false},
        {"copyImage", 3, false},
        {"deleteImage", 2, false},
        {"getQuota", 1, true},
        {"getType", 1, true},
        {"mgmtCheck", 2, true},
        {"mgmtStart", 2, true},
        {"mgmtStop", 2, true},
        {"mgmtAddMetadata", 3, true},
        {"mgmtDelete", 2, true},
    };
    size_t n;
    const struct vimd_method *m = vimd_methods(&n);
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++) {
        bool known = false;
        const struct vimd_method *f = vimd_method_find(want[i].name, want[i].n, &known);
        if (!f)
            fail_msg("%s with %u parameters is not in the table", want[i].name, want[i].n);
        assert_true(known);
        assert_int_equal(f->run != NULL, want[i].implemented);
        if (!f->run)
            assert_true(f->why && *f->why);
        /* One row per (name, count). */
        for (size_t j = i + 1; j < n; j++)
            assert_false(strcmp(m[i].name, m[j].name) == 0 && m[i].n_params == m[j].n_params);
    }
}

static void test_overload_by_count(void **state)
{
    (void)state;
    bool known;
    const struct vimd_method *eight = vimd_method_find("launchInstanceAndWait", 8, &known);
    const struct vimd_method *ten = vimd_method_find("launchInstanceAndWait", 10, &known);
    assert_non_null(eight);
    assert_non_null(ten);
    assert_ptr_not_equal(eight, ten);
    assert_null(vimd_method_find("launchInstanceAndWait", 9, &known));
    assert_true(known);
    assert_null(vimd_method_find("launchinstanceandwait", 8, &known)); /* case counts */
    assert_false(known);
    assert_null(vimd_method_find("nosuch", 1, &known));
    assert_false(known);
}

static void test_unknown_and_wrong_count(void **state)
{
    struct vimd *d = *state;
    assert_detail(call_fails(d, "frobnicate", "[V]"),
                  "frobnicate on pop1: unknown method 'frobnicate' (with 1 parameter)");
    assert_detail(call_fails(d, "frobnicate", "[]"),
                  "frobnicate: unknown method 'frobnicate' (with 0 parameters)");
    assert_detail(call_fails(d, "launchInstanceAndWait", "[V,1,2,3,4,5,6,7,8]"),
                  "launchInstanceAndWait on pop1: launchInstanceAndWait takes 8 or 10 "
                  "parameters, not 9");
    assert_detail(call_fails(d, "addImage", "[V,{}]"),
                  "addImage on pop1: addImage takes 3 or 4 parameters, not 2");
    assert_detail(call_fails(d, "listServer", "[V,1]"),
                  "listServer on pop1: listServer takes 1 parameters, not 2");
    /* A name too long to repeat is not repeated (a cut could end inside a character). */
    char long_name[VIMD_METHOD_MAX + 2];
    memset(long_name, 'x', sizeof(long_name) - 2);
    memcpy(long_name + VIMD_METHOD_MAX - 1, "\xc3\xa9", 3); /* 129 bytes, ends in an e-acute */
    assert_detail(call_fails(d, long_name, "[V]"),
                  "(a long method name) on pop1: unknown method (a name longer than 128 bytes)");
}

/* Every method a Pop cannot do is refused by name, with the reason, and never touches the
 * Pop (its URL is a closed port). */
static void test_unsupported(void **state)
{
    struct vimd *d = *state;
    size_t n;
    const struct vimd_method *m = vimd_methods(&n);
    for (size_t i = 0; i < n; i++) {
        if (m[i].run)
            continue;
        struct strbuf p = STRBUF_INIT;
        assert_int_equal(strbuf_puts(&p, "[V"), 0);
        for (unsigned k = 1; k < m[i].n_params; k++)
            assert_int_equal(strbuf_puts(&p, ",{}"), 0);
        assert_int_equal(strbuf_puts(&p, "]"), 0);
        char want[512];
        snprintf(want, sizeof(want), "%s on pop1: not supported by a Pop: %s", m[i].name, m[i].why);
        assert_detail(call_fails(d, m[i].name, strbuf_str(&p)), want);
        strbuf_done(&p);
    }
}

static void test_vim_instance_checked(void **state)
{
    struct vimd *d = *state;
    assert_detail(call_fails(d, "listServer", "[\"pop1\"]"),
                  "listServer: parameters[0] (VIM instance): expected an object");
    assert_detail(call_fails(d, "listServer", "[{\"name\":\"p\"}]"),
                  "listServer on p: parameters[0].authUrl: required (the Pop's URL)");
    assert_detail(call_fails(d, "listServer", "[{\"name\":\"p\",\"authUrl\":7}]"),
                  "listServer on p: parameters[0].authUrl: expected a string");
    assert_detail(call_fails(d, "getType", "[{\"name\":\"p\",\"authUrl\":\"http://u:%zz@h:1\"}]"),
                  "getType on p: parameters[0].authUrl: bad %-escape or NUL in its userinfo");
    const char *got = call_fails(d, "listServer", "[{\"name\":\"p\",\"authUrl\":\"ftp://h\"}]");
    if (strncmp(got, "listServer on p: parameters[0] (VIM instance) authUrl: ", 55) != 0)
        fail_msg("bad url: %s", got);
}

static void test_launch_parameters(void **state)
{
    struct vimd *d = *state;
    assert_detail(
        call_fails(d, "launchInstanceAndWait", "[V,\"bad name!\",\"i\",\"\",\"\",[],[],\"\"]"),
        "launchInstanceAndWait on pop1: parameters[1] (hostname): 'bad name!' is not a "
        "Pop container name: must be 1-63 characters of A-Z a-z 0-9 _ . -, starting "
        "with a letter or digit");
    assert_detail(call_fails(d, "launchInstanceAndWait", "[V,null,\"i\",\"\",\"\",[],[],\"\"]"),
                  "launchInstanceAndWait on pop1: parameters[1] (hostname): required");
    assert_detail(call_fails(d, "launchInstanceAndWait", "[V,\"h\",5,\"\",\"\",[],[],\"\"]"),
                  "launchInstanceAndWait on pop1: parameters[2] (image): expected a string");
    assert_detail(call_fails(d, "launchInstanceAndWait", "[V,\"h\",\"\",\"\",\"\",[],[],\"\"]"),
                  "launchInstanceAndWait on pop1: parameters[2] (image): must not be empty");
    assert_detail(call_fails(d, "launchInstanceAndWait", "[V,\"h\",\"i\",\"\",\"\",{},[],\"\"]"),
                  "launchInstanceAndWait on pop1: parameters[5] (networks): expected an array");
    assert_detail(call_fails(d, "launchInstanceAndWait",
                             "[V,\"h\",\"i\",\"\",\"\",[{\"type\":\"x\"}],[],\"\"]"),
                  "launchInstanceAndWait on pop1: parameters[5][0].virtual_link_reference: "
                  "required (the network's name)");
    assert_detail(
        call_fails(d, "launchInstanceAndWait",
                   "[V,\"h\",\"i\",\"\",\"\",[{\"virtual_link_reference\":\"a\"},"
                   "{\"virtual_link_reference\":\"a\"}],[],\"\"]"),
        "launchInstanceAndWait on pop1: parameters[5][1].virtual_link_reference: network 'a' "
        "is named twice; a Pop container has one address per network");
    assert_detail(call_fails(d, "launchInstanceAndWait",
                             "[V,\"h\",\"i\",\"\",\"\",[{\"virtual_link_reference\":3}],[],\"\"]"),
                  "launchInstanceAndWait on pop1: parameters[5][0].virtual_link_reference: "
                  "expected a string");
    assert_detail(call_fails(d, "launchInstanceAndWait", "[V,\"h\",\"i\",\"\",7,[],[],\"\"]"),
                  "launchInstanceAndWait on pop1: parameters[4] (keyPair): expected a string");
    assert_detail(
        call_fails(d, "launchInstanceAndWait", "[V,\"h\",\"i\",\"\",\"\",[],\"sg\",\"\"]"),
        "launchInstanceAndWait on pop1: parameters[6] (securityGroups): expected an "
        "array");
    assert_detail(call_fails(d, "launchInstanceAndWait",
                             "[V,\"h\",\"i\",\"\",\"\",[],[],\"\",{\"private\":\"10.0.0.9\"},[]]"),
                  "launchInstanceAndWait on pop1: parameters[8] (floatingIps).private: a Pop has "
                  "no floating addresses; only \"random\" (none) can be granted");
    assert_detail(
        call_fails(d, "launchInstanceAndWait", "[V,\"h\",\"i\",\"\",\"\",[],[],\"\",{},\"k\"]"),
        "launchInstanceAndWait on pop1: parameters[9] (keys): expected an array");
}

static void test_other_parameters(void **state)
{
    struct vimd *d = *state;
    assert_detail(call_fails(d, "deleteServerByIdAndWait", "[V,42]"),
                  "deleteServerByIdAndWait on pop1: parameters[1] (server extId): expected a "
                  "string");
    assert_detail(call_fails(d, "getNetworkById", "[V,\"a/b\"]"),
                  "getNetworkById on pop1: parameters[1] (network id): 'a/b' is not a Pop "
                  "container name: must be 1-63 characters of A-Z a-z 0-9 _ . -, starting with a "
                  "letter or digit");
    assert_detail(call_fails(d, "createNetwork", "[V,\"net\"]"),
                  "createNetwork on pop1: parameters[1] (network): expected an object");
    assert_detail(call_fails(d, "createNetwork", "[V,{\"subnet\":\"10.1.0.0/24\"}]"),
                  "createNetwork on pop1: parameters[1].name: required (the virtual link's name)");
    assert_detail(call_fails(d, "createNetwork",
                             "[V,{\"name\":\"n\",\"subnets\":[{\"cidr\":\"10.1.0.0/24\"},"
                             "{\"cidr\":\"10.2.0.0/24\"}]}]"),
                  "createNetwork on pop1: parameters[1].subnets: a Pop network has one subnet, "
                  "not 2");
    assert_detail(call_fails(d, "mgmtCheck", "[V]"),
                  "mgmtCheck on pop1: mgmtCheck takes 2 parameters, not 1");
    assert_detail(call_fails(d, "mgmtStart", "[V,\"\"]"),
                  "mgmtStart on pop1: parameters[1] (hostname): '' is not a Pop container name: "
                  "must be 1-63 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit");
    assert_detail(call_fails(d, "mgmtAddMetadata", "[V,\"h\",[]]"),
                  "mgmtAddMetadata on pop1: parameters[2] (metadata): expected an object");
    assert_detail(call_fails(d, "mgmtAddMetadata", "[V,\"h\",{\"A\":1}]"),
                  "mgmtAddMetadata on pop1: parameters[2] (metadata).A: expected a string (\"\" "
                  "deletes the key)");
    char long_host[128];
    snprintf(long_host, sizeof(long_host), "[V,\"%s\"]",
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9");
    assert_detail(call_fails(d, "mgmtCheck", long_host),
                  "mgmtCheck on pop1: parameters[1] (hostname): a name of 64 bytes is not a Pop "
                  "container name: must be 1-63 characters of A-Z a-z 0-9 _ . -, starting with a "
                  "letter or digit");
    assert_detail(call_fails(d, "mgmtAddMetadata", "[V,\"h\",{\"1A\":\"x\"}]"),
                  "mgmtAddMetadata on pop1: parameters[2] (metadata).1A: the key must be 1-128 "
                  "characters of A-Z a-z 0-9 _, not starting with a digit");
}

/* With everything valid the call reaches the Pop, and the transport error names its URL. */
static void test_transport_error_names_url(void **state)
{
    struct vimd *d = *state;
    const char *got = call_fails(d, "listServer", "[V]");
    char want[128];
    const char *url = strstr(vim_json, "http://");
    snprintf(want, sizeof(want), "listServer on pop1: cannot reach %.*s: ", 22, url);
    if (strncmp(got, want, strlen(want)) != 0)
        fail_msg("got: %s\nwant prefix: %s", got, want);
}

static void test_get_type(void **state)
{
    (void)state;
    struct vimd_options o = {.type = "pop-lab"};
    struct vimd *d = NULL;
    assert_int_equal(vimd_new(&o, &d, NULL), 0);
    json_t *params = json_pack("[{s:s, s:s}]", "name", "x", "authUrl", "http://127.0.0.1:1");
    json_t *answer = NULL;
    assert_int_equal(vimd_dispatch(d, "getType", params, &answer, NULL), 0);
    assert_string_equal(json_string_value(answer), "pop-lab");
    json_decref(answer);
    json_decref(params);
    vimd_free(d);
}

/* RPCs are counted per method and outcome; a method name from a client that is not in the
 * table is counted as "unknown", so a client cannot grow the series. */
static void test_metrics(void **state)
{
    (void)state;
    struct metrics *m = NULL;
    assert_int_equal(metrics_new(&m), 0);
    struct vimd_options o = {.metrics = m};
    struct vimd *d = NULL;
    assert_int_equal(vimd_new(&o, &d, NULL), 0);
    json_t *params = json_pack("[{s:s, s:s}]", "name", "x", "authUrl", "http://127.0.0.1:1");
    json_t *answer = NULL;
    assert_int_equal(vimd_dispatch(d, "getType", params, &answer, NULL), 0);
    json_decref(answer);
    assert_int_equal(vimd_dispatch(d, "getType", params, &answer, NULL), 0);
    json_decref(answer);
    assert_int_equal(vimd_dispatch(d, "nosuch-1", params, &answer, NULL), -ENOENT);
    assert_int_equal(vimd_dispatch(d, "nosuch-2", params, &answer, NULL), -ENOENT);
    assert_int_equal(vimd_dispatch(d, "rebuildServer", params, &answer, NULL), -EINVAL);
    json_decref(params);
    struct strbuf out = STRBUF_INIT;
    assert_int_equal(metrics_render(m, &out), 0);
    const char *page = strbuf_str(&out);
    assert_non_null(strstr(page, "vimd_rpcs_total{method=\"getType\",outcome=\"ok\"} 2\n"));
    assert_non_null(strstr(page, "vimd_rpcs_total{method=\"unknown\",outcome=\"error\"} 2\n"));
    assert_non_null(
        strstr(page, "vimd_rpcs_total{method=\"rebuildServer\",outcome=\"error\"} 1\n"));
    assert_non_null(strstr(page, "vimd_rpc_duration_seconds_count{method=\"getType\"} 2\n"));
    assert_null(strstr(page, "nosuch"));
    strbuf_done(&out);
    /* A second driver on the same registry is refused, naming the registry. */
    struct vimd *d2 = NULL;
    struct pop_error err = POP_ERROR_INIT;
    assert_int_equal(vimd_new(&o, &d2, &err), -EEXIST);
    assert_string_equal(err.field, "metrics");
    vimd_free(d);
    metrics_free(m);
}

/* The message path the AMQP side takes: a malformed message is an exception, never a crash;
 * a good one is dispatched. */
static void test_handle_message(void **state)
{
    struct vimd *d = *state;
    static const struct {
        const char *msg, *detail;
    } bad[] = {
        {"not json", "malformed plugin message: line 1, column 3: '[' or '{' expected near 'not'"},
        {"[1]", "malformed plugin message: expected a JSON object"},
        {"{\"parameters\":[]}", "malformed plugin message: methodName: required"},
        {"{\"methodName\":1,\"parameters\":[]}",
         "malformed plugin message: methodName: expected a string"},
        {"{\"methodName\":\"listServer\"}", "malformed plugin message: parameters: required"},
        {"{\"methodName\":\"listServer\",\"parameters\":{}}",
         "malformed plugin message: parameters: expected an array"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *method = (char *)0x1;
        json_t *env = vimd_handle_message(d, bad[i].msg, strlen(bad[i].msg), &method);
        assert_non_null(env);
        const char *got =
            json_string_value(json_object_get(json_object_get(env, "exception"), "detailMessage"));
        assert_non_null(got);
        if (strcmp(got, bad[i].detail) != 0)
            fail_msg("message %s\n  got: %s\n want: %s", bad[i].msg, got, bad[i].detail);
        assert_null(method);
        json_decref(env);
    }
    const char *good = "{\"methodName\":\"getType\",\"parameters\":[{\"name\":\"p\",\"authUrl\":"
                       "\"http://127.0.0.1:1\"}],\"interfaceClass\":null}";
    char *method = NULL;
    json_t *env = vimd_handle_message(d, good, strlen(good), &method);
    assert_string_equal(method, "getType");
    free(method);
    char *text = json_dumps(env, JSON_COMPACT);
    assert_string_equal(text, "{\"answer\":\"pop\"}");
    free(text);
    json_decref(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_overload_by_count),
        cmocka_unit_test_setup_teardown(test_unknown_and_wrong_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vim_instance_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_launch_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_error_names_url, setup, teardown),
        cmocka_unit_test(test_get_type),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test_setup_teardown(test_handle_message, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
