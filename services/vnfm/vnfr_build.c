/* The VNFR from a VNFD (reference §4.4, as Open Baton's vnfm-sdk VNFRUtils builds it), taking
 * the NFVO's copy of it once the NFVO has one, and finding VNFC instances in it. */
#include "vnfr_build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"

static int nomem(struct pop_error *e)
{
    return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
}

static bool str_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Appends a copy of each of the n elements at v (class cls, esize bytes each) to the CAT_VEC
 * dst, without their ids. */
static int copy_vec(const struct cat_class *cls, void *dst, const void *v, size_t n, size_t esize)
{
    for (size_t i = 0; i < n; i++) {
        void *tmp;
        if (cat_copy(cls, (const char *)v + i * esize, &tmp) < 0)
            return -ENOMEM;
        cat_drop_ids(cls, tmp);
        void *slot = cat_vec_push_raw(dst, esize);
        if (!slot) {
            cat_free(cls, tmp);
            return -ENOMEM;
        }
        memcpy(slot, tmp, esize); /* the element now owns what tmp owned */
        free(tmp);
    }
    return 0;
}
/* COPY_VEC also marks dst present when src is empty: Open Baton's VNFM builds every collection
 * of a new record, so the record says [] rather than nothing. */
#define COPY_VEC(cls, dst, src)                                                                    \
    ((dst)->set = true, copy_vec(&(cls), (dst), (src)->v, (src)->n, sizeof(*(src)->v)))

static int copy_strv(struct cat_strv *dst, const struct cat_strv *src)
{
    dst->set = true;
    for (size_t i = 0; i < src->n; i++)
        if (cat_strv_push(dst, src->v[i]) < 0)
            return -ENOMEM;
    return 0;
}

