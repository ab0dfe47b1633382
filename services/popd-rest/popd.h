/* The popd-rest service object: configuration, store, accounts, Docker client pool, the set of
 * containers with an operation in progress, and background jobs. Shared by every module.
 *
 * Locks, in the order they are taken (a thread holding one may take only those after it):
 *   1. a container's busy mark (busy, a lockset key): held for a whole operation, across
 *      store and engine calls, and handed to the stop job that finishes a stop;
 *   2. network_lock: held across a network create/delete, store and engine calls included;
 * The store has no lock in this order: each store_* call uses a pooled database connection of
 * its own (struct pop_store in store.c says why), so a store call waiting for the database
 * holds nothing another thread needs. The mutexes inside docker_pool, busy, jobs, stop and the
 * store's connection pool are leaves: held only inside their own calls. Nothing holds a lock
 * while waiting on a busy mark: a waiter holds none. */
#pragma once

#include "config.h"
#include "ipam.h"
#include "store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/lockset.h"
#include "core/objpool.h"
#include "core/stopper.h"
#include "core/workq.h"

#define POPD_VERSION "0.1.0"

struct metrics;
struct metric;

/* Labels on every Docker object popd-rest creates. */
#define LABEL_POP "org.pop-nfv.pop"                /* value: the Pop name */
#define LABEL_CONTAINER "org.pop-nfv.container-id" /* value: the Pop container id */
#define LABEL_NETWORK "org.pop-nfv.network-id"     /* value: the Pop network id */

#define POPD_DEFAULT_FLAVOUR "docker.container"
#define POPD_DEFAULT_NETWORK "private"
#define POPD_MAX_FLAVOURS 16
#define POPD_MAX_POOLS 8
#define POPD_DOCKER_POOL 16 /* idle engine clients kept */
#define POPD_MAX_BUSY 1024  /* containers with an operation in progress at once */
/* Workers finishing stops in the background. Each queued stop holds its container's busy
 * mark, so the queue never needs more room than the busy set. */
#define POPD_STOP_WORKERS 8
#define POPD_STOP_QUEUE POPD_MAX_BUSY
/* How long past POPD_STOP_TIMEOUT a stop may take (engine kill and removal). */
#define POPD_STOP_GRACE_EXTRA_MS 15000

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

    struct objpool *docker_pool; /* idle struct docker_client */
    struct lockset *busy;        /* ids of containers with an operation in progress */
    struct workq *jobs;          /* background stops */

    pthread_mutex_t network_lock; /* one network create/delete at a time */

    struct stopper *stop; /* fired at shutdown: the events thread ends */
    pthread_t events_thread;
    bool events_running;

    /* GET /metrics renders this registry: the HTTP server's families and these. */
    struct metrics *metrics;
    struct metric *m_containers;       /* popd_containers{status}, set from the store at scrape */
    struct metric *m_reserved;         /* popd_reserved_addresses, likewise */
    struct metric *m_events;           /* popd_engine_events_total */
    struct metric *m_events_reconnect; /* popd_engine_event_reconnects_total */
};

/* Builds the service from a loaded config (ownership of cfg's strings moves into p):
 * opens the store, loads users, the JWT key, flavours, pools and lists. Does not touch
 * Docker. Returns 0 or a negative errno with a message in err. */
int popd_init(struct popd *p, struct popd_config *cfg, char *err, size_t errlen);
/* Drains the background jobs (a stop still queued when one stop's grace period has passed is
 * left STOPPING, for the start-up reconcile to finish), then frees everything (the metrics
 * registry too: stop the HTTP server first). */
void popd_done(struct popd *p);

/* Creates p->metrics with popd-rest's families and the hook that reads the store at scrape
 * time (h_ops.c). Returns 0 or -ENOMEM. */
int popd_metrics_init(struct popd *p);

/* Borrows a Docker client (created on demand) and gives it back. */
int popd_docker_acquire(struct popd *p, struct docker_client **ret);
void popd_docker_release(struct popd *p, struct docker_client *c);

/* Marks a container as having an operation in progress. Waits up to wait_ms (monotonic) for
 * a running operation to finish; returns 0, -EBUSY, or -ENOMEM. */
int popd_busy_acquire(struct popd *p, const char *id, int64_t wait_ms);
void popd_busy_release(struct popd *p, const char *id);

const struct popd_flavour *popd_flavour_find(const struct popd *p, const char *id);
bool popd_image_allowed(const struct popd *p, const char *image);

/* The Docker object names of a Pop container or network: "<pop name>-<name>". The engine
 * resolves a reference as a full id, then a name, then an id prefix; the '-' keeps every such
 * name out of the hex alphabet of ids, so it can never match another object's id or prefix
 * (popd-rest passes Docker ids only in full, as the engine returned them). */
void popd_docker_name(const struct popd *p, const char *name, char *out, size_t size);
