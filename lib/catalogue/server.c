/* Server field table and its address helpers. */
#include "catalogue/server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue-int.h"

static const struct cat_field server_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_server),
    CAT_F("name", struct cat_server, name, &cat_t_str),
    CAT_F("image", struct cat_server, image, CAT_T_PTR(cat_image_class)),
    CAT_F("flavor", struct cat_server, flavor, CAT_T_PTR(cat_flavour_class)),
    CAT_F("status", struct cat_server, status, &cat_t_str),
    CAT_F("extendedStatus", struct cat_server, extended_status, &cat_t_str),
    CAT_F("extId", struct cat_server, ext_id, &cat_t_str),
    CAT_F("ips", struct cat_server, ips, &cat_t_strvmap),
    CAT_F("floatingIps", struct cat_server, floating_ips, &cat_t_strmap),
    CAT_F("created", struct cat_server, created, &cat_t_date),
    CAT_F("updated", struct cat_server, updated, &cat_t_date),
    CAT_F("hostName", struct cat_server, host_name, &cat_t_str),
    CAT_F("hypervisorHostName", struct cat_server, hypervisor_host_name, &cat_t_str),
    CAT_F("instanceName", struct cat_server, instance_name, &cat_t_str),
};
CAT_CLASS(cat_server_class, "Server", struct cat_server, server_fields);

int cat_server_add_ip(struct cat_server *s, const char *net, const char *ip)
{
    for (size_t i = 0; i < s->ips.n; i++)
        if (strcmp(s->ips.v[i].key, net) == 0)
            return cat_strv_push(&s->ips.v[i].value, ip);
    if (s->ips.n >= CAT_LIST_MAX)
        return -E2BIG;
    char *key = strdup(net);
    if (!key)
        return -ENOMEM;
    struct cat_strvmap_entry *e = CAT_VEC_PUSH(&s->ips);
    if (!e) {
        free(key);
        return -ENOMEM;
    }
    e->key = key;
    int r = cat_strv_push(&e->value, ip);
    if (r < 0) {
        free(key);
        s->ips.n--; /* the entry was the last one; drop it again */
    }
    return r;
}

const char *cat_server_ip(const struct cat_server *s, const char *net)
{
    for (size_t i = 0; i < s->ips.n; i++)
        if (strcmp(s->ips.v[i].key, net) == 0 && s->ips.v[i].value.n)
            return s->ips.v[i].value.v[0];
    return NULL;
}
