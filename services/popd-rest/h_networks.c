/* /v1/networks: list, get, create, delete. */
#include "handlers.h"

#include "networks.h"
#include "views.h"

#include <errno.h>
#include <string.h>

static const struct jv_field create_fields[] = {
    {.name = "name", .type = JV_STRING, .required = true, .max_len = 48, .check = jv_check_name},
    {.name = "cidr", .type = JV_STRING, .max_len = 18, .check = jv_check_cidr4},
    {.name = "gateway", .type = JV_STRING, .max_len = 15, .check = jv_check_ipv4},
    {.name = "internal", .type = JV_BOOL},
};
static const struct jv_schema create_schema = {create_fields, 4, false};

void h_networks_list(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const char *id, *name;
    if (handler_query(req, "id", NULL, &id) < 0 || handler_query(req, "name", NULL, &name) < 0)
        return;
    struct pop_network *nets = NULL;
    size_t n = 0;
    if (store_network_list(p->store, &nets, &n) < 0) {
        http_reply_error(req, API_INTERNAL, "cannot read networks");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        if ((name && strcmp(name, nets[i].name) != 0) || (id && strcmp(id, nets[i].id) != 0))
            continue;
        json_array_append_new(items, view_network(&nets[i]));
    }
    free(nets);
    http_reply_json(req, 200, view_list(items));
}

void h_network_get(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const char *ref = handler_ref(req, "ref");
    if (!ref)
        return;
    struct pop_network net;
    int r = store_network_get(p->store, ref, &net);
    if (r == -ENOENT)
        http_reply_error(req, API_NOT_FOUND, "no network with id or name '%s'", ref);
    else if (r < 0)
        http_reply_error(req, API_INTERNAL, "cannot read the network");
    else
        http_reply_json(req, 200, view_network(&net));
}

void h_network_create(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    _cleanup_json_ json_t *body = NULL;
    if (handler_body(req, &create_schema, &body) < 0)
        return;
    struct network_request nr = {
        .name = jv_get_string(body, "name"),
        .cidr = jv_get_string(body, "cidr"),
        .gateway = jv_get_string(body, "gateway"),
        .internal = jv_get_bool(body, "internal", false),
    };
    struct pop_network net;
    char why[512] = "";
    int r = popd_network_create(p, &nr, &net, why, sizeof(why));
    switch (r) {
    case 0:
        http_reply_json(req, 201, view_network(&net));
        break;
    case -EEXIST:
        http_reply_error_ext(req, API_CONFLICT, json_pack("{s:s}", "field", "name"), "%s",
                             why[0] ? why : "the name is taken");
        break;
    case -EADDRINUSE:
        http_reply_error_ext(req, API_CONFLICT, json_pack("{s:s}", "field", "cidr"), "%s", why);
        break;
    case -EINVAL:
        /* why starts with the field at fault: "cidr: ..." or "gateway: ..." */
        http_reply_error_ext(
            req, API_INVALID_FIELD,
            json_pack("{s:s}", "field", strncmp(why, "gateway", 7) == 0 ? "gateway" : "cidr"), "%s",
            why);
        break;
    case -ENOSPC:
        http_reply_error(req, API_EXHAUSTED, "%s", why);
        break;
    default:
        http_reply_error(req, API_BAD_GATEWAY, "%s", why[0] ? why : "the engine failed");
        break;
    }
}

void h_network_delete(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const char *ref = handler_ref(req, "ref");
    if (!ref)
        return;
    char why[512] = "";
    int r = popd_network_delete(p, ref, why, sizeof(why));
    switch (r) {
    case 0:
        http_reply_empty(req, 204);
        break;
    case -ENOENT:
        http_reply_error(req, API_NOT_FOUND, "no network with id or name '%s'", ref);
        break;
    case -EPERM:
        http_reply_error(req, API_FORBIDDEN, "%s", why);
        break;
    case -EBUSY:
        http_reply_error(req, API_CONFLICT, "%s", why);
        break;
    default:
        http_reply_error(req, API_INTERNAL, "cannot delete the network");
        break;
    }
}
