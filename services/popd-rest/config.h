/* popd-rest configuration: one struct filled from POPD_* environment variables and an
 * optional file written by `popd-rest init` (service_main reads both). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct popd_config {
    char *name;          /* POPD_NAME: Pop name; prefixes Docker objects and labels them */
    char *listen;        /* POPD_LISTEN: bind address */
    int64_t port;        /* POPD_PORT */
    char *db_path;       /* POPD_DB */
    char *docker_socket; /* POPD_DOCKER_SOCKET */
    char *auth;          /* POPD_AUTH: "user:password" (hashed at start, never stored) */
    char *users_file;    /* POPD_USERS_FILE: "user:$pbkdf2-sha256$..." lines */
    char *jwt_key;       /* POPD_JWT_KEY: hex; empty = generated once and kept in the DB */
    int64_t token_ttl_s; /* POPD_TOKEN_TTL */
    char *private_cidr;  /* POPD_PRIVATE_CIDR: subnet of the default network; empty = from pool */
    char *pools;         /* POPD_POOLS: "cidr/prefix,..." pools new subnets are carved from */
    char *flavours;      /* POPD_FLAVOURS: "name:vcpus:ram_mb,..." */
    char *cap_add;       /* POPD_CAP_ADD: capabilities containers may keep */
    char *images;        /* POPD_IMAGE_ALLOWLIST: comma-separated image names; empty = any */
    int64_t stop_timeout_s;
    uint64_t body_max;
    int64_t conn_limit;
    int64_t conn_timeout_s;
    int64_t password_iterations; /* POPD_PASSWORD_ITERATIONS: for POPD_AUTH hashing */
};

struct config_field;

/* The settings table (for service_main) and the rule across settings it checks after
 * loading: POPD_AUTH or POPD_USERS_FILE must name a user. */
const struct config_field *popd_config_fields(size_t *ret_n);
int popd_config_check(const void *cfg, char *why, size_t n);

/* Loads the configuration (file_path may be NULL) as service_main does, without the
 * settings service_main adds (POPD_VERBOSE). Returns 0, or a negative errno after writing a
 * message naming the variable into err; call popd_config_done in both cases. */
int popd_config_load(struct popd_config *cfg, const char *file_path, char *err, size_t errlen);
void popd_config_done(struct popd_config *cfg);
