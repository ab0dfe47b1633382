/* VIM instances (see vims.h): the operations, each VIM's refreshes one at a time (a busy mark
 * per id held across the driver call, so a PUT, a refresh and a DELETE of one VIM never
 * interleave), and the thread that refreshes a type's VIMs after its driver registers. */
#include "vims.h"

#include "auth/random.h"
#include "config.h"
#include "core/cleanup.h"
#include "core/cond.h"
#include "core/lockset.h"
#include "core/log.h"
#include "core/stopper.h"
#include "core/timeutil.h"
#include "drivers.h"
#include "managers.h"
#include "mq/mq.h"
#include "nfvo.h"
#include "vims-int.h"
#include "json/cleanup.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* NFVO 6's nfvo.plugin.refresh.delay: the time a just-registered driver gets to start serving
 * before its VIMs are refreshed (§1.2). */
#define VIMS_PLUGIN_REFRESH_DELAY_MS 700
#define VIMS_PENDING_MAX 64

struct pending {
    char plugin[MQ_NAME_MAX + 1];
    int64_t due_ms;
};

struct nfvo_vims {
    struct nfvo *n;
    struct lockset *busy; /* "vim:<id>" while one operation works on that VIM */
    nfvo_vims_in_use_fn in_use;
    void *in_use_ud;
    /* the type refreshes after a registration */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct pending pending[VIMS_PENDING_MAX];
    size_t n_pending;
    bool stopping;
    bool thread_started;
    pthread_t thread;
};

static void *refresher_main(void *arg);

static void on_plugin(void *ud, const char *plugin_id)
{
    struct nfvo_vims *v = ud;
    if (nfvo_vims_schedule_type_refresh(v, plugin_id, VIMS_PLUGIN_REFRESH_DELAY_MS) < 0)
        log_warn("vims: cannot schedule the refresh of the VIMs %s serves", plugin_id);
}

