/* Service object: construction from config, the Docker client pool, busy set and jobs. */
#include "popd.h"

#include "auth/random.h"
#include "auth/throttle.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/parse.h"
#include "core/strv.h"
#include "core/timeutil.h"
#include "docker/docker.h"
#include "users.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JWT_KEY_SETTING "jwt_key"

static int parse_flavours(struct popd *p, char *err, size_t errlen)
{
    snprintf(p->flavours[0].id, sizeof(p->flavours[0].id), "%s", POPD_DEFAULT_FLAVOUR);
    p->n_flavours = 1;
    char **items = NULL;
    int r = strv_split(p->cfg.flavours, ',', &items);
    if (r < 0)
        return r;
    r = 0;
    for (char **it = items; *it && r == 0; it++) {
        char name[POP_NAME_MAX + 1], vcpus[32], ram[32];
        if (sscanf(*it, "%63[^:]:%31[^:]:%31s", name, vcpus, ram) != 3) {
            snprintf(err, errlen, "POPD_FLAVOURS: '%s' is not name:vcpus:ram_mb", *it);
            r = -EINVAL;
            break;
        }
        struct popd_flavour *f = &p->flavours[p->n_flavours];
        if (p->n_flavours == POPD_MAX_FLAVOURS || popd_flavour_find(p, name) ||
            parse_int64(vcpus, 0, 1024, &f->vcpus) < 0 ||
            parse_int64(ram, 0, 1 << 24, &f->ram_mb) < 0) {
            snprintf(err, errlen,
                     "POPD_FLAVOURS: '%s' is a duplicate, out of range (vcpus 0-1024, ram_mb "
                     "0-16777216) or one too many (max %d)",
                     *it, POPD_MAX_FLAVOURS);
            r = -EINVAL;
            break;
        }
        snprintf(f->id, sizeof(f->id), "%s", name);
        p->n_flavours++;
    }
    strv_free(items);
    return r;
}

static int parse_pools(struct popd *p, char *err, size_t errlen)
{
    char **items = NULL;
    int r = strv_split(p->cfg.pools, ',', &items);
    if (r < 0)
        return r;
    r = 0;
    for (char **it = items; *it && r == 0; it++) {
        char *last = strrchr(*it, '/');
        int64_t prefix = 0;
        struct popd_pool pool = {0};
        if (last)
            *last = '\0';
        if (!last || ipam_parse_cidr(*it, &pool.range) < 0 ||
            parse_int64(last + 1, IPAM_MIN_PREFIX, IPAM_MAX_PREFIX, &prefix) < 0 ||
            (unsigned)prefix < pool.range.prefix || p->n_pools == POPD_MAX_POOLS) {
            snprintf(err, errlen,
                     "POPD_POOLS: '%s' is not cidr/prefix with a subnet prefix of %d-%d inside "
                     "the pool (max %d pools)",
                     *it, IPAM_MIN_PREFIX, IPAM_MAX_PREFIX, POPD_MAX_POOLS);
            r = -EINVAL;
            break;
        }
        /* Every subnet picked from a pool is inside it, so a pool clear of the special
         * blocks yields only subnets a client could have asked for. */
        char why[160];
        if (ipam_check_special(&pool.range, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "POPD_POOLS: %s", why);
            r = -EINVAL;
            break;
        }
        pool.prefix = (unsigned)prefix;
        p->pools[p->n_pools++] = pool;
    }
    strv_free(items);
    if (r == 0 && p->n_pools == 0) {
        snprintf(err, errlen, "POPD_POOLS: at least one pool is needed");
        r = -EINVAL;
    }
    return r;
}

static int hex_decode(const char *hex, uint8_t *out, size_t max, size_t *ret_len)
{
    size_t n = strlen(hex) / 2;
    if (n > max)
        return -E2BIG;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -EINVAL;
        out[i] = (uint8_t)v;
    }
    *ret_len = n;
    return 0;
}

static int load_jwt_key(struct popd *p, char *err, size_t errlen)
{
    _cleanup_free_ char *stored = NULL;
    const char *hex = p->cfg.jwt_key;
    if (!*hex) {
        /* No configured key: generate one on first start and keep it, so sessions survive
         * restarts without a default secret shipping anywhere. */
        char fresh[65];
        int r = auth_random_hex(32, fresh, sizeof(fresh));
        if (r == 0)
            r = store_setting_put_if_absent(p->store, JWT_KEY_SETTING, fresh, &stored);
        if (r < 0) {
            snprintf(err, errlen, "cannot create the token signing key: %s", strerror(-r));
            return r;
        }
        hex = stored;
    }
    int r = hex_decode(hex, p->jwt_key, sizeof(p->jwt_key), &p->jwt_key_len);
    if (r < 0)
        snprintf(err, errlen, "POPD_JWT_KEY: not a usable hex key");
    return r;
}

static int docker_make(void *ud, void **ret)
{
    const struct popd *p = ud;
    struct docker_client *c = NULL;
    int r = docker_client_new(p->cfg.docker_socket, &c);
    if (r == 0)
        *ret = c;
    return r;
}

