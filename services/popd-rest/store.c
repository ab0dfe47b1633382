/* The store: SQL for networks, containers, endpoints, metadata, reservations and tokens.
 * One SQLite connection guarded by a mutex; multi-row changes run in db_tx transactions. */
#include "store.h"

#include "core/cleanup.h"
#include "core/log.h"
#include "db/db.h"
#include "popd_core_migrations.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pop_store {
    pthread_mutex_t lock;
    struct db *db;
};

#define LOCKED(st)                                                                                 \
    for (int once_ = (pthread_mutex_lock(&(st)->lock), 1); once_;                                  \
         once_ = 0, pthread_mutex_unlock(&(st)->lock))

static void copy_str(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

int store_open(const char *path, struct pop_store **ret)
{
    struct pop_store *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    int r = db_open(path, popd_core_migrations, popd_core_migrations_count, &st->db);
    if (r < 0) {
        free(st);
        return r;
    }
    pthread_mutex_init(&st->lock, NULL);
    *ret = st;
    return 0;
}

void store_close(struct pop_store *st)
{
    if (!st)
        return;
    db_close(st->db);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

/* Runs one UPDATE/DELETE binding up to two text parameters (NULL a2 = only one), under the
 * lock. Returns 0, -ENOENT when no row changed, or a db error. */
static int exec_on_row(struct pop_store *st, const char *sql, const char *a1, const char *a2)
{
    int r;
    LOCKED(st)
    {
        _cleanup_stmt_ struct db_stmt *s = NULL;
        r = db_prepare_cached(st->db, sql, &s);
        if (r == 0) {
            db_bind_text(s, 1, a1);
            if (a2)
                db_bind_text(s, 2, a2);
            r = db_step(s);
            if (r >= 0)
                r = db_changes(st->db) ? 0 : -ENOENT;
        }
    }
    return r;
}

/* ---- settings ---- */

static int setting_get_locked(struct pop_store *st, const char *key, char **ret_value)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_prepare_cached(st->db, "SELECT value FROM settings WHERE key = ?", &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, key);
    r = db_step(s);
    if (r < 0)
        return r;
    if (r == 0)
        return -ENOENT;
    char *v = strdup(db_column_text(s, 0));
    if (!v)
        return -ENOMEM;
    *ret_value = v;
    return 0;
}

int store_setting_get(struct pop_store *st, const char *key, char **ret_value)
{
    int r;
    LOCKED(st) r = setting_get_locked(st, key, ret_value);
    return r;
}

int store_setting_put_if_absent(struct pop_store *st, const char *key, const char *value,
                                char **ret_value)
{
    int r;
    LOCKED(st)
    {
        _cleanup_stmt_ struct db_stmt *s = NULL;
        r = db_prepare_cached(st->db, "INSERT OR IGNORE INTO settings(key, value) VALUES (?, ?)",
                              &s);
        if (r == 0) {
            db_bind_text(s, 1, key);
            db_bind_text(s, 2, value);
            r = db_step(s);
        }
        if (r >= 0)
            r = setting_get_locked(st, key, ret_value);
    }
    return r;
}

/* ---- networks ---- */

#define NETWORK_COLUMNS "id, name, docker_name, docker_id, base, prefix, gateway, internal, created"

static void network_from_row(struct db_stmt *s, struct pop_network *n)
{
    memset(n, 0, sizeof(*n));
    copy_str(n->id, sizeof(n->id), db_column_text(s, 0));
    copy_str(n->name, sizeof(n->name), db_column_text(s, 1));
    copy_str(n->docker_name, sizeof(n->docker_name), db_column_text(s, 2));
    copy_str(n->docker_id, sizeof(n->docker_id), db_column_text(s, 3));
    n->subnet.base = (uint32_t)db_column_int64(s, 4);
    n->subnet.prefix = (unsigned)db_column_int64(s, 5);
    n->subnet.gateway = (uint32_t)db_column_int64(s, 6);
    n->internal = db_column_int64(s, 7) != 0;
    n->created = db_column_int64(s, 8);
}

int store_network_add(struct pop_store *st, const struct pop_network *net)
{
    int r;
    LOCKED(st)
    {
        _cleanup_stmt_ struct db_stmt *s = NULL;
        r = db_prepare_cached(st->db,
                              "INSERT INTO networks(" NETWORK_COLUMNS
                              ") VALUES (?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?)",
                              &s);
        if (r == 0) {
            db_bind_text(s, 1, net->id);
            db_bind_text(s, 2, net->name);
            db_bind_text(s, 3, net->docker_name);
            db_bind_text(s, 4, net->docker_id);
            db_bind_int64(s, 5, net->subnet.base);
            db_bind_int64(s, 6, net->subnet.prefix);
            db_bind_int64(s, 7, net->subnet.gateway);
            db_bind_int64(s, 8, net->internal);
            db_bind_int64(s, 9, net->created);
            r = db_step(s);
        }
    }
    return r < 0 ? r : 0;
}

/* Runs a one-parameter SELECT of NETWORK_COLUMNS and reads its row: 0, -ENOENT or a db error. */
static int network_lookup(struct db *db, const char *sql, const char *key, struct pop_network *ret)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_prepare_cached(db, sql, &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, key);
    r = db_step(s);
    if (r < 0)
        return r;
    if (r == 0)
        return -ENOENT;
    network_from_row(s, ret);
    return 0;
}

