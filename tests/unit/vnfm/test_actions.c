/* The VNFM's actions (services/vnfm/actions.h) driven with the messages NFVO 6 sends (§3.3,
 * §3.6-3.7, built by the stand-in from the SIPp fixture) against a fake driver holding the
 * containers: the replies' exact shapes, the RPCs and mgmt calls made, and the containers'
 * environment afterwards. */
#include "fake.h"

#include "json/jv.h"

#define SIPP "openbaton/openbaton-docker_docker-NSR-SIPp.json"

static void assert_calls(const struct fake *f, const char *want_text)
{
    json_t *want = json_loads(want_text, 0, NULL);
    assert_non_null(want);
    assert_json_equal_(f->calls, want, "mgmt and NFVO calls");
    json_decref(want);
}

/* reply has exactly these keys (NULL-terminated) and this action. */
static void assert_shape(const json_t *reply, const char *action, ...)
{
    assert_true(json_is_object(reply));
    assert_string_equal(jv_get_string(reply, "action"), action);
    va_list ap;
    va_start(ap, action);
    size_t n = 1;
    for (const char *k; (k = va_arg(ap, const char *)); n++)
        if (!json_object_get(reply, k))
            fail_msg("reply %s has no %s", action, k);
    va_end(ap);
    if (json_object_size(reply) != n) {
        char *t = jv_dump(reply);
        fail_msg("reply %s has other keys: %s", action, t);
    }
}

static const char *md(struct fake *f, const char *ctr, const char *key)
{
    struct fake_ctr *c = fake_ctr(f, ctr);
    assert_non_null(c);
    return cat_strmap_get(c->md, key);
}

struct ns {
    struct fake f;
    struct cat_nsd *nsd;
    struct cat_vnfr *server, *client;
};

static struct cat_vnfr *instantiate(struct ns *s, const char *name)
{
    const struct cat_vnfd *d = cat_nsd_find_vnfd(s->nsd, name);
    assert_non_null(d);
    json_t *reply = fake_run(&s->f, fake_instantiate_msg(s->nsd, d));
    assert_shape(reply, "INSTANTIATE", "virtualNetworkFunctionRecord", NULL);
    struct cat_vnfr *v = fake_reply_vnfr(reply);
    json_decref(reply);
    return v;
}

static json_t *generic(const char *action, const char *key, const struct cat_vnfr *v)
{
    return json_pack("{s:s, s:o}", "action", action, key, cat_vnfr_to_json(v, 0));
}

static json_t *modify_msg(const struct cat_vnfr *target, const struct cat_vnfr_dependency *rec)
{
    return json_pack("{s:s, s:o, s:o}", "action", "MODIFY", "vnfr", cat_vnfr_to_json(target, 0),
                     "vnfrd", cat_vnfr_dependency_to_json(rec, 0));
}

/* The client's record once both are instantiated (§5.2), MODIFY to the client. */
static void modify_client(struct ns *s)
{
    struct cat_vnfr *all[] = {s->client, s->server};
    struct cat_vnfr_dependency *rec = standin_record(s->nsd, all, 2, "sipp-client");
    json_t *reply = fake_run(&s->f, modify_msg(s->client, rec));
    assert_shape(reply, "MODIFY", "virtualNetworkFunctionRecord", NULL);
    json_decref(reply);
    cat_vnfr_dependency_free(rec);
}

static void start(struct ns *s, const struct cat_vnfr *v)
{
    json_t *reply = fake_run(&s->f, generic("START", "virtualNetworkFunctionRecord", v));
    assert_shape(reply, "START", "virtualNetworkFunctionRecord", NULL);
    json_decref(reply);
}

static int setup(void **state)
{
    struct ns *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    fake_init(&s->f);
    s->nsd = standin_onboard_fixture(SIPP);
    *state = s;
    return 0;
}

/* setup plus the launch of §3.6 played to the end: both instantiated, the client modified,
 * both started. */
