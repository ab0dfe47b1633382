/* Scaling a running NSR (reference §3.7, §6.2, §11.14-17): the routes under
 * /api/v1/ns-records/{id}/vnfrecords/{vnfrId}/vdunits (201 or 204 at once, the operation
 * continuing on its own thread like a launch) and the two operations. Scale out: SCALE_OUT to
 * the VNF's VNFM, which calls back SCALING (grant.c launches the new component) and answers
 * SCALED; then every target of the VNF gets MODIFY with its whole refreshed dependency record,
 * sent to the target's VNFM (NFVO 6 sends it to the source's, §3.7), and START. Scale in:
 * SCALE_IN to every target's VNFM, the VNFC's values dropped from their records, MODIFY and
 * START of each; then the NFVO deletes the server and the instance goes from the record. */
#include "records-int.h"

#include "auth/random.h"
#include "catalogue/base.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "http/request.h"
#include "http/server.h"
#include "nfvo.h"
#include "principal.h"
#include "vims.h"
#include "json/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- the requests ---- */

struct scale_req {
    struct nfvo *n;
    const char *project, *vnfr_id, *vdu_id, *vnfc_id;
    const json_t *body; /* scale out: {vnfComponent, vimInstanceNames}, may be NULL */
    bool standby;       /* scale out of a standby VNFC: made, not started (mode "standby") */
};

static int need_active(const json_t *nsr, const char *what, struct pop_error *e)
{
    const char *st = json_string_value(json_object_get(nsr, "status"));
    if (!st || strcmp(st, "ACTIVE") != 0)
        return pop_error_set(e, -EBUSY, API_STATE_CONFLICT, NULL,
                             "NSR %s is %s: a scale %s needs it ACTIVE",
                             json_string_value(json_object_get(nsr, "id")), st ? st : "NULL", what);
    return 0;
}

static json_t *the_vnfr(const json_t *nsr, const char *vnfr_id, struct pop_error *e)
{
    json_t *vnfr = scale_by_id(json_object_get(nsr, "vnfr"), vnfr_id);
    if (!vnfr)
        pop_error_set(e, -ENOENT, API_NOT_FOUND, NULL, "NSR %s has no VNFR with id %s",
                      json_string_value(json_object_get(nsr, "id")), vnfr_id);
    return vnfr;
}

/* The VIM name for the new VNFC: one at random among the body's vimInstanceNames, else among
 * the VDU's (§3.7); each must be a VIM instance of the project. */
static int choose_vim(const struct scale_req *q, const json_t *vdu, char *buf, size_t size,
                      struct pop_error *e)
{
    const json_t *names = json_object_get(q->body, "vimInstanceNames");
    const char *field = "vimInstanceNames";
    if (names && !json_is_array(names))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, field,
                             "vimInstanceNames: a list of VIM instance names");
    if (!json_array_size(names)) {
        names = json_object_get(vdu, "vimInstanceName");
        field = "vdu.vimInstanceName";
    }
    size_t count = json_array_size(names);
    if (!count)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, field,
                             "%s: no VIM instance to launch the new VNFC on", field);
    size_t i;
    json_t *name;
    json_array_foreach (names, i, name) {
        char want[256];
        snprintf(want, sizeof(want), "%s", json_string_value(name) ? json_string_value(name) : "");
        char *colon = strchr(want, ':'); /* "name:az": the Pop has no zones */
        if (colon)
            *colon = '\0';
        json_t *vim = NULL;
        struct pop_error fe = POP_ERROR_INIT;
        if (nfvo_vims_find(q->n->vims, q->project, want, &vim, &fe) < 0)
            return pop_error_set(e, -ENOENT, API_STATE_CONFLICT, field,
                                 "%s: no VIM instance named '%s' in this project", field, want);
        json_decref(vim);
    }
    uint32_t rnd = 0;
    (void)auth_random_bytes(&rnd, sizeof(rnd));
    snprintf(buf, size, "%s", json_string_value(json_array_get(names, rnd % count)));
    char *colon = strchr(buf, ':');
    if (colon)
        *colon = '\0';
    return 0;
}

