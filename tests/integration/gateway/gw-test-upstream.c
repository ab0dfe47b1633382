/* A stand-in upstream for the gateway tests and benchmark, on lib/http: echoes requests back as
 * JSON (and counts them, so a test can tell a request never arrived), answers slowly, streams,
 * sends big or cut-short bodies and hop-by-hop headers. Prints "PORT=n". */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/parse.h"
#include "core/timeutil.h"
#include "http/request.h"
#include "http/server.h"

static const char *upstream_name = "upstream";
static atomic_long echoed; /* requests h_echo answered */

static int64_t query_int(struct http_request *req, const char *name, int64_t def, int64_t max)
{
    const char *v = http_request_query(req, name);
    int64_t n;
    return v && parse_int64(v, 0, max, &n) == 0 ? n : def;
}

static int add_header(const char *name, const char *value, void *cls)
{
    json_t *headers = cls;
    /* Repeated headers are joined the way HTTP allows. */
    json_t *old = json_object_get(headers, name);
    if (old) {
        char joined[8192];
        snprintf(joined, sizeof(joined), "%s, %s", json_string_value(old), value);
        json_object_set_new(headers, name, json_string(joined));
    } else {
        json_object_set_new(headers, name, json_string(value));
    }
    return 0;
}

static void h_echo(struct http_request *req, void *userdata)
{
    (void)userdata;
    atomic_fetch_add(&echoed, 1);
    size_t len;
    const char *body = http_request_body(req, &len);
    json_t *headers = json_object();
    http_request_foreach_header(req, add_header, headers);
    const char *q = http_request_query_string(req);
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:s, s:s?, s:o, s:s%, s:I}", "name", upstream_name,
                              "method", http_request_method(req), "path", http_request_path(req),
                              "query", q, "headers", headers, "body", body, len, "body_len",
                              (json_int_t)len));
}

static void h_echoed(struct http_request *req, void *userdata)
{
    (void)userdata;
    http_reply_json(req, 200, json_pack("{s:I}", "echoed", (json_int_t)atomic_load(&echoed)));
}

static void h_healthz(struct http_request *req, void *userdata)
{
    (void)userdata;
    http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static void h_slow(struct http_request *req, void *userdata)
{
    (void)userdata;
    int64_t ms = query_int(req, "ms", 1000, 600000);
    time_sleep_ms(ms);
    http_reply_json(req, 200, json_pack("{s:I}", "slept_ms", (json_int_t)ms));
}

struct stream_state {
    int64_t n, i, ms;
    char line[64];
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream_state *st = cls;
    if (st->i == st->n)
        return HTTP_STREAM_END;
    if (st->i > 0)
        time_sleep_ms(st->ms);
    int len = snprintf(st->line, sizeof(st->line), "chunk %lld\n", (long long)st->i++);
    size_t n = (size_t)len < max ? (size_t)len : max;
    memcpy(buf, st->line, n);
    return (ssize_t)n;
}

/* n lines "chunk i\n", ms apart, chunked. */
static void h_stream(struct http_request *req, void *userdata)
{
    (void)userdata;
    struct stream_state *st = calloc(1, sizeof(*st));
    if (!st) {
        http_reply_error(req, API_INTERNAL, NULL);
        return;
    }
    st->n = query_int(req, "n", 5, 100000);
    st->ms = query_int(req, "ms", 200, 60000);
    static const char *const headers[] = {"Content-Type", "text/plain", NULL};
    http_request_set_timeout(req, 0);
    http_reply_stream(req, 200, headers, -1, stream_read, st, free);
}

static ssize_t big_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    uint64_t size = *(uint64_t *)cls;
    if (pos >= size)
        return HTTP_STREAM_END;
    size_t n = size - pos < max ? (size_t)(size - pos) : max;
    for (size_t i = 0; i < n; i++) {
        uint64_t p = pos + i;
        buf[i] = (char)('a' + (p * 7 + p / 4093) % 26);
    }
    return (ssize_t)n;
}

/* mb MiB of a deterministic pattern, with a Content-Length. */
static void h_big(struct http_request *req, void *userdata)
{
    (void)userdata;
    uint64_t *size = malloc(sizeof(*size));
    if (!size) {
        http_reply_error(req, API_INTERNAL, NULL);
        return;
    }
    *size = (uint64_t)query_int(req, "mb", 4, 1024) << 20;
    static const char *const headers[] = {"Content-Type", "application/octet-stream", NULL};
    http_reply_stream(req, 200, headers, (int64_t)*size, big_read, size, free);
}

