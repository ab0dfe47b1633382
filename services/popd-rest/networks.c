/* Network management: subnet selection, Docker network lifecycle, foreign reservations. */
#include "networks.h"

#include "auth/random.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "docker/docker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TAKEN 1024
#define TAKEN_NAME_MAX 128

/* The subnets already in use, and what uses each, for one subnet choice (heap, per call). */
struct taken {
    struct ipam_subnet subnet[MAX_TAKEN];
    char names[MAX_TAKEN][TAKEN_NAME_MAX];
};

/* Collects subnets already in use: every Docker network's and every host route's. */
static int taken_subnets(struct docker_client *dc, struct ipam_subnet *taken, size_t *ret_n,
                         char names[][TAKEN_NAME_MAX])
{
    size_t n = 0;
    struct docker_network_info *nets = NULL;
    size_t n_nets = 0;
    int r = docker_network_list(dc, &nets, &n_nets);
    if (r < 0)
        return r;
    for (size_t i = 0; i < n_nets; i++) {
        for (size_t j = 0; j < nets[i].n_subnets && n < MAX_TAKEN; j++) {
            if (ipam_parse_cidr(nets[i].subnets[j].cidr, &taken[n]) == 0) {
                snprintf(names[n], TAKEN_NAME_MAX, "docker network %s", nets[i].name);
                n++;
            }
        }
    }
    docker_network_info_free(nets, n_nets);

    /* Host routes: /proc/net/route lists destination and mask in network byte order hex. */
    _cleanup_fclose_ FILE *f = fopen("/proc/net/route", "re");
    char line[256];
    while (f && fgets(line, sizeof(line), f) && n < MAX_TAKEN) {
        char iface[64];
        unsigned dest, gw, flags, refcnt, use, metric, mask;
        if (sscanf(line, "%63s %x %x %x %u %u %u %x", iface, &dest, &gw, &flags, &refcnt, &use,
                   &metric, &mask) != 8 ||
            mask == 0)
            continue;
        uint32_t hmask = __builtin_bswap32(mask);
        unsigned prefix = (unsigned)__builtin_popcount(hmask);
        taken[n] = (struct ipam_subnet){.base = __builtin_bswap32(dest) & hmask, .prefix = prefix};
        snprintf(names[n], TAKEN_NAME_MAX, "host route via %s", iface);
        n++;
    }
    *ret_n = n;
    return 0;
}

/* Applies the gateway of the request (if any) to sn: a host address of sn, in no special block. */
static int apply_gateway(const struct network_request *req, struct ipam_subnet *sn,
                         struct pop_error *err)
{
    if (!req->gateway)
        return 0;
    char rule[160];
    uint32_t gw;
    if (ipam_parse_host(req->gateway, sn, &gw, rule, sizeof(rule)) < 0)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "gateway", "gateway: %s", rule);
    sn->gateway = gw;
    return 0;
}

static int choose_subnet(struct popd *p, struct docker_client *dc,
                         const struct network_request *req, struct ipam_subnet *ret,
                         struct pop_error *err)
{
    struct ipam_subnet want = {0};
    int r;
    /* The rules on what a client may ask for come first, so a refused request is answered
     * without asking the engine anything. */
    if (req->cidr) {
        char rule[160];
        if (ipam_parse_network(req->cidr, &want, rule, sizeof(rule)) < 0)
            return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "cidr", "cidr: %s", rule);
        want.gateway = ipam_default_gateway(&want);
        if ((r = apply_gateway(req, &want, err)) < 0)
            return r;
    }
    _cleanup_free_ struct taken *t = malloc(sizeof(*t));
    if (!t)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    size_t n = 0;
    r = taken_subnets(dc, t->subnet, &n, t->names);
    if (r < 0)
        return pop_error_set(err, r, API_BAD_GATEWAY, NULL, "cannot list Docker networks: %s",
                             docker_last_error(dc));
    if (req->cidr) {
        for (size_t i = 0; i < n; i++) {
            if (ipam_overlaps(&want, &t->subnet[i])) {
                char c[19];
                ipam_format_cidr(&t->subnet[i], c);
                return pop_error_set(err, -EADDRINUSE, API_CONFLICT, "cidr",
                                     "cidr: %s overlaps %s (%s)", req->cidr, c, t->names[i]);
            }
        }
        *ret = want;
        return 0;
    }
    r = -ENOSPC;
    for (size_t i = 0; i < p->n_pools && r == -ENOSPC; i++)
        r = ipam_pick_subnet(&p->pools[i].range, p->pools[i].prefix, t->subnet, n, ret);
    if (r < 0)
        return pop_error_set(err, -ENOSPC, API_EXHAUSTED, NULL,
                             "every subnet of POPD_POOLS is in use");
    return apply_gateway(req, ret, err);
}