static void set_scaling(json_t *nsr, json_t *sc, const char *task)
{
    json_object_set_new(json_object_get(nsr, "_launch"), "scaling", sc);
    json_object_set_new(nsr, "task", json_string(task));
}

/* Under the NSR's lock: the checks, the component added, the VNFR SCALING (so the NSR is). */
static int scale_out_edit(json_t *nsr, void *ud, struct pop_error *e)
{
    struct scale_req *q = ud;
    int rc = need_active(nsr, "out", e);
    json_t *vnfr = rc < 0 ? NULL : the_vnfr(nsr, q->vnfr_id, e);
    json_t *vdu = NULL;
    if (!vnfr || (rc = scale_out_vdu(vnfr, q->vdu_id, &vdu, e)) < 0)
        return rc < 0 ? rc : -ENOENT;
    const json_t *given = json_object_get(q->body, "vnfComponent");
    if (given && !json_is_object(given))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnfComponent",
                             "vnfComponent: a VNF component {connection_point: [...]}");
    char vim[256];
    if ((rc = choose_vim(q, vdu, vim, sizeof(vim), e)) < 0)
        return rc;
    json_t *component = scale_new_component(nsr, vdu, given, e);
    if (!component)
        return -EINVAL;
    records_assign_ids(component);
    /* As a grant does (§11.9): the CPs name their network's id. */
    size_t i, k;
    json_t *cp, *vlr;
    json_array_foreach (json_object_get(component, "connection_point"), i, cp)
        json_array_foreach (json_object_get(nsr, "vlr"), k, vlr)
            if (json_equal(json_object_get(vlr, "name"),
                           json_object_get(cp, "virtual_link_reference")) &&
                json_is_string(json_object_get(vlr, "extId")))
                json_object_set(cp, "virtual_link_reference_id", json_object_get(vlr, "extId"));
    json_t *list = json_object_get(vdu, "vnfc");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(vdu, "vnfc", list);
    }
    json_array_append(list, component);
    records_set_status(vnfr, "SCALING");
    set_scaling(nsr,
                json_pack("{s:s, s:O, s:O, s:O, s:s, s:s}", "kind", "out", "vnfr",
                          json_object_get(vnfr, "name"), "vdu", json_object_get(vdu, "id"),
                          "component", json_object_get(component, "id"), "vim", vim, "mode",
                          q->standby ? "standby" : ""),
                "Scaling out");
    json_decref(component);
    return 0;
}

static int scale_in_edit(json_t *nsr, void *ud, struct pop_error *e)
{
    struct scale_req *q = ud;
    int rc = need_active(nsr, "in", e);
    json_t *vnfr = rc < 0 ? NULL : the_vnfr(nsr, q->vnfr_id, e);
    json_t *vdu = NULL, *vi = NULL;
    if (!vnfr || (rc = scale_in_pick(vnfr, q->vdu_id, q->vnfc_id, &vdu, &vi, e)) < 0)
        return rc < 0 ? rc : -ENOENT;
    records_set_status(vnfr, "SCALING");
    set_scaling(nsr,
                json_pack("{s:s, s:O, s:O, s:O}", "kind", "in", "vnfr",
                          json_object_get(vnfr, "name"), "vdu", json_object_get(vdu, "id"), "vnfc",
                          json_object_get(vi, "id")),
                "Scaling in");
    return 0;
}

