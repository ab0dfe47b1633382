/* The VIM instances' SQL (see vims-int.h; table vims of db/migrations/nfvo/0003_vims.sql). */
#include "vims-int.h"

#include "core/cleanup.h"
#include "db/db.h"
#include "json/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const json_t *doc, const char *key)
{
    const char *s = json_string_value(json_object_get(doc, key));
    return s ? s : "";
}

/* The stored text of doc: compact, keys in a stable order. */
static char *dump(const json_t *doc)
{
    return json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
}

static int load(const char *text, json_t **ret)
{
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_object(doc)) {
        json_decref(doc);
        return -EIO; /* a row this module did not write */
    }
    *ret = doc;
    return 0;
}

int nfvo_vims_db_insert(struct db_pool *pool, const json_t *doc)
{
    _cleanup_free_ char *text = dump(doc);
    if (!text)
        return -ENOMEM;
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    r = db_run(db, "INSERT INTO vims (id, project, name, type, doc) VALUES (?, ?, ?, ?, ?)",
               DB_ARGS(DB_TEXT(str(doc, "id")), DB_TEXT(str(doc, "projectId")),
                       DB_TEXT(str(doc, "name")), DB_TEXT(str(doc, "type")), DB_TEXT(text)));
    return r < 0 ? r : 0;
}

int nfvo_vims_db_update(struct db_pool *pool, const json_t *doc)
{
    _cleanup_free_ char *text = dump(doc);
    if (!text)
        return -ENOMEM;
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    r = db_run(db, "UPDATE vims SET name = ?, type = ?, doc = ? WHERE id = ? AND project = ?",
               DB_ARGS(DB_TEXT(str(doc, "name")), DB_TEXT(str(doc, "type")), DB_TEXT(text),
                       DB_TEXT(str(doc, "id")), DB_TEXT(str(doc, "projectId"))));
    if (r < 0)
        return r;
    return r == 0 ? -ENOENT : 0;
}

int nfvo_vims_db_get_by_id(struct db_pool *pool, const char *id, json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((r = db_query_row(db, "SELECT doc FROM vims WHERE id = ?", DB_ARGS(DB_TEXT(id)), &st)) < 0)
        return r;
    return load(db_column_text(st, 0), ret);
}

int nfvo_vims_db_get(struct db_pool *pool, const char *project, const char *key, bool by_name,
                     json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    /* By id first: a name that is another VIM's id cannot shadow it. */
    if (by_name)
        r = db_query_row(db,
                         "SELECT doc FROM vims WHERE project = ?1 AND (id = ?2 OR name = ?2) "
                         "ORDER BY id = ?2 DESC LIMIT 1",
                         DB_ARGS(DB_TEXT(project), DB_TEXT(key)), &st);
    else
        r = db_query_row(db, "SELECT doc FROM vims WHERE project = ? AND id = ?",
                         DB_ARGS(DB_TEXT(project), DB_TEXT(key)), &st);
    if (r < 0)
        return r;
    return load(db_column_text(st, 0), ret);
}

int nfvo_vims_db_name_taken(struct db_pool *pool, const char *project, const char *name,
                            const char *except_id)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    r = db_query_row(db, "SELECT 1 FROM vims WHERE project = ? AND name = ? AND id != ?",
                     DB_ARGS(DB_TEXT(project), DB_TEXT(name), DB_TEXT(except_id ? except_id : "")),
                     &st);
    if (r == -ENOENT)
        return 0;
    return r < 0 ? r : 1;
}

static int collect(struct db_stmt *st, json_t **ret)
{
    _cleanup_json_ json_t *out = json_array();
    if (!out)
        return -ENOMEM;
    int r;
    while ((r = db_step(st)) == 1) {
        json_t *doc = NULL;
        if ((r = load(db_column_text(st, 0), &doc)) < 0)
            return r;
        if (json_array_append_new(out, doc) < 0)
            return -ENOMEM;
    }
    if (r < 0)
        return r;
    *ret = TAKE_PTR(out);
    return 0;
}

int nfvo_vims_db_list(struct db_pool *pool, const char *project, json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((r = db_query(db, "SELECT doc FROM vims WHERE project = ? ORDER BY name",
                      DB_ARGS(DB_TEXT(project)), &st)) < 0)
        return r;
    return collect(st, ret);
}

int nfvo_vims_db_served_by(struct db_pool *pool, const char *plugin_id, json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    /* The plugin vim-drivers.<t>.<x> serves type T when it starts with "vim-drivers.T."
     * (nfvo_managers_plugin_for's rule), so "a" and "a.b" for vim-drivers.a.b.x. */
    if ((r = db_query(db,
                      "SELECT json_object('id', id, 'projectId', project) FROM vims WHERE "
                      "substr(?1, 1, length(type) + 13) = 'vim-drivers.' || type || '.' "
                      "ORDER BY project, name",
                      DB_ARGS(DB_TEXT(plugin_id)), &st)) < 0)
        return r;
    return collect(st, ret);
}

int nfvo_vims_db_delete(struct db_pool *pool, const char *project, const char *id)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    return db_run(db, "DELETE FROM vims WHERE project = ? AND id = ?",
                  DB_ARGS(DB_TEXT(project), DB_TEXT(id)));
}
