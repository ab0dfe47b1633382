/* /v1/networks: list, get, create, delete. */
#include "handlers.h"

#include "networks.h"
#include "views.h"

#include <errno.h>
#include <string.h>

static const struct jv_field create_fields[] = {
    {.name = "name",
     .type = JV_STRING,
     .required = true,
     .max_len = 48,
     .check = handler_check_name},
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
    if (http_request_json(req, &create_schema, &body) < 0)
        return;
    struct network_request nr = {
        .name = jv_get_string(body, "name"),
        .cidr = jv_get_string(body, "cidr"),
        .gateway = jv_get_string(body, "gateway"),
        .internal = jv_get_bool(body, "internal", false),
    };
    struct pop_network net;
    struct pop_error err = POP_ERROR_INIT;
    if (popd_network_create(p, &nr, &net, &err) < 0)
        http_reply_pop_error(req, &err);
    else
        http_reply_json(req, 201, view_network(&net));
}

void h_network_delete(struct http_request *req, void *userdata)
{
    struct popd *p = userdata;
    const char *ref = handler_ref(req, "ref");
    if (!ref)
        return;
    struct pop_error err = POP_ERROR_INIT;
    if (popd_network_delete(p, ref, &err) < 0)
        http_reply_pop_error(req, &err);
    else
        http_reply_empty(req, 204);
}
