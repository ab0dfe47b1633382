/* What the NFVO asks about a Pop as a whole: refresh (the VIM instance with its resources),
 * listImages, listFlavors, getQuota and getType. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "vimd-int.h"
#include "json/cleanup.h"

int vimd_fetch_images(struct vimd_call *c, struct cat_image_vec *out, struct pop_error *err)
{
    _cleanup_json_ json_t *reply = NULL;
    const json_t *list;
    int r;
    if ((r = vimd_pop(c, "GET", "/v1/images", NULL, &reply, NULL, err)) < 0 ||
        (r = vimd_pop_list(reply, "image", &list, err)) < 0)
        return r;
    return vimd_images_from_pop(list, out, err);
}

int vimd_fetch_flavours(struct vimd_call *c, struct cat_flavour_vec *out, struct pop_error *err)
{
    _cleanup_json_ json_t *reply = NULL;
    const json_t *list;
    int r;
    if ((r = vimd_pop(c, "GET", "/v1/flavours", NULL, &reply, NULL, err)) < 0 ||
        (r = vimd_pop_list(reply, "flavour", &list, err)) < 0)
        return r;
    size_t i;
    const json_t *f;
    out->set = true;
    json_array_foreach (list, i, f) {
        struct cat_flavour *x = CAT_VEC_PUSH(out);
        if (!x)
            return pop_error_set(err, -E2BIG, API_INTERNAL, NULL, "too many flavours");
        if ((r = vimd_flavour_from_pop(f, x, err)) < 0)
            return r;
    }
    return 0;
}

/* A new JSON array of the n encoded objects of a vector. */
#define VEC_TO_JSON(codec, vec)                                                                    \
    ({                                                                                             \
        json_t *a_ = json_array();                                                                 \
        for (size_t i_ = 0; a_ && i_ < (vec)->n; i_++)                                             \
            if (json_array_append_new(a_, codec##_to_json(&(vec)->v[i_], 0)) < 0) {                \
                json_decref(a_);                                                                   \
                a_ = NULL;                                                                         \
            }                                                                                      \
        a_;                                                                                        \
    })

/* The NFVO saves the refreshed VIM instance as it comes back: an image or network it already
 * holds keeps its id and hbVersion (matched by extId), so the save updates that row instead of
 * replacing it. */
static void keep_base(struct cat_entity *fresh, struct cat_entity *old)
{
    struct cat_entity t = *fresh;
    *fresh = *old;
    *old = t;
}

int vimd_refresh(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    int r = vimd_call_open(d, params, &c, err);
    if (r < 0)
        return r;
    /* Fetched into a scratch instance, so a failure half-way frees everything with it. */
    struct cat_vim *fresh = cat_vim_new();
    if (!fresh)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    if ((r = vimd_fetch_images(&c, &fresh->images, err)) < 0 ||
        (r = vimd_fetch_networks(&c, &fresh->networks, err)) < 0 ||
        (r = vimd_fetch_flavours(&c, &fresh->flavours, err)) < 0) {
        cat_vim_free(fresh);
        return r;
    }
    struct cat_vim *v = c.vim;
    for (size_t i = 0; i < fresh->images.n; i++)
        for (size_t j = 0; j < v->images.n; j++)
            if (v->images.v[j].ext_id &&
                strcmp(v->images.v[j].ext_id, fresh->images.v[i].ext_id) == 0) {
                keep_base(&fresh->images.v[i].base, &v->images.v[j].base);
                break;
            }
    for (size_t i = 0; i < fresh->networks.n; i++)
        for (size_t j = 0; j < v->networks.n; j++)
            if (v->networks.v[j].ext_id &&
                strcmp(v->networks.v[j].ext_id, fresh->networks.v[i].ext_id) == 0) {
                keep_base(&fresh->networks.v[i].base, &v->networks.v[j].base);
                break;
            }
    for (size_t i = 0; i < fresh->flavours.n; i++)
        for (size_t j = 0; j < v->flavours.n; j++)
            if (v->flavours.v[j].ext_id &&
                strcmp(v->flavours.v[j].ext_id, fresh->flavours.v[i].ext_id) == 0) {
                keep_base(&fresh->flavours.v[i].base, &v->flavours.v[j].base);
                break;
            }
            /* Everything else of the instance goes back as it came (id, hbVersion, name, type,
             * credentials, members this code does not know). */
#define SWAP(member)                                                                               \
    do {                                                                                           \
        __typeof__(v->member) t_ = v->member;                                                      \
        v->member = fresh->member;                                                                 \
        fresh->member = t_;                                                                        \
    } while (0)
    SWAP(images);
    SWAP(networks);
    SWAP(flavours);
#undef SWAP
    cat_vim_free(fresh);
    json_t *answer = cat_vim_to_json(v, 0);
    if (!answer)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, "cannot encode the VIM instance");
    *ret = answer;
    return 0;
}

