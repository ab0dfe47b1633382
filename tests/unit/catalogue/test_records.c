/* lib/catalogue for the records and VIM-side objects the driver, VNFM and NFVO exchange:
 * lossless round trips of each sample, echoing a VNFR after changing it, deep copies, building
 * a Server from scratch, VIM credentials and image matching, and the small builders. */
#include "helpers.h"

static const struct {
    const char *file;
    const struct cat_class *cls;
} samples[] = {
    {"catalogue/vnfr-sipp-server-allocated.json", &cat_vnfr_class},
    {"catalogue/nsr-sipp.json", &cat_nsr_class},
    {"catalogue/vnfr-dependency-sipp.json", &cat_vnfr_dependency_class},
    {"catalogue/server-pop.json", &cat_server_class},
    {"catalogue/vim-openstack.json", &cat_vim_class},
    {"catalogue/vim-docker-refreshed.json", &cat_vim_class},
    {"catalogue/vim-pop-refreshed.json", &cat_vim_class},
    {"catalogue/vnf-package.json", &cat_vnf_package_class},
};

static void test_samples_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        size_t len;
        char *text = read_fixture(samples[i].file, &len);
        print_message("%s\n", samples[i].file);
        json_t *want = parse_text(text);
        void *obj = NULL, *copy = NULL;
        struct pop_error e = POP_ERROR_INIT;
        if (cat_parse_as(samples[i].cls, text, len, CAT_DEC_REQUIRED, &obj, &e) < 0)
            fail_msg("%s: %s", samples[i].file, e.detail);
        json_t *got = cat_encode(samples[i].cls, obj, 0);
        assert_json_equal(got, want);
        /* a deep copy says the same, and outlives its original */
        assert_int_equal(cat_copy(samples[i].cls, obj, &copy), 0);
        cat_free(samples[i].cls, obj);
        json_t *again = cat_encode(samples[i].cls, copy, 0);
        assert_json_equal(again, want);
        cat_free(samples[i].cls, copy);
        json_decref(again);
        json_decref(got);
        json_decref(want);
        free(text);
    }
}

/* What a VNFM does with the VNFR ALLOCATE_RESOURCES answered: read it, add what it learnt,
 * send it back. Everything it did not touch, ids and hbVersion first, goes back as it came. */
static void test_vnfr_echo_after_changes(void **state)
{
    (void)state;
    size_t len;
    char *text = read_fixture("catalogue/vnfr-sipp-server-allocated.json", &len);
    json_t *want = parse_text(text);
    struct cat_vnfr *vnfr = NULL;
    assert_int_equal(cat_vnfr_parse(text, len, 0, &vnfr, NULL), 0);
    assert_int_equal(vnfr->status, CAT_STATUS_NULL);
    assert_int_equal(vnfr->base.hb_version.v, 3);
    struct cat_vdu *vdu = &vnfr->vdu.v[0];
    struct cat_vnfc_instance *vi = &vdu->vnfc_instance.v[0];
    assert_string_equal(cat_vnfc_instance_ip(vi, "private"), "192.168.69.19");
    assert_null(cat_vnfc_instance_ip(vi, "mgmt"));
    assert_string_equal(vi->vnf_component->connection_point.v[0].virtual_link_reference_id,
                        "net-7f3e");
    assert_string_equal(cat_strmap_get(&vdu->base.metadata, "az"), "zone-a");

    /* the VNFM's changes */
    vnfr->status = CAT_STATUS_INITIALIZED;
    assert_int_equal(cat_set_str(&vi->state, "ACTIVE"), 0);
    assert_int_equal(cat_strv_push(&vnfr->vnf_address, "192.168.69.19"), 0);
    struct cat_history_event *h = CAT_VEC_PUSH(&vnfr->lifecycle_event_history);
    assert_non_null(h);
    assert_int_equal(cat_set_str(&h->event, "INSTANTIATE"), 0);
    assert_int_equal(cat_set_str(&h->description, "configured by pop-vnfm"), 0);
    assert_int_equal(cat_configuration_set(vnfr->provides, "private", "192.168.69.19"), 0);
    assert_int_equal(cat_configuration_set(vnfr->configurations, "SIPP_RATE", "20"), 0);

    json_t *got = cat_vnfr_to_json(vnfr, 0);
    json_object_set_new(want, "status", json_string("INITIALIZED"));
    json_array_append_new(json_object_get(want, "vnf_address"), json_string("192.168.69.19"));
    json_array_append_new(json_object_get(want, "lifecycle_event_history"),
                          parse_text("{\"event\":\"INSTANTIATE\","
                                     "\"description\":\"configured by pop-vnfm\"}"));
    json_t *wvdu = json_array_get(json_object_get(want, "vdu"), 0);
    json_t *wvi = json_array_get(json_object_get(wvdu, "vnfc_instance"), 0);
    json_object_set_new(wvi, "state", json_string("ACTIVE"));
    json_t *pp = json_array_get(
        json_object_get(json_object_get(want, "provides"), "configurationParameters"), 0);
    json_object_set_new(pp, "value", json_string("192.168.69.19")); /* same id, same version */
    json_array_append_new(
        json_object_get(json_object_get(want, "configurations"), "configurationParameters"),
        parse_text("{\"confKey\":\"SIPP_RATE\",\"value\":\"20\"}"));
    assert_json_equal(got, want);
    json_decref(got);
    json_decref(want);

    /* removing an element frees what it owned (ASan watches) */
    CAT_VEC_REMOVE(&cat_vnfc_instance_class, &vdu->vnfc_instance, 0);
    assert_int_equal(vdu->vnfc_instance.n, 0);
    got = cat_vnfr_to_json(vnfr, 0);
    wvdu = json_array_get(json_object_get(got, "vdu"), 0);
    assert_int_equal(json_array_size(json_object_get(wvdu, "vnfc_instance")), 0);
    json_decref(got);
    cat_vnfr_free(vnfr);
    free(text);
}

