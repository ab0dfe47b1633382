/* VirtualDeploymentUnit, VNFD and NSD field tables (NFVEntityDescriptor's fields shared). */
#include "catalogue/descriptor.h"

#include <string.h>

#include "catalogue-int.h"

static const struct cat_field vdu_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_vdu),
    CAT_F("name", struct cat_vdu, name, &cat_t_str),
    CAT_F("vm_image", struct cat_vdu, vm_image, &cat_t_strv),
    CAT_F("parent_vdu", struct cat_vdu, parent_vdu, &cat_t_str),
    CAT_F("computation_requirement", struct cat_vdu, computation_requirement, &cat_t_str),
    CAT_F("virtual_memory_resource_element", struct cat_vdu, virtual_memory_resource_element,
          &cat_t_str),
    CAT_F("virtual_network_bandwidth_resource", struct cat_vdu, virtual_network_bandwidth_resource,
          &cat_t_str),
    CAT_F("lifecycle_event", struct cat_vdu, lifecycle_event,
          CAT_T_VEC(cat_lifecycle_event_class, struct cat_lifecycle_event)),
    CAT_F("vdu_constraint", struct cat_vdu, vdu_constraint, &cat_t_str),
    CAT_F("high_availability", struct cat_vdu, high_availability,
          CAT_T_PTR(cat_high_availability_class)),
    CAT_F("fault_management_policy", struct cat_vdu, fault_management_policy,
          CAT_T_VEC(cat_fault_policy_class, struct cat_fault_policy)),
    CAT_F("scale_in_out", struct cat_vdu, scale_in_out, &cat_t_int),
    CAT_F("vnfc", struct cat_vdu, vnfc,
          CAT_T_VEC(cat_vnf_component_class, struct cat_vnf_component)),
    CAT_F("vnfc_instance", struct cat_vdu, vnfc_instance,
          CAT_T_VEC(cat_vnfc_instance_class, struct cat_vnfc_instance)),
    CAT_F("monitoring_parameter", struct cat_vdu, monitoring_parameter, &cat_t_strv),
    CAT_F("hostname", struct cat_vdu, hostname, &cat_t_str),
    CAT_F("vimInstanceName", struct cat_vdu, vim_instance_name, &cat_t_strv),
};
CAT_CLASS(cat_vdu_class, "VirtualDeploymentUnit", struct cat_vdu, vdu_fields);

/* NFVEntityDescriptor: name, vendor and version are @NotNull. */
#define ENTITY_DESCRIPTOR_FIELDS(st)                                                               \
    CAT_ENTITY_FIELDS(st), CAT_F_REQ("name", st, name, &cat_t_str),                                \
        CAT_F_REQ("vendor", st, vendor, &cat_t_str),                                               \
        CAT_F_REQ("version", st, version, &cat_t_str), CAT_F("vnffgd", st, vnffgd, &cat_t_json),   \
        CAT_F("vld", st, vld, CAT_T_VEC(cat_vld_class, struct cat_vld)),                           \
        CAT_F("monitoring_parameter", st, monitoring_parameter, &cat_t_strv),                      \
        CAT_F("service_deployment_flavour", st, service_deployment_flavour,                        \
              CAT_T_VEC(cat_flavour_class, struct cat_flavour)),                                   \
        CAT_F("auto_scale_policy", st, auto_scale_policy,                                          \
              CAT_T_VEC(cat_auto_scale_policy_class, struct cat_auto_scale_policy)),               \
        CAT_F("connection_point", st, connection_point,                                            \
              CAT_T_VEC(cat_connection_point_class, struct cat_connection_point))

static const struct cat_field vnfd_fields[] = {
    ENTITY_DESCRIPTOR_FIELDS(struct cat_vnfd),
    CAT_F("lifecycle_event", struct cat_vnfd, lifecycle_event,
          CAT_T_VEC(cat_lifecycle_event_class, struct cat_lifecycle_event)),
    CAT_F("configurations", struct cat_vnfd, configurations, CAT_T_PTR(cat_configuration_class)),
    CAT_F_REQ("vdu", struct cat_vnfd, vdu, CAT_T_VEC(cat_vdu_class, struct cat_vdu)),
    CAT_F("virtual_link", struct cat_vnfd, virtual_link,
          CAT_T_VEC(cat_internal_vl_class, struct cat_internal_vl)),
    CAT_F("vdu_dependency", struct cat_vnfd, vdu_dependency, &cat_t_json),
    CAT_F("deployment_flavour", struct cat_vnfd, deployment_flavour,
          CAT_T_VEC(cat_vnf_flavour_class, struct cat_vnf_flavour)),
    CAT_F("manifest_file", struct cat_vnfd, manifest_file, &cat_t_str),
    CAT_F("manifest_file_security", struct cat_vnfd, manifest_file_security, &cat_t_json),
    CAT_F("vnfPackageLocation", struct cat_vnfd, vnf_package_location, &cat_t_str),
    CAT_F("type", struct cat_vnfd, type, &cat_t_str),
    CAT_F("endpoint", struct cat_vnfd, endpoint, &cat_t_str),
    CAT_F("requires", struct cat_vnfd, requires,
          CAT_T_MAP(cat_requires_params_class, struct cat_requires_params, cat_requires_map)),
    CAT_F("provides", struct cat_vnfd, provides, &cat_t_strv),
    CAT_F("cyclicDependency", struct cat_vnfd, cyclic_dependency, &cat_t_bool),
    CAT_F("createdAt", struct cat_vnfd, created_at, &cat_t_str),
    CAT_F("updatedAt", struct cat_vnfd, updated_at, &cat_t_str),
    CAT_F("nfvo_version", struct cat_vnfd, nfvo_version, &cat_t_str),
};
CAT_CLASS(cat_vnfd_class, "VirtualNetworkFunctionDescriptor", struct cat_vnfd, vnfd_fields);

static const struct cat_field nsd_fields[] = {
    ENTITY_DESCRIPTOR_FIELDS(struct cat_nsd),
    CAT_F_REQ("vnfd", struct cat_nsd, vnfd, CAT_T_VEC(cat_vnfd_class, struct cat_vnfd)),
    CAT_F("vnf_dependency", struct cat_nsd, vnf_dependency,
          CAT_T_VEC(cat_vnf_dependency_class, struct cat_vnf_dependency)),
    CAT_F("pnfd", struct cat_nsd, pnfd, &cat_t_json),
    CAT_F("nsd_security", struct cat_nsd, nsd_security, &cat_t_json),
    CAT_F("enabled", struct cat_nsd, enabled, &cat_t_bool),
    CAT_F("nfvo_version", struct cat_nsd, nfvo_version, &cat_t_str),
    CAT_F("createdAt", struct cat_nsd, created_at, &cat_t_str),
    CAT_F("updatedAt", struct cat_nsd, updated_at, &cat_t_str),
};
CAT_CLASS(cat_nsd_class, "NetworkServiceDescriptor", struct cat_nsd, nsd_fields);

struct cat_vnfd *cat_nsd_find_vnfd(const struct cat_nsd *nsd, const char *name)
{
    for (size_t i = 0; i < nsd->vnfd.n; i++)
        if (nsd->vnfd.v[i].name && strcmp(nsd->vnfd.v[i].name, name) == 0)
            return &nsd->vnfd.v[i];
    return NULL;
}
