/* Signing key and projects in the NFVO's database (see auth_store.h). */
#include "auth_store.h"

#include "auth/random.h"
#include "core/cleanup.h"
#include "db/db.h"
#include "json/cleanup.h"

#include <errno.h>
#include <string.h>

#define KEY_SETTING "token_key"

int nfvo_auth_store_key(struct db_pool *pool, uint8_t key[static NFVO_TOKEN_KEY_LEN])
{
    uint8_t fresh[NFVO_TOKEN_KEY_LEN];
    int r = auth_random_bytes(fresh, sizeof(fresh));
    if (r < 0)
        return r;
    _cleanup_db_put_ struct db *db = NULL;
    if ((r = db_pool_get(pool, &db)) < 0)
        return r;
    /* A second process starting on the same file at once keeps the first one's key. */
    r = db_run(db, "INSERT OR IGNORE INTO auth_settings(key, value) VALUES (?, ?)",
               DB_ARGS(DB_TEXT(KEY_SETTING), DB_BLOB(fresh, sizeof(fresh))));
    explicit_bzero(fresh, sizeof(fresh));
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((r = db_query_row(db, "SELECT value FROM auth_settings WHERE key = ?",
                          DB_ARGS(DB_TEXT(KEY_SETTING)), &st)) < 0)
        return r;
    size_t len = 0;
    const void *v = db_column_blob(st, 0, &len);
    if (len != NFVO_TOKEN_KEY_LEN)
        return -EIO;
    memcpy(key, v, len);
    return 0;
}

int nfvo_auth_store_default_project(struct db_pool *pool)
{
    char id[37];
    int r = auth_uuid4(id);
    if (r < 0)
        return r;
    _cleanup_db_put_ struct db *db = NULL;
    if ((r = db_pool_get(pool, &db)) < 0)
        return r;
    r = db_run(db, "INSERT OR IGNORE INTO projects(id, name, description) VALUES (?, ?, ?)",
               DB_ARGS(DB_TEXT(id), DB_TEXT(NFVO_DEFAULT_PROJECT),
                       DB_TEXT("the project made at the first start")));
    return r < 0 ? r : 0;
}

int nfvo_projects_exists(struct db_pool *pool, const char *id)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    r = db_query_row(db, "SELECT 1 FROM projects WHERE id = ?", DB_ARGS(DB_TEXT(id)), &st);
    return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

static json_t *project_json(struct db_stmt *st)
{
    return json_pack("{s:s, s:s, s:s}", "id", db_column_text(st, 0), "name", db_column_text(st, 1),
                     "description", db_column_text(st, 2));
}

int nfvo_projects_list(struct db_pool *pool, json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((r = db_query(db, "SELECT id, name, description FROM projects ORDER BY name", NULL, 0,
                      &st)) < 0)
        return r;
    _cleanup_json_ json_t *list = json_array();
    if (!list)
        return -ENOMEM;
    while ((r = db_step(st)) == 1)
        if (json_array_append_new(list, project_json(st)) < 0)
            return -ENOMEM;
    if (r < 0)
        return r;
    *ret = TAKE_PTR(list);
    return 0;
}

int nfvo_projects_get(struct db_pool *pool, const char *id, json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((r = db_query_row(db, "SELECT id, name, description FROM projects WHERE id = ?",
                          DB_ARGS(DB_TEXT(id)), &st)) < 0)
        return r;
    json_t *p = project_json(st);
    if (!p)
        return -ENOMEM;
    *ret = p;
    return 0;
}
