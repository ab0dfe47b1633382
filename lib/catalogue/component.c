/* VNFDConnectionPoint, VNFComponent, Ip and VNFCInstance field tables. */
#include "catalogue/component.h"

#include <string.h>

#include "catalogue-int.h"

static const struct cat_field cp_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_connection_point),
    CAT_F("type", struct cat_connection_point, type, &cat_t_str),
    CAT_F_REQ("virtual_link_reference", struct cat_connection_point, virtual_link_reference,
              &cat_t_str),
    CAT_F("floatingIp", struct cat_connection_point, floating_ip, &cat_t_str),
    CAT_F("virtual_link_reference_id", struct cat_connection_point, virtual_link_reference_id,
          &cat_t_str),
    CAT_F("fixedIp", struct cat_connection_point, fixed_ip, &cat_t_str),
    CAT_F("chosenPool", struct cat_connection_point, chosen_pool, &cat_t_str),
    CAT_F("interfaceId", struct cat_connection_point, interface_id, &cat_t_int),
};
CAT_CLASS(cat_connection_point_class, "VNFDConnectionPoint", struct cat_connection_point,
          cp_fields);

#define CP_VEC CAT_T_VEC(cat_connection_point_class, struct cat_connection_point)

static const struct cat_field vnfc_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_vnf_component),
    CAT_F_REQ("connection_point", struct cat_vnf_component, connection_point, CP_VEC),
};
CAT_CLASS(cat_vnf_component_class, "VNFComponent", struct cat_vnf_component, vnfc_fields);

static const struct cat_field ip_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_ip),
    CAT_F("netName", struct cat_ip, net_name, &cat_t_str),
    CAT_F("ip", struct cat_ip, ip, &cat_t_str),
};
CAT_CLASS(cat_ip_class, "Ip", struct cat_ip, ip_fields);

static const struct cat_field vnfc_instance_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_vnfc_instance),
    CAT_F("connection_point", struct cat_vnfc_instance, connection_point, CP_VEC),
    CAT_F("vim_id", struct cat_vnfc_instance, vim_id, &cat_t_str),
    CAT_F("vc_id", struct cat_vnfc_instance, vc_id, &cat_t_str),
    CAT_F("hostname", struct cat_vnfc_instance, hostname, &cat_t_str),
    CAT_F("state", struct cat_vnfc_instance, state, &cat_t_str),
    CAT_F("vnfComponent", struct cat_vnfc_instance, vnf_component,
          CAT_T_PTR(cat_vnf_component_class)),
    CAT_F("floatingIps", struct cat_vnfc_instance, floating_ips,
          CAT_T_VEC(cat_ip_class, struct cat_ip)),
    CAT_F("ips", struct cat_vnfc_instance, ips, CAT_T_VEC(cat_ip_class, struct cat_ip)),
};
CAT_CLASS(cat_vnfc_instance_class, "VNFCInstance", struct cat_vnfc_instance, vnfc_instance_fields);

const char *cat_vnfc_instance_ip(const struct cat_vnfc_instance *vi, const char *net_name)
{
    for (size_t i = 0; i < vi->ips.n; i++)
        if (vi->ips.v[i].net_name && strcmp(vi->ips.v[i].net_name, net_name) == 0)
            return vi->ips.v[i].ip;
    return NULL;
}
