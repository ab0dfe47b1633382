/* pop-nfvo's NSD onboarding (services/nfvo/onboard.c): every Open Baton fixture onboards in
 * both dependency forms (6.0 names, 3.2 objects), every refusal class answers naming the JSON
 * path at fault and changes nothing, and the stored NSD has ids, versions, project and dates. */
#include "helpers.h" /* tests/unit/catalogue: read_fixture, parse_text, assert_json_equal */

#include "onboard.h"

#include <ctype.h>

#define NOW 1700000000 /* 2023-11-14 22:13:20 UTC */

static const char *const fixtures[] = {
    "openbaton/openbaton-docker_docker-NSR-SIPp.json",
    "openbaton/openbaton-docker_docker-NSR-iperf3.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-iperf-docker.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-sipp-real-fms-heal.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-ncat-scaling.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-iperf-dummy-requires-provides.json",
    "openbaton/integration-tests_NetworkServiceDescriptor-with-many-dependencies.json",
    "openbaton/go-docker-vnfm_docker-iperf.json",
};

/* Rewrites every dependency's source and target as 3.2 objects (objects = true) or 6.0 names. */
static void set_dependency_form(json_t *nsd, bool objects)
{
    size_t i;
    json_t *dep;
    json_array_foreach (json_object_get(nsd, "vnf_dependency"), i, dep) {
        const char *keys[] = {"source", "target"};
        for (size_t k = 0; k < 2; k++) {
            json_t *ref = json_object_get(dep, keys[k]);
            const char *name = json_is_object(ref) ? json_string_value(json_object_get(ref, "name"))
                                                   : json_string_value(ref);
            assert_non_null(name);
            json_object_set_new(dep, keys[k],
                                objects ? json_pack("{s:s}", "name", name) : json_string(name));
        }
    }
}

static int onboard_json(const json_t *doc, struct cat_nsd **ret, struct pop_error *e)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    assert_non_null(text);
    int r = nfvo_nsd_onboard(text, strlen(text), "proj-1", NOW, ret, e);
    free(text);
    return r;
}

static bool is_uuid(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

struct seen {
    char ids[4096][37];
    size_t n;
    size_t kept; /* ids that were not UUIDs (given by the client) */
};

static int check_entity(struct cat_entity *ent, void *ud)
{
    struct seen *s = ud;
    assert_non_null(ent->id);
    assert_true(ent->hb_version.set);
    if (!is_uuid(ent->id)) {
        s->kept++;
        return 0;
    }
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], ent->id) == 0)
            fail_msg("id %s given twice", ent->id);
    assert_true(s->n < 4096);
    snprintf(s->ids[s->n++], 37, "%s", ent->id);
    return 0;
}

/* What every onboarded NSD has: ids everywhere, unique, hbVersion, project, dates, enabled,
 * dependencies by name with the VNFDs' ids. */
static void check_stored(struct cat_nsd *nsd)
{
    static struct seen s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(cat_foreach_entity(&cat_nsd_class, nsd, check_entity, &s), 0);
    assert_true(s.n > 3 * nsd->vnfd.n);
    assert_string_equal(nsd->base.project_id, "proj-1");
    assert_string_equal(nsd->created_at, "2023.11.14 at 22:13:20 UTC");
    assert_string_equal(nsd->updated_at, nsd->created_at);
    assert_true(nsd->enabled.set && nsd->enabled.v);
    for (size_t i = 0; i < nsd->vnfd.n; i++) {
        const struct cat_vnfd *v = &nsd->vnfd.v[i];
        assert_string_equal(v->base.project_id, "proj-1");
        assert_string_equal(v->created_at, nsd->created_at);
        for (size_t k = 0; k < v->vdu.n; k++) {
            assert_string_equal(v->vdu.v[k].base.project_id, "proj-1");
            assert_non_null(v->vdu.v[k].name);
        }
    }
    for (size_t i = 0; i < nsd->vnf_dependency.n; i++) {
        const struct cat_vnf_dependency *d = &nsd->vnf_dependency.v[i];
        assert_string_equal(d->source_id, cat_nsd_find_vnfd(nsd, d->source)->base.id);
        assert_string_equal(d->target_id, cat_nsd_find_vnfd(nsd, d->target)->base.id);
        assert_true(d->parameters.n > 0);
        for (size_t k = i + 1; k < nsd->vnf_dependency.n; k++)
            assert_false(strcmp(d->source, nsd->vnf_dependency.v[k].source) == 0 &&
                         strcmp(d->target, nsd->vnf_dependency.v[k].target) == 0);
    }
    /* The stored form writes dependencies as 6.0 names. */
    json_t *out = cat_nsd_to_json(nsd, 0);
    assert_non_null(out);
    size_t i;
    json_t *dep;
    json_array_foreach (json_object_get(out, "vnf_dependency"), i, dep) {
        assert_true(json_is_string(json_object_get(dep, "source")));
        assert_true(json_is_string(json_object_get(dep, "target")));
    }
    json_decref(out);
}

