/* The catalogue (see catalogue.h): REST handlers over onboard.c's checks and catalogue_store.c's
 * SQL. Every route is scoped to the caller's project: another project's NSD is 404. */
#include "catalogue.h"

#include "catalogue/catalogue.h"
#include "catalogue_store.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "http/request.h"
#include "http/server.h"
#include "nfvo.h"
#include "onboard.h"
#include "principal.h"
#include "json/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct nfvo_catalogue {
    struct nfvo *n;
    nfvo_catalogue_in_use_fn in_use;
    void *in_use_ud;
};

int nfvo_catalogue_new(struct nfvo *n, struct nfvo_catalogue **ret)
{
    struct nfvo_catalogue *x = calloc(1, sizeof(*x));
    if (!x)
        return -ENOMEM;
    x->n = n;
    *ret = x;
    return 0;
}

void nfvo_catalogue_free(struct nfvo_catalogue *x)
{
    free(x);
}

void nfvo_catalogue_set_in_use_check(struct nfvo_catalogue *c, nfvo_catalogue_in_use_fn in_use,
                                     void *ud)
{
    c->in_use = in_use;
    c->in_use_ud = ud;
}

static void reply_db_error(struct http_request *req, const char *what, int r)
{
    log_error("catalogue: %s: %s", what, strerror(-r));
    http_reply_error(req, API_INTERNAL, "the catalogue's database failed");
}

static void reply_missing(struct http_request *req, const char *what, const char *id)
{
    json_t *extra = json_pack("{s:s}", "field", "id");
    http_reply_error_ext(req, API_NOT_FOUND, extra, "no %s with id %s", what, id);
}

/* The stored NSD of the path's {id}; replies itself (404, 500) and returns < 0 when none. */
static int load_nsd(struct http_request *req, struct nfvo *n, json_t **ret)
{
    const char *id = http_request_param(req, "id");
    int r = nfvo_cat_store_get(n->pool, nfvo_request_project(req), id, ret);
    if (r == -ENOENT)
        reply_missing(req, "NSD", id);
    else if (r < 0)
        reply_db_error(req, "reading an NSD", r);
    return r;
}

/* The member of array whose "id" is id, or NULL. */
static json_t *find_by_id(const json_t *array, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach (array, i, v) {
        const char *vid = json_string_value(json_object_get(v, "id"));
        if (vid && strcmp(vid, id) == 0)
            return v;
    }
    return NULL;
}

static void handle_onboard(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    const char *project = nfvo_request_project(req);
    size_t len;
    const char *body = http_request_body(req, &len);
    struct pop_error e = POP_ERROR_INIT;
    struct cat_nsd *nsd = NULL;
    int64_t now = time_now_s();
    if (nfvo_nsd_onboard(body, len, project, now, &nsd, &e) < 0) {
        http_reply_pop_error(req, &e);
        return;
    }
    json_t *doc = cat_nsd_to_json(nsd, 0);
    int r = doc ? nfvo_cat_store_put(n->pool, project, nsd, doc, now) : -ENOMEM;
    if (r == -EEXIST) {
        /* Only a client-chosen id inside the NSD can collide (VNFD and NSD ids are ours). */
        http_reply_error(req, API_CONFLICT, "an id in the NSD is already taken");
    } else if (r < 0) {
        reply_db_error(req, "storing an NSD", r);
    } else {
        log_info("catalogue: onboarded NSD %s '%s' (%zu VNFDs, %zu dependencies) in project '%s'",
                 nsd->base.id, nsd->name, nsd->vnfd.n, nsd->vnf_dependency.n, project);
        http_reply_json(req, 201, json_incref(doc));
    }
    json_decref(doc);
    cat_nsd_free(nsd);
}

static void handle_list(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    json_t *all = NULL;
    int r = nfvo_cat_store_list(n->pool, nfvo_request_project(req), &all);
    if (r < 0) {
        reply_db_error(req, "listing NSDs", r);
        return;
    }
    http_reply_json(req, 200, all);
}

static void handle_get(struct http_request *req, void *userdata)
{
    json_t *doc = NULL;
    if (load_nsd(req, userdata, &doc) == 0)
        http_reply_json(req, 200, doc);
}

