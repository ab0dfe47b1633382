/* Descriptors: the Network Service Descriptor, its VNF descriptors and their virtual
 * deployment units (NFVEntityDescriptor, NetworkServiceDescriptor,
 * VirtualNetworkFunctionDescriptor, VirtualDeploymentUnit). */
#pragma once

#include "catalogue/base.h"
#include "catalogue/component.h"
#include "catalogue/configuration.h"
#include "catalogue/dependency.h"
#include "catalogue/flavour.h"
#include "catalogue/lifecycle.h"
#include "catalogue/link.h"
#include "catalogue/policy.h"

/* VirtualDeploymentUnit: in a VNFD the template of its VNFCs; in a VNFR also the instances. */
struct cat_vdu {
    struct cat_entity base;
    char *name;
    struct cat_strv vm_image;
    char *parent_vdu;              /* in a VNFR: the id of the VNFD's VDU */
    char *computation_requirement; /* a flavour name */
    char *virtual_memory_resource_element;
    char *virtual_network_bandwidth_resource;
    struct cat_lifecycle_event_vec lifecycle_event;
    char *vdu_constraint;
    struct cat_high_availability *high_availability;
    struct cat_fault_policy_vec fault_management_policy;
    struct cat_int scale_in_out; /* the most VNFC instances this VDU may have */
    struct cat_vnf_component_vec vnfc;
    struct cat_vnfc_instance_vec vnfc_instance;
    struct cat_strv monitoring_parameter;
    char *hostname;
    struct cat_strv vim_instance_name; /* "vimInstanceName": VIM names, "name:az" allowed */
    json_t *extra;
};
CAT_VEC(cat_vdu_vec, struct cat_vdu);

/* The NFVEntityDescriptor members, first in an NSD and a VNFD. */
#define CAT_ENTITY_DESCRIPTOR_MEMBERS                                                              \
    struct cat_entity base;                                                                        \
    char *name;                                                                                    \
    char *vendor;                                                                                  \
    char *version;                                                                                 \
    json_t *vnffgd;                                                                                \
    struct cat_vld_vec vld;                                                                        \
    struct cat_strv monitoring_parameter;                                                          \
    struct cat_flavour_vec service_deployment_flavour;                                             \
    struct cat_auto_scale_policy_vec auto_scale_policy;                                            \
    struct cat_connection_point_vec connection_point

struct cat_vnfd {
    CAT_ENTITY_DESCRIPTOR_MEMBERS;
    struct cat_lifecycle_event_vec lifecycle_event;
    struct cat_configuration *configurations;
    struct cat_vdu_vec vdu;
    struct cat_internal_vl_vec virtual_link;
    json_t *vdu_dependency;
    struct cat_vnf_flavour_vec deployment_flavour;
    char *manifest_file;
    json_t *manifest_file_security;
    char *vnf_package_location;       /* "vnfPackageLocation" */
    char *type;                       /* the VNF type: the key of dependency maps */
    char *endpoint;                   /* the VNFM type that manages it */
    struct cat_requires_map requires; /* {sourceVnfdName: {parameters}} */
    struct cat_strv provides;
    struct cat_bool cyclic_dependency; /* "cyclicDependency" */
    char *created_at;                  /* "createdAt", text set by the NFVO */
    char *updated_at;                  /* "updatedAt" */
    char *nfvo_version;
    json_t *extra;
};
CAT_VEC(cat_vnfd_vec, struct cat_vnfd);

struct cat_nsd {
    CAT_ENTITY_DESCRIPTOR_MEMBERS;
    struct cat_vnfd_vec vnfd; /* @NotNull */
    struct cat_vnf_dependency_vec vnf_dependency;
    json_t *pnfd;
    json_t *nsd_security;
    struct cat_bool enabled;
    char *nfvo_version;
    char *created_at;
    char *updated_at;
    json_t *extra;
};

CAT_CODEC(cat_vdu);
CAT_CODEC(cat_vnfd);
CAT_CODEC(cat_nsd);

/* The VNFD of nsd named name, or NULL. */
struct cat_vnfd *cat_nsd_find_vnfd(const struct cat_nsd *nsd, const char *name);
