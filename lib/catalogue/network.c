/* BaseNetwork / DockerNetwork / Network and Subnet field tables; the class by content. */
#include "catalogue/network.h"

#include "catalogue-int.h"

static const struct cat_field subnet_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_subnet),
    CAT_F("name", struct cat_subnet, name, &cat_t_str),
    CAT_F("extId", struct cat_subnet, ext_id, &cat_t_str),
    CAT_F("networkId", struct cat_subnet, network_id, &cat_t_str),
    CAT_F("cidr", struct cat_subnet, cidr, &cat_t_str),
    CAT_F("gatewayIp", struct cat_subnet, gateway_ip, &cat_t_str),
    CAT_F("dns", struct cat_subnet, dns, &cat_t_strv),
};
CAT_CLASS(cat_subnet_class, "Subnet", struct cat_subnet, subnet_fields);

enum cat_network_class cat_network_class_of(const struct cat_network *n)
{
    if (n->subnet)
        return CAT_NETWORK_DOCKER;
    if (n->subnets.set || n->subnets.n)
        return CAT_NETWORK_OPENSTACK;
    return CAT_NETWORK_BASE;
}

static unsigned network_class(const void *obj)
{
    return cat_network_class_of(obj);
}

static const struct cat_field network_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_network),
    CAT_F("name", struct cat_network, name, &cat_t_str),
    CAT_F("extId", struct cat_network, ext_id, &cat_t_str),
    CAT_F_IN("external", struct cat_network, external, &cat_t_bool, CAT_NETWORK_OPENSTACK),
    CAT_F_IN("extShared", struct cat_network, ext_shared, &cat_t_bool, CAT_NETWORK_OPENSTACK),
    CAT_F_IN("subnets", struct cat_network, subnets, CAT_T_VEC(cat_subnet_class, struct cat_subnet),
             CAT_NETWORK_OPENSTACK),
    CAT_F_IN("scope", struct cat_network, scope, &cat_t_str, CAT_NETWORK_DOCKER),
    CAT_F_IN("driver", struct cat_network, driver, &cat_t_str, CAT_NETWORK_DOCKER),
    CAT_F_IN("gateway", struct cat_network, gateway, &cat_t_str, CAT_NETWORK_DOCKER),
    CAT_F_IN("subnet", struct cat_network, subnet, &cat_t_str, CAT_NETWORK_DOCKER),
};
CAT_CLASS_POLY(cat_network_class, "BaseNetwork", struct cat_network, network_fields, network_class);
