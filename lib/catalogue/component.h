/* The VNF component family: connection points, the component of a VDU, and the running
 * instance of it (VNFCInstance) with its addresses. */
#pragma once

#include "catalogue/base.h"

/* VNFDConnectionPoint (ConnectionPoint's `type` included). */
struct cat_connection_point {
    struct cat_entity base;
    char *type;
    char *virtual_link_reference;    /* the virtual link's name, @NotNull */
    char *floating_ip;               /* "floatingIp": "random" or an address */
    char *virtual_link_reference_id; /* the network's extId, set by the NFVO at grant */
    char *fixed_ip;                  /* "fixedIp" */
    char *chosen_pool;               /* "chosenPool" */
    struct cat_int interface_id;     /* "interfaceId" */
    json_t *extra;
};
CAT_VEC(cat_connection_point_vec, struct cat_connection_point);

/* VNFComponent */
struct cat_vnf_component {
    struct cat_entity base;
    struct cat_connection_point_vec connection_point; /* @NotNull */
    json_t *extra;
};
CAT_VEC(cat_vnf_component_vec, struct cat_vnf_component);

/* Ip: one address of a VNFC instance on one network. */
struct cat_ip {
    struct cat_entity base;
    char *net_name; /* "netName" */
    char *ip;
    json_t *extra;
};
CAT_VEC(cat_ip_vec, struct cat_ip);

/* VNFCInstance: a VNFComponent that runs somewhere. */
struct cat_vnfc_instance {
    struct cat_entity base;
    struct cat_connection_point_vec connection_point;
    char *vim_id;
    char *vc_id; /* the Server's extId */
    char *hostname;
    char *state; /* "ACTIVE", "INACTIVE", "standby", "failed", "ERROR" or a Server status */
    struct cat_vnf_component *vnf_component; /* "vnfComponent" */
    struct cat_ip_vec floating_ips;          /* "floatingIps" */
    struct cat_ip_vec ips;
    json_t *extra;
};
CAT_VEC(cat_vnfc_instance_vec, struct cat_vnfc_instance);

CAT_CODEC(cat_connection_point);
CAT_CODEC(cat_vnf_component);
CAT_CODEC(cat_ip);
CAT_CODEC(cat_vnfc_instance);

/* The address of a VNFC instance on network net_name, or NULL. */
const char *cat_vnfc_instance_ip(const struct cat_vnfc_instance *vi, const char *net_name);
