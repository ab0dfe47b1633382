/* The manager thread (see manager.h): register, serve, register again when the broker refuses
 * the credentials, deregister at stop. Requests run on the worker queue; each is acked only
 * once its handler has settled it, so a request a crashed component had taken is redelivered
 * from its queue (which a durable queue with an expiry keeps for the restart). */
#include "mq/manager.h"

#include "core/backoff.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/stopper.h"
#include "core/timeutil.h"
#include "core/workq.h"
#include "mq/register.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANAGER_BACKOFF_BASE_MS 200
#define MANAGER_BACKOFF_MAX_MS 5000
#define MANAGER_WATCH_MS 500 /* how often a serving manager looks at its login failures */

enum manager_state { MANAGER_REGISTERING, MANAGER_SERVING };

struct mq_manager {
    struct mq_manager_config cfg; /* strings below are copies */
    char prefix[32];
    char id[MQ_NAME_MAX + 1];
    char host[MQ_NAME_MAX + 1], vhost[MQ_NAME_MAX + 1], user[MQ_NAME_MAX + 1];
    char *password;
    json_t *register_body;
    json_t *deregister_extra;
    struct workq *workers;
    struct stopper *stop;
    pthread_t thread;
    bool thread_started;

    pthread_mutex_t lock; /* guards the fields below (mq's own calls take mq's lock after it) */
    enum manager_state state;
    struct mq *mq; /* created at the first registration, kept across later ones */
    struct mq_credentials creds;
    bool registered;
    char last_error[512];
};

static void set_last_error(struct mq_manager *m, const char *text)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&m->lock);
    snprintf(m->last_error, sizeof(m->last_error), "%s", text);
}

static int start_mq(struct mq_manager *m, const struct mq_credentials *c, struct pop_error *err)
{
    struct mq_config mc = m->cfg.reg;
    mc.user = c->username;
    mc.password = c->password;
    mc.no_rpc = !m->cfg.rpc;
    mc.rpc_reply_exchange = NULL;
    mc.prefetch = m->cfg.workers;
    mc.body_max = m->cfg.body_max;
    struct mq *mq = NULL;
    int r = mq_start(&mc, m->cfg.decls, m->cfg.n_decls, m->cfg.cons, m->cfg.n_cons, m->workers,
                     m->cfg.metrics, m->cfg.ud, &mq);
    if (r < 0)
        return pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot start the connection: %s",
                             strerror(-r));
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&m->lock);
    m->mq = mq;
    return 0;
}

/* Serves until a stop (0) or until the broker has refused the credentials often enough that
 * they must be asked for again (-EACCES). */
static int serve(struct mq_manager *m)
{
    bool was_connected = false;
    while (stopper_sleep_ms(m->stop, MANAGER_WATCH_MS) == 0) {
        bool connected = mq_connected(m->mq);
        if (connected && !was_connected)
            log_info("%s: serving %s as '%s'", m->prefix, m->id, m->creds.username);
        was_connected = connected;
        if (mq_login_failures(m->mq) >= MQ_MANAGER_LOGIN_FAILURES_REREGISTER) {
            char why[512];
            mq_last_error(m->mq, why, sizeof(why));
            log_warn("%s: the broker refuses the %s user '%s' (%s); registering again", m->prefix,
                     m->prefix, m->creds.username, why);
            set_last_error(m, why);
            return -EACCES;
        }
    }
    return 0;
}

static void *manager_main(void *arg)
{
    struct mq_manager *m = arg;
    struct backoff b;
    backoff_init(&b, MANAGER_BACKOFF_BASE_MS, MANAGER_BACKOFF_MAX_MS, 0);
    bool warned = false;
    while (!stopper_fired(m->stop)) {
        {
            _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&m->lock);
            m->state = MANAGER_REGISTERING;
        }
        struct mq_credentials c;
        struct pop_error e = {0};
        int r =
            mq_register(&m->cfg.reg, m->register_body, m->cfg.reg.rpc_timeout_ms, m->stop, &c, &e);
        if (r == 0 && !m->mq)
            r = start_mq(m, &c, &e);
        else if (r == 0 && (r = mq_set_login(m->mq, c.username, c.password)) < 0)
            pop_error_set(&e, r, API_ERROR_COUNT, NULL, "the NFVO's credentials: %s", strerror(-r));
        if (r == -ECANCELED)
            break;
        if (r < 0) {
            set_last_error(m, e.detail);
            if (!warned)
                log_warn("%s: registration of %s failed: %s; retrying with backoff", m->prefix,
                         m->id, e.detail);
            else
                log_debug("%s: registration of %s failed: %s", m->prefix, m->id, e.detail);
            warned = true;
            if (stopper_sleep_ms(m->stop, backoff_next(&b, time_mono_ms())) < 0)
                break;
            continue;
        }
        warned = false;
        backoff_up(&b, time_mono_ms());
        {
            _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&m->lock);
            m->creds = c;
            m->registered = true;
            m->state = MANAGER_SERVING;
            m->last_error[0] = '\0';
        }
        log_info("%s: registered %s with the NFVO; broker user '%s'", m->prefix, m->id, c.username);
        explicit_bzero(&c, sizeof(c));
        if (serve(m) == 0)
            break;
    }
    return NULL;
}

