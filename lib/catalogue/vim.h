/* The VIM instance (BaseVimInstance and its Generic, OpenStack, Docker and Amazon classes),
 * parameter 0 of every plugin call, and its location. */
#pragma once

#include "catalogue/base.h"
#include "catalogue/flavour.h"
#include "catalogue/image.h"
#include "catalogue/key.h"
#include "catalogue/network.h"

/* The Java class Open Baton picks by `type` (the part before a '.'). */
enum cat_vim_class {
    CAT_VIM_GENERIC = 1u << 0,   /* anything else, e.g. "pop", "test" */
    CAT_VIM_OPENSTACK = 1u << 1, /* "openstack" */
    CAT_VIM_DOCKER = 1u << 2,    /* "docker" */
    CAT_VIM_AMAZON = 1u << 3,    /* "amazon" */
};

struct cat_location {
    struct cat_entity base;
    char *name;
    char *latitude;
    char *longitude;
    json_t *extra;
};

/* One struct for every class. Every field is read whatever the class (a GenericVimInstance in
 * Java drops username/password; we keep what the peer sent), and written back unless
 * CAT_ENC_GSON_CLASS asks for what the Java class has. */
struct cat_vim {
    struct cat_entity base;
    char *name;     /* @NotNull */
    char *auth_url; /* "authUrl", @NotNull */
    char *type;
    struct cat_bool active;
    struct cat_location *location;
    struct cat_image_vec images;
    struct cat_network_vec networks;
    /* OpenStack (username and password also read for any class, see cat_vim_credentials) */
    char *tenant;
    char *domain;
    char *username;                  /* @NotNull for OpenStack */
    char *password;                  /* @NotNull for OpenStack */
    char *key_pair;                  /* "keyPair", OpenStack and Amazon */
    struct cat_strv security_groups; /* "securityGroups", OpenStack and Amazon */
    char *openstack_ssl_certificate; /* "openstackSslCertificate" */
    struct cat_key_vec keys;
    struct cat_flavour_vec flavours; /* OpenStack and Amazon */
    json_t *zones;                   /* [{available, hosts}], kept */
    /* Docker */
    char *ca;
    char *docker_key; /* "dockerKey" */
    char *cert;
    /* Amazon */
    char *access_key; /* "accessKey" */
    char *secret_key; /* "secretKey" */
    char *vpc_name;   /* "vpcName" */
    char *vpc_id;     /* "vpcId" */
    char *region;
    json_t *extra;
};

CAT_CODEC(cat_location);
CAT_CODEC(cat_vim);

enum cat_vim_class cat_vim_class_of(const struct cat_vim *v);

/* How to reach and log in to the VIM. Credentials come from `username`/`password` when
 * `username` is set, else from the userinfo of `authUrl` ("http://user:secret@host:60000",
 * percent-decoded), since a GenericVimInstance that went through a Java NFVO has lost the fields.
 * On success the caller frees *ret_url (authUrl without userinfo), *ret_user and *ret_password
 * (NULL: none found). Returns 0, -EINVAL (no authUrl, or userinfo with a bad %-escape or a NUL) or
 * -ENOMEM; the outputs are untouched on failure. */
int cat_vim_credentials(const struct cat_vim *v, char **ret_url, char **ret_user,
                        char **ret_password);

/* The image of the VIM a VDU's vm_image entry names, as Open Baton matches it (§2.5): Docker by
 * `tags`, OpenStack by `name`, any other VIM by `extId`. NULL when none matches. */
const struct cat_image *cat_vim_find_image(const struct cat_vim *v, const char *vm_image);
