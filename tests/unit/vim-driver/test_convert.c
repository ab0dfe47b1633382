/* Unit tests for popd-rest JSON -> Open Baton catalogue: the Server the NFVO turns into a VNFC
 * instance (extId, status, ips keyed by network name, floatingIps present), networks, images
 * named so that vm_image matches for a Generic and a Docker VIM, flavours, and replies that
 * lack what a conversion needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vimd-int.h"

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("bad test JSON: %s", e.text);
    return j;
}

static void assert_json_equal(json_t *got, const char *want)
{
    json_t *w = load(want);
    if (!json_equal(got, w)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
        char *x = json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("got  %s\nwant %s", g, x);
    }
    json_decref(w);
}

static const char container[] =
    "{\"id\":\"0f7e6a4c-2b1d-4c3e-9a8b-7c6d5e4f3a2b\",\"names\":[\"server-123\"],"
    "\"image_id\":\"pop-tiny:latest\",\"flavour_id\":\"small\",\"command\":\"\","
    "\"created\":1488542552,\"started\":0,\"status\":\"CREATED\","
    "\"extended_status\":\"created; not started\",\"md\":{},"
    "\"endpoints\":{"
    "\"private\":{\"net_id\":\"n1\",\"net_name\":\"private\",\"endpoint_id\":\"e1\","
    "\"ipv4\":{\"address\":\"172.30.0.2\",\"subnet\":{\"cidr\":\"172.30.0.0/24\","
    "\"gateway\":\"172.30.0.1\"}},\"ipv6\":null,\"mac\":\"\"},"
    "\"data\":{\"net_id\":\"n2\",\"net_name\":\"data\",\"endpoint_id\":\"e2\","
    "\"ipv4\":{\"address\":\"10.0.0.5\",\"subnet\":{\"cidr\":\"10.0.0.0/24\","
    "\"gateway\":\"10.0.0.1\"}},\"ipv6\":null,\"mac\":\"\"}}}";

static void test_server(void **state)
{
    (void)state;
    json_t *c = load(container);
    json_t *s = NULL;
    assert_int_equal(vimd_server_answer(c, &s, NULL), 0);
    assert_json_equal(s, "{\"extId\":\"0f7e6a4c-2b1d-4c3e-9a8b-7c6d5e4f3a2b\","
                         "\"name\":\"server-123\",\"hostName\":\"server-123\","
                         "\"status\":\"CREATED\",\"extendedStatus\":\"created; not started\","
                         "\"image\":{\"extId\":\"pop-tiny:latest\",\"name\":\"pop-tiny:latest\"},"
                         "\"flavor\":{\"flavour_key\":\"small\",\"extId\":\"small\"},"
                         "\"ips\":{\"private\":[\"172.30.0.2\"],\"data\":[\"10.0.0.5\"]},"
                         "\"floatingIps\":{},\"created\":\"Mar 3, 2017 12:02:32 PM\"}");
    json_decref(s);
    json_decref(c);
}

/* The VNFM reads its own metadata back with mgmtCheck: the container's md is the Server's. */
static void test_server_carries_metadata(void **state)
{
    (void)state;
    json_t *c = load(container);
    json_object_set_new(c, "md", json_pack("{s:s, s:s}", "SERVER_PRIVATE", "172.30.0.9", "B", ""));
    json_t *s = NULL;
    assert_int_equal(vimd_server_answer(c, &s, NULL), 0);
    json_t *md = json_object_get(s, "metadata");
    assert_string_equal(json_string_value(json_object_get(md, "SERVER_PRIVATE")), "172.30.0.9");
    assert_string_equal(json_string_value(json_object_get(md, "B")), "");
    assert_int_equal(json_object_size(md), 2);
    json_decref(s);
    json_decref(c);
}

static void test_server_protocol_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"names\":[\"a\"],\"status\":\"CREATED\",\"endpoints\":{}}",
        "{\"id\":\"x\",\"names\":[],\"status\":\"CREATED\",\"endpoints\":{}}",
        "{\"id\":\"x\",\"names\":[\"a\"],\"endpoints\":{}}",
        "{\"id\":\"x\",\"names\":[\"a\"],\"status\":\"CREATED\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *c = load(bad[i]);
        json_t *s = (json_t *)0x1;
        struct pop_error err = POP_ERROR_INIT;
        assert_int_equal(vimd_server_answer(c, &s, &err), -EPROTO);
        assert_string_equal(err.detail,
                            "popd-rest answered a container without id, names, status or "
                            "endpoints");
        assert_ptr_equal(s, (json_t *)0x1);
        json_decref(c);
    }
}

