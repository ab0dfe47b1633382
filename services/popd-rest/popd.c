/* Service object: construction from config, the Docker client pool, busy set and jobs. */
#include "popd.h"

#include "auth/random.h"
#include "auth/throttle.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/timeutil.h"
#include "docker/docker.h"
#include "users.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JWT_KEY_SETTING "jwt_key"

/* Splits s at commas into a NULL-terminated array of trimmed, non-empty strings. */
static int split_list(const char *s, char ***ret)
{
    size_t cap = 1;
    for (const char *q = s; *q; q++)
        cap += *q == ',';
    char **list = calloc(cap + 1, sizeof(char *));
    if (!list)
        return -ENOMEM;
    size_t n = 0;
    const char *start = s;
    for (;;) {
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        while (len && (*start == ' ' || *start == '\t')) {
            start++;
            len--;
        }
        while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
            len--;
        if (len) {
            list[n] = strndup(start, len);
            if (!list[n]) {
                for (size_t i = 0; i < n; i++)
                    free(list[i]);
                free(list);
                return -ENOMEM;
            }
            n++;
        }
        if (!end)
            break;
        start = end + 1;
    }
    *ret = list;
    return 0;
}

static void free_list(char **list)
{
    if (!list)
        return;
    for (char **q = list; *q; q++)
        free(*q);
    free(list);
}

static int parse_flavours(struct popd *p, char *err, size_t errlen)
{
    snprintf(p->flavours[0].id, sizeof(p->flavours[0].id), "%s", POPD_DEFAULT_FLAVOUR);
    p->n_flavours = 1;
    char **items = NULL;
    int r = split_list(p->cfg.flavours, &items);
    if (r < 0)
        return r;
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
    free_list(items);
    return r;
}

static int parse_pools(struct popd *p, char *err, size_t errlen)
{
    char **items = NULL;
    int r = split_list(p->cfg.pools, &items);
    if (r < 0)
        return r;
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
        pool.prefix = (unsigned)prefix;
        p->pools[p->n_pools++] = pool;
    }
    free_list(items);
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

int popd_init(struct popd *p, struct popd_config *cfg, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    p->cfg = *cfg;
    memset(cfg, 0, sizeof(*cfg));
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    pthread_mutex_init(&p->network_lock, NULL);
    p->started_at = time_now_s();

    int r = parse_flavours(p, err, errlen);
    if (r == 0)
        r = parse_pools(p, err, errlen);
    if (r == 0 && (r = split_list(p->cfg.cap_add, &p->cap_add)) < 0)
        snprintf(err, errlen, "POPD_CAP_ADD: out of memory");
    if (r == 0 && (r = split_list(p->cfg.images, &p->images)) < 0)
        snprintf(err, errlen, "POPD_IMAGE_ALLOWLIST: out of memory");
    if (r == 0 && (r = store_open(p->cfg.db_path, &p->store)) < 0)
        snprintf(err, errlen, "POPD_DB %s: cannot open the database (%s)", p->cfg.db_path,
                 strerror(-r));
    if (r == 0)
        r = load_jwt_key(p, err, errlen);
    if (r == 0)
        r = popd_users_load(&p->cfg, &p->users, err, errlen);
    if (r == 0 && !(p->throttle = auth_throttle_new()))
        r = -ENOMEM;
    if (r == 0)
        store_token_purge(p->store, time_now_s());
    return r;
}

void popd_done(struct popd *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->jobs_running)
        pthread_cond_wait(&p->changed, &p->lock);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < p->n_idle; i++)
        docker_client_free(p->idle_clients[i]);
    for (size_t i = 0; i < p->n_busy; i++)
        free(p->busy[i]);
    auth_throttle_free(p->throttle);
    popd_users_free(p->users);
    store_close(p->store);
    free_list(p->cap_add);
    free_list(p->images);
    popd_config_done(&p->cfg);
    pthread_mutex_destroy(&p->network_lock);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
}

int popd_docker_acquire(struct popd *p, struct docker_client **ret)
{
    pthread_mutex_lock(&p->lock);
    struct docker_client *c = p->n_idle ? p->idle_clients[--p->n_idle] : NULL;
    pthread_mutex_unlock(&p->lock);
    if (!c) {
        int r = docker_client_new(p->cfg.docker_socket, &c);
        if (r < 0)
            return r;
    }
    *ret = c;
    return 0;
}

void popd_docker_release(struct popd *p, struct docker_client *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&p->lock);
    if (p->n_idle < POPD_DOCKER_POOL) {
        p->idle_clients[p->n_idle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    docker_client_free(c);
}

static ssize_t busy_index(struct popd *p, const char *id)
{
    for (size_t i = 0; i < p->n_busy; i++)
        if (strcmp(p->busy[i], id) == 0)
            return (ssize_t)i;
    return -1;
}

int popd_busy_acquire(struct popd *p, const char *id, int64_t wait_ms)
{
    char *copy = strdup(id);
    if (!copy)
        return -ENOMEM;
    int64_t deadline = time_mono_ms() + wait_ms;
    int r = 0;
    pthread_mutex_lock(&p->lock);
    while (busy_index(p, id) >= 0 || p->n_busy == POPD_MAX_BUSY) {
        int64_t left = deadline - time_mono_ms();
        if (left <= 0) {
            r = -EBUSY;
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (left % 1000) * 1000000;
        ts.tv_sec += left / 1000 + ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&p->changed, &p->lock, &ts);
    }
    if (r == 0)
        p->busy[p->n_busy++] = TAKE_PTR(copy);
    pthread_mutex_unlock(&p->lock);
    free(copy);
    return r;
}

void popd_busy_release(struct popd *p, const char *id)
{
    pthread_mutex_lock(&p->lock);
    ssize_t i = busy_index(p, id);
    if (i >= 0) {
        free(p->busy[i]);
        p->busy[i] = p->busy[--p->n_busy];
    }
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

struct job {
    struct popd *p;
    void (*fn)(struct popd *p, void *arg);
    void *arg;
};

static void *job_main(void *opaque)
{
    struct job *j = opaque;
    j->fn(j->p, j->arg);
    free(j->arg);
    struct popd *p = j->p;
    free(j);
    pthread_mutex_lock(&p->lock);
    p->jobs_running--;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int popd_job_spawn(struct popd *p, void (*fn)(struct popd *p, void *arg), void *arg)
{
    struct job *j = malloc(sizeof(*j));
    if (!j)
        return -ENOMEM;
    *j = (struct job){p, fn, arg};
    pthread_mutex_lock(&p->lock);
    p->jobs_running++;
    pthread_mutex_unlock(&p->lock);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    int r = pthread_create(&t, &attr, job_main, j);
    pthread_attr_destroy(&attr);
    if (r != 0) {
        free(j);
        pthread_mutex_lock(&p->lock);
        p->jobs_running--;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
        return -r;
    }
    return 0;
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
    if (!p->images || !p->images[0])
        return true;
    for (char **q = p->images; *q; q++)
        if (strcmp(*q, image) == 0)
            return true;
    return false;
}

void popd_docker_name(const struct popd *p, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s-%s", p->cfg.name, name);
}