int store_network_get(struct pop_store *st, const char *id_or_name, struct pop_network *ret)
{
    int r;
    LOCKED(st)
    r = network_lookup(st->db,
                       "SELECT " NETWORK_COLUMNS " FROM networks WHERE id = ?1 OR name = ?1",
                       id_or_name, ret);
    return r;
}

int store_network_list(struct pop_store *st, struct pop_network **ret, size_t *ret_n)
{
    int r;
    struct pop_network *list = NULL;
    size_t n = 0;
    LOCKED(st)
    {
        _cleanup_stmt_ struct db_stmt *s = NULL;
        r = db_prepare_cached(
            st->db, "SELECT " NETWORK_COLUMNS " FROM networks ORDER BY created, name", &s);
        while (r >= 0 && (r = db_step(s)) == 1) {
            struct pop_network *grown = realloc(list, (n + 1) * sizeof(*list));
            if (!grown) {
                r = -ENOMEM;
                break;
            }
            list = grown;
            network_from_row(s, &list[n++]);
        }
    }
    if (r < 0) {
        free(list);
        return r;
    }
    *ret = list;
    *ret_n = n;
    return 0;
}

int store_network_set_docker_id(struct pop_store *st, const char *id, const char *docker_id)
{
    return exec_on_row(st, "UPDATE networks SET docker_id = NULLIF(?, '') WHERE id = ?", docker_id,
                       id);
}

static int network_remove_tx(struct db *db, void *ud)
{
    const char *id = ud;
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_prepare_cached(db, "SELECT count(*) FROM endpoints WHERE network_id = ?", &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, id);
    r = db_step(s);
    if (r < 0)
        return r;
    if (db_column_int64(s, 0) > 0)
        return -EBUSY;
    db_stmt_free(TAKE_PTR(s));
    r = db_prepare_cached(db, "DELETE FROM networks WHERE id = ?", &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, id);
    r = db_step(s);
    if (r < 0)
        return r;
    return db_changes(db) ? 0 : -ENOENT;
}

int store_network_remove(struct pop_store *st, const char *id)
{
    int r;
    LOCKED(st) r = db_tx(st->db, network_remove_tx, (void *)id);
    return r;
}

struct foreign_args {
    const char *network_id;
    const uint32_t *addrs;
    const char *const *holders;
    size_t n;
};

static int reserve_foreign_tx(struct db *db, void *ud)
{
    struct foreign_args *a = ud;
    _cleanup_stmt_ struct db_stmt *del = NULL;
    int r = db_prepare_cached(
        db, "DELETE FROM reservations WHERE network_id = ? AND container_id IS NULL", &del);
    if (r < 0)
        return r;
    db_bind_text(del, 1, a->network_id);
    if ((r = db_step(del)) < 0)
        return r;
    int held = 0;
    for (size_t i = 0; i < a->n; i++) {
        _cleanup_stmt_ struct db_stmt *ins = NULL;
        r = db_prepare_cached(db,
                              "INSERT OR IGNORE INTO reservations(network_id, address, "
                              "container_id, holder) VALUES (?, ?, NULL, ?)",
                              &ins);
        if (r < 0)
            return r;
        db_bind_text(ins, 1, a->network_id);
        db_bind_int64(ins, 2, a->addrs[i]);
        db_bind_text(ins, 3, a->holders[i]);
        if ((r = db_step(ins)) < 0)
            return r;
        held += db_changes(db);
    }
    return held;
}

