/* Events: follows GET /events (newline-delimited JSON, one object possibly split across
 * chunks) on a dedicated connection, until asked to stop or the stream breaks. */
#include "docker/docker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/parse.h"
#include "core/stopper.h"
#include "docker/docker-int.h"
#include "json/jv.h"

#define DOCKER_EVENT_MAX_LINE (1024 * 1024)
#define DOCKER_EVENT_MAX_FILTERS 32

struct docker_follow {
    int (*on_event)(const struct docker_event *ev, void *userdata);
    void *userdata;
    const struct stopper *stop;
    struct strbuf line; /* bytes of the current, incomplete line */
    long status;
};

const char *docker_event_attr(const struct docker_event *ev, const char *key)
{
    return docker_labels_get((char *const *)ev->attributes, key);
}

static int docker_follow_emit(struct docker_follow *f, const char *data, size_t len)
{
    json_error_t jerr;
    _cleanup_json_ json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(j)) {
        log_debug("docker events: skipping a line that is not a JSON object");
        return 0;
    }
    const json_t *actor = json_object_get(j, "Actor");
    const json_t *attrs = json_object_get(actor, "Attributes");
    size_t n = json_is_object(attrs) ? json_object_size(attrs) : 0;
    if (n > DOCKER_MAX_LIST)
        n = DOCKER_MAX_LIST;
    _cleanup_free_ const char **kv = calloc(2 * n + 1, sizeof(*kv));
    if (!kv)
        return -ENOMEM;
    size_t i = 0;
    const char *k;
    json_t *v;
    if (n) {
        json_object_foreach ((json_t *)attrs, k, v) {
            if (i >= 2 * n)
                break;
            if (!json_is_string(v))
                continue;
            kv[i++] = k;
            kv[i++] = json_string_value(v);
        }
    }
    const char *type = docker_json_str(j, "Type"), *action = docker_json_str(j, "Action");
    const char *id = docker_json_str(actor, "ID");
    struct docker_event ev = {
        .type = type ? type : "",
        .action = action ? action : "",
        .actor_id = id ? id : "",
        .exit_code = -1,
        .time = json_integer_value(json_object_get(j, "time")),
        .attributes = kv,
    };
    const char *name = docker_event_attr(&ev, "name");
    ev.name = name ? name : "";
    const char *code = docker_event_attr(&ev, "exitCode");
    int64_t c;
    if (strcmp(ev.action, "die") == 0 && code && parse_int64(code, -1, 255, &c) == 0)
        ev.exit_code = (int)c;
    int r = f->on_event(&ev, f->userdata);
    return r < 0 ? r : 0;
}

static int docker_follow_headers(long status, const struct httpc_header *h, size_t n, void *ud)
{
    (void)h;
    (void)n;
    struct docker_follow *f = ud;
    f->status = status;
    if (status == 200)
        return 0;
    return status == 400 ? -EINVAL : -EIO;
}

static int docker_follow_data(const char *data, size_t len, void *ud)
{
    struct docker_follow *f = ud;
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) : len;
        if (strbuf_append(&f->line, data, take) < 0)
            return -EMSGSIZE;
        if (!nl)
            break;
        if (f->line.len > 0) {
            int r = docker_follow_emit(f, f->line.buf, f->line.len);
            if (r < 0)
                return r;
        }
        strbuf_reset(&f->line);
        data += take + 1;
        len -= take + 1;
    }
    return 0;
}

static bool docker_follow_should_stop(void *ud)
{
    struct docker_follow *f = ud;
    return stopper_fired(f->stop);
}

/* "/events?filters={"type":["container"],...}&since=N" */
static int docker_events_path(const char *const *filters, int64_t since_s, struct strbuf *sb)
{
    _cleanup_json_ json_t *obj = json_object();
    if (!obj)
        return -ENOMEM;
    size_t n = strv_length(filters, DOCKER_EVENT_MAX_FILTERS);
    if (n > DOCKER_EVENT_MAX_FILTERS)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(filters[i], '=');
        if (!eq || eq == filters[i] || eq - filters[i] > 64)
            return -EINVAL;
        char key[65];
        memcpy(key, filters[i], (size_t)(eq - filters[i]));
        key[eq - filters[i]] = '\0';
        json_t *arr = json_object_get(obj, key);
        if (!arr) {
            arr = json_array();
            if (docker_jset(obj, key, arr) < 0)
                return -ENOMEM;
        }
        if (json_array_append_new(arr, json_string(eq + 1)) < 0)
            return -EINVAL;
    }
    _cleanup_free_ char *s = jv_dump(obj);
    if (!s)
        return -ENOMEM;
    int r = strbuf_puts(sb, DOCKER_API_PREFIX "/events?filters=");
    if (r >= 0)
        r = httpc_url_escape(sb, s);
    if (r >= 0 && since_s > 0)
        r = strbuf_printf(sb, "&since=%lld", (long long)since_s);
    return r;
}

int docker_events_follow(const char *socket_path, const char *const *filters, int64_t since_s,
                         int (*on_event)(const struct docker_event *ev, void *userdata),
                         void *userdata, const struct stopper *stop)
{
    if (!on_event || !stop)
        return -EINVAL;
    _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
    int r = docker_events_path(filters, since_s, &path);
    if (r < 0)
        return r;
    struct httpc_config cfg = {
        .unix_socket = socket_path ? socket_path : DOCKER_DEFAULT_SOCKET,
        .connect_timeout_ms = DOCKER_CONNECT_TIMEOUT_MS,
    };
    struct httpc *http = NULL;
    r = httpc_new(&cfg, &http);
    if (r < 0)
        return r;
    struct docker_follow f = {.on_event = on_event, .userdata = userdata, .stop = stop};
    f.line.max = DOCKER_EVENT_MAX_LINE;
    static const struct httpc_stream_callbacks cb = {docker_follow_headers, docker_follow_data,
                                                     docker_follow_should_stop};
    /* No total timeout: the stream is meant to stay open; stop is polled instead. */
    r = httpc_stream(http, "GET", strbuf_str(&path), NULL, NULL, 0, 0, &cb, &f);
    if (r < 0)
        log_debug("docker events: %s (%d)", httpc_last_error(http), r);
    httpc_free(http);
    strbuf_done(&f.line);
    if (r < 0)
        return r;
    if (stopper_fired(stop))
        return 0;
    return -ECONNRESET; /* the engine ended the stream (restart, shutdown) */
}
