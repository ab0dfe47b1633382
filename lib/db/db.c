/* SQLite wrapper: the only file that calls sqlite3_*; translates result codes to errno once. */
#include "db/db.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/objpool.h"
#include "core/timeutil.h"

#define DB_BUSY_TIMEOUT_MS 5000
#define DB_STMT_CACHE_MAX 64
#define DB_TX_ATTEMPTS 4
#define DB_TX_BACKOFF_MS 10

struct db_stmt {
    sqlite3_stmt *s;      /* NULL once db_close finalized it */
    struct db *db;        /* NULL once detached by db_close */
    struct db_stmt *next; /* all live statements of db, so db_close can finalize them */
    struct db_stmt *prev;
    char *cache_sql; /* non-NULL: owned by db's cache, keyed by this text */
    bool in_use;     /* cached statement currently handed out */
};

struct db {
    sqlite3 *h;
    struct db_stmt *stmts;
    size_t n_cached;
    bool in_memory;       /* no file behind it: cannot be shared by a pool */
    struct db_pool *pool; /* the pool it came from, NULL for db_open's own */
    int64_t busy_since;   /* monotonic ms when the current busy wait began */
};

struct db_pool {
    struct objpool *idle;
    char *path;
    const struct db_migration *migs;
    size_t n_migs;
    /* Busy waits of the pool's connections sleep on `freed` instead of polling blindly, and
     * every db_pool_put wakes them: a lock let go by a thread of this process is taken over at
     * once. A lock held by another process is still polled, in growing slices. */
    pthread_mutex_t wait_lock; /* guards n_waiting only; a leaf */
    pthread_cond_t freed;      /* on CLOCK_MONOTONIC */
    int n_waiting;
};

static int db_errno(int rc)
{
    switch (rc) {
    case SQLITE_OK:
        return 0;
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
        return -EEXIST;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_TOOBIG:
        return -E2BIG;
    default:
        return -EIO;
    }
}

static void db_stmt_link(struct db *db, struct db_stmt *st)
{
    st->db = db;
    st->prev = NULL;
    st->next = db->stmts;
    if (db->stmts)
        db->stmts->prev = st;
    db->stmts = st;
}

static void db_stmt_unlink(struct db_stmt *st)
{
    if (!st->db)
        return;
    if (st->prev)
        st->prev->next = st->next;
    else
        st->db->stmts = st->next;
    if (st->next)
        st->next->prev = st->prev;
    if (st->cache_sql)
        st->db->n_cached--;
    st->db = NULL;
    st->next = st->prev = NULL;
}

static int db_prepare_raw(struct db *db, const char *sql, sqlite3_stmt **ret)
{
    sqlite3_stmt *s = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(db->h, sql, -1, &s, &tail);
    if (rc != SQLITE_OK) {
        log_debug("db: prepare failed: %s", sqlite3_errmsg(db->h));
        return rc == SQLITE_NOMEM ? -ENOMEM : -EINVAL;
    }
    if (!s) {
        log_debug("db: prepare: empty SQL");
        return -EINVAL;
    }
    /* One statement per db_stmt: trailing SQL would silently never run. */
    tail += strspn(tail, " \t\r\n;");
    if (*tail) {
        log_debug("db: prepare: more than one statement in \"%s\"", sql);
        sqlite3_finalize(s);
        return -EINVAL;
    }
    *ret = s;
    return 0;
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **ret)
{
    sqlite3_stmt *s = NULL;
    int r = db_prepare_raw(db, sql, &s);
    if (r < 0)
        return r;
    struct db_stmt *st = calloc(1, sizeof(*st));
    if (!st) {
        sqlite3_finalize(s);
        return -ENOMEM;
    }
    st->s = s;
    db_stmt_link(db, st);
    *ret = st;
    return 0;
}

