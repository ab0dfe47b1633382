/* Networks (virtual links): listNetworks, getNetworkById, createNetwork, deleteNetwork over
 * popd-rest's /v1/networks. A Pop network has exactly one IPv4 subnet. */
#include <errno.h>
#include <string.h>

#include "core/strbuf.h"
#include "vimd-int.h"
#include "json/cleanup.h"

int vimd_fetch_networks(struct vimd_call *c, struct cat_network_vec *out, struct pop_error *err)
{
    _cleanup_json_ json_t *reply = NULL;
    const json_t *list;
    int r;
    if ((r = vimd_pop(c, "GET", "/v1/networks", NULL, &reply, NULL, err)) < 0 ||
        (r = vimd_pop_list(reply, "network", &list, err)) < 0)
        return r;
    size_t i;
    const json_t *n;
    out->set = true;
    json_array_foreach (list, i, n) {
        struct cat_network *x = CAT_VEC_PUSH(out);
        if (!x)
            return pop_error_set(err, -E2BIG, API_INTERNAL, NULL, "too many networks");
        if ((r = vimd_network_from_pop(n, x, err)) < 0)
            return r;
    }
    return 0;
}

int vimd_list_networks(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    int r = vimd_call_open(d, params, &c, err);
    if (r < 0)
        return r;
    struct cat_vim *scratch = cat_vim_new();
    if (!scratch)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    if ((r = vimd_fetch_networks(&c, &scratch->networks, err)) == 0) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < scratch->networks.n; i++)
            if (json_array_append_new(a, cat_network_to_json(&scratch->networks.v[i], 0)) < 0) {
                json_decref(a);
                a = NULL;
            }
        if (!a)
            r = pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
        else
            *ret = a;
    }
    cat_vim_free(scratch);
    return r;
}

/* The network popd-rest knows by ref (id or name) as answer JSON. */
static int network_answer(const json_t *pop_network, json_t **ret, struct pop_error *err)
{
    struct cat_network *n = cat_network_new();
    if (!n)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    int r = vimd_network_from_pop(pop_network, n, err);
    json_t *answer = r < 0 ? NULL : cat_network_to_json(n, 0);
    cat_network_free(n);
    if (r < 0)
        return r;
    if (!answer)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    *ret = answer;
    return 0;
}

int vimd_get_network(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    const char *id;
    int r;
    if ((r = vimd_call_open(d, params, &c, err)) < 0 ||
        (r = vimd_param_ref(params, 1, "network id", &id, err)) < 0)
        return r;
    struct strbuf path = STRBUF_INIT;
    _cleanup_json_ json_t *reply = NULL;
    if ((r = vimd_path(&path, "/v1/networks/", id, NULL)) == 0)
        r = vimd_pop(&c, "GET", strbuf_str(&path), NULL, &reply, NULL, err);
    else
        pop_error_set(err, r, API_INTERNAL, NULL, NULL);
    strbuf_done(&path);
    return r < 0 ? r : network_answer(reply, ret, err);
}

/* The network called name on the Pop: 0 and a new reference in *ret, -ENOENT (none, nothing
 * recorded), or a failure in err. */
static int network_by_name(struct vimd_call *c, const char *name, json_t **ret,
                           struct pop_error *err)
{
    struct strbuf path = STRBUF_INIT;
    _cleanup_json_ json_t *reply = NULL;
    int r = vimd_path(&path, "/v1/networks?name=", name, NULL);
    if (r < 0) {
        strbuf_done(&path);
        return pop_error_set(err, r, API_INTERNAL, NULL, NULL);
    }
    r = vimd_pop(c, "GET", strbuf_str(&path), NULL, &reply, NULL, err);
    strbuf_done(&path);
    const json_t *list;
    if (r < 0 || (r = vimd_pop_list(reply, "network", &list, err)) < 0)
        return r;
    json_t *n = json_array_get(list, 0);
    if (!n)
        return -ENOENT;
    *ret = json_incref(n);
    return 0;
}

/* The subnet the NFVO asks for, from whichever class it sent: a DockerNetwork's `subnet` and
 * `gateway`, or an OpenStack Network's one Subnet (`cidr`, `gatewayIp`). */