int vimd_list_images(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    int r = vimd_call_open(d, params, &c, err);
    if (r < 0)
        return r;
    struct cat_vim *scratch = cat_vim_new();
    if (!scratch)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    if ((r = vimd_fetch_images(&c, &scratch->images, err)) == 0) {
        if (!(*ret = VEC_TO_JSON(cat_image, &scratch->images)))
            r = pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    }
    cat_vim_free(scratch);
    return r;
}

int vimd_list_flavours(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    int r = vimd_call_open(d, params, &c, err);
    if (r < 0)
        return r;
    struct cat_vim *scratch = cat_vim_new();
    if (!scratch)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    if ((r = vimd_fetch_flavours(&c, &scratch->flavours, err)) == 0) {
        if (!(*ret = VEC_TO_JSON(cat_flavour, &scratch->flavours)))
            r = pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    }
    cat_vim_free(scratch);
    return r;
}

/* Addresses a container can get in a subnet: all but the network, broadcast and gateway
 * addresses (popd-rest's IPAM rule). 0 for what is not a CIDR popd-rest would make. */
static int64_t usable_addresses(const char *cidr)
{
    const char *slash = cidr ? strchr(cidr, '/') : NULL;
    int64_t prefix;
    if (!slash || parse_int64(slash + 1, 0, 32, &prefix) < 0 || prefix > 30)
        return 0;
    return ((int64_t)1 << (32 - prefix)) - 3;
}

int vimd_get_quota(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    int r = vimd_call_open(d, params, &c, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *info = NULL;
    if ((r = vimd_pop(&c, "GET", "/v1/info", NULL, &info, NULL, err)) < 0)
        return r;
    struct cat_vim *scratch = cat_vim_new();
    if (!scratch)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    if ((r = vimd_fetch_networks(&c, &scratch->networks, err)) < 0) {
        cat_vim_free(scratch);
        return r;
    }
    /* Every container needs an address on at least one network, so the Pop cannot hold more
     * containers than its networks have addresses. The NFVO subtracts the servers it lists. */
    int64_t instances = 0;
    for (size_t i = 0; i < scratch->networks.n; i++)
        instances += usable_addresses(scratch->networks.v[i].subnet);
    cat_vim_free(scratch);
    if (instances > INT32_MAX)
        instances = INT32_MAX;
    struct cat_quota *q = cat_quota_new();
    if (!q)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    const char *name = json_string_value(json_object_get(info, "name"));
    r = cat_set_str(&q->tenant, name ? name : "");
    q->instances = (struct cat_int){.v = instances, .set = true};
    /* popd-rest puts no bound on the CPUs and memory of all containers together (a flavour
     * limits one container, docker.container none): Open Baton's -1, "infinite". */
    q->cores = (struct cat_int){.v = -1, .set = true};
    q->ram = (struct cat_int){.v = -1, .set = true};
    /* A Pop has neither key pairs nor floating addresses. */
    q->key_pairs = (struct cat_int){.v = 0, .set = true};
    q->floating_ips = (struct cat_int){.v = 0, .set = true};
    json_t *answer = r < 0 ? NULL : cat_quota_to_json(q, 0);
    cat_quota_free(q);
    if (!answer)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    *ret = answer;
    return 0;
}

int vimd_get_type(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    int r = vimd_call_open(d, params, &c, err);
    if (r < 0)
        return r;
    json_t *answer = json_string(d->type);
    if (!answer)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    *ret = answer;
    return 0;
}