static void test_every_fixture_in_both_forms(void **state)
{
    (void)state;
    for (size_t f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++)
        for (int objects = 0; objects < 2; objects++) {
            size_t len;
            char *text = read_fixture(fixtures[f], &len);
            json_t *doc = parse_text(text);
            set_dependency_form(doc, objects);
            struct cat_nsd *nsd = NULL;
            struct pop_error e = POP_ERROR_INIT;
            if (onboard_json(doc, &nsd, &e) < 0)
                fail_msg("%s (%s form): %s", fixtures[f], objects ? "3.2" : "6.0", e.detail);
            check_stored(nsd);
            assert_int_equal(nsd->vnfd.n, json_array_size(json_object_get(doc, "vnfd")));
            cat_nsd_free(nsd);
            json_decref(doc);
            free(text);
        }
}

static struct cat_nsd *onboard_fixture(const char *rel)
{
    size_t len;
    char *text = read_fixture(rel, &len);
    struct cat_nsd *nsd = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (nfvo_nsd_onboard(text, len, "proj-1", NOW, &nsd, &e) < 0)
        fail_msg("%s: %s", rel, e.detail);
    free(text);
    return nsd;
}

/* §4.1: `requires` becomes a dependency keyed by VNFD names. */
static void test_requires_becomes_dependency(void **state)
{
    (void)state;
    struct cat_nsd *nsd = onboard_fixture(
        "openbaton/integration-tests_NetworkServiceDescriptor-iperf-dummy-requires-provides.json");
    assert_int_equal(nsd->vnf_dependency.n, 1);
    const struct cat_vnf_dependency *d = &nsd->vnf_dependency.v[0];
    assert_string_equal(d->source, "iperf-server");
    assert_string_equal(d->target, "iperf-client");
    assert_int_equal(d->parameters.n, 1);
    assert_string_equal(d->parameters.v[0], "private");
    /* the VNFD keeps its requires as sent */
    assert_int_equal(cat_nsd_find_vnfd(nsd, "iperf-client")->requires.n, 1);
    cat_nsd_free(nsd);
}

/* NFVO 6 accepts cycles and marks the VNFDs on one; the others are left as they were. */
static void test_cycles_marked(void **state)
{
    (void)state;
    struct cat_nsd *nsd = onboard_fixture(
        "openbaton/integration-tests_NetworkServiceDescriptor-with-many-dependencies.json");
    /* 6 -> 8 -> 6 is a cycle. */
    assert_true(cat_nsd_find_vnfd(nsd, "vnf-dummy-6")->cyclic_dependency.v);
    assert_true(cat_nsd_find_vnfd(nsd, "vnf-dummy-8")->cyclic_dependency.v);
    cat_nsd_free(nsd);

    nsd = onboard_fixture("openbaton/openbaton-docker_docker-NSR-SIPp.json");
    for (size_t i = 0; i < nsd->vnfd.n; i++)
        assert_false(nsd->vnfd.v[i].cyclic_dependency.v);
    cat_nsd_free(nsd);
}

