/* Dependency values as environment (services/vnfm/README.md, "Dependency values"): the thesis
 * example, names with odd characters, empty values, several networks and several source VNFCs,
 * partial records after scale-out and heal merged to what the whole record gives, scale-in,
 * a 3-level chain and the many-dependencies fixture with every environment written out; and the
 * state that carries it all in the target VNFCs' own metadata. */
#include "core/strbuf.h"
#include "standin.h"

static struct cat_vnfr_dependency *rec_from(const char *json)
{
    struct cat_vnfr_dependency *rec = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (cat_vnfr_dependency_parse(json, strlen(json), 0, &rec, &e) < 0)
        fail_msg("record: %s", e.detail);
    return rec;
}

static struct cat_vnfr *vnfr_from(const char *json)
{
    struct cat_vnfr *v = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (cat_vnfr_parse(json, strlen(json), 0, &v, &e) < 0)
        fail_msg("vnfr: %s", e.detail);
    return v;
}

static void assert_env(json_t *got, const char *lines)
{
    json_t *want = standin_env_text(lines);
    assert_json_equal(got, want);
    json_decref(want);
    json_decref(got);
}

static json_t *env_of(const struct dep_state *st, const struct cat_vnfr *target)
{
    json_t *env = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (dep_env(st, target, &env, NULL, &e) < 0)
        fail_msg("dep_env: %s", e.detail);
    return env;
}

static int apply(struct dep_state *st, const struct cat_vnfr_dependency *rec)
{
    struct pop_error e = POP_ERROR_INIT;
    int r = dep_state_apply(st, rec, "vnfrd", &e);
    if (r < 0)
        fail_msg("apply: %s", e.detail);
    return r;
}

/* A target's VNFCs as popd-rest holds their metadata, updated the way the VNFM's handlers do
 * it: dep_update over what mgmtCheck reads, then each patch applied as popd-rest merges it. */
struct target {
    struct cat_strmap *md[4];
    size_t n;
    struct cat_vnfr *vnfr;
};

static void target_open(struct target *t, struct cat_vnfr *vnfr, size_t n)
{
    memset(t, 0, sizeof(*t));
    t->vnfr = vnfr;
    t->n = n;
    for (size_t i = 0; i < n; i++)
        t->md[i] = standin_strmap(NULL);
}

static void target_close(struct target *t)
{
    for (size_t i = 0; i < t->n; i++)
        standin_strmap_free(t->md[i]);
}

/* One request; returns how many VNFCs got a patch (a running one would be recreated). */
static size_t target_update(struct target *t, const struct cat_vnfr_dependency *rec,
                            const char *remove_id)
{
    json_t *patches[4] = {0};
    struct pop_error e = POP_ERROR_INIT;
    if (dep_update((const struct cat_strmap *const *)t->md, t->n, rec, remove_id, t->vnfr, patches,
                   NULL, &e) < 0)
        fail_msg("dep_update: %s", e.detail);
    size_t patched = 0;
    for (size_t i = 0; i < t->n; i++) {
        patched += json_object_size(patches[i]) > 0;
        standin_patch(t->md[i], patches[i]);
        json_decref(patches[i]);
    }
    return patched;
}

/* The environment VNFC i has: its metadata without the VNFM's state keys. */
static json_t *target_env(const struct target *t, size_t i)
{
    json_t *env = json_object();
    for (size_t k = 0; k < t->md[i]->n; k++)
        if (strncmp(t->md[i]->v[k].key, DEP_STATE_PREFIX, strlen(DEP_STATE_PREFIX)) != 0)
            json_object_set_new(env, t->md[i]->v[k].key, json_string(t->md[i]->v[k].value));
    return env;
}

static const char sipp_client_config[] = "SIPP_LENGTH=0\n"
                                         "SIPP_RATE=10\n"
                                         "SIPP_RATE_PERIOD=1000\n"
                                         "SIPP_RATE_MAX=10\n"
                                         "SIPP_RATE_INCREASE=0\n"
                                         "SIPP_RTP_ECHO=10\n"
                                         "SIPP_TRANSPORT_MODE=u1";

static char *with_config(const char *lines)
{
    char *s = malloc(strlen(lines) + sizeof(sipp_client_config) + 2);
    assert_non_null(s);
    sprintf(s, "%s\n%s", lines, sipp_client_config);
    return s;
}

/* The thesis's example (reference §4.6, with ids as NFVO 6 sends it, plus the hostname the
 * record carries and the empty entry under the target's own type, §11.7): SERVER_PRIVATE is
 * the server's address, only what the dependency asks for is written, the client's own
 * configuration is there by its confKey. */
static void test_thesis_example(void **state)
{
    (void)state;
    struct cat_nsd *nsd =
        standin_onboard_fixture("openbaton/openbaton-docker_docker-NSR-SIPp.json");
    struct cat_vnfr *client = standin_build(nsd, cat_nsd_find_vnfd(nsd, "sipp-client"));
    char *text = read_fixture("catalogue/vnfr-dependency-sipp.json", NULL);
    struct cat_vnfr_dependency *rec = rec_from(text);
    assert_int_equal(dep_record_check(rec, client, NULL), 0);
    char *want = with_config("SERVER_PRIVATE=192.168.69.19\n"
                             "SERVER_PRIVATE_ALL=192.168.69.19");
    assert_env(standin_env(rec, client), want);
    free(want);
    cat_vnfr_dependency_free(rec);
    free(text);

    /* the whole launch through the stand-in: the client's SERVER_PRIVATE is the address the
     * server's VNFC got at ALLOCATE_RESOURCES */
    struct standin_ipam ipam = {0};
    struct cat_vnfr *server = standin_build(nsd, cat_nsd_find_vnfd(nsd, "sipp-server"));
    standin_grant(server);
    standin_allocate(&ipam, server);
    standin_grant(client);
    standin_allocate(&ipam, client);
    struct cat_vnfr *all[] = {server, client};
    rec = standin_record(nsd, all, 2, "sipp-client");
    json_t *env = standin_env(rec, client);
    const char *ip = cat_vnfc_instance_ip(&server->vdu.v[0].vnfc_instance.v[0], "private");
    assert_string_equal(ip, "10.1.0.2");
    assert_string_equal(json_string_value(json_object_get(env, "SERVER_PRIVATE")), ip);
    want = with_config("SERVER_PRIVATE=10.1.0.2\n"
                       "SERVER_PRIVATE_ALL=10.1.0.2");
    assert_env(env, want);
    free(want);
    cat_vnfr_dependency_free(rec);
    cat_vnfr_free(server);
    cat_vnfr_free(client);
    standin_ipam_done(&ipam);
    cat_nsd_free(nsd);
}