static int setup_launched(void **state)
{
    setup(state);
    struct ns *s = *state;
    s->server = instantiate(s, "sipp-server");
    s->client = instantiate(s, "sipp-client");
    modify_client(s);
    start(s, s->server);
    start(s, s->client);
    fake_reset_calls(&s->f);
    return 0;
}

static int teardown(void **state)
{
    struct ns *s = *state;
    cat_vnfr_free(s->server);
    cat_vnfr_free(s->client);
    cat_nsd_free(s->nsd);
    fake_done(&s->f);
    free(s);
    return 0;
}

static void test_instantiate(void **state)
{
    struct ns *s = *state;
    s->server = instantiate(s, "sipp-server");
    /* grant, allocate, then the VNFM checks the container (the server has no configuration:
     * nothing to write) */
    assert_calls(&s->f, "[\"nfvo GRANT_OPERATION\", \"nfvo ALLOCATE_RESOURCES\","
                        " \"mgmtCheck sipp-server-1\"]");
    json_t *grant = json_array_get(s->f.nfvo_requests, 0);
    assert_int_equal(json_object_size(grant), 2);
    assert_string_equal(
        jv_get_string(jv_get_object(grant, "virtualNetworkFunctionRecord"), "status"), "NULL");
    json_t *alloc = json_array_get(s->f.nfvo_requests, 1);
    assert_non_null(json_object_get(alloc, "vimInstances"));
    assert_non_null(json_object_get(alloc, "keyPairs"));
    /* the reply is the NFVO's record: its ids, history and the VNFC instance it allocated */
    assert_string_equal(s->server->base.id, "vnfr-sipp-server");
    assert_int_equal(s->server->vdu.v[0].vnfc_instance.n, 1);
    const struct cat_vnfc_instance *vi = &s->server->vdu.v[0].vnfc_instance.v[0];
    assert_string_equal(vi->hostname, "sipp-server-1");
    assert_string_equal(vi->base.id, "sipp-server-vnfci-1");
    assert_string_equal(s->server->lifecycle_event_history.v[0].event, "GRANTED");
    assert_string_equal(fake_ctr(&s->f, "sipp-server-1")->status, "CREATED");

    /* the client's own configuration is its environment from the start, nothing started */
    fake_reset_calls(&s->f);
    s->client = instantiate(s, "sipp-client");
    assert_calls(&s->f, "[\"nfvo GRANT_OPERATION\", \"nfvo ALLOCATE_RESOURCES\","
                        " \"mgmtCheck sipp-client-1\", \"mgmtAddMetadata sipp-client-1\"]");
    assert_string_equal(md(&s->f, "sipp-client-1", "SIPP_RATE"), "10");
    assert_null(md(&s->f, "sipp-client-1", "SERVER_PRIVATE"));
    assert_string_equal(fake_ctr(&s->f, "sipp-client-1")->status, "CREATED");
}

static void test_instantiate_again(void **state)
{
    struct ns *s = *state;
    s->server = instantiate(s, "sipp-server");
    fake_reset_calls(&s->f);
    /* the same INSTANTIATE with the record the NFVO holds (a restart, a redelivery) */
    const struct cat_vnfd *d = cat_nsd_find_vnfd(s->nsd, "sipp-server");
    json_t *msg = fake_instantiate_msg(s->nsd, d);
    json_object_set_new(msg, "vnfr", cat_vnfr_to_json(s->server, 0));
    struct vnfm_result res = {0};
    json_t *reply = fake_run_result(&s->f, msg, &res);
    assert_shape(reply, "INSTANTIATE", "virtualNetworkFunctionRecord", NULL);
    assert_int_equal(res.error.r, 0);
    assert_non_null(strstr(res.notes, "not granted or allocated again"));
    /* no new grant or allocation, nothing written again */
    assert_calls(&s->f, "[\"mgmtCheck sipp-server-1\"]");
    assert_int_equal(s->f.n, 1);
    vnfm_result_done(&res);
    json_decref(reply);
}

