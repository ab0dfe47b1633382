/* The MHD daemon and the per-request pipeline: route, cap, content type, authenticate, read the
 * body, run the handler, then account (metrics, access log) and free in the completion callback. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/timeutil.h"
#include "http/http-int.h"
#include "http/request.h"

#define DEFAULT_CONN_LIMIT 256
#define DEFAULT_CONN_TIMEOUT_S 30
#define DEFAULT_BODY_MAX (1024 * 1024)
#define DEFAULT_HEADER_MAX (32 * 1024)
#define HEADER_MAX_MIN (8 * 1024)

uint64_t http_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static bool request_id_sane(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++) {
        char c = id[n];
        if (n == HTTP_REQUEST_ID_MAX ||
            !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return n > 0;
}

static void request_id_init(struct http_request *req)
{
    const char *given = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Request-Id");
    if (given && request_id_sane(given)) {
        snprintf(req->id, sizeof(req->id), "%s", given);
        return;
    }
    unsigned char raw[16];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
        /* Not expected after boot; an id only needs to be unlikely to repeat. */
        static _Atomic uint64_t counter;
        uint64_t a = http_now_us(), b = atomic_fetch_add(&counter, 1);
        memcpy(raw, &a, 8);
        memcpy(raw + 8, &b, 8);
    }
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(req->id + 2 * i, 3, "%02x", raw[i]);
}

static void request_free(struct http_request *req)
{
    if (req->ctx && req->ctx_free)
        req->ctx_free(req->ctx);
    http_params_free(req->params, req->n_params);
    http_reply_headers_free(req);
    free(req->body);
    free(req->uri);
    free(req);
}

/* MHD calls this once per request with the raw URI, before parsing headers; what it returns is
 * the request's context from then on, and the completion callback is always called for it. */
static void *uri_log_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http_server *srv = cls;
    struct http_request *req = calloc(1, sizeof(*req));
    if (!req)
        return NULL;
    req->uri = strdup(uri);
    if (!req->uri) {
        free(req);
        return NULL;
    }
    req->srv = srv;
    req->conn = conn;
    req->route_idx = srv->n_routes;
    req->start_us = http_now_us();
    char *q = strchr(req->uri, '?');
    if (q) {
        *q = '\0';
        req->query = q + 1;
    }
    snprintf(req->client, sizeof(req->client), "-");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                      req->client, sizeof(req->client));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      req->client, sizeof(req->client));
    }
    http_metrics_begin(&srv->metrics);
    return req;
}