static void test_env_names(void **state)
{
    (void)state;
    static const struct {
        const char *type, *key, *name;
    } ok[] = {
        {"server", "private", "SERVER_PRIVATE"},
        {"web-server", "private.ip", "WEB_SERVER_PRIVATE_IP"},
        {"Mixed_Case", "Key9", "MIXED_CASE_KEY9"},
        {"a b", "c$d", "A_B_C_D"},
        {"3gpp", "x", "_3GPP_X"},
        {"s\xc3\xa9rver", "p", "S_RVER_P"},        /* é: one character, one '_' */
        {"\xe6\x97\xa5\xe6\x9c\xac", "k", "___K"}, /* two CJK characters */
        {"server", "private_floatingIp", "SERVER_PRIVATE_FLOATINGIP"},
        {"sipp_rate", NULL, "SIPP_RATE"},
        {"9lives", NULL, "_9LIVES"},
        {"a", "", "A_"},
    };
    char buf[DEP_MD_KEY_MAX + 1];
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        int r = dep_env_name(ok[i].type, ok[i].key, buf, sizeof(buf));
        assert_int_equal(r, (int)strlen(ok[i].name));
        assert_string_equal(buf, ok[i].name);
    }
    assert_int_equal(dep_env_name("", NULL, buf, sizeof(buf)), -EINVAL);
    char longname[DEP_MD_KEY_MAX + 2];
    memset(longname, 'a', DEP_MD_KEY_MAX);
    longname[DEP_MD_KEY_MAX] = '\0';
    assert_int_equal(dep_env_name(longname, NULL, buf, sizeof(buf)), DEP_MD_KEY_MAX);
    longname[DEP_MD_KEY_MAX] = 'a';
    longname[DEP_MD_KEY_MAX + 1] = '\0';
    assert_int_equal(dep_env_name(longname, NULL, buf, sizeof(buf)), -ENAMETOOLONG);
    assert_int_equal(dep_env_name("server", "private", buf, 8), -ENAMETOOLONG);
    assert_int_equal(dep_env_name("9", NULL, buf, 2), -ENAMETOOLONG); /* "_9" needs 3 */
    assert_int_equal(dep_env_name("x", NULL, buf, 0), -ENAMETOOLONG);

    /* odd names in a record, and names two parameters would share: the first claimant in the
     * README's order keeps it (types and keys in byte order, NAME before NAME_ALL, dependency
     * values before the target's own parameters), the others are noted */
    struct cat_vnfr_dependency *rec =
        rec_from("{\"target\":\"t\",\"parameters\":{"
                 "\"web-server\":{\"parameters\":{\"private.ip\":\"10.0.0.9\"}},"
                 "\"a-b\":{\"parameters\":{\"c\":\"from a-b\"}},"
                 "\"a\":{\"parameters\":{\"b_c\":\"from a\"}},"
                 "\"x\":{\"parameters\":{\"y_all\":\"literal\",\"y\":\"list\"}},"
                 "\"server\":{\"parameters\":{\"private\":\"10.0.0.1\"}}}}");
    struct cat_vnfr *target = vnfr_from(
        "{\"name\":\"t\",\"configurations\":{\"name\":\"c\",\"configurationParameters\":["
        "{\"confKey\":\"SERVER_PRIVATE\",\"value\":\"mine\"},"
        "{\"confKey\":\"my.key\",\"value\":\"1\"},{\"confKey\":\"my-key\",\"value\":\"2\"},"
        "{\"confKey\":\"pop_vnfm_gen\",\"value\":\"7\"}]},"
        "\"provides\":{\"name\":\"provides\",\"configurationParameters\":["
        "{\"confKey\":\"port\",\"value\":\"5060\"},{\"confKey\":\"my_key\",\"value\":\"3\"},"
        "{\"confKey\":\"user\"}]}}");
    struct dep_state *st = dep_state_new();
    assert_int_equal(apply(st, rec), 1);
    json_t *env = NULL;
    char *notes = NULL;
    assert_int_equal(dep_env(st, target, &env, &notes, NULL), 0);
    assert_env(env, "A_B_C=from a\n"
                    "A_B_C_ALL=from a\n"
                    "SERVER_PRIVATE=10.0.0.1\n"
                    "SERVER_PRIVATE_ALL=10.0.0.1\n"
                    "WEB_SERVER_PRIVATE_IP=10.0.0.9\n"
                    "WEB_SERVER_PRIVATE_IP_ALL=10.0.0.9\n"
                    "X_Y=list\n"
                    "X_Y_ALL=list\n"
                    "X_Y_ALL_ALL=literal\n"
                    "MY_KEY=1\n"
                    "PORT=5060");
    assert_non_null(notes);
    for (const char *const *n =
             (const char *const[]){"A_B_C (a-b.c) not set: the name is taken",
                                   "X_Y_ALL (x.y_all) not set: the name is taken",
                                   "SERVER_PRIVATE (configurations.SERVER_PRIVATE) not set",
                                   "MY_KEY (configurations.my-key) not set",
                                   "MY_KEY (provides.my_key) not set",
                                   "POP_VNFM_GEN (configurations.pop_vnfm_gen) not set: the "
                                   "POP_VNFM_ names are the VNFM's",
                                   NULL};
         *n; n++)
        if (!strstr(notes, *n))
            fail_msg("notes \"%s\" lack \"%s\"", notes, *n);
    free(notes);
    /* nothing dropped, no notes */
    dep_state_free(st);
    st = dep_state_new();
    assert_int_equal(dep_env(st, NULL, &env, &notes, NULL), 0);
    assert_null(notes);
    assert_int_equal(json_object_size(env), 0);
    json_decref(env);

    /* a name longer than a Pop takes is an error naming the parameter */
    char json[512];
    snprintf(json, sizeof(json), "{\"parameters\":{\"%.100s\":{\"parameters\":{\"%.30s\":\"v\"}}}}",
             longname, longname);
    cat_vnfr_dependency_free(rec);
    rec = rec_from(json);
    assert_int_equal(apply(st, rec), 1);
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(dep_env(st, NULL, &env, NULL, &e), -ENAMETOOLONG);
    if (!strstr(e.detail, "with _ALL would be longer than the 128"))
        fail_msg("%s", e.detail);
    dep_state_free(st);
    cat_vnfr_dependency_free(rec);
    cat_vnfr_free(target);
}

/* Empty values are never written: a VNFR-level "" (a key the NFVO could not fill), a VNFC's
 * "", empty entries whatever their type (§11.7, the target's own included), empty own
 * parameters. A VNFC without a value of its own takes the VNFR-level one when there is one. */
static void test_empty_values(void **state)
{
    (void)state;
    struct cat_vnfr_dependency *rec = rec_from(
        "{\"target\":\"sipp-client\",\"parameters\":{"
        "\"server\":{\"parameters\":{\"private\":\"\",\"port\":\"5060\",\"user\":\"\"}},"
        "\"client\":{\"parameters\":{}},"
        "\"lonely\":{\"parameters\":{\"k\":\"\"}}},"
        "\"vnfcParameters\":{"
        "\"client\":{\"parameters\":{}},"
        "\"server\":{\"parameters\":{\"v1\":{\"parameters\":{\"private\":\"10.0.0.1\",\"user\":"
        "\"\"}},\"v2\":{\"parameters\":{\"private\":\"\"}}}},"
        "\"other\":{\"parameters\":{}}},"
        "\"idType\":{\"sipp-server\":\"server\"}}");
    struct cat_vnfr *target = vnfr_from(
        "{\"name\":\"sipp-client\",\"type\":\"client\",\"configurations\":{\"name\":\"c\","
        "\"configurationParameters\":[{\"confKey\":\"SIPP_RATE\",\"value\":\"10\"},"
        "{\"confKey\":\"EMPTY\",\"value\":\"\"},{\"confKey\":\"NOVALUE\"}]}}");
    assert_env(standin_env(rec, target), "SERVER_PORT=5060\n"
                                         "SERVER_PORT_ALL=5060,5060\n"
                                         "SERVER_PRIVATE=10.0.0.1\n"
                                         "SERVER_PRIVATE_ALL=10.0.0.1\n"
                                         "SIPP_RATE=10");
    struct dep_state *st = dep_state_new();
    assert_int_equal(apply(st, rec), 1);
    assert_int_equal(dep_state_vnfc_count(st, NULL), 2); /* v2 is a source VNFC all the same */
    assert_int_equal(dep_state_vnfc_count(st, "client"), 0);
    dep_state_free(st);
    cat_vnfr_dependency_free(rec);

    /* an entry of only empty parts changes nothing */
    rec = rec_from("{\"vnfcParameters\":{\"client\":{\"parameters\":{}}},\"parameters\":{}}");
    st = dep_state_new();
    assert_int_equal(apply(st, rec), 0);
    assert_int_equal(dep_state_generation(st), 0);
    dep_state_free(st);
    cat_vnfr_dependency_free(rec);

    /* without VNFR-level keys for a type, every key its VNFCs have counts as asked for */
    rec = rec_from("{\"vnfcParameters\":{\"db\":{\"parameters\":{\"d1\":{\"parameters\":{"
                   "\"hostname\":\"db-1\",\"private\":\"10.0.0.5\"}}}}}}");
    assert_env(standin_env(rec, NULL), "DB_HOSTNAME=db-1\n"
                                       "DB_HOSTNAME_ALL=db-1\n"
                                       "DB_PRIVATE=10.0.0.5\n"
                                       "DB_PRIVATE_ALL=10.0.0.5");
    cat_vnfr_dependency_free(rec);
    cat_vnfr_free(target);
}

/* A VNFC on several networks: one name per asked-for network, none for what is not asked for
 * (the floating address here). */
static void test_several_networks(void **state)
{
    (void)state;
    struct cat_vnfr_dependency *rec = rec_from(
        "{\"target\":\"t\",\"parameters\":{\"server\":{\"parameters\":{\"private\":\"\","
        "\"mgmt\":\"\",\"hostname\":\"\"}}},\"vnfcParameters\":{\"server\":{\"parameters\":{"
        "\"v1\":{\"parameters\":{\"private\":\"10.1.0.2\",\"mgmt\":\"10.2.0.2\",\"hostname\":"
        "\"srv-1\",\"private_floatingIp\":\"192.0.2.7\"}},"
        "\"v2\":{\"parameters\":{\"private\":\"10.1.0.3\",\"mgmt\":\"10.2.0.3\",\"hostname\":"
        "\"srv-2\"}}}}}}");
    assert_env(standin_env(rec, NULL), "SERVER_HOSTNAME=srv-1\n"
                                       "SERVER_HOSTNAME_ALL=srv-1,srv-2\n"
                                       "SERVER_MGMT=10.2.0.2\n"
                                       "SERVER_MGMT_ALL=10.2.0.2,10.2.0.3\n"
                                       "SERVER_PRIVATE=10.1.0.2\n"
                                       "SERVER_PRIVATE_ALL=10.1.0.2,10.1.0.3");
    cat_vnfr_dependency_free(rec);
}

