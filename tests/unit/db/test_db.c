/* Unit tests for lib/db: open settings, embedded migrations, statements, typed arguments and
 * their bind failures, transactions and read snapshots, the connection pool, and a committed
 * write surviving SIGKILL of the writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "db/db.h"
#include "test_db_migrations.h"
#include "testlib.h"

/* Binding text fails on demand with this SQLite code (linked with --wrap=sqlite3_bind_text): how
 * an out-of-memory copy or a string over SQLITE_LIMIT_LENGTH looks to the wrapper. */
static atomic_int bind_text_fail;
int __real_sqlite3_bind_text(sqlite3_stmt *s, int i, const char *v, int n, void (*d)(void *));
int __wrap_sqlite3_bind_text(sqlite3_stmt *s, int i, const char *v, int n, void (*d)(void *));
int __wrap_sqlite3_bind_text(sqlite3_stmt *s, int i, const char *v, int n, void (*d)(void *))
{
    int rc = atomic_load(&bind_text_fail);
    return rc ? rc : __real_sqlite3_bind_text(s, i, v, n, d);
}

/* What 0002_escapes.sql inserts; checks the embedder's escaping byte for byte. */
#define ESCAPED_BODY "say \"hi\"; C:\\dir\\n ?\?=\ttab\nsecond line"

struct tmp {
    char *dir;
    char path[96]; /* a database file in dir, created by the test */
};

static int tmp_setup(void **state)
{
    struct tmp *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    t->dir = testlib_tmpdir_new("test_db");
    snprintf(t->path, sizeof(t->path), "%s/pop.db", t->dir);
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    struct tmp *t = *state;
    testlib_tmpdir_free(t->dir); /* the database and its -wal, -shm, -journal */
    free(t);
    return 0;
}

static struct db *open_mem(void)
{
    struct db *db = NULL;
    assert_int_equal(db_open(":memory:", test_db_migrations, test_db_migrations_count, &db), 0);
    assert_non_null(db);
    return db;
}

static int64_t query_int(struct db *db, const char *sql)
{
    _cleanup_stmt_ struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, sql, &st), 0);
    assert_int_equal(db_step(st), 1);
    return db_column_int64(st, 0);
}

static void insert_item(struct db *db, const char *name, const char *note, int expect)
{
    _cleanup_stmt_ struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "INSERT INTO items (name, note) VALUES (?1, ?2)", &st), 0);
    assert_int_equal(db_bind_text(st, 1, name), 0);
    assert_int_equal(db_bind_text(st, 2, note), 0);
    assert_int_equal(db_step(st), expect);
}

static void test_embedded_migrations(void **state)
{
    (void)state;
    assert_int_equal(test_db_migrations_count, 2);
    assert_int_equal(test_db_migrations[0].version, 1);
    assert_string_equal(test_db_migrations[0].name, "init");
    assert_non_null(strstr(test_db_migrations[0].sql, "CREATE TABLE items ("));
    assert_int_equal(test_db_migrations[1].version, 2);
    assert_string_equal(test_db_migrations[1].name, "escapes");

    struct db *db = open_mem();
    assert_int_equal(db_schema_version(db), 2);
    _cleanup_stmt_ struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "SELECT body FROM notes", &st), 0);
    assert_int_equal(db_step(st), 1);
    assert_string_equal(db_column_text(st, 0), ESCAPED_BODY);
    assert_int_equal(db_step(st), 0);
    db_stmt_free(st);
    st = NULL;
    db_close(db);
}

