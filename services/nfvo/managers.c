/* The manager registry (see managers.h). A registration writes the record first and makes the
 * broker user second, a deregistration deletes the user first and the record second: a crash
 * between the two leaves a record whose user the next registration (re)makes, never a broker
 * user no record knows. */
#include "managers.h"

#include "auth/random.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "lenient.h"
#include "mq/admin.h"
#include "mq/mq.h"
#include "json/cleanup.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct nfvo_managers {
    struct db_pool *pool;
    struct mq_admin *admin;
    char *vhost;
    pthread_mutex_t lock; /* one registration at a time: check-then-create stays consistent */
    nfvo_managers_plugin_fn on_plugin;
    void *on_plugin_ud;
};

void nfvo_managers_set_on_plugin(struct nfvo_managers *m, nfvo_managers_plugin_fn fn, void *ud)
{
    m->on_plugin = fn;
    m->on_plugin_ud = ud;
}

int nfvo_managers_new(struct db_pool *pool, struct mq_admin *admin, const char *vhost,
                      struct nfvo_managers **ret)
{
    struct nfvo_managers *m = calloc(1, sizeof(*m));
    if (!m || !(m->vhost = strdup(vhost ? vhost : "/"))) {
        free(m);
        return -ENOMEM;
    }
    m->pool = pool;
    m->admin = admin;
    pthread_mutex_init(&m->lock, NULL);
    *ret = m;
    return 0;
}

void nfvo_managers_free(struct nfvo_managers *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->lock);
    free(m->vhost);
    free(m);
}

/* 16 characters of [A-Za-z0-9], as NFVO 6's RandomStringUtils.randomAlphanumeric(16). */
static int new_password(char out[static NFVO_MANAGER_PASSWORD_LEN + 1])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < NFVO_MANAGER_PASSWORD_LEN;) {
        unsigned char b[32];
        int r = auth_random_bytes(b, sizeof(b));
        if (r < 0)
            return r;
        /* 248 = 4 * 62: below it every character is equally likely. */
        for (size_t k = 0; k < sizeof(b) && i < NFVO_MANAGER_PASSWORD_LEN; k++)
            if (b[k] < 248)
                out[i++] = alphabet[b[k] % 62];
    }
    out[NFVO_MANAGER_PASSWORD_LEN] = '\0';
    return 0;
}

/* A broker user name, also a queue name the permissions embed as a regular expression. */
static int check_name(const char *what, const char *v, struct pop_error *err)
{
    size_t n = v ? strlen(v) : 0;
    if (!n)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, what, "%s: required", what);
    if (n > MQ_NAME_MAX)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, what, "%s: longer than %d bytes",
                             what, MQ_NAME_MAX);
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x21 || *p == 0x7f || strchr("|()[]{}*+?^$\\", *p))
            return pop_error_set(err, -EINVAL, API_INVALID_FIELD, what,
                                 "%s: '%s' holds a character that is not allowed in a manager "
                                 "name (control, space or regular-expression syntax)",
                                 what, v);
    return 0;
}

/* The endpoint of a VNFM registration: an object, or a JSON string holding one (§1.2). */
static int take_endpoint(const json_t *msg, json_t **ret, struct pop_error *err)
{
    const json_t *ep = json_object_get(msg, "vnfmManagerEndpoint");
    *ret = NULL;
    if (!ep || json_is_null(ep))
        return 0;
    if (json_is_string(ep)) {
        struct pop_error inner = POP_ERROR_INIT;
        if (nfvo_parse_lenient(json_string_value(ep), json_string_length(ep), ret, &inner) < 0)
            return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "vnfmManagerEndpoint",
                                 "vnfmManagerEndpoint: a string that is no JSON object: %s",
                                 inner.detail);
        return 0;
    }
    if (!json_is_object(ep))
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "vnfmManagerEndpoint",
                             "vnfmManagerEndpoint: expected an object");
    *ret = json_incref((json_t *)ep);
    return 0;
}

struct stored {
    char password[NFVO_MANAGER_PASSWORD_LEN * 4 + 1];
    char id[40];
    bool found;
};

static int load(struct db *db, const char *user, struct stored *s)
{
    _cleanup_stmt_ struct db_stmt *st = NULL;
    int r = db_query_row(db, "SELECT password, id FROM managers WHERE username = ?",
                         DB_ARGS(DB_TEXT(user)), &st);
    s->found = r == 0;
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return r;
    snprintf(s->password, sizeof(s->password), "%s", db_column_text(st, 0));
    snprintf(s->id, sizeof(s->id), "%s", db_column_text(st, 1));
    return 0;
}