/* A new Configuration named name; with src, a copy of its parameters without ids. */
static int new_configuration(struct cat_configuration **ret, const char *name,
                             const struct cat_configuration *src)
{
    struct cat_configuration *c = cat_configuration_new();
    if (!c || cat_set_str(&c->name, name) < 0) {
        cat_configuration_free(c);
        return -ENOMEM;
    }
    c->configuration_parameters.set = true;
    *ret = c;
    if (!src)
        return 0;
    for (size_t i = 0; i < src->configuration_parameters.n; i++) {
        const struct cat_config_param *s = &src->configuration_parameters.v[i];
        struct cat_config_param *d = CAT_VEC_PUSH(&c->configuration_parameters);
        if (!d || cat_set_str(&d->conf_key, s->conf_key) < 0 ||
            cat_set_str(&d->value, s->value) < 0 ||
            cat_set_str(&d->description, s->description) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* Appends a value-less parameter for key unless c has it already. */
static int add_key(struct cat_configuration *c, const char *key)
{
    for (size_t i = 0; i < c->configuration_parameters.n; i++)
        if (str_eq(c->configuration_parameters.v[i].conf_key, key))
            return 0;
    struct cat_config_param *p = CAT_VEC_PUSH(&c->configuration_parameters);
    if (!p || cat_set_str(&p->conf_key, key) < 0)
        return -ENOMEM;
    return 0;
}

static int build_configurations(const struct cat_vnfd *vnfd, struct cat_vnfr *vnfr)
{
    const struct cat_configuration *src = vnfd->configurations;
    const char *name = src && src->name ? src->name : vnfr->name;
    if (new_configuration(&vnfr->configurations, name, src) < 0 ||
        new_configuration(&vnfr->requires, "requires", NULL) < 0 ||
        new_configuration(&vnfr->provides, "provides", NULL) < 0)
        return -ENOMEM;
    for (size_t i = 0; i < vnfd->requires.n; i++) {
        const struct cat_strv *keys = &vnfd->requires.v[i].value.parameters;
        for (size_t k = 0; k < keys->n; k++)
            if (add_key(vnfr->requires, keys->v[k]) < 0)
                return -ENOMEM;
    }
    for (size_t i = 0; i < vnfd->provides.n; i++)
        if (add_key(vnfr->provides, vnfd->provides.v[i]) < 0)
            return -ENOMEM;
    return 0;
}

/* vimInstances[vdu id], else [vdu name] (vnfm-sdk looks up both), as an array; names the
 * member used in *ret_key. */
static const json_t *vdu_vims(const json_t *vim_instances, const struct cat_vdu *vdu,
                              const char **ret_key)
{
    const json_t *list = json_object_get(vim_instances, vdu->base.id);
    *ret_key = vdu->base.id;
    if (!list && vdu->name) {
        list = json_object_get(vim_instances, vdu->name);
        *ret_key = vdu->name;
    }
    return list;
}

static bool vim_has_flavour(const struct cat_vim *vim, const char *key)
{
    for (size_t i = 0; i < vim->flavours.n; i++) {
        const struct cat_flavour *f = &vim->flavours.v[i];
        if (str_eq(f->flavour_key, key) || str_eq(f->ext_id, key) || str_eq(f->base.id, key))
            return true;
    }
    return false;
}

/* The VIM names for the VNFR's VDU built from vdu (index i), checking each VIM can hold the
 * flavour. */
static int vdu_vim_names(const struct vnfr_build_in *in, const struct cat_vdu *vdu, size_t i,
                         struct cat_strv *names, struct pop_error *e)
{
    const char *key;
    const json_t *list = vdu_vims(in->vim_instances, vdu, &key);
    if (!json_is_array(list) || json_array_size(list) == 0)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vimInstances",
                             "vimInstances: no VIM instance for vnfd.vdu[%zu] (id %s)", i,
                             vdu->base.id);
    names->set = true;
    size_t j;
    const json_t *jv;
    json_array_foreach (list, j, jv) {
        char path[160];
        snprintf(path, sizeof(path), "vimInstances.%.64s[%zu]", key, j);
        struct cat_vim *vim = NULL;
        int r = cat_vim_from_json_at(jv, path, 0, &vim, e);
        if (r < 0)
            return r;
        if (!vim->name || !*vim->name) {
            cat_vim_free(vim);
            return pop_error_set(e, -EINVAL, API_INVALID_FIELD, path, "%s.name: required", path);
        }
        /* A VIM that says which flavours it has must have this one (vnfm-sdk refuses the
         * record too); a VIM that lists none (not refreshed, or a class without flavours)
         * is not second-guessed. */
        if (vim->flavours.n > 0 && !vim_has_flavour(vim, in->flavour_key)) {
            r = pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnfdf.flavour_key",
                              "vnfdf.flavour_key: VIM instance '%s' (%s) has no flavour '%s'",
                              vim->name, path, in->flavour_key);
            cat_vim_free(vim);
            return r;
        }
        if (!cat_strv_contains(names, vim->name) && cat_strv_push(names, vim->name) < 0) {
            cat_vim_free(vim);
            return nomem(e);
        }
        cat_vim_free(vim);
    }
    return 0;
}

static int build_vdu(const struct vnfr_build_in *in, const struct cat_vdu *src, size_t i,
                     struct cat_vdu *d, struct pop_error *e)
{
    int r = vdu_vim_names(in, src, i, &d->vim_instance_name, e);
    if (r < 0)
        return r;
    if (cat_set_str(&d->parent_vdu, src->base.id) < 0 || cat_set_str(&d->name, src->name) < 0 ||
        cat_set_str(&d->hostname, src->hostname) < 0 ||
        cat_set_str(&d->computation_requirement, src->computation_requirement) < 0 ||
        cat_set_str(&d->vdu_constraint, src->vdu_constraint) < 0 ||
        cat_set_str(&d->virtual_memory_resource_element, src->virtual_memory_resource_element) <
            0 ||
        cat_set_str(&d->virtual_network_bandwidth_resource,
                    src->virtual_network_bandwidth_resource) < 0 ||
        copy_strv(&d->vm_image, &src->vm_image) < 0 ||
        copy_strv(&d->monitoring_parameter, &src->monitoring_parameter) < 0 ||
        COPY_VEC(cat_vnf_component_class, &d->vnfc, &src->vnfc) < 0 ||
        COPY_VEC(cat_lifecycle_event_class, &d->lifecycle_event, &src->lifecycle_event) < 0 ||
        COPY_VEC(cat_fault_policy_class, &d->fault_management_policy,
                 &src->fault_management_policy) < 0)
        return nomem(e);
    d->scale_in_out = src->scale_in_out;
    d->vnfc_instance.set = true; /* [] until the NFVO allocates */
    if (src->high_availability) {
        if (cat_high_availability_dup(src->high_availability, &d->high_availability) < 0)
            return nomem(e);
        cat_high_availability_drop_ids(d->high_availability);
    }
    return 0;
}

static const char *vlr_ext_id(const struct cat_vlr_vec *vlrs, const char *name)
{
    for (size_t i = 0; vlrs && i < vlrs->n; i++)
        if (str_eq(vlrs->v[i].name, name))
            return vlrs->v[i].ext_id;
    return NULL;
}

static int build_links(const struct vnfr_build_in *in, struct cat_vnfr *vnfr)
{
    const struct cat_internal_vl_vec *src = &in->vnfd->virtual_link;
    if (COPY_VEC(cat_internal_vl_class, &vnfr->virtual_link, src) < 0)
        return -ENOMEM;
    for (size_t i = 0; i < vnfr->virtual_link.n; i++) {
        struct cat_internal_vl *vl = &vnfr->virtual_link.v[i];
        /* the VLR's network id, or none: the grant fills the VNFCs' connection points */
        if (cat_set_str(&vl->ext_id, vlr_ext_id(in->vlrs, vl->name)) < 0)
            return -ENOMEM;
        vl->qos.set = vl->test_access.set = vl->connection_points_references.set = true;
    }
    return 0;
}

static int build_policies(const struct cat_vnfd *vnfd, struct cat_vnfr *vnfr)
{
    if (COPY_VEC(cat_auto_scale_policy_class, &vnfr->auto_scale_policy, &vnfd->auto_scale_policy) <
        0)
        return -ENOMEM;
    /* A scaling action scales its own VNF unless it names another type (vnfm-sdk). */
    for (size_t i = 0; i < vnfr->auto_scale_policy.n; i++) {
        struct cat_scaling_action_vec *acts = &vnfr->auto_scale_policy.v[i].actions;
        for (size_t k = 0; k < acts->n; k++)
            if ((!acts->v[k].target || !*acts->v[k].target) &&
                cat_set_str(&acts->v[k].target, vnfd->type) < 0)
                return -ENOMEM;
    }
    return 0;
}

static int check_input(const struct vnfr_build_in *in, struct pop_error *e)
{
    const struct cat_vnfd *vnfd = in->vnfd;
    if (!vnfd)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnfd", "vnfd: required");
    if (!vnfd->name || !*vnfd->name)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnfd.name", "vnfd.name: required");
    if (!vnfd->base.id || !*vnfd->base.id)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnfd.id",
                             "vnfd.id: required (an onboarded VNFD has one; the VNFR's "
                             "descriptor_reference names it)");
    for (size_t i = 0; i < vnfd->vdu.n; i++) {
        if (!vnfd->vdu.v[i].base.id || !*vnfd->vdu.v[i].base.id) {
            char field[48];
            snprintf(field, sizeof(field), "vnfd.vdu[%zu].id", i);
            return pop_error_set(e, -EINVAL, API_INVALID_FIELD, field,
                                 "%s: required (the VNFR's parent_vdu names it)", field);
        }
    }
    if (!in->flavour_key || !*in->flavour_key)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnfdf.flavour_key",
                             "vnfdf.flavour_key: required");
    const char *nsr = in->extension ? cat_strmap_get(in->extension, "nsr-id") : NULL;
    if (!nsr || !*nsr)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "extension.nsr-id",
                             "extension.nsr-id: required (the VNFR's parent_ns_id)");
    if (!json_is_object(in->vim_instances))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vimInstances",
                             "vimInstances: required, an object {vduId: [VimInstance]}");
    return 0;
}

