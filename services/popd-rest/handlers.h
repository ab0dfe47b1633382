/* HTTP handlers of popd-rest, one file per resource, and the helpers they share. */
#pragma once

#include "http/request.h"
#include "http/server.h"
#include "popd.h"
#include "json/jv.h"

/* Route table for lib/http. */
const struct http_route *popd_routes(size_t *ret_n);

/* The HTTP server configuration popd-rest serves with: its listen address, port and caps
 * from p->cfg, the route table, popd_authenticate and p's metrics registry (p must outlive
 * the server). The unit tests serve the same, with the port set to 0. */
void popd_http_config(struct popd *p, struct http_server_config *ret);

/* The authenticate hook: Bearer JWT, algorithm pinned, revocation checked. */
int popd_authenticate(struct http_request *req, void *userdata);

/* Reads a path parameter that names a container or network (id or name); replies 400 and
 * returns NULL when it is malformed. */
const char *handler_ref(struct http_request *req, const char *param);

/* Reads optional query filter `name`; replies 400 bad-query and returns -EINVAL when present
 * but failing check (NULL = jv_check_name). *ret is NULL when absent. */
int handler_query(struct http_request *req, const char *name, jv_check_fn check, const char **ret);

/* Check for the name of a new container or network: jv_check_name, and never the form of an
 * id, so that a path reference `{id or name}` can mean only one thing. */
const char *handler_check_name(const char *s);

/* Image reference check shared by bodies and filters. */
const char *handler_check_image(const char *s);

void h_login(struct http_request *req, void *userdata);
void h_logout(struct http_request *req, void *userdata);
void h_info(struct http_request *req, void *userdata);

void h_containers_list(struct http_request *req, void *userdata);
void h_container_get(struct http_request *req, void *userdata);
void h_container_create(struct http_request *req, void *userdata);
void h_container_metadata(struct http_request *req, void *userdata);
void h_container_start(struct http_request *req, void *userdata);
void h_container_stop(struct http_request *req, void *userdata);
void h_container_delete(struct http_request *req, void *userdata);

void h_networks_list(struct http_request *req, void *userdata);
void h_network_get(struct http_request *req, void *userdata);
void h_network_create(struct http_request *req, void *userdata);
void h_network_delete(struct http_request *req, void *userdata);

void h_images_list(struct http_request *req, void *userdata);
void h_flavours_list(struct http_request *req, void *userdata);

void h_healthz(struct http_request *req, void *userdata);