static void test_modify_start(void **state)
{
    struct ns *s = *state;
    s->server = instantiate(s, "sipp-server");
    s->client = instantiate(s, "sipp-client");
    fake_reset_calls(&s->f);
    modify_client(s);
    assert_calls(&s->f, "[\"mgmtCheck sipp-client-1\", \"mgmtAddMetadata sipp-client-1\"]");
    assert_string_equal(md(&s->f, "sipp-client-1", "SERVER_PRIVATE"), "10.1.0.2");
    assert_string_equal(md(&s->f, "sipp-client-1", "SERVER_PRIVATE_ALL"), "10.1.0.2");
    /* only the dependency values were new: the patch holds them and the state, nothing else */
    json_t *patch = json_array_get(s->f.patches, 0);
    assert_null(json_object_get(patch, "SIPP_RATE"));
    assert_string_equal(jv_get_string(patch, "SERVER_PRIVATE"), "10.1.0.2");
    assert_string_equal(md(&s->f, "sipp-client-1", "SIPP_RATE"), "10");
    /* redelivered: the container holds it all, nothing is written */
    fake_reset_calls(&s->f);
    modify_client(s);
    assert_calls(&s->f, "[\"mgmtCheck sipp-client-1\"]");

    fake_reset_calls(&s->f);
    start(s, s->client);
    assert_calls(&s->f, "[\"mgmtStart sipp-client-1\"]");
    assert_string_equal(fake_ctr(&s->f, "sipp-client-1")->status, "RUNNING");
    /* §11.14: START of a running VNFR is done */
    start(s, s->client);
    assert_string_equal(fake_ctr(&s->f, "sipp-client-1")->status, "RUNNING");
    assert_int_equal(fake_ctr(&s->f, "sipp-client-1")->recreated, 0);
}

static void test_start_stop_one(void **state)
{
    struct ns *s = *state;
    const struct cat_vnfc_instance *vi = &s->server->vdu.v[0].vnfc_instance.v[0];
    json_t *msg = generic("STOP", "virtualNetworkFunctionRecord", s->server);
    json_object_set_new(msg, "vnfcInstance", json_pack("{s:s}", "id", vi->base.id));
    json_t *reply = fake_run(&s->f, msg);
    assert_shape(reply, "STOP", "virtualNetworkFunctionRecord", "vnfcInstance", NULL);
    assert_string_equal(jv_get_string(jv_get_object(reply, "vnfcInstance"), "hostname"),
                        "sipp-server-1");
    json_decref(reply);
    assert_calls(&s->f, "[\"mgmtCheck sipp-server-1\", \"mgmtStop sipp-server-1\"]");
    assert_string_equal(fake_ctr(&s->f, "sipp-server-1")->status, "EXITED");
    assert_string_equal(fake_ctr(&s->f, "sipp-client-1")->status, "RUNNING");
    /* START of that one again: an ended Pop container is replaced (same name and address) */
    fake_reset_calls(&s->f);
    msg = generic("START", "virtualNetworkFunctionRecord", s->server);
    json_object_set_new(msg, "vnfcInstance", json_pack("{s:s}", "id", vi->base.id));
    reply = fake_run(&s->f, msg);
    assert_shape(reply, "START", "virtualNetworkFunctionRecord", "vnfcInstance", NULL);
    json_decref(reply);
    assert_calls(&s->f, "[\"mgmtCheck sipp-server-1\", \"mgmtDelete sipp-server-1\","
                        " \"launchInstanceAndWait sipp-server-1\", \"mgmtStart sipp-server-1\"]");
    assert_string_equal(fake_ctr(&s->f, "sipp-server-1")->status, "RUNNING");
    /* and START of it running is done */
    fake_reset_calls(&s->f);
    msg = generic("START", "virtualNetworkFunctionRecord", s->server);
    json_object_set_new(msg, "vnfcInstance", json_pack("{s:s}", "id", vi->base.id));
    json_decref(fake_run(&s->f, msg));
    assert_calls(&s->f, "[\"mgmtCheck sipp-server-1\"]");
}

