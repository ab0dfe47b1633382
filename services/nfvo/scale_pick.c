/* The choices of a scale out or in (reference §3.7, §6.2) on the documents alone: which VDU,
 * which VNFC instance, the new component and its connection points, and what goes from the
 * records when an instance does. No I/O: unit-tested in tests/unit/nfvo/test_scale_pick.c. */
#include "records-int.h"

#include <errno.h>
#include <string.h>

json_t *scale_by_id(const json_t *list, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach (list, i, v) {
        const char *vid = json_string_value(json_object_get(v, "id"));
        if (vid && id && strcmp(vid, id) == 0)
            return v;
    }
    return NULL;
}

/* A VDU as messages name it: its name, else its id. */
static const char *vdu_label(const json_t *vdu)
{
    const char *n = json_string_value(json_object_get(vdu, "name"));
    if (!n)
        n = json_string_value(json_object_get(vdu, "id"));
    return n ? n : "?";
}

static json_int_t limit_of(const json_t *vdu)
{
    return json_integer_value(json_object_get(vdu, "scale_in_out"));
}

static size_t instances_of(const json_t *vdu)
{
    return json_array_size(json_object_get(vdu, "vnfc_instance"));
}

int scale_out_vdu(const json_t *vnfr, const char *vdu_id, json_t **ret, struct pop_error *e)
{
    const json_t *vdus = json_object_get(vnfr, "vdu");
    if (vdu_id) {
        json_t *vdu = scale_by_id(vdus, vdu_id);
        if (!vdu)
            return pop_error_set(e, -ENOENT, API_NOT_FOUND, NULL, "VNF %s has no VDU with id %s",
                                 records_name(vnfr), vdu_id);
        json_int_t max = limit_of(vdu);
        if ((json_int_t)instances_of(vdu) >= max)
            return pop_error_set(e, -EBUSY, API_STATE_CONFLICT, NULL,
                                 "VDU %s of VNF %s allows at most %lld VNFC instance%s "
                                 "(scale_in_out)",
                                 vdu_label(vdu), records_name(vnfr), (long long)max,
                                 max == 1 ? "" : "s");
        *ret = vdu;
        return 0;
    }
    size_t i;
    json_t *vdu;
    json_array_foreach (vdus, i, vdu)
        if ((json_int_t)instances_of(vdu) < limit_of(vdu)) {
            *ret = vdu;
            return 0;
        }
    return pop_error_set(e, -EBUSY, API_STATE_CONFLICT, NULL,
                         "every VDU of VNF %s has its scale_in_out VNFC instances already",
                         records_name(vnfr));
}

int scale_in_pick(const json_t *vnfr, const char *vdu_id, const char *vnfc_id, json_t **ret_vdu,
                  json_t **ret_vnfc, struct pop_error *e)
{
    const json_t *vdus = json_object_get(vnfr, "vdu");
    json_t *vdu = NULL;
    if (vdu_id) {
        if (!(vdu = scale_by_id(vdus, vdu_id)))
            return pop_error_set(e, -ENOENT, API_NOT_FOUND, NULL, "VNF %s has no VDU with id %s",
                                 records_name(vnfr), vdu_id);
    } else {
        size_t i;
        json_t *v;
        json_array_foreach (vdus, i, v)
            if (instances_of(v) > 1) {
                vdu = v;
                break;
            }
        if (!vdu)
            return pop_error_set(e, -EBUSY, API_STATE_CONFLICT, NULL,
                                 "no VDU of VNF %s has more than one VNFC instance to scale in",
                                 records_name(vnfr));
    }
    const json_t *list = json_object_get(vdu, "vnfc_instance");
    json_t *vi = NULL;
    if (vnfc_id && !(vi = scale_by_id(list, vnfc_id)))
        return pop_error_set(e, -ENOENT, API_NOT_FOUND, NULL,
                             "VDU %s of VNF %s has no VNFC instance with id %s", vdu_label(vdu),
                             records_name(vnfr), vnfc_id);
    if (instances_of(vdu) < 2)
        return pop_error_set(e, -EBUSY, API_STATE_CONFLICT, NULL,
                             "VDU %s of VNF %s has %zu VNFC instance%s: scale in keeps one at "
                             "least",
                             vdu_label(vdu), records_name(vnfr), instances_of(vdu),
                             instances_of(vdu) == 1 ? "" : "s");
    if (!vi)
        vi = json_array_get(list, json_array_size(list) - 1);
    *ret_vdu = vdu;
    *ret_vnfc = vi;
    return 0;
}