int vnfr_build(const struct vnfr_build_in *in, struct cat_vnfr **ret, struct pop_error *e)
{
    int r = check_input(in, e);
    if (r < 0)
        return r;
    const struct cat_vnfd *vnfd = in->vnfd;
    struct cat_vnfr *v = cat_vnfr_new();
    if (!v)
        return nomem(e);
    if (cat_set_str(&v->name, vnfd->name) < 0 || cat_set_str(&v->type, vnfd->type) < 0 ||
        cat_set_str(&v->endpoint, vnfd->endpoint ? vnfd->endpoint : vnfd->type) < 0 ||
        cat_set_str(&v->vendor, vnfd->vendor) < 0 || cat_set_str(&v->version, vnfd->version) < 0 ||
        cat_set_str(&v->descriptor_reference, vnfd->base.id) < 0 ||
        cat_set_str(&v->package_id, vnfd->vnf_package_location) < 0 ||
        cat_set_str(&v->parent_ns_id, cat_strmap_get(in->extension, "nsr-id")) < 0 ||
        cat_set_str(&v->deployment_flavour_key, in->flavour_key) < 0 ||
        build_configurations(vnfd, v) < 0 ||
        copy_strv(&v->monitoring_parameter, &vnfd->monitoring_parameter) < 0 ||
        COPY_VEC(cat_connection_point_class, &v->connection_point, &vnfd->connection_point) < 0 ||
        COPY_VEC(cat_lifecycle_event_class, &v->lifecycle_event, &vnfd->lifecycle_event) < 0 ||
        build_policies(vnfd, v) < 0 || build_links(in, v) < 0) {
        cat_vnfr_free(v);
        return nomem(e);
    }
    v->status = CAT_STATUS_NULL;
    v->cyclic_dependency = vnfd->cyclic_dependency;
    v->vnf_address.set = true;
    v->lifecycle_event_history.set = true;
    v->vdu.set = true;
    for (size_t i = 0; i < vnfd->vdu.n; i++) {
        struct cat_vdu *d = CAT_VEC_PUSH(&v->vdu);
        if (!d) {
            cat_vnfr_free(v);
            return nomem(e);
        }
        if ((r = build_vdu(in, &vnfd->vdu.v[i], i, d, e)) < 0) {
            cat_vnfr_free(v);
            return r;
        }
    }
    *ret = v;
    return 0;
}

