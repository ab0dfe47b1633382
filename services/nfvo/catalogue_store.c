/* The catalogue's SQL (see catalogue_store.h). */
#include "catalogue_store.h"

#include "catalogue/catalogue.h"
#include "core/cleanup.h"
#include "db/db.h"
#include "json/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct put_ctx {
    const char *project;
    const struct cat_nsd *nsd;
    const char *text;
    int64_t now;
};

static int put_tx(struct db *db, void *ud)
{
    const struct put_ctx *p = ud;
    int r = db_run(db, "INSERT INTO nsds (id, project, name, doc, created) VALUES (?, ?, ?, ?, ?)",
                   DB_ARGS(DB_TEXT(p->nsd->base.id), DB_TEXT(p->project), DB_TEXT(p->nsd->name),
                           DB_TEXT(p->text), DB_INT(p->now)));
    for (size_t i = 0; r >= 0 && i < p->nsd->vnfd.n; i++) {
        const struct cat_vnfd *v = &p->nsd->vnfd.v[i];
        r = db_run(db,
                   "INSERT INTO nsd_vnfds (id, nsd_id, project, name, position) "
                   "VALUES (?, ?, ?, ?, ?)",
                   DB_ARGS(DB_TEXT(v->base.id), DB_TEXT(p->nsd->base.id), DB_TEXT(p->project),
                           DB_TEXT(v->name), DB_INT(i)));
    }
    return r < 0 ? r : 0;
}

int nfvo_cat_store_put(struct db_pool *pool, const char *project, const struct cat_nsd *nsd,
                       const json_t *doc, int64_t now)
{
    _cleanup_free_ char *text = json_dumps(doc, JSON_COMPACT);
    if (!text)
        return -ENOMEM;
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    struct put_ctx p = {.project = project, .nsd = nsd, .text = text, .now = now};
    return db_tx(db, put_tx, &p);
}

/* Our own documents: parsed back without lib/json's caps, which are for outside input. */
static int load_doc(const char *text, json_t **ret)
{
    json_t *j = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!j)
        return -EIO;
    *ret = j;
    return 0;
}

int nfvo_cat_store_get(struct db_pool *pool, const char *project, const char *id, json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((r = db_query_row(db, "SELECT doc FROM nsds WHERE id = ? AND project = ?",
                          DB_ARGS(DB_TEXT(id), DB_TEXT(project)), &st)) < 0)
        return r;
    return load_doc(db_column_text(st, 0), ret);
}

int nfvo_cat_store_list(struct db_pool *pool, const char *project, json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *all = json_array();
    if (!all)
        return -ENOMEM;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((r = db_query(db, "SELECT doc FROM nsds WHERE project = ? ORDER BY created, rowid",
                      DB_ARGS(DB_TEXT(project)), &st)) < 0)
        return r;
    while ((r = db_step(st)) == 1) {
        json_t *doc;
        if ((r = load_doc(db_column_text(st, 0), &doc)) < 0)
            return r;
        if (json_array_append_new(all, doc) < 0)
            return -ENOMEM;
    }
    if (r < 0)
        return r;
    *ret = json_incref(all);
    return 0;
}

int nfvo_cat_store_delete(struct db_pool *pool, const char *project, const char *id)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    /* nsd_vnfds rows go with it (ON DELETE CASCADE, foreign_keys is on). */
    r = db_run(db, "DELETE FROM nsds WHERE id = ? AND project = ?",
               DB_ARGS(DB_TEXT(id), DB_TEXT(project)));
    return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

int nfvo_cat_store_vnfds(struct db_pool *pool, const char *project, const char *id, json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *all = json_array();
    if (!all)
        return -ENOMEM;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    r = id ? db_query(db,
                      "SELECT n.doc, v.position FROM nsd_vnfds v JOIN nsds n ON n.id = v.nsd_id "
                      "WHERE v.id = ? AND v.project = ?",
                      DB_ARGS(DB_TEXT(id), DB_TEXT(project)), &st)
           : db_query(db, "SELECT doc, -1 FROM nsds WHERE project = ? ORDER BY created, rowid",
                      DB_ARGS(DB_TEXT(project)), &st);
    if (r < 0)
        return r;
    while ((r = db_step(st)) == 1) {
        _cleanup_json_ json_t *doc = NULL;
        if ((r = load_doc(db_column_text(st, 0), &doc)) < 0)
            return r;
        json_t *vnfds = json_object_get(doc, "vnfd");
        int64_t pos = db_column_int64(st, 1);
        if (pos >= 0) {
            json_t *one = json_array_get(vnfds, (size_t)pos);
            if (!one)
                return -EIO;
            *ret = json_incref(one);
            return 0;
        }
        if (json_array_extend(all, vnfds) < 0)
            return -ENOMEM;
    }
    if (r < 0)
        return r;
    if (id)
        return -ENOENT;
    *ret = json_incref(all);
    return 0;
}
