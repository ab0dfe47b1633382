/* The NFVO's side of the records for the VNFM's unit tests (standin.h), written from the
 * reference (§3.6, §3.7, §5.1, §5.2, §11.7, §11.15). */
#include "standin.h"

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof(buf), f, ap);
    va_end(ap);
    char *s = strdup(buf);
    assert_non_null(s);
    return s;
}

void standin_ipam_done(struct standin_ipam *ipam)
{
    for (size_t i = 0; i < 8; i++)
        free(ipam->net[i]);
    memset(ipam, 0, sizeof(*ipam));
}

char *standin_next_ip(struct standin_ipam *ipam, const char *net)
{
    size_t i = 0;
    while (i < 8 && ipam->net[i] && strcmp(ipam->net[i], net) != 0)
        i++;
    assert_true(i < 8);
    if (!ipam->net[i]) {
        ipam->net[i] = strdup(net);
        ipam->next[i] = 2;
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "10.%zu.0.%d", i + 1, ipam->next[i]++);
    return strdup(buf);
}

/* An id and hbVersion for one entity of a stored descriptor. */
static void stamp(struct cat_entity *b, unsigned *counter)
{
    free(b->id);
    b->id = fmt("ob-%u", ++*counter);
    b->hb_version = (struct cat_int){.v = 0, .set = true};
}

static void stamp_cps(struct cat_connection_point_vec *cps, unsigned *c)
{
    for (size_t i = 0; i < cps->n; i++)
        stamp(&cps->v[i].base, c);
}

static void stamp_events(struct cat_lifecycle_event_vec *ev, unsigned *c)
{
    for (size_t i = 0; i < ev->n; i++)
        stamp(&ev->v[i].base, c);
}

/* The NFVO stores every part of an onboarded VNFD as an entity: all of them get ids. */
static void onboard(struct cat_nsd *nsd)
{
    unsigned c = 0;
    for (size_t i = 0; i < nsd->vnfd.n; i++) {
        struct cat_vnfd *d = &nsd->vnfd.v[i];
        stamp(&d->base, &c);
        free(d->base.id);
        d->base.id = fmt("vnfd-%s", d->name);
        stamp_events(&d->lifecycle_event, &c);
        stamp_cps(&d->connection_point, &c);
        if (d->configurations) {
            stamp(&d->configurations->base, &c);
            for (size_t k = 0; k < d->configurations->configuration_parameters.n; k++)
                stamp(&d->configurations->configuration_parameters.v[k].base, &c);
        }
        for (size_t k = 0; k < d->virtual_link.n; k++)
            stamp(&d->virtual_link.v[k].base, &c);
        for (size_t k = 0; k < d->deployment_flavour.n; k++)
            stamp(&d->deployment_flavour.v[k].base, &c);
        for (size_t k = 0; k < d->auto_scale_policy.n; k++) {
            struct cat_auto_scale_policy *p = &d->auto_scale_policy.v[k];
            stamp(&p->base, &c);
            for (size_t a = 0; a < p->alarms.n; a++)
                stamp(&p->alarms.v[a].base, &c);
            for (size_t a = 0; a < p->actions.n; a++)
                stamp(&p->actions.v[a].base, &c);
        }
        for (size_t k = 0; k < d->vdu.n; k++) {
            struct cat_vdu *u = &d->vdu.v[k];
            stamp(&u->base, &c);
            free(u->base.id);
            u->base.id = fmt("vdu-%s-%zu", d->name, k);
            stamp_events(&u->lifecycle_event, &c);
            for (size_t m = 0; m < u->vnfc.n; m++) {
                stamp(&u->vnfc.v[m].base, &c);
                stamp_cps(&u->vnfc.v[m].connection_point, &c);
            }
            for (size_t m = 0; m < u->fault_management_policy.n; m++) {
                struct cat_fault_policy *f = &u->fault_management_policy.v[m];
                stamp(&f->base, &c);
                for (size_t a = 0; a < f->criteria.n; a++)
                    stamp(&f->criteria.v[a].base, &c);
            }
            if (u->high_availability)
                stamp(&u->high_availability->base, &c);
        }
    }
}

struct cat_nsd *standin_onboard_text(const char *text)
{
    struct cat_nsd *nsd = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (cat_nsd_parse(text, strlen(text), 0, &nsd, &e) < 0)
        fail_msg("NSD: %s", e.detail);
    onboard(nsd);
    return nsd;
}

struct cat_nsd *standin_onboard_fixture(const char *rel)
{
    char *text = read_fixture(rel, NULL);
    struct cat_nsd *nsd = standin_onboard_text(text);
    free(text);
    return nsd;
}

