/* The store: SQL for networks, containers, endpoints, metadata, reservations and tokens.
 * Every public function takes a connection of its own from the pool for the length of the call
 * (a scope guard gives it back on every return); multi-statement changes run in db_tx
 * transactions and multi-statement reads in db_read_tx snapshots, so each call is atomic. */
#include "store.h"

#include "core/cleanup.h"
#include "core/log.h"
#include "db/db.h"
#include "popd_core_migrations.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pop_store {
    /* No store-wide mutex, by design: one connection per thread at a time, from this pool.
     * With a single connection behind a mutex, a call meeting another process's write lock
     * slept (SQLite's 5 s busy timeout, then db_tx's backoff) with the mutex held, and every
     * other request queued behind it, reads included. Now a waiting writer holds only its own
     * connection: readers go on at once (WAL), other writers wait for SQLite's write lock,
     * which they need anyway. The pool's own locks are leaves, held for a push or a pop; see
     * docs/internals/db.md. */
    struct db_pool *pool;
};

static void copy_str(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* Maps db_run's count of changed rows for a statement on one row: 0, or -ENOENT when none. */
static int one_row_changed(int r)
{
    if (r < 0)
        return r;
    return r > 0 ? 0 : -ENOENT;
}

/* Runs one statement on a connection of its own; returns rows changed or a db error. */
static int store_run(struct pop_store *st, const char *sql, const struct db_arg *args, size_t n)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(st->pool, &db);
    if (r < 0)
        return r;
    return db_run(db, sql, args, n);
}

/* Runs fn as one write transaction (db_tx) on a connection of its own. */
static int store_tx(struct pop_store *st, int (*fn)(struct db *db, void *ud), void *ud)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(st->pool, &db);
    if (r < 0)
        return r;
    return db_tx(db, fn, ud);
}

/* Runs fn as one read snapshot (db_read_tx) on a connection of its own. */
static int store_read(struct pop_store *st, int (*fn)(struct db *db, void *ud), void *ud)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(st->pool, &db);
    if (r < 0)
        return r;
    return db_read_tx(db, fn, ud);
}

int store_open(const char *path, struct pop_store **ret)
{
    struct pop_store *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    int r = db_pool_open(path, popd_core_migrations, popd_core_migrations_count, &st->pool);
    if (r < 0) {
        free(st);
        return r;
    }
    *ret = st;
    return 0;
}

void store_close(struct pop_store *st)
{
    if (!st)
        return;
    db_pool_close(st->pool);
    free(st);
}

/* ---- settings ---- */

static int setting_get_in(struct db *db, const char *key, char **ret_value)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_query_row(db, "SELECT value FROM settings WHERE key = ?", DB_ARGS(DB_TEXT(key)), &s);
    if (r < 0)
        return r;
    char *v = strdup(db_column_text(s, 0));
    if (!v)
        return -ENOMEM;
    *ret_value = v;
    return 0;
}

int store_setting_get(struct pop_store *st, const char *key, char **ret_value)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(st->pool, &db);
    if (r < 0)
        return r;
    return setting_get_in(db, key, ret_value);
}

int store_setting_put_if_absent(struct pop_store *st, const char *key, const char *value,
                                char **ret_value)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(st->pool, &db);
    if (r < 0)
        return r;
    r = db_run(db, "INSERT OR IGNORE INTO settings(key, value) VALUES (?, ?)",
               DB_ARGS(DB_TEXT(key), DB_TEXT(value)));
    if (r < 0)
        return r;
    return setting_get_in(db, key, ret_value);
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
    int r = store_run(
        st,
        "INSERT INTO networks(" NETWORK_COLUMNS ") VALUES (?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?)",
        DB_ARGS(DB_TEXT(net->id), DB_TEXT(net->name), DB_TEXT(net->docker_name),
                DB_TEXT(net->docker_id), DB_INT(net->subnet.base), DB_INT(net->subnet.prefix),
                DB_INT(net->subnet.gateway), DB_INT(net->internal), DB_INT(net->created)));
    return r < 0 ? r : 0;
}

