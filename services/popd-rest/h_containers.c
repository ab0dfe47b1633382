/* /v1/containers: list, get, Create, Metadata, Start, Stop, Delete. */
#include "handlers.h"

#include "auth/random.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "lifecycle.h"
#include "views.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Empty means "assign one", as in the thesis's Endpoint. */
static const char *check_ipv4_or_empty(const char *s)
{
    return *s ? jv_check_ipv4(s) : NULL;
}

static const struct jv_field ipv4_fields[] = {
    {.name = "address", .type = JV_STRING, .max_len = 15, .check = check_ipv4_or_empty},
};
static const struct jv_schema ipv4_schema = {ipv4_fields, 1, false};
static const struct jv_field endpoint_fields[] = {
    {.name = "ipv4", .type = JV_OBJECT, .items = &ipv4_schema},
};
static const struct jv_schema endpoint_schema = {endpoint_fields, 1, false};
static const struct jv_field create_fields[] = {
    {.name = "name",
     .type = JV_STRING,
     .required = true,
     .max_len = POP_NAME_MAX,
     .check = handler_check_name},
    {.name = "image_id",
     .type = JV_STRING,
     .required = true,
     .min_len = 1,
     .max_len = POP_IMAGE_MAX,
     .check = handler_check_image},
    {.name = "flavour_id", .type = JV_STRING, .max_len = POP_NAME_MAX},
    {.name = "endpoints",
     .type = JV_MAP,
     .max_len = POP_MAX_ENDPOINTS,
     .check = jv_check_name,
     .items = &endpoint_schema},
};
static const struct jv_schema create_schema = {create_fields, 4, false};

static const struct jv_field md_fields[] = {
    {.name = "entries",
     .type = JV_MAP,
     .required = true,
     .max_len = MD_ENTRIES_MAX,
     .check = jv_check_env_key,
     .item_type = JV_STRING,
     .item_max_len = MD_VALUE_MAX},
};
static const struct jv_schema md_schema = {md_fields, 1, false};

static void reply_container(struct http_request *req, unsigned status, struct pop_container *c)
{
    http_reply_json(req, status, view_container(c));
    pop_container_done(c);
}

