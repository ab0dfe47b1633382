/* Key: an SSH public key the NFVO hands to launches (launchInstanceAndWait's keys). */
#pragma once

#include "catalogue/base.h"

struct cat_key {
    struct cat_entity base;
    char *name;       /* @NotNull */
    char *public_key; /* "publicKey", @NotNull */
    char *fingerprint;
    json_t *extra;
};
CAT_VEC(cat_key_vec, struct cat_key);

CAT_CODEC(cat_key);
