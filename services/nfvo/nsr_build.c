/* A new NSR from an onboarded NSD (reference §3.6 step 1, §5.1), and the dependency records
 * filled as sources come up (§5.2). The document keeps what the launch needs but clients do not
 * see under "_launch" (rest_nsr.c strips it): the VNFDs with the launch-time configurations
 * merged, and the VIM instance names chosen for every VDU. */
#include "records-int.h"

#include "core/cleanup.h"
#include "managers.h"
#include "mq/mq.h"
#include "nfvo.h"
#include "vims.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "name" of a VNFDependency end: the 6.0 string, or the 3.2 object {"name": ...}. */
static const char *end_name(const json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "name"));
}

static const json_t *vnfd_named(const json_t *nsd, const char *name)
{
    size_t i;
    json_t *d;
    json_array_foreach (json_object_get(nsd, "vnfd"), i, d) {
        const char *n = json_string_value(json_object_get(d, "name"));
        if (n && name && strcmp(n, name) == 0)
            return d;
    }
    return NULL;
}

json_t *nsr_dependency_of(const json_t *nsr, const char *target)
{
    size_t i;
    json_t *dep;
    json_array_foreach (json_object_get(nsr, "vnf_dependency"), i, dep) {
        const char *t = json_string_value(json_object_get(dep, "target"));
        if (t && target && strcmp(t, target) == 0)
            return dep;
    }
    return NULL;
}

/* The index in vnfrs of the VNFR named name, or -1. */
static int vnfr_index(const json_t *vnfrs, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach (vnfrs, i, v) {
        const char *n = json_string_value(json_object_get(v, "name"));
        if (n && name && strcmp(n, name) == 0)
            return (int)i;
    }
    return -1;
}

/* The dependencies as source -> target pairs of VNFR indexes (self-dependencies and unknown
 * names left out); malloc'd, count in *m, NULL when out of memory. */
static int *dependency_edges(const json_t *nsr, const json_t *vnfrs, size_t *m)
{
    size_t cap = 0, i;
    json_t *dep;
    json_array_foreach (json_object_get(nsr, "vnf_dependency"), i, dep)
        cap += json_object_size(json_object_get(dep, "idType"));
    int *e = malloc(2 * (cap ? cap : 1) * sizeof(*e));
    if (!e)
        return NULL;
    *m = 0;
    json_array_foreach (json_object_get(nsr, "vnf_dependency"), i, dep) {
        int t = vnfr_index(vnfrs, json_string_value(json_object_get(dep, "target")));
        const char *src;
        json_t *unused;
        json_object_foreach ((json_t *)json_object_get(dep, "idType"), src, unused) {
            int s = vnfr_index(vnfrs, src);
            if (t < 0 || s < 0 || s == t)
                continue;
            e[2 * *m] = s;
            e[2 * *m + 1] = t;
            (*m)++;
        }
    }
    return e;
}