static void test_file_settings(void **state)
{
    struct tmp *t = *state;
    struct db *db = NULL;
    assert_int_equal(db_open(t->path, test_db_migrations, test_db_migrations_count, &db), 0);
    {
        _cleanup_stmt_ struct db_stmt *st = NULL;
        assert_int_equal(db_prepare(db, "PRAGMA journal_mode", &st), 0);
        assert_int_equal(db_step(st), 1);
        assert_string_equal(db_column_text(st, 0), "wal");
    }
    assert_int_equal(query_int(db, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(query_int(db, "PRAGMA busy_timeout"), 5000);
    insert_item(db, "a", NULL, 0);

    char wal[128];
    struct stat sb;
    snprintf(wal, sizeof(wal), "%s-wal", t->path);
    assert_int_equal(stat(wal, &sb), 0);
    db_close(db);
}

static void test_reopen_is_idempotent(void **state)
{
    struct tmp *t = *state;
    struct db *db = NULL;
    assert_int_equal(db_open(t->path, test_db_migrations, test_db_migrations_count, &db), 0);
    insert_item(db, "kept", "n", 0);
    db_close(db);

    for (int i = 0; i < 2; i++) {
        db = NULL;
        assert_int_equal(db_open(t->path, test_db_migrations, test_db_migrations_count, &db), 0);
        assert_int_equal(db_schema_version(db), 2);
        /* A re-run of 0002 would have inserted its row again. */
        assert_int_equal(query_int(db, "SELECT count(*) FROM notes"), 1);
        assert_int_equal(query_int(db, "SELECT count(*) FROM items WHERE name = 'kept'"), 1);
        db_close(db);
    }
}

static void test_upgrade_one_step_at_a_time(void **state)
{
    struct tmp *t = *state;
    struct db *db = NULL;
    assert_int_equal(db_open(t->path, test_db_migrations, 1, &db), 0);
    assert_int_equal(db_schema_version(db), 1);
    _cleanup_stmt_ struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "SELECT body FROM notes", &st), -EINVAL);
    assert_non_null(strstr(db_last_error(db), "no such table"));
    db_close(db);

    db = NULL;
    assert_int_equal(db_open(t->path, test_db_migrations, 2, &db), 0);
    assert_int_equal(db_schema_version(db), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM notes"), 1);
    db_close(db);
}

static void test_newer_database_refused(void **state)
{
    struct tmp *t = *state;
    struct db *db = NULL;
    assert_int_equal(db_open(t->path, test_db_migrations, 2, &db), 0);
    db_close(db);

    db = NULL;
    assert_int_equal(db_open(t->path, test_db_migrations, 1, &db), -EPROTO);
    assert_null(db);
    assert_int_equal(db_open(t->path, NULL, 0, &db), -EPROTO);
    assert_null(db);

    /* The refusal changed nothing. */
    assert_int_equal(db_open(t->path, test_db_migrations, 2, &db), 0);
    assert_int_equal(db_schema_version(db), 2);
    db_close(db);
}

static void test_failed_migration_rolls_back(void **state)
{
    struct tmp *t = *state;
    const struct db_migration migs[] = {
        {1, "ok", "CREATE TABLE a (x INTEGER);"},
        {2, "broken", "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);"},
    };
    struct db *db = NULL;
    assert_int_equal(db_open(t->path, migs, 2, &db), -EIO);
    assert_null(db);

    assert_int_equal(db_open(t->path, migs, 1, &db), 0);
    assert_int_equal(db_schema_version(db), 1);
    /* Table b from the failed migration must not exist. */
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'a'"), 1);
    db_close(db);
}

static void test_bad_migration_list(void **state)
{
    (void)state;
    const struct db_migration migs[] = {{2, "b", "SELECT 1;"}, {1, "a", "SELECT 1;"}};
    struct db *db = NULL;
    assert_int_equal(db_open(":memory:", migs, 2, &db), -EINVAL);
    assert_null(db);
}

static void test_constraints(void **state)
{
    (void)state;
    struct db *db = open_mem();
    insert_item(db, "dup", NULL, 0);
    insert_item(db, "dup", NULL, -EEXIST);
    assert_non_null(strstr(db_last_error(db), "UNIQUE"));
    assert_int_equal(db_exec(db, "INSERT INTO items (id, name) VALUES (1, 'other')"), -EEXIST);
    /* NOT NULL and foreign keys are other constraints. */
    assert_int_equal(db_exec(db, "INSERT INTO items (name) VALUES (NULL)"), -EIO);
    assert_int_equal(db_exec(db, "INSERT INTO tags (item_id, tag) VALUES (999, 'x')"), -EIO);
    assert_int_equal(query_int(db, "SELECT count(*) FROM items"), 1);
    db_close(db);
}

static void test_bind_text_and_null(void **state)
{
    (void)state;
    struct db *db = open_mem();
    insert_item(db, "it's \"quoted\"", NULL, 0);
    assert_int_equal(db_changes(db), 1);
    int64_t id = db_last_insert_id(db);
    assert_true(id > 0);

    _cleanup_stmt_ struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "SELECT name, note, id FROM items WHERE id = ?", &st), 0);
    assert_int_equal(db_bind_int64(st, 1, id), 0);
    assert_int_equal(db_bind_int64(st, 2, id), -ERANGE);
    assert_int_equal(db_step(st), 1);
    assert_string_equal(db_column_text(st, 0), "it's \"quoted\"");
    assert_true(db_column_is_null(st, 1));
    assert_null(db_column_text(st, 1));
    assert_false(db_column_is_null(st, 0));
    assert_int_equal(db_column_int64(st, 2), id);
    assert_int_equal(db_step(st), 0);

    /* Reset clears bindings: NULL id matches nothing. */
    db_reset(st);
    assert_int_equal(db_step(st), 0);
    db_reset(st);
    assert_int_equal(db_bind_null(st, 1), 0);
    assert_int_equal(db_step(st), 0);
    db_reset(st);
    assert_int_equal(db_bind_int64(st, 1, id), 0);
    assert_int_equal(db_step(st), 1);

    assert_int_equal(db_exec(db, "UPDATE items SET note = 'x'"), 0);
    assert_int_equal(db_changes(db), 1);
    db_stmt_free(st);
    st = NULL;
    db_close(db);
}