int db_prepare_cached(struct db *db, const char *sql, struct db_stmt **ret)
{
    for (struct db_stmt *st = db->stmts; st; st = st->next) {
        if (st->cache_sql && strcmp(st->cache_sql, sql) == 0) {
            if (st->in_use)
                return db_prepare(db, sql, ret);
            st->in_use = true;
            *ret = st;
            return 0;
        }
    }
    if (db->n_cached >= DB_STMT_CACHE_MAX)
        return db_prepare(db, sql, ret);

    _cleanup_free_ char *copy = strdup(sql);
    if (!copy)
        return -ENOMEM;
    struct db_stmt *st = NULL;
    int r = db_prepare(db, sql, &st);
    if (r < 0)
        return r;
    st->cache_sql = TAKE_PTR(copy);
    st->in_use = true;
    db->n_cached++;
    *ret = st;
    return 0;
}

void db_reset(struct db_stmt *stmt)
{
    if (!stmt || !stmt->s)
        return;
    sqlite3_reset(stmt->s);
    sqlite3_clear_bindings(stmt->s);
}

void db_stmt_free(struct db_stmt *stmt)
{
    if (!stmt)
        return;
    if (stmt->cache_sql && stmt->db) {
        /* Back to the cache. */
        db_reset(stmt);
        stmt->in_use = false;
        return;
    }
    if (stmt->s)
        sqlite3_finalize(stmt->s);
    db_stmt_unlink(stmt);
    free(stmt->cache_sql);
    free(stmt);
}

static int db_bind_result(struct db_stmt *stmt, int rc)
{
    if (rc == SQLITE_OK)
        return 0;
    if (rc == SQLITE_RANGE)
        return -ERANGE;
    log_debug("db: bind failed: %s", stmt->db ? sqlite3_errmsg(stmt->db->h) : "closed");
    return db_errno(rc);
}

int db_bind_text(struct db_stmt *stmt, int idx, const char *s)
{
    if (!stmt->s)
        return -EIO;
    if (!s)
        return db_bind_null(stmt, idx);
    return db_bind_result(stmt, sqlite3_bind_text(stmt->s, idx, s, -1, SQLITE_TRANSIENT));
}

int db_bind_int64(struct db_stmt *stmt, int idx, int64_t v)
{
    if (!stmt->s)
        return -EIO;
    return db_bind_result(stmt, sqlite3_bind_int64(stmt->s, idx, v));
}

int db_bind_null(struct db_stmt *stmt, int idx)
{
    if (!stmt->s)
        return -EIO;
    return db_bind_result(stmt, sqlite3_bind_null(stmt->s, idx));
}

int db_bind_blob(struct db_stmt *stmt, int idx, const void *p, size_t n)
{
    if (!stmt->s)
        return -EIO;
    if (!p || n == 0)
        return db_bind_result(stmt, sqlite3_bind_zeroblob(stmt->s, idx, 0));
    return db_bind_result(stmt, sqlite3_bind_blob64(stmt->s, idx, p, n, SQLITE_TRANSIENT));
}

int db_bind_args(struct db_stmt *stmt, const struct db_arg *args, size_t n)
{
    if (!stmt->s)
        return -EIO;
    if ((size_t)sqlite3_bind_parameter_count(stmt->s) != n) {
        log_debug("db: %zu arguments for %d parameters in \"%s\"", n,
                  sqlite3_bind_parameter_count(stmt->s), sqlite3_sql(stmt->s));
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        int idx = (int)i + 1, r = -EINVAL;
        switch (args[i].type) {
        case DB_ARG_NULL:
            r = db_bind_null(stmt, idx);
            break;
        case DB_ARG_INT:
            r = db_bind_int64(stmt, idx, args[i].i);
            break;
        case DB_ARG_TEXT:
            r = db_bind_text(stmt, idx, args[i].s);
            break;
        case DB_ARG_BLOB:
            r = db_bind_blob(stmt, idx, args[i].p, args[i].n);
            break;
        }
        if (r < 0) {
            /* No half-bound statement goes back to the cache or on to a step. */
            db_reset(stmt);
            return r;
        }
    }
    return 0;
}

