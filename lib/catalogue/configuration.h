/* Configuration: named key/value parameters of a VNFD or VNFR (and, in a VNFR, its
 * `requires` and `provides`). */
#pragma once

#include "catalogue/base.h"

struct cat_config_param {
    struct cat_entity base;
    char *conf_key; /* "confKey" */
    char *value;
    char *description;
    json_t *extra;
};
CAT_VEC(cat_config_param_vec, struct cat_config_param);

struct cat_configuration {
    struct cat_entity base;
    char *name;
    struct cat_config_param_vec configuration_parameters; /* "configurationParameters" */
    json_t *extra;
};

CAT_CODEC(cat_config_param);
CAT_CODEC(cat_configuration);

/* The value of key, or NULL. */
const char *cat_configuration_get(const struct cat_configuration *c, const char *key);
/* Sets key to value (replacing an existing parameter's value). 0, -ENOMEM or -E2BIG. */
int cat_configuration_set(struct cat_configuration *c, const char *key, const char *value);
