/* Configuration and ConfigurationParameter field tables and accessors. */
#include "catalogue/configuration.h"

#include <errno.h>
#include <string.h>

#include "catalogue-int.h"

static const struct cat_field param_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_config_param),
    CAT_F("confKey", struct cat_config_param, conf_key, &cat_t_str),
    CAT_F("value", struct cat_config_param, value, &cat_t_str),
    CAT_F("description", struct cat_config_param, description, &cat_t_str),
};
CAT_CLASS(cat_config_param_class, "ConfigurationParameter", struct cat_config_param, param_fields);

static const struct cat_field configuration_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_configuration),
    CAT_F("name", struct cat_configuration, name, &cat_t_str),
    CAT_F("configurationParameters", struct cat_configuration, configuration_parameters,
          CAT_T_VEC(cat_config_param_class, struct cat_config_param)),
};
CAT_CLASS(cat_configuration_class, "Configuration", struct cat_configuration, configuration_fields);

const char *cat_configuration_get(const struct cat_configuration *c, const char *key)
{
    for (size_t i = 0; i < c->configuration_parameters.n; i++) {
        const struct cat_config_param *p = &c->configuration_parameters.v[i];
        if (p->conf_key && strcmp(p->conf_key, key) == 0)
            return p->value;
    }
    return NULL;
}

int cat_configuration_set(struct cat_configuration *c, const char *key, const char *value)
{
    for (size_t i = 0; i < c->configuration_parameters.n; i++) {
        struct cat_config_param *p = &c->configuration_parameters.v[i];
        if (p->conf_key && strcmp(p->conf_key, key) == 0)
            return cat_set_str(&p->value, value);
    }
    if (c->configuration_parameters.n >= CAT_LIST_MAX)
        return -E2BIG;
    struct cat_config_param *p = CAT_VEC_PUSH(&c->configuration_parameters);
    if (!p)
        return -ENOMEM;
    if (cat_set_str(&p->conf_key, key) < 0 || cat_set_str(&p->value, value) < 0) {
        CAT_VEC_REMOVE(&cat_config_param_class, &c->configuration_parameters,
                       c->configuration_parameters.n - 1);
        return -ENOMEM;
    }
    return 0;
}