static int do_register(struct nfvo_managers *m, const json_t *msg, json_t **ret_reply,
                       struct pop_error *err)
{
    const char *type = json_string_value(json_object_get(msg, "type"));
    int r = check_name("type", type, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *ep = NULL;
    if ((r = take_endpoint(msg, &ep, err)) < 0)
        return r;
    const char *queue = type;
    if (ep) {
        queue = json_string_value(json_object_get(ep, "endpoint"));
        if ((r = check_name("vnfmManagerEndpoint.endpoint", queue, err)) < 0)
            return r;
    } else if (strncmp(type, "vim-drivers.", 12) != 0 && strncmp(type, "monitor.", 8) != 0) {
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "type",
                             "type: '%s' is neither a plugin id (vim-drivers.<type>.<name>, "
                             "monitor.<...>) nor registered with a vnfmManagerEndpoint",
                             type);
    }
    struct mq_permissions perms;
    if (mq_manager_permissions(queue, &perms) < 0)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "type", "type: too long");

    _cleanup_db_put_ struct db *db = NULL;
    if ((r = db_pool_get(m->pool, &db)) < 0)
        return pop_error_set(err, r, API_ERROR_COUNT, NULL, "the database: %s", strerror(-r));
    struct stored s = {.found = false};
    if ((r = load(db, type, &s)) < 0)
        return pop_error_set(err, r, API_ERROR_COUNT, NULL, "the database: %s", strerror(-r));
    _cleanup_free_ char *ep_text = ep ? json_dumps(ep, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!s.found) {
        if ((r = new_password(s.password)) < 0 || (r = auth_uuid4(s.id)) < 0)
            return pop_error_set(err, r, API_ERROR_COUNT, NULL, "no randomness available");
        r = db_run(db,
                   "INSERT INTO managers (username, password, kind, queue, endpoint, id, "
                   "registered) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   DB_ARGS(DB_TEXT(type), DB_TEXT(s.password), DB_TEXT(ep ? "vnfm" : "plugin"),
                           DB_TEXT(queue), ep_text ? DB_TEXT(ep_text) : DB_NULL, DB_TEXT(s.id),
                           DB_INT(time_now_s())));
    } else {
        r = db_run(db, "UPDATE managers SET kind = ?, queue = ?, endpoint = ? WHERE username = ?",
                   DB_ARGS(DB_TEXT(ep ? "vnfm" : "plugin"), DB_TEXT(queue),
                           ep_text ? DB_TEXT(ep_text) : DB_NULL, DB_TEXT(type)));
    }
    if (r < 0)
        return pop_error_set(err, r, API_ERROR_COUNT, NULL, "the database: %s", strerror(-r));
    /* Made again on every registration: the broker may have lost it (a new data dir), and
     * putting it again with the stored password changes nothing otherwise. */
    if ((r = mq_admin_put_user(m->admin, m->vhost, type, s.password, &perms, err)) < 0)
        return r;
    *ret_reply = json_pack("{s:s, s:s, s:s, s:i}", "rabbitUsername", type, "rabbitPassword",
                           s.password, "id", s.id, "hbVersion", 0);
    explicit_bzero(&s, sizeof(s));
    if (!*ret_reply)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    log_info("managers: registered %s '%s' (queue %s)", ep ? "VNF manager" : "plugin", type, queue);
    if (!ep && m->on_plugin && strncmp(type, "vim-drivers.", 12) == 0)
        m->on_plugin(m->on_plugin_ud, type);
    return 0;
}

static int do_deregister(struct nfvo_managers *m, const json_t *msg, struct pop_error *err)
{
    const char *user = json_string_value(json_object_get(msg, "username"));
    const char *password = json_string_value(json_object_get(msg, "password"));
    if (!user || !password)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, user ? "password" : "username",
                             "%s: required to deregister", user ? "password" : "username");
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(m->pool, &db);
    struct stored s = {.found = false};
    if (r == 0)
        r = load(db, user, &s);
    if (r < 0)
        return pop_error_set(err, r, API_ERROR_COUNT, NULL, "the database: %s", strerror(-r));
    bool match = s.found && strcmp(s.password, password) == 0;
    explicit_bzero(&s, sizeof(s));
    if (!match)
        return pop_error_set(err, -EACCES, API_UNAUTHORIZED, "username",
                             "deregistration of '%s': no manager with that name and password",
                             user);
    if ((r = mq_admin_delete_user(m->admin, user, err)) < 0)
        return r;
    r = db_run(db, "DELETE FROM managers WHERE username = ?", DB_ARGS(DB_TEXT(user)));
    if (r < 0)
        return pop_error_set(err, r, API_ERROR_COUNT, NULL, "the database: %s", strerror(-r));
    log_info("managers: deregistered '%s'", user);
    return 0;
}

