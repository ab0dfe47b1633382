/* /api/v1/ns-records and /api/v1/vnfmanagers (reference §6.2): launch (201 with the NSR at
 * once, the deployment continues on an operation thread), the records with their status and
 * history, terminate (204, asynchronous), the VNF managers registered. */
#include "records-int.h"

#include "catalogue.h"
#include "catalogue/base.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "http/request.h"
#include "http/server.h"
#include "managers.h"
#include "nfvo.h"
#include "principal.h"
#include "json/cleanup.h"

#include <errno.h>
#include <string.h>

/* What a client sees of an NSR: everything but the launch's own notes. */
static json_t *public_nsr(json_t *nsr)
{
    json_object_del(nsr, "_launch");
    return nsr;
}

static void reply_store_error(struct http_request *req, int rc, const char *what, const char *id)
{
    if (rc == -ENOENT)
        http_reply_error(req, API_NOT_FOUND, "no %s with id %s in this project", what, id);
    else
        http_reply_error(req, API_INTERNAL, "cannot read the %s: %s", what, strerror(-rc));
}

static void handle_launch(struct http_request *req, void *ud)
{
    struct nfvo *n = ud;
    const char *project = nfvo_request_project(req);
    const char *nsd_id = http_request_param(req, "nsdId");
    size_t len = 0;
    const char *text = http_request_body(req, &len);
    _cleanup_json_ json_t *body = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (len && cat_parse(text, len, &body, &e) < 0) {
        http_reply_pop_error(req, &e);
        return;
    }
    if (body && !json_is_object(body)) {
        http_reply_error(req, API_BAD_JSON, "the launch body must be a JSON object");
        return;
    }
    _cleanup_json_ json_t *nsd = NULL;
    if (nfvo_catalogue_get_nsd(n->catalogue, project, nsd_id, &nsd, &e) < 0) {
        http_reply_pop_error(req, &e);
        return;
    }
    _cleanup_json_ json_t *nsr = nsr_build(n, project, nsd, body, &e);
    if (!nsr) {
        http_reply_pop_error(req, &e);
        return;
    }
    const char *id = json_string_value(json_object_get(nsr, "id"));
    int rc = records_insert(n->records, project, nsr, "launch");
    if (rc < 0) {
        http_reply_error(req, API_INTERNAL, "cannot store the NSR: %s", strerror(-rc));
        return;
    }
    if ((rc = launch_start(n->records, id)) < 0) {
        records_fail(n->records, id, NULL, "cannot start the launch");
        http_reply_error(req, API_UNAVAILABLE, "cannot start the launch: %s", strerror(-rc));
        return;
    }
    log_info("records: NSR %s of NSD %s launching", id, nsd_id);
    http_reply_json(req, 201, public_nsr(json_incref(nsr)));
}

static void handle_list(struct http_request *req, void *ud)
{
    struct nfvo *n = ud;
    json_t *all = NULL;
    int rc = records_list(n->records, nfvo_request_project(req), &all);
    if (rc < 0) {
        http_reply_error(req, API_INTERNAL, "cannot read the NSRs: %s", strerror(-rc));
        return;
    }
    size_t i;
    json_t *nsr;
    json_array_foreach (all, i, nsr)
        public_nsr(nsr);
    http_reply_json(req, 200, all);
}

static json_t *load(struct http_request *req, struct nfvo *n)
{
    const char *id = http_request_param(req, "id");
    json_t *nsr = NULL;
    int rc = records_load(n->records, nfvo_request_project(req), id, &nsr);
    if (rc < 0) {
        reply_store_error(req, rc, "NSR", id);
        return NULL;
    }
    return public_nsr(nsr);
}

static void handle_get(struct http_request *req, void *ud)
{
    json_t *nsr = load(req, ud);
    if (nsr)
        http_reply_json(req, 200, nsr);
}