int nfvo_vims_new(struct nfvo *n, struct nfvo_vims **ret)
{
    struct nfvo_vims *v = calloc(1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    v->n = n;
    int r = lockset_new(4096, &v->busy);
    if (r < 0) {
        free(v);
        return r;
    }
    pthread_mutex_init(&v->lock, NULL);
    if ((r = cond_init_mono(&v->wake)) < 0 ||
        (r = -pthread_create(&v->thread, NULL, refresher_main, v)) < 0) {
        nfvo_vims_free(v);
        return r;
    }
    v->thread_started = true;
    if (n && n->managers)
        nfvo_managers_set_on_plugin(n->managers, on_plugin, v);
    *ret = v;
    return 0;
}

void nfvo_vims_stop(struct nfvo_vims *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    v->stopping = true;
    pthread_cond_broadcast(&v->wake);
    pthread_mutex_unlock(&v->lock);
    if (v->thread_started)
        pthread_join(v->thread, NULL);
    v->thread_started = false;
}

void nfvo_vims_free(struct nfvo_vims *v)
{
    if (!v)
        return;
    nfvo_vims_stop(v);
    if (v->n && v->n->managers)
        nfvo_managers_set_on_plugin(v->n->managers, NULL, NULL);
    pthread_cond_destroy(&v->wake);
    pthread_mutex_destroy(&v->lock);
    lockset_free(v->busy);
    free(v);
}

void nfvo_vims_set_in_use_check(struct nfvo_vims *v, nfvo_vims_in_use_fn fn, void *ud)
{
    v->in_use = fn;
    v->in_use_ud = ud;
}

/* ---- one VIM at a time ---- */

struct mark {
    struct lockset *set;
    char key[64];
};

static void mark_release(struct mark *m)
{
    if (m->set)
        lockset_release(m->set, m->key);
}
#define _cleanup_mark_ __attribute__((cleanup(mark_release)))

static int mark_take(struct nfvo_vims *v, const char *id, struct mark *m, struct pop_error *e)
{
    snprintf(m->key, sizeof(m->key), "vim:%s", id);
    /* Long enough for the driver call of the holder. */
    int64_t wait = (v->n && v->n->cfg ? v->n->cfg->driver_timeout_s * 1000 : 60000) + 5000;
    int r = lockset_acquire(v->busy, m->key, wait);
    if (r == -EBUSY)
        return pop_error_set(e, r, API_STATE_CONFLICT, NULL,
                             "VIM instance %s is busy with another change or refresh; retry", id);
    if (r < 0)
        return pop_error_set(e, r, API_INTERNAL, NULL, "cannot mark VIM instance %s: %s", id,
                             strerror(-r));
    m->set = v->busy;
    return 0;
}

static int not_found(struct pop_error *e, const char *key)
{
    return pop_error_set(e, -ENOENT, API_NOT_FOUND, NULL, "no VIM instance %s in this project",
                         key);
}

static int db_error(struct pop_error *e, int r)
{
    return pop_error_set(e, r, API_INTERNAL, NULL, "the database: %s", strerror(-r));
}

static int load(struct nfvo_vims *v, const char *project, const char *key, bool by_name,
                json_t **ret, struct pop_error *e)
{
    int r = nfvo_vims_db_get(v->n->pool, project ? project : "", key ? key : "", by_name, ret);
    if (r == -ENOENT)
        return not_found(e, key ? key : "");
    return r < 0 ? db_error(e, r) : 0;
}

/* The driver's refresh of doc, taken into doc (on failure doc may hold metadata.plugin only;
 * callers drop it). fresh: doc is new or changed type, so a missing driver is the client's
 * problem (409 naming the type) rather than an outage of a driver it had (503). */
static int refresh_doc(struct nfvo_vims *v, json_t *doc, bool fresh, struct pop_error *e)
{
    const char *type = json_string_value(json_object_get(doc, "type"));
    const char *name = json_string_value(json_object_get(doc, "name"));
    json_t *meta = json_object_get(doc, "metadata");
    const char *had = json_string_value(json_object_get(meta, "plugin"));
    char plugin[MQ_NAME_MAX + 1];
    int r = nfvo_driver_for(v->n, type, had, plugin, sizeof(plugin), e);
    if (r == -ENOENT && had && !fresh)
        return pop_error_set(e, r, API_UNAVAILABLE, NULL,
                             "refresh on VIM %s: its driver %s is not registered any more, nor "
                             "any other driver of type '%s'",
                             name, had, type);
    if (r < 0)
        return r;
    if (!json_is_object(meta)) {
        if (json_object_set_new(doc, "metadata", json_object()) < 0)
            return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
        meta = json_object_get(doc, "metadata");
    }
    if (json_object_set_new(meta, "plugin", json_string(plugin)) < 0)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    json_t *answer = NULL;
    r = nfvo_driver_call(v->n, doc, "refresh", json_pack("[O]", doc), 0, &answer, e);
    if (r < 0)
        return r;
    struct pop_error inner = POP_ERROR_INIT;
    r = nfvo_vim_doc_take_refresh(doc, answer, &inner);
    json_decref(answer);
    if (r < 0)
        return pop_error_set(e, r, pop_error_api(&inner), NULL, "refresh on VIM %s: driver %s: %s",
                             name, plugin, inner.detail);
    return 0;
}

static int bump_version(json_t *doc, struct pop_error *e)
{
    json_int_t hb = json_integer_value(json_object_get(doc, "hbVersion"));
    if (json_object_set_new(doc, "hbVersion", json_integer(hb + 1)) < 0)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    return 0;
}

static int name_taken(struct nfvo_vims *v, const char *project, const json_t *doc,
                      const char *except_id, struct pop_error *e)
{
    const char *name = json_string_value(json_object_get(doc, "name"));
    int r = nfvo_vims_db_name_taken(v->n->pool, project, name, except_id);
    if (r < 0)
        return db_error(e, r);
    if (r > 0)
        return pop_error_set(e, -EEXIST, API_CONFLICT, "name",
                             "name: a VIM instance named '%s' exists already in this project",
                             name);
    return 0;
}

static int store_error(struct pop_error *e, int r, const json_t *doc)
{
    if (r == -EEXIST)
        return pop_error_set(e, r, API_CONFLICT, "name",
                             "name: a VIM instance named '%s' exists already in this project",
                             json_string_value(json_object_get(doc, "name")));
    if (r == -ENOENT)
        return not_found(e, json_string_value(json_object_get(doc, "id")));
    return db_error(e, r);
}

int nfvo_vims_create(struct nfvo_vims *v, const char *project, const json_t *body, json_t **ret,
                     struct pop_error *e)
{
    project = project ? project : "";
    _cleanup_json_ json_t *doc = NULL;
    int r = nfvo_vim_doc_check(body, &doc, e);
    if (r < 0 || (r = name_taken(v, project, doc, NULL, e)) < 0)
        return r;
    char id[37];
    if (auth_uuid4(id) < 0)
        return pop_error_set(e, -EIO, API_INTERNAL, NULL, "no randomness available");
    /* What the refresh fills, and the identity, are the NFVO's, never the client's. */
    json_object_del(doc, "images");
    json_object_del(doc, "networks");
    json_object_del(doc, "flavours");
    if (json_object_set_new(doc, "id", json_string(id)) < 0 ||
        json_object_set_new(doc, "hbVersion", json_integer(0)) < 0 ||
        json_object_set_new(doc, "projectId", json_string(project)) < 0 ||
        (!json_object_get(doc, "active") && json_object_set_new(doc, "active", json_true()) < 0))
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    struct mark m _cleanup_mark_ = {0};
    if ((r = mark_take(v, id, &m, e)) < 0 || (r = refresh_doc(v, doc, true, e)) < 0)
        return r;
    if ((r = nfvo_vims_db_insert(v->n->pool, doc)) < 0)
        return store_error(e, r, doc);
    log_info("vims: VIM instance '%s' (%s, type %s) added",
             json_string_value(json_object_get(doc, "name")), id,
             json_string_value(json_object_get(doc, "type")));
    *ret = TAKE_PTR(doc);
    return 0;
}

int nfvo_vims_update(struct nfvo_vims *v, const char *project, const char *id, const json_t *body,
                     json_t **ret, struct pop_error *e)
{
    project = project ? project : "";
    struct mark m _cleanup_mark_ = {0};
    _cleanup_json_ json_t *old = NULL, *doc = NULL;
    int r;
    if ((r = load(v, project, id, false, &old, e)) < 0 ||
        (r = nfvo_vim_doc_check(body, &doc, e)) < 0 ||
        (r = name_taken(v, project, doc, id, e)) < 0 || (r = mark_take(v, id, &m, e)) < 0)
        return r;
    json_decref(old);
    old = NULL;
    if ((r = load(v, project, id, false, &old, e)) < 0) /* as it is now we hold the mark */
        return r;
    if (nfvo_vim_doc_keep_secrets(doc, old) < 0)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    static const char *const kept[] = {"id",     "projectId", "hbVersion",
                                       "images", "networks",  "flavours"};
    for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
        json_t *was = json_object_get(old, kept[i]);
        if (!was)
            json_object_del(doc, kept[i]);
        else if (json_object_set(doc, kept[i], was) < 0)
            return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    }
    if (!json_object_get(doc, "active") && json_object_set_new(doc, "active", json_true()) < 0)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    bool new_type = !json_equal(json_object_get(doc, "type"), json_object_get(old, "type"));
    if ((r = bump_version(doc, e)) < 0 || (r = refresh_doc(v, doc, new_type, e)) < 0)
        return r;
    if ((r = nfvo_vims_db_update(v->n->pool, doc)) < 0)
        return store_error(e, r, doc);
    log_info("vims: VIM instance '%s' (%s) updated",
             json_string_value(json_object_get(doc, "name")), id);
    *ret = TAKE_PTR(doc);
    return 0;
}