static void handle_scale(struct http_request *req, struct nfvo *n, bool out, bool standby)
{
    struct scale_req q = {
        .n = n,
        .standby = standby,
        .project = nfvo_request_project(req),
        .vnfr_id = http_request_param(req, "vnfrId"),
        .vdu_id = http_request_param(req, "vduId"),
        .vnfc_id = http_request_param(req, "vnfcId"),
    };
    const char *id = http_request_param(req, "id");
    struct pop_error e = POP_ERROR_INIT;
    _cleanup_json_ json_t *body = NULL;
    size_t len = 0;
    const char *text = out ? http_request_body(req, &len) : NULL;
    /* An empty body (also only white space) means "like the VDU's first component". */
    size_t blank = 0;
    while (blank < len && strchr(" \t\r\n", text[blank]))
        blank++;
    if (blank == len)
        len = 0;
    if (len && cat_parse(text, len, &body, &e) < 0) {
        http_reply_pop_error(req, &e);
        return;
    }
    if (body && !json_is_object(body) && !json_is_null(body)) {
        http_reply_error(req, API_BAD_JSON,
                         "the scale out body must be a JSON object {vnfComponent, "
                         "vimInstanceNames}");
        return;
    }
    q.body = body;
    /* The NSR must be one of this project's; the edit itself reads it by id. */
    _cleanup_json_ json_t *nsr = NULL;
    int rc = records_load(n->records, q.project, id, &nsr);
    if (rc < 0) {
        if (rc == -ENOENT)
            http_reply_error(req, API_NOT_FOUND, "no NSR with id %s in this project", id);
        else
            http_reply_error(req, API_INTERNAL, "cannot read the NSR: %s", strerror(-rc));
        return;
    }
    if (records_edit(n->records, id, out ? scale_out_edit : scale_in_edit, &q, &e) < 0) {
        http_reply_pop_error(req, &e);
        return;
    }
    const char *kind = out ? "out" : "in";
    rc = records_set_operation(n->records, id, out ? "scale_out" : "scale_in");
    if (rc == 0)
        rc = scale_start(n->records, id, kind);
    if (rc < 0) {
        records_fail(n->records, id, NULL, "cannot start the scaling");
        http_reply_error(req, API_UNAVAILABLE, "cannot start the scale %s: %s", kind,
                         strerror(-rc));
        return;
    }
    log_info("records: NSR %s: scale %s of VNFR %s started", id, kind, q.vnfr_id);
    /* NFVO 6 answers 201 (out) and 204 (in), both without a body. */
    http_reply_empty(req, out ? 201 : 204);
}

static void handle_scale_out(struct http_request *req, void *ud)
{
    handle_scale(req, ud, true, false);
}

/* .../vnfcinstances/standby (§6.2): a scale out whose VNFC the VNFM makes and does not start
 * (mode "standby"); it stays in state "standby", ready for a heal or a VNFC start. */
static void handle_scale_out_standby(struct http_request *req, void *ud)
{
    handle_scale(req, ud, true, true);
}

static void handle_scale_in(struct http_request *req, void *ud)
{
    handle_scale(req, ud, false, false);
}

static const struct http_route routes[] = {
    {"POST", "/api/v1/ns-records/{id}/vnfrecords/{vnfrId}/vdunits/{vduId}/vnfcinstances",
     handle_scale_out, 0},
    {"POST", "/api/v1/ns-records/{id}/vnfrecords/{vnfrId}/vdunits/vnfcinstances", handle_scale_out,
     0},
    {"POST", "/api/v1/ns-records/{id}/vnfrecords/{vnfrId}/vdunits/{vduId}/vnfcinstances/standby",
     handle_scale_out_standby, 0},
    {"DELETE", "/api/v1/ns-records/{id}/vnfrecords/{vnfrId}/vdunits/{vduId}/vnfcinstances/{vnfcId}",
     handle_scale_in, 0},
    {"DELETE", "/api/v1/ns-records/{id}/vnfrecords/{vnfrId}/vdunits/{vduId}/vnfcinstances",
     handle_scale_in, 0},
    {"DELETE", "/api/v1/ns-records/{id}/vnfrecords/{vnfrId}/vdunits/vnfcinstances", handle_scale_in,
     0},
};

const struct http_route *nfvo_scale_routes(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(routes);
    return routes;
}

/* ---- the operations ---- */

struct scale_arg {
    struct nfvo_records *r;
    char id[64];
    bool out;
};

/* What the operation works on, read from the NSR's _launch.scaling. */
struct scale_op {
    struct nfvo_records *r;
    const char *id;
    json_t *nsr; /* as loaded at the start */
    const char *name, *project;
    json_t *vnfr, *vdu; /* borrowed from nsr */
    char why[1024];
};

