/* VNFDependency, RequiresParameters and the VNFRecordDependency family field tables. */
#include "catalogue/dependency.h"

#include "catalogue-int.h"

static const struct cat_field vnf_dependency_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_vnf_dependency),
    CAT_F_REQ("source", struct cat_vnf_dependency, source, &cat_t_refname),
    CAT_F("source_id", struct cat_vnf_dependency, source_id, &cat_t_str),
    CAT_F_REQ("target", struct cat_vnf_dependency, target, &cat_t_refname),
    CAT_F("target_id", struct cat_vnf_dependency, target_id, &cat_t_str),
    CAT_F("parameters", struct cat_vnf_dependency, parameters, &cat_t_strv),
};
CAT_CLASS(cat_vnf_dependency_class, "VNFDependency", struct cat_vnf_dependency,
          vnf_dependency_fields);

static const struct cat_field requires_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_requires_params),
    CAT_F("parameters", struct cat_requires_params, parameters, &cat_t_strv),
};
CAT_CLASS(cat_requires_params_class, "RequiresParameters", struct cat_requires_params,
          requires_fields);

static const struct cat_field dep_params_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_dep_params),
    CAT_F("parameters", struct cat_dep_params, parameters, &cat_t_strmap),
};
CAT_CLASS(cat_dep_params_class, "DependencyParameters", struct cat_dep_params, dep_params_fields);

#define DEP_PARAMS_MAP CAT_T_MAP(cat_dep_params_class, struct cat_dep_params, cat_dep_params_map)

static const struct cat_field vnfc_dep_params_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_vnfc_dep_params),
    CAT_F("vnfcId", struct cat_vnfc_dep_params, vnfc_id, &cat_t_str),
    CAT_F("parameters", struct cat_vnfc_dep_params, parameters, DEP_PARAMS_MAP),
};
CAT_CLASS(cat_vnfc_dep_params_class, "VNFCDependencyParameters", struct cat_vnfc_dep_params,
          vnfc_dep_params_fields);

static const struct cat_field vnfr_dependency_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_vnfr_dependency),
    CAT_F("target", struct cat_vnfr_dependency, target, &cat_t_str),
    CAT_F("parameters", struct cat_vnfr_dependency, parameters, DEP_PARAMS_MAP),
    CAT_F(
        "vnfcParameters", struct cat_vnfr_dependency, vnfc_parameters,
        CAT_T_MAP(cat_vnfc_dep_params_class, struct cat_vnfc_dep_params, cat_vnfc_dep_params_map)),
    CAT_F("idType", struct cat_vnfr_dependency, id_type, &cat_t_strmap),
};
CAT_CLASS(cat_vnfr_dependency_class, "VNFRecordDependency", struct cat_vnfr_dependency,
          vnfr_dependency_fields);