/* Several source VNFCs: the plain name is the first-created one's, _ALL all of them in
 * creation order; VNFCs first seen in one record are created in the order it lists them;
 * once known, a VNFC keeps its place whatever order a later record lists it in. */
static void test_several_source_vnfcs(void **state)
{
    (void)state;
    struct cat_vnfr_dependency *abc = rec_from(
        "{\"parameters\":{\"server\":{\"parameters\":{\"private\":\"\",\"port\":\"5060\"}}},"
        "\"vnfcParameters\":{\"server\":{\"parameters\":{"
        "\"id-c\":{\"parameters\":{\"private\":\"10.0.0.3\"}},"
        "\"id-a\":{\"parameters\":{\"private\":\"10.0.0.1\"}},"
        "\"id-b\":{\"parameters\":{\"private\":\"10.0.0.2\"}}}}}}");
    struct cat_vnfr_dependency *bac = rec_from(
        "{\"parameters\":{\"server\":{\"parameters\":{\"private\":\"\",\"port\":\"5060\"}}},"
        "\"vnfcParameters\":{\"server\":{\"parameters\":{"
        "\"id-b\":{\"parameters\":{\"private\":\"10.0.0.2\"}},"
        "\"id-a\":{\"parameters\":{\"private\":\"10.0.0.1\"}},"
        "\"id-c\":{\"parameters\":{\"private\":\"10.0.0.3\"}}}}}}");
    const char *want = "SERVER_PORT=5060\n"
                       "SERVER_PORT_ALL=5060,5060,5060\n"
                       "SERVER_PRIVATE=10.0.0.3\n"
                       "SERVER_PRIVATE_ALL=10.0.0.3,10.0.0.1,10.0.0.2";
    assert_env(standin_env(abc, NULL), want);
    struct dep_state *st = dep_state_new();
    assert_int_equal(apply(st, abc), 1);
    assert_int_equal(apply(st, bac), 0); /* the same facts in another order */
    assert_int_equal(dep_state_generation(st), 1);
    assert_env(env_of(st, NULL), want);
    /* same input, same environment, every time */
    for (int i = 0; i < 3; i++)
        assert_env(standin_env(abc, NULL), want);
    dep_state_free(st);
    cat_vnfr_dependency_free(abc);
    cat_vnfr_dependency_free(bac);
}

/* The SIPp NS launched through the stand-in, the client's two VNFCs holding what the VNFM
 * wrote: scale-outs of the server arrive as partial records (only the new VNFC, with every
 * address and the hostname, §11.15); merged, the client has what the whole record gives;
 * a scale-in drops one server; a heal of a server changes nothing on the client. */
struct sipp {
    struct cat_nsd *nsd;
    struct standin_ipam ipam;
    struct cat_vnfr *server, *client;
    struct cat_vnfr_dependency *stored; /* the NFVO's copy of the client's record */
    struct target t;
};

static void sipp_open(struct sipp *s)
{
    memset(s, 0, sizeof(*s));
    s->nsd = standin_onboard_fixture("openbaton/openbaton-docker_docker-NSR-SIPp.json");
    s->server = standin_build(s->nsd, cat_nsd_find_vnfd(s->nsd, "sipp-server"));
    s->client = standin_build(s->nsd, cat_nsd_find_vnfd(s->nsd, "sipp-client"));
    standin_grant(s->server);
    standin_allocate(&s->ipam, s->server); /* 10.1.0.2 */
    standin_grant(s->client);
    standin_allocate(&s->ipam, s->client);  /* 10.1.0.3 */
    standin_scale_out(&s->ipam, s->client); /* 10.1.0.4 */
    target_open(&s->t, s->client, 2);       /* the two client VNFCs get the same environment */
    struct cat_vnfr *all[] = {s->server, s->client};
    s->stored = standin_record(s->nsd, all, 2, "sipp-client");
    assert_int_equal(target_update(&s->t, s->stored, NULL), 2); /* the first MODIFY */
}

static void sipp_close(struct sipp *s)
{
    target_close(&s->t);
    cat_vnfr_dependency_free(s->stored);
    cat_vnfr_free(s->server);
    cat_vnfr_free(s->client);
    standin_ipam_done(&s->ipam);
    cat_nsd_free(s->nsd);
}

/* A scale-out of the server: the NFVO's stored record gets the new VNFC (ScaledTask's putAll),
 * the client gets the partial one. Returns the partial record. */
static struct cat_vnfr_dependency *sipp_scale_out(struct sipp *s)
{
    struct cat_vnfc_instance *vi = standin_scale_out(&s->ipam, s->server);
    struct cat_vnfr_dependency *partial = standin_partial(s->stored, s->server, vi);
    cat_vnfr_dependency_free(s->stored);
    struct cat_vnfr *all[] = {s->server, s->client};
    s->stored = standin_record(s->nsd, all, 2, "sipp-client");
    return partial;
}

/* The whole record with its VNFCs listed newest first (Java's HashMap order is not creation
 * order): once the target knows the older ones, the order of a record does not matter. */
static struct cat_vnfr_dependency *reversed(const struct cat_vnfr_dependency *rec)
{
    json_t *j = cat_vnfr_dependency_to_json(rec, 0);
    json_t *vp = json_object_get(json_object_get(json_object_get(j, "vnfcParameters"), "server"),
                                 "parameters");
    json_t *rev = json_object();
    const char *keys[16];
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach (vp, k, v)
        keys[n++] = k;
    while (n-- > 0)
        json_object_set(rev, keys[n], json_object_get(vp, keys[n]));
    json_object_set_new(json_object_get(json_object_get(j, "vnfcParameters"), "server"),
                        "parameters", rev);
    struct cat_vnfr_dependency *out = NULL;
    assert_int_equal(cat_vnfr_dependency_from_json(j, 0, &out, NULL), 0);
    json_decref(j);
    return out;
}

static void assert_client_env(const struct sipp *s, const char *lines)
{
    char *want = with_config(lines);
    for (size_t i = 0; i < s->t.n; i++)
        assert_env(target_env(&s->t, i), want);
    free(want);
}

static void test_scale_out_merges_to_the_whole_record(void **state)
{
    (void)state;
    struct sipp s;
    sipp_open(&s);
    assert_client_env(&s, "SERVER_PRIVATE=10.1.0.2\n"
                          "SERVER_PRIVATE_ALL=10.1.0.2");
    struct cat_vnfr_dependency *first = NULL;
    assert_int_equal(cat_vnfr_dependency_dup(s.stored, &first), 0);

    struct cat_vnfr_dependency *p1 = sipp_scale_out(&s); /* 10.1.0.5 */
    assert_int_equal(target_update(&s.t, p1, NULL), 2);
    assert_client_env(&s, "SERVER_PRIVATE=10.1.0.2\n"
                          "SERVER_PRIVATE_ALL=10.1.0.2,10.1.0.5");
    /* the whole record, in any order, says nothing more: nothing to patch */
    struct cat_vnfr_dependency *rev = reversed(s.stored);
    assert_int_equal(target_update(&s.t, s.stored, NULL), 0);
    assert_int_equal(target_update(&s.t, rev, NULL), 0);
    cat_vnfr_dependency_free(rev);

    struct cat_vnfr_dependency *p2 = sipp_scale_out(&s); /* 10.1.0.6 */
    assert_int_equal(target_update(&s.t, p2, NULL), 2);
    const char *three = "SERVER_PRIVATE=10.1.0.2\n"
                        "SERVER_PRIVATE_ALL=10.1.0.2,10.1.0.5,10.1.0.6";
    assert_client_env(&s, three);
    /* the scale-out record carries the hostname too; not asked for, it is not written */
    json_t *env = target_env(&s.t, 0);
    assert_null(json_object_get(env, "SERVER_HOSTNAME"));
    json_decref(env);
    /* the order in which a Pop lists the metadata is not the creation order */
    struct cat_strmap *md = s.t.md[0];
    for (size_t i = 0; i < md->n / 2; i++) {
        struct cat_strmap_entry tmp = md->v[i];
        md->v[i] = md->v[md->n - 1 - i];
        md->v[md->n - 1 - i] = tmp;
    }
    assert_int_equal(target_update(&s.t, NULL, NULL), 0);
    assert_client_env(&s, three);
    /* a redelivered MODIFY, the whole stored record, the same newest first: no patch */
    assert_int_equal(target_update(&s.t, p2, NULL), 0);
    rev = reversed(s.stored);
    assert_int_equal(target_update(&s.t, s.stored, NULL), 0);
    assert_int_equal(target_update(&s.t, rev, NULL), 0);
    assert_client_env(&s, three);

    /* the records in the order they came give what the whole record, listed in creation
     * order (as the stand-in, like our NFVO, lists it), gives a target that knew nothing */
    struct dep_state *st = dep_state_new();
    assert_int_equal(apply(st, first), 1);
    assert_int_equal(apply(st, p1), 1);
    assert_int_equal(apply(st, p2), 1);
    assert_int_equal(dep_state_vnfc_count(st, "server"), 3);
    json_t *merged = env_of(st, s.client);
    json_t *have = target_env(&s.t, 0);
    assert_json_equal(merged, have);
    json_t *whole = standin_env(s.stored, s.client);
    assert_json_equal(whole, have);
    /* a target that never saw the earlier records has only the record's order to go by */
    json_t *fresh_rev = standin_env(rev, s.client);
    assert_string_equal(json_string_value(json_object_get(fresh_rev, "SERVER_PRIVATE")),
                        "10.1.0.6");
    json_decref(fresh_rev);
    json_decref(whole);
    json_decref(have);
    json_decref(merged);
    dep_state_free(st);
    cat_vnfr_dependency_free(rev);
    cat_vnfr_dependency_free(p1);
    cat_vnfr_dependency_free(p2);
    cat_vnfr_dependency_free(first);
    sipp_close(&s);
}

