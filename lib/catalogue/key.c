/* Key field table. */
#include "catalogue/key.h"

#include "catalogue-int.h"

static const struct cat_field key_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_key),
    CAT_F_REQ("name", struct cat_key, name, &cat_t_str),
    CAT_F_REQ("publicKey", struct cat_key, public_key, &cat_t_str),
    CAT_F("fingerprint", struct cat_key, fingerprint, &cat_t_str),
};
CAT_CLASS(cat_key_class, "Key", struct cat_key, key_fields);