struct cat_vnfr *standin_build(const struct cat_nsd *nsd, const struct cat_vnfd *vnfd)
{
    struct cat_vlr_vec vlrs = {0};
    for (size_t i = 0; i < nsd->vld.n; i++) {
        struct cat_vlr *l = CAT_VEC_PUSH(&vlrs);
        assert_non_null(l);
        l->name = strdup(nsd->vld.v[i].name);
        l->ext_id = fmt("net-%s", nsd->vld.v[i].name);
    }
    struct cat_strmap ext = {0};
    assert_int_equal(cat_strmap_set(&ext, "nsr-id", "nsr-1"), 0);
    assert_int_equal(cat_strmap_set(&ext, "brokerIp", "127.0.0.1"), 0);
    json_t *vims = json_object();
    for (size_t i = 0; i < vnfd->vdu.n; i++)
        json_object_set_new(vims, vnfd->vdu.v[i].base.id,
                            json_pack("[{s:s, s:s, s:s}]", "name", "pop1", "type", "pop", "authUrl",
                                      "http://pop1:60000"));
    const char *flavour = vnfd->deployment_flavour.n ? vnfd->deployment_flavour.v[0].flavour_key
                                                     : vnfd->vdu.v[0].computation_requirement;
    struct vnfr_build_in in = {.vnfd = vnfd,
                               .flavour_key = flavour,
                               .vlrs = &vlrs,
                               .extension = &ext,
                               .vim_instances = vims};
    struct cat_vnfr *vnfr = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (vnfr_build(&in, &vnfr, &e) < 0)
        fail_msg("vnfr_build %s: %s", vnfd->name, e.detail);
    for (size_t i = 0; i < vlrs.n; i++)
        cat_vlr_clear(&vlrs.v[i]);
    free(vlrs.v);
    for (size_t i = 0; i < ext.n; i++) {
        free(ext.v[i].key);
        free(ext.v[i].value);
    }
    free(ext.v);
    json_decref(vims);
    return vnfr;
}

void standin_grant(struct cat_vnfr *vnfr)
{
    vnfr->base.id = fmt("vnfr-%s", vnfr->name);
    vnfr->base.hb_version = (struct cat_int){.v = 1, .set = true};
    for (size_t i = 0; i < vnfr->vdu.n; i++) {
        struct cat_vdu *vdu = &vnfr->vdu.v[i];
        vdu->base.id = fmt("vnfrvdu-%s-%zu", vnfr->name, i);
        vdu->base.hb_version = (struct cat_int){.v = 1, .set = true};
        for (size_t k = 0; k < vdu->vnfc.n; k++) {
            vdu->vnfc.v[k].base.id = fmt("vnfc-%s-%zu-%zu", vnfr->name, i, k);
            for (size_t c = 0; c < vdu->vnfc.v[k].connection_point.n; c++) {
                struct cat_connection_point *cp = &vdu->vnfc.v[k].connection_point.v[c];
                cp->virtual_link_reference_id = fmt("net-%s", cp->virtual_link_reference);
            }
        }
    }
    struct cat_history_event *h = CAT_VEC_PUSH(&vnfr->lifecycle_event_history);
    assert_non_null(h);
    h->base.id = strdup("history-granted");
    h->event = strdup("GRANTED");
    h->description = strdup("All the resources that are contained in this VNFR were granted");
    h->executed_at = strdup("2024.05.01 at 10:00:00 CEST");
}

static size_t count_instances(const struct cat_vnfr *vnfr)
{
    size_t n = 0;
    for (size_t i = 0; i < vnfr->vdu.n; i++)
        n += vnfr->vdu.v[i].vnfc_instance.n;
    return n;
}

static struct cat_vnfc_instance *add_instance(struct standin_ipam *ipam, struct cat_vnfr *vnfr,
                                              struct cat_vdu *vdu,
                                              const struct cat_vnf_component *comp)
{
    size_t n = count_instances(vnfr) + 1;
    struct cat_vnfc_instance *vi = CAT_VEC_PUSH(&vdu->vnfc_instance);
    assert_non_null(vi);
    vi->base.id = fmt("%s-vnfci-%zu", vnfr->name, n);
    vi->hostname = fmt("%s-%zu", vnfr->name, n);
    vi->vim_id = strdup("vim-pop1");
    vi->vc_id = fmt("ctr-%s-%zu", vnfr->name, n);
    vi->state = strdup("CREATED");
    assert_int_equal(cat_vnf_component_dup(comp, &vi->vnf_component), 0);
    vi->ips.set = vi->floating_ips.set = vi->connection_point.set = true;
    for (size_t c = 0; c < comp->connection_point.n; c++) {
        const char *net = comp->connection_point.v[c].virtual_link_reference;
        struct cat_connection_point *cp = CAT_VEC_PUSH(&vi->connection_point);
        cp->virtual_link_reference = strdup(net);
        cp->type = strdup(net);
        struct cat_ip *ip = CAT_VEC_PUSH(&vi->ips);
        ip->net_name = strdup(net);
        ip->ip = standin_next_ip(ipam, net);
    }
    return vi;
}