/* rec without the VNFC instance id: the NFVO's stored record after a scale-in. */
static struct cat_vnfr_dependency *without(const struct cat_vnfr_dependency *rec, const char *id)
{
    json_t *j = cat_vnfr_dependency_to_json(rec, 0);
    json_object_del(json_object_get(json_object_get(json_object_get(j, "vnfcParameters"), "server"),
                                    "parameters"),
                    id);
    struct cat_vnfr_dependency *out = NULL;
    assert_int_equal(cat_vnfr_dependency_from_json(j, 0, &out, NULL), 0);
    json_decref(j);
    return out;
}

static void test_scale_in_drops_one_source(void **state)
{
    (void)state;
    struct sipp s;
    sipp_open(&s);
    cat_vnfr_dependency_free(sipp_scale_out(&s));
    cat_vnfr_dependency_free(sipp_scale_out(&s));
    assert_int_equal(target_update(&s.t, s.stored, NULL), 2); /* e.g. the target's own scale */
    assert_client_env(&s, "SERVER_PRIVATE=10.1.0.2\n"
                          "SERVER_PRIVATE_ALL=10.1.0.2,10.1.0.5,10.1.0.6");
    /* SCALE_IN of the middle server: the target gets only the removed VNFC instance */
    assert_int_equal(target_update(&s.t, NULL, "sipp-server-vnfci-2"), 2);
    const char *two = "SERVER_PRIVATE=10.1.0.2\n"
                      "SERVER_PRIVATE_ALL=10.1.0.2,10.1.0.6";
    assert_client_env(&s, two);
    struct cat_vnfr_dependency *rest = without(s.stored, "sipp-server-vnfci-2");
    char *want = with_config(two);
    assert_env(standin_env(rest, s.client), want);
    free(want);
    cat_vnfr_dependency_free(rest);
    assert_int_equal(target_update(&s.t, NULL, "sipp-server-vnfci-2"), 0); /* again: nothing */
    /* the first-created goes: the next one in creation order takes the plain name */
    assert_int_equal(target_update(&s.t, NULL, "sipp-server-vnfci-1"), 2);
    assert_client_env(&s, "SERVER_PRIVATE=10.1.0.6\n"
                          "SERVER_PRIVATE_ALL=10.1.0.6");
    /* the last one goes: no server names left, the client's own configuration stays */
    assert_int_equal(target_update(&s.t, NULL, "sipp-server-vnfci-3"), 2);
    for (size_t i = 0; i < s.t.n; i++)
        assert_env(target_env(&s.t, i), sipp_client_config);
    sipp_close(&s);
}

static void test_heal_keeps_place_and_values(void **state)
{
    (void)state;
    struct sipp s;
    sipp_open(&s);
    struct cat_vnfr_dependency *p = sipp_scale_out(&s); /* 10.1.0.5 */
    assert_int_equal(target_update(&s.t, p, NULL), 2);
    cat_vnfr_dependency_free(p);
    /* HEAL of the first server: same VNFC, same address; the MODIFY that follows (§3.7)
     * changes nothing, so no running client is recreated */
    struct cat_vnfc_instance *healed = &s.server->vdu.v[0].vnfc_instance.v[0];
    p = standin_partial(s.stored, s.server, healed);
    assert_int_equal(target_update(&s.t, p, NULL), 0);
    assert_client_env(&s, "SERVER_PRIVATE=10.1.0.2\n"
                          "SERVER_PRIVATE_ALL=10.1.0.2,10.1.0.5");
    cat_vnfr_dependency_free(p);
    /* a heal that brought a VNFC back elsewhere: new value, same place */
    free(healed->ips.v[0].ip);
    healed->ips.v[0].ip = strdup("10.1.0.9");
    p = standin_partial(s.stored, s.server, healed);
    assert_int_equal(target_update(&s.t, p, NULL), 2);
    assert_client_env(&s, "SERVER_PRIVATE=10.1.0.9\n"
                          "SERVER_PRIVATE_ALL=10.1.0.9,10.1.0.5");
    cat_vnfr_dependency_free(p);
    sipp_close(&s);
}

/* db -> app -> web: each target sees its own sources only; a scale-out of db reaches app's
 * two VNFCs and leaves web alone (dependencies are not transitive). */
static const char chain_nsd[] =
    "{\"name\":\"chain\",\"vendor\":\"t\",\"version\":\"1\","
    "\"vld\":[{\"name\":\"private\"},{\"name\":\"mgmt\"}],"
    "\"vnfd\":["
    "{\"name\":\"db\",\"vendor\":\"t\",\"version\":\"1\",\"type\":\"db\",\"endpoint\":\"mgmt\","
    "\"deployment_flavour\":[{\"flavour_key\":\"docker.container\"}],"
    "\"virtual_link\":[{\"name\":\"private\"},{\"name\":\"mgmt\"}],"
    "\"vdu\":[{\"vm_image\":[\"db:1\"],\"scale_in_out\":3,\"vnfc\":[{\"connection_point\":["
    "{\"virtual_link_reference\":\"private\"},{\"virtual_link_reference\":\"mgmt\"}]}]}]},"
    "{\"name\":\"app\",\"vendor\":\"t\",\"version\":\"1\",\"type\":\"app\",\"endpoint\":\"mgmt\","
    "\"deployment_flavour\":[{\"flavour_key\":\"docker.container\"}],"
    "\"virtual_link\":[{\"name\":\"private\"}],\"provides\":[\"port\"],"
    "\"configurations\":{\"name\":\"app-conf\",\"configurationParameters\":[{\"confKey\":"
    "\"port\",\"value\":\"8080\"}]},"
    "\"vdu\":[{\"vm_image\":[\"app:1\"],\"scale_in_out\":3,\"vnfc\":["
    "{\"connection_point\":[{\"virtual_link_reference\":\"private\"}]},"
    "{\"connection_point\":[{\"virtual_link_reference\":\"private\"}]}]}]},"
    "{\"name\":\"web\",\"vendor\":\"t\",\"version\":\"1\",\"type\":\"web\",\"endpoint\":\"mgmt\","
    "\"deployment_flavour\":[{\"flavour_key\":\"docker.container\"}],"
    "\"virtual_link\":[{\"name\":\"private\"}],"
    "\"vdu\":[{\"vm_image\":[\"web:1\"],\"vnfc\":[{\"connection_point\":["
    "{\"virtual_link_reference\":\"private\"}]}]}]}],"
    "\"vnf_dependency\":["
    "{\"source\":\"db\",\"target\":\"app\",\"parameters\":[\"private\",\"mgmt\",\"hostname\"]},"
    "{\"source\":\"app\",\"target\":\"web\",\"parameters\":[\"private\",\"port\"]}]}";