static void test_prepare_errors(void **state)
{
    (void)state;
    struct db *db = open_mem();
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "SELEC 1", &st), -EINVAL);
    assert_non_null(strstr(db_last_error(db), "syntax error"));
    assert_int_equal(db_prepare(db, "SELECT 1; SELECT 2", &st), -EINVAL);
    assert_int_equal(db_prepare(db, "   ", &st), -EINVAL);
    assert_null(st);
    assert_int_equal(db_prepare(db, "SELECT 1;  ", &st), 0);
    db_stmt_free(st);
    db_close(db);
}

struct tx_args {
    const char *a, *b;
    int result;
};

static int tx_insert_two(struct db *db, void *ud)
{
    struct tx_args *args = ud;
    insert_item(db, args->a, NULL, 0);
    _cleanup_stmt_ struct db_stmt *st = NULL;
    int r = db_prepare(db, "INSERT INTO items (name) VALUES (?)", &st);
    if (r < 0)
        return r;
    r = db_bind_text(st, 1, args->b);
    if (r < 0)
        return r;
    r = db_step(st);
    if (r < 0)
        return r;
    return args->result;
}

static void test_tx_commit_and_rollback(void **state)
{
    (void)state;
    struct db *db = open_mem();

    struct tx_args fail = {"one", "two", -EINVAL};
    assert_int_equal(db_tx(db, tx_insert_two, &fail), -EINVAL);
    assert_int_equal(query_int(db, "SELECT count(*) FROM items"), 0);

    /* The second insert violates UNIQUE: the first must be undone too. */
    struct tx_args dup = {"same", "same", 0};
    assert_int_equal(db_tx(db, tx_insert_two, &dup), -EEXIST);
    assert_int_equal(query_int(db, "SELECT count(*) FROM items"), 0);

    struct tx_args ok = {"one", "two", 7};
    assert_int_equal(db_tx(db, tx_insert_two, &ok), 7);
    assert_int_equal(query_int(db, "SELECT count(*) FROM items"), 2);
    db_close(db);
}

