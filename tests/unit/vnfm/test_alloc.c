/* The VNFM's logic when memory runs out: the n-th allocation fails, for every n that building a
 * VNFR and a whole dependency update make. Each call then fails with -ENOMEM or gives what it
 * gives with memory, and nothing leaks or is freed twice (ASan and LSan watch the asan build).
 * Linked with --wrap=malloc,calloc,realloc,strdup,strndup; jansson allocates through the same
 * counter. */
#include "standin.h"

#include "testlib_alloc.h"

#define SWEEP TESTLIB_ALLOC_SWEEP

static void test_vnfr_build_under_pressure(void **state)
{
    (void)state;
    struct cat_nsd *nsd =
        standin_onboard_fixture("openbaton/openbaton-docker_docker-NSR-SIPp.json");
    struct cat_vnfr *ref = standin_build(nsd, cat_nsd_find_vnfd(nsd, "sipp-client"));
    json_t *want = cat_vnfr_to_json(ref, 0);
    struct cat_strmap ext = {0};
    assert_int_equal(cat_strmap_set(&ext, "nsr-id", "nsr-1"), 0);
    json_t *vims = parse_text("{\"vdu-sipp-client-0\":[{\"name\":\"pop1\",\"type\":\"pop\","
                              "\"authUrl\":\"http://pop1:60000\"}]}");
    struct cat_vlr_vec vlrs = {0};
    struct cat_vlr *l = CAT_VEC_PUSH(&vlrs);
    l->name = strdup("private");
    l->ext_id = strdup("net-private");
    struct vnfr_build_in in = {.vnfd = cat_nsd_find_vnfd(nsd, "sipp-client"),
                               .flavour_key = "docker.container",
                               .vlrs = &vlrs,
                               .extension = &ext,
                               .vim_instances = vims};
    long runs = 0;
    SWEEP({
        struct cat_vnfr *vnfr = NULL;
        struct pop_error e = POP_ERROR_INIT;
        int r = vnfr_build(&in, &vnfr, &e);
        if (r == 0) {
            testlib_alloc_stop();
            json_t *got = cat_vnfr_to_json(vnfr, 0);
            assert_json_equal(got, want);
            json_decref(got);
            cat_vnfr_free(vnfr);
        } else if (r != -ENOMEM) {
            fail_msg("run %ld: %d %s", runs, r, e.detail);
        }
        runs++;
    });
    assert_true(runs > 50);
    cat_vlr_clear(&vlrs.v[0]);
    free(vlrs.v);
    free(ext.v[0].key);
    free(ext.v[0].value);
    free(ext.v);
    json_decref(vims);
    json_decref(want);
    cat_vnfr_free(ref);
    cat_nsd_free(nsd);
}

/* A scale-out MODIFY on a client whose two VNFCs already hold the state of one server. */
static void test_dep_update_under_pressure(void **state)
{
    (void)state;
    struct cat_nsd *nsd =
        standin_onboard_fixture("openbaton/openbaton-docker_docker-NSR-SIPp.json");
    struct standin_ipam ipam = {0};
    struct cat_vnfr *server = standin_build(nsd, cat_nsd_find_vnfd(nsd, "sipp-server"));
    struct cat_vnfr *client = standin_build(nsd, cat_nsd_find_vnfd(nsd, "sipp-client"));
    standin_grant(server);
    standin_allocate(&ipam, server);
    standin_grant(client);
    standin_allocate(&ipam, client);
    struct cat_vnfr *all[] = {server, client};
    struct cat_vnfr_dependency *first = standin_record(nsd, all, 2, "sipp-client");
    struct cat_strmap *md[2] = {standin_strmap(NULL), standin_strmap(NULL)};
    json_t *patches[2];
    assert_int_equal(dep_update((const struct cat_strmap *const *)md, 2, first, NULL, client,
                                patches, NULL, NULL),
                     0);
    for (size_t i = 0; i < 2; i++) {
        standin_patch(md[i], patches[i]);
        json_decref(patches[i]);
    }
    struct cat_vnfc_instance *vi = standin_scale_out(&ipam, server);
    struct cat_vnfr_dependency *partial = standin_partial(first, server, vi);
    json_t *want[2];
    assert_int_equal(dep_update((const struct cat_strmap *const *)md, 2, partial, NULL, client,
                                want, NULL, NULL),
                     0);
    assert_true(json_object_size(want[0]) > 0);
    long runs = 0;
    SWEEP({
        json_t *got[2] = {NULL, NULL};
        struct pop_error e = POP_ERROR_INIT;
        char *notes = NULL;
        int r = dep_update((const struct cat_strmap *const *)md, 2, partial, "absent", client, got,
                           &notes, &e);
        testlib_alloc_stop();
        if (r == 0) {
            for (size_t i = 0; i < 2; i++) {
                assert_json_equal(got[i], want[i]);
                json_decref(got[i]);
            }
            assert_null(notes);
        } else if (r == -ENOMEM ||
                   /* jansson words some of its allocation failures as syntax errors (see
                    * docs/internals/catalogue.md), and under others its lexer drops a
                    * character: reading a state entry then refuses it, never misreads it */
                   (r == -EINVAL && (strstr(e.detail, "not a JSON object") ||
                                     strstr(e.detail, "not in the form the VNFM writes")))) {
            assert_null(got[0]);
            assert_null(got[1]);
            assert_null(notes);
        } else {
            fail_msg("run %ld: %d %s", runs, r, e.detail);
        }
        runs++;
    });
    assert_true(runs > 100);
    for (size_t i = 0; i < 2; i++) {
        json_decref(want[i]);
        standin_strmap_free(md[i]);
    }
    cat_vnfr_dependency_free(partial);
    cat_vnfr_dependency_free(first);
    cat_vnfr_free(server);
    cat_vnfr_free(client);
    standin_ipam_done(&ipam);
    cat_nsd_free(nsd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vnfr_build_under_pressure),
        cmocka_unit_test(test_dep_update_under_pressure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
