/* /api/v1/datacenters: the REST face of the VIM instances (reference §6.2), scoped to the
 * caller's project (principal.h), every VIM shown with its secrets masked. */
#include "catalogue/base.h"
#include "http/request.h"
#include "http/server.h"
#include "nfvo.h"
#include "principal.h"
#include "vims-int.h"
#include "vims.h"
#include "json/cleanup.h"

#include <errno.h>

static void reply_doc(struct http_request *req, unsigned status, const json_t *doc)
{
    json_t *out = nfvo_vim_doc_masked(doc);
    if (!out) {
        http_reply_error(req, API_INTERNAL, "out of memory");
        return;
    }
    http_reply_json(req, status, out);
}

/* The body as a JSON value, read with the catalogue's caps (cat_parse); replies on failure. */
static int read_body(struct http_request *req, json_t **ret)
{
    size_t len = 0;
    const char *body = http_request_body(req, &len);
    if (len == 0)
        return http_reply_error(req, API_BAD_JSON, "a VIM instance (JSON object) is required"),
               -EINVAL;
    struct pop_error e = POP_ERROR_INIT;
    int r = cat_parse(body, len, ret, &e);
    if (r < 0)
        http_reply_pop_error(req, &e);
    return r;
}

static void handle_create(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    _cleanup_json_ json_t *body = NULL, *doc = NULL;
    if (read_body(req, &body) < 0)
        return;
    struct pop_error e = POP_ERROR_INIT;
    if (nfvo_vims_create(n->vims, nfvo_request_project(req), body, &doc, &e) < 0) {
        http_reply_pop_error(req, &e);
        return;
    }
    reply_doc(req, 201, doc);
}

static void handle_list(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    _cleanup_json_ json_t *list = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (nfvo_vims_list(n->vims, nfvo_request_project(req), &list, &e) < 0) {
        http_reply_pop_error(req, &e);
        return;
    }
    _cleanup_json_ json_t *out = json_array();
    size_t i;
    json_t *doc;
    json_array_foreach (list, i, doc) {
        if (!out || json_array_append_new(out, nfvo_vim_doc_masked(doc)) < 0) {
            http_reply_error(req, API_INTERNAL, "out of memory");
            return;
        }
    }
    http_reply_json(req, 200, json_incref(out));
}

static void handle_get(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    _cleanup_json_ json_t *doc = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (nfvo_vims_get(n->vims, nfvo_request_project(req), http_request_param(req, "id"), &doc, &e) <
        0) {
        http_reply_pop_error(req, &e);
        return;
    }
    reply_doc(req, 200, doc);
}

static void handle_update(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    _cleanup_json_ json_t *body = NULL, *doc = NULL;
    if (read_body(req, &body) < 0)
        return;
    struct pop_error e = POP_ERROR_INIT;
    if (nfvo_vims_update(n->vims, nfvo_request_project(req), http_request_param(req, "id"), body,
                         &doc, &e) < 0) {
        http_reply_pop_error(req, &e);
        return;
    }
    reply_doc(req, 200, doc);
}

static void handle_delete(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    struct pop_error e = POP_ERROR_INIT;
    if (nfvo_vims_delete(n->vims, nfvo_request_project(req), http_request_param(req, "id"), &e) <
        0) {
        http_reply_pop_error(req, &e);
        return;
    }
    http_reply_empty(req, 204);
}

static void handle_refresh(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    const char *project = nfvo_request_project(req), *id = http_request_param(req, "id");
    _cleanup_json_ json_t *was = NULL, *doc = NULL;
    struct pop_error e = POP_ERROR_INIT;
    /* By id, as the path says: nfvo_vims_refresh would also take a name. */
    if (nfvo_vims_get(n->vims, project, id, &was, &e) < 0 ||
        nfvo_vims_refresh(n->vims, project, id, &doc, &e) < 0) {
        http_reply_pop_error(req, &e);
        return;
    }
    reply_doc(req, 200, doc);
}

static const struct http_route routes[] = {
    {"POST", "/api/v1/datacenters", handle_create, HTTP_ROUTE_JSON},
    {"GET", "/api/v1/datacenters", handle_list, 0},
    {"GET", "/api/v1/datacenters/{id}", handle_get, 0},
    {"PUT", "/api/v1/datacenters/{id}", handle_update, HTTP_ROUTE_JSON},
    {"DELETE", "/api/v1/datacenters/{id}", handle_delete, 0},
    {"GET", "/api/v1/datacenters/{id}/refresh", handle_refresh, 0},
};

const struct http_route *nfvo_vims_routes(size_t *ret_n)
{
    *ret_n = sizeof(routes) / sizeof(routes[0]);
    return routes;
}
