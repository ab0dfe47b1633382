/* popd-rest's persistent state: every SQL statement of the service lives in store.c.
 * All functions are thread-safe (each call uses a pooled connection of its own, so a call
 * waiting for the database holds no lock another thread needs) and each call is atomic. */
#pragma once

#include "ipam.h"
#include "metadata.h"
#include "state.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POP_ID_LEN 37 /* uuid + NUL */
#define POP_NAME_MAX 63
#define POP_IMAGE_MAX 255
#define POP_MAX_ENDPOINTS 8

struct pop_store;

struct pop_network {
    char id[POP_ID_LEN];
    char name[POP_NAME_MAX + 1];
    char docker_name[128];
    char docker_id[80]; /* "" until the Docker network exists */
    struct ipam_subnet subnet;
    bool internal;
    int64_t created;
};

struct pop_endpoint {
    char network_id[POP_ID_LEN];
    char net_name[POP_NAME_MAX + 1];
    char endpoint_id[POP_ID_LEN];
    uint32_t ipv4;
    struct ipam_subnet subnet;
};

struct pop_container {
    char id[POP_ID_LEN];
    char name[POP_NAME_MAX + 1];
    char image_id[POP_IMAGE_MAX + 1];
    char flavour_id[POP_NAME_MAX + 1];
    enum pop_status status;
    char extended_status[256];
    char docker_id[80]; /* "" unless a Docker container backs it */
    int64_t created, started;
    struct pop_endpoint ep[POP_MAX_ENDPOINTS]; /* ep[0] is the primary network */
    size_t n_ep;
    struct md_set md;
};

/* What Create asks for on one network: ipv4 0 means "assign one". */
struct endpoint_request {
    const char *network;
    uint32_t ipv4;
    const char *endpoint_id; /* fresh uuid chosen by the caller */
};

/* Which request failed, for the error message. */
struct store_error {
    char network[POP_NAME_MAX + 1];
    uint32_t address;
};

/* Opens (creating and migrating) the database file at path. Returns 0 or a negative errno
 * (-EINVAL for ":memory:": every connection of the pool would see a different database). */
int store_open(const char *path, struct pop_store **ret);
void store_close(struct pop_store *st);

/* Settings: small key/value facts such as the JWT signing key. get returns -ENOENT when
 * absent; put_if_absent keeps an existing value (so concurrent first starts agree) and
 * returns the stored value through ret_value (caller frees). */
int store_setting_get(struct pop_store *st, const char *key, char **ret_value);
int store_setting_put_if_absent(struct pop_store *st, const char *key, const char *value,
                                char **ret_value);

/* Networks. add: -EEXIST when the name (or Docker name) is taken. get by id or name:
 * -ENOENT. remove: -EBUSY when a container still has an endpoint on it. */
int store_network_add(struct pop_store *st, const struct pop_network *net);
int store_network_get(struct pop_store *st, const char *id_or_name, struct pop_network *ret);
int store_network_list(struct pop_store *st, struct pop_network **ret, size_t *ret_n);
int store_network_set_docker_id(struct pop_store *st, const char *id, const char *docker_id);
int store_network_remove(struct pop_store *st, const char *id);

/* Replaces the reservations held by non-Pop containers on a network with addrs/holders
 * (holder strings like "docker:<id>"); addresses already held by Pop containers are kept
 * as they are. Returns the number of foreign reservations now held. */
int store_network_reserve_foreign(struct pop_store *st, const char *network_id,
                                  const uint32_t *addrs, const char *const *holders, size_t n);

/* Registers a container (c: id, name, image_id, flavour_id, created set by the caller) and
 * reserves one address per request, all in one transaction. Fills c->ep. Errors, with
 * err naming the network/address: -EEXIST (name taken), -ENOENT (unknown network),
 * -EDOM (requested address not usable in that subnet), -EADDRINUSE (requested address
 * taken), -ENOSPC (network exhausted), -EINVAL (duplicate network in requests). */
int store_container_create(struct pop_store *st, struct pop_container *c,
                           const struct endpoint_request *req, size_t n_req,
                           struct store_error *err);

/* Loads one container by id or name with endpoints and metadata (-ENOENT when absent).
 * Release with pop_container_done. */
int store_container_get(struct pop_store *st, const char *id_or_name, struct pop_container *ret);

/* Lists containers in creation order, optionally filtered by exact id and/or name.
 * Release with pop_container_list_free. */
int store_container_list(struct pop_store *st, const char *id, const char *name,
                         struct pop_container **ret, size_t *ret_n);

/* Replaces the metadata of a container whose status is in from_mask (-ESTALE otherwise).
 * clear_docker_id forgets the engine container in the same transaction: a recreate starts
 * that way, so a crash leaves either the old metadata with the old container or the new
 * metadata with a recreate to finish (see reconcile). */
int store_container_set_md(struct pop_store *st, const char *id, unsigned from_mask,
                           const struct md_set *md, bool clear_docker_id);

/* Moves a container whose status is in from_mask (bit per enum pop_status, see
 * POP_MASK) to status `to`, with extended status text; docker_id NULL keeps it, "" clears
 * it; started 0 keeps it. Reaching a final state releases the container's addresses.
 * Returns 0, -ESTALE (status not in from_mask), -ENOENT, or -EINVAL (logged) when a state in
 * from_mask has no edge to `to` (pop_transition_allowed): a caller's bug, nothing changes. */
int store_container_transition(struct pop_store *st, const char *id, unsigned from_mask,
                               enum pop_status to, const char *ext, const char *docker_id,
                               int64_t started);

/* Sets the backing Docker container id ("" clears) without a state change. */
int store_container_set_docker_id(struct pop_store *st, const char *id, const char *docker_id);

/* Removes the container and everything it holds. -ENOENT when absent. */
int store_container_remove(struct pop_store *st, const char *id);

/* Counters for /metrics: containers per status (indexed by enum pop_status) and
 * reserved addresses. */
int store_stats(struct pop_store *st, int64_t status_counts[POP_STATUS_COUNT],
                int64_t *ret_reserved);

/* Revoked tokens, kept until they would have expired anyway. */
int store_token_revoke(struct pop_store *st, const char *jti, int64_t expires_at);
/* Returns 1 when revoked, 0 when not, negative on error. */
int store_token_is_revoked(struct pop_store *st, const char *jti);
int store_token_purge(struct pop_store *st, int64_t now);

#define POP_MASK(s) (1u << (s))

void pop_container_done(struct pop_container *c);
void pop_container_list_free(struct pop_container *list, size_t n);