/* A scale-out of the server, the partial MODIFY to the running client (§11.15), a scale-in. */
static void test_scale_source(void **state)
{
    struct ns *s = *state;
    json_t *msg =
        json_pack("{s:s, s:o, s:o, s:o, s:s, s:{}}", "action", "SCALE_OUT",
                  "virtualNetworkFunctionRecord", cat_vnfr_to_json(s->server, 0), "component",
                  cat_vnf_component_to_json(&s->server->vdu.v[0].vnfc.v[0], 0), "vimInstance",
                  fake_vim(), "mode", "", "extension");
    json_t *reply = fake_run(&s->f, msg);
    assert_shape(reply, "SCALED", "virtualNetworkFunctionRecord", "vnfcInstance", NULL);
    /* the server has no configuration and no sources: nothing to write */
    assert_calls(&s->f, "[\"nfvo SCALING\", \"mgmtCheck sipp-server-1\","
                        " \"mgmtCheck sipp-server-2\", \"mgmtStart sipp-server-2\"]");
    assert_string_equal(jv_get_string(jv_get_object(reply, "vnfcInstance"), "hostname"),
                        "sipp-server-2");
    assert_string_equal(fake_ctr(&s->f, "sipp-server-2")->status, "RUNNING");
    struct cat_vnfr *server = fake_reply_vnfr(reply);
    json_decref(reply);
    cat_vnfr_free(s->server);
    s->server = server;
    struct cat_vnfc_instance *added = vnfr_find_vnfc(server, NULL, "sipp-server-2", NULL);

    /* the NFVO's MODIFY to the client with only the new server VNFC */
    struct cat_vnfr *all[] = {s->client, s->server};
    struct cat_vnfr_dependency *stored = standin_record(s->nsd, all, 2, "sipp-client");
    struct cat_vnfr_dependency *part = standin_partial(stored, s->server, added);
    fake_reset_calls(&s->f);
    reply = fake_run(&s->f, modify_msg(s->client, part));
    assert_shape(reply, "MODIFY", "virtualNetworkFunctionRecord", NULL);
    json_decref(reply);
    assert_string_equal(md(&s->f, "sipp-client-1", "SERVER_PRIVATE"), "10.1.0.2");
    assert_string_equal(md(&s->f, "sipp-client-1", "SERVER_PRIVATE_ALL"), "10.1.0.2,10.1.0.4");
    /* the running client got them at once (recreated, same addresses) */
    assert_int_equal(fake_ctr(&s->f, "sipp-client-1")->recreated, 1);

    /* SCALE_IN of the first server VNFC: the client keeps only the new one's */
    fake_reset_calls(&s->f);
    msg = json_pack("{s:s, s:o, s:{s:s, s:s}}", "action", "SCALE_IN",
                    "virtualNetworkFunctionRecord", cat_vnfr_to_json(s->client, 0), "vnfcInstance",
                    "id", "sipp-server-vnfci-1", "hostname", "sipp-server-1");
    reply = fake_run(&s->f, msg);
    assert_true(json_is_null(reply));
    json_decref(reply);
    assert_calls(&s->f, "[\"mgmtCheck sipp-client-1\", \"mgmtAddMetadata sipp-client-1\"]");
    assert_string_equal(md(&s->f, "sipp-client-1", "SERVER_PRIVATE"), "10.1.0.4");
    assert_string_equal(md(&s->f, "sipp-client-1", "SERVER_PRIVATE_ALL"), "10.1.0.4");
    cat_vnfr_dependency_free(stored);
    cat_vnfr_dependency_free(part);
}