struct sized {
    uint64_t size; /* announced as Content-Length */
    uint64_t cut;  /* bytes actually sent before the connection is dropped */
};

static ssize_t sized_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct sized *sz = cls;
    if (pos >= sz->cut)
        return pos >= sz->size ? HTTP_STREAM_END : HTTP_STREAM_ERROR;
    if (max > sz->cut - pos)
        max = (size_t)(sz->cut - pos);
    return big_read(&sz->size, pos, buf, max);
}

/* bytes of the /big pattern with a Content-Length; cut=K drops the connection after K bytes;
 * type=0 sends no Content-Type. */
static void h_sized(struct http_request *req, void *userdata)
{
    (void)userdata;
    struct sized *sz = malloc(sizeof(*sz));
    if (!sz) {
        http_reply_error(req, API_INTERNAL, NULL);
        return;
    }
    sz->size = (uint64_t)query_int(req, "bytes", 1000, 64 << 20);
    sz->cut = (uint64_t)query_int(req, "cut", (int64_t)sz->size, (int64_t)sz->size);
    static const char *const headers[] = {"Content-Type", "application/octet-stream", NULL};
    bool typed = query_int(req, "type", 1, 1) == 1;
    http_reply_stream(req, 200, typed ? headers : NULL, (int64_t)sz->size, sized_read, sz, free);
}

/* Sends end-to-end and hop-by-hop headers, to see which the gateway passes on. */
static void h_headers(struct http_request *req, void *userdata)
{
    (void)userdata;
    http_reply_header(req, "X-Upstream", upstream_name);
    http_reply_header(req, "Keep-Alive", "timeout=99");
    http_reply_header(req, "Proxy-Authenticate", "Basic realm=\"x\"");
    http_reply_header(req, "Cache-Control", "no-store");
    http_reply_header(req, "X-Request-Id", "from-upstream");
    http_reply_text(req, 201, NULL, "headers\n");
}

static void h_login(struct http_request *req, void *userdata)
{
    (void)userdata;
    http_reply_json(req, 200, json_pack("{s:s}", "value", "test-token"));
}

static void h_containers(struct http_request *req, void *userdata)
{
    (void)userdata;
    http_reply_json(req, 200, json_pack("{s:[]}", "list"));
}

static const struct http_route routes[] = {
    {"GET", "/healthz", h_healthz, HTTP_ROUTE_PUBLIC},
    {"GET", "/echoed", h_echoed, HTTP_ROUTE_PUBLIC},
    {"GET", "/slow", h_slow, HTTP_ROUTE_PUBLIC},
    {"GET", "/stream", h_stream, HTTP_ROUTE_PUBLIC},
    {"GET", "/big", h_big, HTTP_ROUTE_PUBLIC},
    {"GET", "/sized", h_sized, HTTP_ROUTE_PUBLIC},
    {"GET", "/headers", h_headers, HTTP_ROUTE_PUBLIC},
    {"POST", "/v1/login", h_login, HTTP_ROUTE_PUBLIC},
    {"GET", "/v1/containers", h_containers, HTTP_ROUTE_PUBLIC},
    {NULL, "/{*rest}", h_echo, HTTP_ROUTE_PUBLIC},
};

int main(int argc, char **argv)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    int64_t port = 0;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-name") == 0 && i + 1 < argc)
            upstream_name = argv[++i];
        else if (strcmp(argv[i], "-port") == 0 && i + 1 < argc &&
                 parse_int64(argv[i + 1], 0, 65535, &port) == 0)
            i++;
        else if (strcmp(argv[i], "-quiet") == 0)
            quiet = true;
        else {
            fprintf(stderr, "usage: gw-test-upstream [-name NAME] [-port N] [-quiet]\n");
            return 2;
        }
    }
    struct http_server_config cfg = {
        .port = (uint16_t)port,
        .conn_limit = 1024,
        .body_max = 16 << 20,
        .routes = routes,
        .n_routes = sizeof(routes) / sizeof(routes[0]),
        .server_name = "gw-test-upstream",
        .access_log = !quiet,
    };
    struct http_server *srv = NULL;
    int r = http_server_start(&cfg, &srv);
    if (r < 0) {
        fprintf(stderr, "gw-test-upstream: cannot listen: %s\n", strerror(-r));
        return 1;
    }
    printf("PORT=%u\n", http_server_port(srv));
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    http_server_stop(srv);
    return 0;
}