static int create_docker_network(struct popd *p, struct docker_client *dc,
                                 const struct pop_network *net, char **ret_id)
{
    char cidr[19], gw[16];
    ipam_format_cidr(&net->subnet, cidr);
    ipam_format_addr(net->subnet.gateway, gw);
    const char *labels[] = {LABEL_POP, p->cfg.name, LABEL_NETWORK, net->id, NULL};
    struct docker_network_spec spec = {
        .name = net->docker_name,
        .cidr = cidr,
        .gateway = gw,
        .internal = net->internal,
        .labels = labels,
    };
    return docker_network_create(dc, &spec, ret_id);
}

static int name_taken(struct pop_error *err, const char *name)
{
    return pop_error_set(err, -EEXIST, API_CONFLICT, "name",
                         "name: a network called '%s' already exists", name);
}

static int network_create_locked(struct popd *p, struct docker_client *dc,
                                 const struct network_request *req, struct pop_network *ret,
                                 struct pop_error *err)
{
    struct pop_network net = {0};
    if (store_network_get(p->store, req->name, &net) == 0)
        return name_taken(err, req->name);
    int r = choose_subnet(p, dc, req, &net.subnet, err);
    if (r < 0)
        return r;
    if ((r = auth_uuid4(net.id)) < 0)
        return pop_error_set(err, r, API_INTERNAL, NULL, "cannot generate an id");
    snprintf(net.name, sizeof(net.name), "%s", req->name);
    popd_docker_name(p, req->name, net.docker_name, sizeof(net.docker_name));
    net.internal = req->internal;
    net.created = time_now_s();

    /* Row first: a crash after this leaves a row whose Docker network is re-created at the
     * next start, never a labelled Docker network nobody knows. */
    if ((r = store_network_add(p->store, &net)) < 0)
        return r == -EEXIST ? name_taken(err, req->name)
                            : pop_error_set(err, r, API_INTERNAL, NULL, "cannot store the network");
    _cleanup_free_ char *docker_id = NULL;
    r = create_docker_network(p, dc, &net, &docker_id);
    if (r < 0) {
        r = r == -EEXIST ? -EEXIST : r == -EADDRINUSE ? -EADDRINUSE : -EIO;
        pop_error_set(err, r, r == -EIO ? API_BAD_GATEWAY : API_CONFLICT,
                      r == -EADDRINUSE ? "cidr"
                      : r == -EEXIST   ? "name"
                                       : NULL,
                      "the engine refused the network: %s", docker_last_error(dc));
        store_network_remove(p->store, net.id);
        return r;
    }
    store_network_set_docker_id(p->store, net.id, docker_id);
    snprintf(net.docker_id, sizeof(net.docker_id), "%s", docker_id);
    log_info("network %s created: %s subnet %u.%u.%u.%u/%u", net.name, net.docker_name,
             net.subnet.base >> 24, (net.subnet.base >> 16) & 0xff, (net.subnet.base >> 8) & 0xff,
             net.subnet.base & 0xff, net.subnet.prefix);
    *ret = net;
    return 0;
}

int popd_network_create(struct popd *p, const struct network_request *req, struct pop_network *ret,
                        struct pop_error *err)
{
    struct docker_client *dc = NULL;
    int r = popd_docker_acquire(p, &dc);
    if (r < 0)
        return pop_error_set(err, r, API_BAD_GATEWAY, NULL, "cannot reach the engine");
    pthread_mutex_lock(&p->network_lock);
    r = network_create_locked(p, dc, req, ret, err);
    pthread_mutex_unlock(&p->network_lock);
    popd_docker_release(p, dc);
    return r;
}

