/* The catalogue's SQL (db/migrations/nfvo/0004_catalogue.sql): onboarded NSDs as JSON documents
 * per project, and the index of their VNFDs. Every function takes a pooled connection for the
 * call; a document is read back as a new json_t. */
#pragma once

#include <jansson.h>
#include <stdint.h>

struct cat_nsd;
struct db_pool;

/* Stores doc (the NSD nsd encoded) under nsd's id with its VNFDs' index, in one transaction.
 * Returns 0, -EEXIST (an id already taken), or a database error. */
int nfvo_cat_store_put(struct db_pool *pool, const char *project, const struct cat_nsd *nsd,
                       const json_t *doc, int64_t now);

/* The NSD id of project: 0 and a new reference in *ret, -ENOENT, or a database error. */
int nfvo_cat_store_get(struct db_pool *pool, const char *project, const char *id, json_t **ret);

/* Every NSD of project, oldest first: 0 and a new array in *ret, or a database error. */
int nfvo_cat_store_list(struct db_pool *pool, const char *project, json_t **ret);

/* Deletes the NSD id of project and its VNFDs' index: 0, -ENOENT, or a database error. */
int nfvo_cat_store_delete(struct db_pool *pool, const char *project, const char *id);

/* Every VNFD of project's NSDs (id NULL), or the one with that id (-ENOENT when none): 0 and a
 * new reference in *ret (an array, or the VNFD object), or a database error. */
int nfvo_cat_store_vnfds(struct db_pool *pool, const char *project, const char *id, json_t **ret);