static void test_three_level_chain(void **state)
{
    (void)state;
    struct cat_nsd *nsd = standin_onboard_text(chain_nsd);
    struct standin_ipam ipam = {0};
    struct cat_vnfr *v[3];
    for (size_t i = 0; i < 3; i++) {
        v[i] = standin_build(nsd, &nsd->vnfd.v[i]);
        standin_grant(v[i]);
        standin_allocate(&ipam, v[i]);
    }
    struct target app, web;
    target_open(&app, v[1], 2);
    target_open(&web, v[2], 1);
    struct cat_vnfr_dependency *app_rec = standin_record(nsd, v, 3, "app");
    struct cat_vnfr_dependency *web_rec = standin_record(nsd, v, 3, "web");
    assert_int_equal(target_update(&app, app_rec, NULL), 2);
    assert_int_equal(target_update(&web, web_rec, NULL), 1);
    const char *app_env = "DB_HOSTNAME=db-1\n"
                          "DB_HOSTNAME_ALL=db-1\n"
                          "DB_MGMT=10.2.0.2\n"
                          "DB_MGMT_ALL=10.2.0.2\n"
                          "DB_PRIVATE=10.1.0.2\n"
                          "DB_PRIVATE_ALL=10.1.0.2\n"
                          "PORT=8080";
    for (size_t i = 0; i < 2; i++)
        assert_env(target_env(&app, i), app_env);
    const char *web_env = "APP_PORT=8080\n"
                          "APP_PORT_ALL=8080,8080\n"
                          "APP_PRIVATE=10.1.0.3\n"
                          "APP_PRIVATE_ALL=10.1.0.3,10.1.0.4";
    assert_env(target_env(&web, 0), web_env);

    /* db scales out: app gets the new db (its mgmt address and hostname included); web's
     * record does not change */
    struct cat_vnfc_instance *vi = standin_scale_out(&ipam, v[0]);
    struct cat_vnfr_dependency *partial = standin_partial(app_rec, v[0], vi);
    assert_int_equal(target_update(&app, partial, NULL), 2);
    for (size_t i = 0; i < 2; i++)
        assert_env(target_env(&app, i), "DB_HOSTNAME=db-1\n"
                                        "DB_HOSTNAME_ALL=db-1,db-2\n"
                                        "DB_MGMT=10.2.0.2\n"
                                        "DB_MGMT_ALL=10.2.0.2,10.2.0.3\n"
                                        "DB_PRIVATE=10.1.0.2\n"
                                        "DB_PRIVATE_ALL=10.1.0.2,10.1.0.6\n"
                                        "PORT=8080");
    struct cat_vnfr_dependency *web_again = standin_record(nsd, v, 3, "web");
    assert_int_equal(target_update(&web, web_again, NULL), 0);
    assert_env(target_env(&web, 0), web_env);
    cat_vnfr_dependency_free(web_again);
    cat_vnfr_dependency_free(partial);
    cat_vnfr_dependency_free(app_rec);
    cat_vnfr_dependency_free(web_rec);
    target_close(&app);
    target_close(&web);
    for (size_t i = 0; i < 3; i++)
        cat_vnfr_free(v[i]);
    standin_ipam_done(&ipam);
    cat_nsd_free(nsd);
}

/* The many-dependencies fixture (11 VNFs, each a target, up to five sources each): with
 * launch-time values for the parameters each VNF provides (param<k>-<i>, merged into its
 * configuration as the NFVO does, §3.6) and vnf-dummy-10 scaled out twice, every target's
 * environment, written out. They ask only for VNFR-level parameters, so each source VNFC
 * repeats its VNF's value in _ALL. */