int popd_network_delete(struct popd *p, const char *id_or_name, struct pop_error *err)
{
    struct pop_network net;
    int r = store_network_get(p->store, id_or_name, &net);
    if (r == -ENOENT)
        return pop_error_set(err, r, API_NOT_FOUND, NULL, "no network with id or name '%s'",
                             id_or_name);
    if (r < 0)
        return pop_error_set(err, r, API_INTERNAL, NULL, "cannot read the network");
    if (strcmp(net.name, POPD_DEFAULT_NETWORK) == 0)
        return pop_error_set(err, -EPERM, API_FORBIDDEN, NULL,
                             "'%s' is the default network and cannot be deleted", net.name);
    struct docker_client *dc = NULL;
    if ((r = popd_docker_acquire(p, &dc)) < 0)
        return pop_error_set(err, r, API_BAD_GATEWAY, NULL, "cannot reach the engine");
    pthread_mutex_lock(&p->network_lock);
    /* Row first (refused while endpoints use it), then the engine object. */
    r = store_network_remove(p->store, net.id);
    if (r == -EBUSY)
        pop_error_set(err, r, API_CONFLICT, NULL,
                      "containers still have endpoints on '%s'; delete them first", net.name);
    else if (r < 0)
        pop_error_set(err, r, API_INTERNAL, NULL, "cannot delete the network");
    if (r == 0) {
        int e = docker_network_remove(dc, net.docker_id[0] ? net.docker_id : net.docker_name);
        if (e < 0 && e != -ENOENT)
            log_warn("network %s: Docker network %s not removed: %s", net.name, net.docker_name,
                     docker_last_error(dc));
    }
    pthread_mutex_unlock(&p->network_lock);
    popd_docker_release(p, dc);
    return r;
}

/* Reserves addresses of containers on the network that are not Pop containers of ours. */
static int reserve_foreign(struct popd *p, struct docker_client *dc, const struct pop_network *net)
{
    struct docker_network_info info;
    int r =
        docker_network_inspect(dc, net->docker_id[0] ? net->docker_id : net->docker_name, &info);
    if (r < 0)
        return r;
    size_t cap = info.n_members ? info.n_members : 1;
    _cleanup_free_ uint32_t *addrs = calloc(cap, sizeof(uint32_t));
    _cleanup_free_ char **holders = calloc(cap, sizeof(char *));
    _cleanup_free_ char *holder_buf = calloc(cap, 80);
    size_t n = 0;
    if (!addrs || !holders || !holder_buf) {
        docker_network_info_done(&info);
        return -ENOMEM;
    }
    for (size_t i = 0; i < info.n_members; i++) {
        struct docker_container_info ci;
        bool ours = false;
        if (docker_container_inspect(dc, info.members[i].container_id, &ci) == 0) {
            const char *pop = docker_labels_get(ci.labels, LABEL_POP);
            ours = pop && strcmp(pop, p->cfg.name) == 0;
            docker_container_info_done(&ci);
        }
        uint32_t a;
        if (ours || ipam_parse_addr(info.members[i].ipv4, &a) < 0)
            continue;
        holders[n] = holder_buf + n * 80;
        snprintf(holders[n], 80, "docker:%.64s", info.members[i].container_id);
        addrs[n++] = a;
    }
    docker_network_info_done(&info);
    r = store_network_reserve_foreign(p->store, net->id, addrs, (const char *const *)holders, n);
    if (r > 0)
        log_info("network %s: reserved %d address(es) of containers popd-rest does not manage",
                 net->name, r);
    return r < 0 ? r : 0;
}