/* A small valid NSD the refusal cases mutate: two VNFDs on the NSD's VL "net", b needs a. */
static const char base_nsd[] =
    "{\"name\":\"n\",\"vendor\":\"v\",\"version\":\"1\",\"vld\":[{\"name\":\"net\","
    "\"poolName\":\"pool\"}],"
    "\"vnfd\":[{\"name\":\"a\",\"vendor\":\"v\",\"version\":\"1\",\"type\":\"ta\","
    "\"endpoint\":\"e\",\"lifecycle_event\":[{\"event\":\"INSTANTIATE\",\"lifecycle_events\":"
    "[\"i.sh\"]}],\"vdu\":[{\"vm_image\":[\"img\"],\"scale_in_out\":2,\"vnfc\":"
    "[{\"connection_point\":[{\"virtual_link_reference\":\"net\"}]}]}]},"
    "{\"name\":\"b\",\"vendor\":\"v\",\"version\":\"1\",\"type\":\"tb\",\"endpoint\":\"e\","
    "\"vdu\":[{\"name\":\"bv\",\"vm_image\":[\"img\"],\"scale_in_out\":1,\"vnfc\":"
    "[{\"connection_point\":[{\"virtual_link_reference\":\"net\"}]}]}]}],"
    "\"vnf_dependency\":[{\"source\":\"a\",\"target\":\"b\",\"parameters\":[\"net\"]}]}";

/* Any JSON value (the test's own text). */
static json_t *parse_text_any(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    return v;
}

/* The value at a path like "vnfd[0].vdu[0].name" is set to v (stolen; NULL deletes it). */
static void set_path(json_t *root, const char *path, json_t *v)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *cur = root;
    char *p = buf;
    for (;;) {
        char *end = p + strcspn(p, ".[");
        char sep = *end;
        *end = '\0';
        size_t idx = 0;
        bool indexed = sep == '[';
        char *next = end + 1;
        if (indexed) {
            idx = strtoul(next, &next, 10);
            assert_true(*next == ']');
            next++;
            sep = *next;
            if (sep)
                next++;
        }
        if (!sep) {
            if (indexed) {
                json_t *arr = json_object_get(cur, p);
                if (v)
                    assert_int_equal(json_array_set_new(arr, idx, v), 0);
                else
                    assert_int_equal(json_array_remove(arr, idx), 0);
            } else if (v) {
                assert_int_equal(json_object_set_new(cur, p, v), 0);
            } else {
                assert_int_equal(json_object_del(cur, p), 0);
            }
            return;
        }
        cur = json_object_get(cur, p);
        if (indexed)
            cur = json_array_get(cur, idx);
        assert_non_null(cur);
        p = next;
    }
}

struct refusal {
    const char *what;
    const char *path;  /* set (or, value NULL, delete) this... */
    const char *value; /* ...to this JSON */
    int r;
    const char *field; /* the problem's field */
    const char *detail;
};

