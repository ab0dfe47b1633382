/* Servers (containers): listServer, launchInstanceAndWait (popd-rest Create: addresses
 * reserved, nothing started) and deleteServerByIdAndWait. A launch is idempotent by hostname,
 * because delivery is at least once: a redelivered launch finds the container the first one
 * created and answers it, and duplicates running at the same time in this process wait for
 * each other on the hostname's mark instead of racing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/lockset.h"
#include "core/strbuf.h"
#include "popc/popc.h"
#include "vimd-int.h"
#include "json/cleanup.h"

int vimd_list_servers(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    int r = vimd_call_open(d, params, &c, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *reply = NULL;
    const json_t *list;
    if ((r = vimd_pop(&c, "GET", "/v1/containers", NULL, &reply, NULL, err)) < 0 ||
        (r = vimd_pop_list(reply, "container", &list, err)) < 0)
        return r;
    _cleanup_json_ json_t *answer = json_array();
    if (!answer)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    size_t i;
    const json_t *ct;
    json_array_foreach (list, i, ct) {
        json_t *s = NULL;
        if ((r = vimd_server_answer(ct, &s, err)) < 0)
            return r;
        if (json_array_append_new(answer, s) < 0)
            return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    }
    *ret = TAKE_PTR(answer);
    return 0;
}

/* The container called name: 0 and a new reference, -ENOENT (none; nothing recorded), or the
 * failure in err. */
static int container_by_name(struct vimd_call *c, const char *name, json_t **ret,
                             struct pop_error *err)
{
    struct strbuf path = STRBUF_INIT;
    _cleanup_json_ json_t *reply = NULL;
    int r = vimd_path(&path, "/v1/containers?name=", name, NULL);
    if (r < 0) {
        strbuf_done(&path);
        return pop_error_set(err, r, API_INTERNAL, NULL, NULL);
    }
    r = vimd_pop(c, "GET", strbuf_str(&path), NULL, &reply, NULL, err);
    strbuf_done(&path);
    const json_t *list;
    if (r < 0 || (r = vimd_pop_list(reply, "container", &list, err)) < 0)
        return r;
    json_t *ct = json_array_get(list, 0);
    if (!ct)
        return -ENOENT;
    *ret = json_incref(ct);
    return 0;
}

/* Whether the image a launch names is on the Pop. popd-rest's Create does not look (the engine
 * is first asked at start), so without this an unknown image would only fail at mgmtStart,
 * long after the NFVO recorded the VNFC. A reference without a tag means ":latest", as for
 * Docker. Returns 0, or -ENOENT naming it. */
static int image_present(struct vimd_call *c, const char *image, struct pop_error *err)
{
    bool by_id = strncmp(image, "sha256:", 7) == 0;
    const char *slash = strrchr(image, '/');
    bool tagged = strchr(slash ? slash : image, ':') || strchr(image, '@');
    for (int attempt = 0; attempt < (by_id || tagged ? 1 : 2); attempt++) {
        struct strbuf path = STRBUF_INIT;
        int r = vimd_path(&path, by_id ? "/v1/images?id=" : "/v1/images?name=", image,
                          attempt ? ":latest" : NULL);
        _cleanup_json_ json_t *reply = NULL;
        if (r < 0)
            r = pop_error_set(err, r, API_INTERNAL, NULL, NULL);
        else
            r = vimd_pop(c, "GET", strbuf_str(&path), NULL, &reply, NULL, err);
        strbuf_done(&path);
        const json_t *list;
        if (r < 0 || (r = vimd_pop_list(reply, "image", &list, err)) < 0)
            return r;
        if (json_array_size(list) > 0)
            return 0;
    }
    return pop_error_set(err, -ENOENT, API_NOT_FOUND, "parameters[2]",
                         "parameters[2] (image): no image '%s' on this Pop (see listImages)",
                         image);
}

/* Appends the keys of obj to sb as "a, b". */
static void keys_text(const json_t *obj, struct strbuf *sb)
{
    const char *k;
    const json_t *v;
    bool first = true;
    json_object_foreach ((json_t *)obj, k, v) {
        (void)strbuf_printf(sb, "%s%s", first ? "" : ", ", k);
        first = false;
    }
    if (first)
        (void)strbuf_puts(sb, "none");
}

/* Whether the container found under the hostname is what this launch would have made (then it
 * is the answer: a redelivery, or a duplicate that lost the race). Another image or other
 * networks mean the hostname is taken by something else: -EEXIST naming the difference. */
