/* The readable shapes of an NS record for pop ns ls / show / --wait. */
#include "ns_view.h"

#include "core/cleanup.h"
#include "json/cleanup.h"
#include "json/jv.h"

#include <string.h>

static const char *ns_str(const json_t *obj, const char *key)
{
    const char *s = jv_get_string(obj, key);
    return s ? s : "";
}

/* Sets key to v (stolen); false on failure (v released). */
static bool ns_set(json_t *obj, const char *key, json_t *v)
{
    if (!obj) {
        json_decref(v);
        return false;
    }
    return v && json_object_set_new(obj, key, v) == 0;
}

json_t *ns_view_states(const json_t *nsr)
{
    json_t *states = json_object();
    size_t i;
    json_t *vnfr;
    json_array_foreach (jv_get_array(nsr, "vnfr"), i, vnfr)
        if (!ns_set(states, ns_str(vnfr, "name"), json_string(ns_str(vnfr, "status")))) {
            json_decref(states);
            return NULL;
        }
    return states;
}

json_t *ns_view_row(const json_t *nsr)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", ns_str(nsr, "name"), "id",
                     ns_str(nsr, "id"), "status", ns_str(nsr, "status"), "task",
                     ns_str(nsr, "task"), "vnfs", ns_view_states(nsr));
}

bool ns_view_settled(const json_t *nsr)
{
    const char *status = ns_str(nsr, "status"), *task = ns_str(nsr, "task");
    size_t n = strlen(task);
    bool busy = n >= 3 && strcmp(task + n - 3, "ing") == 0;
    return (strcmp(status, "ACTIVE") == 0 || strcmp(status, "ERROR") == 0) && !busy;
}

/* {netName: ip} of a VNFC instance. */
static json_t *ns_addresses(const json_t *vnfc)
{
    json_t *addrs = json_object();
    size_t i;
    json_t *ip;
    json_array_foreach (jv_get_array(vnfc, "ips"), i, ip) {
        const char *net = jv_get_string(ip, "netName");
        if (net && !json_object_get(addrs, net) &&
            !ns_set(addrs, net, json_string(ns_str(ip, "ip")))) {
            json_decref(addrs);
            return NULL;
        }
    }
    return addrs;
}

static json_t *ns_vnfc(const json_t *vnfc, const json_t *vims)
{
    const char *vim_id = jv_get_string(vnfc, "vim_id");
    json_t *vim = NULL;
    size_t i;
    json_t *v;
    json_array_foreach (vims, i, v)
        if (vim_id && strcmp(ns_str(v, "id"), vim_id) == 0)
            vim = v;
    json_t *out = json_pack("{s:s, s:s, s:s}", "hostname", ns_str(vnfc, "hostname"), "id",
                            ns_str(vnfc, "id"), "state", ns_str(vnfc, "state"));
    if (vim_id && !ns_set(out, "vim", json_string(vim ? ns_str(vim, "name") : vim_id)))
        goto fail;
    if (vim && jv_get_string(vim, "authUrl") &&
        !ns_set(out, "pop", json_string(ns_str(vim, "authUrl"))))
        goto fail;
    if (!ns_set(out, "addresses", ns_addresses(vnfc)))
        goto fail;
    return out;
fail:
    json_decref(out);
    return NULL;
}

static json_t *ns_vnf(const json_t *vnfr, const json_t *vims)
{
    json_t *vnfcs = json_array();
    size_t i, j;
    json_t *vdu, *vnfc;
    json_array_foreach (jv_get_array(vnfr, "vdu"), i, vdu)
        json_array_foreach (jv_get_array(vdu, "vnfc_instance"), j, vnfc)
            if (!vnfcs || json_array_append_new(vnfcs, ns_vnfc(vnfc, vims)) < 0) {
                json_decref(vnfcs);
                return NULL;
            }
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", ns_str(vnfr, "name"), "id",
                     ns_str(vnfr, "id"), "type", ns_str(vnfr, "type"), "status",
                     ns_str(vnfr, "status"), "vnfcs", vnfcs);
}

/* The hostname of the NSR's VNFC instance with that id, or the id. */
static const char *ns_vnfc_label(const json_t *nsr, const char *id)
{
    size_t i, j, k;
    json_t *vnfr, *vdu, *vnfc;
    json_array_foreach (jv_get_array(nsr, "vnfr"), i, vnfr)
        json_array_foreach (jv_get_array(vnfr, "vdu"), j, vdu)
            json_array_foreach (jv_get_array(vdu, "vnfc_instance"), k, vnfc)
                if (strcmp(ns_str(vnfc, "id"), id) == 0 && jv_get_string(vnfc, "hostname"))
                    return jv_get_string(vnfc, "hostname");
    return id;
}

/* Every VNFC address on the virtual link named net: {hostname: ip}. */
static json_t *ns_link_addresses(const json_t *nsr, const char *net)
{
    json_t *out = json_object();
    size_t i, j, k, l;
    json_t *vnfr, *vdu, *vnfc, *ip;
    json_array_foreach (jv_get_array(nsr, "vnfr"), i, vnfr)
        json_array_foreach (jv_get_array(vnfr, "vdu"), j, vdu)
            json_array_foreach (jv_get_array(vdu, "vnfc_instance"), k, vnfc)
                json_array_foreach (jv_get_array(vnfc, "ips"), l, ip)
                    if (strcmp(ns_str(ip, "netName"), net) == 0 &&
                        !ns_set(out, ns_str(vnfc, "hostname"), json_string(ns_str(ip, "ip")))) {
                        json_decref(out);
                        return NULL;
                    }
    return out;
}