/* Runs a one-parameter SELECT of NETWORK_COLUMNS and reads its row: 0, -ENOENT or a db error. */
static int network_lookup(struct db *db, const char *sql, const char *key, struct pop_network *ret)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_query_row(db, sql, DB_ARGS(DB_TEXT(key)), &s);
    if (r < 0)
        return r;
    network_from_row(s, ret);
    return 0;
}

int store_network_get(struct pop_store *st, const char *id_or_name, struct pop_network *ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(st->pool, &db);
    if (r < 0)
        return r;
    /* Names in the id format are refused at creation; one left by an older popd-rest must
     * still not shadow the network whose id it is: the id wins. */
    return network_lookup(db,
                          "SELECT " NETWORK_COLUMNS " FROM networks WHERE id = ?1 OR name = ?1 "
                          "ORDER BY id = ?1 DESC LIMIT 1",
                          id_or_name, ret);
}

int store_network_list(struct pop_store *st, struct pop_network **ret, size_t *ret_n)
{
    _cleanup_db_put_ struct db *db = NULL;
    _cleanup_stmt_ struct db_stmt *s = NULL;
    _cleanup_free_ struct pop_network *list = NULL;
    size_t n = 0;
    int r = db_pool_get(st->pool, &db);
    if (r == 0)
        r = db_query(db, "SELECT " NETWORK_COLUMNS " FROM networks ORDER BY created, name", NULL, 0,
                     &s);
    while (r >= 0 && (r = db_step(s)) == 1) {
        struct pop_network *grown = realloc(list, (n + 1) * sizeof(*list));
        if (!grown)
            return -ENOMEM;
        list = grown;
        network_from_row(s, &list[n++]);
    }
    if (r < 0)
        return r;
    *ret = TAKE_PTR(list);
    *ret_n = n;
    return 0;
}

int store_network_set_docker_id(struct pop_store *st, const char *id, const char *docker_id)
{
    return one_row_changed(store_run(st,
                                     "UPDATE networks SET docker_id = NULLIF(?, '') WHERE id = ?",
                                     DB_ARGS(DB_TEXT(docker_id), DB_TEXT(id))));
}

static int network_remove_tx(struct db *db, void *ud)
{
    const char *id = ud;
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_query_row(db, "SELECT count(*) FROM endpoints WHERE network_id = ?",
                         DB_ARGS(DB_TEXT(id)), &s);
    if (r < 0)
        return r;
    /* Not -EBUSY here: db_tx takes that for a locked database and retries. */
    if (db_column_int64(s, 0) > 0)
        return -ENOTEMPTY;
    return one_row_changed(db_run(db, "DELETE FROM networks WHERE id = ?", DB_ARGS(DB_TEXT(id))));
}

int store_network_remove(struct pop_store *st, const char *id)
{
    int r = store_tx(st, network_remove_tx, (void *)id);
    return r == -ENOTEMPTY ? -EBUSY : r;
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
    int r = db_run(db, "DELETE FROM reservations WHERE network_id = ? AND container_id IS NULL",
                   DB_ARGS(DB_TEXT(a->network_id)));
    if (r < 0)
        return r;
    int held = 0;
    for (size_t i = 0; i < a->n; i++) {
        r = db_run(db,
                   "INSERT OR IGNORE INTO reservations(network_id, address, container_id, holder) "
                   "VALUES (?, ?, NULL, ?)",
                   DB_ARGS(DB_TEXT(a->network_id), DB_INT(a->addrs[i]), DB_TEXT(a->holders[i])));
        if (r < 0)
            return r;
        held += r;
    }
    return held;
}