/* A member array of the NSR, or one element of it by id ("sub"). */
static void handle_member(struct http_request *req, struct nfvo *n, const char *member,
                          const char *what)
{
    _cleanup_json_ json_t *nsr = load(req, n);
    if (!nsr)
        return;
    json_t *list = json_object_get(nsr, member);
    const char *want = http_request_param(req, "sub");
    if (!want) {
        http_reply_json(req, 200, json_incref(list ? list : json_array()));
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach (list, i, v) {
        const char *id = json_string_value(json_object_get(v, "id"));
        if (id && strcmp(id, want) == 0) {
            http_reply_json(req, 200, json_incref(v));
            return;
        }
    }
    http_reply_error(req, API_NOT_FOUND, "no %s with id %s in NSR %s", what, want,
                     http_request_param(req, "id"));
}

static void handle_vnfrs(struct http_request *req, void *ud)
{
    handle_member(req, ud, "vnfr", "VNFR");
}

static void handle_deps(struct http_request *req, void *ud)
{
    handle_member(req, ud, "vnf_dependency", "dependency record");
}

static void handle_delete(struct http_request *req, void *ud)
{
    struct nfvo *n = ud;
    _cleanup_json_ json_t *nsr = load(req, n);
    if (!nsr)
        return;
    const char *id = json_string_value(json_object_get(nsr, "id"));
    /* A launch (or an earlier terminate) gives way: its grants and allocations are refused
     * from now on. An operation that changes running VNFs (heal, scaling, start, stop) must end
     * first, or the VNFM could make a container after the servers were deleted. */
    char current[32] = "";
    int rc = records_claim_operation(n->records, id, "terminate", current, sizeof(current));
    if (rc == -EBUSY && strcmp(current, "launch") != 0 && strcmp(current, "terminate") != 0) {
        http_reply_error(req, API_STATE_CONFLICT,
                         "NSR %s has a %s in flight: delete it once that has ended", id, current);
        return;
    }
    if (rc == -EBUSY)
        rc = records_set_operation(n->records, id, "terminate");
    if (rc == 0)
        rc = terminate_start(n->records, id);
    if (rc < 0) {
        http_reply_error(req, API_UNAVAILABLE, "cannot start the termination: %s", strerror(-rc));
        return;
    }
    log_info("records: NSR %s terminating", id);
    http_reply_empty(req, 204);
}

static void handle_vnfms(struct http_request *req, void *ud)
{
    struct nfvo *n = ud;
    json_t *list = NULL;
    int rc = nfvo_managers_list_vnfms(n->managers, &list);
    if (rc < 0) {
        http_reply_error(req, API_INTERNAL, "cannot read the VNF managers: %s", strerror(-rc));
        return;
    }
    const char *want = http_request_param(req, "id");
    if (!want) {
        http_reply_json(req, 200, list);
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach (list, i, v) {
        const char *id = json_string_value(json_object_get(v, "id"));
        if (id && strcmp(id, want) == 0) {
            http_reply_json(req, 200, json_incref(v));
            json_decref(list);
            return;
        }
    }
    json_decref(list);
    http_reply_error(req, API_NOT_FOUND, "no VNF manager with id %s", want);
}

static const struct http_route routes[] = {
    {"POST", "/api/v1/ns-records/{nsdId}", handle_launch, 0},
    {"GET", "/api/v1/ns-records", handle_list, 0},
    {"GET", "/api/v1/ns-records/{id}", handle_get, 0},
    {"DELETE", "/api/v1/ns-records/{id}", handle_delete, 0},
    {"GET", "/api/v1/ns-records/{id}/vnfrecords", handle_vnfrs, 0},
    {"GET", "/api/v1/ns-records/{id}/vnfrecords/{sub}", handle_vnfrs, 0},
    {"GET", "/api/v1/ns-records/{id}/vnfdependencies", handle_deps, 0},
    {"GET", "/api/v1/ns-records/{id}/vnfdependencies/{sub}", handle_deps, 0},
    {"GET", "/api/v1/vnfmanagers", handle_vnfms, 0},
    {"GET", "/api/v1/vnfmanagers/{id}", handle_vnfms, 0},
};

const struct http_route *nfvo_records_routes(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(routes);
    return routes;
}