int nfvo_vims_get(struct nfvo_vims *v, const char *project, const char *id, json_t **ret,
                  struct pop_error *e)
{
    return load(v, project, id, false, ret, e);
}

int nfvo_vims_delete(struct nfvo_vims *v, const char *project, const char *id, struct pop_error *e)
{
    project = project ? project : "";
    struct mark m _cleanup_mark_ = {0};
    _cleanup_json_ json_t *doc = NULL;
    int r;
    if ((r = load(v, project, id, false, &doc, e)) < 0 || (r = mark_take(v, id, &m, e)) < 0)
        return r;
    if (v->in_use) {
        char why[256] = "";
        r = v->in_use(v->in_use_ud, project, doc, why, sizeof(why));
        if (r > 0)
            return pop_error_set(e, -EBUSY, API_CONFLICT, NULL,
                                 "VIM instance %s is in use and cannot be deleted: %s",
                                 json_string_value(json_object_get(doc, "name")),
                                 why[0] ? why : "an NS record uses it");
        if (r < 0)
            return pop_error_set(e, r, API_INTERNAL, NULL,
                                 "cannot tell whether VIM instance %s is in use: %s", id,
                                 strerror(-r));
    }
    if ((r = nfvo_vims_db_delete(v->n->pool, project, id)) < 0)
        return db_error(e, r);
    if (r == 0)
        return not_found(e, id);
    log_info("vims: VIM instance '%s' (%s) deleted",
             json_string_value(json_object_get(doc, "name")), id);
    return 0;
}

