/* The NFVO and VIM driver seen from the VNFM, for the actions' unit tests (fake.h). */
#include "fake.h"

#include "json/jv.h"

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static void record(struct fake *f, const char *what, const char *arg)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s %s", what, arg ? arg : "-");
    json_array_append_new(f->calls, json_string(buf));
}

struct fake_ctr *fake_ctr(struct fake *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->ctr[i].name, name) == 0)
            return &f->ctr[i];
    return NULL;
}

static void ctr_free(struct fake_ctr *c)
{
    free(c->name);
    free(c->id);
    free(c->status);
    free(c->image);
    json_decref(c->ips);
    standin_strmap_free(c->md);
}

static struct fake_ctr *ctr_add(struct fake *f, const char *name, const char *id, const char *image,
                                json_t *ips)
{
    assert_true(f->n < 32);
    assert_null(fake_ctr(f, name));
    struct fake_ctr *c = &f->ctr[f->n++];
    *c = (struct fake_ctr){.name = xstrdup(name),
                           .id = xstrdup(id),
                           .status = xstrdup("CREATED"),
                           .image = xstrdup(image),
                           .ips = ips,
                           .md = standin_strmap(NULL)};
    return c;
}

static void ctr_set_status(struct fake_ctr *c, const char *s)
{
    free(c->status);
    c->status = xstrdup(s);
}

json_t *fake_vim(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:i}", "id", "vim-pop1", "name", "pop1", "type", "pop",
                     "authUrl", "http://admin:secret@pop1:8080", "hbVersion", 3);
}

/* A Server as the driver answers it (services/vim-driver convert.c). */
static json_t *server_of(const struct fake_ctr *c)
{
    json_t *md = json_object();
    for (size_t i = 0; i < c->md->n; i++)
        json_object_set_new(md, c->md->v[i].key, json_string(c->md->v[i].value));
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:O, s:{}, s:o}", "name",
                     c->name, "hostName", c->name, "extId", c->id, "status", c->status, "image",
                     "extId", c->image, "name", c->image, "flavor", "flavour_key",
                     "docker.container", "extId", "flv-1", "ips", c->ips, "floatingIps", "metadata",
                     md);
}