void standin_allocate(struct standin_ipam *ipam, struct cat_vnfr *vnfr)
{
    for (size_t i = 0; i < vnfr->vdu.n; i++) {
        struct cat_vdu *vdu = &vnfr->vdu.v[i];
        for (size_t k = 0; k < vdu->vnfc.n; k++)
            add_instance(ipam, vnfr, vdu, &vdu->vnfc.v[k]);
    }
}

struct cat_vnfc_instance *standin_scale_out(struct standin_ipam *ipam, struct cat_vnfr *vnfr)
{
    struct cat_vdu *vdu = &vnfr->vdu.v[0];
    struct cat_vnf_component copy = {0}, *tmp = NULL;
    assert_int_equal(cat_vnf_component_dup(&vdu->vnfc.v[0], &tmp), 0);
    copy = *tmp;
    free(tmp);
    free(copy.base.id);
    copy.base.id = fmt("vnfc-%s-scaled-%zu", vnfr->name, vdu->vnfc.n);
    struct cat_vnf_component *slot = CAT_VEC_PUSH(&vdu->vnfc);
    assert_non_null(slot);
    *slot = copy;
    return add_instance(ipam, vnfr, vdu, slot);
}

struct cat_vnfr *standin_find(struct cat_vnfr *const *vnfrs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(vnfrs[i]->name, name) == 0)
            return vnfrs[i];
    fail_msg("no VNFR %s", name);
    return NULL;
}

static struct cat_dep_params *dep_params_at(struct cat_dep_params_map *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].key, key) == 0)
            return &m->v[i].value;
    struct cat_dep_params_map_entry *en = CAT_VEC_PUSH(m);
    assert_non_null(en);
    en->key = strdup(key);
    en->value.parameters.set = true;
    return &en->value;
}

static struct cat_vnfc_dep_params *vnfc_params_at(struct cat_vnfc_dep_params_map *m,
                                                  const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].key, key) == 0)
            return &m->v[i].value;
    struct cat_vnfc_dep_params_map_entry *en = CAT_VEC_PUSH(m);
    assert_non_null(en);
    en->key = strdup(key);
    en->value.parameters.set = true;
    return &en->value;
}

static bool has_key(const struct cat_strmap *keys, const char *k)
{
    return cat_strmap_get(keys, k) != NULL;
}

/* §5.2 for one source VNFC: the asked-for keys among its addresses and hostname. */
static void fill_vnfc(struct cat_strmap *out, const struct cat_strmap *asked,
                      const struct cat_vnfc_instance *vi)
{
    out->set = true;
    for (size_t i = 0; i < vi->ips.n; i++)
        if (!asked || has_key(asked, vi->ips.v[i].net_name))
            cat_strmap_set(out, vi->ips.v[i].net_name, vi->ips.v[i].ip);
    for (size_t i = 0; i < vi->floating_ips.n; i++) {
        char k[300];
        snprintf(k, sizeof(k), "%s_floatingIp", vi->floating_ips.v[i].net_name);
        if (!asked || has_key(asked, k))
            cat_strmap_set(out, k, vi->floating_ips.v[i].ip);
    }
    if (!asked || has_key(asked, "hostname"))
        cat_strmap_set(out, "hostname", vi->hostname);
}

struct cat_vnfr_dependency *standin_record(const struct cat_nsd *nsd, struct cat_vnfr *const *vnfrs,
                                           size_t n, const char *target)
{
    struct cat_vnfr_dependency *rec = cat_vnfr_dependency_new();
    assert_non_null(rec);
    rec->base.id = fmt("dep-%s", target);
    rec->base.hb_version = (struct cat_int){.v = 2, .set = true};
    rec->target = strdup(target);
    rec->parameters.set = rec->vnfc_parameters.set = rec->id_type.set = true;
    /* §5.1: the init loop leaves one empty entry under the last VNFD's type (§11.7) */
    vnfc_params_at(&rec->vnfc_parameters, nsd->vnfd.v[nsd->vnfd.n - 1].type);
    bool any = false;
    for (size_t d = 0; d < nsd->vnf_dependency.n; d++) {
        const struct cat_vnf_dependency *dep = &nsd->vnf_dependency.v[d];
        if (strcmp(dep->target, target) != 0)
            continue;
        any = true;
        const struct cat_vnfr *src = standin_find(vnfrs, n, dep->source);
        cat_strmap_set(&rec->id_type, src->name, src->type);
        struct cat_dep_params *p = dep_params_at(&rec->parameters, src->type);
        for (size_t k = 0; k < dep->parameters.n; k++) {
            const char *key = dep->parameters.v[k];
            /* §5.2: provides, overridden by configurations, else "" */
            const char *v = src->provides ? cat_configuration_get(src->provides, key) : NULL;
            const char *c =
                src->configurations ? cat_configuration_get(src->configurations, key) : NULL;
            if (c)
                v = c;
            if (!cat_strmap_get(&p->parameters, key) || (v && *v))
                cat_strmap_set(&p->parameters, key, v ? v : "");
        }
    }
    assert_true(any);
    for (size_t i = 0; i < rec->parameters.n; i++) {
        const char *type = rec->parameters.v[i].key;
        const struct cat_strmap *asked = &rec->parameters.v[i].value.parameters;
        struct cat_vnfc_dep_params *vp = vnfc_params_at(&rec->vnfc_parameters, type);
        for (size_t s = 0; s < n; s++) {
            const struct cat_vnfr *src = vnfrs[s];
            if (!cat_strmap_get(&rec->id_type, src->name))
                continue;
            for (size_t u = 0; u < src->vdu.n; u++)
                for (size_t k = 0; k < src->vdu.v[u].vnfc_instance.n; k++) {
                    const struct cat_vnfc_instance *vi = &src->vdu.v[u].vnfc_instance.v[k];
                    if (strcmp(src->type, type) != 0)
                        continue;
                    struct cat_dep_params *dp = dep_params_at(&vp->parameters, vi->base.id);
                    fill_vnfc(&dp->parameters, asked, vi);
                }
        }
    }
    return rec;
}

