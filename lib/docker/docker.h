/* Docker Engine API client (API 1.41 over the engine's unix socket): containers, networks,
 * images and the events stream. Request bodies are built field by field from typed specs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOCKER_DEFAULT_SOCKET "/var/run/docker.sock"
#define DOCKER_MAX_ENDPOINTS 16 /* networks per container */
#define DOCKER_MAX_LIST 256     /* env entries, label pairs, capabilities in a spec */

/* Opaque: an HTTP client on the engine socket. Not thread-safe: one per thread. */
struct docker_client;
struct stopper;

/* Errors of every call below unless its comment says otherwise: -ENOENT (404: no such
 * container, network or image), -EEXIST (409: name already in use), -EINVAL (400, or a spec
 * rejected before any request), -EPERM (403), -ECONNREFUSED (engine socket not reachable),
 * -ETIMEDOUT, -ENOMEM, -EIO (anything else, e.g. 500). docker_last_error says why. */

/* Connects lazily to socket_path (NULL = DOCKER_DEFAULT_SOCKET). Returns 0, -EINVAL, -ENOMEM. */
int docker_client_new(const char *socket_path, struct docker_client **ret);
/* Accepts NULL. */
void docker_client_free(struct docker_client *c);

/* The engine's "message" for the last failed call, or the transport error; "" if none.
 * Valid until the next call on c. */
const char *docker_last_error(const struct docker_client *c);

/* GET /_ping. Returns 0 when the engine answers OK. */
int docker_ping(struct docker_client *c);

/* Labels everywhere are NULL-terminated flat arrays of key, value, key, value, ... */
/* Returns the value of key in labels (may be NULL), or NULL when absent. */
const char *docker_labels_get(char *const *labels, const char *key);

/* ---- containers ---- */

struct docker_endpoint_spec {
    const char *network; /* name or id; not "host", "none" or "container:..." */
    const char *ipv4;    /* fixed address, or NULL to let the engine pick */
};

struct docker_container_spec {
    const char *name;                             /* NULL = engine-generated */
    const char *image;                            /* required */
    const char *const *cmd;                       /* argv after the image's entrypoint, or NULL */
    const char *const *env;                       /* "K=V" strings, NULL-terminated, or NULL */
    const char *const *labels;                    /* k, v pairs, NULL-terminated, or NULL */
    const struct docker_endpoint_spec *endpoints; /* none: NetworkMode "none" */
    size_t n_endpoints;                           /* at most DOCKER_MAX_ENDPOINTS */
    int64_t nano_cpus;                            /* CPU limit in 1e-9 CPUs; 0 = none */
    int64_t memory_bytes;                         /* memory limit; 0 = none */
    const char *const *cap_add; /* capabilities to keep (e.g. "NET_ADMIN"), or NULL */
};

/* Creates (does not start) a container. HostConfig is fixed: Privileged=false, Init=true,
 * CapDrop=["ALL"] plus cap_add, SecurityOpt=["no-new-privileges"], no mounts, no restart,
 * NetworkMode = the first endpoint's network; the other endpoints are connected before this
 * returns. On any failure the half-made container is removed. Returns 0 and a malloc'ed id in
 * *ret_id, -EEXIST when the name is taken, -ENOENT for a missing image or network. Fixed IPs
 * outside a network's subnet or already in use are only refused at start. */
int docker_container_create(struct docker_client *c, const struct docker_container_spec *spec,
                            char **ret_id);

/* Starts a created container; already running is success. Returns -EADDRINUSE when a fixed IP
 * is taken (other start failures, e.g. an IP outside the subnet, are -EIO). */
int docker_container_start(struct docker_client *c, const char *id);

/* Sends SIGTERM, then SIGKILL after timeout_s seconds; already stopped is success. */
int docker_container_stop(struct docker_client *c, const char *id, int timeout_s);

/* Removes the container (force: even when running). Returns -ENOENT when it does not exist,
 * -EBUSY when it runs and force is false. */
int docker_container_remove(struct docker_client *c, const char *id, bool force);

struct docker_endpoint_info {
    char *network;    /* network name */
    char *network_id; /* may be "" for a container that never started */
    char *ipv4;       /* address without prefix length; the requested one before start; "" */
    char *mac;        /* "" when not started */
};

struct docker_container_info {
    char *id;
    char *name;      /* without the leading '/' */
    char *image;     /* as given at create, e.g. "pop-tiny:latest" */
    char *image_id;  /* "sha256:..." */
    char *state;     /* created, running, paused, restarting, removing, exited, dead */
    int exit_code;   /* meaningful when state is exited or dead */
    bool oom_killed; /* inspect only (false from list) */
    int64_t created; /* unix seconds */
    int64_t started; /* unix seconds of the last start; 0 if never, or from list */
    char **labels;   /* k, v pairs, NULL-terminated, never NULL */
    char **env;      /* "K=V", NULL-terminated; inspect only (NULL from list) */
    struct docker_endpoint_info *endpoints;
    size_t n_endpoints;
};

/* Fills *ret for one container (by id, unique id prefix or name). Release with
 * docker_container_info_done. */