int store_network_reserve_foreign(struct pop_store *st, const char *network_id,
                                  const uint32_t *addrs, const char *const *holders, size_t n)
{
    struct foreign_args a = {network_id, addrs, holders, n};
    return store_tx(st, reserve_foreign_tx, &a);
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
    int r = db_query(db, "SELECT address FROM reservations WHERE network_id = ?",
                     DB_ARGS(DB_TEXT(network_id)), &s);
    if (r < 0)
        return r;
    _cleanup_free_ uint32_t *list = NULL;
    size_t n = 0;
    while ((r = db_step(s)) == 1) {
        uint32_t *grown = realloc(list, (n + 1) * sizeof(*list));
        if (!grown)
            return -ENOMEM;
        list = grown;
        list[n++] = (uint32_t)db_column_int64(s, 0);
    }
    if (r < 0)
        return r;
    *ret = TAKE_PTR(list);
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

    r = db_run(db,
               "INSERT INTO reservations(network_id, address, container_id, holder) "
               "VALUES (?, ?, ?, ?)",
               DB_ARGS(DB_TEXT(net.id), DB_INT(addr), DB_TEXT(c->id), DB_TEXT(c->id)));
    if (r == -EEXIST)
        return -EADDRINUSE;
    if (r < 0)
        return r;
    r = db_run(db,
               "INSERT INTO endpoints(container_id, network_id, position, endpoint_id, ipv4) "
               "VALUES (?, ?, ?, ?, ?)",
               DB_ARGS(DB_TEXT(c->id), DB_TEXT(net.id), DB_INT(c->n_ep), DB_TEXT(req->endpoint_id),
                       DB_INT(addr)));
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
    int r = db_run(db,
                   "INSERT INTO containers(id, name, image_id, flavour_id, status, "
                   "extended_status, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   DB_ARGS(DB_TEXT(c->id), DB_TEXT(c->name), DB_TEXT(c->image_id),
                           DB_TEXT(c->flavour_id), DB_INT(POP_CREATED), DB_TEXT(c->extended_status),
                           DB_INT(c->created)));
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
    int r = store_tx(st, container_create_tx, &a);
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
    int r = db_query(db,
                     "SELECT e.network_id, n.name, e.endpoint_id, e.ipv4, n.base, n.prefix, "
                     "n.gateway FROM endpoints e JOIN networks n ON n.id = e.network_id "
                     "WHERE e.container_id = ? ORDER BY e.position",
                     DB_ARGS(DB_TEXT(c->id)), &s);
    if (r < 0)
        return r;
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

    r = db_query(db, "SELECT key, value FROM metadata WHERE container_id = ?",
                 DB_ARGS(DB_TEXT(c->id)), &s);
    if (r < 0)
        return r;
    while ((r = db_step(s)) == 1) {
        int e = md_set_put(&c->md, db_column_text(s, 0), db_column_text(s, 1));
        if (e < 0)
            return e;
    }
    return r;
}

struct get_args {
    const char *id_or_name;
    struct pop_container *ret;
};

static int container_get_rd(struct db *db, void *ud)
{
    struct get_args *a = ud;
    _cleanup_stmt_ struct db_stmt *s = NULL;
    /* As for networks: an id-shaped name from an older popd-rest never wins over an id. */
    int r = db_query_row(db,
                         "SELECT " CONTAINER_COLUMNS " FROM containers c "
                         "WHERE c.id = ?1 OR c.name = ?1 ORDER BY c.id = ?1 DESC LIMIT 1",
                         DB_ARGS(DB_TEXT(a->id_or_name)), &s);
    if (r < 0)
        return r;
    struct pop_container c;
    container_from_row(s, &c);
    db_stmt_free(TAKE_PTR(s));
    r = container_load_details(db, &c);
    if (r < 0) {
        pop_container_done(&c);
        return r;
    }
    *a->ret = c;
    return 0;
}

int store_container_get(struct pop_store *st, const char *id_or_name, struct pop_container *ret)
{
    struct get_args a = {id_or_name, ret};
    return store_read(st, container_get_rd, &a);
}

struct list_args {
    const char *id, *name;
    struct pop_container *list;
    size_t n;
};