static const struct refusal refusals[] = {
    /* missing required fields (§4.1 *) */
    {"nsd name", "name", NULL, -EINVAL, "name", "required"},
    {"nsd vendor", "vendor", NULL, -EINVAL, "vendor", "required"},
    {"nsd version", "version", NULL, -EINVAL, "version", "required"},
    {"vnfd list", "vnfd", NULL, -EINVAL, "vnfd", "required"},
    {"empty vnfd list", "vnfd", "[]", -EINVAL, "vnfd", "at least one"},
    {"vnfd name", "vnfd[1].name", NULL, -EINVAL, "vnfd[1].name", "required"},
    {"vnfd vendor", "vnfd[0].vendor", NULL, -EINVAL, "vnfd[0].vendor", "required"},
    {"vnfd type", "vnfd[0].type", NULL, -EINVAL, "vnfd[0].type", "required"},
    {"vnfd endpoint", "vnfd[0].endpoint", "\"\"", -EINVAL, "vnfd[0].endpoint", "required"},
    {"vdu list", "vnfd[0].vdu", NULL, -EINVAL, "vnfd[0].vdu", "required"},
    {"empty vdu list", "vnfd[0].vdu", "[]", -EINVAL, "vnfd[0].vdu", "at least one"},
    {"vm_image", "vnfd[0].vdu[0].vm_image", "[]", -EINVAL, "vnfd[0].vdu[0].vm_image", "image"},
    {"vnfc connection_point", "vnfd[0].vdu[0].vnfc[0].connection_point", NULL, -EINVAL,
     "vnfd[0].vdu[0].vnfc[0].connection_point", "required"},
    {"virtual_link_reference", "vnfd[0].vdu[0].vnfc[0].connection_point[0].virtual_link_reference",
     NULL, -EINVAL, "vnfd[0].vdu[0].vnfc[0].connection_point[0].virtual_link_reference",
     "required"},
    {"vld name", "vld[0].name", NULL, -EINVAL, "vld[0].name", "required"},
    {"event", "vnfd[0].lifecycle_event[0].event", NULL, -EINVAL, "vnfd[0].lifecycle_event[0].event",
     "required"},
    {"dependency source", "vnf_dependency[0].source", NULL, -EINVAL, "vnf_dependency[0].source",
     "required"},
    /* a connection point on a virtual link nobody declares */
    {"undeclared link", "vnfd[1].vdu[0].vnfc[0].connection_point[0].virtual_link_reference",
     "\"other\"", -EINVAL, "vnfd[1].vdu[0].vnfc[0].connection_point[0].virtual_link_reference",
     "'other' is not a virtual link"},
    /* dependencies on unknown VNFs, on itself, without parameters */
    {"unknown source", "vnf_dependency[0].source", "\"ghost\"", -EINVAL, "vnf_dependency[0].source",
     "no VNFD named 'ghost'"},
    {"unknown target (3.2 form)", "vnf_dependency[0].target", "{\"name\":\"ghost\"}", -EINVAL,
     "vnf_dependency[0].target", "no VNFD named 'ghost'"},
    {"unknown requires", "vnfd[1].requires", "{\"ghost\":{\"parameters\":[\"x\"]}}", -EINVAL,
     "vnfd[1].requires.ghost", "no VNFD named 'ghost'"},
    {"self dependency", "vnf_dependency[0].target", "\"a\"", -EINVAL, "vnf_dependency[0].source",
     "cannot depend on itself"},
    {"no parameters", "vnf_dependency[0].parameters", "[]", -EINVAL, "vnf_dependency[0].parameters",
     "at least one parameter"},
    {"absent parameters", "vnf_dependency[0].parameters", NULL, -EINVAL,
     "vnf_dependency[0].parameters", "at least one parameter"},
    {"empty parameter", "vnf_dependency[0].parameters", "[\"\"]", -EINVAL,
     "vnf_dependency[0].parameters[0]", "required"},
    /* duplicate names */
    {"duplicate vnf", "vnfd[1].name", "\"a\"", -EINVAL, "vnfd[1].name", "also the name of vnfd[0]"},
    /* scale_in_out */
    {"scale 0", "vnfd[0].vdu[0].scale_in_out", "0", -EINVAL, "vnfd[0].vdu[0].scale_in_out",
     "at least 1"},
    {"scale negative", "vnfd[0].vdu[0].scale_in_out", "-3", -EINVAL, "vnfd[0].vdu[0].scale_in_out",
     "at least 1"},
    {"scale huge", "vnfd[0].vdu[0].scale_in_out", "100000", -EINVAL, "vnfd[0].vdu[0].scale_in_out",
     "at most 1000"},
    {"scale below vnfcs", "vnfd[1].vdu[0].vnfc",
     "[{\"connection_point\":[{\"virtual_link_reference\":\"net\"}]},"
     "{\"connection_point\":[{\"virtual_link_reference\":\"net\"}]}]",
     -EINVAL, "vnfd[1].vdu[0].scale_in_out", "below the 2 VNF components"},
    /* type mismatches */
    {"scale as text", "vnfd[0].vdu[0].scale_in_out", "\"two\"", -EINVAL,
     "vnfd[0].vdu[0].scale_in_out", "integer"},
    {"source as number", "vnf_dependency[0].source", "5", -EINVAL, "vnf_dependency[0].source", ""},
    {"vnfd as object", "vnfd", "{}", -EINVAL, "vnfd", ""},
    {"name as list", "name", "[\"n\"]", -EINVAL, "name", ""},
    {"unknown event", "vnfd[0].lifecycle_event[0].event", "\"EXPLODE\"", -EINVAL,
     "vnfd[0].lifecycle_event[0].event", ""},
    /* references and ids */
    {"vnfd by id", "vnfd[0]", "{\"id\":\"4d4f5c2e-0000-4000-8000-000000000000\"}", -EINVAL,
     "vnfd[0].id", "not supported"},
    {"nsd id", "id", "\"mine\"", -EINVAL, "id", "assigned by the NFVO"},
    /* sizes */
    {"long name", "vnfd[0].name",
     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
     -EINVAL, "vnfd[0].name", "longer than 255"},
};

