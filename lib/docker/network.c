/* Networks: create a bridge with one IPv4 subnet, remove, list, inspect with members. */
#include "docker/docker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "docker/docker-int.h"

static bool docker_cidr_ok(const char *cidr)
{
    const char *slash = strchr(cidr, '/');
    if (!slash || slash - cidr >= INET_ADDRSTRLEN)
        return false;
    char addr[INET_ADDRSTRLEN];
    memcpy(addr, cidr, (size_t)(slash - cidr));
    addr[slash - cidr] = '\0';
    struct in_addr a;
    int64_t bits;
    return inet_pton(AF_INET, addr, &a) == 1 && parse_int64(slash + 1, 0, 32, &bits) == 0;
}

int docker_network_create(struct docker_client *c, const struct docker_network_spec *spec,
                          char **ret_id)
{
    struct in_addr gw;
    if (!spec->name || !spec->name[0] || !spec->cidr || !docker_cidr_ok(spec->cidr) ||
        (spec->gateway && inet_pton(AF_INET, spec->gateway, &gw) != 1)) {
        docker_set_error(c, "network needs a name, an IPv4 CIDR and a valid gateway");
        return -EINVAL;
    }
    json_t *labels = NULL;
    int r = docker_labels_to_json(spec->labels, &labels);
    if (r < 0) {
        docker_set_error(c, "bad network labels");
        return r;
    }
    json_t *pool = json_pack("{s:s}", "Subnet", spec->cidr);
    if (pool && spec->gateway && docker_jset(pool, "Gateway", json_string(spec->gateway)) < 0) {
        json_decref(pool);
        pool = NULL;
    }
    /* CheckDuplicate: without it the engine happily creates a second network of that name. */
    _cleanup_json_ json_t *body =
        json_pack("{s:s, s:b, s:s, s:b, s:b, s:o, s:{s:s, s:[o]}}", "Name", spec->name,
                  "CheckDuplicate", 1, "Driver", "bridge", "Internal", spec->internal, "EnableIPv6",
                  0, "Labels", labels, "IPAM", "Driver", "default", "Config", pool);
    if (!body) {
        docker_set_error(c, "network name is not UTF-8");
        return -EINVAL;
    }
    _cleanup_json_ json_t *reply = NULL;
    r = docker_call(c, "POST", "/networks/create", body, &reply, NULL);
    if (r == -EPERM)
        return -EADDRINUSE; /* "Pool overlaps with other one on this address space" */
    if (r < 0)
        return r;
    const char *id = docker_json_str(reply, "Id");
    if (!id || !*id) {
        docker_set_error(c, "network create reply without Id");
        return -EIO;
    }
    char *copy = strdup(id);
    if (!copy)
        return -ENOMEM;
    *ret_id = copy;
    return 0;
}

int docker_network_remove(struct docker_client *c, const char *id_or_name)
{
    if (!id_or_name || !*id_or_name)
        return -EINVAL;
    _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
    if (docker_path(&path, "/networks/", id_or_name, NULL) < 0)
        return -ENOMEM;
    int r = docker_call(c, "DELETE", strbuf_str(&path), NULL, NULL, NULL);
    return r == -EPERM ? -EBUSY : r; /* "network ... has active endpoints" */
}

void docker_network_info_done(struct docker_network_info *info)
{
    if (!info)
        return;
    free(info->id);
    free(info->name);
    free(info->driver);
    strv_free(info->labels);
    for (size_t i = 0; i < info->n_subnets; i++) {
        free(info->subnets[i].cidr);
        free(info->subnets[i].gateway);
    }
    free(info->subnets);
    for (size_t i = 0; i < info->n_members; i++) {
        free(info->members[i].container_id);
        free(info->members[i].name);
        free(info->members[i].ipv4);
        free(info->members[i].mac);
    }
    free(info->members);
    memset(info, 0, sizeof(*info));
}

void docker_network_info_free(struct docker_network_info *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        docker_network_info_done(&list[i]);
    free(list);
}

/* "10.1.2.3/24" -> "10.1.2.3". */
static char *docker_strip_prefix(const char *addr, bool *oom)
{
    addr = addr ? addr : "";
    const char *slash = strchr(addr, '/');
    char *s = slash ? strndup(addr, (size_t)(slash - addr)) : strdup(addr);
    if (!s)
        *oom = true;
    return s;
}

static int docker_parse_network(const json_t *j, struct docker_network_info *ret)
{
    struct docker_network_info info = {0};
    bool oom = false;
    info.id = docker_json_dup(j, "Id", &oom);
    info.name = docker_json_dup(j, "Name", &oom);
    info.driver = docker_json_dup(j, "Driver", &oom);
    info.internal = json_is_true(json_object_get(j, "Internal"));
    info.labels = docker_labels_from_json(json_object_get(j, "Labels"), &oom);

    const json_t *cfg = json_object_get(json_object_get(j, "IPAM"), "Config");
    size_t n = json_is_array(cfg) ? json_array_size(cfg) : 0;
    if (n && !(info.subnets = calloc(n, sizeof(*info.subnets))))
        oom = true;
    for (size_t i = 0; info.subnets && i < n; i++) {
        const json_t *pool = json_array_get(cfg, i);
        info.subnets[i].cidr = docker_json_dup(pool, "Subnet", &oom);
        info.subnets[i].gateway = docker_json_dup(pool, "Gateway", &oom);
        info.n_subnets++;
    }

    const json_t *members = json_object_get(j, "Containers");
    n = json_is_object(members) ? json_object_size(members) : 0;
    if (n && !(info.members = calloc(n, sizeof(*info.members))))
        oom = true;
    const char *cid;
    json_t *m;
    if (info.members) {
        json_object_foreach ((json_t *)members, cid, m) {
            if (info.n_members >= n)
                break;
            struct docker_network_member *e = &info.members[info.n_members++];
            e->container_id = docker_dup(cid, &oom);
            e->name = docker_json_dup(m, "Name", &oom);
            e->ipv4 = docker_strip_prefix(docker_json_str(m, "IPv4Address"), &oom);
            e->mac = docker_json_dup(m, "MacAddress", &oom);
        }
    }
    if (oom) {
        docker_network_info_done(&info);
        return -ENOMEM;
    }
    *ret = info;
    return 0;
}

int docker_network_inspect(struct docker_client *c, const char *id_or_name,
                           struct docker_network_info *ret)
{
    if (!id_or_name || !*id_or_name)
        return -EINVAL;
    _cleanup_strbuf_ struct strbuf path = STRBUF_INIT;
    if (docker_path(&path, "/networks/", id_or_name, NULL) < 0)
        return -ENOMEM;
    _cleanup_json_ json_t *j = NULL;
    int r = docker_call(c, "GET", strbuf_str(&path), NULL, &j, NULL);
    if (r < 0)
        return r;
    return docker_parse_network(j, ret);
}

int docker_network_list(struct docker_client *c, struct docker_network_info **ret, size_t *ret_n)
{
    _cleanup_json_ json_t *j = NULL;
    int r = docker_call(c, "GET", "/networks", NULL, &j, NULL);
    if (r < 0)
        return r;
    if (!json_is_array(j)) {
        docker_set_error(c, "network list is not an array");
        return -EIO;
    }
    size_t n = json_array_size(j);
    struct docker_network_info *list = calloc(n ? n : 1, sizeof(*list));
    if (!list)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        r = docker_parse_network(json_array_get(j, i), &list[i]);
        if (r < 0) {
            docker_network_info_free(list, i);
            return r;
        }
    }
    *ret = list;
    *ret_n = n;
    return 0;
}
