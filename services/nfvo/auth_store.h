/* The SQL of pop-nfvo's northbound security (db/migrations/nfvo/0002_auth.sql): the token
 * signing key and the projects. Each call takes a connection from the pool for its duration. */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct db_pool;

#define NFVO_TOKEN_KEY_LEN 32
#define NFVO_DEFAULT_PROJECT "default"

/* The token signing key: made of fresh random bytes at the first call on a database, the same
 * one ever after (also from concurrent first starts). Returns 0 and fills key, or a negative
 * errno (-EIO for a stored key of the wrong length). */
int nfvo_auth_store_key(struct db_pool *pool, uint8_t key[static NFVO_TOKEN_KEY_LEN]);

/* Makes the project named "default" with a random UUID id unless it exists. Returns 0 or a
 * negative errno. */
int nfvo_auth_store_default_project(struct db_pool *pool);

/* 1 when a project has this id, 0 when none, or a negative errno. */
int nfvo_projects_exists(struct db_pool *pool, const char *id);

/* Every project as [{"id", "name", "description"}] (by name), a new reference in *ret.
 * Returns 0 or a negative errno. */
int nfvo_projects_list(struct db_pool *pool, json_t **ret);

/* One project as {"id", "name", "description"}: 0 and *ret (new reference), -ENOENT or a
 * negative errno. */
int nfvo_projects_get(struct db_pool *pool, const char *id, json_t **ret);