static const struct {
    const char *target;
    const char *env;
} many_env[] = {
    {"vnf-dummy-1", "CONF3=3\n"
                    "CONF4=4\n"
                    "DUMMY4_PARAM1=param1-4\n"
                    "DUMMY4_PARAM1_ALL=param1-4\n"
                    "DUMMY4_PARAM2=param2-4\n"
                    "DUMMY4_PARAM2_ALL=param2-4\n"
                    "DUMMY7_PARAM1=param1-7\n"
                    "DUMMY7_PARAM1_ALL=param1-7\n"
                    "DUMMY7_PARAM3=param3-7\n"
                    "DUMMY7_PARAM3_ALL=param3-7\n"
                    "DUMMY8_PARAM3=param3-8\n"
                    "DUMMY8_PARAM3_ALL=param3-8\n"
                    "DUMMY8_PARAM4=param4-8\n"
                    "DUMMY8_PARAM4_ALL=param4-8\n"
                    "PARAM1=param1-1\n"
                    "PARAM2=param2-1"},
    {"vnf-dummy-2", "CONF3=3\n"
                    "CONF4=4\n"
                    "DUMMY10_PARAM1=param1-10\n"
                    "DUMMY10_PARAM1_ALL=param1-10,param1-10,param1-10\n"
                    "DUMMY10_PARAM2=param2-10\n"
                    "DUMMY10_PARAM2_ALL=param2-10,param2-10,param2-10\n"
                    "DUMMY11_PARAM1=param1-11\n"
                    "DUMMY11_PARAM1_ALL=param1-11\n"
                    "DUMMY11_PARAM2=param2-11\n"
                    "DUMMY11_PARAM2_ALL=param2-11\n"
                    "DUMMY1_PARAM1=param1-1\n"
                    "DUMMY1_PARAM1_ALL=param1-1\n"
                    "DUMMY1_PARAM2=param2-1\n"
                    "DUMMY1_PARAM2_ALL=param2-1\n"
                    "DUMMY3_PARAM1=param1-3\n"
                    "DUMMY3_PARAM1_ALL=param1-3\n"
                    "DUMMY3_PARAM2=param2-3\n"
                    "DUMMY3_PARAM2_ALL=param2-3\n"
                    "DUMMY6_PARAM1=param1-6\n"
                    "DUMMY6_PARAM1_ALL=param1-6\n"
                    "DUMMY6_PARAM2=param2-6\n"
                    "DUMMY6_PARAM2_ALL=param2-6\n"
                    "PARAM1=param1-2\n"
                    "PARAM2=param2-2"},
    {"vnf-dummy-3", "CONF3=3\n"
                    "CONF4=4\n"
                    "DUMMY4_PARAM1=param1-4\n"
                    "DUMMY4_PARAM1_ALL=param1-4\n"
                    "DUMMY4_PARAM2=param2-4\n"
                    "DUMMY4_PARAM2_ALL=param2-4\n"
                    "PARAM1=param1-3\n"
                    "PARAM2=param2-3"},
    {"vnf-dummy-4", "CONF3=3\n"
                    "CONF4=4\n"
                    "DUMMY11_PARAM1=param1-11\n"
                    "DUMMY11_PARAM1_ALL=param1-11\n"
                    "DUMMY11_PARAM2=param2-11\n"
                    "DUMMY11_PARAM2_ALL=param2-11\n"
                    "DUMMY5_PARAM1=param1-5\n"
                    "DUMMY5_PARAM1_ALL=param1-5\n"
                    "DUMMY5_PARAM2=param2-5\n"
                    "DUMMY5_PARAM2_ALL=param2-5\n"
                    "DUMMY7_PARAM1=param1-7\n"
                    "DUMMY7_PARAM1_ALL=param1-7\n"
                    "DUMMY7_PARAM2=param2-7\n"
                    "DUMMY7_PARAM2_ALL=param2-7\n"
                    "DUMMY7_PARAM3=param3-7\n"
                    "DUMMY7_PARAM3_ALL=param3-7\n"
                    "PARAM1=param1-4\n"
                    "PARAM2=param2-4"},
    {"vnf-dummy-5", "CONF3=3\n"
                    "CONF4=4\n"
                    "DUMMY6_PARAM1=param1-6\n"
                    "DUMMY6_PARAM1_ALL=param1-6\n"
                    "DUMMY6_PARAM2=param2-6\n"
                    "DUMMY6_PARAM2_ALL=param2-6\n"
                    "DUMMY9_PARAM2=param2-9\n"
                    "DUMMY9_PARAM2_ALL=param2-9\n"
                    "PARAM1=param1-5\n"
                    "PARAM2=param2-5"},
    {"vnf-dummy-6", "CONF3=3\n"
                    "CONF4=4\n"
                    "DUMMY11_PARAM1=param1-11\n"
                    "DUMMY11_PARAM1_ALL=param1-11\n"
                    "DUMMY11_PARAM2=param2-11\n"
                    "DUMMY11_PARAM2_ALL=param2-11\n"
                    "DUMMY4_PARAM1=param1-4\n"
                    "DUMMY4_PARAM1_ALL=param1-4\n"
                    "DUMMY4_PARAM2=param2-4\n"
                    "DUMMY4_PARAM2_ALL=param2-4\n"
                    "DUMMY7_PARAM2=param2-7\n"
                    "DUMMY7_PARAM2_ALL=param2-7\n"
                    "DUMMY7_PARAM3=param3-7\n"
                    "DUMMY7_PARAM3_ALL=param3-7\n"
                    "DUMMY8_PARAM1=param1-8\n"
                    "DUMMY8_PARAM1_ALL=param1-8\n"
                    "DUMMY8_PARAM2=param2-8\n"
                    "DUMMY8_PARAM2_ALL=param2-8\n"
                    "PARAM1=param1-6\n"
                    "PARAM2=param2-6"},
    {"vnf-dummy-7", "CONF3=3\n"
                    "CONF4=4\n"
                    "DUMMY10_PARAM1=param1-10\n"
                    "DUMMY10_PARAM1_ALL=param1-10,param1-10,param1-10\n"
                    "DUMMY10_PARAM2=param2-10\n"
                    "DUMMY10_PARAM2_ALL=param2-10,param2-10,param2-10\n"
                    "PARAM1=param1-7\n"
                    "PARAM2=param2-7\n"
                    "PARAM3=param3-7"},
    {"vnf-dummy-8", "CONF3=3\n"
                    "CONF4=4\n"
                    "DUMMY10_PARAM1=param1-10\n"
                    "DUMMY10_PARAM1_ALL=param1-10,param1-10,param1-10\n"
                    "DUMMY10_PARAM2=param2-10\n"
                    "DUMMY10_PARAM2_ALL=param2-10,param2-10,param2-10\n"
                    "DUMMY5_PARAM1=param1-5\n"
                    "DUMMY5_PARAM1_ALL=param1-5\n"
                    "DUMMY5_PARAM2=param2-5\n"
                    "DUMMY5_PARAM2_ALL=param2-5\n"
                    "DUMMY6_PARAM1=param1-6\n"
                    "DUMMY6_PARAM1_ALL=param1-6\n"
                    "DUMMY6_PARAM2=param2-6\n"
                    "DUMMY6_PARAM2_ALL=param2-6\n"
                    "PARAM1=param1-8\n"
                    "PARAM2=param2-8\n"
                    "PARAM3=param3-8\n"
                    "PARAM4=param4-8"},
    {"vnf-dummy-9", "CONF3=3\n"
                    "CONF4=4\n"
                    "DUMMY10_PARAM1=param1-10\n"
                    "DUMMY10_PARAM1_ALL=param1-10,param1-10,param1-10\n"
                    "DUMMY10_PARAM2=param2-10\n"
                    "DUMMY10_PARAM2_ALL=param2-10,param2-10,param2-10\n"
                    "DUMMY2_PARAM1=param1-2\n"
                    "DUMMY2_PARAM1_ALL=param1-2\n"
                    "DUMMY2_PARAM2=param2-2\n"
                    "DUMMY2_PARAM2_ALL=param2-2\n"
                    "DUMMY8_PARAM1=param1-8\n"
                    "DUMMY8_PARAM1_ALL=param1-8\n"
                    "DUMMY8_PARAM2=param2-8\n"
                    "DUMMY8_PARAM2_ALL=param2-8\n"
                    "DUMMY8_PARAM3=param3-8\n"
                    "DUMMY8_PARAM3_ALL=param3-8\n"
                    "DUMMY8_PARAM4=param4-8\n"
                    "DUMMY8_PARAM4_ALL=param4-8\n"
                    "PARAM1=param1-9\n"
                    "PARAM2=param2-9\n"
                    "PARAM3=param3-9\n"
                    "PARAM4=param4-9"},
    {"vnf-dummy-10", "CONF3=3\n"
                     "CONF4=4\n"
                     "DUMMY1_PARAM1=param1-1\n"
                     "DUMMY1_PARAM1_ALL=param1-1\n"
                     "DUMMY1_PARAM2=param2-1\n"
                     "DUMMY1_PARAM2_ALL=param2-1\n"
                     "DUMMY2_PARAM1=param1-2\n"
                     "DUMMY2_PARAM1_ALL=param1-2\n"
                     "DUMMY2_PARAM2=param2-2\n"
                     "DUMMY2_PARAM2_ALL=param2-2\n"
                     "DUMMY5_PARAM1=param1-5\n"
                     "DUMMY5_PARAM1_ALL=param1-5\n"
                     "DUMMY5_PARAM2=param2-5\n"
                     "DUMMY5_PARAM2_ALL=param2-5\n"
                     "PARAM1=param1-10\n"
                     "PARAM2=param2-10"},
    {"vnf-dummy-11", "CONF3=3\n"
                     "CONF4=4\n"
                     "DUMMY1_PARAM1=param1-1\n"
                     "DUMMY1_PARAM1_ALL=param1-1\n"
                     "DUMMY1_PARAM2=param2-1\n"
                     "DUMMY1_PARAM2_ALL=param2-1\n"
                     "DUMMY3_PARAM1=param1-3\n"
                     "DUMMY3_PARAM1_ALL=param1-3\n"
                     "DUMMY3_PARAM2=param2-3\n"
                     "DUMMY3_PARAM2_ALL=param2-3\n"
                     "DUMMY5_PARAM1=param1-5\n"
                     "DUMMY5_PARAM1_ALL=param1-5\n"
                     "DUMMY5_PARAM2=param2-5\n"
                     "DUMMY5_PARAM2_ALL=param2-5\n"
                     "PARAM1=param1-11\n"
                     "PARAM2=param2-11"},
};