static void test_dependency_record_typed(void **state)
{
    (void)state;
    size_t len;
    char *text = read_fixture("catalogue/vnfr-dependency-sipp.json", &len);
    struct cat_vnfr_dependency *d = NULL;
    assert_int_equal(cat_vnfr_dependency_parse(text, len, 0, &d, NULL), 0);
    assert_string_equal(d->target, "sipp-client");
    assert_string_equal(d->parameters.v[0].key, "server");
    assert_string_equal(cat_strmap_get(&d->parameters.v[0].value.parameters, "private"), "");
    struct cat_vnfc_dep_params *vp = &d->vnfc_parameters.v[0].value;
    assert_string_equal(d->vnfc_parameters.v[0].key, "server");
    assert_string_equal(vp->parameters.v[0].key, "02678d22-6a4c-4a0c-a5a4-6f2b2e0b4c11");
    assert_string_equal(cat_strmap_get(&vp->parameters.v[0].value.parameters, "private"),
                        "192.168.69.19");
    /* §11.7: an empty entry (here the target's own type) is there, and empty */
    assert_string_equal(d->vnfc_parameters.v[1].key, "client");
    assert_true(d->vnfc_parameters.v[1].value.parameters.set);
    assert_int_equal(d->vnfc_parameters.v[1].value.parameters.n, 0);
    assert_string_equal(cat_strmap_get(&d->id_type, "sipp-server"), "server");
    cat_vnfr_dependency_free(d);
    free(text);
}

