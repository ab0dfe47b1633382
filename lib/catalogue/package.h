/* VNFPackage and its scripts, as the NFVO sends them to a VNFM in INSTANTIATE and SCALE_OUT.
 * Script.payload is a Java byte[]: a JSON array of signed bytes on that channel. */
#pragma once

#include "catalogue/base.h"
#include "catalogue/image.h"

struct cat_script {
    struct cat_entity base;
    char *name;
    struct cat_bytes payload;
    json_t *extra;
};
CAT_VEC(cat_script_vec, struct cat_script);

struct cat_vnf_package {
    struct cat_entity base;
    char *name;
    char *nfvo_version;
    char *vnf_package_version; /* "vnfPackageVersion" */
    struct cat_strv vim_types; /* "vimTypes" */
    char *image_link;          /* "imageLink" */
    char *scripts_link;        /* "scriptsLink" */
    struct cat_image *image;
    json_t *vnf_package_metadata; /* "vnfPackageMetadata", kept */
    struct cat_script_vec scripts;
    json_t *extra;
};

CAT_CODEC(cat_script);
CAT_CODEC(cat_vnf_package);
