/* Inside the VIM instances module (vims.h): the document rules (vims_doc.c: what a client may
 * send, what it is shown, what a driver's refresh may change) and the SQL (vims_store.c).
 * A VIM instance is handled as its JSON document throughout; the store keeps it whole. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct db_pool;
struct nfvo_vims;

#define NFVO_VIM_MASK "**********"
#define NFVO_VIM_NAME_MAX 127 /* bytes of a VIM instance's name */
#define NFVO_VIM_TYPE_MAX 64  /* bytes of its type */
#define NFVO_VIM_URL_MAX 2048 /* bytes of its authUrl */

/* ---- documents (vims_doc.c) ---- */

/* A client's VIM instance (POST or PUT body, already parsed): the catalogue's BaseVimInstance
 * types are checked (lib/catalogue), then name (1..NFVO_VIM_NAME_MAX bytes, no control
 * characters), type (1..NFVO_VIM_TYPE_MAX of [A-Za-z0-9_.-], starting with a letter or digit,
 * no empty dot-separated part) and authUrl (scheme://..., at most NFVO_VIM_URL_MAX bytes, no
 * space or control character; an http or https URL must name a host). Returns 0 with a new
 * normalized document in *ret (Gson's rules: nulls dropped, unknown members kept), or -EINVAL
 * with e naming the field (400 invalid-field), -ENOMEM. */
int nfvo_vim_doc_check(const json_t *body, json_t **ret, struct pop_error *e);

/* authUrl with the password of its userinfo replaced by NFVO_VIM_MASK ("http://u:**********@h");
 * a URL without one is copied. A new string (free()), NULL on ENOMEM. */
char *nfvo_vim_mask_url(const char *url);

/* A copy of doc as REST shows it: password, cert, dockerKey and secretKey (when present) and
 * the authUrl's userinfo password replaced by NFVO_VIM_MASK. New reference, NULL on ENOMEM. */
json_t *nfvo_vim_doc_masked(const json_t *doc);

/* For a PUT: a secret that doc (the client's) leaves out or sends as NFVO_VIM_MASK keeps old's
 * value, and an authUrl equal to old's masked authUrl is old's (so a GET, edit, PUT round trip
 * keeps the credentials). Returns 0 or -ENOMEM. */
int nfvo_vim_doc_keep_secrets(json_t *doc, const json_t *old);

/* Takes what a driver's refresh answered into doc: its images, networks (each [] when the
 * answer has none) and flavours (when it has them), type-checked as the catalogue's; an entry
 * without an id gets a new uuid and hbVersion 0. Nothing else of the answer is taken (the
 * identity, project and credentials stay the NFVO's). Returns 0, or -EBADMSG with e saying
 * what is wrong with the answer (nothing changed), -ENOMEM. */
int nfvo_vim_doc_take_refresh(json_t *doc, const json_t *answer, struct pop_error *e);

/* ---- the store (vims_store.c); every function takes a connection from pool ---- */

/* Inserts doc (id, projectId, name, type read from it). -EEXIST: the name is taken in the
 * project. */
int nfvo_vims_db_insert(struct db_pool *pool, const json_t *doc);
/* Replaces the document of doc's id in doc's project. -ENOENT: gone; -EEXIST: the new name is
 * another VIM's. */
int nfvo_vims_db_update(struct db_pool *pool, const json_t *doc);
/* The VIM instance with id, whatever its project (ids are UUIDs): 0, -ENOENT or the store's
 * error. */
int nfvo_vims_db_get_by_id(struct db_pool *pool, const char *id, json_t **ret);
/* The VIM of project whose id (or, with by_name, id or name) is key: new reference in *ret, or
 * -ENOENT. */
int nfvo_vims_db_get(struct db_pool *pool, const char *project, const char *key, bool by_name,
                     json_t **ret);
/* Whether a VIM other than except_id (may be NULL) is named name in project: 1, 0 or < 0. */
int nfvo_vims_db_name_taken(struct db_pool *pool, const char *project, const char *name,
                            const char *except_id);
/* Every VIM of project by name: a new array in *ret. */
int nfvo_vims_db_list(struct db_pool *pool, const char *project, json_t **ret);
/* The ids and projects of every VIM (of any project) that plugin_id (vim-drivers.<type>.<x>)
 * serves: a new array of {"id","projectId"} in *ret. */
int nfvo_vims_db_served_by(struct db_pool *pool, const char *plugin_id, json_t **ret);
/* Deletes the VIM id of project: 1 deleted, 0 not there, < 0. */
int nfvo_vims_db_delete(struct db_pool *pool, const char *project, const char *id);

/* ---- the operations behind the routes (vims.c); project is the caller's ---- */

/* POST: checks body, assigns id, hbVersion 0 and projectId, picks the driver (metadata.plugin),
 * refreshes through it and stores the result; *ret = the stored document (unmasked). */
int nfvo_vims_create(struct nfvo_vims *v, const char *project, const json_t *body, json_t **ret,
                     struct pop_error *e);
/* PUT: replaces the editable members of VIM id with body's (secrets sent masked or left out
 * are kept), refreshes and stores; hbVersion + 1. */
int nfvo_vims_update(struct nfvo_vims *v, const char *project, const char *id, const json_t *body,
                     json_t **ret, struct pop_error *e);
/* GET by id only (the REST path). */
int nfvo_vims_get(struct nfvo_vims *v, const char *project, const char *id, json_t **ret,
                  struct pop_error *e);
/* DELETE: refused (409) while the in-use check says so. */
int nfvo_vims_delete(struct nfvo_vims *v, const char *project, const char *id, struct pop_error *e);
