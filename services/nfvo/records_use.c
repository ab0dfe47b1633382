/* What the records hold on to: a VIM instance or an NSD that some NSR uses cannot be deleted
 * (409 naming the records), since terminating those NSRs needs them. */
#include "records-int.h"

#include "catalogue.h"
#include "db/db.h"
#include "nfvo.h"
#include "vims.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Appends the first column of every row to names ("a, b, ..."); returns the row count. */
static int collect(struct db_stmt *st, char *names, size_t size)
{
    int n = 0, rc;
    size_t used = 0;
    if (size)
        names[0] = '\0';
    while ((rc = db_step(st)) == 1) {
        const char *id = db_column_text(st, 0);
        if (size && used + 3 < size) {
            int w = snprintf(names + used, size - used, "%s%s", n ? ", " : "", id ? id : "?");
            used = w < 0 ? used : used + (size_t)w < size ? used + (size_t)w : size - 1;
        }
        n++;
    }
    return rc < 0 ? rc : n;
}

static int nsd_in_use(void *ud, const char *project, const char *nsd_id, char *names, size_t size)
{
    struct nfvo_records *r = ud;
    _cleanup_db_put_ struct db *db = NULL;
    int rc = db_pool_get(r->n->pool, &db);
    if (rc < 0)
        return rc;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((rc = db_query(db, "SELECT id FROM nsrs WHERE project = ? AND nsd_id = ? ORDER BY id",
                       DB_ARGS(DB_TEXT(project), DB_TEXT(nsd_id)), &st)) < 0)
        return rc;
    return collect(st, names, size);
}

static int vim_in_use(void *ud, const char *project, const json_t *vim, char *why, size_t size)
{
    struct nfvo_records *r = ud;
    const char *id = json_string_value(json_object_get(vim, "id"));
    const char *name = json_string_value(json_object_get(vim, "name"));
    _cleanup_db_put_ struct db *db = NULL;
    int rc = db_pool_get(r->n->pool, &db);
    if (rc < 0)
        return rc;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    /* Servers on it (vim_id of a VNFC instance, a VLR's network), or VDUs placed on it. */
    rc = db_query(db,
                  "SELECT n.id FROM nsrs n WHERE n.project = ?1 AND ("
                  "EXISTS (SELECT 1 FROM json_tree(n.doc) WHERE key = 'vim_id' AND atom = ?2) OR "
                  "EXISTS (SELECT 1 FROM json_each(n.doc, '$._launch.vimNames') AS v, "
                  "json_each(v.value) AS x WHERE x.value = ?3)) ORDER BY n.id",
                  DB_ARGS(DB_TEXT(project), DB_TEXT(id ? id : ""), DB_TEXT(name ? name : "")), &st);
    if (rc < 0)
        return rc;
    char names[512];
    int n = collect(st, names, sizeof(names));
    if (n > 0)
        snprintf(why, size, "NS record%s %s use%s it: terminate them first", n > 1 ? "s" : "",
                 names, n > 1 ? "" : "s");
    return n;
}

void records_install_checks(struct nfvo_records *r)
{
    nfvo_catalogue_set_in_use_check(r->n->catalogue, nsd_in_use, r);
    nfvo_vims_set_in_use_check(r->n->vims, vim_in_use, r);
}