int nfvo_vims_find(struct nfvo_vims *v, const char *project, const char *key, json_t **ret,
                   struct pop_error *e)
{
    return load(v, project, key, true, ret, e);
}

int nfvo_vims_find_by_id(struct nfvo_vims *v, const char *id, json_t **ret)
{
    return nfvo_vims_db_get_by_id(v->n->pool, id ? id : "", ret);
}

int nfvo_vims_list(struct nfvo_vims *v, const char *project, json_t **ret, struct pop_error *e)
{
    int r = nfvo_vims_db_list(v->n->pool, project ? project : "", ret);
    return r < 0 ? db_error(e, r) : 0;
}

int nfvo_vims_refresh(struct nfvo_vims *v, const char *project, const char *key, json_t **ret,
                      struct pop_error *e)
{
    project = project ? project : "";
    _cleanup_json_ json_t *doc = NULL;
    int r = load(v, project, key, true, &doc, e);
    if (r < 0)
        return r;
    char id[64];
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
    doc = NULL;
    struct mark m _cleanup_mark_ = {0};
    if ((r = mark_take(v, id, &m, e)) < 0 || (r = load(v, project, id, false, &doc, e)) < 0 ||
        (r = bump_version(doc, e)) < 0 || (r = refresh_doc(v, doc, false, e)) < 0)
        return r;
    if ((r = nfvo_vims_db_update(v->n->pool, doc)) < 0)
        return store_error(e, r, doc);
    if (ret)
        *ret = TAKE_PTR(doc);
    return 0;
}

/* ---- refreshes after a driver registers ---- */

int nfvo_vims_schedule_type_refresh(struct nfvo_vims *v, const char *plugin_id, int64_t delay_ms)
{
    if (!plugin_id || strncmp(plugin_id, "vim-drivers.", 12) != 0 ||
        strlen(plugin_id) > MQ_NAME_MAX)
        return -EINVAL;
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&v->lock);
    size_t i = 0;
    while (i < v->n_pending && strcmp(v->pending[i].plugin, plugin_id) != 0)
        i++;
    if (i == v->n_pending) {
        if (v->n_pending == VIMS_PENDING_MAX)
            return -ENOMEM;
        v->n_pending++;
    }
    snprintf(v->pending[i].plugin, sizeof(v->pending[i].plugin), "%s", plugin_id);
    v->pending[i].due_ms = time_mono_ms() + delay_ms;
    pthread_cond_broadcast(&v->wake);
    return 0;
}

static bool stopping(struct nfvo_vims *v)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&v->lock);
    return v->stopping || (v->n && v->n->stop && stopper_fired(v->n->stop));
}

static void refresh_served(struct nfvo_vims *v, const char *plugin)
{
    _cleanup_json_ json_t *list = NULL;
    int r = nfvo_vims_db_served_by(v->n->pool, plugin, &list);
    if (r < 0) {
        log_warn("vims: cannot list the VIMs %s serves: %s", plugin, strerror(-r));
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach (list, i, item) {
        if (stopping(v))
            return;
        const char *id = json_string_value(json_object_get(item, "id"));
        struct pop_error e = POP_ERROR_INIT;
        if (nfvo_vims_refresh(v, json_string_value(json_object_get(item, "projectId")), id, NULL,
                              &e) < 0)
            log_warn("vims: refresh of VIM instance %s after %s registered failed: %s", id, plugin,
                     e.detail);
        else
            log_info("vims: VIM instance %s refreshed after %s registered", id, plugin);
    }
}

static void *refresher_main(void *arg)
{
    struct nfvo_vims *v = arg;
    pthread_mutex_lock(&v->lock);
    while (!v->stopping) {
        size_t first = 0;
        for (size_t i = 1; i < v->n_pending; i++)
            if (v->pending[i].due_ms < v->pending[first].due_ms)
                first = i;
        if (v->n_pending == 0) {
            cond_wait_until(&v->wake, &v->lock, INT64_MAX);
            continue;
        }
        if (v->pending[first].due_ms > time_mono_ms()) {
            cond_wait_until(&v->wake, &v->lock, v->pending[first].due_ms);
            continue;
        }
        char plugin[MQ_NAME_MAX + 1];
        snprintf(plugin, sizeof(plugin), "%s", v->pending[first].plugin);
        v->pending[first] = v->pending[--v->n_pending];
        pthread_mutex_unlock(&v->lock);
        refresh_served(v, plugin);
        pthread_mutex_lock(&v->lock);
    }
    pthread_mutex_unlock(&v->lock);
    return NULL;
}