int db_query(struct db *db, const char *sql, const struct db_arg *args, size_t n,
             struct db_stmt **ret)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_prepare_cached(db, sql, &s);
    if (r < 0)
        return r;
    r = db_bind_args(s, args, n);
    if (r < 0)
        return r;
    *ret = TAKE_PTR(s);
    return 0;
}

/* db_query, then one step: the step's result (1 on a row, 0 when done) with *ret set, or a
 * prepare, bind or step error with *ret untouched. */
static int db_query_step(struct db *db, const char *sql, const struct db_arg *args, size_t n,
                         struct db_stmt **ret)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_query(db, sql, args, n, &s);
    if (r >= 0)
        r = db_step(s);
    if (r >= 0)
        *ret = TAKE_PTR(s);
    return r;
}

int db_query_row(struct db *db, const char *sql, const struct db_arg *args, size_t n,
                 struct db_stmt **ret)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_query_step(db, sql, args, n, &s);
    if (r < 0)
        return r;
    if (r == 0)
        return -ENOENT;
    *ret = TAKE_PTR(s);
    return 0;
}

int db_run(struct db *db, const char *sql, const struct db_arg *args, size_t n)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_query_step(db, sql, args, n, &s);
    if (r < 0)
        return r;
    if (r == 1) {
        log_debug("db: db_run on a statement returning rows: \"%s\"", sql);
        return -EINVAL;
    }
    return db_changes(db);
}

int db_step(struct db_stmt *stmt)
{
    if (!stmt->s)
        return -EIO;
    int rc = sqlite3_step(stmt->s);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    log_debug("db: step failed: %s", sqlite3_errmsg(stmt->db->h));
    return db_errno(rc);
}

const char *db_column_text(struct db_stmt *stmt, int col)
{
    if (!stmt->s)
        return NULL;
    return (const char *)sqlite3_column_text(stmt->s, col);
}

int64_t db_column_int64(struct db_stmt *stmt, int col)
{
    if (!stmt->s)
        return 0;
    return sqlite3_column_int64(stmt->s, col);
}

bool db_column_is_null(struct db_stmt *stmt, int col)
{
    if (!stmt->s)
        return true;
    return sqlite3_column_type(stmt->s, col) == SQLITE_NULL;
}

const void *db_column_blob(struct db_stmt *stmt, int col, size_t *ret_len)
{
    const void *p = stmt->s ? sqlite3_column_blob(stmt->s, col) : NULL;
    /* The length is read after the pointer, as SQLite asks (the blob call may convert). */
    *ret_len = p ? (size_t)sqlite3_column_bytes(stmt->s, col) : 0;
    return p;
}

int db_exec(struct db *db, const char *sql)
{
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        log_debug("db: exec failed: %s", sqlite3_errmsg(db->h));
    return db_errno(rc);
}

int64_t db_last_insert_id(struct db *db)
{
    return sqlite3_last_insert_rowid(db->h);
}

int db_changes(struct db *db)
{
    return sqlite3_changes(db->h);
}

const char *db_last_error(const struct db *db)
{
    if (!db || !db->h)
        return "no database";
    return sqlite3_errmsg(db->h);
}

/* Runs a one-row query such as a PRAGMA and copies column 0 as text into buf. */
static int db_query_text(struct db *db, const char *sql, char *buf, size_t size)
{
    sqlite3_stmt *s = NULL;
    int r = db_prepare_raw(db, sql, &s);
    if (r < 0)
        return r;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        snprintf(buf, size, "%s", t ? (const char *)t : "");
        r = 0;
    } else {
        log_debug("db: %s: %s", sql, sqlite3_errmsg(db->h));
        r = rc == SQLITE_DONE ? -EIO : db_errno(rc);
    }
    sqlite3_finalize(s);
    return r;
}