static int driver_fail(struct pop_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int driver_fail(struct pop_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pop_error_setv(e, -EIO, API_BAD_GATEWAY, NULL, fmt, ap);
    va_end(ap);
    return -EIO;
}

static int driver_call(void *ud, const json_t *vim, const char *method, const json_t *params,
                       json_t **ret, struct pop_error *e)
{
    struct fake *f = ud;
    /* parameters[0] is the VIM instance, exactly the one the NFVO gave */
    json_t *want_vim = fake_vim();
    assert_true(json_equal(json_array_get(params, 0), want_vim));
    assert_true(json_equal(vim, want_vim));
    json_decref(want_vim);
    const char *host = json_string_value(json_array_get(params, 1));
    assert_non_null(host);
    record(f, method, host);
    if (f->fail_method && strcmp(f->fail_method, method) == 0 &&
        (!f->fail_host || strcmp(f->fail_host, host) == 0))
        return driver_fail(e, "%s", f->fail_detail);
    struct fake_ctr *c = fake_ctr(f, host);
    if (strcmp(method, "launchInstanceAndWait") == 0) {
        /* 8 parameters from a heal's recreate, 10 as the NFVO (and VNFM_ALLOCATE) launch */
        size_t np = json_array_size(params);
        assert_true(np == 8 || np == 10);
        if (c)
            return driver_fail(e, "%s on pop1: a container '%s' exists already", method, host);
        json_t *ips = json_object();
        size_t i;
        json_t *cp;
        json_array_foreach (json_array_get(params, 5), i, cp) {
            const char *net = jv_get_string(cp, "virtual_link_reference");
            const char *fixed = jv_get_string(cp, "fixedIp");
            char *ip = fixed ? strdup(fixed) : standin_next_ip(&f->ipam, net);
            json_object_set_new(ips, net, json_pack("[s]", ip));
            free(ip);
        }
        char id[32];
        snprintf(id, sizeof(id), "ctr-new-%d", ++f->next_id);
        c = ctr_add(f, host, id, json_string_value(json_array_get(params, 2)), ips);
        *ret = server_of(c);
        return 0;
    }
    if (!c)
        return driver_fail(e, "%s on pop1: no container with id or name '%s'", method, host);
    if (strcmp(method, "deleteServerByIdAndWait") == 0) {
        assert_int_equal(json_array_size(params), 2);
        ctr_free(c);
        *c = f->ctr[--f->n];
        *ret = json_null();
        return 0;
    }
    if (strcmp(method, "mgmtCheck") == 0) {
        assert_int_equal(json_array_size(params), 2);
    } else if (strcmp(method, "mgmtStart") == 0) {
        if (strcmp(c->status, "CREATED") == 0)
            ctr_set_status(c, "RUNNING");
        else if (strcmp(c->status, "RUNNING") != 0)
            return driver_fail(e, "%s on pop1: container '%s' is %s, it cannot start", method, host,
                               c->status);
    } else if (strcmp(method, "mgmtStop") == 0) {
        if (strcmp(c->status, "RUNNING") != 0)
            return driver_fail(e, "%s on pop1: container '%s' is %s", method, host, c->status);
        ctr_set_status(c, "EXITED");
    } else if (strcmp(method, "mgmtAddMetadata") == 0) {
        assert_int_equal(json_array_size(params), 3);
        const json_t *patch = json_array_get(params, 2);
        if (strcmp(c->status, "CREATED") != 0 && strcmp(c->status, "RUNNING") != 0)
            return driver_fail(e, "%s on pop1: container '%s' is %s", method, host, c->status);
        json_array_append(f->patches, (json_t *)patch);
        standin_patch(c->md, patch);
        if (strcmp(c->status, "RUNNING") == 0)
            c->recreated++;
    } else if (strcmp(method, "mgmtDelete") == 0) {
        ctr_free(c);
        *c = f->ctr[--f->n];
        *ret = json_true();
        return 0;
    } else {
        fail_msg("the VNFM called %s", method);
    }
    *ret = server_of(c);
    return 0;
}

static int vim_lookup(void *ud, const char *vim_id, json_t **ret, struct pop_error *e)
{
    (void)ud;
    if (strcmp(vim_id, "vim-pop1") != 0)
        return pop_error_set(e, -ENOENT, API_NOT_FOUND, NULL, "no VIM instance with this id");
    *ret = fake_vim();
    return 0;
}

/* The VNFR of an NFVO request, decoded. */
static struct cat_vnfr *request_vnfr(const json_t *req)
{
    struct cat_vnfr *v = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (cat_vnfr_from_json(json_object_get(req, "virtualNetworkFunctionRecord"), 0, &v, &e) < 0)
        fail_msg("request VNFR: %s", e.detail);
    return v;
}

/* The NFVO launched vi: its container, created, at its addresses. */
static void launched(struct fake *f, const struct cat_vdu *vdu, const struct cat_vnfc_instance *vi)
{
    json_t *ips = json_object();
    for (size_t i = 0; i < vi->ips.n; i++)
        json_object_set_new(ips, vi->ips.v[i].net_name, json_pack("[s]", vi->ips.v[i].ip));
    ctr_add(f, vi->hostname, vi->vc_id, vdu->vm_image.v[0], ips);
}

static int nfvo_call(void *ud, const json_t *req, json_t **ret, struct pop_error *e)
{
    (void)e;
    struct fake *f = ud;
    const char *action = jv_get_string(req, "action");
    assert_non_null(action);
    record(f, "nfvo", action);
    json_array_append(f->nfvo_requests, (json_t *)req);
    struct cat_vnfr *v = request_vnfr(req);
    if (f->refuse_action && strcmp(f->refuse_action, action) == 0) {
        *ret = json_pack("{s:s, s:o, s:s}", "action", "ERROR", "vnfr", cat_vnfr_to_json(v, 0),
                         "message", f->refuse_message);
        cat_vnfr_free(v);
        return 0;
    }
    if (strcmp(action, "GRANT_OPERATION") == 0) {
        standin_grant(v);
        json_t *vv = json_object();
        for (size_t i = 0; i < v->vdu.n; i++)
            json_object_set_new(vv, v->vdu.v[i].base.id, fake_vim());
        *ret = json_pack("{s:s, s:b, s:o, s:o}", "action", "GRANT_OPERATION", "grantAllowed", 1,
                         "vduVim", vv, "virtualNetworkFunctionRecord", cat_vnfr_to_json(v, 0));
    } else if (strcmp(action, "ALLOCATE_RESOURCES") == 0) {
        /* vimInstances is the grant's vduVim, echoed (§11.10) */
        json_t *vims = json_object_get(req, "vimInstances");
        assert_int_equal(json_object_size(vims), v->vdu.n);
        json_t *vim = fake_vim();
        assert_true(json_equal(json_object_get(vims, v->vdu.v[0].base.id), vim));
        json_decref(vim);
        standin_allocate(&f->ipam, v);
        for (size_t i = 0; i < v->vdu.n; i++)
            for (size_t k = 0; k < v->vdu.v[i].vnfc_instance.n; k++)
                launched(f, &v->vdu.v[i], &v->vdu.v[i].vnfc_instance.v[k]);
        *ret =
            json_pack("{s:s, s:o}", "action", "ALLOCATE_RESOURCES", "vnfr", cat_vnfr_to_json(v, 0));
    } else if (strcmp(action, "SCALING") == 0) {
        struct cat_vnfc_instance *vi = standin_scale_out(&f->ipam, v);
        launched(f, &v->vdu.v[0], vi);
        *ret = json_pack("{s:s, s:o}", "action", "SCALED", "vnfr", cat_vnfr_to_json(v, 0));
    } else {
        fail_msg("the VNFM sent the NFVO %s", action);
    }
    cat_vnfr_free(v);
    return 0;
}

void fake_init(struct fake *f)
{
    *f = (struct fake){
        .calls = json_array(), .nfvo_requests = json_array(), .patches = json_array()};
    f->ops = (struct vnfm_ops){
        .nfvo_call = nfvo_call, .driver_call = driver_call, .vim_lookup = vim_lookup, .ud = f};
}

void fake_done(struct fake *f)
{
    for (size_t i = 0; i < f->n; i++)
        ctr_free(&f->ctr[i]);
    standin_ipam_done(&f->ipam);
    json_decref(f->calls);
    json_decref(f->nfvo_requests);
    json_decref(f->patches);
}

void fake_reset_calls(struct fake *f)
{
    json_array_clear(f->calls);
    json_array_clear(f->nfvo_requests);
    json_array_clear(f->patches);
}

json_t *fake_run_result(struct fake *f, json_t *msg, struct vnfm_result *res)
{
    assert_non_null(msg);
    assert_int_equal(vnfm_handle(&f->ops, msg, res), 0);
    json_decref(msg);
    assert_non_null(res->reply);
    return json_incref(res->reply);
}

json_t *fake_run(struct fake *f, json_t *msg)
{
    struct vnfm_result res = {0};
    json_t *reply = fake_run_result(f, msg, &res);
    vnfm_result_done(&res);
    return reply;
}

json_t *fake_instantiate_msg(const struct cat_nsd *nsd, const struct cat_vnfd *vnfd)
{
    json_t *vlrs = json_array();
    for (size_t i = 0; i < nsd->vld.n; i++) {
        char ext[128];
        snprintf(ext, sizeof(ext), "net-%s", nsd->vld.v[i].name);
        json_array_append_new(vlrs, json_pack("{s:s, s:s, s:s}", "id", "vlr-1", "name",
                                              nsd->vld.v[i].name, "extId", ext));
    }
    json_t *vims = json_object();
    for (size_t i = 0; i < vnfd->vdu.n; i++)
        json_object_set_new(vims, vnfd->vdu.v[i].base.id, json_pack("[o]", fake_vim()));
    return json_pack("{s:s, s:o, s:o, s:s, s:o, s:{s:s, s:s, s:s, s:s}, s:o, s:[]}", "action",
                     "INSTANTIATE", "vnfd", cat_vnfd_to_json(vnfd, 0), "vnfdf",
                     cat_vnf_flavour_to_json(&vnfd->deployment_flavour.v[0], 0), "vnfInstanceName",
                     vnfd->name, "vlrs", vlrs, "extension", "nsr-id", "nsr-1", "brokerIp",
                     "127.0.0.1", "brokerPort", "5672", "timezone", "CET", "vimInstances", vims,
                     "keys");
}

struct cat_vnfr *fake_reply_vnfr(const json_t *reply)
{
    struct cat_vnfr *v = NULL;
    struct pop_error e = POP_ERROR_INIT;
    const json_t *j = json_object_get(reply, "virtualNetworkFunctionRecord");
    if (!j)
        fail_msg("no virtualNetworkFunctionRecord in the reply");
    if (cat_vnfr_from_json(j, 0, &v, &e) < 0)
        fail_msg("reply VNFR: %s", e.detail);
    return v;
}

char *fake_calls_text(const struct fake *f)
{
    char *s = jv_dump(f->calls);
    assert_non_null(s);
    return s;
}