int store_network_reserve_foreign(struct pop_store *st, const char *network_id,
                                  const uint32_t *addrs, const char *const *holders, size_t n)
{
    struct foreign_args a = {network_id, addrs, holders, n};
    int r;
    LOCKED(st) r = db_tx(st->db, reserve_foreign_tx, &a);
    return r;
}

/* ---- containers ---- */

struct create_args {
    struct pop_container *c;
    const struct endpoint_request *req;
    size_t n_req;
    struct store_error *err;
};

static int reserved_addresses(struct db *db, const char *network_id, uint32_t **ret, size_t *ret_n)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_prepare_cached(db, "SELECT address FROM reservations WHERE network_id = ?", &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, network_id);
    uint32_t *list = NULL;
    size_t n = 0;
    while ((r = db_step(s)) == 1) {
        uint32_t *grown = realloc(list, (n + 1) * sizeof(*list));
        if (!grown) {
            r = -ENOMEM;
            break;
        }
        list = grown;
        list[n++] = (uint32_t)db_column_int64(s, 0);
    }
    if (r < 0) {
        free(list);
        return r;
    }
    *ret = list;
    *ret_n = n;
    return 0;
}

static int reserve_endpoint(struct db *db, struct pop_container *c,
                            const struct endpoint_request *req, struct store_error *err)
{
    struct pop_network net;
    copy_str(err->network, sizeof(err->network), req->network);
    err->address = req->ipv4;
    int r = network_lookup(db, "SELECT " NETWORK_COLUMNS " FROM networks WHERE name = ?",
                           req->network, &net);
    if (r < 0)
        return r;
    for (size_t i = 0; i < c->n_ep; i++)
        if (strcmp(c->ep[i].network_id, net.id) == 0)
            return -EINVAL;

    uint32_t addr = req->ipv4;
    if (addr) {
        if (!ipam_assignable(&net.subnet, addr))
            return -EDOM;
    } else {
        _cleanup_free_ uint32_t *used = NULL;
        size_t n_used = 0;
        r = reserved_addresses(db, net.id, &used, &n_used);
        if (r < 0)
            return r;
        r = ipam_pick_free(&net.subnet, used, n_used, &addr);
        if (r < 0)
            return r;
    }

    _cleanup_stmt_ struct db_stmt *s = NULL;
    r = db_prepare_cached(db,
                          "INSERT INTO reservations(network_id, address, container_id, holder) "
                          "VALUES (?, ?, ?, ?)",
                          &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, net.id);
    db_bind_int64(s, 2, addr);
    db_bind_text(s, 3, c->id);
    db_bind_text(s, 4, c->id);
    r = db_step(s);
    if (r == -EEXIST)
        return -EADDRINUSE;
    if (r < 0)
        return r;
    db_stmt_free(TAKE_PTR(s));

    r = db_prepare_cached(db,
                          "INSERT INTO endpoints(container_id, network_id, position, endpoint_id, "
                          "ipv4) VALUES (?, ?, ?, ?, ?)",
                          &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, c->id);
    db_bind_text(s, 2, net.id);
    db_bind_int64(s, 3, (int64_t)c->n_ep);
    db_bind_text(s, 4, req->endpoint_id);
    db_bind_int64(s, 5, addr);
    r = db_step(s);
    if (r < 0)
        return r;

    struct pop_endpoint *ep = &c->ep[c->n_ep++];
    memset(ep, 0, sizeof(*ep));
    copy_str(ep->network_id, sizeof(ep->network_id), net.id);
    copy_str(ep->net_name, sizeof(ep->net_name), net.name);
    copy_str(ep->endpoint_id, sizeof(ep->endpoint_id), req->endpoint_id);
    ep->ipv4 = addr;
    ep->subnet = net.subnet;
    return 0;
}