static int container_list_rd(struct db *db, void *ud)
{
    struct list_args *a = ud;
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_query(db,
                     "SELECT " CONTAINER_COLUMNS " FROM containers c "
                     "WHERE (?1 IS NULL OR c.id = ?1) AND (?2 IS NULL OR c.name = ?2) "
                     "ORDER BY c.created, c.rowid",
                     DB_ARGS(DB_TEXT(a->id), DB_TEXT(a->name)), &s);
    while (r >= 0 && (r = db_step(s)) == 1) {
        struct pop_container *grown = realloc(a->list, (a->n + 1) * sizeof(*a->list));
        if (!grown) {
            r = -ENOMEM;
            break;
        }
        a->list = grown;
        container_from_row(s, &a->list[a->n++]);
    }
    db_stmt_free(TAKE_PTR(s));
    for (size_t i = 0; r >= 0 && i < a->n; i++)
        r = container_load_details(db, &a->list[i]);
    if (r < 0) {
        /* Nothing half-read survives a failed (or retried) attempt. */
        pop_container_list_free(a->list, a->n);
        a->list = NULL;
        a->n = 0;
    }
    return r;
}

int store_container_list(struct pop_store *st, const char *id, const char *name,
                         struct pop_container **ret, size_t *ret_n)
{
    struct list_args a = {id, name, NULL, 0};
    int r = store_read(st, container_list_rd, &a);
    if (r < 0)
        return r;
    *ret = a.list;
    *ret_n = a.n;
    return 0;
}

static int check_status(struct db *db, const char *id, unsigned from_mask)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r =
        db_query_row(db, "SELECT status FROM containers WHERE id = ?", DB_ARGS(DB_TEXT(id)), &s);
    if (r < 0)
        return r;
    return (from_mask & POP_MASK(db_column_int64(s, 0))) ? 0 : -ESTALE;
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
    r = db_run(db, "DELETE FROM metadata WHERE container_id = ?", DB_ARGS(DB_TEXT(a->id)));
    if (r < 0)
        return r;
    for (size_t i = 0; i < a->md->n; i++) {
        r = db_run(db, "INSERT INTO metadata(container_id, key, value) VALUES (?, ?, ?)",
                   DB_ARGS(DB_TEXT(a->id), DB_TEXT(a->md->entries[i].key),
                           DB_TEXT(a->md->entries[i].value)));
        if (r < 0)
            return r;
    }
    if (a->clear_docker_id) {
        r = db_run(db, "UPDATE containers SET docker_id = NULL WHERE id = ?",
                   DB_ARGS(DB_TEXT(a->id)));
        if (r < 0)
            return r;
    }
    return 0;
}

