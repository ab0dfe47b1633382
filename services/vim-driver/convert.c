/* popd-rest's JSON (openapi/pop.yaml: Container, Network, Image, Flavour) turned into the Open
 * Baton catalogue types the NFVO reads (reference §4.3). popd-rest is trusted to follow its
 * contract, but a reply missing what a conversion needs is -EPROTO naming it, never a crash. */
#include <errno.h>
#include <string.h>

#include "core/cleanup.h"
#include "vimd-int.h"
#include "json/cleanup.h"

static int proto(struct pop_error *err, const char *what)
{
    return pop_error_set(err, -EPROTO, API_BAD_GATEWAY, NULL, "popd-rest answered %s", what);
}

static int nomem(struct pop_error *err)
{
    return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
}

static const char *str_member(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int vimd_pop_list(const json_t *reply, const char *what, const json_t **ret, struct pop_error *err)
{
    const json_t *list = json_object_get(reply, "list");
    if (!json_is_array(list)) {
        char w[96];
        snprintf(w, sizeof(w), "a %s list without \"list\"", what);
        return proto(err, w);
    }
    *ret = list;
    return 0;
}

int vimd_server_from_pop(const json_t *c, struct cat_server **ret, struct pop_error *err)
{
    const char *id = str_member(c, "id");
    const json_t *names = json_object_get(c, "names");
    const char *name = json_string_value(json_array_get(names, 0));
    const char *status = str_member(c, "status");
    const json_t *endpoints = json_object_get(c, "endpoints");
    if (!id || !name || !status || !json_is_object(endpoints))
        return proto(err, "a container without id, names, status or endpoints");
    struct cat_server *s = cat_server_new();
    if (!s)
        return nomem(err);
    const char *image = str_member(c, "image_id");
    const char *flavour = str_member(c, "flavour_id");
    const char *ext = str_member(c, "extended_status");
    int r = 0;
    if (cat_set_str(&s->ext_id, id) < 0 || cat_set_str(&s->name, name) < 0 ||
        cat_set_str(&s->host_name, name) < 0 || cat_set_str(&s->status, status) < 0 ||
        (ext && *ext && cat_set_str(&s->extended_status, ext) < 0))
        r = -ENOMEM;
    /* The image as the Server's NFVImage: the reference the container was created with, which
     * is also the extId listImages gives that image. */
    if (r == 0 && image) {
        if (!(s->image = cat_image_new()) || cat_set_str(&s->image->ext_id, image) < 0 ||
            cat_set_str(&s->image->name, image) < 0)
            r = -ENOMEM;
    }
    if (r == 0 && flavour) {
        if (!(s->flavor = cat_flavour_new()) || cat_set_str(&s->flavor->flavour_key, flavour) < 0 ||
            cat_set_str(&s->flavor->ext_id, flavour) < 0)
            r = -ENOMEM;
    }
    const char *net;
    const json_t *ep;
    s->ips.set = true;
    json_object_foreach ((json_t *)endpoints, net, ep) {
        const char *addr = str_member(json_object_get(ep, "ipv4"), "address");
        if (r == 0 && addr && cat_server_add_ip(s, net, addr) < 0)
            r = -ENOMEM;
    }
    s->floating_ips.set = true;
    /* The container's metadata as the Server's BaseEntity metadata: the VNFM reads back what
     * it stored (the environment and its dependency state) with mgmtCheck. */
    const char *key;
    const json_t *value;
    json_object_foreach ((json_t *)json_object_get(c, "md"), key, value) {
        if (r == 0 && json_is_string(value) &&
            cat_strmap_set(&s->base.metadata, key, json_string_value(value)) < 0)
            r = -ENOMEM;
    }
    const json_t *created = json_object_get(c, "created");
    if (json_is_integer(created))
        (void)cat_date_from_unix(json_integer_value(created), &s->created);
    if (r < 0) {
        cat_server_free(s);
        return nomem(err);
    }
    *ret = s;
    return 0;
}

int vimd_server_answer(const json_t *container, json_t **ret, struct pop_error *err)
{
    struct cat_server *s = NULL;
    int r = vimd_server_from_pop(container, &s, err);
    if (r < 0)
        return r;
    json_t *j = cat_server_to_json(s, 0);
    cat_server_free(s);
    if (!j)
        return nomem(err);
    *ret = j;
    return 0;
}

int vimd_network_from_pop(const json_t *n, struct cat_network *out, struct pop_error *err)
{
    const char *id = str_member(n, "id");
    const char *name = str_member(n, "name");
    const json_t *subnet = json_array_get(json_object_get(n, "subnets"), 0);
    const char *cidr = str_member(subnet, "cidr");
    const char *gateway = str_member(subnet, "gateway");
    if (!id || !name || !cidr)
        return proto(err, "a network without id, name or subnet");
    if (cat_set_str(&out->ext_id, id) < 0 || cat_set_str(&out->name, name) < 0 ||
        cat_set_str(&out->subnet, cidr) < 0 ||
        (gateway && cat_set_str(&out->gateway, gateway) < 0) ||
        cat_set_str(&out->driver, "bridge") < 0 || cat_set_str(&out->scope, "local") < 0)
        return nomem(err);
    return 0;
}

/* The repository of a "repo:tag" name when its tag is "latest", else NULL. The tag is what
 * follows the last ':' after the last '/' (a registry's port is not a tag). */
static char *latest_repository(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *colon = strrchr(slash ? slash : name, ':');
    if (!colon || strcmp(colon, ":latest") != 0 || strchr(name, '@'))
        return NULL;
    return strndup(name, (size_t)(colon - name));
}

int vimd_images_from_pop(const json_t *list, struct cat_image_vec *out, struct pop_error *err)
{
    size_t i;
    const json_t *img;
    out->set = true;
    json_array_foreach (list, i, img) {
        const json_t *names = json_object_get(img, "names");
        const json_t *created = json_object_get(img, "created");
        if (!json_is_array(names))
            return proto(err, "an image without names");
        size_t j;
        const json_t *nv;
        json_array_foreach (names, j, nv) {
            const char *name = json_string_value(nv);
            /* Docker's "<none>:<none>" is a dangling image (a tag moved on): no name to launch,
             * and one shared by all of them, so it could not identify any. */
            if (!name || !*name || strncmp(name, "<none>", 6) == 0)
                continue;
            struct cat_image *x = CAT_VEC_PUSH(out);
            if (!x)
                return pop_error_set(err, -E2BIG, API_INTERNAL, NULL,
                                     "the Pop has more than %d image names", CAT_LIST_MAX);
            _cleanup_free_ char *repo = latest_repository(name);
            if (cat_set_str(&x->ext_id, name) < 0 || cat_set_str(&x->name, name) < 0 ||
                cat_strv_push(&x->tags, name) < 0 || (repo && cat_strv_push(&x->tags, repo) < 0))
                return nomem(err);
            x->tags.set = true;
            if (json_is_integer(created))
                (void)cat_date_from_unix(json_integer_value(created), &x->created);
        }
    }
    return 0;
}

int vimd_flavour_from_pop(const json_t *f, struct cat_flavour *out, struct pop_error *err)
{
    const char *id = str_member(f, "id");
    const char *name = str_member(f, "name");
    const json_t *vcpus = json_object_get(f, "vcpus");
    const json_t *ram = json_object_get(f, "ram");
    if (!id || !name || !json_is_integer(vcpus) || !json_is_integer(ram))
        return proto(err, "a flavour without id, name, vcpus or ram");
    if (cat_set_str(&out->flavour_key, name) < 0 || cat_set_str(&out->ext_id, id) < 0)
        return nomem(err);
    out->vcpus = (struct cat_int){.v = json_integer_value(vcpus), .set = true};
    out->ram = (struct cat_int){.v = json_integer_value(ram), .set = true};
    return 0;
}