static int tx_outer(struct db *db, void *ud)
{
    struct tx_args inner = {"inner1", "inner2", 0};
    int r = db_tx(db, tx_insert_two, &inner);
    if (r < 0)
        return r;
    return *(int *)ud;
}

static void test_tx_nested_joins_outer(void **state)
{
    (void)state;
    struct db *db = open_mem();
    int outcome = -ECANCELED;
    assert_int_equal(db_tx(db, tx_outer, &outcome), -ECANCELED);
    assert_int_equal(query_int(db, "SELECT count(*) FROM items"), 0);
    outcome = 0;
    assert_int_equal(db_tx(db, tx_outer, &outcome), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM items"), 2);
    db_close(db);
}

static void test_busy_is_reported(void **state)
{
    struct tmp *t = *state;
    struct db *a = NULL, *b = NULL;
    assert_int_equal(db_open(t->path, test_db_migrations, 2, &a), 0);
    assert_int_equal(db_open(t->path, test_db_migrations, 2, &b), 0);
    assert_int_equal(db_exec(a, "BEGIN IMMEDIATE"), 0);
    /* b waits out its busy timeout, then gets -EBUSY rather than hanging. */
    assert_int_equal(db_exec(b, "INSERT INTO items (name) VALUES ('b')"), -EBUSY);
    assert_int_equal(db_exec(a, "COMMIT"), 0);
    assert_int_equal(db_exec(b, "INSERT INTO items (name) VALUES ('b')"), 0);
    db_close(a);
    db_close(b);
}

static void test_statements_finalized_on_close(void **state)
{
    (void)state;
    struct db *db = open_mem();
    insert_item(db, "x", NULL, 0);
    insert_item(db, "y", NULL, 0);

    /* Left mid-iteration and not freed before close: close must still succeed. */
    struct db_stmt *open_stmt = NULL;
    assert_int_equal(db_prepare(db, "SELECT name FROM items", &open_stmt), 0);
    assert_int_equal(db_step(open_stmt), 1);

    /* The cache hands back the same statement once it is released... */
    struct db_stmt *c1 = NULL, *c2 = NULL, *c3 = NULL;
    assert_int_equal(db_prepare_cached(db, "SELECT count(*) FROM items WHERE name = ?", &c1), 0);
    assert_int_equal(db_bind_text(c1, 1, "x"), 0);
    assert_int_equal(db_step(c1), 1);
    assert_int_equal(db_column_int64(c1, 0), 1);
    db_stmt_free(c1);
    assert_int_equal(db_prepare_cached(db, "SELECT count(*) FROM items WHERE name = ?", &c2), 0);
    assert_ptr_equal(c1, c2);
    /* ...reset and without the old binding... */
    assert_int_equal(db_step(c2), 1);
    assert_int_equal(db_column_int64(c2, 0), 0);
    /* ...and a fresh one while it is in use. */
    assert_int_equal(db_prepare_cached(db, "SELECT count(*) FROM items WHERE name = ?", &c3), 0);
    assert_ptr_not_equal(c2, c3);
    db_stmt_free(c3);

    db_close(db); /* c2 is still held, open_stmt too */
    assert_int_equal(db_step(open_stmt), -EIO);
    assert_null(db_column_text(open_stmt, 0));
    db_stmt_free(open_stmt);
    db_stmt_free(c2);
}

static void test_committed_write_survives_sigkill(void **state)
{
    struct tmp *t = *state;
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        struct db *db = NULL;
        if (db_open(t->path, test_db_migrations, test_db_migrations_count, &db) < 0)
            _exit(1);
        struct tx_args ok = {"durable1", "durable2", 0};
        if (db_tx(db, tx_insert_two, &ok) < 0)
            _exit(2);
        /* Committed: tell the parent, then wait to be killed with the db still open. */
        if (write(pfd[1], "c", 1) != 1)
            _exit(3);
        for (;;)
            pause();
    }
    close(pfd[1]);
    char c = 0;
    ssize_t n = read(pfd[0], &c, 1);
    close(pfd[0]);
    kill(pid, SIGKILL);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(n, 1);
    assert_true(WIFSIGNALED(status));

    struct db *db = NULL;
    assert_int_equal(db_open(t->path, test_db_migrations, test_db_migrations_count, &db), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM items WHERE name LIKE 'durable%'"), 2);
    db_close(db);
}

static void test_typed_args(void **state)
{
    (void)state;
    struct db *db = open_mem();
    static const unsigned char bytes[] = {'a', 0, 'b', 0xff};
    assert_int_equal(db_run(db, "INSERT INTO items (id, name, note) VALUES (?, ?, ?)",
                            DB_ARGS(DB_INT(7), DB_TEXT("seven"), DB_BLOB(bytes, sizeof(bytes)))),
                     1);
    assert_int_equal(db_run(db, "INSERT INTO items (name, note) VALUES (?, ?)",
                            DB_ARGS(DB_TEXT("eight"), DB_NULL)),
                     1);
    /* db_run answers rows changed; ?1 used twice is one parameter */
    assert_int_equal(db_run(db, "UPDATE items SET note = ?1 WHERE note IS NULL OR note != ?1",
                            DB_ARGS(DB_TEXT("n"))),
                     2);
    assert_int_equal(db_run(db, "DELETE FROM items WHERE name = ?", DB_ARGS(DB_TEXT("none"))), 0);

    _cleanup_stmt_ struct db_stmt *s = NULL;
    assert_int_equal(db_query_row(db, "SELECT id, note FROM items WHERE name = ?",
                                  DB_ARGS(DB_TEXT("seven")), &s),
                     0);
    assert_int_equal(db_column_int64(s, 0), 7);
    db_stmt_free(TAKE_PTR(s));
    assert_int_equal(db_run(db, "UPDATE items SET note = ? WHERE id = ?",
                            DB_ARGS(DB_BLOB(bytes, sizeof(bytes)), DB_INT(7))),
                     1);
    assert_int_equal(
        db_query_row(db, "SELECT note FROM items WHERE id = ?", DB_ARGS(DB_INT(7)), &s), 0);
    size_t len = 0;
    const void *p = db_column_blob(s, 0, &len);
    assert_int_equal(len, sizeof(bytes));
    assert_memory_equal(p, bytes, sizeof(bytes));
    db_stmt_free(TAKE_PTR(s));

    /* No row is -ENOENT, and *ret is left alone. */
    assert_int_equal(
        db_query_row(db, "SELECT id FROM items WHERE name = ?", DB_ARGS(DB_TEXT("absent")), &s),
        -ENOENT);
    assert_null(s);
    /* Several rows: db_query then steps. */
    assert_int_equal(db_query(db, "SELECT name FROM items ORDER BY id", NULL, 0, &s), 0);
    assert_int_equal(db_step(s), 1);
    assert_string_equal(db_column_text(s, 0), "seven");
    assert_int_equal(db_step(s), 1);
    assert_string_equal(db_column_text(s, 0), "eight");
    assert_int_equal(db_step(s), 0);
    db_stmt_free(TAKE_PTR(s));
    db_close(db);
}

static void test_argument_count_must_match(void **state)
{
    (void)state;
    struct db *db = open_mem();
    _cleanup_stmt_ struct db_stmt *s = NULL;
    /* An argument left out would otherwise bind NULL and match nothing. */
    assert_int_equal(db_query_row(db, "SELECT id FROM items WHERE name = ? AND note = ?",
                                  DB_ARGS(DB_TEXT("x")), &s),
                     -EINVAL);
    assert_int_equal(
        db_run(db, "INSERT INTO items (name) VALUES (?)", DB_ARGS(DB_TEXT("a"), DB_TEXT("extra"))),
        -EINVAL);
    assert_int_equal(db_run(db, "INSERT INTO items (name) VALUES ('b')", NULL, 0), 1);
    /* A query is not for db_run: its rows would be dropped unseen. */
    assert_int_equal(db_run(db, "SELECT name FROM items", NULL, 0), -EINVAL);
    assert_int_equal(query_int(db, "SELECT count(*) FROM items"), 1);
    db_close(db);
}

/* A failed bind is the call's error: a lookup never answers "not found" and a change never
 * runs with NULL in place of the value. */
static void test_bind_failure_is_an_error_not_no_row(void **state)
{
    (void)state;
    struct db *db = open_mem();
    insert_item(db, "kept", "v", 0);
    _cleanup_stmt_ struct db_stmt *s = NULL;
    const char *find = "SELECT id FROM items WHERE name = ?";

    atomic_store(&bind_text_fail, SQLITE_NOMEM);
    assert_int_equal(db_query_row(db, find, DB_ARGS(DB_TEXT("kept")), &s), -ENOMEM);
    assert_null(s);
    assert_int_equal(db_query(db, find, DB_ARGS(DB_TEXT("kept")), &s), -ENOMEM);
    assert_null(s);
    assert_int_equal(
        db_run(db, "UPDATE items SET note = ? WHERE id = ?", DB_ARGS(DB_TEXT("lost"), DB_INT(1))),
        -ENOMEM);
    atomic_store(&bind_text_fail, SQLITE_TOOBIG);
    assert_int_equal(db_run(db, "INSERT INTO items (name) VALUES (?)", DB_ARGS(DB_TEXT("big"))),
                     -E2BIG);
    atomic_store(&bind_text_fail, 0);

    /* Nothing changed, and the cached statements work again. */
    assert_int_equal(query_int(db, "SELECT count(*) FROM items WHERE note = 'v'"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM items"), 1);
    assert_int_equal(db_query_row(db, find, DB_ARGS(DB_TEXT("kept")), &s), 0);
    db_stmt_free(TAKE_PTR(s));
    db_close(db);
}

struct snapshot_args {
    const char *path;
    int64_t before, after;
};

static int read_around_a_commit(struct db *db, void *ud)
{
    struct snapshot_args *a = ud;
    a->before = query_int(db, "SELECT count(*) FROM items");
    struct db *other = NULL;
    assert_int_equal(db_open(a->path, test_db_migrations, 2, &other), 0);
    assert_int_equal(db_exec(other, "INSERT INTO items (name) VALUES ('meanwhile')"), 0);
    db_close(other);
    a->after = query_int(db, "SELECT count(*) FROM items");
    return 0;
}

static void test_read_tx_is_one_snapshot(void **state)
{
    struct tmp *t = *state;
    struct db *db = NULL;
    assert_int_equal(db_open(t->path, test_db_migrations, 2, &db), 0);
    struct snapshot_args a = {t->path, -1, -1};
    assert_int_equal(db_read_tx(db, read_around_a_commit, &a), 0);
    assert_int_equal(a.before, 0);
    assert_int_equal(a.after, 0); /* the commit in between is not seen half-way */
    assert_int_equal(query_int(db, "SELECT count(*) FROM items"), 1);
    db_close(db);
}

static void test_pool(void **state)
{
    struct tmp *t = *state;
    struct db_pool *pool = NULL;
    /* Each connection to an in-memory database would be a different database. */
    assert_int_equal(db_pool_open(":memory:", test_db_migrations, 2, &pool), -EINVAL);
    assert_null(pool);
    assert_int_equal(db_pool_open(t->path, test_db_migrations, 2, &pool), 0);

    struct db *a = NULL, *b = NULL;
    assert_int_equal(db_pool_get(pool, &a), 0);
    assert_int_equal(db_pool_get(pool, &b), 0);
    assert_ptr_not_equal(a, b);
    assert_int_equal(db_schema_version(b), 2);
    assert_int_equal(db_run(a, "INSERT INTO items (name) VALUES (?)", DB_ARGS(DB_TEXT("x"))), 1);
    assert_int_equal(query_int(b, "SELECT count(*) FROM items"), 1);
    /* Given back inside a transaction: rolled back, not inherited by the next caller. */
    assert_int_equal(db_exec(b, "BEGIN IMMEDIATE"), 0);
    assert_int_equal(db_run(b, "INSERT INTO items (name) VALUES ('half')", NULL, 0), 1);
    db_pool_put(b);
    db_pool_put(a);
    struct db *c = NULL;
    assert_int_equal(db_pool_get(pool, &c), 0);
    assert_ptr_equal(c, a); /* the idle one is reused */
    assert_int_equal(query_int(c, "SELECT count(*) FROM items"), 1);
    {
        _cleanup_db_put_ struct db *d = NULL;
        assert_int_equal(db_pool_get(pool, &d), 0);
        assert_ptr_equal(d, b);
        assert_int_equal(db_tx(d, tx_outer, &(int){0}), 0);
    }
    assert_int_equal(query_int(c, "SELECT count(*) FROM items"), 3);
    db_pool_put(c);
    db_pool_put(NULL);
    db_pool_close(pool);
    db_pool_close(NULL);
}

/* A pooled connection waits for another process's write lock as long as the busy timeout
 * says, then gives up with -EBUSY like any other: its wake-ups never turn into a hang. */
static void test_pool_busy_wait_gives_up(void **state)
{
    struct tmp *t = *state;
    struct db_pool *pool = NULL;
    assert_int_equal(db_pool_open(t->path, test_db_migrations, 2, &pool), 0);
    struct db *other = NULL;
    assert_int_equal(db_open(t->path, test_db_migrations, 2, &other), 0);
    assert_int_equal(db_exec(other, "BEGIN IMMEDIATE"), 0);
    {
        _cleanup_db_put_ struct db *db = NULL;
        assert_int_equal(db_pool_get(pool, &db), 0);
        /* Readers are not held up by a writer (WAL)... */
        assert_int_equal(query_int(db, "SELECT count(*) FROM items"), 0);
        /* ...a writer is, until the timeout. */
        assert_int_equal(db_run(db, "INSERT INTO items (name) VALUES ('w')", NULL, 0), -EBUSY);
    }
    assert_int_equal(db_exec(other, "COMMIT"), 0);
    db_close(other);
    _cleanup_db_put_ struct db *db = NULL;
    assert_int_equal(db_pool_get(pool, &db), 0);
    assert_int_equal(db_run(db, "INSERT INTO items (name) VALUES ('w')", NULL, 0), 1);
    db_pool_put(TAKE_PTR(db));
    db_pool_close(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_migrations),
        cmocka_unit_test_setup_teardown(test_file_settings, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_reopen_is_idempotent, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_one_step_at_a_time, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_newer_database_refused, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_failed_migration_rolls_back, tmp_setup, tmp_teardown),
        cmocka_unit_test(test_bad_migration_list),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_bind_text_and_null),
        cmocka_unit_test(test_prepare_errors),
        cmocka_unit_test(test_tx_commit_and_rollback),
        cmocka_unit_test(test_tx_nested_joins_outer),
        cmocka_unit_test_setup_teardown(test_busy_is_reported, tmp_setup, tmp_teardown),
        cmocka_unit_test(test_statements_finalized_on_close),
        cmocka_unit_test(test_typed_args),
        cmocka_unit_test(test_argument_count_must_match),
        cmocka_unit_test(test_bind_failure_is_an_error_not_no_row),
        cmocka_unit_test_setup_teardown(test_read_tx_is_one_snapshot, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_pool, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_pool_busy_wait_gives_up, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_committed_write_survives_sigkill, tmp_setup,
                                        tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