/* The driver builds its answer to launchInstanceAndWait from popd-rest facts. */
static void test_build_server(void **state)
{
    (void)state;
    struct cat_server *s = cat_server_new();
    assert_non_null(s);
    assert_int_equal(cat_set_str(&s->name, "sipp-server-4242424"), 0);
    assert_int_equal(cat_set_str(&s->ext_id, "pop-ctr-5c1f"), 0);
    assert_int_equal(cat_set_str(&s->status, "CREATED"), 0);
    assert_int_equal(cat_set_str(&s->host_name, "sipp-server-4242424"), 0);
    assert_int_equal(cat_server_add_ip(s, "private", "192.168.69.19"), 0);
    assert_int_equal(cat_server_add_ip(s, "mgmt", "10.0.0.5"), 0);
    assert_int_equal(cat_server_add_ip(s, "mgmt", "fd00::5"), 0);
    s->floating_ips.set = true; /* {} rather than absent */
    assert_int_equal(cat_date_from_unix(1714554307, &s->created), 0);
    s->image = cat_image_new();
    assert_int_equal(cat_set_str(&s->image->ext_id, "sha256:3e1f"), 0);
    assert_int_equal(cat_strv_push(&s->image->tags, "mcilloni/sipp-server:latest"), 0);
    assert_string_equal(cat_server_ip(s, "mgmt"), "10.0.0.5");
    assert_null(cat_server_ip(s, "public"));

    json_t *got = cat_server_to_json(s, 0);
    json_t *want = parse_text(
        "{\"name\":\"sipp-server-4242424\",\"extId\":\"pop-ctr-5c1f\",\"status\":\"CREATED\","
        "\"hostName\":\"sipp-server-4242424\",\"ips\":{\"private\":[\"192.168.69.19\"],"
        "\"mgmt\":[\"10.0.0.5\",\"fd00::5\"]},\"floatingIps\":{},"
        "\"created\":\"May 1, 2024 9:05:07 AM\",\"image\":{\"extId\":\"sha256:3e1f\","
        "\"tags\":[\"mcilloni/sipp-server:latest\"]}}");
    assert_json_equal(got, want);
    json_decref(got);
    json_decref(want);
    cat_server_free(s);
    cat_server_free(NULL);
}

static struct cat_vim *vim_from(const char *text)
{
    struct cat_vim *v = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (cat_vim_parse(text, strlen(text), 0, &v, &e) < 0)
        fail_msg("%s", e.detail);
    return v;
}

static void expect_credentials(const char *text, const char *url, const char *user,
                               const char *password)
{
    struct cat_vim *v = vim_from(text);
    char *u = NULL, *n = NULL, *p = NULL;
    assert_int_equal(cat_vim_credentials(v, &u, &n, &p), 0);
    assert_string_equal(u, url);
    if (user)
        assert_string_equal(n, user);
    else
        assert_null(n);
    if (password)
        assert_string_equal(p, password);
    else
        assert_null(p);
    free(u);
    free(n);
    free(p);
    cat_vim_free(v);
}

static void test_vim_credentials(void **state)
{
    (void)state;
    /* fields, as an OpenStack-class VIM or our NFVO sends them */
    expect_credentials("{\"authUrl\":\"http://127.0.0.1:60000\",\"username\":\"admin\","
                       "\"password\":\"pw\"}",
                       "http://127.0.0.1:60000", "admin", "pw");
    /* a GenericVimInstance from a Java NFVO: only the authUrl userinfo is left */
    expect_credentials("{\"authUrl\":\"http://admin:s%40cret@127.0.0.1:60000/v1?x=@\"}",
                       "http://127.0.0.1:60000/v1?x=@", "admin", "s@cret");
    expect_credentials("{\"authUrl\":\"http://a%3Ab:p:q@h\"}", "http://h", "a:b", "p:q");
    expect_credentials("{\"authUrl\":\"http://user@h:1\"}", "http://h:1", "user", NULL);
    expect_credentials("{\"authUrl\":\"unix:///var/run/docker.sock\"}",
                       "unix:///var/run/docker.sock", NULL, NULL);
    /* fields win over userinfo, which is still taken out of the URL */
    expect_credentials("{\"authUrl\":\"http://x:y@h\",\"username\":\"u\",\"password\":\"p\"}",
                       "http://h", "u", "p");

    const char *bad[] = {"{\"authUrl\":\"http://a%zz:b@h\"}", "{\"authUrl\":\"http://a%0:b@h\"}",
                         "{\"authUrl\":\"http://a:b%00@h\"}", "{\"name\":\"no url\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cat_vim *v = vim_from(bad[i]);
        char *u = (char *)"x", *n = (char *)"x", *p = (char *)"x";
        assert_int_equal(cat_vim_credentials(v, &u, &n, &p), -EINVAL);
        assert_string_equal(u, "x"); /* untouched */
        cat_vim_free(v);
    }
}