int nfvo_managers_handle(struct nfvo_managers *m, const char *body, size_t len, json_t **ret_reply,
                         struct pop_error *err)
{
    *ret_reply = NULL;
    _cleanup_json_ json_t *msg = NULL;
    int r = nfvo_parse_lenient(body, len, &msg, err);
    if (r < 0)
        return r;
    const char *action = json_string_value(json_object_get(msg, "action"));
    if (!action)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "action", "action: required");
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&m->lock);
    if (strcasecmp(action, "register") == 0)
        return do_register(m, msg, ret_reply, err);
    if (strcasecmp(action, "deregister") == 0 || strcasecmp(action, "unregister") == 0)
        return do_deregister(m, msg, err);
    return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "action",
                         "action: '%s' is none of register, deregister, unregister", action);
}

int nfvo_managers_count(struct nfvo_managers *m)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(m->pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((r = db_query_row(db, "SELECT COUNT(*) FROM managers", NULL, 0, &st)) < 0)
        return r;
    return (int)db_column_int64(st, 0);
}

int nfvo_managers_plugin_for(struct nfvo_managers *m, const char *vim_type, const char *want,
                             char *buf, size_t size)
{
    char prefix[MQ_NAME_MAX + 1];
    int n = snprintf(prefix, sizeof(prefix), "vim-drivers.%s.", vim_type ? vim_type : "");
    if (!vim_type || !*vim_type || n < 0 || (size_t)n >= sizeof(prefix))
        return -EINVAL;
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(m->pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    /* The wanted one when it serves the type, else the most recent registration. */
    r = db_query_row(db,
                     "SELECT username FROM managers WHERE kind = 'plugin' AND "
                     "substr(username, 1, ?) = ? ORDER BY username = ? DESC, registered DESC "
                     "LIMIT 1",
                     DB_ARGS(DB_INT(n), DB_TEXT(prefix), DB_TEXT(want ? want : "")), &st);
    if (r < 0)
        return r;
    const char *id = db_column_text(st, 0);
    if (!id || strlen(id) >= size)
        return -ENAMETOOLONG;
    snprintf(buf, size, "%s", id);
    return 0;
}

int nfvo_managers_vnfm_endpoint(struct nfvo_managers *m, const char *type, char *buf, size_t size)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(m->pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    /* NFVO 6 routes by the endpoint's type (§3.1); the registration's type is its user. */
    r = db_query_row(db,
                     "SELECT queue FROM managers WHERE kind = 'vnfm' AND "
                     "(json_extract(endpoint, '$.type') = ?1 OR username = ?1) LIMIT 1",
                     DB_ARGS(DB_TEXT(type ? type : "")), &st);
    if (r < 0)
        return r;
    const char *q = db_column_text(st, 0);
    if (!q || strlen(q) >= size)
        return -ENAMETOOLONG;
    snprintf(buf, size, "%s", q);
    return 0;
}

int nfvo_managers_list_vnfms(struct nfvo_managers *m, json_t **ret)
{
    _cleanup_db_put_ struct db *db = NULL;
    int r = db_pool_get(m->pool, &db);
    if (r < 0)
        return r;
    _cleanup_stmt_ struct db_stmt *st = NULL;
    if ((r = db_query(db, "SELECT id, endpoint FROM managers WHERE kind = 'vnfm' ORDER BY username",
                      NULL, 0, &st)) < 0)
        return r;
    _cleanup_json_ json_t *out = json_array();
    if (!out)
        return -ENOMEM;
    while ((r = db_step(st)) == 1) {
        const char *text = db_column_text(st, 1);
        json_t *ep = text ? json_loads(text, 0, NULL) : NULL;
        if (!json_is_object(ep)) {
            json_decref(ep);
            continue;
        }
        json_object_set_new(ep, "id", json_string(db_column_text(st, 0)));
        json_array_append_new(out, ep);
    }
    if (r < 0)
        return r;
    *ret = json_incref(out);
    return 0;
}
