/* Records: the Network Service Record and its VNF records (NetworkServiceRecord,
 * VirtualNetworkFunctionRecord). A VNFM sends a VNFR back with the ids and hbVersion of the
 * VNFR, its VDUs and VNFCs as it received them; decoding keeps them, and every field it does
 * not know, so an encode sends them back. */
#pragma once

#include "catalogue/base.h"
#include "catalogue/configuration.h"
#include "catalogue/dependency.h"
#include "catalogue/descriptor.h"
#include "catalogue/lifecycle.h"
#include "catalogue/link.h"
#include "catalogue/policy.h"

/* Status, in Java ordinal order (0 = absent); an NSR's status is its VNFRs' lowest. */
enum cat_status {
    CAT_STATUS_NONE = 0,
    CAT_STATUS_ERROR,
    CAT_STATUS_NULL,
    CAT_STATUS_INITIALIZED,
    CAT_STATUS_INACTIVE,
    CAT_STATUS_SCALING,
    CAT_STATUS_ACTIVE,
    CAT_STATUS_TERMINATED,
    CAT_STATUS_RESUMING,
};

/* "ERROR", "NULL", ... or NULL for CAT_STATUS_NONE and values out of range. */
const char *cat_status_name(enum cat_status s);

struct cat_vnfr {
    struct cat_entity base;
    /* identity and routing */
    char *name;
    char *type;
    char *endpoint;
    char *vendor;
    char *version;
    char *descriptor_reference; /* the VNFD id */
    char *parent_ns_id;
    char *vnfm_id;
    char *package_id; /* "packageId" */
    /* structure */
    struct cat_vdu_vec vdu;
    struct cat_internal_vl_vec virtual_link;
    struct cat_connection_point_vec connection_point;
    json_t *connected_external_virtual_link;
    struct cat_strv vnf_address;
    char *deployment_flavour_key;
    struct cat_strv monitoring_parameter;
    struct cat_auto_scale_policy_vec auto_scale_policy;
    json_t *localization;
    /* configuration: requires and provides are Configurations here, one parameter per key */
    struct cat_configuration *configurations;
    struct cat_configuration *requires;
    struct cat_configuration *provides;
    /* lifecycle and state */
    struct cat_lifecycle_event_vec lifecycle_event;
    struct cat_history_event_vec lifecycle_event_history;
    enum cat_status status;
    json_t *notification;
    json_t *audit_log;
    json_t *runtime_policy_info;
    char *task;
    struct cat_bool cyclic_dependency; /* "cyclicDependency" */
    char *created_at;
    char *updated_at;
    json_t *extra;
};
CAT_VEC(cat_vnfr_vec, struct cat_vnfr);

struct cat_nsr {
    struct cat_entity base;
    char *name;
    char *vendor;
    char *version;
    struct cat_auto_scale_policy_vec auto_scale_policy;
    struct cat_connection_point_vec connection_point;
    struct cat_strv monitoring_parameter;
    json_t *service_deployment_flavour;
    struct cat_lifecycle_event_vec lifecycle_event;
    char *descriptor_reference; /* the NSD id */
    char *task;
    enum cat_status status;
    json_t *notification;
    struct cat_history_event_vec lifecycle_event_history;
    json_t *audit_log;
    json_t *resource_reservation;
    json_t *runtime_policy_info;
    char *created_at;
    char *updated_at;
    struct cat_vlr_vec vlr;
    struct cat_vnfr_vec vnfr;
    struct cat_vnfr_dependency_vec vnf_dependency;
    json_t *vnffgr;
    json_t *pnfr;
    json_t *fault_management_policy; /* "faultManagementPolicy" */
    struct cat_strv key_names;       /* "keyNames" */
    json_t *extra;
};

CAT_CODEC(cat_vnfr);
CAT_CODEC(cat_nsr);

/* The VNFR of nsr named name, or NULL. */
struct cat_vnfr *cat_nsr_find_vnfr(const struct cat_nsr *nsr, const char *name);