static int same_launch(const json_t *ct, const char *hostname, const char *image,
                       const json_t *endpoints, struct pop_error *err)
{
    const char *have = json_string_value(json_object_get(ct, "image_id"));
    if (!have || strcmp(have, image) != 0)
        return pop_error_set(err, -EEXIST, API_CONFLICT, "parameters[1]",
                             "parameters[1] (hostname): a container '%s' exists already with "
                             "image '%s', not '%s'",
                             hostname, have ? have : "?", image);
    const json_t *eps = json_object_get(ct, "endpoints");
    bool same =
        json_object_size(endpoints) == 0 || json_object_size(eps) == json_object_size(endpoints);
    const char *k;
    const json_t *v;
    json_object_foreach ((json_t *)endpoints, k, v)
        same = same && json_object_get(eps, k);
    if (same)
        return 0;
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    keys_text(eps, &a);
    keys_text(endpoints, &b);
    pop_error_set(err, -EEXIST, API_CONFLICT, "parameters[1]",
                  "parameters[1] (hostname): a container '%s' exists already on networks %s, "
                  "not %s",
                  hostname, strbuf_str(&a), strbuf_str(&b));
    strbuf_done(&a);
    strbuf_done(&b);
    return -EEXIST;
}

/* popd-rest's endpoints for the connection points: one per point, on the network named by its
 * virtual_link_reference, at its fixedIp when it has one (else the next free address). */
static int endpoints_of(const json_t *cps, json_t **ret, struct pop_error *err)
{
    _cleanup_json_ json_t *eps = json_object();
    if (!eps)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    size_t i;
    const json_t *cpj;
    json_array_foreach (cps, i, cpj) {
        char path[48];
        snprintf(path, sizeof(path), "parameters[5][%zu]", i);
        struct cat_connection_point *cp = NULL;
        int r = cat_connection_point_from_json_at(cpj, path, 0, &cp, err);
        if (r < 0)
            return r;
        const char *vl = cp->virtual_link_reference;
        if (!vl || !*vl)
            r = pop_error_set(err, -EINVAL, API_INVALID_FIELD, path,
                              "%s.virtual_link_reference: required (the network's name)", path);
        else if (json_object_get(eps, vl))
            r = pop_error_set(err, -EINVAL, API_INVALID_FIELD, path,
                              "%s.virtual_link_reference: network '%s' is named twice; a Pop "
                              "container has one address per network",
                              path, vl);
        json_t *ep = r < 0 ? NULL
                     : cp->fixed_ip && *cp->fixed_ip
                         ? json_pack("{s:{s:s}}", "ipv4", "address", cp->fixed_ip)
                         : json_object();
        if (r == 0 && (!ep || json_object_set_new(eps, vl, ep) < 0))
            r = pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
        cat_connection_point_free(cp);
        if (r < 0)
            return r;
    }
    *ret = TAKE_PTR(eps);
    return 0;
}

/* The parameters a Pop has no use for are still checked for their type, so a malformed call
 * is refused instead of half-read. floatingIps: a Pop has no floating addresses; "random" (the
 * NSD's "any") is left unassigned and the Server carries none, a fixed address cannot be
 * honoured and is refused. */
static int check_unused(const json_t *params, struct pop_error *err)
{
    const char *s;
    const json_t *v;
    int r;
    if ((r = vimd_param_string(params, 4, "keyPair", true, &s, err)) < 0 ||
        (r = vimd_param_array(params, 6, "securityGroups", true, &v, err)) < 0 ||
        (r = vimd_param_string(params, 7, "userdata", true, &s, err)) < 0)
        return r;
    if (json_array_size(params) < 10)
        return 0;
    const json_t *fips;
    if ((r = vimd_param_object(params, 8, "floatingIps", true, &fips, err)) < 0 ||
        (r = vimd_param_array(params, 9, "keys", true, &v, err)) < 0)
        return r;
    const char *vl;
    const json_t *ip;
    json_object_foreach ((json_t *)fips, vl, ip) {
        if (json_is_null(ip) ||
            (json_is_string(ip) && strcmp(json_string_value(ip), "random") == 0))
            continue;
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters[8]",
                             "parameters[8] (floatingIps).%s: a Pop has no floating addresses; "
                             "only \"random\" (none) can be granted",
                             vl);
    }
    return 0;
}

