/* BaseNfvImage and its classes (DockerImage, NFVImage): what a VIM driver answers for
 * listImages and refresh, and what `vm_image` of a VDU is matched against. */
#pragma once

#include "catalogue/base.h"

enum cat_image_class {
    CAT_IMAGE_BASE = 1u << 0,   /* BaseNfvImage: extId, created */
    CAT_IMAGE_DOCKER = 1u << 1, /* DockerImage: has `tags` */
    CAT_IMAGE_NFV = 1u << 2,    /* NFVImage: has `diskFormat` */
};

enum cat_image_status {
    CAT_IMAGE_STATUS_NONE = 0,
    CAT_IMAGE_UNRECOGNIZED,
    CAT_IMAGE_ACTIVE,
    CAT_IMAGE_SAVING,
    CAT_IMAGE_QUEUED,
    CAT_IMAGE_KILLED,
    CAT_IMAGE_PENDING_DELETE,
    CAT_IMAGE_DELETED,
};

struct cat_image {
    struct cat_entity base;
    char *ext_id; /* "extId": what a Generic VIM matches `vm_image` against */
    struct cat_date created;
    /* DockerImage: a Docker VIM matches `vm_image` against these */
    struct cat_strv tags;
    /* NFVImage */
    char *name;             /* OpenStack matches `vm_image` against it; BaseNfvImage has none */
    struct cat_int min_ram; /* "minRam", a Java long */
    struct cat_int min_disk_space; /* "minDiskSpace", a Java long */
    char *min_cpu;                 /* "minCPU" */
    struct cat_bool is_public;     /* "isPublic" */
    char *disk_format;             /* "diskFormat" */
    char *container_format;        /* "containerFormat" */
    char *url;
    struct cat_bool is_in_image_repo; /* "isInImageRepo" */
    struct cat_date updated;
    enum cat_image_status status;
    json_t *extra;
};
CAT_VEC(cat_image_vec, struct cat_image);

CAT_CODEC(cat_image);

/* DockerImage when `tags` is set, else NFVImage when `diskFormat` is set, else BaseNfvImage. */
enum cat_image_class cat_image_class_of(const struct cat_image *img);
