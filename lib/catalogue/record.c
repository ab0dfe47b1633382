/* VirtualNetworkFunctionRecord and NetworkServiceRecord field tables, and the Status names. */
#include "catalogue/record.h"

#include <string.h>

#include "catalogue-int.h"

static const char *const status_names[] = {
    "ERROR", "NULL", "INITIALIZED", "INACTIVE", "SCALING", "ACTIVE", "TERMINATED", "RESUMING",
};
CAT_ENUM_NAMES_MATCH(status_names, CAT_STATUS_RESUMING);

const char *cat_status_name(enum cat_status s)
{
    if (s < 1 || s > CAT_STATUS_RESUMING)
        return NULL;
    return status_names[s - 1];
}

#define HISTORY_VEC CAT_T_VEC(cat_history_event_class, struct cat_history_event)
#define LIFECYCLE_VEC CAT_T_VEC(cat_lifecycle_event_class, struct cat_lifecycle_event)
#define ASP_VEC CAT_T_VEC(cat_auto_scale_policy_class, struct cat_auto_scale_policy)
#define CP_VEC CAT_T_VEC(cat_connection_point_class, struct cat_connection_point)

static const struct cat_field vnfr_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_vnfr),
    CAT_F("name", struct cat_vnfr, name, &cat_t_str),
    CAT_F("type", struct cat_vnfr, type, &cat_t_str),
    CAT_F("endpoint", struct cat_vnfr, endpoint, &cat_t_str),
    CAT_F("vendor", struct cat_vnfr, vendor, &cat_t_str),
    CAT_F("version", struct cat_vnfr, version, &cat_t_str),
    CAT_F("descriptor_reference", struct cat_vnfr, descriptor_reference, &cat_t_str),
    CAT_F("parent_ns_id", struct cat_vnfr, parent_ns_id, &cat_t_str),
    CAT_F("vnfm_id", struct cat_vnfr, vnfm_id, &cat_t_str),
    CAT_F("packageId", struct cat_vnfr, package_id, &cat_t_str),
    CAT_F("vdu", struct cat_vnfr, vdu, CAT_T_VEC(cat_vdu_class, struct cat_vdu)),
    CAT_F("virtual_link", struct cat_vnfr, virtual_link,
          CAT_T_VEC(cat_internal_vl_class, struct cat_internal_vl)),
    CAT_F("connection_point", struct cat_vnfr, connection_point, CP_VEC),
    CAT_F("connected_external_virtual_link", struct cat_vnfr, connected_external_virtual_link,
          &cat_t_json),
    CAT_F("vnf_address", struct cat_vnfr, vnf_address, &cat_t_strv),
    CAT_F("deployment_flavour_key", struct cat_vnfr, deployment_flavour_key, &cat_t_str),
    CAT_F("monitoring_parameter", struct cat_vnfr, monitoring_parameter, &cat_t_strv),
    CAT_F("auto_scale_policy", struct cat_vnfr, auto_scale_policy, ASP_VEC),
    CAT_F("localization", struct cat_vnfr, localization, &cat_t_json),
    CAT_F("configurations", struct cat_vnfr, configurations, CAT_T_PTR(cat_configuration_class)),
    CAT_F("requires", struct cat_vnfr, requires, CAT_T_PTR(cat_configuration_class)),
    CAT_F("provides", struct cat_vnfr, provides, CAT_T_PTR(cat_configuration_class)),
    CAT_F("lifecycle_event", struct cat_vnfr, lifecycle_event, LIFECYCLE_VEC),
    CAT_F("lifecycle_event_history", struct cat_vnfr, lifecycle_event_history, HISTORY_VEC),
    CAT_F("status", struct cat_vnfr, status, CAT_T_ENUM(status_names)),
    CAT_F("notification", struct cat_vnfr, notification, &cat_t_json),
    CAT_F("audit_log", struct cat_vnfr, audit_log, &cat_t_json),
    CAT_F("runtime_policy_info", struct cat_vnfr, runtime_policy_info, &cat_t_json),
    CAT_F("task", struct cat_vnfr, task, &cat_t_str),
    CAT_F("cyclicDependency", struct cat_vnfr, cyclic_dependency, &cat_t_bool),
    CAT_F("createdAt", struct cat_vnfr, created_at, &cat_t_str),
    CAT_F("updatedAt", struct cat_vnfr, updated_at, &cat_t_str),
};
CAT_CLASS(cat_vnfr_class, "VirtualNetworkFunctionRecord", struct cat_vnfr, vnfr_fields);

static const struct cat_field nsr_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_nsr),
    CAT_F("name", struct cat_nsr, name, &cat_t_str),
    CAT_F("vendor", struct cat_nsr, vendor, &cat_t_str),
    CAT_F("version", struct cat_nsr, version, &cat_t_str),
    CAT_F("auto_scale_policy", struct cat_nsr, auto_scale_policy, ASP_VEC),
    CAT_F("connection_point", struct cat_nsr, connection_point, CP_VEC),
    CAT_F("monitoring_parameter", struct cat_nsr, monitoring_parameter, &cat_t_strv),
    CAT_F("service_deployment_flavour", struct cat_nsr, service_deployment_flavour, &cat_t_json),
    CAT_F("lifecycle_event", struct cat_nsr, lifecycle_event, LIFECYCLE_VEC),
    CAT_F("descriptor_reference", struct cat_nsr, descriptor_reference, &cat_t_str),
    CAT_F("task", struct cat_nsr, task, &cat_t_str),
    CAT_F("status", struct cat_nsr, status, CAT_T_ENUM(status_names)),
    CAT_F("notification", struct cat_nsr, notification, &cat_t_json),
    CAT_F("lifecycle_event_history", struct cat_nsr, lifecycle_event_history, HISTORY_VEC),
    CAT_F("audit_log", struct cat_nsr, audit_log, &cat_t_json),
    CAT_F("resource_reservation", struct cat_nsr, resource_reservation, &cat_t_json),
    CAT_F("runtime_policy_info", struct cat_nsr, runtime_policy_info, &cat_t_json),
    CAT_F("createdAt", struct cat_nsr, created_at, &cat_t_str),
    CAT_F("updatedAt", struct cat_nsr, updated_at, &cat_t_str),
    CAT_F("vlr", struct cat_nsr, vlr, CAT_T_VEC(cat_vlr_class, struct cat_vlr)),
    CAT_F("vnfr", struct cat_nsr, vnfr, CAT_T_VEC(cat_vnfr_class, struct cat_vnfr)),
    CAT_F("vnf_dependency", struct cat_nsr, vnf_dependency,
          CAT_T_VEC(cat_vnfr_dependency_class, struct cat_vnfr_dependency)),
    CAT_F("vnffgr", struct cat_nsr, vnffgr, &cat_t_json),
    CAT_F("pnfr", struct cat_nsr, pnfr, &cat_t_json),
    CAT_F("faultManagementPolicy", struct cat_nsr, fault_management_policy, &cat_t_json),
    CAT_F("keyNames", struct cat_nsr, key_names, &cat_t_strv),
};
CAT_CLASS(cat_nsr_class, "NetworkServiceRecord", struct cat_nsr, nsr_fields);

struct cat_vnfr *cat_nsr_find_vnfr(const struct cat_nsr *nsr, const char *name)
{
    for (size_t i = 0; i < nsr->vnfr.n; i++)
        if (nsr->vnfr.v[i].name && strcmp(nsr->vnfr.v[i].name, name) == 0)
            return &nsr->vnfr.v[i];
    return NULL;
}
