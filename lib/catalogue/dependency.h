/* Dependencies between VNFs: the descriptor's (VNFDependency, a VNFD's `requires`) and the
 * record the NFVO fills with the sources' values (VNFRecordDependency, §4.2, §5). */
#pragma once

#include "catalogue/base.h"

/* VNFDependency: `target` needs `parameters` of `source` (both VNFD names). Open Baton 3.2
 * wrote source and target as objects ({"name": ...}); both forms are read, the 6.0 string form
 * is written. */
struct cat_vnf_dependency {
    struct cat_entity base;
    char *source; /* @NotNull */
    char *source_id;
    char *target; /* @NotNull */
    char *target_id;
    struct cat_strv parameters;
    json_t *extra;
};
CAT_VEC(cat_vnf_dependency_vec, struct cat_vnf_dependency);

/* RequiresParameters: the value of a VNFD's requires map, {sourceVnfdName: {parameters}}. */
struct cat_requires_params {
    struct cat_entity base;
    struct cat_strv parameters;
    json_t *extra;
};
CAT_MAP(cat_requires_map, struct cat_requires_params);

/* DependencyParameters: {parameters: {key: value}}. */
struct cat_dep_params {
    struct cat_entity base;
    struct cat_strmap parameters;
    json_t *extra;
};
CAT_MAP(cat_dep_params_map, struct cat_dep_params);

/* VNFCDependencyParameters: {vnfcId?, parameters: {vnfcInstanceId: DependencyParameters}}. */
struct cat_vnfc_dep_params {
    struct cat_entity base;
    char *vnfc_id; /* "vnfcId" */
    struct cat_dep_params_map parameters;
    json_t *extra;
};
CAT_MAP(cat_vnfc_dep_params_map, struct cat_vnfc_dep_params);

/* VNFRecordDependency: what `target` (a VNFR name) receives from its sources, per source type. */
struct cat_vnfr_dependency {
    struct cat_entity base;
    char *target;
    struct cat_dep_params_map parameters;           /* {sourceType: DependencyParameters} */
    struct cat_vnfc_dep_params_map vnfc_parameters; /* "vnfcParameters" {sourceType: ...} */
    struct cat_strmap id_type;                      /* "idType" {sourceVnfrName: sourceType} */
    json_t *extra;
};
CAT_VEC(cat_vnfr_dependency_vec, struct cat_vnfr_dependency);

CAT_CODEC(cat_vnf_dependency);
CAT_CODEC(cat_requires_params);
CAT_CODEC(cat_dep_params);
CAT_CODEC(cat_vnfc_dep_params);
CAT_CODEC(cat_vnfr_dependency);