static void handle_delete(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    struct nfvo_catalogue *c = n->catalogue;
    const char *project = nfvo_request_project(req), *id = http_request_param(req, "id");
    _cleanup_json_ json_t *doc = NULL;
    if (load_nsd(req, n, &doc) < 0)
        return;
    if (c->in_use) {
        char names[512] = "";
        int k = c->in_use(c->in_use_ud, project, id, names, sizeof(names));
        if (k < 0) {
            reply_db_error(req, "looking for the NSD's records", k);
            return;
        }
        if (k > 0) {
            http_reply_error(req, API_CONFLICT,
                             "the NSD %s is in use by %d NS record%s (%s): delete them first", id,
                             k, k == 1 ? "" : "s", names);
            return;
        }
    }
    int r = nfvo_cat_store_delete(n->pool, project, id);
    if (r == -ENOENT) {
        reply_missing(req, "NSD", id);
    } else if (r < 0) {
        reply_db_error(req, "deleting an NSD", r);
    } else {
        log_info("catalogue: deleted NSD %s in project '%s'", id, project);
        http_reply_empty(req, 204);
    }
}

/* GET .../{id}/<member> and .../{id}/<member>/{sub}: the NSD's array member, or one entry. */
static void reply_member(struct http_request *req, void *userdata, const char *member,
                         const char *what)
{
    _cleanup_json_ json_t *doc = NULL;
    if (load_nsd(req, userdata, &doc) < 0)
        return;
    json_t *array = json_object_get(doc, member);
    const char *sub = http_request_param(req, "sub");
    if (!sub) {
        http_reply_json(req, 200, array ? json_incref(array) : json_array());
        return;
    }
    json_t *one = find_by_id(array, sub);
    if (!one) {
        reply_missing(req, what, sub);
        return;
    }
    http_reply_json(req, 200, json_incref(one));
}

static void handle_nsd_vnfds(struct http_request *req, void *userdata)
{
    reply_member(req, userdata, "vnfd", "VNFD in this NSD");
}

static void handle_nsd_deps(struct http_request *req, void *userdata)
{
    reply_member(req, userdata, "vnf_dependency", "VNF dependency in this NSD");
}

static void handle_vnfds(struct http_request *req, void *userdata)
{
    struct nfvo *n = userdata;
    const char *id = http_request_param(req, "id");
    json_t *out = NULL;
    int r = nfvo_cat_store_vnfds(n->pool, nfvo_request_project(req), id, &out);
    if (r == -ENOENT)
        reply_missing(req, "VNFD", id);
    else if (r < 0)
        reply_db_error(req, "reading VNFDs", r);
    else
        http_reply_json(req, 200, out);
}

static const struct http_route routes[] = {
    {"POST", "/api/v1/ns-descriptors", handle_onboard, HTTP_ROUTE_JSON},
    {"GET", "/api/v1/ns-descriptors", handle_list, 0},
    {"GET", "/api/v1/ns-descriptors/{id}", handle_get, 0},
    {"DELETE", "/api/v1/ns-descriptors/{id}", handle_delete, 0},
    {"GET", "/api/v1/ns-descriptors/{id}/vnfdescriptors", handle_nsd_vnfds, 0},
    {"GET", "/api/v1/ns-descriptors/{id}/vnfdescriptors/{sub}", handle_nsd_vnfds, 0},
    {"GET", "/api/v1/ns-descriptors/{id}/vnfdependencies", handle_nsd_deps, 0},
    {"GET", "/api/v1/ns-descriptors/{id}/vnfdependencies/{sub}", handle_nsd_deps, 0},
    {"GET", "/api/v1/vnf-descriptors", handle_vnfds, 0},
    {"GET", "/api/v1/vnf-descriptors/{id}", handle_vnfds, 0},
};

const struct http_route *nfvo_catalogue_routes(size_t *ret_n)
{
    *ret_n = sizeof(routes) / sizeof(routes[0]);
    return routes;
}

int nfvo_catalogue_get_nsd(struct nfvo_catalogue *c, const char *project, const char *id,
                           json_t **ret, struct pop_error *e)
{
    int r = nfvo_cat_store_get(c->n->pool, project, id, ret);
    if (r == -ENOENT)
        return pop_error_set(e, r, API_NOT_FOUND, "id", "no NSD %s", id);
    if (r < 0)
        return pop_error_set(e, r, API_INTERNAL, NULL, "the catalogue's database: %s",
                             strerror(-r));
    return 0;
}