static void test_many_dependencies_fixture(void **state)
{
    (void)state;
    struct cat_nsd *nsd = standin_onboard_fixture(
        "openbaton/integration-tests_NetworkServiceDescriptor-with-many-dependencies.json");
    assert_int_equal(nsd->vnfd.n, ARRAY_SIZE(many_env));
    struct standin_ipam ipam = {0};
    struct cat_vnfr *v[16];
    for (size_t i = 0; i < nsd->vnfd.n; i++) {
        struct cat_vnfd *d = &nsd->vnfd.v[i];
        const char *num = strrchr(d->name, '-') + 1;
        for (size_t k = 0; k < d->provides.n; k++) {
            if (strncmp(d->provides.v[k], "param", 5) != 0)
                continue;
            char value[64];
            snprintf(value, sizeof(value), "%s-%s", d->provides.v[k], num);
            assert_int_equal(cat_configuration_set(d->configurations, d->provides.v[k], value), 0);
        }
        v[i] = standin_build(nsd, d);
        standin_grant(v[i]);
        standin_allocate(&ipam, v[i]);
        if (strcmp(d->name, "vnf-dummy-10") == 0) {
            standin_scale_out(&ipam, v[i]);
            standin_scale_out(&ipam, v[i]);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(many_env); i++) {
        print_message("%s\n", many_env[i].target);
        struct cat_vnfr *target = standin_find(v, nsd->vnfd.n, many_env[i].target);
        struct cat_vnfr_dependency *rec = standin_record(nsd, v, nsd->vnfd.n, target->name);
        assert_env(standin_env(rec, target), many_env[i].env);
        /* what a Pop keeps of it gives the same environment back */
        struct dep_state *st = dep_state_new();
        assert_int_equal(apply(st, rec), 1);
        json_t *md = NULL;
        assert_int_equal(dep_metadata(st, target, &md, NULL, NULL), 0);
        assert_true(json_object_size(md) <= DEP_MD_ENTRIES_MAX);
        struct cat_strmap *kept = standin_strmap(md);
        struct dep_state *back = NULL;
        assert_int_equal(dep_state_from_metadata(kept, &back, NULL), 0);
        assert_int_equal(dep_state_generation(back), 1);
        assert_int_equal(dep_state_vnfc_count(back, NULL), dep_state_vnfc_count(st, NULL));
        assert_env(env_of(back, target), many_env[i].env);
        dep_state_free(back);
        standin_strmap_free(kept);
        json_decref(md);
        dep_state_free(st);
        cat_vnfr_dependency_free(rec);
    }
    for (size_t i = 0; i < nsd->vnfd.n; i++)
        cat_vnfr_free(v[i]);
    standin_ipam_done(&ipam);
    cat_nsd_free(nsd);
}

/* Where the state lives: in every target VNFC's metadata, next to the environment. The VNFC
 * an interrupted update missed has an older generation; the next update takes the newest and
 * brings the other up to it. Names the VNFM never wrote are left alone; its own stale ones go. */
static void test_state_in_metadata(void **state)
{
    (void)state;
    struct cat_vnfr *target =
        vnfr_from("{\"name\":\"t\",\"configurations\":{\"name\":\"c\",\"configurationParameters\":["
                  "{\"confKey\":\"mode\",\"value\":\"fast\"}]}}");
    struct cat_vnfr_dependency *a = rec_from(
        "{\"parameters\":{\"server\":{\"parameters\":{\"private\":\"\"}}},\"vnfcParameters\":{"
        "\"server\":{\"parameters\":{\"s1\":{\"parameters\":{\"private\":\"10.0.0.1\"}}}}}}");
    struct cat_vnfr_dependency *b = rec_from(
        "{\"parameters\":{\"server\":{\"parameters\":{\"private\":\"\"}}},\"vnfcParameters\":{"
        "\"server\":{\"parameters\":{\"s2\":{\"parameters\":{\"private\":\"10.0.0.2\"}}}}}}");
    struct target t;
    target_open(&t, target, 2);
    cat_strmap_set(t.md[0], "USER_SET", "by hand"); /* not the VNFM's: never touched */
    assert_int_equal(target_update(&t, a, NULL), 2);
    assert_string_equal(cat_strmap_get(t.md[0], "POP_VNFM_GEN"), "1");
    assert_string_equal(cat_strmap_get(t.md[0], "MODE"), "fast");
    /* an update that reached VNFC 0 only */
    struct target one = {.md = {t.md[0]}, .n = 1, .vnfr = target};
    assert_int_equal(target_update(&one, b, NULL), 1);
    assert_string_equal(cat_strmap_get(t.md[0], "POP_VNFM_GEN"), "2");
    assert_string_equal(cat_strmap_get(t.md[1], "POP_VNFM_GEN"), "1");
    struct dep_state *st = NULL;
    assert_int_equal(dep_state_load((const struct cat_strmap *const *)t.md, 2, &st, NULL), 0);
    assert_int_equal(dep_state_generation(st), 2);
    assert_int_equal(dep_state_vnfc_count(st, "server"), 2);
    dep_state_free(st);
    /* the order of the VNFCs does not matter: the newest state wins */
    struct cat_strmap *swapped[] = {t.md[1], t.md[0]};
    assert_int_equal(dep_state_load((const struct cat_strmap *const *)swapped, 2, &st, NULL), 0);
    assert_int_equal(dep_state_generation(st), 2);
    dep_state_free(st);
    /* a redelivered request then repairs VNFC 1 and changes nothing on VNFC 0 */
    json_t *patches[2];
    assert_int_equal(
        dep_update((const struct cat_strmap *const *)t.md, 2, b, NULL, target, patches, NULL, NULL),
        0);
    assert_int_equal(json_object_size(patches[0]), 0);
    assert_true(json_object_size(patches[1]) > 0);
    assert_non_null(json_object_get(patches[1], "SERVER_PRIVATE_ALL"));
    assert_null(json_object_get(patches[1], "SERVER_PRIVATE")); /* already right */
    for (size_t i = 0; i < 2; i++) {
        standin_patch(t.md[i], patches[i]);
        json_decref(patches[i]);
    }
    json_t *e0 = target_env(&t, 0), *e1 = target_env(&t, 1);
    assert_non_null(json_object_get(e0, "USER_SET"));
    json_object_del(e0, "USER_SET");
    assert_json_equal(e0, e1);
    json_decref(e1);
    assert_env(e0, "SERVER_PRIVATE=10.0.0.1\n"
                   "SERVER_PRIVATE_ALL=10.0.0.1,10.0.0.2\n"
                   "MODE=fast");
    /* removal deletes what the VNFM wrote and no longer wants, and only that */
    cat_strmap_set(t.md[0], "POP_VNFM_FROM_ELSEWHERE", "x");
    assert_int_equal(target_update(&t, NULL, "s1"), 2);
    assert_null(cat_strmap_get(t.md[0], "POP_VNFM_FROM_ELSEWHERE"));
    assert_string_equal(cat_strmap_get(t.md[0], "USER_SET"), "by hand");
    assert_env(target_env(&t, 1), "SERVER_PRIVATE=10.0.0.2\n"
                                  "SERVER_PRIVATE_ALL=10.0.0.2\n"
                                  "MODE=fast");
    assert_int_equal(target_update(&t, NULL, "s2"), 2);
    assert_env(target_env(&t, 1), "MODE=fast");
    /* a new target VNFC (the target's own scale-out) gets it all at once, the others nothing */
    struct cat_strmap *fresh = standin_strmap(NULL);
    struct target three = {.md = {t.md[0], t.md[1], fresh}, .n = 3, .vnfr = target};
    assert_int_equal(target_update(&three, NULL, NULL), 1);
    json_t *ef = target_env(&three, 2);
    assert_env(ef, "MODE=fast");
    assert_string_equal(cat_strmap_get(fresh, "POP_VNFM_GEN"), "4");
    standin_strmap_free(fresh);
    target_close(&t);
    cat_vnfr_dependency_free(a);
    cat_vnfr_dependency_free(b);
    cat_vnfr_free(target);
}

/* Values with quotes, backslashes, control characters and UTF-8 come back from the state as
 * they went in. */
static void test_state_keeps_any_text(void **state)
{
    (void)state;
    struct cat_vnfr_dependency *rec = rec_from(
        "{\"parameters\":{\"s\\\"x\":{\"parameters\":{\"k\":\"\"}}},\"vnfcParameters\":{\"s\\\"x\":"
        "{\"parameters\":{\"id\\\\1\":{\"parameters\":{\"k\":\"a\\\"b\\\\c\\n\\u0001 s\u00e9rver "
        "/\"}}}}}}");
    struct dep_state *st = dep_state_new();
    assert_int_equal(apply(st, rec), 1);
    json_t *md = NULL, *env = env_of(st, NULL);
    assert_string_equal(json_string_value(json_object_get(env, "S_X_K")),
                        "a\"b\\c\n\x01 s\xc3\xa9rver /");
    assert_int_equal(dep_metadata(st, NULL, &md, NULL, NULL), 0);
    struct cat_strmap *kept = standin_strmap(md);
    struct dep_state *back = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (dep_state_from_metadata(kept, &back, &e) < 0)
        fail_msg("%s", e.detail);
    json_t *again = env_of(back, NULL);
    assert_json_equal(again, env);
    assert_int_equal(dep_state_vnfc_count(back, "s\"x"), 1);
    assert_int_equal(dep_state_remove_vnfc(back, "id\\1"), 1);
    json_decref(again);
    json_decref(env);
    json_decref(md);
    dep_state_free(back);
    dep_state_free(st);
    standin_strmap_free(kept);
    cat_vnfr_dependency_free(rec);
}

static void expect_bad_state(const char *key, const char *value, const char *detail)
{
    json_t *o = json_pack("{s:s, s:s}", "OTHER", "1", key, value);
    struct cat_strmap *md = standin_strmap(o);
    struct dep_state *st = (struct dep_state *)md, *sentinel = st;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(dep_state_from_metadata(md, &st, &e), -EINVAL);
    assert_ptr_equal(st, sentinel);
    assert_string_equal(e.field, key);
    if (!strstr(e.detail, detail))
        fail_msg("detail \"%s\" lacks \"%s\"", e.detail, detail);
    standin_strmap_free(md);
    json_decref(o);
}

/* A state entry this VNFM would not write is refused, naming the key (and how to reset). */
static void test_bad_state(void **state)
{
    (void)state;
    expect_bad_state("POP_VNFM_GEN", "two", "not a generation number");
    expect_bad_state("POP_VNFM_GEN", "-1", "not a generation number");
    expect_bad_state("POP_VNFM_C_0011223344556677", "{", "not a JSON object");
    expect_bad_state("POP_VNFM_C_0011223344556677", "[1]", "not a JSON object");
    expect_bad_state("POP_VNFM_C_0011223344556677", "{\"type\":\"s\",\"params\":{}}",
                     "no VNFC id or rank");
    expect_bad_state("POP_VNFM_C_0011223344556677",
                     "{\"type\":\"s\",\"vnfc\":\"x\",\"rank\":-2,\"params\":{}}",
                     "no VNFC id or rank");
    expect_bad_state("POP_VNFM_T_0011223344556677", "{\"type\":\"\",\"params\":{}}",
                     "no type or params");
    expect_bad_state("POP_VNFM_T_0011223344556677", "{\"type\":\"s\",\"params\":{\"k\":1}}",
                     "not a string");
    /* valid JSON, but not as this VNFM writes it (edited by hand, or misread) */
    expect_bad_state("POP_VNFM_T_0011223344556677", "{\"type\":\"s\",\"params\":{}}",
                     "not in the form the VNFM writes it");
    expect_bad_state("POP_VNFM_T_0011223344556677", "{\"params\": {}, \"type\": \"s\"}",
                     "not in the form the VNFM writes it");
    /* two entries for one VNFC */
    json_t *o = json_pack("{s:s, s:s}", "POP_VNFM_C_0000000000000001",
                          "{\"params\":{},\"rank\":0,\"type\":\"s\",\"vnfc\":\"x\"}",
                          "POP_VNFM_C_0000000000000002",
                          "{\"params\":{},\"rank\":1,\"type\":\"s\",\"vnfc\":\"x\"}");
    struct cat_strmap *md = standin_strmap(o);
    struct dep_state *st = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(dep_state_from_metadata(md, &st, &e), -EINVAL);
    assert_string_equal(e.field, "POP_VNFM_C_0000000000000002");
    /* dep_update passes it on and patches nothing */
    json_t *patches[1] = {NULL};
    assert_int_equal(
        dep_update((const struct cat_strmap *const *)&md, 1, NULL, "x", NULL, patches, NULL, &e),
        -EINVAL);
    assert_null(patches[0]);
    standin_strmap_free(md);
    json_decref(o);
    /* no metadata at all is an empty state */
    assert_int_equal(dep_state_from_metadata(NULL, &st, NULL), 0);
    assert_int_equal(dep_state_generation(st), 0);
    dep_state_free(st);
    assert_int_equal(dep_state_load(NULL, 0, &st, NULL), 0);
    dep_state_free(st);
}

static void expect_bad_record(struct dep_state *st, const char *json, int r, const char *field,
                              const char *detail)
{
    struct cat_vnfr_dependency *rec = rec_from(json);
    uint64_t gen = dep_state_generation(st);
    size_t n = dep_state_vnfc_count(st, NULL);
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(dep_state_apply(st, rec, "vnfrd", &e), r);
    assert_string_equal(e.field, field);
    if (!strstr(e.detail, detail))
        fail_msg("detail \"%s\" lacks \"%s\"", e.detail, detail);
    assert_int_equal(dep_state_generation(st), gen); /* all or nothing */
    assert_int_equal(dep_state_vnfc_count(st, NULL), n);
    cat_vnfr_dependency_free(rec);
}

static void test_bad_records(void **state)
{
    (void)state;
    struct dep_state *st = dep_state_new();
    struct cat_vnfr_dependency *good =
        rec_from("{\"vnfcParameters\":{\"server\":{\"parameters\":{\"s1\":{\"parameters\":{"
                 "\"private\":\"10.0.0.1\"}}}}}}");
    assert_int_equal(apply(st, good), 1);
    cat_vnfr_dependency_free(good);
    expect_bad_record(st, "{\"parameters\":{\"\":{\"parameters\":{\"k\":\"v\"}}}}", -EINVAL,
                      "vnfrd.parameters", "a source type is empty");
    expect_bad_record(st,
                      "{\"vnfcParameters\":{\"\":{\"parameters\":{\"x\":{\"parameters\":{}}}}}}",
                      -EINVAL, "vnfrd.vnfcParameters", "a source type is empty");
    /* a good entry first, then the bad one: the good one is not kept either */
    expect_bad_record(st,
                      "{\"vnfcParameters\":{\"server\":{\"parameters\":{\"s9\":{\"parameters\":"
                      "{}},\"\":{\"parameters\":{\"private\":\"1\"}}}}}}",
                      -EINVAL, "vnfrd.vnfcParameters.server.parameters",
                      "a VNFC instance without id");
    expect_bad_record(st,
                      "{\"vnfcParameters\":{\"db\":{\"parameters\":{\"s1\":{\"parameters\":{}}}}}}",
                      -EINVAL, "vnfrd.vnfcParameters.db.parameters", "under two source types");
    expect_bad_record(st,
                      "{\"vnfcParameters\":{\"a\":{\"parameters\":{\"n1\":{\"parameters\":{}}}},"
                      "\"b\":{\"parameters\":{\"n1\":{\"parameters\":{}}}}}}",
                      -EINVAL, "vnfrd.vnfcParameters.b.parameters", "under two source types");
    assert_int_equal(dep_state_apply(st, NULL, "vnfrd", NULL), -EINVAL);
    /* more source entries than a Pop's metadata holds */
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "{\"vnfcParameters\":{\"server\":{\"parameters\":{");
    for (int i = 0; i < DEP_MD_ENTRIES_MAX + 1; i++)
        strbuf_printf(&sb, "%s\"v%d\":{\"parameters\":{}}", i ? "," : "", i);
    strbuf_puts(&sb, "}}}}");
    expect_bad_record(st, strbuf_str(&sb), -E2BIG, "vnfrd", "more than the 256");
    strbuf_done(&sb);
    dep_state_free(st);

    /* a record for another VNFR */
    struct cat_vnfr_dependency *rec = rec_from("{\"target\":\"sipp-client\"}");
    struct cat_vnfr *other = vnfr_from("{\"name\":\"sipp-server\"}");
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(dep_record_check(rec, other, &e), -EINVAL);
    assert_string_equal(e.field, "vnfrd.target");
    assert_int_equal(dep_record_check(rec, NULL, NULL), 0);
    cat_vnfr_free(other);
    cat_vnfr_dependency_free(rec);
}