static int load_op(struct scale_op *op)
{
    if (records_load(op->r, "", op->id, &op->nsr) < 0) {
        snprintf(op->why, sizeof(op->why), "cannot read the NSR");
        return -EIO;
    }
    const json_t *sc = json_object_get(json_object_get(op->nsr, "_launch"), "scaling");
    op->name = json_string_value(json_object_get(sc, "vnfr"));
    op->project = json_string_value(json_object_get(op->nsr, "projectId"));
    op->vnfr = records_vnfr(op->nsr, op->name);
    op->vdu = scale_by_id(json_object_get(op->vnfr, "vdu"),
                          json_string_value(json_object_get(sc, "vdu")));
    if (!op->vdu) {
        snprintf(op->why, sizeof(op->why), "the NSR holds no scaling to run");
        return -ENOENT;
    }
    return 0;
}

/* MODIFY of target with its record as stored now, then START (NFVO 6 starts every VNFR after
 * its MODIFY, §11.14; our VNFM takes a START of a running VNFR as done). */
static int reconfigure(struct nfvo_records *r, const char *id, const char *target,
                       struct pop_error *e)
{
    _cleanup_json_ json_t *nsr = NULL;
    if (records_load(r, "", id, &nsr) < 0)
        return pop_error_set(e, -EIO, API_INTERNAL, NULL, "cannot read the NSR");
    const json_t *dep = nsr_dependency_of(nsr, target);
    const json_t *vnfr = records_vnfr(nsr, target);
    if (!dep || !vnfr)
        return pop_error_set(e, -ENOENT, API_INTERNAL, NULL, "the NSR lost VNF %s", target);
    char vnfm[256]; /* outlives the document it comes from (reloaded below) */
    const char *ep = records_vnfm_of(nsr, target);
    snprintf(vnfm, sizeof(vnfm), "%s", ep ? ep : "");
    json_t *msg = json_pack("{s:s, s:O, s:O}", "action", "MODIFY", "vnfr", vnfr, "vnfrd", dep);
    int rc = records_vnfm_step(r, id, vnfm, "MODIFY", target, msg, "INACTIVE", false, e);
    json_decref(msg);
    if (rc < 0)
        return rc;
    json_decref(nsr);
    nsr = NULL;
    if (records_load(r, "", id, &nsr) < 0)
        return pop_error_set(e, -EIO, API_INTERNAL, NULL, "cannot read the NSR");
    msg = json_pack("{s:s, s:O, s:n, s:O}", "action", "START", "virtualNetworkFunctionRecord",
                    records_vnfr(nsr, target), "vnfcInstance", "vnfrDependency",
                    nsr_dependency_of(nsr, target));
    rc = records_vnfm_step(r, id, vnfm, "START", target, msg, "ACTIVE", false, e);
    json_decref(msg);
    return rc;
}

/* The targets of source name (the dependency records naming it), as a new array of names. */
static json_t *targets_of(const json_t *nsr, const char *name)
{
    json_t *out = json_array();
    size_t i;
    json_t *dep;
    json_array_foreach (json_object_get(nsr, "vnf_dependency"), i, dep)
        if (json_object_get(json_object_get(dep, "idType"), name))
            json_array_append(out, json_object_get(dep, "target"));
    return out;
}

struct scaled_ctx {
    const char *name;
    const json_t *vnfr; /* the SCALED reply's */
    const json_t *vnfc; /* its vnfcInstance */
    bool standby;       /* the new VNFC stays "standby", not ACTIVE (ScaledTask) */
};

/* ScaledTask: the VNFR as the VNFM answers it (still SCALING until its targets have the new
 * values), the new VNFC ACTIVE, the records where it is a source refreshed (§5.2). */