void h_containers_list(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const char *id, *name;
    if (handler_query(req, "id", NULL, &id) < 0 || handler_query(req, "name", NULL, &name) < 0)
        return;
    struct pop_container *list = NULL;
    size_t n = 0;
    if (store_container_list(p->store, id, name, &list, &n) < 0) {
        http_reply_error(req, API_INTERNAL, "cannot read containers");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(items, view_container(&list[i]));
    pop_container_list_free(list, n);
    http_reply_json(req, 200, view_list(items));
}

void h_container_get(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const char *ref = handler_ref(req, "ref");
    if (!ref)
        return;
    struct pop_container c;
    int r = store_container_get(p->store, ref, &c);
    if (r == -ENOENT)
        http_reply_error(req, API_NOT_FOUND, "no container with id or name '%s'", ref);
    else if (r < 0)
        http_reply_error(req, API_INTERNAL, "cannot read the container");
    else
        reply_container(req, 200, &c);
}

/* Turns the "endpoints" map into requests; an empty map means the default network. */
static int endpoint_requests(struct http_request *req, const json_t *endpoints,
                             struct endpoint_request *out, char ids[][POP_ID_LEN], size_t *ret_n)
{
    size_t n = 0;
    const char *net;
    json_t *ep;
    json_object_foreach ((json_t *)endpoints, net, ep) {
        const json_t *ipv4 = jv_get_object(ep, "ipv4");
        const char *addr = ipv4 ? jv_get_string(ipv4, "address") : NULL;
        out[n] = (struct endpoint_request){.network = net, .endpoint_id = ids[n]};
        /* Only an empty or absent address means "assign one": 0.0.0.0 is refused like every
         * other special-purpose address, instead of silently meaning the same. */
        char rule[160];
        if (addr && *addr && ipam_parse_host(addr, NULL, &out[n].ipv4, rule, sizeof(rule)) < 0) {
            char field[POP_NAME_MAX + 32];
            snprintf(field, sizeof(field), "endpoints.%s.ipv4.address", net);
            http_reply_error_ext(
                req, API_INVALID_FIELD, json_pack("{s:s}", "field", field), "%s: %s%s", field, rule,
                strcmp(addr, "0.0.0.0") == 0 ? "; leave the address out to have one assigned" : "");
            return -EINVAL;
        }
        n++;
    }
    if (n == 0)
        out[n++] =
            (struct endpoint_request){.network = POPD_DEFAULT_NETWORK, .endpoint_id = ids[0]};
    for (size_t i = 0; i < n; i++)
        if (auth_uuid4(ids[i]) < 0)
            return -EIO;
    *ret_n = n;
    return 0;
}

/* What a failed store_container_create means for the client. */
static void create_error(int r, const struct store_error *err, const char *name,
                         struct pop_error *e)
{
    char addr[16], field[POP_NAME_MAX + 32];
    ipam_format_addr(err->address, addr);
    snprintf(field, sizeof(field), "endpoints.%s.ipv4.address", err->network);
    switch (r) {
    case -EEXIST:
        pop_error_set(e, r, API_CONFLICT, "name", "name: a container called '%s' already exists",
                      name);
        break;
    case -ENOENT:
        pop_error_set(e, r, API_INVALID_FIELD, "endpoints",
                      "endpoints: no network called '%s' (see GET /v1/networks)", err->network);
        break;
    case -EDOM:
        pop_error_set(e, r, API_INVALID_FIELD, field,
                      "%s: %s is not a usable host address of the network's subnet", field, addr);
        break;
    case -EADDRINUSE:
        pop_error_set(e, r, API_CONFLICT, field, "%s: %s is already reserved", field, addr);
        break;
    case -ENOSPC:
        /* Named like the other endpoint errors: the client learns which of its endpoints
         * could not be served. */
        snprintf(field, sizeof(field), "endpoints.%s", err->network);
        pop_error_set(e, r, API_EXHAUSTED, field, "%s: network '%s' has no free address left",
                      field, err->network);
        break;
    case -EINVAL:
        pop_error_set(e, r, API_INVALID_FIELD, "endpoints",
                      "endpoints: network '%s' is named twice", err->network);
        break;
    default:
        pop_error_set(e, r, API_INTERNAL, NULL, "cannot store the container");
        break;
    }
}

void h_container_create(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    _cleanup_json_ json_t *body = NULL;
    if (http_request_json(req, &create_schema, &body) < 0)
        return;
    const char *flavour = jv_get_string(body, "flavour_id");
    if (!flavour || !*flavour)
        flavour = POPD_DEFAULT_FLAVOUR;
    if (!popd_flavour_find(p, flavour)) {
        http_reply_error_ext(req, API_INVALID_FIELD, json_pack("{s:s}", "field", "flavour_id"),
                             "flavour_id: unknown flavour '%s' (see GET /v1/flavours)", flavour);
        return;
    }
    const char *image = jv_get_string(body, "image_id");
    if (!popd_image_allowed(p, image)) {
        http_reply_error(req, API_FORBIDDEN, "image_id: '%s' is not in this Pop's image allowlist",
                         image);
        return;
    }
    struct endpoint_request eps[POP_MAX_ENDPOINTS];
    char ep_ids[POP_MAX_ENDPOINTS][POP_ID_LEN];
    size_t n_eps = 0;
    const json_t *endpoints = jv_get_object(body, "endpoints");
    json_t *empty = json_object();
    int r = endpoint_requests(req, endpoints ? endpoints : empty, eps, ep_ids, &n_eps);
    json_decref(empty);
    if (r == -EINVAL)
        return;

    struct pop_container c = {0};
    if (r < 0 || auth_uuid4(c.id) < 0) {
        http_reply_error(req, API_INTERNAL, "cannot generate ids");
        return;
    }
    snprintf(c.name, sizeof(c.name), "%s", jv_get_string(body, "name"));
    snprintf(c.image_id, sizeof(c.image_id), "%s", image);
    snprintf(c.flavour_id, sizeof(c.flavour_id), "%s", flavour);
    snprintf(c.extended_status, sizeof(c.extended_status), "created; not started");
    c.created = time_now_s();

    struct store_error err = {0};
    r = store_container_create(p->store, &c, eps, n_eps, &err);
    if (r == 0) {
        log_info("container %s created (%s)", c.name, c.id);
        reply_container(req, 201, &c);
        return;
    }
    struct pop_error e = POP_ERROR_INIT;
    create_error(r, &err, c.name, &e);
    http_reply_pop_error(req, &e);
    pop_container_done(&c);
}

void h_container_metadata(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const char *ref = handler_ref(req, "ref");
    if (!ref)
        return;
    const char *apply = http_request_query(req, "apply");
    if (apply && strcmp(apply, "recreate") != 0) {
        http_reply_error(req, API_BAD_QUERY, "apply: only 'recreate' is supported");
        return;
    }
    _cleanup_json_ json_t *body = NULL;
    if (http_request_json(req, &md_schema, &body) < 0)
        return;
    struct md_set patch = {0};
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *)jv_get_object(body, "entries"), key, value) {
        int r = md_patch_put(&patch, key, json_string_value(value));
        if (r < 0) {
            /* Never apply part of a patch. */
            md_set_done(&patch);
            if (r == -E2BIG)
                http_reply_error_ext(req, API_INVALID_FIELD, json_pack("{s:s}", "field", "entries"),
                                     "entries: at most %d entries in one patch", MD_ENTRIES_MAX);
            else
                http_reply_error(req, API_INTERNAL, "out of memory");
            return;
        }
    }
    struct pop_error err = POP_ERROR_INIT;
    struct pop_container c;
    int r = popd_container_metadata(p, ref, &patch, apply != NULL, &c, &err);
    md_set_done(&patch);
    if (r < 0)
        http_reply_pop_error(req, &err);
    else
        reply_container(req, 200, &c);
}

/* Start and Stop differ only in the operation and the success status. */
static void run_op(struct http_request *req, struct popd *p,
                   int (*op)(struct popd *, const char *, struct pop_container *,
                             struct pop_error *),
                   unsigned ok_status)
{
    const char *ref = handler_ref(req, "ref");
    if (!ref)
        return;
    struct pop_error err = POP_ERROR_INIT;
    struct pop_container c;
    int r = op(p, ref, &c, &err);
    if (r < 0)
        http_reply_pop_error(req, &err);
    else
        reply_container(req, ok_status, &c);
}

void h_container_start(struct http_request *req, void *userdata)
{
    run_op(req, userdata, popd_container_start, 200);
}

void h_container_stop(struct http_request *req, void *userdata)
{
    run_op(req, userdata, popd_container_stop, 202);
}

void h_container_delete(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const char *ref = handler_ref(req, "ref");
    if (!ref)
        return;
    struct pop_error err = POP_ERROR_INIT;
    int r = popd_container_delete(p, ref, &err);
    if (r < 0)
        http_reply_pop_error(req, &err);
    else
        http_reply_empty(req, 204);
}