int docker_container_inspect(struct docker_client *c, const char *id_or_name,
                             struct docker_container_info *ret);

/* Lists containers carrying label_filter ("key" or "key=value"; NULL = all), including
 * stopped ones when all is true. exit_code comes from the engine's status text. Returns 0 and
 * a malloc'ed array (possibly empty) in *ret, its length in *ret_n; release with
 * docker_container_info_free. */
int docker_container_list(struct docker_client *c, const char *label_filter, bool all,
                          struct docker_container_info **ret, size_t *ret_n);

void docker_container_info_done(struct docker_container_info *info);
/* Frees an array from docker_container_list. Accepts NULL. */
void docker_container_info_free(struct docker_container_info *list, size_t n);

/* ---- networks ---- */

struct docker_network_spec {
    const char *name;          /* required; must be unused (duplicates are refused) */
    const char *cidr;          /* IPv4 subnet, e.g. "10.213.4.0/24"; required */
    const char *gateway;       /* NULL = engine picks the first address */
    bool internal;             /* no route outside */
    const char *const *labels; /* k, v pairs, NULL-terminated, or NULL */
};

/* Creates a bridge network with one IPv4 subnet. Returns 0 and a malloc'ed id in *ret_id,
 * -EEXIST when the name is taken, -EADDRINUSE when the subnet overlaps another network's. */
int docker_network_create(struct docker_client *c, const struct docker_network_spec *spec,
                          char **ret_id);

/* Returns 0, -ENOENT, or -EBUSY while containers are still connected. */
int docker_network_remove(struct docker_client *c, const char *id_or_name);

struct docker_subnet_info {
    char *cidr;
    char *gateway; /* "" when the engine did not report one */
};

struct docker_network_member {
    char *container_id;
    char *name;
    char *ipv4; /* without prefix length; "" when none */
    char *mac;
};

struct docker_network_info {
    char *id;
    char *name;
    char *driver;
    bool internal;
    char **labels; /* k, v pairs, NULL-terminated, never NULL */
    struct docker_subnet_info *subnets;
    size_t n_subnets;
    struct docker_network_member *members; /* docker_network_inspect only (running ones) */
    size_t n_members;
};

/* Lists every network (without members: API 1.41 does not report them in lists). */
int docker_network_list(struct docker_client *c, struct docker_network_info **ret, size_t *ret_n);
/* One network with its connected containers. Release with docker_network_info_done. */
int docker_network_inspect(struct docker_client *c, const char *id_or_name,
                           struct docker_network_info *ret);
void docker_network_info_done(struct docker_network_info *info);
void docker_network_info_free(struct docker_network_info *list, size_t n);

/* ---- images ---- */

struct docker_image_info {
    char *id;         /* "sha256:..." */
    char **repo_tags; /* NULL-terminated, never NULL (empty for dangling images) */
    int64_t created;  /* unix seconds */
    int64_t size;     /* bytes */
    char **labels;    /* k, v pairs, NULL-terminated, never NULL */
};

int docker_image_list(struct docker_client *c, struct docker_image_info **ret, size_t *ret_n);
/* The one image ref names (a name[:tag] or an id, resolved as the engine does: "x" means
 * "x:latest"), in one round trip instead of the whole list's: 0, -ENOENT when the engine has no
 * such image, or the failure. Release with docker_image_info_free(ret, 1). */
int docker_image_inspect(struct docker_client *c, const char *ref, struct docker_image_info **ret);
void docker_image_info_free(struct docker_image_info *list, size_t n);

/* ---- events ---- */

struct docker_event {
    const char *type;              /* container, network, image, ... */
    const char *action;            /* start, die, stop, kill, oom, destroy, create, connect, ... */
    const char *actor_id;          /* container id for container events, "" if absent */
    const char *name;              /* Actor.Attributes.name, "" if absent */
    int exit_code;                 /* for "die": the exit code; -1 otherwise */
    int64_t time;                  /* unix seconds */
    const char *const *attributes; /* Actor.Attributes as k, v pairs (labels included) */
};

/* Returns the attribute (or label) value of ev, or NULL. */
const char *docker_event_attr(const struct docker_event *ev, const char *key);

/* Follows GET /events on its own connection until stop fires (noticed within about a second,
 * also when no events arrive: curl's transfer is interrupted only from its progress callback,
 * which lib/httpc polls once a second) or the stream breaks. filters are "key=value" strings
 * ("type=container", "label=org.pop-nfv.pop-id", "label=k=v"), or NULL. since_s > 0 replays
 * events from that unix time first (use it after a reconnect, or re-list instead).
 * on_event gets each event; its strings live until it returns; a negative return stops
 * following and is returned. Returns 0 when stopped, or negative when the stream could not be
 * opened or broke (-ECONNRESET when the engine ended it): reconnect with a backoff. Blocks. */
int docker_events_follow(const char *socket_path, const char *const *filters, int64_t since_s,
                         int (*on_event)(const struct docker_event *ev, void *userdata),
                         void *userdata, const struct stopper *stop);