static bool method_matches(const char *route_method, const char *method)
{
    return !route_method || strcmp(route_method, method) == 0 ||
           (strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

static void allow_add(char *allow, size_t size, const char *method)
{
    size_t mlen = strlen(method);
    for (const char *p = allow; (p = strstr(p, method)); p += mlen)
        if ((p == allow || p[-1] == ' ') && (p[mlen] == ',' || p[mlen] == '\0'))
            return;
    size_t len = strlen(allow);
    snprintf(allow + len, size - len, "%s%s", len ? ", " : "", method);
}

/* Matches path against the routes: 1 with the route set on req, 0 when none matched (allow
 * collects the methods of the routes whose pattern matched), -1 when a capture was malformed. */
static int route_find(struct http_request *req, const char *path, char *allow, size_t allow_size)
{
    const struct http_server *srv = req->srv;
    bool bad = false;
    for (size_t i = 0; i < srv->n_routes; i++) {
        size_t n = 0;
        int r = http_route_match(srv->routes[i].pattern, path, req->params, HTTP_PARAMS_MAX, &n);
        if (r < 0)
            bad = true;
        if (r <= 0)
            continue;
        if (method_matches(srv->routes[i].method, req->method)) {
            req->route_idx = i;
            req->n_params = n;
            return 1;
        }
        http_params_free(req->params, n);
        allow_add(allow, allow_size, srv->routes[i].method);
        if (strcmp(srv->routes[i].method, "GET") == 0)
            allow_add(allow, allow_size, "HEAD");
    }
    return bad ? -1 : 0;
}

/* Finds the route; replies 400/404/405 itself and returns false when there is none. */
static bool route_request(struct http_request *req)
{
    const struct http_server *srv = req->srv;
    char allow[128] = "";

    if (http_path_check(req->uri) < 0) {
        http_reply_error(req, API_BAD_REQUEST, "malformed request path");
        return false;
    }
    int r = route_find(req, req->uri, allow, sizeof(allow));
    size_t len = strlen(req->uri);
    /* The path as sent matched no pattern at all: try it without its final '/'. */
    if (r == 0 && !allow[0] && srv->trailing_slash && len > 1 && req->uri[len - 1] == '/' &&
        req->uri[len - 2] != '/') {
        _cleanup_free_ char *bare = strndup(req->uri, len - 1);
        if (!bare) {
            http_reply_error(req, API_INTERNAL, "out of memory");
            return false;
        }
        r = route_find(req, bare, allow, sizeof(allow));
    }
    if (r == 1)
        return true;
    if (allow[0]) {
        http_reply_header(req, "Allow", allow);
        http_reply_error(req, API_METHOD_NOT_ALLOWED, "%s is not allowed here; allowed: %s",
                         req->method, allow);
    } else if (r < 0) {
        http_reply_error(req, API_BAD_REQUEST, "malformed percent-encoding in the path");
    } else {
        http_reply_error(req, API_NOT_FOUND, "no resource at this path");
    }
    return false;
}

static bool is_json_type(const char *ct)
{
    if (!ct)
        return false;
    ct += strspn(ct, " \t");
    size_t len = strcspn(ct, "; \t");
    if (len == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return true;
    return len > 17 && strncasecmp(ct, "application/", 12) == 0 &&
           strncasecmp(ct + len - 5, "+json", 5) == 0;
}

/* First call: headers are in, the body is not. Returns false when a reply was sent already. */
static bool request_begin(struct http_request *req, const char *version)
{
    struct http_server *srv = req->srv;
    if (!http_framing_check(req, version) || !route_request(req))
        return false;
    const struct http_route *route = &srv->routes[req->route_idx];

    int64_t content_length = -1;
    const char *cl = http_request_header(req, "Content-Length");
    if (cl && parse_int64(cl, 0, INT64_MAX, &content_length) < 0)
        content_length = -1;
    bool has_body = content_length > 0 || http_request_header(req, "Transfer-Encoding");
    if (content_length > 0 && (uint64_t)content_length > srv->body_max) {
        http_reply_error(req, API_BODY_TOO_LARGE, "the body is %lld bytes; at most %zu accepted",
                         (long long)content_length, srv->body_max);
        return false;
    }
    if ((route->flags & HTTP_ROUTE_JSON) && has_body &&
        (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0 ||
         strcmp(req->method, "PATCH") == 0) &&
        !is_json_type(http_request_header(req, "Content-Type"))) {
        http_reply_error(req, API_UNSUPPORTED_MEDIA, "the body must be application/json");
        return false;
    }
    if (!(route->flags & HTTP_ROUTE_PUBLIC) && srv->authenticate) {
        int r = srv->authenticate(req, srv->userdata);
        if (req->replied)
            return false;
        if (r < 0) {
            http_reply_error(req, API_UNAUTHORIZED, NULL);
            return false;
        }
    }
    if (content_length > 0) {
        req->body = malloc((size_t)content_length + 1);
        if (!req->body) {
            http_reply_error(req, API_INTERNAL, "out of memory");
            return false;
        }
        req->body_cap = (size_t)content_length + 1;
    }
    return true;
}

static enum MHD_Result body_append(struct http_request *req, const char *data, size_t size)
{
    size_t max = req->srv->body_max;
    if (!req->too_large && size > max - req->body_len) {
        req->too_large = true;
        log_debug("http: body over %zu bytes, draining", max);
    }
    if (req->too_large) {
        req->discarded += size;
        return req->discarded > HTTP_DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    if (req->body_len + size + 1 > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : 4096;
        while (cap < req->body_len + size + 1)
            cap *= 2;
        if (cap > max + 1)
            cap = max + 1;
        char *b = realloc(req->body, cap);
        if (!b)
            return MHD_NO;
        req->body = b;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, size);
    req->body_len += size;
    req->body[req->body_len] = '\0';
    return MHD_YES;
}

/* Last call: the whole body is in. */
static void request_finish(struct http_request *req)
{
    struct http_server *srv = req->srv;
    if (req->too_large) {
        http_reply_error(req, API_BODY_TOO_LARGE, "the body is larger than %zu bytes",
                         srv->body_max);
        return;
    }
    if (req->route_idx >= srv->n_routes) {
        http_reply_error(req, API_INTERNAL, NULL);
        return;
    }
    const struct http_route *route = &srv->routes[req->route_idx];
    route->handler(req, srv->userdata);
    if (!req->replied) {
        log_error("http: handler for %s %s returned without replying", req->method, route->pattern);
        http_reply_error(req, API_INTERNAL, NULL);
    }
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)url; /* decoded by MHD; routing uses the raw URI kept by uri_log_cb */
    struct http_request *req = *con_cls;
    if (!req)
        return MHD_NO;
    if (!req->started) {
        req->started = true;
        req->conn = conn;
        req->method = method;
        request_id_init(req);
        log_set_request_id(req->id);
        request_begin(req, version);
        log_set_request_id(NULL);
        return MHD_YES;
    }
    if (req->replied) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        enum MHD_Result res = body_append(req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return res;
    }
    log_set_request_id(req->id);
    request_finish(req);
    log_set_request_id(NULL);
    return req->replied ? MHD_YES : MHD_NO;
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return NULL;
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return "client-abort";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "read-error";
    default:
        return "error";
    }
}

/* The path for the access log, capped: the logger escapes control bytes and quotes, and a
 * space (which libmicrohttpd lets through in a path) is written %20 so that the path stays one
 * field of the line. */
static void access_path(char *out, size_t size, const char *uri)
{
    size_t n = 0;
    for (; *uri && n + 4 < size; uri++) {
        if (*uri == ' ') {
            memcpy(out + n, "%20", 3);
            n += 3;
        } else {
            out[n++] = *uri;
        }
    }
    out[n] = '\0';
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct http_server *srv = cls;
    struct http_request *req = *con_cls;
    if (!req)
        return;
    *con_cls = NULL;
    uint64_t duration_us = http_now_us() - req->start_us;
    unsigned status = req->replied ? req->status : 0;
    if (srv->access_log) {
        const char *reason = termination_name(toe);
        char path[256];
        access_path(path, sizeof(path), req->uri);
        log_set_request_id(req->id[0] ? req->id : NULL);
        log_info("access %.32s %s status=%u bytes=%llu ms=%llu client=%s%s%s",
                 req->method ? req->method : "-", path, status, (unsigned long long)req->bytes_sent,
                 (unsigned long long)(duration_us / 1000), req->client, reason ? " closed=" : "",
                 reason ? reason : "");
        log_set_request_id(NULL);
    }
    const char *route =
        req->route_idx < srv->n_routes ? srv->routes[req->route_idx].pattern : "unmatched";
    http_metrics_end(&srv->metrics, route, req->method, status, duration_us);
    request_free(req);
}

__attribute__((format(printf, 2, 0))) static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    log_debug("mhd: %s", line);
}

static int config_check(const struct http_server_config *cfg)
{
    if (!cfg || (cfg->n_routes && !cfg->routes))
        return -EINVAL;
    for (size_t i = 0; i < cfg->n_routes; i++) {
        const struct http_route *r = &cfg->routes[i];
        if (!r->pattern || r->pattern[0] != '/' || !r->handler)
            return -EINVAL;
    }
    if (!cfg->tls_cert_pem != !cfg->tls_key_pem)
        return -EINVAL;
    if (cfg->tls_cert_pem && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return -ENOTSUP;
    return 0;
}

static int parse_bind(const char *addr, uint16_t port, struct sockaddr_storage *ss, bool *ret_v6)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;
    memset(ss, 0, sizeof(*ss));
    if (!addr)
        addr = "127.0.0.1";
    if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        *ret_v6 = false;
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        *ret_v6 = true;
        return 0;
    }
    return -EINVAL;
}

