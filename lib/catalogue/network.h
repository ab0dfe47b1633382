/* BaseNetwork and its classes (DockerNetwork, OpenStack Network) and Subnet: what a VIM driver
 * answers for listNetworks, createNetwork and getNetworkById. */
#pragma once

#include "catalogue/base.h"

/* The Java class Open Baton picks for a network, by content (NFVO's network deserializer). */
enum cat_network_class {
    CAT_NETWORK_BASE = 1u << 0,      /* BaseNetwork: name, extId */
    CAT_NETWORK_DOCKER = 1u << 1,    /* DockerNetwork: has `subnet` */
    CAT_NETWORK_OPENSTACK = 1u << 2, /* Network: has `subnets` */
};

struct cat_subnet {
    struct cat_entity base;
    char *name;
    char *ext_id;     /* "extId" */
    char *network_id; /* "networkId" */
    char *cidr;
    char *gateway_ip; /* "gatewayIp" */
    struct cat_strv dns;
    json_t *extra;
};
CAT_VEC(cat_subnet_vec, struct cat_subnet);

/* One struct for every class: fields of all of them are read, whichever the class. */
struct cat_network {
    struct cat_entity base;
    char *name;
    char *ext_id; /* "extId" */
    /* Network (OpenStack) */
    struct cat_bool external;
    struct cat_bool ext_shared; /* "extShared" */
    struct cat_subnet_vec subnets;
    /* DockerNetwork */
    char *scope;
    char *driver;
    char *gateway;
    char *subnet; /* a CIDR */
    json_t *extra;
};
CAT_VEC(cat_network_vec, struct cat_network);

CAT_CODEC(cat_subnet);
CAT_CODEC(cat_network);

/* DockerNetwork when `subnet` is set, else Network when `subnets` is set, else BaseNetwork: the
 * order of Open Baton's checks. (Open Baton looks at the keys, so `"subnet": null` makes a
 * DockerNetwork there; null reads as absent here, and Open Baton writes it back without the key,
 * so the next hop sees a BaseNetwork anyway.) */
enum cat_network_class cat_network_class_of(const struct cat_network *n);