/* Create, or the container a previous delivery of this launch created. */
static int launch_locked(struct vimd_call *c, const char *hostname, const char *image,
                         const char *flavour, const json_t *endpoints, json_t **ret_ct,
                         struct pop_error *err)
{
    json_t *ct = NULL;
    int r = container_by_name(c, hostname, &ct, err);
    if (r == 0) {
        r = same_launch(ct, hostname, image, endpoints, err);
        if (r < 0) {
            json_decref(ct);
            return r;
        }
        *ret_ct = ct;
        return 0;
    }
    if (r != -ENOENT || (r = image_present(c, image, err)) < 0)
        return r;
    _cleanup_json_ json_t *body =
        json_pack("{s:s, s:s, s:O}", "name", hostname, "image_id", image, "endpoints", endpoints);
    if (!body ||
        (flavour && *flavour && json_object_set_new(body, "flavour_id", json_string(flavour)) < 0))
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    long status = 0;
    r = vimd_pop(c, "POST", "/v1/containers", body, &ct, &status, err);
    if (r < 0 && status == 409 && strcmp(err->field, "name") == 0) {
        /* Another driver process created it between the lookup and the create. */
        struct pop_error again = POP_ERROR_INIT;
        if (container_by_name(c, hostname, &ct, &again) == 0) {
            pop_error_clear(err);
            r = same_launch(ct, hostname, image, endpoints, err);
            if (r < 0)
                json_decref(ct);
        }
    }
    if (r < 0)
        return r;
    *ret_ct = ct;
    return 0;
}

int vimd_launch(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    const char *hostname, *image, *flavour;
    const json_t *cps;
    int r;
    if ((r = vimd_call_open(d, params, &c, err)) < 0 ||
        (r = vimd_param_ref(params, 1, "hostname", &hostname, err)) < 0 ||
        (r = vimd_param_string(params, 2, "image", false, &image, err)) < 0 ||
        (r = vimd_param_string(params, 3, "flavor extId", true, &flavour, err)) < 0 ||
        (r = vimd_param_array(params, 5, "networks", true, &cps, err)) < 0 ||
        (r = check_unused(params, err)) < 0)
        return r;
    if (!*image)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters[2]",
                             "parameters[2] (image): must not be empty");
    _cleanup_json_ json_t *endpoints = NULL;
    if ((r = endpoints_of(cps, &endpoints, err)) < 0)
        return r;

    /* One launch per hostname at a time in this process (key: the Pop and the hostname). Each
     * holder makes at most four popd-rest calls, each bounded by the call timeout. */
    char key[LOCKSET_KEY_MAX + 1];
    snprintf(key, sizeof(key), "%s|%s", hostname, popc_url(c.pop));
    r = lockset_acquire(d->launching, key, 4 * (int64_t)d->pop_timeout_ms);
    if (r == -EBUSY)
        return pop_error_set(err, r, API_STATE_CONFLICT, "parameters[1]",
                             "parameters[1] (hostname): another launch of '%s' did not finish in "
                             "time",
                             hostname);
    if (r < 0)
        return pop_error_set(err, r, API_INTERNAL, NULL, NULL);
    _cleanup_json_ json_t *ct = NULL;
    r = launch_locked(&c, hostname, image, flavour, endpoints, &ct, err);
    lockset_release(d->launching, key);
    if (r < 0)
        return r;
    return vimd_server_answer(ct, ret, err);
}

int vimd_delete_server(struct vimd *d, const json_t *params, json_t **ret, struct pop_error *err)
{
    _cleanup_call_ struct vimd_call c = {0};
    const char *id;
    int r;
    if ((r = vimd_call_open(d, params, &c, err)) < 0 ||
        (r = vimd_param_ref(params, 1, "server extId", &id, err)) < 0)
        return r;
    struct strbuf path = STRBUF_INIT;
    long status = 0;
    if ((r = vimd_path(&path, "/v1/containers/", id, NULL)) == 0)
        r = vimd_pop(&c, "DELETE", strbuf_str(&path), NULL, NULL, &status, err);
    else
        pop_error_set(err, r, API_INTERNAL, NULL, NULL);
    strbuf_done(&path);
    /* Gone already is what was asked (the NFVO does not even wait for this answer). */
    if (r < 0 && status == 404)
        r = 0;
    if (r < 0)
        return r;
    *ret = json_null(); /* void in Open Baton's interface */
    return 0;
}
