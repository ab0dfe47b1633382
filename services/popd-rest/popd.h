/* The popd-rest service object: configuration, store, accounts, Docker client pool, the set of
 * containers with an operation in progress, and background jobs. Shared by every module. */
#pragma once

#include "config.h"
#include "ipam.h"
#include "store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define POPD_VERSION "0.1.0"

/* Labels on every Docker object popd-rest creates. */
#define LABEL_POP "org.pop-nfv.pop"                /* value: the Pop name */
#define LABEL_CONTAINER "org.pop-nfv.container-id" /* value: the Pop container id */
#define LABEL_NETWORK "org.pop-nfv.network-id"     /* value: the Pop network id */

#define POPD_DEFAULT_FLAVOUR "docker.container"
#define POPD_DEFAULT_NETWORK "private"
#define POPD_MAX_FLAVOURS 16
#define POPD_MAX_POOLS 8
#define POPD_DOCKER_POOL 16
#define POPD_MAX_BUSY 1024

struct docker_client;
struct popd_users;
struct auth_throttle;

struct popd_flavour {
    char id[POP_NAME_MAX + 1];
    int64_t vcpus;  /* 0 = no CPU limit */
    int64_t ram_mb; /* 0 = no memory limit */
};

struct popd_pool {
    struct ipam_subnet range;
    unsigned prefix; /* prefix length of each subnet carved from range */
};

struct popd {
    struct popd_config cfg;
    struct pop_store *store;
    struct popd_users *users;
    struct auth_throttle *throttle;
    uint8_t jwt_key[512];
    size_t jwt_key_len;
    struct popd_flavour flavours[POPD_MAX_FLAVOURS];
    size_t n_flavours;
    struct popd_pool pools[POPD_MAX_POOLS];
    size_t n_pools;
    char **cap_add; /* NULL-terminated */
    char **images;  /* NULL-terminated; empty = any image */
    int64_t started_at;

    pthread_mutex_t lock; /* guards the docker pool, the busy set and jobs */
    pthread_cond_t changed;
    struct docker_client *idle_clients[POPD_DOCKER_POOL];
    size_t n_idle;
    char *busy[POPD_MAX_BUSY];
    size_t n_busy;
    unsigned jobs_running;

    pthread_mutex_t network_lock; /* one network create/delete at a time */

    atomic_bool stopping;
    pthread_t events_thread;
    bool events_running;
    atomic_llong events_seen;
    atomic_llong events_reconnects;
};

/* Builds the service from a loaded config (ownership of cfg's strings moves into p):
 * opens the store, loads users, the JWT key, flavours, pools and lists. Does not touch
 * Docker. Returns 0 or a negative errno with a message in err. */
int popd_init(struct popd *p, struct popd_config *cfg, char *err, size_t errlen);
/* Waits for background jobs, then frees everything. */
void popd_done(struct popd *p);

/* Borrows a Docker client (created on demand) and gives it back. */
int popd_docker_acquire(struct popd *p, struct docker_client **ret);
void popd_docker_release(struct popd *p, struct docker_client *c);

/* Marks a container as having an operation in progress. Waits up to wait_ms for a running
 * operation to finish; returns 0 or -EBUSY. */
int popd_busy_acquire(struct popd *p, const char *id, int64_t wait_ms);
void popd_busy_release(struct popd *p, const char *id);

/* Runs fn(p, arg) on a detached thread counted as a job (popd_done waits for jobs).
 * arg is freed with free() after fn returns; on failure (negative errno) the caller keeps it. */
int popd_job_spawn(struct popd *p, void (*fn)(struct popd *p, void *arg), void *arg);

const struct popd_flavour *popd_flavour_find(const struct popd *p, const char *id);
bool popd_image_allowed(const struct popd *p, const char *image);

/* The Docker object names of a Pop container or network: "<pop name>-<name>". */
void popd_docker_name(const struct popd *p, const char *name, char *out, size_t size);