static int container_create_tx(struct db *db, void *ud)
{
    struct create_args *a = ud;
    struct pop_container *c = a->c;
    c->n_ep = 0;
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_prepare_cached(db,
                              "INSERT INTO containers(id, name, image_id, flavour_id, status, "
                              "extended_status, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                              &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, c->id);
    db_bind_text(s, 2, c->name);
    db_bind_text(s, 3, c->image_id);
    db_bind_text(s, 4, c->flavour_id);
    db_bind_int64(s, 5, POP_CREATED);
    db_bind_text(s, 6, c->extended_status);
    db_bind_int64(s, 7, c->created);
    r = db_step(s);
    if (r < 0)
        return r;
    for (size_t i = 0; i < a->n_req; i++) {
        r = reserve_endpoint(db, c, &a->req[i], a->err);
        if (r < 0)
            return r;
    }
    c->status = POP_CREATED;
    return 0;
}

int store_container_create(struct pop_store *st, struct pop_container *c,
                           const struct endpoint_request *req, size_t n_req,
                           struct store_error *err)
{
    if (n_req > POP_MAX_ENDPOINTS)
        return -E2BIG;
    struct create_args a = {c, req, n_req, err};
    int r;
    LOCKED(st) r = db_tx(st->db, container_create_tx, &a);
    if (r < 0)
        c->n_ep = 0;
    return r < 0 ? r : 0;
}

#define CONTAINER_COLUMNS                                                                          \
    "c.id, c.name, c.image_id, c.flavour_id, c.status, c.extended_status, c.docker_id, "           \
    "c.created, c.started"

static void container_from_row(struct db_stmt *s, struct pop_container *c)
{
    memset(c, 0, sizeof(*c));
    copy_str(c->id, sizeof(c->id), db_column_text(s, 0));
    copy_str(c->name, sizeof(c->name), db_column_text(s, 1));
    copy_str(c->image_id, sizeof(c->image_id), db_column_text(s, 2));
    copy_str(c->flavour_id, sizeof(c->flavour_id), db_column_text(s, 3));
    c->status = (enum pop_status)db_column_int64(s, 4);
    copy_str(c->extended_status, sizeof(c->extended_status), db_column_text(s, 5));
    copy_str(c->docker_id, sizeof(c->docker_id), db_column_text(s, 6));
    c->created = db_column_int64(s, 7);
    c->started = db_column_int64(s, 8);
}

static int container_load_details(struct db *db, struct pop_container *c)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_prepare_cached(db,
                              "SELECT e.network_id, n.name, e.endpoint_id, e.ipv4, n.base, "
                              "n.prefix, n.gateway FROM endpoints e JOIN networks n ON "
                              "n.id = e.network_id WHERE e.container_id = ? ORDER BY e.position",
                              &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, c->id);
    c->n_ep = 0;
    while ((r = db_step(s)) == 1 && c->n_ep < POP_MAX_ENDPOINTS) {
        struct pop_endpoint *ep = &c->ep[c->n_ep++];
        copy_str(ep->network_id, sizeof(ep->network_id), db_column_text(s, 0));
        copy_str(ep->net_name, sizeof(ep->net_name), db_column_text(s, 1));
        copy_str(ep->endpoint_id, sizeof(ep->endpoint_id), db_column_text(s, 2));
        ep->ipv4 = (uint32_t)db_column_int64(s, 3);
        ep->subnet.base = (uint32_t)db_column_int64(s, 4);
        ep->subnet.prefix = (unsigned)db_column_int64(s, 5);
        ep->subnet.gateway = (uint32_t)db_column_int64(s, 6);
    }
    if (r < 0)
        return r;
    db_stmt_free(TAKE_PTR(s));

    r = db_prepare_cached(db, "SELECT key, value FROM metadata WHERE container_id = ?", &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, c->id);
    while ((r = db_step(s)) == 1) {
        int e = md_set_put(&c->md, db_column_text(s, 0), db_column_text(s, 1));
        if (e < 0)
            return e;
    }
    return r;
}

int store_container_get(struct pop_store *st, const char *id_or_name, struct pop_container *ret)
{
    int r;
    struct pop_container c;
    LOCKED(st)
    {
        _cleanup_stmt_ struct db_stmt *s = NULL;
        r = db_prepare_cached(
            st->db, "SELECT " CONTAINER_COLUMNS " FROM containers c WHERE c.id = ?1 OR c.name = ?1",
            &s);
        if (r == 0) {
            db_bind_text(s, 1, id_or_name);
            r = db_step(s);
            if (r == 0)
                r = -ENOENT;
        }
        if (r == 1) {
            container_from_row(s, &c);
            db_stmt_free(TAKE_PTR(s));
            r = container_load_details(st->db, &c);
            if (r < 0)
                pop_container_done(&c);
        }
    }
    if (r < 0)
        return r;
    *ret = c;
    return 0;
}