/* The target's own scale-out: the new client VNFC gets the record and is started. */
static void test_scale_target(void **state)
{
    struct ns *s = *state;
    struct cat_vnfr *all[] = {s->client, s->server};
    struct cat_vnfr_dependency *rec = standin_record(s->nsd, all, 2, "sipp-client");
    json_t *msg = json_pack("{s:s, s:o, s:o, s:s}", "action", "SCALE_OUT",
                            "virtualNetworkFunctionRecord", cat_vnfr_to_json(s->client, 0),
                            "dependency", cat_vnfr_dependency_to_json(rec, 0), "mode", "");
    json_t *reply = fake_run(&s->f, msg);
    assert_shape(reply, "SCALED", "virtualNetworkFunctionRecord", "vnfcInstance", NULL);
    json_decref(reply);
    assert_string_equal(md(&s->f, "sipp-client-2", "SERVER_PRIVATE"), "10.1.0.2");
    assert_string_equal(md(&s->f, "sipp-client-2", "SIPP_RATE"), "10");
    assert_string_equal(fake_ctr(&s->f, "sipp-client-2")->status, "RUNNING");
    /* the running sibling already held all of it: not recreated */
    assert_int_equal(fake_ctr(&s->f, "sipp-client-1")->recreated, 0);
    cat_vnfr_dependency_free(rec);
}

static void test_heal(void **state)
{
    struct ns *s = *state;
    struct fake_ctr *c = fake_ctr(&s->f, "sipp-client-1");
    free(c->status);
    c->status = strdup("FAILED");
    json_t *env = json_object();
    for (size_t i = 0; i < c->md->n; i++)
        json_object_set_new(env, c->md->v[i].key, json_string(c->md->v[i].value));
    json_t *msg = json_pack("{s:s, s:o, s:{s:s}, s:s}", "action", "HEAL",
                            "virtualNetworkFunctionRecord", cat_vnfr_to_json(s->client, 0),
                            "vnfcInstance", "id", "sipp-client-vnfci-1", "cause", "failed");
    json_t *reply = fake_run(&s->f, msg);
    assert_shape(reply, "HEAL", "virtualNetworkFunctionRecord", "vnfcInstance", NULL);
    assert_calls(&s->f, "[\"mgmtCheck sipp-client-1\", \"mgmtDelete sipp-client-1\","
                        " \"launchInstanceAndWait sipp-client-1\","
                        " \"mgmtAddMetadata sipp-client-1\", \"mgmtStart sipp-client-1\"]");
    /* same name, address and environment, running; the VNFC names the new container */
    c = fake_ctr(&s->f, "sipp-client-1");
    assert_string_equal(c->status, "RUNNING");
    assert_string_equal(json_string_value(json_array_get(json_object_get(c->ips, "private"), 0)),
                        "10.1.0.3");
    json_t *now = json_object();
    for (size_t i = 0; i < c->md->n; i++)
        json_object_set_new(now, c->md->v[i].key, json_string(c->md->v[i].value));
    assert_json_equal_(now, env, "environment after heal");
    assert_string_equal(jv_get_string(jv_get_object(reply, "vnfcInstance"), "vc_id"), c->id);
    struct cat_vnfr *v = fake_reply_vnfr(reply);
    assert_string_equal(v->vdu.v[0].vnfc_instance.v[0].vc_id, c->id);
    cat_vnfr_free(v);
    json_decref(now);
    json_decref(env);
    json_decref(reply);
}

static void test_release(void **state)
{
    struct ns *s = *state;
    struct fake_ctr *c = fake_ctr(&s->f, "sipp-server-1");
    free(c->status);
    c->status = strdup("EXITED");
    json_t *reply = fake_run(&s->f, generic("RELEASE_RESOURCES", "vnfr", s->server));
    assert_shape(reply, "RELEASE_RESOURCES", "virtualNetworkFunctionRecord", NULL);
    json_decref(reply);
    assert_calls(&s->f, "[\"mgmtCheck sipp-server-1\"]");
    reply = fake_run(&s->f, generic("RELEASE_RESOURCES", "vnfr", s->client));
    json_decref(reply);
    assert_string_equal(fake_ctr(&s->f, "sipp-client-1")->status, "EXITED");
    /* a redelivery finds nothing to do, a container gone already is no error */
    struct vnfm_result res = {0};
    s->f.fail_method = "mgmtCheck";
    s->f.fail_detail = "mgmtCheck on pop1: no container with id or name 'sipp-client-1'";
    reply = fake_run_result(&s->f, generic("RELEASE_RESOURCES", "vnfr", s->client), &res);
    assert_shape(reply, "RELEASE_RESOURCES", "virtualNetworkFunctionRecord", NULL);
    assert_non_null(strstr(res.notes, "VNFC sipp-client-1 is gone already"));
    vnfm_result_done(&res);
    json_decref(reply);
}

