/* BaseNfvImage / DockerImage / NFVImage field table; the class by content. */
#include "catalogue/image.h"

#include "catalogue-int.h"

static const char *const image_status_names[] = {
    "UNRECOGNIZED", "ACTIVE", "SAVING", "QUEUED", "KILLED", "PENDING_DELETE", "DELETED",
};
CAT_ENUM_NAMES_MATCH(image_status_names, CAT_IMAGE_DELETED);

enum cat_image_class cat_image_class_of(const struct cat_image *img)
{
    if (img->tags.set || img->tags.n)
        return CAT_IMAGE_DOCKER;
    if (img->disk_format)
        return CAT_IMAGE_NFV;
    return CAT_IMAGE_BASE;
}

static unsigned image_class(const void *obj)
{
    return cat_image_class_of(obj);
}

#define NFV CAT_IMAGE_NFV
static const struct cat_field image_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_image),
    CAT_F("extId", struct cat_image, ext_id, &cat_t_str),
    CAT_F("created", struct cat_image, created, &cat_t_date),
    CAT_F_IN("tags", struct cat_image, tags, &cat_t_strv, CAT_IMAGE_DOCKER),
    CAT_F_IN("name", struct cat_image, name, &cat_t_str, NFV),
    CAT_F_IN("minRam", struct cat_image, min_ram, &cat_t_long, NFV),
    CAT_F_IN("minDiskSpace", struct cat_image, min_disk_space, &cat_t_long, NFV),
    CAT_F_IN("minCPU", struct cat_image, min_cpu, &cat_t_str, NFV),
    CAT_F_IN("isPublic", struct cat_image, is_public, &cat_t_bool, NFV),
    CAT_F_IN("diskFormat", struct cat_image, disk_format, &cat_t_str, NFV),
    CAT_F_IN("containerFormat", struct cat_image, container_format, &cat_t_str, NFV),
    CAT_F_IN("url", struct cat_image, url, &cat_t_str, NFV),
    CAT_F_IN("isInImageRepo", struct cat_image, is_in_image_repo, &cat_t_bool, NFV),
    CAT_F_IN("updated", struct cat_image, updated, &cat_t_date, NFV),
    CAT_F_IN("status", struct cat_image, status, CAT_T_ENUM(image_status_names), NFV),
};
CAT_CLASS_POLY(cat_image_class, "BaseNfvImage", struct cat_image, image_fields, image_class);