static void test_vim_find_image(void **state)
{
    (void)state;
    size_t len;
    char *text = read_fixture("catalogue/vim-openstack.json", &len);
    struct cat_vim *v = NULL;
    assert_int_equal(cat_vim_parse(text, len, 0, &v, NULL), 0);
    free(text);
    const struct cat_image *img = cat_vim_find_image(v, "ubuntu-14.04-server-cloudimg-amd64-disk1");
    assert_non_null(img);
    assert_string_equal(img->ext_id, "6c1a");
    assert_int_equal(img->created.hour, 15);
    assert_null(cat_vim_find_image(v, "cirros")); /* KILLED is not active */
    assert_null(cat_vim_find_image(v, "6c1a"));   /* OpenStack matches names */
    assert_string_equal(v->networks.v[0].subnets.v[0].cidr, "192.168.69.0/24");
    assert_int_equal(cat_network_class_of(&v->networks.v[0]), CAT_NETWORK_OPENSTACK);
    assert_int_equal(v->flavours.v[0].ram.v, 2048);
    assert_string_equal(v->keys.v[0].public_key, "ssh-ed25519 AAAA ops@example");
    cat_vim_free(v);

    text = read_fixture("catalogue/vim-docker-refreshed.json", &len);
    assert_int_equal(cat_vim_parse(text, len, 0, &v, NULL), 0);
    free(text);
    img = cat_vim_find_image(v, "iperfserver:latest"); /* Docker matches tags */
    assert_non_null(img);
    assert_null(cat_vim_find_image(v, "sha256:0a1b"));
    assert_int_equal(cat_network_class_of(&v->networks.v[0]), CAT_NETWORK_DOCKER);
    cat_vim_free(v);

    text = read_fixture("catalogue/vim-pop-refreshed.json", &len);
    assert_int_equal(cat_vim_parse(text, len, 0, &v, NULL), 0);
    free(text);
    assert_non_null(cat_vim_find_image(v, "mcilloni/sipp-server:latest")); /* Generic: extId */
    assert_string_equal(cat_strmap_get(&v->base.metadata, "plugin"), "vim-drivers.pop.pop1");
    cat_vim_free(v);
}

static void test_small_types(void **state)
{
    (void)state;
    const char *docs[][2] = {
        {"{\"tenant\":\"t\",\"cores\":-1,\"floatingIps\":0,\"instances\":20,\"keyPairs\":5,"
         "\"ram\":51200}",
         "Quota"},
        {"{\"name\":\"k\",\"publicKey\":\"ssh-rsa AAAA\",\"fingerprint\":\"f\"}", "Key"},
        {"{\"flavour_key\":\"m1.small\",\"extId\":\"2\",\"ram\":2048,\"disk\":20,\"vcpus\":1}",
         "DeploymentFlavour"},
    };
    const struct cat_class *classes[] = {&cat_quota_class, &cat_key_class, &cat_flavour_class};
    for (size_t i = 0; i < 3; i++) {
        void *obj = NULL;
        assert_int_equal(
            cat_parse_as(classes[i], docs[i][0], strlen(docs[i][0]), CAT_DEC_REQUIRED, &obj, NULL),
            0);
        json_t *got = cat_encode(classes[i], obj, 0);
        json_t *want = parse_text(docs[i][0]);
        assert_json_equal(got, want);
        json_decref(got);
        json_decref(want);
        cat_free(classes[i], obj);
    }
    assert_decode_fails(&cat_key_class, "{\"name\":\"k\"}", CAT_DEC_REQUIRED, -EINVAL, "publicKey",
                        "required");
}

