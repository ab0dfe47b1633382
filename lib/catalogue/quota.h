/* Quota: what getQuota answers. -1 means unlimited, which NFVO 6 refuses unless configured. */
#pragma once

#include "catalogue/base.h"

struct cat_quota {
    struct cat_entity base; /* go-openbaton (NFVO 6) sends them; absent ones are not written */
    char *tenant;
    struct cat_int cores;
    struct cat_int floating_ips; /* "floatingIps" */
    struct cat_int instances;
    struct cat_int key_pairs; /* "keyPairs" */
    struct cat_int ram;
    json_t *extra;
};

CAT_CODEC(cat_quota);
