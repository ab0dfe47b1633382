/* Containers: create (with a fixed, unprivileged HostConfig and several networks), start,
 * stop, remove, inspect and list. */
#include "docker/docker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "docker/docker-int.h"
#include "json/jv.h"

static bool docker_ipv4_ok(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1;
}

static bool docker_network_name_ok(const char *n)
{
    return n && n[0] && strcmp(n, "host") != 0 && strcmp(n, "none") != 0 &&
           strcmp(n, "default") != 0 && strncmp(n, "container:", 10) != 0;
}

static bool docker_cap_ok(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* Checks what the engine would accept too late or not at all. */
static int docker_spec_check(struct docker_client *c, const struct docker_container_spec *s)
{
    if (!s->image || !s->image[0]) {
        docker_set_error(c, "image is required");
        return -EINVAL;
    }
    if (s->n_endpoints > DOCKER_MAX_ENDPOINTS || (s->n_endpoints && !s->endpoints)) {
        docker_set_error(c, "too many endpoints");
        return -EINVAL;
    }
    for (size_t i = 0; i < s->n_endpoints; i++) {
        const struct docker_endpoint_spec *e = &s->endpoints[i];
        if (!docker_network_name_ok(e->network)) {
            docker_set_error(c, "endpoint %zu: network not allowed", i);
            return -EINVAL;
        }
        if (e->ipv4 && !docker_ipv4_ok(e->ipv4)) {
            docker_set_error(c, "endpoint %zu: invalid IPv4 address", i);
            return -EINVAL;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->endpoints[j].network, e->network) == 0) {
                docker_set_error(c, "network %s given twice", e->network);
                return -EINVAL;
            }
    }
    size_t n_env = strv_length(s->env, DOCKER_MAX_LIST);
    if (n_env > DOCKER_MAX_LIST || strv_length(s->cmd, DOCKER_MAX_LIST) > DOCKER_MAX_LIST ||
        strv_length(s->cap_add, DOCKER_MAX_LIST) > DOCKER_MAX_LIST) {
        docker_set_error(c, "too many env, cmd or cap_add entries");
        return -EINVAL;
    }
    for (size_t i = 0; i < n_env; i++)
        if (s->env[i][0] == '=' || !strchr(s->env[i], '=')) {
            docker_set_error(c, "env entry %zu is not K=V", i);
            return -EINVAL;
        }
    for (size_t i = 0; s->cap_add && s->cap_add[i]; i++)
        if (!docker_cap_ok(s->cap_add[i]) || strcmp(s->cap_add[i], "ALL") == 0) {
            docker_set_error(c, "capability %zu not allowed", i);
            return -EINVAL;
        }
    if (s->nano_cpus < 0 || s->memory_bytes < 0) {
        docker_set_error(c, "negative resource limit");
        return -EINVAL;
    }
    return 0;
}