static void test_network(void **state)
{
    (void)state;
    json_t *n = load("{\"id\":\"net-1\",\"name\":\"private\",\"external\":false,\"internal\":false,"
                     "\"subnets\":[{\"cidr\":\"172.30.0.0/24\",\"gateway\":\"172.30.0.1\"}],"
                     "\"created\":1}");
    struct cat_network net = {0};
    assert_int_equal(vimd_network_from_pop(n, &net, NULL), 0);
    json_t *j = cat_network_to_json(&net, 0);
    assert_json_equal(j, "{\"name\":\"private\",\"extId\":\"net-1\",\"subnet\":\"172.30.0.0/24\","
                         "\"gateway\":\"172.30.0.1\",\"driver\":\"bridge\",\"scope\":\"local\"}");
    /* A DockerNetwork by content, as the NFVO will read it. */
    assert_int_equal(cat_network_class_of(&net), CAT_NETWORK_DOCKER);
    json_decref(j);
    cat_network_clear(&net);
    json_decref(n);

    n = load("{\"id\":\"net-1\",\"name\":\"private\",\"subnets\":[]}");
    struct pop_error err = POP_ERROR_INIT;
    assert_int_equal(vimd_network_from_pop(n, &net, &err), -EPROTO);
    assert_string_equal(err.detail, "popd-rest answered a network without id, name or subnet");
    cat_network_clear(&net);
    json_decref(n);
}

/* One image per name; a Generic VIM matches vm_image against extId, a Docker VIM against
 * tags (cat_vim_find_image is Open Baton's rule), and "repo" works like "repo:latest" for the
 * latter. */
static void test_images(void **state)
{
    (void)state;
    json_t *list =
        load("[{\"id\":\"sha256:aa\",\"names\":[\"pop-tiny:latest\",\"lab/tiny:1.0\"],"
             "\"created\":1488542552,\"size\":5},"
             "{\"id\":\"sha256:bb\",\"names\":[\"localhost:5000/sipp:latest\"],\"created\":0,"
             "\"size\":1}]");
    struct cat_vim *v = cat_vim_new();
    assert_non_null(v);
    assert_int_equal(vimd_images_from_pop(list, &v->images, NULL), 0);
    json_t *j = cat_vim_to_json(v, 0);
    assert_json_equal(
        json_object_get(j, "images"),
        "[{\"extId\":\"pop-tiny:latest\",\"name\":\"pop-tiny:latest\","
        "\"tags\":[\"pop-tiny:latest\",\"pop-tiny\"],\"created\":\"Mar 3, 2017 12:02:32 PM\"},"
        "{\"extId\":\"lab/tiny:1.0\",\"name\":\"lab/tiny:1.0\",\"tags\":[\"lab/tiny:1.0\"],"
        "\"created\":\"Mar 3, 2017 12:02:32 PM\"},"
        "{\"extId\":\"localhost:5000/sipp:latest\",\"name\":\"localhost:5000/sipp:latest\","
        "\"tags\":[\"localhost:5000/sipp:latest\",\"localhost:5000/sipp\"],"
        "\"created\":\"Jan 1, 1970 12:00:00 AM\"}]");
    json_decref(j);

    assert_int_equal(cat_set_str(&v->type, "pop"), 0); /* a GenericVimInstance */
    assert_non_null(cat_vim_find_image(v, "pop-tiny:latest"));
    assert_null(cat_vim_find_image(v, "pop-tiny"));
    assert_int_equal(cat_set_str(&v->type, "docker"), 0);
    assert_non_null(cat_vim_find_image(v, "pop-tiny"));
    assert_non_null(cat_vim_find_image(v, "lab/tiny:1.0"));
    assert_null(cat_vim_find_image(v, "lab/tiny"));
    assert_non_null(cat_vim_find_image(v, "localhost:5000/sipp"));
    cat_vim_free(v);
    json_decref(list);
}

static void test_flavour(void **state)
{
    (void)state;
    json_t *f = load("{\"id\":\"medium\",\"name\":\"medium\",\"vcpus\":2,\"ram\":2048}");
    struct cat_flavour x = {0};
    assert_int_equal(vimd_flavour_from_pop(f, &x, NULL), 0);
    json_t *j = cat_flavour_to_json(&x, 0);
    assert_json_equal(j, "{\"flavour_key\":\"medium\",\"extId\":\"medium\",\"vcpus\":2,"
                         "\"ram\":2048}");
    json_decref(j);
    cat_flavour_clear(&x);
    json_decref(f);
    f = load("{\"id\":\"m\",\"name\":\"m\",\"vcpus\":\"2\",\"ram\":1}");
    struct pop_error err = POP_ERROR_INIT;
    assert_int_equal(vimd_flavour_from_pop(f, &x, &err), -EPROTO);
    cat_flavour_clear(&x);
    json_decref(f);
}

static void test_list(void **state)
{
    (void)state;
    json_t *r = load("{\"list\":[1]}");
    const json_t *l = NULL;
    assert_int_equal(vimd_pop_list(r, "container", &l, NULL), 0);
    assert_int_equal(json_array_size(l), 1);
    json_decref(r);
    r = load("{\"items\":[]}");
    struct pop_error err = POP_ERROR_INIT;
    assert_int_equal(vimd_pop_list(r, "container", &l, &err), -EPROTO);
    assert_string_equal(err.detail, "popd-rest answered a container list without \"list\"");
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server),
        cmocka_unit_test(test_server_carries_metadata),
        cmocka_unit_test(test_server_protocol_errors),
        cmocka_unit_test(test_network),
        cmocka_unit_test(test_images),
        cmocka_unit_test(test_flavour),
        cmocka_unit_test(test_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
