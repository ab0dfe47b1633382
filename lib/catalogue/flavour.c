/* DeploymentFlavour and VNFDeploymentFlavour field tables. */
#include "catalogue/flavour.h"

#include "catalogue-int.h"

#define FLAVOUR_FIELDS(st)                                                                         \
    CAT_ENTITY_FIELDS(st), CAT_F("flavour_key", st, flavour_key, &cat_t_str),                      \
        CAT_F("extId", st, ext_id, &cat_t_str), CAT_F("ram", st, ram, &cat_t_int),                 \
        CAT_F("disk", st, disk, &cat_t_int), CAT_F("vcpus", st, vcpus, &cat_t_int)

static const struct cat_field flavour_fields[] = {
    FLAVOUR_FIELDS(struct cat_flavour),
};
CAT_CLASS(cat_flavour_class, "DeploymentFlavour", struct cat_flavour, flavour_fields);

static const struct cat_field vnf_flavour_fields[] = {
    FLAVOUR_FIELDS(struct cat_vnf_flavour),
    CAT_F("df_constraint", struct cat_vnf_flavour, df_constraint, &cat_t_strv),
    CAT_F("costituent_vdu", struct cat_vnf_flavour, costituent_vdu, &cat_t_json),
};
CAT_CLASS(cat_vnf_flavour_class, "VNFDeploymentFlavour", struct cat_vnf_flavour,
          vnf_flavour_fields);
