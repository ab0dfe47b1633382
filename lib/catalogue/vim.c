/* BaseVimInstance and its classes: the field table, the class by `type`, credentials from the
 * fields or the authUrl userinfo, and Open Baton's image matching. */
#include "catalogue/vim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue-int.h"
#include "core/cleanup.h"
#include "core/parse.h"

static const struct cat_field location_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_location),
    CAT_F("name", struct cat_location, name, &cat_t_str),
    CAT_F("latitude", struct cat_location, latitude, &cat_t_str),
    CAT_F("longitude", struct cat_location, longitude, &cat_t_str),
};
CAT_CLASS(cat_location_class, "Location", struct cat_location, location_fields);

enum cat_vim_class cat_vim_class_of(const struct cat_vim *v)
{
    if (!v->type)
        return CAT_VIM_GENERIC;
    /* "a.b" is looked up by "a" */
    size_t n = strcspn(v->type, ".");
    if (n == 9 && strncmp(v->type, "openstack", n) == 0)
        return CAT_VIM_OPENSTACK;
    if (n == 6 && strncmp(v->type, "docker", n) == 0)
        return CAT_VIM_DOCKER;
    if (n == 6 && strncmp(v->type, "amazon", n) == 0)
        return CAT_VIM_AMAZON;
    return CAT_VIM_GENERIC;
}

static unsigned vim_class(const void *obj)
{
    return cat_vim_class_of(obj);
}

#define OS CAT_VIM_OPENSTACK
#define DK CAT_VIM_DOCKER
#define AM CAT_VIM_AMAZON
#define VIM_F(json, member, type, classes) CAT_F_IN(json, struct cat_vim, member, type, classes)
static const struct cat_field vim_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_vim),
    CAT_F_REQ("name", struct cat_vim, name, &cat_t_str),
    CAT_F_REQ("authUrl", struct cat_vim, auth_url, &cat_t_str),
    CAT_F("type", struct cat_vim, type, &cat_t_str),
    CAT_F("active", struct cat_vim, active, &cat_t_bool),
    CAT_F("location", struct cat_vim, location, CAT_T_PTR(cat_location_class)),
    CAT_F("images", struct cat_vim, images, CAT_T_VEC(cat_image_class, struct cat_image)),
    CAT_F("networks", struct cat_vim, networks, CAT_T_VEC(cat_network_class, struct cat_network)),
    VIM_F("tenant", tenant, &cat_t_str, OS),
    VIM_F("domain", domain, &cat_t_str, OS),
    {.name = "username",
     .off = offsetof(struct cat_vim, username),
     .type = &cat_t_str,
     .classes = OS,
     .required = true},
    {.name = "password",
     .off = offsetof(struct cat_vim, password),
     .type = &cat_t_str,
     .classes = OS,
     .required = true},
    VIM_F("keyPair", key_pair, &cat_t_str, OS | AM),
    VIM_F("securityGroups", security_groups, &cat_t_strv, OS | AM),
    VIM_F("openstackSslCertificate", openstack_ssl_certificate, &cat_t_str, OS),
    VIM_F("keys", keys, CAT_T_VEC(cat_key_class, struct cat_key), OS),
    VIM_F("flavours", flavours, CAT_T_VEC(cat_flavour_class, struct cat_flavour), OS | AM),
    VIM_F("zones", zones, &cat_t_json, OS),
    VIM_F("ca", ca, &cat_t_str, DK),
    VIM_F("dockerKey", docker_key, &cat_t_str, DK),
    VIM_F("cert", cert, &cat_t_str, DK),
    {.name = "accessKey",
     .off = offsetof(struct cat_vim, access_key),
     .type = &cat_t_str,
     .classes = AM,
     .required = true},
    {.name = "secretKey",
     .off = offsetof(struct cat_vim, secret_key),
     .type = &cat_t_str,
     .classes = AM,
     .required = true},
    VIM_F("vpcName", vpc_name, &cat_t_str, AM),
    VIM_F("vpcId", vpc_id, &cat_t_str, AM),
    VIM_F("region", region, &cat_t_str, AM),
};
CAT_CLASS_POLY(cat_vim_class, "BaseVimInstance", struct cat_vim, vim_fields, vim_class);

int cat_vim_credentials(const struct cat_vim *v, char **ret_url, char **ret_user,
                        char **ret_password)
{
    if (!v->auth_url)
        return -EINVAL;
    const char *url = v->auth_url;
    const char *scheme_end = strstr(url, "://");
    const char *auth = scheme_end ? scheme_end + 3 : NULL;
    const char *at = NULL;
    if (auth) {
        size_t auth_len = strcspn(auth, "/?#");
        for (const char *p = auth; p < auth + auth_len; p++)
            if (*p == '@')
                at = p; /* the last '@' ends the userinfo */
    }
    _cleanup_free_ char *clean = NULL, *user = NULL, *password = NULL;
    if (at) {
        size_t head = (size_t)(auth - url), tail = strlen(at + 1);
        clean = malloc(head + tail + 1);
        if (!clean)
            return -ENOMEM;
        memcpy(clean, url, head);
        memcpy(clean + head, at + 1, tail + 1);
    } else if (!(clean = strdup(url))) {
        return -ENOMEM;
    }
    if (v->username) {
        if (!(user = strdup(v->username)) || (v->password && !(password = strdup(v->password))))
            return -ENOMEM;
    } else if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        size_t ulen = colon ? (size_t)(colon - auth) : (size_t)(at - auth);
        int r = parse_percent_decode(auth, ulen, &user);
        if (r < 0)
            return r;
        if (colon && (r = parse_percent_decode(colon + 1, (size_t)(at - colon - 1), &password)) < 0)
            return r;
    }
    *ret_url = TAKE_PTR(clean);
    *ret_user = TAKE_PTR(user);
    *ret_password = TAKE_PTR(password);
    return 0;
}

static bool image_active(const struct cat_image *img)
{
    return img->status == CAT_IMAGE_STATUS_NONE || img->status == CAT_IMAGE_ACTIVE;
}

const struct cat_image *cat_vim_find_image(const struct cat_vim *v, const char *vm_image)
{
    enum cat_vim_class cls = cat_vim_class_of(v);
    for (size_t i = 0; i < v->images.n; i++) {
        const struct cat_image *img = &v->images.v[i];
        if (!image_active(img))
            continue;
        bool match;
        if (cls == CAT_VIM_DOCKER)
            match = cat_strv_contains(&img->tags, vm_image);
        else if (cls == CAT_VIM_OPENSTACK)
            match = img->name && strcmp(img->name, vm_image) == 0;
        else
            match = img->ext_id && strcmp(img->ext_id, vm_image) == 0;
        if (match)
            return img;
    }
    return NULL;
}
