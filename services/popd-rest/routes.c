/* The popd-rest route table (see openapi/pop.yaml) and the server configuration around it. */
#include "handlers.h"

#include "core/cleanup.h"

static const struct http_route routes[] = {
    {"GET", "/healthz", h_healthz, HTTP_ROUTE_PUBLIC},
    {"GET", "/metrics", http_handle_metrics, 0},
    {"POST", "/v1/login", h_login, HTTP_ROUTE_PUBLIC | HTTP_ROUTE_JSON},
    {"POST", "/v1/logout", h_logout, 0},
    {"GET", "/v1/info", h_info, 0},
    {"GET", "/v1/containers", h_containers_list, 0},
    {"POST", "/v1/containers", h_container_create, HTTP_ROUTE_JSON},
    {"GET", "/v1/containers/{ref}", h_container_get, 0},
    {"DELETE", "/v1/containers/{ref}", h_container_delete, 0},
    {"PATCH", "/v1/containers/{ref}/metadata", h_container_metadata, HTTP_ROUTE_JSON},
    {"POST", "/v1/containers/{ref}/start", h_container_start, 0},
    {"POST", "/v1/containers/{ref}/stop", h_container_stop, 0},
    {"GET", "/v1/networks", h_networks_list, 0},
    {"POST", "/v1/networks", h_network_create, HTTP_ROUTE_JSON},
    {"GET", "/v1/networks/{ref}", h_network_get, 0},
    {"DELETE", "/v1/networks/{ref}", h_network_delete, 0},
    {"GET", "/v1/images", h_images_list, 0},
    {"GET", "/v1/flavours", h_flavours_list, 0},
};

const struct http_route *popd_routes(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(routes);
    return routes;
}

void popd_http_config(struct popd *p, struct http_server_config *ret)
{
    *ret = (struct http_server_config){
        .bind_addr = p->cfg.listen,
        .port = (uint16_t)p->cfg.port,
        .conn_limit = (unsigned)p->cfg.conn_limit,
        .conn_timeout_s = (unsigned)p->cfg.conn_timeout_s,
        .body_max = p->cfg.body_max,
        .routes = routes,
        .n_routes = ARRAY_SIZE(routes),
        .userdata = p,
        .authenticate = popd_authenticate,
        .server_name = "popd-rest/" POPD_VERSION,
        .access_log = true,
        .metrics = p->metrics,
    };
}