/* JSON array of strings; NULL when one is not UTF-8 or on ENOMEM. */
static json_t *docker_strv_to_json(const char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; a && v && v[i]; i++) {
        if (json_array_append_new(a, json_string(v[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* {"IPAMConfig": {"IPv4Address": ip}} or {} when the engine picks; NULL on ENOMEM. */
static json_t *docker_endpoint_json(const char *ipv4)
{
    return ipv4 ? json_pack("{s:{s:s}}", "IPAMConfig", "IPv4Address", ipv4) : json_object();
}

static int docker_create_body(const struct docker_container_spec *s, json_t **ret)
{
    json_t *labels = NULL;
    int r = docker_labels_to_json(s->labels, &labels);
    if (r < 0)
        return r;
    /* Every child is attached right after it is made: a failed set frees it. */
    _cleanup_json_ json_t *root = json_object();
    if (docker_jset(root, "Labels", labels) < 0 ||
        docker_jset(root, "Image", json_string(s->image)) < 0 ||
        docker_jset(root, "Env", docker_strv_to_json(s->env)) < 0)
        return -EINVAL;
    if (s->cmd && docker_jset(root, "Cmd", docker_strv_to_json(s->cmd)) < 0)
        return -EINVAL;

    const char *first = s->n_endpoints ? s->endpoints[0].network : "none";
    json_t *host = json_object();
    if (docker_jset(root, "HostConfig", host) < 0)
        return -ENOMEM;
    static const char *const drop_all[] = {"ALL", NULL};
    static const char *const no_new_privs[] = {"no-new-privileges", NULL};
    if (docker_jset(host, "Privileged", json_false()) < 0 ||
        docker_jset(host, "Init", json_true()) < 0 ||
        docker_jset(host, "CapDrop", docker_strv_to_json(drop_all)) < 0 ||
        docker_jset(host, "CapAdd", docker_strv_to_json(s->cap_add)) < 0 ||
        docker_jset(host, "SecurityOpt", docker_strv_to_json(no_new_privs)) < 0 ||
        docker_jset(host, "NetworkMode", json_string(first)) < 0 ||
        docker_jset(host, "RestartPolicy", json_pack("{s:s}", "Name", "no")) < 0)
        return -EINVAL;
    if (s->nano_cpus > 0 && docker_jset(host, "NanoCpus", json_integer(s->nano_cpus)) < 0)
        return -ENOMEM;
    if (s->memory_bytes > 0 && docker_jset(host, "Memory", json_integer(s->memory_bytes)) < 0)
        return -ENOMEM;

    if (s->n_endpoints) {
        json_t *netcfg = json_object();
        if (docker_jset(root, "NetworkingConfig", netcfg) < 0)
            return -ENOMEM;
        json_t *eps = json_object();
        if (docker_jset(netcfg, "EndpointsConfig", eps) < 0 ||
            docker_jset(eps, first, docker_endpoint_json(s->endpoints[0].ipv4)) < 0)
            return -EINVAL;
    }
    *ret = TAKE_PTR(root);
    return 0;
}

static int docker_network_connect(struct docker_client *c, const char *id,
                                  const struct docker_endpoint_spec *e)
{
    _cleanup_json_ json_t *body = json_object();
    if (docker_jset(body, "Container", json_string(id)) < 0 ||
        docker_jset(body, "EndpointConfig", docker_endpoint_json(e->ipv4)) < 0)
        return -ENOMEM;
    _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
    if (docker_path(&path, "/networks/", e->network, "/connect") < 0)
        return -ENOMEM;
    return docker_call(c, "POST", strbuf_str(&path), body, NULL, NULL);
}

int docker_container_create(struct docker_client *c, const struct docker_container_spec *spec,
                            char **ret_id)
{
    int r = docker_spec_check(c, spec);
    if (r < 0)
        return r;
    /* The engine accepts a created container on a missing network and fails only at start. */
    for (size_t i = 0; i < spec->n_endpoints; i++) {
        _cleanup_strbuf_ struct strbuf npath = STRBUF_INIT;
        if (docker_path(&npath, "/networks/", spec->endpoints[i].network, NULL) < 0)
            return -ENOMEM;
        r = docker_call(c, "GET", strbuf_str(&npath), NULL, NULL, NULL);
        if (r < 0)
            return r;
    }
    _cleanup_json_ json_t *body = NULL;
    r = docker_create_body(spec, &body);
    if (r < 0) {
        docker_set_error(c, "bad labels, or a string that is not UTF-8");
        return r;
    }
    _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
    if (strbuf_puts(&path, "/containers/create") < 0 ||
        (spec->name && docker_path(&path, "?name=", spec->name, NULL) < 0))
        return -ENOMEM;
    _cleanup_json_ json_t *reply = NULL;
    r = docker_call(c, "POST", strbuf_str(&path), body, &reply, NULL);
    if (r < 0)
        return r;
    const char *id = docker_json_str(reply, "Id");
    if (!id || !*id) {
        docker_set_error(c, "create reply without Id");
        return -EIO;
    }
    _cleanup_free_ char *id_copy = strdup(id);
    if (!id_copy)
        r = -ENOMEM;
    /* API 1.41 takes one network at create; the others are connected before start. */
    for (size_t i = 1; r >= 0 && i < spec->n_endpoints; i++)
        r = docker_network_connect(c, id, &spec->endpoints[i]);
    if (r < 0) {
        char saved[sizeof(c->last_error)];
        memcpy(saved, c->last_error, sizeof(saved));
        (void)docker_container_remove(c, id, true);
        memcpy(c->last_error, saved, sizeof(saved));
        return r;
    }
    *ret_id = TAKE_PTR(id_copy);
    return 0;
}

static int docker_container_post(struct docker_client *c, const char *id, const char *action)
{
    if (!id || !*id)
        return -EINVAL;
    _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
    if (docker_path(&path, "/containers/", id, action) < 0)
        return -ENOMEM;
    return docker_call(c, "POST", strbuf_str(&path), NULL, NULL, NULL);
}

int docker_container_start(struct docker_client *c, const char *id)
{
    int r = docker_container_post(c, id, "/start");
    /* 20.10 answers 403 "Address already in use" for a fixed IP another container holds. */
    if ((r == -EPERM || r == -EIO) && strstr(c->last_error, "Address already in use"))
        return -EADDRINUSE;
    return r;
}

int docker_container_stop(struct docker_client *c, const char *id, int timeout_s)
{
    if (timeout_s < 0 || timeout_s > 3600)
        return -EINVAL;
    char action[32];
    snprintf(action, sizeof(action), "/stop?t=%d", timeout_s);
    /* The engine answers only after the container is gone: allow for the grace period. */
    httpc_set_timeout(c->http, (long)timeout_s * 1000 + DOCKER_TIMEOUT_MS);
    int r = docker_container_post(c, id, action);
    httpc_set_timeout(c->http, 0);
    return r;
}

int docker_container_remove(struct docker_client *c, const char *id, bool force)
{
    if (!id || !*id)
        return -EINVAL;
    _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
    if (docker_path(&path, "/containers/", id, force ? "?v=1&force=1" : "?v=1") < 0)
        return -ENOMEM;
    int r = docker_call(c, "DELETE", strbuf_str(&path), NULL, NULL, NULL);
    return r == -EEXIST ? -EBUSY : r;
}

void docker_container_info_done(struct docker_container_info *info)
{
    if (!info)
        return;
    free(info->id);
    free(info->name);
    free(info->image);
    free(info->image_id);
    free(info->state);
    strv_free(info->labels);
    strv_free(info->env);
    for (size_t i = 0; i < info->n_endpoints; i++) {
        free(info->endpoints[i].network);
        free(info->endpoints[i].network_id);
        free(info->endpoints[i].ipv4);
        free(info->endpoints[i].mac);
    }
    free(info->endpoints);
    memset(info, 0, sizeof(*info));
}

void docker_container_info_free(struct docker_container_info *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        docker_container_info_done(&list[i]);
    free(list);
}

/* NetworkSettings.Networks, the same shape in inspect and list replies. */
static void docker_parse_endpoints(const json_t *nets, struct docker_container_info *info,
                                   bool *oom)
{
    size_t n = json_is_object(nets) ? json_object_size(nets) : 0;
    if (n == 0)
        return;
    info->endpoints = calloc(n, sizeof(*info->endpoints));
    if (!info->endpoints) {
        *oom = true;
        return;
    }
    const char *name;
    json_t *v;
    json_object_foreach ((json_t *)nets, name, v) {
        if (info->n_endpoints >= n)
            break;
        struct docker_endpoint_info *e = &info->endpoints[info->n_endpoints++];
        const char *ip = docker_json_str(v, "IPAddress");
        if (!ip || !*ip) /* not started yet: what was asked for */
            ip = docker_json_str(json_object_get(v, "IPAMConfig"), "IPv4Address");
        e->network = docker_dup(name, oom);
        e->network_id = docker_json_dup(v, "NetworkID", oom);
        e->ipv4 = docker_dup(ip, oom);
        e->mac = docker_json_dup(v, "MacAddress", oom);
    }
}

static int docker_parse_inspect(const json_t *j, struct docker_container_info *ret)
{
    struct docker_container_info info = {0};
    bool oom = false;
    const json_t *state = json_object_get(j, "State"), *config = json_object_get(j, "Config");
    const char *name = docker_json_str(j, "Name");
    info.id = docker_json_dup(j, "Id", &oom);
    info.name = docker_dup(name && name[0] == '/' ? name + 1 : name, &oom);
    info.image = docker_json_dup(config, "Image", &oom);
    info.image_id = docker_json_dup(j, "Image", &oom);
    info.state = docker_json_dup(state, "Status", &oom);
    info.exit_code = (int)json_integer_value(json_object_get(state, "ExitCode"));
    info.oom_killed = json_is_true(json_object_get(state, "OOMKilled"));
    info.created = docker_parse_time(docker_json_str(j, "Created"));
    info.started = docker_parse_time(docker_json_str(state, "StartedAt"));
    info.labels = docker_labels_from_json(json_object_get(config, "Labels"), &oom);
    info.env = docker_strv_from_json(json_object_get(config, "Env"), &oom);
    docker_parse_endpoints(json_object_get(json_object_get(j, "NetworkSettings"), "Networks"),
                           &info, &oom);
    if (oom) {
        docker_container_info_done(&info);
        return -ENOMEM;
    }
    *ret = info;
    return 0;
}

int docker_container_inspect(struct docker_client *c, const char *id_or_name,
                             struct docker_container_info *ret)
{
    if (!id_or_name || !*id_or_name)
        return -EINVAL;
    _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
    if (docker_path(&path, "/containers/", id_or_name, "/json") < 0)
        return -ENOMEM;
    _cleanup_json_ json_t *j = NULL;
    int r = docker_call(c, "GET", strbuf_str(&path), NULL, &j, NULL);
    if (r < 0)
        return r;
    return docker_parse_inspect(j, ret);
}

/* The list reply has no exit code field, only "Exited (3) 2 seconds ago". */
static int docker_exit_code_from_status(const char *status)
{
    int64_t code = 0;
    const char *p = status ? strstr(status, "Exited (") : NULL;
    if (!p)
        return 0;
    p += 8;
    const char *end = strchr(p, ')');
    if (!end || end - p > 11)
        return 0;
    char num[12];
    memcpy(num, p, (size_t)(end - p));
    num[end - p] = '\0';
    if (parse_int64(num, -2147483647, 2147483647, &code) < 0)
        return 0;
    return (int)code;
}

static int docker_parse_list_entry(const json_t *j, struct docker_container_info *ret)
{
    struct docker_container_info info = {0};
    bool oom = false;
    const char *name = json_string_value(json_array_get(json_object_get(j, "Names"), 0));
    info.id = docker_json_dup(j, "Id", &oom);
    info.name = docker_dup(name && name[0] == '/' ? name + 1 : name, &oom);
    info.image = docker_json_dup(j, "Image", &oom);
    info.image_id = docker_json_dup(j, "ImageID", &oom);
    info.state = docker_json_dup(j, "State", &oom);
    info.exit_code = docker_exit_code_from_status(docker_json_str(j, "Status"));
    info.created = json_integer_value(json_object_get(j, "Created"));
    info.labels = docker_labels_from_json(json_object_get(j, "Labels"), &oom);
    docker_parse_endpoints(json_object_get(json_object_get(j, "NetworkSettings"), "Networks"),
                           &info, &oom);
    if (oom) {
        docker_container_info_done(&info);
        return -ENOMEM;
    }
    *ret = info;
    return 0;
}

/* "?filters=" + escaped {"label": [label_filter]}. */
static int docker_label_query(struct strbuf *sb, const char *label_filter)
{
    _cleanup_json_ json_t *f = json_pack("{s:[s]}", "label", label_filter);
    if (!f)
        return -EINVAL;
    _cleanup_free_ char *s = jv_dump(f);
    if (!s)
        return -ENOMEM;
    int r = strbuf_puts(sb, "filters=");
    return r < 0 ? r : httpc_url_escape(sb, s);
}

int docker_container_list(struct docker_client *c, const char *label_filter, bool all,
                          struct docker_container_info **ret, size_t *ret_n)
{
    _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
    int r = strbuf_puts(&path, all ? "/containers/json?all=1&" : "/containers/json?");
    if (r >= 0 && label_filter)
        r = docker_label_query(&path, label_filter);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *j = NULL;
    r = docker_call(c, "GET", strbuf_str(&path), NULL, &j, NULL);
    if (r < 0)
        return r;
    if (!json_is_array(j)) {
        docker_set_error(c, "container list is not an array");
        return -EIO;
    }
    size_t n = json_array_size(j);
    struct docker_container_info *list = calloc(n ? n : 1, sizeof(*list));
    if (!list)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        r = docker_parse_list_entry(json_array_get(j, i), &list[i]);
        if (r < 0) {
            docker_container_info_free(list, i);
            return r;
        }
    }
    *ret = list;
    *ret_n = n;
    return 0;
}
