/* Request accessors for handlers: method, path, params, query, headers, body, id, context. */
#include "http/request.h"

#include <errno.h>
#include <string.h>

#include "http/http-int.h"

const char *http_request_method(const struct http_request *req)
{
    return req->method;
}

const char *http_request_path(const struct http_request *req)
{
    return req->uri;
}

const char *http_request_route(const struct http_request *req)
{
    return req->route_idx < req->srv->n_routes ? req->srv->routes[req->route_idx].pattern : NULL;
}

const char *http_request_param(const struct http_request *req, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < req->n_params; i++)
        if (req->params[i].name_len == len && memcmp(req->params[i].name, name, len) == 0)
            return req->params[i].value;
    return NULL;
}

const char *http_request_query(const struct http_request *req, const char *name)
{
    const char *value = NULL;
    size_t len = 0;
    if (MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), &value,
                                      &len) != MHD_YES)
        return NULL;
    return value ? value : "";
}

const char *http_request_query_string(const struct http_request *req)
{
    return req->query;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

struct header_iter {
    int (*cb)(const char *name, const char *value, void *cls);
    void *cls;
};

static enum MHD_Result header_iter_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    const struct header_iter *it = cls;
    return it->cb(key, value ? value : "", it->cls) == 0 ? MHD_YES : MHD_NO;
}

int http_request_foreach_header(const struct http_request *req,
                                int (*cb)(const char *name, const char *value, void *cls),
                                void *cls)
{
    struct header_iter it = {cb, cls};
    return MHD_get_connection_values(req->conn, MHD_HEADER_KIND, header_iter_cb, &it);
}

const char *http_request_body(const struct http_request *req, size_t *ret_len)
{
    if (ret_len)
        *ret_len = req->body ? req->body_len : 0;
    return req->body ? req->body : "";
}

const char *http_request_id(const struct http_request *req)
{
    return req->id;
}

const char *http_request_client(const struct http_request *req)
{
    return req->client;
}

struct http_server *http_request_server(const struct http_request *req)
{
    return req->srv;
}

void http_request_set_ctx(struct http_request *req, void *ctx, void (*free_fn)(void *ctx))
{
    if (req->ctx && req->ctx_free && req->ctx != ctx)
        req->ctx_free(req->ctx);
    req->ctx = ctx;
    req->ctx_free = free_fn;
}

void *http_request_get_ctx(const struct http_request *req)
{
    return req->ctx;
}

int http_request_set_timeout(struct http_request *req, unsigned seconds)
{
    return MHD_set_connection_option(req->conn, MHD_CONNECTION_OPTION_TIMEOUT, seconds) == MHD_YES
               ? 0
               : -EIO;
}
