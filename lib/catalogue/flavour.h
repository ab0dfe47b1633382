/* DeploymentFlavour (a VIM's flavours, a Server's flavor) and VNFDeploymentFlavour (a VNFD's
 * deployment_flavour). */
#pragma once

#include "catalogue/base.h"

struct cat_flavour {
    struct cat_entity base;
    char *flavour_key; /* "flavour_key" */
    char *ext_id;      /* "extId" */
    struct cat_int ram;
    struct cat_int disk;
    struct cat_int vcpus;
    json_t *extra;
};
CAT_VEC(cat_flavour_vec, struct cat_flavour);

struct cat_vnf_flavour {
    struct cat_entity base;
    char *flavour_key;
    char *ext_id;
    struct cat_int ram;
    struct cat_int disk;
    struct cat_int vcpus;
    struct cat_strv df_constraint;
    json_t *costituent_vdu; /* [{vdu_reference, number_of_instances, constituent_vnfc}], kept */
    json_t *extra;
};
CAT_VEC(cat_vnf_flavour_vec, struct cat_vnf_flavour);

CAT_CODEC(cat_flavour);
CAT_CODEC(cat_vnf_flavour);