static void server_free(struct http_server *srv)
{
    http_metrics_done(&srv->metrics);
    free(srv->server_name);
    free(srv->tls_cert);
    free(srv->tls_key);
    free(srv);
}

int http_server_start(const struct http_server_config *cfg, struct http_server **ret_server)
{
    int r = config_check(cfg);
    if (r < 0)
        return r;
    struct sockaddr_storage ss;
    bool v6;
    r = parse_bind(cfg->bind_addr, cfg->port, &ss, &v6);
    if (r < 0)
        return r;

    struct http_server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        return -ENOMEM;
    srv->routes = cfg->routes;
    srv->n_routes = cfg->n_routes;
    srv->userdata = cfg->userdata;
    srv->authenticate = cfg->authenticate;
    srv->trailing_slash = cfg->trailing_slash;
    srv->access_log = cfg->access_log;
    srv->conn_timeout_s = cfg->conn_timeout_s ? cfg->conn_timeout_s : DEFAULT_CONN_TIMEOUT_S;
    srv->body_max = cfg->body_max ? cfg->body_max : DEFAULT_BODY_MAX;
    size_t header_max = cfg->header_max ? cfg->header_max : DEFAULT_HEADER_MAX;
    if (header_max < HEADER_MAX_MIN)
        header_max = HEADER_MAX_MIN;
    unsigned conn_limit = cfg->conn_limit ? cfg->conn_limit : DEFAULT_CONN_LIMIT;
    if ((cfg->server_name && !(srv->server_name = strdup(cfg->server_name))) ||
        (cfg->tls_cert_pem && !(srv->tls_cert = strdup(cfg->tls_cert_pem))) ||
        (cfg->tls_key_pem && !(srv->tls_key = strdup(cfg->tls_key_pem)))) {
        server_free(srv);
        return -ENOMEM;
    }
    r = http_metrics_init(&srv->metrics, cfg->metrics, srv->n_routes);
    if (r < 0) {
        server_free(srv);
        return r;
    }

    struct MHD_OptionItem tls_options[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert},
        {MHD_OPTION_END, 0, NULL},
    };
    /* Thread per connection: handlers block on Docker and databases. ITC makes quiesce work. */
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (v6)
        flags |= MHD_USE_IPv6;
    if (srv->tls_cert)
        flags |= MHD_USE_TLS;
    srv->daemon = MHD_start_daemon(
        flags, cfg->port, NULL, NULL, access_cb, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_LIMIT, conn_limit, MHD_OPTION_CONNECTION_TIMEOUT, srv->conn_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, header_max, MHD_OPTION_NOTIFY_COMPLETED, completed_cb,
        srv, MHD_OPTION_URI_LOG_CALLBACK, uri_log_cb, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger,
        srv, MHD_OPTION_ARRAY, srv->tls_cert ? tls_options : &tls_options[2], MHD_OPTION_END);
    if (!srv->daemon) {
        log_debug("http: cannot start the server on %s port %u",
                  cfg->bind_addr ? cfg->bind_addr : "127.0.0.1", cfg->port);
        server_free(srv);
        return -EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : cfg->port;
    *ret_server = srv;
    return 0;
}

uint16_t http_server_port(const struct http_server *srv)
{
    return srv->port;
}

void http_server_stop(struct http_server *srv)
{
    if (!srv)
        return;
    MHD_socket listen_fd = MHD_quiesce_daemon(srv->daemon);
    int64_t deadline = time_mono_ms() + (int64_t)srv->conn_timeout_s * 1000;
    while (atomic_load(&srv->metrics.in_flight) > 0 && time_mono_ms() < deadline)
        time_sleep_ms(10);
    MHD_stop_daemon(srv->daemon);
    /* quiesce hands the listening socket to us; close it only once MHD's threads are gone. */
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    server_free(srv);
}