/* An ERROR reply: its shape, and its detailMessage. */
static void assert_error(const json_t *reply, const char *detail)
{
    assert_shape(reply, "ERROR", "virtualNetworkFunctionRecord", "nsrId", "exception", NULL);
    const json_t *ex = json_object_get(reply, "exception");
    assert_int_equal(json_object_size(ex), 1);
    assert_string_equal(jv_get_string(ex, "detailMessage"), detail);
    assert_string_equal(jv_get_string(reply, "nsrId"), "nsr-1");
}

static void test_driver_error(void **state)
{
    struct ns *s = *state;
    s->f.fail_method = "mgmtStart";
    s->f.fail_detail = "mgmtStart on pop1: cannot reach http://pop1:8080: connection refused or "
                       "host unknown";
    struct vnfm_result res = {0};
    json_t *reply =
        fake_run_result(&s->f, generic("START", "virtualNetworkFunctionRecord", s->server), &res);
    assert_error(reply, "START of VNFR sipp-server: VNFC sipp-server-1: mgmtStart on pop1: "
                        "cannot reach http://pop1:8080: connection refused or host unknown");
    assert_int_equal(res.error.r, -EIO);
    assert_string_equal(jv_get_string(jv_get_object(reply, "virtualNetworkFunctionRecord"), "id"),
                        "vnfr-sipp-server");
    vnfm_result_done(&res);
    json_decref(reply);
}

static void test_grant_refused(void **state)
{
    struct ns *s = *state;
    s->f.refuse_action = "GRANT_OPERATION";
    s->f.refuse_message = "Not enough resources on VIM pop1";
    const struct cat_vnfd *d = cat_nsd_find_vnfd(s->nsd, "sipp-server");
    json_t *reply = fake_run(&s->f, fake_instantiate_msg(s->nsd, d));
    assert_error(reply, "INSTANTIATE of VNFR sipp-server: the NFVO refused GRANT_OPERATION: Not "
                        "enough resources on VIM pop1");
    json_decref(reply);
    /* nothing allocated, no container touched */
    assert_calls(&s->f, "[\"nfvo GRANT_OPERATION\"]");
    assert_int_equal(s->f.n, 0);
}

static void test_allocate_error(void **state)
{
    struct ns *s = *state;
    s->f.refuse_action = "ALLOCATE_RESOURCES";
    s->f.refuse_message = "launchInstanceAndWait on pop1: endpoints.private: network 'private' "
                          "has no free address left";
    const struct cat_vnfd *d = cat_nsd_find_vnfd(s->nsd, "sipp-server");
    json_t *reply = fake_run(&s->f, fake_instantiate_msg(s->nsd, d));
    assert_error(reply, "INSTANTIATE of VNFR sipp-server: the NFVO refused ALLOCATE_RESOURCES: "
                        "launchInstanceAndWait on pop1: endpoints.private: network 'private' has "
                        "no free address left");
    /* the ERROR carries the granted record (ids), so the NFVO marks that one */
    assert_string_equal(jv_get_string(jv_get_object(reply, "virtualNetworkFunctionRecord"), "id"),
                        "vnfr-sipp-server");
    json_decref(reply);
}

static void expect_error(struct ns *s, json_t *msg, const char *detail)
{
    json_t *reply = fake_run(&s->f, msg);
    assert_string_equal(jv_get_string(reply, "action"), "ERROR");
    assert_string_equal(jv_get_string(jv_get_object(reply, "exception"), "detailMessage"), detail);
    json_decref(reply);
}