static int db_query_int(struct db *db, const char *sql, int64_t *ret)
{
    sqlite3_stmt *s = NULL;
    int r = db_prepare_raw(db, sql, &s);
    if (r < 0)
        return r;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *ret = sqlite3_column_int64(s, 0);
        r = 0;
    } else {
        log_debug("db: %s: %s", sql, sqlite3_errmsg(db->h));
        r = rc == SQLITE_DONE ? -EIO : db_errno(rc);
    }
    sqlite3_finalize(s);
    return r;
}

int db_schema_version(struct db *db)
{
    int64_t v = 0;
    if (db_query_int(db, "PRAGMA user_version", &v) < 0)
        return -EIO;
    return (int)v;
}

/* Runs one parameterless statement through the statement cache: the transaction runner's
 * BEGIN/COMMIT/ROLLBACK are compiled once per connection, not on every call. */
static int db_exec_cached(struct db *db, const char *sql)
{
    _cleanup_stmt_ struct db_stmt *s = NULL;
    int r = db_prepare_cached(db, sql, &s);
    if (r < 0)
        return r;
    r = db_step(s);
    return r < 0 ? r : 0;
}

static void db_rollback(struct db *db)
{
    /* Some errors (e.g. SQLITE_FULL) already rolled back; a second ROLLBACK would fail. */
    if (!sqlite3_get_autocommit(db->h))
        (void)db_exec_cached(db, "ROLLBACK");
}

/* The transaction runner behind db_tx and db_read_tx: begin_sql takes the locks up front
 * (IMMEDIATE) or on first use (DEFERRED). */
static int db_run_tx(struct db *db, const char *begin_sql, int (*fn)(struct db *db, void *ud),
                     void *ud)
{
    if (!sqlite3_get_autocommit(db->h))
        return fn(db, ud); /* nested: join the enclosing transaction */

    int r = -EBUSY;
    for (int attempt = 0; attempt < DB_TX_ATTEMPTS; attempt++) {
        /* Nothing but this connection is held here (see db_pool): another thread's call on
         * the same database goes on while this one backs off. */
        if (attempt > 0)
            time_sleep_ms((int64_t)DB_TX_BACKOFF_MS << attempt);
        r = db_exec_cached(db, begin_sql);
        if (r == -EBUSY)
            continue;
        if (r < 0)
            return r;
        int fr = fn(db, ud);
        if (fr < 0) {
            db_rollback(db);
            r = fr;
            if (fr == -EBUSY)
                continue;
            return fr;
        }
        r = db_exec_cached(db, "COMMIT");
        if (r == 0)
            return fr;
        db_rollback(db);
        if (r != -EBUSY)
            return r;
    }
    log_debug("db: transaction still busy after %d attempts", DB_TX_ATTEMPTS);
    return r;
}

int db_tx(struct db *db, int (*fn)(struct db *db, void *ud), void *ud)
{
    return db_run_tx(db, "BEGIN IMMEDIATE", fn, ud);
}

int db_read_tx(struct db *db, int (*fn)(struct db *db, void *ud), void *ud)
{
    return db_run_tx(db, "BEGIN DEFERRED", fn, ud);
}

static int db_check_migrations(const struct db_migration *migs, size_t n)
{
    int prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (migs[i].version <= prev || !migs[i].sql || !migs[i].name) {
            log_debug("db: migration list not strictly increasing at index %zu", i);
            return -EINVAL;
        }
        prev = migs[i].version;
    }
    return 0;
}

static int db_apply_one(struct db *db, const struct db_migration *m)
{
    int r = db_exec(db, "BEGIN IMMEDIATE");
    if (r < 0)
        return r;
    /* Re-read under the write lock: another process may have migrated meanwhile. */
    int64_t cur = 0;
    r = db_query_int(db, "PRAGMA user_version", &cur);
    if (r < 0)
        goto fail;
    if (cur >= m->version) {
        db_rollback(db);
        return 0;
    }
    r = db_exec(db, m->sql);
    if (r < 0)
        goto fail;
    char pragma[64];
    snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
    r = db_exec(db, pragma);
    if (r < 0)
        goto fail;
    r = db_exec(db, "COMMIT");
    if (r < 0)
        goto fail;
    return 0;
fail:
    /* The service cannot ask the connection afterwards, so say which migration broke. */
    log_error("db: migration %04d_%s failed: %s", m->version, m->name, sqlite3_errmsg(db->h));
    db_rollback(db);
    return r;
}