static void manager_free(struct mq_manager *m)
{
    mq_free(m->mq);
    workq_free(m->workers);
    stopper_free(m->stop);
    json_decref(m->register_body);
    json_decref(m->deregister_extra);
    if (m->password) {
        explicit_bzero(m->password, strlen(m->password));
        free(m->password);
    }
    explicit_bzero(&m->creds, sizeof(m->creds));
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* Copies s into buf (NULL stays NULL): the config's strings need not outlive the start. */
static const char *keep(char *buf, size_t size, const char *s)
{
    if (!s)
        return NULL;
    snprintf(buf, size, "%s", s);
    return buf;
}

int mq_manager_start(const struct mq_manager_config *cfg, struct mq_manager **ret,
                     struct pop_error *err)
{
    if (!cfg->id || !cfg->register_body || cfg->workers < 1 || cfg->workers > 64)
        return pop_error_set(err, -EINVAL, API_ERROR_COUNT, NULL,
                             "manager: id, register_body and 1..64 workers are required");
    struct mq_manager *m = calloc(1, sizeof(*m));
    if (!m)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    pthread_mutex_init(&m->lock, NULL);
    m->cfg = *cfg;
    snprintf(m->prefix, sizeof(m->prefix), "%s", cfg->log_prefix ? cfg->log_prefix : "manager");
    snprintf(m->id, sizeof(m->id), "%s", cfg->id);
    m->cfg.id = m->id;
    m->cfg.log_prefix = m->prefix;
    m->cfg.reg.name = m->id;
    m->cfg.reg.host = keep(m->host, sizeof(m->host), cfg->reg.host);
    m->cfg.reg.vhost = keep(m->vhost, sizeof(m->vhost), cfg->reg.vhost);
    m->cfg.reg.user = keep(m->user, sizeof(m->user), cfg->reg.user);
    m->password = cfg->reg.password ? strdup(cfg->reg.password) : NULL;
    m->cfg.reg.password = m->password;
    m->register_body = json_incref((json_t *)cfg->register_body);
    m->deregister_extra = json_incref((json_t *)cfg->deregister_extra);
    int r = 0;
    if (cfg->reg.password && !m->password)
        r = pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    else if ((r = mq_check(&m->cfg.reg, cfg->decls, cfg->n_decls, cfg->cons, cfg->n_cons, err)) < 0)
        ;
    else if ((r = workq_new(m->prefix, cfg->workers, (size_t)cfg->workers * 2, &m->workers)) < 0)
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot start %u workers: %s", cfg->workers,
                      strerror(-r));
    else if ((r = stopper_new(&m->stop)) < 0)
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot create the stop token");
    else if ((r = -pthread_create(&m->thread, NULL, manager_main, m)) < 0)
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot start the %s thread", m->prefix);
    if (r < 0) {
        manager_free(m);
        return r;
    }
    m->thread_started = true;
    *ret = m;
    return 0;
}

void mq_manager_stop(struct mq_manager *m, int64_t drain_ms)
{
    if (!m)
        return;
    stopper_fire(m->stop);
    if (m->thread_started)
        pthread_join(m->thread, NULL);
    if (m->mq && m->registered && mq_connected(m->mq)) {
        int r = mq_deregister_with(m->mq, &m->creds, m->deregister_extra);
        if (r < 0)
            log_warn("%s: deregistration of %s not confirmed: %s", m->prefix, m->id, strerror(-r));
        else
            log_info("%s: deregistered %s", m->prefix, m->id);
    }
    if (m->mq)
        mq_stop(m->mq, time_mono_ms() + drain_ms);
    workq_drain(m->workers, time_mono_ms() + drain_ms);
    manager_free(m);
}

struct mq *mq_manager_mq(struct mq_manager *m)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&m->lock);
    return m->mq;
}

json_t *mq_manager_health(struct mq_manager *m, bool *ret_serving)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&m->lock);
    bool connected = m->mq && mq_connected(m->mq);
    const char *state = m->state == MANAGER_REGISTERING ? "registering"
                        : connected                     ? "serving"
                                                        : "connecting";
    char why[512] = "";
    if (m->mq && !connected)
        mq_last_error(m->mq, why, sizeof(why));
    if (!*why)
        snprintf(why, sizeof(why), "%s", m->last_error);
    *ret_serving = m->state == MANAGER_SERVING && connected;
    return json_pack("{s:s, s:I, s:s}", "state", state, "connects",
                     (json_int_t)(m->mq ? mq_connects(m->mq) : 0), "last_error", why);
}
