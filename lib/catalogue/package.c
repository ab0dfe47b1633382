/* VNFPackage and Script field tables. */
#include "catalogue/package.h"

#include "catalogue-int.h"

static const struct cat_field script_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_script),
    CAT_F("name", struct cat_script, name, &cat_t_str),
    CAT_F("payload", struct cat_script, payload, &cat_t_bytes),
};
CAT_CLASS(cat_script_class, "Script", struct cat_script, script_fields);

static const struct cat_field package_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_vnf_package),
    CAT_F("name", struct cat_vnf_package, name, &cat_t_str),
    CAT_F("nfvo_version", struct cat_vnf_package, nfvo_version, &cat_t_str),
    CAT_F("vnfPackageVersion", struct cat_vnf_package, vnf_package_version, &cat_t_str),
    CAT_F("vimTypes", struct cat_vnf_package, vim_types, &cat_t_strv),
    CAT_F("imageLink", struct cat_vnf_package, image_link, &cat_t_str),
    CAT_F("scriptsLink", struct cat_vnf_package, scripts_link, &cat_t_str),
    CAT_F("image", struct cat_vnf_package, image, CAT_T_PTR(cat_image_class)),
    CAT_F("vnfPackageMetadata", struct cat_vnf_package, vnf_package_metadata, &cat_t_json),
    CAT_F("scripts", struct cat_vnf_package, scripts,
          CAT_T_VEC(cat_script_class, struct cat_script)),
};
CAT_CLASS(cat_vnf_package_class, "VNFPackage", struct cat_vnf_package, package_fields);