static int store_scaled(json_t *nsr, void *ud, struct pop_error *e)
{
    struct scaled_ctx *s = ud;
    int rc = records_still_launching(nsr, e);
    if (rc < 0)
        return rc;
    json_t *vnfr = json_deep_copy(s->vnfr);
    if (!vnfr)
        return -ENOMEM;
    json_object_set(vnfr, "id", json_object_get(records_vnfr(nsr, s->name), "id"));
    records_assign_ids(vnfr);
    records_set_status(vnfr, "SCALING");
    const char *want = json_string_value(json_object_get(s->vnfc, "id"));
    const char *host = json_string_value(json_object_get(s->vnfc, "hostname"));
    bool found = false;
    size_t i, j;
    json_t *vdu, *vi;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu)
        json_array_foreach (json_object_get(vdu, "vnfc_instance"), j, vi) {
            const char *vid = json_string_value(json_object_get(vi, "id"));
            const char *vh = json_string_value(json_object_get(vi, "hostname"));
            if ((want && vid && strcmp(want, vid) == 0) ||
                (!want && host && vh && strcmp(host, vh) == 0)) {
                json_object_set_new(vi, "state", json_string(s->standby ? "standby" : "ACTIVE"));
                found = true;
            }
        }
    if (!found) {
        json_decref(vnfr);
        return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, NULL,
                             "SCALED of %s names a VNFC instance its record lacks", s->name);
    }
    nsr_fill_dependencies(nsr, vnfr);
    return records_put_vnfr(nsr, vnfr) < 0 ? -ENOMEM : 0;
}

struct finish_ctx {
    const char *name, *event, *task, *text;
    const char *remove_vdu, *remove_vnfc; /* scale in: the instance that goes */
    bool orphans;                         /* drop components left without an instance */
};

/* The end of a scaling, in success or failure: _launch.scaling removed; a scale in's instance
 * removed; on failure a component the scale out added without an instance dropped. */
static int finish_edit(json_t *nsr, void *ud, struct pop_error *e)
{
    (void)e;
    struct finish_ctx *f = ud;
    json_t *vnfr = records_vnfr(nsr, f->name);
    json_t *sc = json_object_get(json_object_get(nsr, "_launch"), "scaling");
    if (f->orphans && vnfr) {
        json_t *vdu = scale_by_id(json_object_get(vnfr, "vdu"),
                                  json_string_value(json_object_get(sc, "vdu")));
        const char *cid = json_string_value(json_object_get(sc, "component"));
        json_t *comps = json_object_get(vdu, "vnfc");
        size_t i, j;
        json_t *c, *vi;
        json_array_foreach (comps, i, c) {
            const char *id = json_string_value(json_object_get(c, "id"));
            if (!cid || !id || strcmp(id, cid) != 0)
                continue;
            bool used = false;
            json_array_foreach (json_object_get(vdu, "vnfc_instance"), j, vi)
                if (json_equal(json_object_get(json_object_get(vi, "vnfComponent"), "id"),
                               json_object_get(c, "id")))
                    used = true;
            if (!used)
                json_array_remove(comps, i);
            break;
        }
    }
    if (f->remove_vnfc && vnfr)
        (void)scale_remove_instance(vnfr, scale_by_id(json_object_get(vnfr, "vdu"), f->remove_vdu),
                                    f->remove_vnfc);
    json_object_del(json_object_get(nsr, "_launch"), "scaling");
    if (f->event && vnfr) {
        records_set_status(vnfr, "ACTIVE");
        json_object_set_new(nsr, "task", json_string(f->task));
        records_history(vnfr, f->event, f->text);
        records_history(nsr, f->event, f->text);
    }
    return 0;
}

static void fail_op(struct scale_op *op, bool out)
{
    struct finish_ctx f = {.name = op->name, .orphans = out};
    struct pop_error e = POP_ERROR_INIT;
    if (op->name)
        (void)records_edit(op->r, op->id, finish_edit, &f, &e);
    char why[1100];
    snprintf(why, sizeof(why), "scale %s: %s", out ? "out" : "in", op->why);
    records_fail(op->r, op->id, op->name, why);
}

