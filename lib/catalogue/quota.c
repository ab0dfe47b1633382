/* Quota field table. */
#include "catalogue/quota.h"

#include "catalogue-int.h"

static const struct cat_field quota_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_quota),
    CAT_F("tenant", struct cat_quota, tenant, &cat_t_str),
    CAT_F("cores", struct cat_quota, cores, &cat_t_int),
    CAT_F("floatingIps", struct cat_quota, floating_ips, &cat_t_int),
    CAT_F("instances", struct cat_quota, instances, &cat_t_int),
    CAT_F("keyPairs", struct cat_quota, key_pairs, &cat_t_int),
    CAT_F("ram", struct cat_quota, ram, &cat_t_int),
};
CAT_CLASS(cat_quota_class, "Quota", struct cat_quota, quota_fields);
