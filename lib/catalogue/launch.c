/* A launched VNF component as NFVO 6's GenericVIM makes it (launch.h). */
#include "catalogue/launch.h"

#include <stdio.h>

void cat_launch_hostname(const char *vnfr_name, uint32_t rnd, char *buf, size_t size)
{
    snprintf(buf, size, "%s-%u", vnfr_name ? vnfr_name : "", rnd % 10000000u);
}

json_t *cat_launch_params(const json_t *vim, const char *hostname, const json_t *vdu,
                          const json_t *component)
{
    const json_t *image = json_array_get(json_object_get(vdu, "vm_image"), 0);
    const json_t *cps = json_object_get(component, "connection_point");
    return json_pack("[O, s, O, s, s, O, [], s, {}, []]", vim, hostname,
                     image ? image : json_null(), "", "", cps ? cps : json_null(), "");
}

/* An entity: {"id", "hbVersion": 0} when new_id is given, else {}. */
static json_t *entity(json_t *(*new_id)(void))
{
    if (!new_id)
        return json_object();
    return json_pack("{s:o, s:i}", "id", new_id(), "hbVersion", 0);
}

/* obj[key] as an array, made when it is not one. */
static json_t *array_at(json_t *obj, const char *key)
{
    json_t *a = json_object_get(obj, key);
    if (json_is_array(a))
        return a;
    a = json_array();
    return a && json_object_set_new(obj, key, a) == 0 ? a : NULL;
}

/* One entity made of new_id and the members of more (stolen). */
static json_t *with(json_t *(*new_id)(void), json_t *more)
{
    json_t *o = entity(new_id);
    if (!o || !more || json_object_update(o, more) < 0) {
        json_decref(o);
        json_decref(more);
        return NULL;
    }
    json_decref(more);
    return o;
}

static int append(json_t *array, json_t *v)
{
    return v && array && json_array_append_new(array, v) == 0 ? 0 : -1;
}

json_t *cat_launch_add_instance(json_t *vnfr, json_t *vdu, const json_t *component,
                                const json_t *server, const char *vim_id, const char *hostname,
                                json_t *(*new_id)(void))
{
    json_t *instances = array_at(vdu, "vnfc_instance");
    json_t *addr = array_at(vnfr, "vnf_address");
    json_t *ips = json_array(), *cps = json_array();
    if (!instances || !addr || !ips || !cps)
        goto fail;
    const char *net;
    json_t *list;
    json_object_foreach ((json_t *)json_object_get(server, "ips"), net, list) {
        json_t *first = json_array_get(list, 0);
        if (append(ips, with(new_id, json_pack("{s:s, s:O}", "netName", net, "ip",
                                               first ? first : json_null()))) < 0)
            goto fail;
        size_t i;
        json_t *ip;
        json_array_foreach (list, i, ip)
            if (json_array_append(addr, ip) < 0)
                goto fail;
    }
    size_t i;
    json_t *cp;
    json_array_foreach (json_object_get(component, "connection_point"), i, cp) {
        const json_t *vl = json_object_get(cp, "virtual_link_reference");
        if (append(cps, with(new_id, json_pack("{s:O, s:s}", "virtual_link_reference",
                                               vl ? vl : json_null(), "type", "internal"))) < 0)
            goto fail;
    }
    const json_t *ext = json_object_get(server, "extId");
    const json_t *status = json_object_get(server, "status");
    json_t *vi =
        with(new_id, json_pack("{s:O, s:s*, s:s, s:O, s:o, s:[], s:o, s:O}", "vc_id",
                               ext ? ext : json_null(), "vim_id", vim_id, "hostname", hostname,
                               "state", status ? status : json_null(), "ips", ips, "floatingIps",
                               "connection_point", cps, "vnfComponent", component));
    if (append(instances, vi) < 0)
        return NULL;
    return vi;
fail:
    json_decref(ips);
    json_decref(cps);
    return NULL;
}