static void test_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        const struct refusal *c = &refusals[i];
        print_message("%s\n", c->what);
        json_t *doc = parse_text(base_nsd);
        set_path(doc, c->path, c->value ? parse_text_any(c->value) : NULL);
        struct cat_nsd *nsd = (struct cat_nsd *)&doc, *sentinel = nsd;
        struct pop_error e = POP_ERROR_INIT;
        int r = onboard_json(doc, &nsd, &e);
        if (r != c->r)
            fail_msg("%s: expected %d, got %d (%s)", c->what, c->r, r, e.detail);
        assert_ptr_equal(nsd, sentinel);
        assert_string_equal(e.field, c->field);
        assert_int_equal(pop_error_api(&e), API_INVALID_FIELD);
        if (!strstr(e.detail, c->detail))
            fail_msg("%s: detail \"%s\" lacks \"%s\"", c->what, e.detail, c->detail);
        json_decref(doc);
    }
}

/* Over a count cap: 413 naming the list. */
static void test_oversized_lists(void **state)
{
    (void)state;
    const struct {
        const char *list, *field;
        size_t n;
    } cases[] = {
        {"vnfd", "vnfd", NFVO_NSD_VNFD_MAX + 1},
        {"vnfd[0].vdu", "vnfd[0].vdu", NFVO_NSD_VDU_MAX + 1},
        {"vnf_dependency[0].parameters", "vnf_dependency[0].parameters", NFVO_NSD_PARAM_MAX + 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *doc = parse_text(base_nsd);
        json_t *list = json_array();
        for (size_t k = 0; k < cases[i].n; k++) {
            json_t *one;
            if (strcmp(cases[i].list, "vnfd") == 0) {
                one = json_deep_copy(json_array_get(json_object_get(doc, "vnfd"), 0));
                char name[32];
                snprintf(name, sizeof(name), "v%zu", k);
                json_object_set_new(one, "name", json_string(name));
            } else if (strcmp(cases[i].list, "vnfd[0].vdu") == 0) {
                one = json_deep_copy(json_array_get(
                    json_object_get(json_array_get(json_object_get(doc, "vnfd"), 0), "vdu"), 0));
            } else {
                char p[32];
                snprintf(p, sizeof(p), "p%zu", k);
                one = json_string(p);
            }
            json_array_append_new(list, one);
        }
        set_path(doc, cases[i].list, list);
        struct cat_nsd *nsd = NULL;
        struct pop_error e = POP_ERROR_INIT;
        assert_int_equal(onboard_json(doc, &nsd, &e), -E2BIG);
        assert_null(nsd);
        assert_string_equal(e.field, cases[i].field);
        assert_int_equal(pop_error_api(&e), API_BODY_TOO_LARGE);
        assert_non_null(strstr(e.detail, "more than"));
        json_decref(doc);
    }
}

/* Dependencies with the same source and target merge, requires included, parameters once. */
static void test_merge(void **state)
{
    (void)state;
    json_t *doc = parse_text(base_nsd);
    json_array_append_new(json_object_get(doc, "vnf_dependency"),
                          parse_text("{\"source\":{\"name\":\"a\"},\"target\":\"b\","
                                     "\"parameters\":[\"hostname\",\"net\"]}"));
    set_path(doc, "vnfd[1].requires", parse_text("{\"a\":{\"parameters\":[\"extra\",\"net\"]}}"));
    struct cat_nsd *nsd = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (onboard_json(doc, &nsd, &e) < 0)
        fail_msg("%s", e.detail);
    assert_int_equal(nsd->vnf_dependency.n, 1);
    const struct cat_vnf_dependency *d = &nsd->vnf_dependency.v[0];
    assert_int_equal(d->parameters.n, 3);
    assert_string_equal(d->parameters.v[0], "net");
    assert_string_equal(d->parameters.v[1], "hostname");
    assert_string_equal(d->parameters.v[2], "extra");
    /* a requires entry without parameters is skipped, as NFVO 6 does */
    cat_nsd_free(nsd);
    set_path(doc, "vnfd[0].requires", parse_text("{\"b\":{\"parameters\":[]}}"));
    assert_int_equal(onboard_json(doc, &nsd, &e), 0);
    assert_int_equal(nsd->vnf_dependency.n, 1);
    assert_false(nsd->vnfd.v[0].cyclic_dependency.v);
    cat_nsd_free(nsd);
    /* with parameters it is a dependency b -> a: a cycle, accepted and marked */
    set_path(doc, "vnfd[0].requires", parse_text("{\"b\":{\"parameters\":[\"net\"]}}"));
    assert_int_equal(onboard_json(doc, &nsd, &e), 0);
    assert_int_equal(nsd->vnf_dependency.n, 2);
    assert_true(nsd->vnfd.v[0].cyclic_dependency.v && nsd->vnfd.v[1].cyclic_dependency.v);
    cat_nsd_free(nsd);
    json_decref(doc);
}

/* Ids: UUIDs where there were none, the client's kept; hbVersion 0; VDU names; chosenPool. */
static void test_assignment(void **state)
{
    (void)state;
    json_t *doc = parse_text(base_nsd);
    set_path(doc, "vnfd[0].vdu[0].vnfc[0].id", json_string("my-vnfc"));
    set_path(doc, "vnfd[0].vdu[0].vnfc[0].hbVersion", json_integer(7));
    struct cat_nsd *nsd = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (onboard_json(doc, &nsd, &e) < 0)
        fail_msg("%s", e.detail);
    check_stored(nsd);
    const struct cat_vdu *vdu = &nsd->vnfd.v[0].vdu.v[0];
    assert_string_equal(vdu->vnfc.v[0].base.id, "my-vnfc");
    assert_int_equal(vdu->vnfc.v[0].base.hb_version.v, 7);
    assert_string_equal(vdu->name, "a-1");
    assert_string_equal(nsd->vnfd.v[1].vdu.v[0].name, "bv");
    assert_true(is_uuid(nsd->base.id) && is_uuid(vdu->base.id) &&
                is_uuid(vdu->vnfc.v[0].connection_point.v[0].base.id) &&
                is_uuid(nsd->vld.v[0].base.id) && is_uuid(nsd->vnf_dependency.v[0].base.id) &&
                is_uuid(nsd->vnfd.v[0].lifecycle_event.v[0].base.id));
    assert_int_equal(nsd->base.hb_version.v, 0);
    assert_string_equal(vdu->vnfc.v[0].connection_point.v[0].chosen_pool, "pool");

    /* Two onboardings of one document get different ids. */
    struct cat_nsd *again = NULL;
    assert_int_equal(onboard_json(doc, &again, &e), 0);
    assert_string_not_equal(again->base.id, nsd->base.id);
    assert_string_not_equal(again->vnfd.v[0].base.id, nsd->vnfd.v[0].base.id);
    cat_nsd_free(again);
    cat_nsd_free(nsd);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_fixture_in_both_forms),
        cmocka_unit_test(test_requires_becomes_dependency),
        cmocka_unit_test(test_cycles_marked),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_oversized_lists),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_assignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