int store_container_list(struct pop_store *st, const char *id, const char *name,
                         struct pop_container **ret, size_t *ret_n)
{
    int r;
    struct pop_container *list = NULL;
    size_t n = 0;
    LOCKED(st)
    {
        _cleanup_stmt_ struct db_stmt *s = NULL;
        r = db_prepare_cached(st->db,
                              "SELECT " CONTAINER_COLUMNS " FROM containers c "
                              "WHERE (?1 IS NULL OR c.id = ?1) AND (?2 IS NULL OR c.name = ?2) "
                              "ORDER BY c.created, c.rowid",
                              &s);
        if (r == 0) {
            db_bind_text(s, 1, id);
            db_bind_text(s, 2, name);
        }
        while (r >= 0 && (r = db_step(s)) == 1) {
            struct pop_container *grown = realloc(list, (n + 1) * sizeof(*list));
            if (!grown) {
                r = -ENOMEM;
                break;
            }
            list = grown;
            container_from_row(s, &list[n++]);
        }
        db_stmt_free(TAKE_PTR(s));
        for (size_t i = 0; r >= 0 && i < n; i++)
            r = container_load_details(st->db, &list[i]);
    }
    if (r < 0) {
        pop_container_list_free(list, n);
        return r;
    }
    *ret = list;
    *ret_n = n;
    return 0;
}

static int check_status(struct db *db, const char *id, unsigned from_mask)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_prepare_cached(db, "SELECT status FROM containers WHERE id = ?", &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, id);
    r = db_step(s);
    if (r < 0)
        return r;
    if (r == 0)
        return -ENOENT;
    return (from_mask & POP_MASK(db_column_int64(s, 0))) ? 0 : -ESTALE;
}

/* Inside a transaction: runs one statement whose only parameter is a container id. */
static int step_with_id(struct db *db, const char *sql, const char *id)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_prepare_cached(db, sql, &s);
    if (r < 0)
        return r;
    db_bind_text(s, 1, id);
    r = db_step(s);
    return r < 0 ? r : 0;
}

struct md_args {
    const char *id;
    unsigned from_mask;
    const struct md_set *md;
    bool clear_docker_id;
};

static int set_md_tx(struct db *db, void *ud)
{
    struct md_args *a = ud;
    int r = check_status(db, a->id, a->from_mask);
    if (r < 0)
        return r;
    if ((r = step_with_id(db, "DELETE FROM metadata WHERE container_id = ?", a->id)) < 0)
        return r;
    for (size_t i = 0; i < a->md->n; i++) {
        _cleanup_stmt_ struct db_stmt *ins = NULL;
        r = db_prepare_cached(db, "INSERT INTO metadata(container_id, key, value) VALUES (?, ?, ?)",
                              &ins);
        if (r < 0)
            return r;
        db_bind_text(ins, 1, a->id);
        db_bind_text(ins, 2, a->md->entries[i].key);
        db_bind_text(ins, 3, a->md->entries[i].value);
        if ((r = db_step(ins)) < 0)
            return r;
    }
    if (a->clear_docker_id)
        return step_with_id(db, "UPDATE containers SET docker_id = NULL WHERE id = ?", a->id);
    return 0;
}

int store_container_set_md(struct pop_store *st, const char *id, unsigned from_mask,
                           const struct md_set *md, bool clear_docker_id)
{
    struct md_args a = {id, from_mask, md, clear_docker_id};
    int r;
    LOCKED(st) r = db_tx(st->db, set_md_tx, &a);
    return r < 0 ? r : 0;
}

struct transition_args {
    const char *id;
    unsigned from_mask;
    enum pop_status to;
    const char *ext;
    const char *docker_id;
    int64_t started;
};