int *nsr_start_levels(const json_t *nsr)
{
    const json_t *vnfrs = json_object_get(nsr, "vnfr");
    size_t n = json_array_size(vnfrs), m = 0;
    int *level = calloc(n ? n : 1, sizeof(*level));
    int *edge = dependency_edges(nsr, vnfrs, &m);
    /* reach[a * n + b]: b is reachable from a. The targets of v are succ[first[v] .. first[v +
     * 1]); stack: the depth-first search's (a node is pushed when first marked, a once more),
     * first the counters that fill succ. */
    unsigned char *reach = calloc(n ? n * n : 1, 1);
    size_t *first = calloc(n + 1, sizeof(*first)), *succ = calloc(m ? m : 1, sizeof(*succ));
    size_t *stack = calloc(n + 1, sizeof(*stack));
    if (!level || !edge || !reach || !first || !succ || !stack) {
        free(level);
        level = NULL;
        goto out;
    }
    for (size_t k = 0; k < m; k++)
        first[edge[2 * k] + 1]++;
    for (size_t v = 0; v < n; v++)
        first[v + 1] += first[v];
    for (size_t k = 0, *fill = stack; k < m; k++)
        succ[first[edge[2 * k]] + fill[edge[2 * k]]++] = (size_t)edge[2 * k + 1];
    memset(stack, 0, (n + 1) * sizeof(*stack));
    for (size_t a = 0; a < n; a++) {
        size_t top = 0;
        stack[top++] = a;
        while (top > 0) {
            size_t v = stack[--top];
            for (size_t k = first[v]; k < first[v + 1]; k++)
                if (!reach[a * n + succ[k]]) {
                    reach[a * n + succ[k]] = 1;
                    stack[top++] = succ[k];
                }
        }
    }
    /* Longest-path relaxation over the dependencies that are on no cycle (the target does not
     * reach its source): those form a DAG of the cycles and the rest, so n rounds settle it. A
     * target downstream of a cycle thus still starts after its sources, while the VNFRs of one
     * cycle start together (in no particular order). O(n * (n + edges)) for the reachability
     * (each search marks a node once), O(n * edges) for the levels. */
    for (size_t round = 0; round < n; round++) {
        bool changed = false;
        for (size_t k = 0; k < m; k++) {
            size_t s = (size_t)edge[2 * k], t = (size_t)edge[2 * k + 1];
            if (reach[t * n + s] || level[s] + 1 <= level[t])
                continue;
            level[t] = level[s] + 1;
            changed = true;
        }
        if (!changed)
            break;
    }
out:
    free(edge);
    free(reach);
    free(first);
    free(succ);
    free(stack);
    return level;
}

bool nsr_is_source(const json_t *nsr, const char *name)
{
    size_t i;
    json_t *dep;
    json_array_foreach (json_object_get(nsr, "vnf_dependency"), i, dep)
        if (json_object_get(json_object_get(dep, "idType"), name))
            return true;
    return false;
}

/* One source -> target dependency on parameters into the target's record (§5.1). */
static int add_dependency(json_t *nsr, const json_t *nsd, const char *source, const char *target,
                          const json_t *params, struct pop_error *e)
{
    const json_t *src = vnfd_named(nsd, source);
    if (!src || !vnfd_named(nsd, target))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnf_dependency",
                             "vnf_dependency: %s -> %s names a VNF the NSD does not have",
                             source ? source : "?", target ? target : "?");
    const char *type = json_string_value(json_object_get(src, "type"));
    if (!type)
        type = source;
    json_t *dep = nsr_dependency_of(nsr, target);
    if (!dep) {
        dep = json_pack("{s:o, s:i, s:s, s:{}, s:{}, s:{}}", "id", records_uuid(), "hbVersion", 0,
                        "target", target, "parameters", "vnfcParameters", "idType");
        if (!dep || json_array_append_new(json_object_get(nsr, "vnf_dependency"), dep) < 0)
            return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    }
    json_object_set_new(json_object_get(dep, "idType"), source, json_string(type));
    json_t *by_type = json_object_get(dep, "parameters");
    json_t *dp = json_object_get(by_type, type);
    if (!dp) {
        dp = json_pack("{s:o, s:i, s:{}}", "id", records_uuid(), "hbVersion", 0, "parameters");
        json_object_set_new(by_type, type, dp);
    }
    size_t i;
    json_t *k;
    json_array_foreach (params, i, k)
        if (json_is_string(k))
            json_object_set_new(json_object_get(dp, "parameters"), json_string_value(k),
                                json_string(""));
    return 0;
}