static json_t *ns_links(const json_t *nsr)
{
    json_t *links = json_array();
    size_t i;
    json_t *vlr;
    json_array_foreach (jv_get_array(nsr, "vlr"), i, vlr) {
        const char *name = ns_str(vlr, "name");
        json_t *l =
            json_pack("{s:s, s:s, s:s, s:o}", "name", name, "network", ns_str(vlr, "extId"),
                      "status", ns_str(vlr, "status"), "addresses", ns_link_addresses(nsr, name));
        if (!links || json_array_append_new(links, l) < 0) {
            json_decref(links);
            return NULL;
        }
    }
    return links;
}

/* {key: value} of a parameters object, without the empty values (§11.7's placeholders). */
static json_t *ns_values(const json_t *params)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)params, k, v) {
        const char *s = json_string_value(v);
        if (s && *s && !ns_set(out, k, json_string(s))) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* One dependency record: {target, sources: {VNF: {values?, vnfcs: {host: {key: value}}}}}. */
static json_t *ns_dependency(const json_t *nsr, const json_t *dep)
{
    json_t *sources = json_object();
    const char *vnf;
    json_t *type;
    json_object_foreach (jv_get_object(dep, "idType"), vnf, type) {
        const char *t = json_string_value(type);
        if (!t)
            continue;
        json_t *src = json_object(), *vnfcs = json_object();
        _cleanup_json_ json_t *values = ns_values(
            jv_get_object(jv_get_object(jv_get_object(dep, "parameters"), t), "parameters"));
        const char *id;
        json_t *p;
        json_t *per_vnfc =
            jv_get_object(jv_get_object(jv_get_object(dep, "vnfcParameters"), t), "parameters");
        json_object_foreach (per_vnfc, id, p)
            if (!ns_set(vnfcs, ns_vnfc_label(nsr, id), ns_values(jv_get_object(p, "parameters"))))
                goto fail;
        if (!values ||
            (json_object_size(values) > 0 && !ns_set(src, "values", json_incref(values))))
            goto fail;
        if (!ns_set(src, "vnfcs", TAKE_PTR(vnfcs)) || !ns_set(sources, vnf, TAKE_PTR(src)))
            goto fail;
        continue;
    fail:
        json_decref(vnfcs);
        json_decref(src);
        json_decref(sources);
        return NULL;
    }
    return json_pack("{s:s, s:o}", "target", ns_str(dep, "target"), "sources", sources);
}

/* Appends the last NS_VIEW_EVENTS history entries of entity to events, and every ERROR
 * entry's description to errors, as seen on "who". */
static bool ns_history(const json_t *entity, const char *who, json_t *events, json_t *errors)
{
    const json_t *hist = jv_get_array(entity, "lifecycle_event_history");
    size_t n = json_array_size(hist);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(hist, i);
        const char *ev = ns_str(e, "event");
        if (i + NS_VIEW_EVENTS >= n &&
            json_array_append_new(
                events, json_pack("{s:s, s:s, s:s, s:s}", "at", ns_str(e, "executedAt"), "record",
                                  who, "event", ev, "description", ns_str(e, "description"))) < 0)
            return false;
        if (strcmp(ev, "ERROR") == 0 &&
            json_array_append_new(errors, json_pack("{s:s, s:s}", "record", who, "reason",
                                                    ns_str(e, "description"))) < 0)
            return false;
    }
    return true;
}

json_t *ns_view_show(const json_t *nsr, const json_t *vims)
{
    _cleanup_json_ json_t *vnfs = json_array(), *deps = json_array();
    _cleanup_json_ json_t *events = json_array(), *errors = json_array();
    if (!vnfs || !deps || !events || !errors || !ns_history(nsr, "NS", events, errors))
        return NULL;
    size_t i;
    json_t *vnfr, *dep;
    json_array_foreach (jv_get_array(nsr, "vnfr"), i, vnfr)
        if (json_array_append_new(vnfs, ns_vnf(vnfr, vims)) < 0)
            return NULL;
    json_array_foreach (jv_get_array(nsr, "vnfr"), i, vnfr)
        if (!ns_history(vnfr, ns_str(vnfr, "name"), events, errors))
            return NULL;
    json_array_foreach (jv_get_array(nsr, "vnf_dependency"), i, dep)
        if (json_array_append_new(deps, ns_dependency(nsr, dep)) < 0)
            return NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:O, s:O, s:O}", "name",
                     ns_str(nsr, "name"), "id", ns_str(nsr, "id"), "status", ns_str(nsr, "status"),
                     "task", ns_str(nsr, "task"), "nsd", ns_str(nsr, "descriptor_reference"),
                     "vnfs", vnfs, "virtual_links", ns_links(nsr), "dependencies", deps, "events",
                     events, "errors", errors);
}
