/* Virtual links: the descriptor of an NS (VirtualLinkDescriptor), a VNFD's internal one
 * (InternalVirtualLink) and the record of a deployed one (VirtualLinkRecord). All extend
 * AbstractVirtualLink. */
#pragma once

#include "catalogue/base.h"

/* The AbstractVirtualLink members, first in each of the three structs. */
#define CAT_ABSTRACT_VL_MEMBERS                                                                    \
    struct cat_entity base;                                                                        \
    char *ext_id; /* "extId": the network's id on the VIM */                                       \
    json_t *root_requirement;                                                                      \
    json_t *leaf_requirement;                                                                      \
    struct cat_strv qos;                                                                           \
    struct cat_strv test_access;                                                                   \
    json_t *connectivity_type;                                                                     \
    char *name;                                                                                    \
    char *cidr

/* VirtualLinkDescriptor (an NSD's vld). */
struct cat_vld {
    CAT_ABSTRACT_VL_MEMBERS;
    char *vendor;
    char *descriptor_version;
    char *pool_name; /* "poolName" */
    struct cat_strv dns;
    struct cat_int number_of_endpoints;
    struct cat_strv connection;
    json_t *vld_security;
    json_t *extra;
};
CAT_VEC(cat_vld_vec, struct cat_vld);

/* InternalVirtualLink (a VNFD's or VNFR's virtual_link). */
struct cat_internal_vl {
    CAT_ABSTRACT_VL_MEMBERS;
    struct cat_strv connection_points_references;
    json_t *extra;
};
CAT_VEC(cat_internal_vl_vec, struct cat_internal_vl);

enum cat_link_status {
    CAT_LINK_STATUS_NONE = 0,
    CAT_LINK_LINKDOWN,
    CAT_LINK_NORMALOPERATION,
    CAT_LINK_DEGRADEDOPERATION,
    CAT_LINK_OFFLINETHROUGHMANAGEMENTACTION,
};

/* VirtualLinkRecord (an NSR's vlr). */
struct cat_vlr {
    CAT_ABSTRACT_VL_MEMBERS;
    char *vendor;
    char *version;
    struct cat_int number_of_endpoints;
    char *parent_ns;
    json_t *vnffgr_reference;
    char *descriptor_reference;
    char *vim_id;
    json_t *allocated_capacity;
    enum cat_link_status status;
    json_t *notification;
    json_t *lifecycle_event_history;
    json_t *audit_log;
    struct cat_strv connection;
    struct cat_strv dns;
    json_t *extra;
};
CAT_VEC(cat_vlr_vec, struct cat_vlr);

CAT_CODEC(cat_vld);
CAT_CODEC(cat_internal_vl);
CAT_CODEC(cat_vlr);