static bool has_link(const json_t *nsr, const char *name)
{
    size_t i;
    json_t *vlr;
    json_array_foreach (json_object_get(nsr, "vlr"), i, vlr) {
        const char *n = json_string_value(json_object_get(vlr, "name"));
        if (n && name && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

json_t *scale_new_component(const json_t *nsr, const json_t *vdu, const json_t *given,
                            struct pop_error *e)
{
    const char *field = "vnfComponent.connection_point";
    const json_t *cps = json_object_get(given, "connection_point");
    if (!given) {
        field = "vdu.vnfc[0].connection_point";
        cps = json_object_get(json_array_get(json_object_get(vdu, "vnfc"), 0), "connection_point");
    }
    if (!json_is_array(cps) || json_array_size(cps) == 0) {
        pop_error_set(e, -EINVAL, API_INVALID_FIELD, field,
                      "%s: at least one connection point (on a virtual link of the NSR)", field);
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *cp;
    json_array_foreach (cps, i, cp) {
        const char *vl = json_string_value(json_object_get(cp, "virtual_link_reference"));
        if (!json_is_object(cp) || !vl || !has_link(nsr, vl)) {
            char at[96];
            snprintf(at, sizeof(at), "%s[%zu].virtual_link_reference", field, i);
            pop_error_set(e, -EINVAL, API_INVALID_FIELD, at,
                          "%s: %s%s%s is no virtual link of the NSR", at, vl ? "'" : "",
                          vl ? vl : "(none)", vl ? "'" : "");
            json_decref(out);
            return NULL;
        }
        json_t *c = json_deep_copy(cp);
        json_object_del(c, "id");
        json_object_del(c, "hbVersion");
        json_object_del(c, "virtual_link_reference_id");
        json_array_append_new(out, c);
    }
    return json_pack("{s:o}", "connection_point", out);
}

void scale_forget_vnfc(json_t *dep, const char *vnfc_id)
{
    const char *type;
    json_t *vp;
    json_object_foreach (json_object_get(dep, "vnfcParameters"), type, vp)
        json_object_del(json_object_get(vp, "parameters"), vnfc_id);
}

/* Removes from vnf_address one occurrence of each address of vi. */
static void drop_addresses(json_t *vnfr, const json_t *vi)
{
    json_t *addr = json_object_get(vnfr, "vnf_address");
    size_t i, j;
    json_t *ip, *a;
    json_array_foreach (json_object_get(vi, "ips"), i, ip) {
        const char *want = json_string_value(json_object_get(ip, "ip"));
        json_array_foreach (addr, j, a)
            if (want && json_string_value(a) && strcmp(json_string_value(a), want) == 0) {
                json_array_remove(addr, j);
                break;
            }
    }
}

int scale_remove_instance(json_t *vnfr, json_t *vdu, const char *vnfc_id)
{
    json_t *list = json_object_get(vdu, "vnfc_instance");
    size_t i;
    json_t *vi;
    json_array_foreach (list, i, vi) {
        const char *id = json_string_value(json_object_get(vi, "id"));
        if (!id || strcmp(id, vnfc_id) != 0)
            continue;
        const char *cid =
            json_string_value(json_object_get(json_object_get(vi, "vnfComponent"), "id"));
        json_t *comps = json_object_get(vdu, "vnfc");
        size_t k;
        json_t *c;
        json_array_foreach (comps, k, c) {
            const char *id2 = json_string_value(json_object_get(c, "id"));
            if (cid && id2 && strcmp(cid, id2) == 0) {
                json_array_remove(comps, k);
                break;
            }
        }
        drop_addresses(vnfr, vi);
        json_array_remove(list, i);
        return 0;
    }
    return -ENOENT;
}
