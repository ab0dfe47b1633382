/* Server: what launchInstanceAndWait and listServer answer; the NFVO turns it into a VNFC
 * instance (vc_id = extId, ips from `ips`, which must be keyed by virtual link name). */
#pragma once

#include "catalogue/base.h"
#include "catalogue/flavour.h"
#include "catalogue/image.h"

struct cat_server {
    struct cat_entity base; /* NFVO 6's Server is a BaseEntity (go-openbaton's too) */
    char *name;
    struct cat_image *image;
    struct cat_flavour *flavor; /* "flavor", spelt so */
    char *status;
    char *extended_status;          /* "extendedStatus" */
    char *ext_id;                   /* "extId" */
    struct cat_strvmap ips;         /* {network name: [ip]} */
    struct cat_strmap floating_ips; /* "floatingIps" {network name: ip} */
    struct cat_date created;
    struct cat_date updated;
    char *host_name;            /* "hostName" */
    char *hypervisor_host_name; /* "hypervisorHostName" */
    char *instance_name;        /* "instanceName" */
    json_t *extra;
};
CAT_VEC(cat_server_vec, struct cat_server);

CAT_CODEC(cat_server);

/* Appends ip to the addresses of network net (creating its entry). 0, -ENOMEM or -E2BIG. */
int cat_server_add_ip(struct cat_server *s, const char *net, const char *ip);
/* The first address on network net, or NULL. */
const char *cat_server_ip(const struct cat_server *s, const char *net);