static int scale_out_run(struct scale_op *op)
{
    struct pop_error e = POP_ERROR_INIT;
    const json_t *sc = json_object_get(json_object_get(op->nsr, "_launch"), "scaling");
    const json_t *component = scale_by_id(json_object_get(op->vdu, "vnfc"),
                                          json_string_value(json_object_get(sc, "component")));
    const char *vim_name = json_string_value(json_object_get(sc, "vim"));
    _cleanup_json_ json_t *vim = NULL;
    if (!component) {
        snprintf(op->why, sizeof(op->why), "the component to add is gone from the record");
        return -ENOENT;
    }
    if (nfvo_vims_find(op->r->n->vims, op->project, vim_name ? vim_name : "", &vim, &e) < 0) {
        snprintf(op->why, sizeof(op->why), "%s", e.detail);
        return -ENOENT;
    }
    /* OrVnfmScalingMessage (§3.3; §11.16: no nsr-id in extension, mode "" or "standby"). */
    const json_t *dep = nsr_dependency_of(op->nsr, op->name);
    const char *mode = json_string_value(json_object_get(sc, "mode"));
    _cleanup_json_ json_t *msg = json_pack(
        "{s:s, s:O, s:n, s:O, s:n, s:O, s:O, s:s, s:{}}", "action", "SCALE_OUT", "component",
        component, "vnfcInstance", "vimInstance", vim, "vnfPackage", "virtualNetworkFunctionRecord",
        op->vnfr, "dependency", dep ? dep : json_null(), "mode", mode ? mode : "", "extension");
    _cleanup_json_ json_t *reply = NULL;
    int rc = records_vnfm_rpc(op->r, records_vnfm_of(op->nsr, op->name), "SCALE_OUT", op->name, msg,
                              &reply, &e);
    const char *got = json_string_value(json_object_get(reply, "action"));
    if (rc == 0 && (!got || strcmp(got, "SCALED") != 0))
        rc = pop_error_set(&e, -EPROTO, API_BAD_GATEWAY, NULL,
                           "SCALE_OUT of %s: the VNFM answered %s, not SCALED", op->name,
                           got ? got : "without an action");
    struct scaled_ctx s = {op->name, json_object_get(reply, "virtualNetworkFunctionRecord"),
                           json_object_get(reply, "vnfcInstance"),
                           mode && strcmp(mode, "standby") == 0};
    if (rc == 0 && (rc = records_edit(op->r, op->id, store_scaled, &s, &e)) < 0)
        pop_error_default(&e, rc, API_INTERNAL, "cannot store the SCALED record");
    if (rc < 0) {
        snprintf(op->why, sizeof(op->why), "%s", e.detail);
        return rc;
    }
    const char *host = json_string_value(json_object_get(s.vnfc, "hostname"));
    char text[600];
    snprintf(text, sizeof(text), "Scaled out: VNFC %s added to VNF %s%s", host ? host : "?",
             op->name, s.standby ? " as a standby (not started)" : "");
    /* The targets learn the new values: each its whole refreshed record. */
    _cleanup_json_ json_t *now = NULL;
    if (records_load(op->r, "", op->id, &now) < 0) {
        snprintf(op->why, sizeof(op->why), "cannot read the NSR");
        return -EIO;
    }
    _cleanup_json_ json_t *targets = targets_of(now, op->name);
    size_t i;
    json_t *t;
    json_array_foreach (targets, i, t) {
        pop_error_clear(&e);
        if ((rc = reconfigure(op->r, op->id, json_string_value(t), &e)) < 0) {
            snprintf(op->why, sizeof(op->why), "%s", e.detail);
            return rc;
        }
    }
    struct finish_ctx f = {
        .name = op->name, .event = "SCALE_OUT", .task = "Scaled out", .text = text};
    pop_error_clear(&e);
    if ((rc = records_finish(op->r, op->id, "scale_out", finish_edit, &f, &e)) < 0) {
        snprintf(op->why, sizeof(op->why), "%s", e.detail);
        return rc;
    }
    log_info("records: NSR %s: %s", op->id, text);
    return 0;
}

struct forget_ctx {
    const char *target, *vnfc;
};

static int forget_edit(json_t *nsr, void *ud, struct pop_error *e)
{
    (void)e;
    struct forget_ctx *f = ud;
    scale_forget_vnfc(nsr_dependency_of(nsr, f->target), f->vnfc);
    return 0;
}

