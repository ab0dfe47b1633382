/* NSD onboarding checks and id assignment (see onboard.h). Errors name the JSON path of the
 * member at fault, as lib/catalogue's decoder does. */
#include "onboard.h"

#include "auth/random.h"
#include "catalogue/catalogue.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PATH_MAX_ 192

static int fail(struct pop_error *e, int r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct pop_error *e, int r, const char *path, const char *fmt, ...)
{
    char msg[POP_ERROR_DETAIL_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return pop_error_set(e, r, r == -E2BIG ? API_BODY_TOO_LARGE : API_INVALID_FIELD, path, "%s: %s",
                         path, msg);
}

/* A JSON path, truncated if it must be (a map key can be long). */
static void pathf(char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void pathf(char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, PATH_MAX_, fmt, ap);
    va_end(ap);
}

static int nomem(struct pop_error *e)
{
    return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
}

/* A name that must be there, not empty, and at most NFVO_NSD_NAME_MAX bytes. */
static int check_name(const char *v, const char *path, struct pop_error *e)
{
    if (!v || !*v)
        return fail(e, -EINVAL, path, "required");
    if (strlen(v) > NFVO_NSD_NAME_MAX)
        return fail(e, -EINVAL, path, "longer than %d bytes", NFVO_NSD_NAME_MAX);
    return 0;
}

static int check_count(size_t n, size_t max, const char *what, const char *path,
                       struct pop_error *e)
{
    if (n > max)
        return fail(e, -E2BIG, path, "%zu %s, more than the %zu allowed", n, what, max);
    return 0;
}

static const struct cat_vld *find_vld(const struct cat_nsd *nsd, const char *name)
{
    for (size_t i = 0; i < nsd->vld.n; i++)
        if (nsd->vld.v[i].name && strcmp(nsd->vld.v[i].name, name) == 0)
            return &nsd->vld.v[i];
    return NULL;
}

static bool has_internal_vl(const struct cat_vnfd *vnfd, const char *name)
{
    for (size_t i = 0; i < vnfd->virtual_link.n; i++)
        if (vnfd->virtual_link.v[i].name && strcmp(vnfd->virtual_link.v[i].name, name) == 0)
            return true;
    return false;
}

static int vnfd_index(const struct cat_nsd *nsd, const char *name)
{
    for (size_t i = 0; i < nsd->vnfd.n; i++)
        if (strcmp(nsd->vnfd.v[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int check_events(const struct cat_lifecycle_event_vec *v, const char *at,
                        struct pop_error *e)
{
    char path[PATH_MAX_];
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i].event == CAT_EVENT_NONE) {
            pathf(path, "%s.lifecycle_event[%zu].event", at, i);
            return fail(e, -EINVAL, path, "required");
        }
    return 0;
}

static int check_vdu(const struct cat_nsd *nsd, const struct cat_vnfd *vnfd, struct cat_vdu *vdu,
                     const char *at, size_t *unnamed, struct pop_error *e)
{
    char path[PATH_MAX_];
    int r;
    if (vdu->name) {
        pathf(path, "%s.name", at);
        if ((r = check_name(vdu->name, path, e)) < 0)
            return r;
    } else {
        /* NFVO 6 names them after the VNFD, counting the unnamed ones. */
        char name[NFVO_NSD_NAME_MAX + 24];
        snprintf(name, sizeof(name), "%s-%zu", vnfd->name, ++*unnamed);
        if (cat_set_str(&vdu->name, name) < 0)
            return nomem(e);
    }
    if (vdu->vm_image.n == 0) {
        pathf(path, "%s.vm_image", at);
        return fail(e, -EINVAL, path, "at least one image is required");
    }
    pathf(path, "%s.vnfc", at);
    if ((r = check_count(vdu->vnfc.n, NFVO_NSD_VNFC_MAX, "VNF components", path, e)) < 0)
        return r;
    if (vdu->scale_in_out.set) {
        pathf(path, "%s.scale_in_out", at);
        if (vdu->scale_in_out.v < 1)
            return fail(e, -EINVAL, path, "%lld: must be at least 1",
                        (long long)vdu->scale_in_out.v);
        if (vdu->scale_in_out.v > NFVO_NSD_SCALE_MAX)
            return fail(e, -EINVAL, path, "%lld: at most %d", (long long)vdu->scale_in_out.v,
                        NFVO_NSD_SCALE_MAX);
        if ((size_t)vdu->scale_in_out.v < vdu->vnfc.n)
            return fail(e, -EINVAL, path, "%lld: below the %zu VNF components of the VDU",
                        (long long)vdu->scale_in_out.v, vdu->vnfc.n);
    }
    if ((r = check_events(&vdu->lifecycle_event, at, e)) < 0)
        return r;
    for (size_t c = 0; c < vdu->vnfc.n; c++) {
        struct cat_vnf_component *vnfc = &vdu->vnfc.v[c];
        pathf(path, "%s.vnfc[%zu].connection_point", at, c);
        if ((r = check_count(vnfc->connection_point.n, NFVO_NSD_CP_MAX, "connection points", path,
                             e)) < 0)
            return r;
        for (size_t p = 0; p < vnfc->connection_point.n; p++) {
            struct cat_connection_point *cp = &vnfc->connection_point.v[p];
            pathf(path, "%s.vnfc[%zu].connection_point[%zu].virtual_link_reference", at, c, p);
            if ((r = check_name(cp->virtual_link_reference, path, e)) < 0)
                return r;
            const struct cat_vld *vld = find_vld(nsd, cp->virtual_link_reference);
            if (!vld && !has_internal_vl(vnfd, cp->virtual_link_reference))
                return fail(e, -EINVAL, path,
                            "'%s' is not a virtual link of the NSD's vld (nor of the VNFD's "
                            "virtual_link)",
                            cp->virtual_link_reference);
            if (vld && vld->pool_name && !cp->chosen_pool &&
                cat_set_str(&cp->chosen_pool, vld->pool_name) < 0)
                return nomem(e);
        }
    }
    return 0;
}

static int check_vnfd(const struct cat_nsd *nsd, size_t i, struct pop_error *e)
{
    struct cat_vnfd *vnfd = &nsd->vnfd.v[i];
    char at[PATH_MAX_], path[PATH_MAX_];
    int r;
    pathf(at, "vnfd[%zu]", i);
    if (vnfd->base.id) {
        pathf(path, "%s.id", at);
        return fail(e, -EINVAL, path,
                    "referencing an onboarded VNFD by id is not supported: send the VNFD "
                    "inline, without an id");
    }
    const struct {
        const char *member, *v;
    } names[] = {{"name", vnfd->name},
                 {"vendor", vnfd->vendor},
                 {"version", vnfd->version},
                 {"type", vnfd->type},
                 {"endpoint", vnfd->endpoint}};
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        pathf(path, "%s.%s", at, names[k].member);
        if ((r = check_name(names[k].v, path, e)) < 0)
            return r;
    }
    for (size_t k = 0; k < i; k++)
        if (strcmp(nsd->vnfd.v[k].name, vnfd->name) == 0) {
            pathf(path, "%s.name", at);
            return fail(e, -EINVAL, path,
                        "'%s' is also the name of vnfd[%zu]: VNFD names "
                        "must be unique in an NSD",
                        vnfd->name, k);
        }
    pathf(path, "%s.virtual_link", at);
    if ((r = check_count(vnfd->virtual_link.n, NFVO_NSD_VLD_MAX, "virtual links", path, e)) < 0)
        return r;
    for (size_t k = 0; k < vnfd->virtual_link.n; k++) {
        pathf(path, "%s.virtual_link[%zu].name", at, k);
        if ((r = check_name(vnfd->virtual_link.v[k].name, path, e)) < 0)
            return r;
    }
    pathf(path, "%s.vdu", at);
    if (vnfd->vdu.n == 0)
        return fail(e, -EINVAL, path, "at least one VDU is required");
    if ((r = check_count(vnfd->vdu.n, NFVO_NSD_VDU_MAX, "VDUs", path, e)) < 0)
        return r;
    if ((r = check_events(&vnfd->lifecycle_event, at, e)) < 0)
        return r;
    size_t unnamed = 0;
    for (size_t k = 0; k < vnfd->vdu.n; k++) {
        pathf(path, "%s.vdu[%zu]", at, k);
        if ((r = check_vdu(nsd, vnfd, &vnfd->vdu.v[k], path, &unnamed, e)) < 0)
            return r;
    }
    return 0;
}

/* Parameters once each, in their first order. */
static int add_params(struct cat_strv *to, const struct cat_strv *from)
{
    for (size_t i = 0; i < from->n; i++)
        if (!cat_strv_contains(to, from->v[i]) && cat_strv_push(to, from->v[i]) < 0)
            return -ENOMEM;
    to->set = true;
    return 0;
}

/* Parameters once each, in their first order, in place. */
static void dedupe(struct cat_strv *v)
{
    size_t w = 0;
    for (size_t i = 0; i < v->n; i++) {
        bool seen = false;
        for (size_t k = 0; k < w && !seen; k++)
            seen = strcmp(v->v[k], v->v[i]) == 0;
        if (seen)
            free(v->v[i]);
        else
            v->v[w++] = v->v[i];
    }
    v->n = w;
}

static int check_params(const struct cat_strv *p, const char *at, struct pop_error *e)
{
    char path[PATH_MAX_];
    int r;
    pathf(path, "%s.parameters", at);
    if (p->n == 0)
        return fail(e, -EINVAL, path, "a dependency needs at least one parameter");
    if ((r = check_count(p->n, NFVO_NSD_PARAM_MAX, "parameters", path, e)) < 0)
        return r;
    for (size_t i = 0; i < p->n; i++) {
        pathf(path, "%s.parameters[%zu]", at, i);
        if ((r = check_name(p->v[i], path, e)) < 0)
            return r;
    }
    return 0;
}

static struct cat_vnf_dependency *find_dep(struct cat_vnf_dependency_vec *v, size_t before,
                                           const char *source, const char *target)
{
    for (size_t i = 0; i < before; i++)
        if (strcmp(v->v[i].source, source) == 0 && strcmp(v->v[i].target, target) == 0)
            return &v->v[i];
    return NULL;
}

static int check_endpoints(const struct cat_nsd *nsd, const char *source, const char *target,
                           const char *at_source, const char *at_target, struct pop_error *e)
{
    if (vnfd_index(nsd, source) < 0)
        return fail(e, -EINVAL, at_source, "no VNFD named '%s' in the NSD", source);
    if (vnfd_index(nsd, target) < 0)
        return fail(e, -EINVAL, at_target, "no VNFD named '%s' in the NSD", target);
    if (strcmp(source, target) == 0)
        return fail(e, -EINVAL, at_source, "'%s' cannot depend on itself", source);
    return 0;
}

/* vnf_dependency checked and merged, then each VNFD's requires merged in (§4.1). */
static int merge_dependencies(struct cat_nsd *nsd, struct pop_error *e)
{
    struct cat_vnf_dependency_vec *deps = &nsd->vnf_dependency;
    char at[PATH_MAX_], p1[PATH_MAX_], p2[PATH_MAX_];
    int r;
    /* i is the index in the document (for messages), k the one after earlier merges. */
    for (size_t i = 0, k = 0; k < deps->n; i++) {
        struct cat_vnf_dependency *d = &deps->v[k];
        pathf(at, "vnf_dependency[%zu]", i);
        pathf(p1, "%s.source", at);
        pathf(p2, "%s.target", at);
        if ((r = check_name(d->source, p1, e)) < 0 || (r = check_name(d->target, p2, e)) < 0 ||
            (r = check_endpoints(nsd, d->source, d->target, p1, p2, e)) < 0 ||
            (r = check_params(&d->parameters, at, e)) < 0)
            return r;
        struct cat_vnf_dependency *first = find_dep(deps, k, d->source, d->target);
        if (first) {
            if (add_params(&first->parameters, &d->parameters) < 0)
                return nomem(e);
            CAT_VEC_REMOVE(&cat_vnf_dependency_class, deps, k);
            continue;
        }
        dedupe(&d->parameters);
        k++;
    }
    for (size_t i = 0; i < nsd->vnfd.n; i++) {
        const struct cat_vnfd *vnfd = &nsd->vnfd.v[i];
        for (size_t q = 0; q < vnfd->requires.n; q++) {
            const struct cat_requires_map_entry *req = &vnfd->requires.v[q];
            pathf(at, "vnfd[%zu].requires", i);
            pathf(p1, "%s.%s", at, req->key);
            if ((r = check_endpoints(nsd, req->key, vnfd->name, p1, p1, e)) < 0)
                return r;
            if (req->value.parameters.n == 0) /* NFVO 6 skips it */
                continue;
            if ((r = check_params(&req->value.parameters, p1, e)) < 0)
                return r;
            struct cat_vnf_dependency *d = find_dep(deps, deps->n, req->key, vnfd->name);
            if (!d) {
                if ((r = check_count(deps->n + 1, NFVO_NSD_DEP_MAX, "dependencies",
                                     "vnf_dependency", e)) < 0)
                    return r;
                if (!(d = CAT_VEC_PUSH(deps)))
                    return nomem(e);
                if (cat_set_str(&d->source, req->key) < 0 ||
                    cat_set_str(&d->target, vnfd->name) < 0)
                    return nomem(e);
            }
            if (add_params(&d->parameters, &req->value.parameters) < 0)
                return nomem(e);
        }
    }
    return check_count(deps->n, NFVO_NSD_DEP_MAX, "dependencies", "vnf_dependency", e);
}

/* NFVO 6 accepts cycles and marks every VNFD on one (NSDUtils.fetchDependencies): reach[i] is
 * the set of VNFDs reachable from i (at most 64 of them, one bit each). */
static void mark_cycles(struct cat_nsd *nsd)
{
    uint64_t reach[NFVO_NSD_VNFD_MAX] = {0};
    size_t n = nsd->vnfd.n;
    for (size_t i = 0; i < nsd->vnf_dependency.n; i++) {
        const struct cat_vnf_dependency *d = &nsd->vnf_dependency.v[i];
        reach[vnfd_index(nsd, d->source)] |= UINT64_C(1) << vnfd_index(nsd, d->target);
    }
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < n; i++)
            if (reach[i] & (UINT64_C(1) << k))
                reach[i] |= reach[k];
    for (size_t i = 0; i < n; i++)
        if (reach[i] & (UINT64_C(1) << i))
            nsd->vnfd.v[i].cyclic_dependency = (struct cat_bool){.v = true, .set = true};
}

int nfvo_nsd_check(struct cat_nsd *nsd, struct pop_error *e)
{
    const struct {
        const char *member, *v;
    } names[] = {{"name", nsd->name}, {"vendor", nsd->vendor}, {"version", nsd->version}};
    int r;
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if ((r = check_name(names[k].v, names[k].member, e)) < 0)
            return r;
    if (nsd->base.id)
        return fail(e, -EINVAL, "id", "assigned by the NFVO: leave it out");
    if (nsd->vnfd.n == 0)
        return fail(e, -EINVAL, "vnfd", "at least one VNFD is required");
    if ((r = check_count(nsd->vnfd.n, NFVO_NSD_VNFD_MAX, "VNFDs", "vnfd", e)) < 0 ||
        (r = check_count(nsd->vld.n, NFVO_NSD_VLD_MAX, "virtual links", "vld", e)) < 0)
        return r;
    char path[PATH_MAX_];
    for (size_t i = 0; i < nsd->vld.n; i++) {
        pathf(path, "vld[%zu].name", i);
        if ((r = check_name(nsd->vld.v[i].name, path, e)) < 0)
            return r;
    }
    for (size_t i = 0; i < nsd->vnfd.n; i++)
        if ((r = check_vnfd(nsd, i, e)) < 0)
            return r;
    if ((r = merge_dependencies(nsd, e)) < 0)
        return r;
    mark_cycles(nsd);
    return 0;
}

static int give_id(struct cat_entity *ent, void *ud)
{
    (void)ud;
    if (!ent->id) {
        char id[37];
        int r = auth_uuid4(id);
        if (r < 0)
            return r;
        if (cat_set_str(&ent->id, id) < 0)
            return -ENOMEM;
    }
    if (!ent->hb_version.set)
        ent->hb_version = (struct cat_int){.v = 0, .set = true};
    return 0;
}

int nfvo_nsd_assign(struct cat_nsd *nsd, const char *project, int64_t now, struct pop_error *e)
{
    int r = cat_foreach_entity(&cat_nsd_class, nsd, give_id, NULL);
    if (r < 0)
        return r == -ENOMEM ? nomem(e)
                            : pop_error_set(e, r, API_INTERNAL, NULL, "no randomness available");
    /* NFVO 6's SimpleDateFormat("yyyy.MM.dd 'at' HH:mm:ss z"), here always in UTC. */
    char date[48];
    time_t t = (time_t)now;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(date, sizeof(date), "%Y.%m.%d at %H:%M:%S UTC", &tm) == 0)
        return pop_error_set(e, -EINVAL, API_INTERNAL, NULL, "the clock is out of range");
    bool ok = cat_set_str(&nsd->base.project_id, project) == 0 &&
              cat_set_str(&nsd->created_at, date) == 0 && cat_set_str(&nsd->updated_at, date) == 0;
    nsd->enabled = (struct cat_bool){.v = true, .set = true};
    for (size_t i = 0; ok && i < nsd->vnfd.n; i++) {
        struct cat_vnfd *vnfd = &nsd->vnfd.v[i];
        ok = cat_set_str(&vnfd->base.project_id, project) == 0 &&
             cat_set_str(&vnfd->created_at, date) == 0 && cat_set_str(&vnfd->updated_at, date) == 0;
        for (size_t k = 0; ok && k < vnfd->vdu.n; k++)
            ok = cat_set_str(&vnfd->vdu.v[k].base.project_id, project) == 0;
    }
    for (size_t i = 0; ok && i < nsd->vnf_dependency.n; i++) {
        struct cat_vnf_dependency *d = &nsd->vnf_dependency.v[i];
        const struct cat_vnfd *src = cat_nsd_find_vnfd(nsd, d->source);
        const struct cat_vnfd *dst = cat_nsd_find_vnfd(nsd, d->target);
        ok = src && dst && cat_set_str(&d->source_id, src->base.id) == 0 &&
             cat_set_str(&d->target_id, dst->base.id) == 0;
    }
    return ok ? 0 : nomem(e);
}

int nfvo_nsd_onboard(const char *body, size_t len, const char *project, int64_t now,
                     struct cat_nsd **ret, struct pop_error *e)
{
    json_t *doc = NULL;
    int r = cat_parse(body, len, &doc, e);
    if (r < 0)
        return r;
    /* A VNFD referenced as {"id": ...} would otherwise be refused as missing its name. */
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get(doc, "vnfd"), i, v)
        if (json_is_object(v) && json_object_get(v, "id") &&
            !json_is_null(json_object_get(v, "id"))) {
            char path[PATH_MAX_];
            pathf(path, "vnfd[%zu].id", i);
            json_decref(doc);
            return fail(e, -EINVAL, path,
                        "referencing an onboarded VNFD by id is not supported: send the VNFD "
                        "inline, without an id");
        }
    struct cat_nsd *nsd = NULL;
    r = cat_nsd_from_json(doc, CAT_DEC_REQUIRED, &nsd, e);
    json_decref(doc);
    if (r < 0)
        return r;
    if ((r = nfvo_nsd_check(nsd, e)) < 0 || (r = nfvo_nsd_assign(nsd, project, now, e)) < 0) {
        cat_nsd_free(nsd);
        return r;
    }
    *ret = nsd;
    return 0;
}