static int db_migrate(struct db *db, const char *path, const struct db_migration *migs, size_t n)
{
    int64_t cur = 0;
    int r = db_query_int(db, "PRAGMA user_version", &cur);
    if (r < 0)
        return r;
    int known = n ? migs[n - 1].version : 0;
    if (cur > known) {
        log_error("db: %s has schema version %lld but this binary knows only up to %d; "
                  "refusing to open a database written by a newer version",
                  path, (long long)cur, known);
        return -EPROTO;
    }
    for (size_t i = 0; i < n; i++) {
        if (migs[i].version <= cur)
            continue;
        r = db_apply_one(db, &migs[i]);
        if (r < 0)
            return r;
        log_debug("db: %s: applied migration %04d_%s", path, migs[i].version, migs[i].name);
    }
    return 0;
}

static int db_configure(struct db *db)
{
    char mode[32];
    int r = db_query_text(db, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
    if (r < 0)
        return r;
    /* In-memory and temporary databases have no file name and cannot do WAL. */
    const char *file = sqlite3_db_filename(db->h, "main");
    db->in_memory = !file || !*file;
    if (strcmp(mode, "wal") != 0 && !(db->in_memory && strcmp(mode, "memory") == 0)) {
        log_debug("db: journal_mode is %s, WAL refused", mode);
        return -ENOTSUP;
    }
    int64_t v = -1;
    r = db_exec(db, "PRAGMA synchronous = FULL");
    if (r >= 0)
        r = db_query_int(db, "PRAGMA synchronous", &v);
    if (r < 0)
        return r;
    if (v != 2)
        return -ENOTSUP;
    /* SQLite's default page cache is 2 MiB per connection, and a pool keeps up to
     * DB_POOL_IDLE_MAX of them: our databases are small and their pages sit in the kernel's
     * cache anyway, so 256 KiB each keeps a service's own memory flat. */
    r = db_exec(db, "PRAGMA cache_size = -256");
    if (r < 0)
        return r;
    r = db_exec(db, "PRAGMA foreign_keys = ON");
    if (r >= 0)
        r = db_query_int(db, "PRAGMA foreign_keys", &v);
    if (r < 0)
        return r;
    if (v != 1)
        return -ENOTSUP;
    return 0;
}

int db_open(const char *path, const struct db_migration *migs, size_t n, struct db **ret)
{
    int r = db_check_migrations(migs, n);
    if (r < 0)
        return r;

    struct db *db = calloc(1, sizeof(*db));
    if (!db)
        return -ENOMEM;
    int rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        log_debug("db: cannot open %s: %s", path,
                  db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
        r = db_errno(rc);
        goto fail;
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);

    r = db_configure(db);
    if (r < 0)
        goto fail;
    r = db_migrate(db, path, migs, n);
    if (r < 0)
        goto fail;
    *ret = db;
    return 0;
fail:
    db_close(db);
    return r;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    struct db_stmt *st = db->stmts;
    while (st) {
        struct db_stmt *next = st->next;
        bool owned_by_cache = st->cache_sql && !st->in_use;
        sqlite3_finalize(st->s);
        st->s = NULL;
        db_stmt_unlink(st);
        if (owned_by_cache) {
            free(st->cache_sql);
            free(st);
        }
        st = next;
    }
    /* sqlite3_close (not _v2) fails loudly if anything was left unfinalized. */
    if (db->h && sqlite3_close(db->h) != SQLITE_OK) {
        log_debug("db: close failed: %s", sqlite3_errmsg(db->h));
        sqlite3_close_v2(db->h);
    }
    free(db);
}

/* SQLite's busy handler for a pooled connection (count: calls so far in this wait). Returns 1
 * to try the lock again, 0 to give up with SQLITE_BUSY after DB_BUSY_TIMEOUT_MS, as the plain
 * busy timeout does. Runs inside sqlite3_step; takes only the pool's leaf wait_lock. */
static int db_pool_busy(void *ud, int count)
{
    struct db *db = ud;
    struct db_pool *pool = db->pool;
    int64_t now = time_mono_ms();
    if (count == 0)
        db->busy_since = now;
    int64_t left = db->busy_since + DB_BUSY_TIMEOUT_MS - now;
    if (left <= 0)
        return 0;
    /* 1, 2, 4 ... 32 ms between looks at a lock another process holds. */
    int64_t slice = (int64_t)1 << (count < 5 ? count : 5);
    if (slice > left)
        slice = left;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += slice / 1000;
    until.tv_nsec += (slice % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&pool->wait_lock);
    pool->n_waiting++;
    (void)pthread_cond_timedwait(&pool->freed, &pool->wait_lock, &until);
    pool->n_waiting--;
    return 1;
}

static int db_pool_make(void *ud, void **ret)
{
    struct db_pool *pool = ud;
    struct db *db = NULL;
    int r = db_open(pool->path, pool->migs, pool->n_migs, &db);
    if (r < 0)
        return r;
    db->pool = pool;
    /* Replaces the busy timeout (same limit) for the rest of the connection's life. */
    sqlite3_busy_handler(db->h, db_pool_busy, db);
    *ret = db;
    return 0;
}

static void db_pool_destroy(void *obj)
{
    db_close(obj);
}

int db_pool_open(const char *path, const struct db_migration *migs, size_t n, struct db_pool **ret)
{
    struct db_pool *pool = calloc(1, sizeof(*pool));
    if (!pool)
        return -ENOMEM;
    pool->migs = migs;
    pool->n_migs = n;
    pthread_mutex_init(&pool->wait_lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->freed, &attr);
    pthread_condattr_destroy(&attr);
    pool->path = strdup(path);
    int r = pool->path
                ? objpool_new(DB_POOL_IDLE_MAX, db_pool_make, db_pool_destroy, pool, &pool->idle)
                : -ENOMEM;
    /* The first connection migrates and proves the file usable before anyone relies on it. */
    struct db *first = NULL;
    if (r == 0)
        r = db_pool_get(pool, &first);
    if (r == 0 && first->in_memory) {
        log_debug("db: %s is not a file; a pool of connections cannot share it", path);
        r = -EINVAL;
    }
    if (r < 0) {
        if (first)
            first->pool = NULL;
        db_close(first);
        db_pool_close(pool);
        return r;
    }
    db_pool_put(first);
    *ret = pool;
    return 0;
}

void db_pool_close(struct db_pool *pool)
{
    if (!pool)
        return;
    objpool_free(pool->idle);
    pthread_cond_destroy(&pool->freed);
    pthread_mutex_destroy(&pool->wait_lock);
    free(pool->path);
    free(pool);
}

int db_pool_get(struct db_pool *pool, struct db **ret)
{
    void *obj = NULL;
    int r = objpool_acquire(pool->idle, &obj);
    if (r < 0)
        return r;
    *ret = obj;
    return 0;
}

void db_pool_put(struct db *db)
{
    if (!db)
        return;
    if (!db->pool) {
        db_close(db);
        return;
    }
    if (!sqlite3_get_autocommit(db->h)) {
        /* A caller bug; the next user must not inherit a half-done transaction. */
        log_debug("db: connection given back inside a transaction; rolled back");
        db_rollback(db);
    }
    struct db_pool *pool = db->pool;
    objpool_release(pool->idle, db);
    /* Whatever lock this call held is free now: wake the busy waits of the other threads. */
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&pool->wait_lock);
    if (pool->n_waiting)
        pthread_cond_signal(&pool->freed);
}