static int transition_tx(struct db *db, void *ud)
{
    struct transition_args *a = ud;
    int r = check_status(db, a->id, a->from_mask);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *s = NULL;
    r = db_prepare_cached(
        db,
        "UPDATE containers SET status = ?1, extended_status = ?2, "
        "docker_id = CASE WHEN ?3 IS NULL THEN docker_id ELSE NULLIF(?3, '') END, "
        "started = CASE WHEN ?4 = 0 THEN started ELSE ?4 END WHERE id = ?5",
        &s);
    if (r < 0)
        return r;
    db_bind_int64(s, 1, a->to);
    db_bind_text(s, 2, a->ext ? a->ext : "");
    db_bind_text(s, 3, a->docker_id);
    db_bind_int64(s, 4, a->started);
    db_bind_text(s, 5, a->id);
    if ((r = db_step(s)) < 0)
        return r;
    if (pop_status_is_final(a->to))
        return step_with_id(db, "DELETE FROM reservations WHERE container_id = ?", a->id);
    return 0;
}

int store_container_transition(struct pop_store *st, const char *id, unsigned from_mask,
                               enum pop_status to, const char *ext, const char *docker_id,
                               int64_t started)
{
    struct transition_args a = {id, from_mask, to, ext, docker_id, started};
    int r;
    LOCKED(st) r = db_tx(st->db, transition_tx, &a);
    return r < 0 ? r : 0;
}

int store_container_set_docker_id(struct pop_store *st, const char *id, const char *docker_id)
{
    return exec_on_row(st, "UPDATE containers SET docker_id = NULLIF(?, '') WHERE id = ?",
                       docker_id, id);
}

int store_container_remove(struct pop_store *st, const char *id)
{
    return exec_on_row(st, "DELETE FROM containers WHERE id = ?", id, NULL);
}

int store_stats(struct pop_store *st, int64_t status_counts[6], int64_t *ret_reserved)
{
    int r;
    memset(status_counts, 0, 6 * sizeof(int64_t));
    LOCKED(st)
    {
        _cleanup_stmt_ struct db_stmt *s = NULL;
        r = db_prepare_cached(st->db, "SELECT status, count(*) FROM containers GROUP BY status",
                              &s);
        while (r >= 0 && (r = db_step(s)) == 1) {
            int64_t status = db_column_int64(s, 0);
            if (status >= 0 && status < 6)
                status_counts[status] = db_column_int64(s, 1);
        }
        db_stmt_free(TAKE_PTR(s));
        if (r >= 0)
            r = db_prepare_cached(st->db, "SELECT count(*) FROM reservations", &s);
        if (r >= 0 && (r = db_step(s)) == 1)
            *ret_reserved = db_column_int64(s, 0);
    }
    return r < 0 ? r : 0;
}

int store_token_revoke(struct pop_store *st, const char *jti, int64_t expires_at)
{
    int r;
    LOCKED(st)
    {
        _cleanup_stmt_ struct db_stmt *s = NULL;
        r = db_prepare_cached(
            st->db, "INSERT OR IGNORE INTO revoked_tokens(jti, expires_at) VALUES (?, ?)", &s);
        if (r == 0) {
            db_bind_text(s, 1, jti);
            db_bind_int64(s, 2, expires_at);
            r = db_step(s);
        }
    }
    return r < 0 ? r : 0;
}

int store_token_is_revoked(struct pop_store *st, const char *jti)
{
    int r;
    LOCKED(st)
    {
        _cleanup_stmt_ struct db_stmt *s = NULL;
        r = db_prepare_cached(st->db, "SELECT 1 FROM revoked_tokens WHERE jti = ?", &s);
        if (r == 0) {
            db_bind_text(s, 1, jti);
            r = db_step(s);
        }
    }
    return r;
}

int store_token_purge(struct pop_store *st, int64_t now)
{
    int r;
    LOCKED(st)
    {
        _cleanup_stmt_ struct db_stmt *s = NULL;
        r = db_prepare_cached(st->db, "DELETE FROM revoked_tokens WHERE expires_at < ?", &s);
        if (r == 0) {
            db_bind_int64(s, 1, now);
            r = db_step(s);
        }
    }
    return r < 0 ? r : 0;
}

void pop_container_done(struct pop_container *c)
{
    if (c)
        md_set_done(&c->md);
}

void pop_container_list_free(struct pop_container *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pop_container_done(&list[i]);
    free(list);
}