static int build_dependencies(json_t *nsr, const json_t *nsd, struct pop_error *e)
{
    size_t i;
    json_t *d;
    json_array_foreach (json_object_get(nsd, "vnf_dependency"), i, d) {
        int r = add_dependency(nsr, nsd, end_name(json_object_get(d, "source")),
                               end_name(json_object_get(d, "target")),
                               json_object_get(d, "parameters"), e);
        if (r < 0)
            return r;
    }
    /* A VNFD's requires {sourceName: {parameters}} (NSDUtils.getVNFDependenciesFromRequires). */
    json_array_foreach (json_object_get(nsd, "vnfd"), i, d) {
        const char *target = json_string_value(json_object_get(d, "name"));
        const char *source;
        json_t *req;
        json_object_foreach (json_object_get(d, "requires"), source, req) {
            int r = add_dependency(nsr, nsd, source, target, json_object_get(req, "parameters"), e);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

/* The VIM names of one VDU: the body's vduVimInstances[vdu name], else the VDU's own
 * vimInstanceName, else every VIM of the project; each must exist. */
static json_t *vdu_vims(struct nfvo *n, const char *project, const json_t *vdu, const json_t *body,
                        struct pop_error *e)
{
    const char *vdu_name = json_string_value(json_object_get(vdu, "name"));
    const json_t *names =
        vdu_name ? json_object_get(json_object_get(body, "vduVimInstances"), vdu_name) : NULL;
    if (!json_array_size(names))
        names = json_object_get(vdu, "vimInstanceName");
    json_t *out = json_array();
    if (!out)
        return NULL;
    if (!json_array_size(names)) {
        json_t *all = NULL;
        if (nfvo_vims_list(n->vims, project, &all, e) < 0) {
            json_decref(out);
            return NULL;
        }
        size_t i;
        json_t *v;
        json_array_foreach (all, i, v)
            json_array_append(out, json_object_get(v, "name"));
        json_decref(all);
        if (!json_array_size(out)) {
            json_decref(out);
            pop_error_set(e, -ENOENT, API_STATE_CONFLICT, "vduVimInstances",
                          "no VIM instance to launch on: register one with POST "
                          "/api/v1/datacenters first");
            return NULL;
        }
        return out;
    }
    size_t i;
    json_t *name;
    json_array_foreach (names, i, name) {
        char want[256];
        /* "name:az" places into an availability zone; the Pop has none. */
        snprintf(want, sizeof(want), "%s", json_string_value(name) ? json_string_value(name) : "");
        char *colon = strchr(want, ':');
        if (colon)
            *colon = '\0';
        json_t *vim = NULL;
        struct pop_error fe = POP_ERROR_INIT;
        if (nfvo_vims_find(n->vims, project, want, &vim, &fe) < 0) {
            json_decref(out);
            pop_error_set(e, -ENOENT, API_STATE_CONFLICT, "vduVimInstances",
                          "VDU %s: no VIM instance named '%s' in this project",
                          vdu_name ? vdu_name : "?", want);
            return NULL;
        }
        json_decref(vim);
        json_array_append_new(out, json_string(want));
    }
    return out;
}

/* The VNFD with the launch body's configurations[vnfd name] merged in (by confKey). */
static json_t *merged_vnfd(const json_t *vnfd, const json_t *body)
{
    json_t *d = json_deep_copy(vnfd);
    const char *name = json_string_value(json_object_get(vnfd, "name"));
    const json_t *extra =
        name ? json_object_get(json_object_get(body, "configurations"), name) : NULL;
    if (!d || !json_is_object(extra))
        return d;
    json_t *conf = json_object_get(d, "configurations");
    if (!json_is_object(conf)) {
        conf = json_pack("{s:s, s:[]}", "name", name, "configurationParameters");
        json_object_set_new(d, "configurations", conf);
    }
    json_t *params = json_object_get(conf, "configurationParameters");
    if (!json_is_array(params)) {
        params = json_array();
        json_object_set_new(conf, "configurationParameters", params);
    }
    size_t i, j;
    json_t *p, *q;
    json_array_foreach (json_object_get(extra, "configurationParameters"), i, p) {
        const char *key = json_string_value(json_object_get(p, "confKey"));
        if (!key)
            continue;
        bool replaced = false;
        json_array_foreach (params, j, q) {
            const char *k = json_string_value(json_object_get(q, "confKey"));
            if (k && strcmp(k, key) == 0) {
                json_object_set(q, "value", json_object_get(p, "value"));
                replaced = true;
            }
        }
        if (!replaced)
            json_array_append_new(params, json_deep_copy(p));
    }
    records_assign_ids(conf);
    return d;
}

json_t *nsr_build(struct nfvo *n, const char *project, const json_t *nsd, const json_t *body,
                  struct pop_error *e)
{
    json_t *nsr = json_pack(
        "{s:o, s:i, s:O, s:O, s:O, s:O, s:s, s:s, s:s, s:[], s:[], s:[], s:[], s:[], s:O, s:{}}",
        "id", records_uuid(), "hbVersion", 0, "name", json_object_get(nsd, "name"), "vendor",
        json_object_get(nsd, "vendor"), "version", json_object_get(nsd, "version"),
        "descriptor_reference", json_object_get(nsd, "id"), "status", "NULL", "task", "Onboarding",
        "projectId", project, "vlr", "vnfr", "vnf_dependency", "lifecycle_event_history",
        "monitoring_parameter", "keyNames",
        json_object_get(body, "keys") ? json_object_get(body, "keys") : json_null(), "_launch");
    if (!nsr) {
        pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
        return NULL;
    }
    if (!json_is_array(json_object_get(nsr, "keyNames")))
        json_object_set_new(nsr, "keyNames", json_array());
    const char *nsr_id = json_string_value(json_object_get(nsr, "id"));
    size_t i, j;
    json_t *vld;
    json_array_foreach (json_object_get(nsd, "vld"), i, vld) {
        json_t *vlr =
            json_pack("{s:o, s:i, s:O, s:O, s:s, s:s}", "id", records_uuid(), "hbVersion", 0,
                      "name", json_object_get(vld, "name"), "descriptor_reference",
                      json_object_get(vld, "id") ? json_object_get(vld, "id") : json_null(),
                      "status", "LINKDOWN", "parent_ns", nsr_id);
        if (vlr && json_object_get(vld, "cidr"))
            json_object_set(vlr, "cidr", json_object_get(vld, "cidr"));
        json_array_append_new(json_object_get(nsr, "vlr"), vlr);
    }
    if (build_dependencies(nsr, nsd, e) < 0)
        goto fail;
    json_t *launch = json_object_get(nsr, "_launch");
    json_t *vnfds = json_array(), *vim_names = json_object();
    json_object_set_new(launch, "vnfds", vnfds);
    json_object_set_new(launch, "vimNames", vim_names);
    json_t *vnfd;
    json_array_foreach (json_object_get(nsd, "vnfd"), i, vnfd) {
        const char *name = json_string_value(json_object_get(vnfd, "name"));
        const char *vnfm = json_string_value(json_object_get(vnfd, "endpoint"));
        if (!vnfm)
            vnfm = json_string_value(json_object_get(vnfd, "type"));
        char queue[MQ_NAME_MAX + 1];
        if (nfvo_managers_vnfm_endpoint(n->managers, vnfm, queue, sizeof(queue)) < 0) {
            /* NFVO 6's words (§3.1), so users of both recognise it. */
            pop_error_set(e, -ENOENT, API_STATE_CONFLICT, "vnfd.endpoint",
                          "VNF %s: VNFManager with endpoint: %s is not registered or not "
                          "enabled or not active",
                          name ? name : "?", vnfm ? vnfm : "(none)");
            goto fail;
        }
        json_t *vdu;
        json_array_foreach (json_object_get(vnfd, "vdu"), j, vdu) {
            json_t *names = vdu_vims(n, project, vdu, body, e);
            if (!names)
                goto fail;
            const char *vdu_id = json_string_value(json_object_get(vdu, "id"));
            json_object_set_new(vim_names, vdu_id ? vdu_id : "", names);
        }
        json_array_append_new(vnfds, merged_vnfd(vnfd, body));
        json_t *placeholder =
            json_pack("{s:o, s:i, s:O, s:O, s:s, s:O, s:s, s:s, s:[], s:[]}", "id", records_uuid(),
                      "hbVersion", 0, "name", json_object_get(vnfd, "name"), "type",
                      json_object_get(vnfd, "type") ? json_object_get(vnfd, "type") : json_null(),
                      "endpoint", vnfm ? vnfm : "", "descriptor_reference",
                      json_object_get(vnfd, "id") ? json_object_get(vnfd, "id") : json_null(),
                      "parent_ns_id", nsr_id, "status", "NULL", "vdu", "lifecycle_event_history");
        if (!placeholder || records_put_vnfr(nsr, placeholder) < 0) {
            pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
            goto fail;
        }
    }
    return nsr;
fail:
    json_decref(nsr);
    return NULL;
}

/* §5.2: the values of one source VNFR, VNFR-level (provides, then configurations) and per
 * VNFC instance (its address on each network, hostname), for the keys its targets asked. */
void nsr_fill_dependencies(json_t *nsr, const json_t *vnfr)
{
    const char *name = json_string_value(json_object_get(vnfr, "name"));
    size_t i;
    json_t *dep;
    json_array_foreach (json_object_get(nsr, "vnf_dependency"), i, dep) {
        const char *type = json_string_value(json_object_get(json_object_get(dep, "idType"), name));
        if (!type)
            continue;
        json_t *wanted = json_object_get(json_object_get(json_object_get(dep, "parameters"), type),
                                         "parameters");
        const char *key;
        json_t *val;
        json_object_foreach (wanted, key, val) {
            const json_t *conf[] = {json_object_get(vnfr, "provides"),
                                    json_object_get(vnfr, "configurations")};
            for (size_t c = 0; c < 2; c++) {
                size_t k;
                json_t *p;
                json_array_foreach (json_object_get(conf[c], "configurationParameters"), k, p) {
                    const char *ck = json_string_value(json_object_get(p, "confKey"));
                    const char *cv = json_string_value(json_object_get(p, "value"));
                    if (ck && cv && strcmp(ck, key) == 0)
                        json_object_set_new(wanted, key, json_string(cv));
                }
            }
        }
        json_t *by_type = json_object_get(dep, "vnfcParameters");
        json_t *vp = json_object_get(by_type, type);
        if (!vp) {
            vp = json_pack("{s:o, s:i, s:{}}", "id", records_uuid(), "hbVersion", 0, "parameters");
            json_object_set_new(by_type, type, vp);
        }
        json_t *per_vnfc = json_object_get(vp, "parameters");
        size_t d, v;
        json_t *vdu, *vi;
        json_array_foreach (json_object_get(vnfr, "vdu"), d, vdu) {
            json_array_foreach (json_object_get(vdu, "vnfc_instance"), v, vi) {
                const char *vid = json_string_value(json_object_get(vi, "id"));
                if (!vid)
                    continue;
                json_t *values = json_object();
                json_object_foreach (wanted, key, val) {
                    size_t k;
                    json_t *ip;
                    json_array_foreach (json_object_get(vi, "ips"), k, ip) {
                        const char *net = json_string_value(json_object_get(ip, "netName"));
                        if (net && strcmp(net, key) == 0)
                            json_object_set(values, key, json_object_get(ip, "ip"));
                    }
                    if (strcmp(key, "hostname") == 0)
                        json_object_set(values, key, json_object_get(vi, "hostname"));
                }
                json_object_set_new(per_vnfc, vid,
                                    json_pack("{s:o, s:i, s:o}", "id", records_uuid(), "hbVersion",
                                              0, "parameters", values));
            }
        }
    }
}