static void test_malformed(void **state)
{
    struct ns *s = *state;
    expect_error(s, json_pack("[]"), "message: the message is not a JSON object");
    expect_error(s, json_pack("{s:s}", "vnfr", "x"), "message: action: required");
    expect_error(s, json_pack("{s:s}", "action", "FROB"), "FROB: action: unknown action 'FROB'");
    expect_error(s, generic("MODIFY", "vnfr", s->client),
                 "MODIFY of VNFR sipp-client: vnfrd: required");
    expect_error(
        s, json_pack("{s:s, s:{s:[]}}", "action", "START", "virtualNetworkFunctionRecord", "name"),
        "START: virtualNetworkFunctionRecord.name: expected a string");
    expect_error(s, json_pack("{s:s}", "action", "INSTANTIATE"), "INSTANTIATE: vnfd: required");
    json_t *msg = generic("START", "virtualNetworkFunctionRecord", s->server);
    json_object_set_new(msg, "vnfcInstance", json_pack("{s:s}", "id", "nope"));
    expect_error(s, msg,
                 "START of VNFR sipp-server: vnfcInstance: VNFC nope is not an instance of this "
                 "VNFR");
    expect_error(s, generic("UPDATE", "vnfr", s->server),
                 "UPDATE of VNFR sipp-server: not supported by pop-vnfm (it runs no scripts and "
                 "has no EMS)");
    /* a VNFC on a VIM the VNFM does not know */
    free(s->server->vdu.v[0].vnfc_instance.v[0].vim_id);
    s->server->vdu.v[0].vnfc_instance.v[0].vim_id = strdup("vim-other");
    expect_error(s, generic("START", "virtualNetworkFunctionRecord", s->server),
                 "START of VNFR sipp-server: VNFC sipp-server-1: VIM instance vim-other: no VIM "
                 "instance with this id");
    /* nothing reached a container */
    assert_calls(&s->f, "[]");
}

static void test_error_and_log(void **state)
{
    struct ns *s = *state;
    json_t *reply = fake_run(&s->f, json_pack("{s:s, s:o, s:s}", "action", "ERROR", "vnfr",
                                              cat_vnfr_to_json(s->server, 0), "message", "bad"));
    assert_true(json_is_null(reply));
    json_decref(reply);
    reply = fake_run(&s->f, json_pack("{s:s, s:s, s:s}", "action", "LOG_REQUEST", "vnfrName",
                                      "sipp-server", "hostname", "sipp-server-1"));
    assert_shape(reply, "LOG_REQUEST", "outputLog", "errorLog", NULL);
    json_decref(reply);
    assert_calls(&s->f, "[]");
}

static void test_vnfr_id(void **state)
{
    (void)state;
    json_t *m = parse_text("{\"action\":\"MODIFY\",\"vnfr\":{\"id\":\"a\"}}");
    assert_string_equal(vnfm_message_vnfr_id(m), "a");
    json_decref(m);
    m = parse_text("{\"action\":\"START\",\"virtualNetworkFunctionRecord\":{\"id\":\"b\"}}");
    assert_string_equal(vnfm_message_vnfr_id(m), "b");
    json_decref(m);
    m = parse_text("{\"action\":\"INSTANTIATE\"}");
    assert_null(vnfm_message_vnfr_id(m));
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_instantiate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_instantiate_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modify_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_stop_one, setup_launched, teardown),
        cmocka_unit_test_setup_teardown(test_scale_source, setup_launched, teardown),
        cmocka_unit_test_setup_teardown(test_scale_target, setup_launched, teardown),
        cmocka_unit_test_setup_teardown(test_heal, setup_launched, teardown),
        cmocka_unit_test_setup_teardown(test_release, setup_launched, teardown),
        cmocka_unit_test_setup_teardown(test_driver_error, setup_launched, teardown),
        cmocka_unit_test_setup_teardown(test_grant_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allocate_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup_launched, teardown),
        cmocka_unit_test_setup_teardown(test_error_and_log, setup_launched, teardown),
        cmocka_unit_test(test_vnfr_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