static int scale_in_run(struct scale_op *op)
{
    struct pop_error e = POP_ERROR_INIT;
    const json_t *sc = json_object_get(json_object_get(op->nsr, "_launch"), "scaling");
    const char *vnfc_id = json_string_value(json_object_get(sc, "vnfc"));
    const json_t *vi = scale_by_id(json_object_get(op->vdu, "vnfc_instance"), vnfc_id);
    if (!vi) {
        snprintf(op->why, sizeof(op->why), "the VNFC instance to remove is gone from the record");
        return -ENOENT;
    }
    const char *host = json_string_value(json_object_get(vi, "hostname"));
    /* 1. Every target is told (SCALE_IN to its VNFM, which answers null), its record loses the
     * VNFC, and it is configured with the record as it is now. */
    _cleanup_json_ json_t *targets = targets_of(op->nsr, op->name);
    size_t i;
    json_t *t;
    int rc;
    json_array_foreach (targets, i, t) {
        const char *target = json_string_value(t);
        json_t *msg =
            json_pack("{s:s, s:O, s:O}", "action", "SCALE_IN", "virtualNetworkFunctionRecord",
                      records_vnfr(op->nsr, target), "vnfcInstance", vi);
        json_t *reply = NULL;
        pop_error_clear(&e);
        rc = records_vnfm_request(op->r, records_vnfm_of(op->nsr, target), "SCALE_IN", target, msg,
                                  false, &reply, &e);
        json_decref(msg);
        json_decref(reply);
        struct forget_ctx f = {target, vnfc_id};
        if (rc == 0 && (rc = records_edit(op->r, op->id, forget_edit, &f, &e)) == 0)
            rc = reconfigure(op->r, op->id, target, &e);
        if (rc < 0) {
            snprintf(op->why, sizeof(op->why), "%s", e.detail);
            return rc;
        }
    }
    /* 2. The server goes; only then the instance leaves the record (a failure keeps it there
     * for the terminate to delete). */
    const char *server = json_string_value(json_object_get(vi, "vc_id"));
    if (!server)
        server = host;
    pop_error_clear(&e);
    if ((rc = records_delete_server(op->r, op->project, NULL,
                                    json_string_value(json_object_get(vi, "vim_id")),
                                    server ? server : "", &e)) < 0) {
        snprintf(op->why, sizeof(op->why), "server %s could not be deleted: %s", host ? host : "?",
                 e.detail);
        return rc;
    }
    char text[600];
    snprintf(text, sizeof(text), "Scaled in: VNFC %s removed from VNF %s", host ? host : "?",
             op->name);
    struct finish_ctx f = {.name = op->name,
                           .event = "SCALE_IN",
                           .task = "Scaled in",
                           .text = text,
                           .remove_vdu = json_string_value(json_object_get(op->vdu, "id")),
                           .remove_vnfc = vnfc_id};
    pop_error_clear(&e);
    if ((rc = records_finish(op->r, op->id, "scale_in", finish_edit, &f, &e)) < 0) {
        snprintf(op->why, sizeof(op->why), "%s", e.detail);
        return rc;
    }
    log_info("records: NSR %s: %s", op->id, text);
    return 0;
}

static void scale_main(void *p)
{
    struct scale_arg *a = p;
    struct scale_op op = {.r = a->r, .id = a->id};
    int rc = load_op(&op);
    if (rc == 0)
        rc = a->out ? scale_out_run(&op) : scale_in_run(&op);
    if (rc < 0)
        fail_op(&op, a->out); /* on success, the last edit ended the operation */
    json_decref(op.nsr);
    free(a);
}

int scale_start(struct nfvo_records *r, const char *id, const char *kind)
{
    struct scale_arg *a = calloc(1, sizeof(*a));
    if (!a)
        return -ENOMEM;
    a->r = r;
    a->out = strcmp(kind, "out") == 0;
    snprintf(a->id, sizeof(a->id), "%s", id);
    int rc = records_spawn(r, scale_main, a);
    if (rc < 0)
        free(a);
    return rc;
}
