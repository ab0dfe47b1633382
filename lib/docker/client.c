/* Docker client: construction, the shared request helper with status mapping, JSON helpers. */
#include "docker/docker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "docker/docker-int.h"
#include "json/jv.h"

int docker_client_new(const char *socket_path, struct docker_client **ret)
{
    struct httpc_config cfg = {
        .unix_socket = socket_path ? socket_path : DOCKER_DEFAULT_SOCKET,
        .connect_timeout_ms = DOCKER_CONNECT_TIMEOUT_MS,
        .timeout_ms = DOCKER_TIMEOUT_MS,
        .max_response_bytes = DOCKER_MAX_RESPONSE,
    };
    struct docker_client *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    int r = httpc_new(&cfg, &c->http);
    if (r < 0) {
        free(c);
        return r;
    }
    *ret = c;
    return 0;
}

void docker_client_free(struct docker_client *c)
{
    if (!c)
        return;
    httpc_free(c->http);
    free(c);
}

const char *docker_last_error(const struct docker_client *c)
{
    return c->last_error;
}

void docker_set_error(struct docker_client *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->last_error, sizeof(c->last_error), fmt, ap);
    va_end(ap);
}

static int docker_map_status(long status)
{
    switch (status) {
    case 400:
        return -EINVAL;
    case 403:
        return -EPERM;
    case 404:
        return -ENOENT;
    case 409:
        return -EEXIST;
    default:
        return -EIO;
    }
}

int docker_call(struct docker_client *c, const char *method, const char *path, const json_t *body,
                json_t **ret_json, long *ret_status)
{
    static const char *const json_hdr[] = {"Content-Type: application/json", NULL};
    c->last_error[0] = '\0';
    if (ret_status)
        *ret_status = 0;
    _cleanup_free_ char *payload = NULL;
    if (body) {
        payload = jv_dump(body);
        if (!payload)
            return -ENOMEM;
    }
    _cleanup_strbuf_ struct strbuf url = STRBUF_INIT;
    if (strbuf_puts(&url, DOCKER_API_PREFIX) < 0 || strbuf_puts(&url, path) < 0)
        return -ENOMEM;

    struct httpc_response resp = {0};
    int r = httpc_request(c->http, method, strbuf_str(&url), payload ? json_hdr : NULL, payload,
                          payload ? strlen(payload) : 0, &resp);
    if (r < 0) {
        docker_set_error(c, "%s", httpc_last_error(c->http));
        return r;
    }
    if (ret_status)
        *ret_status = resp.status;

    json_error_t jerr;
    if ((resp.status >= 200 && resp.status < 300) || resp.status == 304) {
        if (ret_json) {
            json_t *j = json_loadb(resp.body, resp.body_len, JSON_REJECT_DUPLICATES, &jerr);
            if (!j) {
                docker_set_error(c, "%s %s: engine reply is not JSON: %s", method, path, jerr.text);
                httpc_response_done(&resp);
                return -EIO;
            }
            *ret_json = j;
        }
        httpc_response_done(&resp);
        return 0;
    }

    json_t *err = json_loadb(resp.body, resp.body_len, 0, &jerr);
    const char *msg = docker_json_str(err, "message");
    if (msg)
        docker_set_error(c, "%s", msg);
    else
        docker_set_error(c, "%s %s: HTTP %ld %.200s", method, path, resp.status, resp.body);
    json_decref(err);
    log_debug("docker: %s %s -> %ld: %s", method, path, resp.status, c->last_error);
    r = docker_map_status(resp.status);
    httpc_response_done(&resp);
    return r;
}

int docker_ping(struct docker_client *c)
{
    return docker_call(c, "GET", "/_ping", NULL, NULL, NULL);
}

int docker_path(struct strbuf *sb, const char *prefix, const char *id, const char *suffix)
{
    int r = strbuf_puts(sb, prefix);
    if (r >= 0)
        r = httpc_url_escape(sb, id);
    if (r >= 0 && suffix)
        r = strbuf_puts(sb, suffix);
    return r;
}

const char *docker_labels_get(char *const *labels, const char *key)
{
    for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2)
        if (strcmp(labels[i], key) == 0)
            return labels[i + 1];
    return NULL;
}

const char *docker_json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

char *docker_dup(const char *s, bool *oom)
{
    char *d = strdup(s ? s : "");
    if (!d)
        *oom = true;
    return d;
}

char *docker_json_dup(const json_t *obj, const char *key, bool *oom)
{
    return docker_dup(docker_json_str(obj, key), oom);
}

char **docker_labels_from_json(const json_t *obj, bool *oom)
{
    size_t n = json_is_object(obj) ? json_object_size(obj) : 0;
    char **v = calloc(2 * n + 1, sizeof(*v));
    if (!v) {
        *oom = true;
        return NULL;
    }
    size_t i = 0;
    const char *k;
    json_t *val;
    if (n > 0) {
        json_object_foreach ((json_t *)obj, k, val) {
            if (!json_is_string(val) || i + 2 > 2 * n)
                continue;
            v[i] = docker_dup(k, oom);
            v[i + 1] = docker_dup(json_string_value(val), oom);
            i += 2;
        }
    }
    return v;
}

char **docker_strv_from_json(const json_t *arr, bool *oom)
{
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    char **v = calloc(n + 1, sizeof(*v));
    if (!v) {
        *oom = true;
        return NULL;
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (s)
            v[j++] = docker_dup(s, oom);
    }
    return v;
}

int docker_jset(json_t *obj, const char *key, json_t *value)
{
    return json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

int docker_labels_to_json(const char *const *kv, json_t **ret)
{
    size_t n = strv_length(kv, 2 * DOCKER_MAX_LIST);
    if (n % 2 != 0 || n > 2 * DOCKER_MAX_LIST)
        return -EINVAL;
    json_t *o = json_object();
    if (!o)
        return -ENOMEM;
    for (size_t i = 0; i < n; i += 2) {
        if (kv[i][0] == '\0' || docker_jset(o, kv[i], json_string(kv[i + 1])) < 0) {
            json_decref(o);
            return -EINVAL; /* empty key, or not UTF-8 */
        }
    }
    *ret = o;
    return 0;
}

int64_t docker_parse_time(const char *s)
{
    if (!s || !*s)
        return 0;
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p || tm.tm_year < 70)
        return 0;
    int64_t t = (int64_t)timegm(&tm);
    if (*p == '.')
        while (*++p >= '0' && *p <= '9')
            ;
    if ((*p == '+' || *p == '-') && strlen(p) >= 6) {
        int off =
            ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
        t += *p == '+' ? -off : off;
    }
    return t < 0 ? 0 : t;
}