static int wanted_subnet(const struct cat_network *n, const char **ret_cidr,
                         const char **ret_gateway, struct pop_error *err)
{
    *ret_cidr = n->subnet;
    *ret_gateway = n->gateway;
    if (!n->subnet && n->subnets.n > 1)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters[1].subnets",
                             "parameters[1].subnets: a Pop network has one subnet, not %zu",
                             n->subnets.n);
    if (!n->subnet && n->subnets.n == 1) {
        *ret_cidr = n->subnets.v[0].cidr;
        *ret_gateway = n->subnets.v[0].gateway_ip;
    }
    return 0;
}

/* The NFVO's network back with what the Pop made of it, in the class it was sent as (a
 * GenericVimInstance keeps only name and extId of a BaseNetwork, §11.13): extId always, and
 * the real subnet where the class has one. */
static int created_answer(struct cat_network *asked, const json_t *pop_network, json_t **ret,
                          struct pop_error *err)
{
    struct cat_network real = {0};
    int r = vimd_network_from_pop(pop_network, &real, err);
    if (r < 0) {
        cat_network_clear(&real);
        return r;
    }
    enum cat_network_class cls = cat_network_class_of(asked);
    r = cat_set_str(&asked->ext_id, real.ext_id);
    if (r == 0 && cls == CAT_NETWORK_DOCKER && (r = cat_set_str(&asked->subnet, real.subnet)) == 0)
        r = cat_set_str(&asked->gateway, real.gateway);
    if (r == 0 && cls == CAT_NETWORK_OPENSTACK) {
        struct cat_subnet *sn = &asked->subnets.v[0];
        if ((r = cat_set_str(&sn->cidr, real.subnet)) == 0 &&
            (r = cat_set_str(&sn->gateway_ip, real.gateway)) == 0)
            r = cat_set_str(&sn->network_id, real.ext_id);
    }
    cat_network_clear(&real);
    json_t *answer = r < 0 ? NULL : cat_network_to_json(asked, 0);
    if (!answer)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    *ret = answer;
    return 0;
}

int vimd_create_network(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    int r;
    if ((r = vimd_call_open(d, params, &c, err)) < 0)
        return r;
    const json_t *p1;
    if ((r = vimd_param_object(params, 1, "network", false, &p1, err)) < 0)
        return r;
    struct cat_network *asked = NULL;
    if ((r = cat_network_from_json_at(p1, "parameters[1]", 0, &asked, err)) < 0)
        return r;
    const char *cidr = NULL, *gateway = NULL;
    if (!asked->name || !*asked->name)
        r = pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters[1].name",
                          "parameters[1].name: required (the virtual link's name)");
    else
        r = wanted_subnet(asked, &cidr, &gateway, err);
    if (r < 0) {
        cat_network_free(asked);
        return r;
    }
    /* An existing network of that name is the one asked for (the NFVO creates a network per
     * virtual link and may ask again after a redelivery or a second grant): never a
     * duplicate. Lost race with another creator: popd-rest's 409, then the winner's. */
    _cleanup_json_ json_t *existing = NULL;
    r = network_by_name(&c, asked->name, &existing, err);
    if (r == -ENOENT) {
        _cleanup_json_ json_t *body = json_pack("{s:s}", "name", asked->name);
        if (!body || (cidr && json_object_set_new(body, "cidr", json_string(cidr)) < 0) ||
            (gateway && json_object_set_new(body, "gateway", json_string(gateway)) < 0))
            r = pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
        else {
            long status = 0;
            r = vimd_pop(&c, "POST", "/v1/networks", body, &existing, &status, err);
            if (r < 0 && status == 409 && strcmp(err->field, "name") == 0) {
                struct pop_error again = POP_ERROR_INIT;
                if (network_by_name(&c, asked->name, &existing, &again) == 0)
                    r = 0;
            }
        }
    }
    if (r == 0)
        r = created_answer(asked, existing, ret, err);
    cat_network_free(asked);
    return r;
}

int vimd_delete_network(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    const char *id;
    int r;
    if ((r = vimd_call_open(d, params, &c, err)) < 0 ||
        (r = vimd_param_ref(params, 1, "network extId", &id, err)) < 0)
        return r;
    struct strbuf path = STRBUF_INIT;
    long status = 0;
    if ((r = vimd_path(&path, "/v1/networks/", id, NULL)) == 0)
        r = vimd_pop(&c, "DELETE", strbuf_str(&path), NULL, NULL, &status, err);
    else
        pop_error_set(err, r, API_INTERNAL, NULL, NULL);
    strbuf_done(&path);
    /* Gone already is what was asked: a redelivered delete must not fail. */
    if (r < 0 && status == 404)
        r = 0;
    if (r < 0)
        return r;
    *ret = json_true();
    return 0;
}