static void docker_destroy(void *c)
{
    docker_client_free(c);
}

/* Splits a comma-separated setting into *ret (see strv_split); 0 or a negative errno with a
 * message naming the variable. */
static int split_setting(const char *value, const char *name, char ***ret, char *err, size_t errlen)
{
    int r = strv_split(value, ',', ret);
    if (r < 0) {
        snprintf(err, errlen, "%s: %s", name, r == -E2BIG ? "too many entries" : "out of memory");
        return r;
    }
    return 0;
}

/* The concurrency machinery: engine client pool, busy set, stop workers, stop token. */
static int start_machinery(struct popd *p, char *err, size_t errlen)
{
    int r = objpool_new(POPD_DOCKER_POOL, docker_make, docker_destroy, p, &p->docker_pool);
    if (r == 0)
        r = lockset_new(POPD_MAX_BUSY, &p->busy);
    if (r == 0)
        r = stopper_new(&p->stop);
    if (r == 0)
        r = workq_new("popd-stop", POPD_STOP_WORKERS, POPD_STOP_QUEUE, &p->jobs);
    if (r < 0)
        snprintf(err, errlen, "cannot set up the worker threads: %s", strerror(-r));
    return r;
}

int popd_init(struct popd *p, struct popd_config *cfg, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    p->cfg = *cfg;
    memset(cfg, 0, sizeof(*cfg));
    pthread_mutex_init(&p->network_lock, NULL);
    p->started_at = time_now_s();

    int r = parse_flavours(p, err, errlen);
    if (r == 0)
        r = parse_pools(p, err, errlen);
    if (r == 0)
        r = split_setting(p->cfg.cap_add, "POPD_CAP_ADD", &p->cap_add, err, errlen);
    if (r == 0)
        r = split_setting(p->cfg.images, "POPD_IMAGE_ALLOWLIST", &p->images, err, errlen);
    if (r == 0)
        r = start_machinery(p, err, errlen);
    if (r == 0 && (r = store_open(p->cfg.db_path, &p->store)) < 0)
        snprintf(err, errlen, "POPD_DB %s: cannot open the database (%s)", p->cfg.db_path,
                 strerror(-r));
    if (r == 0)
        r = load_jwt_key(p, err, errlen);
    if (r == 0)
        r = popd_users_load(&p->cfg, &p->users, err, errlen);
    if (r == 0 && !(p->throttle = auth_throttle_new()))
        r = -ENOMEM;
    if (r == 0 && (r = popd_metrics_init(p)) < 0)
        snprintf(err, errlen, "metrics: %s", strerror(-r));
    if (r == 0)
        store_token_purge(p->store, time_now_s());
    return r;
}

void popd_done(struct popd *p)
{
    if (p->jobs) {
        /* A stop still queued after one stop's grace period stays STOPPING in the store;
         * the start-up reconcile finishes it. Running stops are waited for by workq_free. */
        int64_t grace = p->cfg.stop_timeout_s * 1000 + POPD_STOP_GRACE_EXTRA_MS;
        if (workq_drain(p->jobs, time_mono_ms() + grace) < 0)
            log_warn("shutdown: stops still queued are left for the next start to finish");
        workq_free(p->jobs);
    }
    objpool_free(p->docker_pool);
    lockset_free(p->busy);
    stopper_free(p->stop);
    auth_throttle_free(p->throttle);
    popd_users_free(p->users);
    store_close(p->store);
    metrics_free(p->metrics);
    strv_free(p->cap_add);
    strv_free(p->images);
    popd_config_done(&p->cfg);
    pthread_mutex_destroy(&p->network_lock);
}

int popd_docker_acquire(struct popd *p, struct docker_client **ret)
{
    void *c = NULL;
    int r = objpool_acquire(p->docker_pool, &c);
    if (r == 0)
        *ret = c;
    return r;
}

void popd_docker_release(struct popd *p, struct docker_client *c)
{
    objpool_release(p->docker_pool, c);
}

int popd_busy_acquire(struct popd *p, const char *id, int64_t wait_ms)
{
    int r = lockset_acquire(p->busy, id, wait_ms);
    /* An empty or over-long id (from an engine event's label) names no container: report it
     * busy, so the caller leaves it alone as it would any other busy one. */
    return r == -EINVAL ? -EBUSY : r;
}

void popd_busy_release(struct popd *p, const char *id)
{
    lockset_release(p->busy, id);
}

const struct popd_flavour *popd_flavour_find(const struct popd *p, const char *id)
{
    for (size_t i = 0; i < p->n_flavours; i++)
        if (strcmp(p->flavours[i].id, id) == 0)
            return &p->flavours[i];
    return NULL;
}

bool popd_image_allowed(const struct popd *p, const char *image)
{
    return !p->images || !p->images[0] || strv_contains(p->images, image);
}

void popd_docker_name(const struct popd *p, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s-%s", p->cfg.name, name);
}