/* What a Pop cannot keep is an error before anything is written: a value past 4096 bytes, more
 * than 256 entries. */
static void test_pop_caps(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "{\"vnfcParameters\":{\"server\":{\"parameters\":{");
    for (int i = 0; i < 250; i++)
        strbuf_printf(&sb, "%s\"v%d\":{\"parameters\":{\"private\":\"server-host-number-%03d\"}}",
                      i ? "," : "", i, i);
    strbuf_puts(&sb, "}}}}");
    struct cat_vnfr_dependency *rec = rec_from(strbuf_str(&sb));
    strbuf_done(&sb);
    struct dep_state *st = dep_state_new();
    assert_int_equal(apply(st, rec), 1);
    struct pop_error e = POP_ERROR_INIT;
    json_t *out = NULL;
    assert_int_equal(dep_env(st, NULL, &out, NULL, &e), -E2BIG);
    assert_string_equal(e.field, "SERVER_PRIVATE_ALL");
    assert_null(out);
    dep_state_free(st);
    cat_vnfr_dependency_free(rec);

    /* many own parameters: the environment fits, with the state it does not */
    strbuf_puts(&sb, "{\"name\":\"t\",\"configurations\":{\"configurationParameters\":[");
    for (int i = 0; i < DEP_MD_ENTRIES_MAX - 1; i++)
        strbuf_printf(&sb, "%s{\"confKey\":\"K%d\",\"value\":\"v\"}", i ? "," : "", i);
    strbuf_puts(&sb, "]}}");
    struct cat_vnfr *target = vnfr_from(strbuf_str(&sb));
    strbuf_done(&sb);
    st = dep_state_new();
    assert_int_equal(dep_metadata(st, target, &out, NULL, NULL), 0);
    assert_int_equal(json_object_size(out), DEP_MD_ENTRIES_MAX - 1);
    json_decref(out);
    rec = rec_from("{\"vnfcParameters\":{\"server\":{\"parameters\":{\"s1\":{\"parameters\":{"
                   "\"private\":\"10.0.0.1\"}}}}}}");
    assert_int_equal(apply(st, rec), 1);
    char *notes = (char *)"untouched";
    assert_int_equal(dep_metadata(st, target, &out, &notes, &e), -E2BIG);
    assert_null(notes);
    if (!strstr(e.detail, "259 metadata entries"))
        fail_msg("%s", e.detail);
    dep_state_free(st);
    cat_vnfr_dependency_free(rec);
    cat_vnfr_free(target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thesis_example),
        cmocka_unit_test(test_env_names),
        cmocka_unit_test(test_empty_values),
        cmocka_unit_test(test_several_networks),
        cmocka_unit_test(test_several_source_vnfcs),
        cmocka_unit_test(test_scale_out_merges_to_the_whole_record),
        cmocka_unit_test(test_scale_in_drops_one_source),
        cmocka_unit_test(test_heal_keeps_place_and_values),
        cmocka_unit_test(test_three_level_chain),
        cmocka_unit_test(test_many_dependencies_fixture),
        cmocka_unit_test(test_state_in_metadata),
        cmocka_unit_test(test_state_keeps_any_text),
        cmocka_unit_test(test_bad_state),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_pop_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