int store_container_set_md(struct pop_store *st, const char *id, unsigned from_mask,
                           const struct md_set *md, bool clear_docker_id)
{
    struct md_args a = {id, from_mask, md, clear_docker_id};
    int r = store_tx(st, set_md_tx, &a);
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

/* Whether every state in from_mask has an edge to `to` in the state graph (state.c decides;
 * callers only say where they expect the container to be). */
static bool transition_on_graph(unsigned from_mask, enum pop_status to)
{
    if (from_mask == 0 || (from_mask >> POP_STATUS_COUNT) != 0)
        return false;
    for (unsigned from = 0; from < POP_STATUS_COUNT; from++)
        if ((from_mask & POP_MASK(from)) && !pop_transition_allowed(from, to))
            return false;
    return true;
}

static int transition_tx(struct db *db, void *ud)
{
    struct transition_args *a = ud;
    if (!transition_on_graph(a->from_mask, a->to)) {
        log_error("store: refused moving container %s from state mask %#x to %s: not an edge "
                  "of the state graph",
                  a->id, a->from_mask, pop_status_name(a->to));
        return -EINVAL;
    }
    int r = check_status(db, a->id, a->from_mask);
    if (r < 0)
        return r;
    r = db_run(db,
               "UPDATE containers SET status = ?1, extended_status = ?2, "
               "docker_id = CASE WHEN ?3 IS NULL THEN docker_id ELSE NULLIF(?3, '') END, "
               "started = CASE WHEN ?4 = 0 THEN started ELSE ?4 END WHERE id = ?5",
               DB_ARGS(DB_INT(a->to), DB_TEXT(a->ext ? a->ext : ""), DB_TEXT(a->docker_id),
                       DB_INT(a->started), DB_TEXT(a->id)));
    if (r < 0)
        return r;
    if (pop_status_is_final(a->to)) {
        r = db_run(db, "DELETE FROM reservations WHERE container_id = ?", DB_ARGS(DB_TEXT(a->id)));
        if (r < 0)
            return r;
    }
    return 0;
}

int store_container_transition(struct pop_store *st, const char *id, unsigned from_mask,
                               enum pop_status to, const char *ext, const char *docker_id,
                               int64_t started)
{
    struct transition_args a = {id, from_mask, to, ext, docker_id, started};
    int r = store_tx(st, transition_tx, &a);
    return r < 0 ? r : 0;
}

int store_container_set_docker_id(struct pop_store *st, const char *id, const char *docker_id)
{
    return one_row_changed(store_run(st,
                                     "UPDATE containers SET docker_id = NULLIF(?, '') WHERE id = ?",
                                     DB_ARGS(DB_TEXT(docker_id), DB_TEXT(id))));
}

int store_container_remove(struct pop_store *st, const char *id)
{
    return one_row_changed(
        store_run(st, "DELETE FROM containers WHERE id = ?", DB_ARGS(DB_TEXT(id))));
}

struct stats_args {
    int64_t *status_counts;
    int64_t reserved;
};

static int stats_rd(struct db *db, void *ud)
{
    struct stats_args *a = ud;
    memset(a->status_counts, 0, POP_STATUS_COUNT * sizeof(int64_t));
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_query(db, "SELECT status, count(*) FROM containers GROUP BY status", NULL, 0, &s);
    while (r >= 0 && (r = db_step(s)) == 1) {
        int64_t status = db_column_int64(s, 0);
        if (status >= 0 && status < POP_STATUS_COUNT)
            a->status_counts[status] = db_column_int64(s, 1);
    }
    db_stmt_free(TAKE_PTR(s));
    if (r < 0)
        return r;
    r = db_query_row(db, "SELECT count(*) FROM reservations", NULL, 0, &s);
    if (r < 0)
        return r;
    a->reserved = db_column_int64(s, 0);
    return 0;
}

int store_stats(struct pop_store *st, int64_t status_counts[POP_STATUS_COUNT],
                int64_t *ret_reserved)
{
    struct stats_args a = {status_counts, 0};
    int r = store_read(st, stats_rd, &a);
    if (r < 0)
        return r;
    *ret_reserved = a.reserved;
    return 0;
}

int store_token_revoke(struct pop_store *st, const char *jti, int64_t expires_at)
{
    int r = store_run(st, "INSERT OR IGNORE INTO revoked_tokens(jti, expires_at) VALUES (?, ?)",
                      DB_ARGS(DB_TEXT(jti), DB_INT(expires_at)));
    return r < 0 ? r : 0;
}

int store_token_is_revoked(struct pop_store *st, const char *jti)
{
    _cleanup_db_put_ struct db *db = NULL;
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_pool_get(st->pool, &db);
    if (r < 0)
        return r;
    r = db_query_row(db, "SELECT 1 FROM revoked_tokens WHERE jti = ?", DB_ARGS(DB_TEXT(jti)), &s);
    if (r == -ENOENT)
        return 0;
    return r < 0 ? r : 1;
}

int store_token_purge(struct pop_store *st, int64_t now)
{
    int r = store_run(st, "DELETE FROM revoked_tokens WHERE expires_at < ?", DB_ARGS(DB_INT(now)));
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