static void test_builders(void **state)
{
    (void)state;
    struct cat_strmap m = {0};
    assert_int_equal(cat_strmap_set(&m, "A", "1"), 0);
    assert_int_equal(cat_strmap_set(&m, "B", "2"), 0);
    assert_int_equal(cat_strmap_set(&m, "A", "3"), 0); /* replaced in place */
    assert_int_equal(m.n, 2);
    assert_string_equal(m.v[0].key, "A");
    assert_string_equal(cat_strmap_get(&m, "A"), "3");
    assert_true(cat_strmap_del(&m, "A"));
    assert_false(cat_strmap_del(&m, "A"));
    assert_null(cat_strmap_get(&m, "A"));
    assert_string_equal(m.v[0].key, "B");
    struct cat_vdu *vdu = cat_vdu_new();
    vdu->base.metadata = m; /* the VDU owns it now */
    assert_int_equal(cat_set_str(&vdu->name, "x"), 0);
    assert_int_equal(cat_set_str(&vdu->name, NULL), 0);
    assert_null(vdu->name);
    struct cat_vnf_component *c = CAT_VEC_PUSH(&vdu->vnfc);
    struct cat_connection_point *cp = CAT_VEC_PUSH(&c->connection_point);
    assert_int_equal(cat_set_str(&cp->virtual_link_reference, "private"), 0);
    json_t *got = cat_vdu_to_json(vdu, 0);
    json_t *want = parse_text("{\"metadata\":{\"B\":\"2\"},\"vnfc\":[{\"connection_point\":"
                              "[{\"virtual_link_reference\":\"private\"}]}]}");
    assert_json_equal(got, want);
    json_decref(got);
    json_decref(want);
    struct cat_vdu *copy = NULL;
    assert_int_equal(cat_vdu_dup(vdu, &copy), 0);
    cat_vdu_clear(vdu);
    assert_int_equal(vdu->vnfc.n, 0);
    cat_vdu_free(vdu);
    assert_string_equal(copy->vnfc.v[0].connection_point.v[0].virtual_link_reference, "private");
    cat_vdu_free(copy);

    struct cat_configuration *conf = cat_configuration_new();
    assert_null(cat_configuration_get(conf, "k"));
    assert_int_equal(cat_configuration_set(conf, "k", "v"), 0);
    assert_int_equal(cat_configuration_set(conf, "k", "w"), 0);
    assert_int_equal(conf->configuration_parameters.n, 1);
    assert_string_equal(cat_configuration_get(conf, "k"), "w");
    cat_configuration_free(conf);
}

/* Counts the members named "id" or "hbVersion" anywhere in j. */
static size_t count_identities(const json_t *j)
{
    size_t n = 0;
    const char *k;
    json_t *v;
    size_t i;
    if (json_is_object(j)) {
        json_object_foreach ((json_t *)j, k, v)
            n += (strcmp(k, "id") == 0 || strcmp(k, "hbVersion") == 0) + count_identities(v);
    } else if (json_is_array(j)) {
        json_array_foreach (j, i, v)
            n += count_identities(v);
    }
    return n;
}

/* Removes every "id" and "hbVersion" member of j, recursively. */
static void strip_identities(json_t *j)
{
    const char *k;
    json_t *v;
    void *tmp;
    size_t i;
    if (json_is_object(j)) {
        json_object_foreach_safe(j, tmp, k, v)
        {
            if (strcmp(k, "id") == 0 || strcmp(k, "hbVersion") == 0)
                json_object_del(j, k);
            else
                strip_identities(v);
        }
    } else if (json_is_array(j)) {
        json_array_foreach (j, i, v)
            strip_identities(v);
    }
}

/* cat_drop_ids forgets the ids and versions at every level (a VDU inside a VNFR, a connection
 * point inside a component inside an instance) and nothing else. */
static void test_drop_ids(void **state)
{
    (void)state;
    size_t len;
    char *text = read_fixture("catalogue/vnfr-sipp-server-allocated.json", &len);
    json_t *want = parse_text(text);
    assert_true(count_identities(want) > 10);
    strip_identities(want);
    struct cat_vnfr *vnfr = NULL;
    assert_int_equal(cat_vnfr_parse(text, len, 0, &vnfr, NULL), 0);
    cat_vnfr_drop_ids(vnfr);
    json_t *got = cat_vnfr_to_json(vnfr, 0);
    assert_int_equal(count_identities(got), 0);
    assert_json_equal(got, want);
    cat_drop_ids(&cat_vnfr_class, NULL); /* accepts NULL */
    json_decref(got);
    json_decref(want);
    cat_vnfr_free(vnfr);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples_round_trip),
        cmocka_unit_test(test_vnfr_echo_after_changes),
        cmocka_unit_test(test_dependency_record_typed),
        cmocka_unit_test(test_build_server),
        cmocka_unit_test(test_vim_credentials),
        cmocka_unit_test(test_vim_find_image),
        cmocka_unit_test(test_small_types),
        cmocka_unit_test(test_builders),
        cmocka_unit_test(test_drop_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