/* --- the NFVO's copies --------------------------------------------------------------------- */

static int not_ours(struct pop_error *e, const char *what, const char *field, const char *why)
{
    return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, field, "%s: %s", what, why);
}

/* The VDU of answer that is cur's VDU d: by id once d has one, else by parent_vdu. */
static const struct cat_vdu *match_vdu(const struct cat_vnfr *answer, const struct cat_vdu *d)
{
    for (size_t i = 0; i < answer->vdu.n; i++) {
        const struct cat_vdu *a = &answer->vdu.v[i];
        if (d->base.id ? str_eq(a->base.id, d->base.id) : str_eq(a->parent_vdu, d->parent_vdu))
            return a;
    }
    return NULL;
}

static int check_answer(const struct cat_vnfr *cur, const struct cat_vnfr *answer, const char *what,
                        struct pop_error *e)
{
    if (!str_eq(answer->name, cur->name))
        return not_ours(e, what, "virtualNetworkFunctionRecord.name",
                        "the answer is about another VNFR (name differs)");
    if (!answer->base.id || !*answer->base.id)
        return not_ours(e, what, "virtualNetworkFunctionRecord.id",
                        "the VNFR has no id (the NFVO assigns it when it saves the record)");
    if (cur->base.id && !str_eq(answer->base.id, cur->base.id))
        return not_ours(e, what, "virtualNetworkFunctionRecord.id",
                        "the answer is about another VNFR (id differs)");
    if (answer->vdu.n != cur->vdu.n)
        return not_ours(e, what, "virtualNetworkFunctionRecord.vdu",
                        "the VNFR has another number of VDUs than the one sent");
    for (size_t i = 0; i < cur->vdu.n; i++) {
        const struct cat_vdu *a = match_vdu(answer, &cur->vdu.v[i]);
        if (!a)
            return not_ours(e, what, "virtualNetworkFunctionRecord.vdu",
                            "a VDU of the VNFR sent is missing from the answer");
        if (!a->base.id || !*a->base.id)
            return not_ours(e, what, "virtualNetworkFunctionRecord.vdu",
                            "a VDU has no id (the NFVO assigns it when it saves the record)");
    }
    return 0;
}

int vnfr_adopt(struct cat_vnfr **cur, struct cat_vnfr *answer, const char *what,
               struct pop_error *e)
{
    if (!answer)
        return pop_error_set(e, -EPROTO, API_BAD_GATEWAY, "virtualNetworkFunctionRecord",
                             "%s: no VNFR in the answer", what);
    int r = check_answer(*cur, answer, what, e);
    if (r < 0) {
        cat_vnfr_free(answer);
        return r;
    }
    cat_vnfr_free(*cur);
    *cur = answer;
    return 0;
}

struct cat_vnfc_instance *vnfr_find_vnfc(const struct cat_vnfr *vnfr, const char *id,
                                         const char *hostname, struct cat_vdu **ret_vdu)
{
    for (int by_id = 1; by_id >= 0; by_id--) {
        const char *want = by_id ? id : hostname;
        if (!want)
            continue;
        for (size_t i = 0; i < vnfr->vdu.n; i++) {
            struct cat_vdu *vdu = &vnfr->vdu.v[i];
            for (size_t k = 0; k < vdu->vnfc_instance.n; k++) {
                struct cat_vnfc_instance *vi = &vdu->vnfc_instance.v[k];
                if (str_eq(by_id ? vi->base.id : vi->hostname, want)) {
                    if (ret_vdu)
                        *ret_vdu = vdu;
                    return vi;
                }
            }
        }
    }
    return NULL;
}

struct cat_vnfc_instance *vnfr_new_vnfc(const struct cat_vnfr *before, const struct cat_vnfr *after,
                                        size_t *ret_count)
{
    struct cat_vnfc_instance *found = NULL;
    size_t count = 0;
    for (size_t i = 0; i < after->vdu.n; i++) {
        const struct cat_vdu *vdu = &after->vdu.v[i];
        for (size_t k = 0; k < vdu->vnfc_instance.n; k++) {
            struct cat_vnfc_instance *vi = &vdu->vnfc_instance.v[k];
            /* an instance is old when before has its id, or (no id yet) its hostname */
            bool old = vi->base.id ? vnfr_find_vnfc(before, vi->base.id, NULL, NULL) != NULL
                                   : vnfr_find_vnfc(before, NULL, vi->hostname, NULL) != NULL;
            if (!old) {
                if (!found)
                    found = vi;
                count++;
            }
        }
    }
    if (ret_count)
        *ret_count = count;
    return found;
}