/* Adopts an existing Docker network called like the one we need (thesis 4.4.5 step 1). */
static int adopt_docker_network(struct popd *p, struct docker_client *dc, const char *name,
                                struct pop_network *ret)
{
    struct pop_network net = {0};
    popd_docker_name(p, name, net.docker_name, sizeof(net.docker_name));
    struct docker_network_info info;
    int r = docker_network_inspect(dc, net.docker_name, &info);
    if (r < 0)
        return r;
    if (info.n_subnets == 0 || ipam_parse_cidr(info.subnets[0].cidr, &net.subnet) < 0 ||
        net.subnet.prefix < IPAM_MIN_PREFIX) {
        docker_network_info_done(&info);
        return -EINVAL;
    }
    uint32_t gw;
    net.subnet.gateway =
        ipam_parse_addr(info.subnets[0].gateway, &gw) == 0 ? gw : ipam_default_gateway(&net.subnet);
    snprintf(net.docker_id, sizeof(net.docker_id), "%s", info.id);
    net.internal = info.internal;
    docker_network_info_done(&info);
    if ((r = auth_uuid4(net.id)) < 0)
        return r;
    snprintf(net.name, sizeof(net.name), "%s", name);
    net.created = time_now_s();
    if ((r = store_network_add(p->store, &net)) < 0)
        return r;
    *ret = net;
    return 0;
}

int popd_networks_init(struct popd *p, char *err, size_t errlen)
{
    struct docker_client *dc = NULL;
    int r = popd_docker_acquire(p, &dc);
    if (r < 0)
        return r;
    struct pop_network def;
    if (store_network_get(p->store, POPD_DEFAULT_NETWORK, &def) == -ENOENT) {
        if (adopt_docker_network(p, dc, POPD_DEFAULT_NETWORK, &def) == 0) {
            log_info("network %s: adopted the existing Docker network %s", def.name,
                     def.docker_name);
        } else {
            struct network_request req = {.name = POPD_DEFAULT_NETWORK,
                                          .cidr = *p->cfg.private_cidr ? p->cfg.private_cidr : NULL,
                                          .internal = true};
            struct pop_error why = POP_ERROR_INIT;
            pthread_mutex_lock(&p->network_lock);
            r = network_create_locked(p, dc, &req, &def, &why);
            pthread_mutex_unlock(&p->network_lock);
            if (r < 0) {
                snprintf(err, errlen, "cannot create the default network%s: %s",
                         req.cidr ? " from POPD_PRIVATE_CIDR" : "", why.detail);
                popd_docker_release(p, dc);
                return r;
            }
        }
    }

    struct pop_network *nets = NULL;
    size_t n = 0;
    if ((r = store_network_list(p->store, &nets, &n)) < 0) {
        snprintf(err, errlen, "cannot read networks: %s", strerror(-r));
        popd_docker_release(p, dc);
        return r;
    }
    for (size_t i = 0; i < n && r == 0; i++) {
        struct docker_network_info info;
        int e = docker_network_inspect(dc, nets[i].docker_name, &info);
        if (e == 0) {
            if (strcmp(info.id, nets[i].docker_id) != 0)
                store_network_set_docker_id(p->store, nets[i].id, info.id);
            snprintf(nets[i].docker_id, sizeof(nets[i].docker_id), "%s", info.id);
            docker_network_info_done(&info);
        } else if (e == -ENOENT) {
            _cleanup_free_ char *id = NULL;
            e = create_docker_network(p, dc, &nets[i], &id);
            if (e < 0) {
                snprintf(err, errlen, "network %s: cannot re-create Docker network %s: %s",
                         nets[i].name, nets[i].docker_name, docker_last_error(dc));
                r = e;
                break;
            }
            log_warn("network %s: Docker network %s was missing and has been re-created",
                     nets[i].name, nets[i].docker_name);
            store_network_set_docker_id(p->store, nets[i].id, id);
            snprintf(nets[i].docker_id, sizeof(nets[i].docker_id), "%s", id);
        } else {
            snprintf(err, errlen, "network %s: %s", nets[i].name, docker_last_error(dc));
            r = e;
            break;
        }
        if ((e = reserve_foreign(p, dc, &nets[i])) < 0)
            log_warn("network %s: cannot reserve foreign addresses: %s", nets[i].name,
                     strerror(-e));
    }
    free(nets);
    popd_docker_release(p, dc);
    return r;
}