struct cat_vnfr_dependency *standin_partial(const struct cat_vnfr_dependency *stored,
                                            const struct cat_vnfr *source,
                                            const struct cat_vnfc_instance *vi)
{
    struct cat_vnfr_dependency *rec = cat_vnfr_dependency_new();
    assert_non_null(rec);
    rec->target = strdup(stored->target);
    rec->parameters.set = rec->vnfc_parameters.set = rec->id_type.set = true;
    for (size_t i = 0; i < stored->id_type.n; i++)
        cat_strmap_set(&rec->id_type, stored->id_type.v[i].key, stored->id_type.v[i].value);
    for (size_t i = 0; i < stored->parameters.n; i++) {
        if (strcmp(stored->parameters.v[i].key, source->type) != 0)
            continue;
        struct cat_dep_params *p = dep_params_at(&rec->parameters, source->type);
        const struct cat_strmap *m = &stored->parameters.v[i].value.parameters;
        for (size_t k = 0; k < m->n; k++)
            cat_strmap_set(&p->parameters, m->v[k].key, m->v[k].value);
    }
    struct cat_vnfc_dep_params *vp = vnfc_params_at(&rec->vnfc_parameters, source->type);
    fill_vnfc(&dep_params_at(&vp->parameters, vi->base.id)->parameters, NULL, vi);
    return rec;
}

json_t *standin_env(const struct cat_vnfr_dependency *rec, const struct cat_vnfr *target)
{
    struct dep_state *st = dep_state_new();
    struct pop_error e = POP_ERROR_INIT;
    assert_non_null(st);
    if (dep_state_apply(st, rec, "vnfrd", &e) < 0)
        fail_msg("apply: %s", e.detail);
    json_t *env = NULL;
    if (dep_env(st, target, &env, NULL, &e) < 0)
        fail_msg("env: %s", e.detail);
    dep_state_free(st);
    return env;
}

json_t *standin_env_text(const char *lines)
{
    json_t *o = json_object();
    const char *p = lines;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        assert_non_null(eq);
        char *k = strndup(p, (size_t)(eq - p));
        char *v = strndup(eq + 1, len - (size_t)(eq - p) - 1);
        assert_null(json_object_get(o, k)); /* each name once */
        json_object_set_new(o, k, json_string(v));
        free(k);
        free(v);
        p += len + (nl ? 1 : 0);
    }
    return o;
}

struct cat_strmap *standin_strmap(const json_t *o)
{
    struct cat_strmap *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    m->set = true;
    const char *k;
    json_t *v;
    if (o)
        json_object_foreach ((json_t *)o, k, v)
            assert_int_equal(cat_strmap_set(m, k, json_string_value(v)), 0);
    return m;
}

void standin_strmap_free(struct cat_strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].key);
        free(m->v[i].value);
    }
    free(m->v);
    free(m);
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct cat_strmap_entry *)a)->key,
                  ((const struct cat_strmap_entry *)b)->key);
}

void standin_patch(struct cat_strmap *md, const json_t *patch)
{
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)patch, k, v) {
        if (*json_string_value(v))
            assert_int_equal(cat_strmap_set(md, k, json_string_value(v)), 0);
        else
            cat_strmap_del(md, k);
    }
    /* popd-rest keeps a container's metadata sorted by key, and answers it so */
    if (md->n > 1)
        qsort(md->v, md->n, sizeof(md->v[0]), cmp_entry);
}
