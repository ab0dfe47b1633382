/* VirtualLinkDescriptor, InternalVirtualLink and VirtualLinkRecord field tables. */
#include "catalogue/link.h"

#include "catalogue-int.h"

static const char *const link_status_names[] = {
    "LINKDOWN",
    "NORMALOPERATION",
    "DEGRADEDOPERATION",
    "OFFLINETHROUGHMANAGEMENTACTION",
};
CAT_ENUM_NAMES_MATCH(link_status_names, CAT_LINK_OFFLINETHROUGHMANAGEMENTACTION);

#define ABSTRACT_VL_FIELDS(st)                                                                     \
    CAT_ENTITY_FIELDS(st), CAT_F("extId", st, ext_id, &cat_t_str),                                 \
        CAT_F("root_requirement", st, root_requirement, &cat_t_json),                              \
        CAT_F("leaf_requirement", st, leaf_requirement, &cat_t_json),                              \
        CAT_F("qos", st, qos, &cat_t_strv), CAT_F("test_access", st, test_access, &cat_t_strv),    \
        CAT_F("connectivity_type", st, connectivity_type, &cat_t_json),                            \
        CAT_F("name", st, name, &cat_t_str), CAT_F("cidr", st, cidr, &cat_t_str)

static const struct cat_field vld_fields[] = {
    ABSTRACT_VL_FIELDS(struct cat_vld),
    CAT_F("vendor", struct cat_vld, vendor, &cat_t_str),
    CAT_F("descriptor_version", struct cat_vld, descriptor_version, &cat_t_str),
    CAT_F("poolName", struct cat_vld, pool_name, &cat_t_str),
    CAT_F("dns", struct cat_vld, dns, &cat_t_strv),
    CAT_F("number_of_endpoints", struct cat_vld, number_of_endpoints, &cat_t_int),
    CAT_F("connection", struct cat_vld, connection, &cat_t_strv),
    CAT_F("vld_security", struct cat_vld, vld_security, &cat_t_json),
};
CAT_CLASS(cat_vld_class, "VirtualLinkDescriptor", struct cat_vld, vld_fields);

static const struct cat_field internal_vl_fields[] = {
    ABSTRACT_VL_FIELDS(struct cat_internal_vl),
    CAT_F("connection_points_references", struct cat_internal_vl, connection_points_references,
          &cat_t_strv),
};
CAT_CLASS(cat_internal_vl_class, "InternalVirtualLink", struct cat_internal_vl, internal_vl_fields);

static const struct cat_field vlr_fields[] = {
    ABSTRACT_VL_FIELDS(struct cat_vlr),
    CAT_F("vendor", struct cat_vlr, vendor, &cat_t_str),
    CAT_F("version", struct cat_vlr, version, &cat_t_str),
    CAT_F("number_of_endpoints", struct cat_vlr, number_of_endpoints, &cat_t_int),
    CAT_F("parent_ns", struct cat_vlr, parent_ns, &cat_t_str),
    CAT_F("vnffgr_reference", struct cat_vlr, vnffgr_reference, &cat_t_json),
    CAT_F("descriptor_reference", struct cat_vlr, descriptor_reference, &cat_t_str),
    CAT_F("vim_id", struct cat_vlr, vim_id, &cat_t_str),
    CAT_F("allocated_capacity", struct cat_vlr, allocated_capacity, &cat_t_json),
    CAT_F("status", struct cat_vlr, status, CAT_T_ENUM(link_status_names)),
    CAT_F("notification", struct cat_vlr, notification, &cat_t_json),
    CAT_F("lifecycle_event_history", struct cat_vlr, lifecycle_event_history, &cat_t_json),
    CAT_F("audit_log", struct cat_vlr, audit_log, &cat_t_json),
    CAT_F("connection", struct cat_vlr, connection, &cat_t_strv),
    CAT_F("dns", struct cat_vlr, dns, &cat_t_strv),
};
CAT_CLASS(cat_vlr_class, "VirtualLinkRecord", struct cat_vlr, vlr_fields);
