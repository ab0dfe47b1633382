/* Reconciliation and the events follower. */
#include "reconcile.h"

#include "core/backoff.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/timeutil.h"
#include "docker/docker.h"
#include "lifecycle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct docker_container_info *find_engine(const struct docker_container_info *list,
                                                       size_t n, const char *pop_id)
{
    const struct docker_container_info *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *owner = docker_labels_get(list[i].labels, LABEL_CONTAINER);
        if (!owner || strcmp(owner, pop_id) != 0)
            continue;
        /* prefer a running one if a crash left two */
        if (!best || strcmp(list[i].state, "running") == 0)
            best = &list[i];
    }
    return best;
}

static void reconcile_one(struct popd *p, struct docker_client *dc, const struct pop_container *c,
                          const struct docker_container_info *eng)
{
    bool running = eng && strcmp(eng->state, "running") == 0;
    switch (c->status) {
    case POP_CREATED:
        if (running) {
            /* Started, but popd-rest died before recording it. */
            store_container_transition(p->store, c->id, POP_MASK(POP_CREATED), POP_RUNNING,
                                       "the container is running", eng->id,
                                       eng->started ? eng->started : time_now_s());
            log_info("reconcile: container %s was started before a crash; now RUNNING", c->name);
        } else if (eng) {
            docker_container_remove(dc, eng->id, true);
            log_info("reconcile: container %s: removed a half-made engine container", c->name);
        }
        break;
    case POP_RUNNING:
        if (!c->docker_id[0]) {
            /* Only a recreate leaves RUNNING without an engine id: it was cut short. */
            popd_container_resume_recreate(p, c->id);
        } else if (running) {
            if (strcmp(eng->id, c->docker_id) != 0)
                store_container_set_docker_id(p->store, c->id, eng->id);
        } else {
            /* Make the row point at what we found (or nothing) and end it. */
            store_container_set_docker_id(p->store, c->id, eng ? eng->id : "");
            popd_container_ended(p, dc, c->id, eng ? eng->id : "", eng ? eng->exit_code : -1,
                                 eng ? eng->oom_killed : false);
        }
        break;
    case POP_STOPPING:
        if (eng && strcmp(eng->id, c->docker_id) != 0)
            store_container_set_docker_id(p->store, c->id, eng->id);
        else if (!eng)
            store_container_set_docker_id(p->store, c->id, "");
        popd_container_finish_stop(p, c->id);
        break;
    case POP_EXITED:
    case POP_FAILED:
        if (eng) {
            docker_container_remove(dc, eng->id, true);
            store_container_set_docker_id(p->store, c->id, "");
        }
        break;
    default:
        break;
    }
}

int popd_reconcile(struct popd *p)
{
    struct docker_client *dc = NULL;
    int r = popd_docker_acquire(p, &dc);
    if (r < 0)
        return r;
    char filter[128];
    snprintf(filter, sizeof(filter), "%s=%s", LABEL_POP, p->cfg.name);
    struct docker_container_info *eng = NULL;
    size_t n_eng = 0;
    struct pop_container *rows = NULL;
    size_t n_rows = 0;
    if ((r = docker_container_list(dc, filter, true, &eng, &n_eng)) < 0) {
        log_error("reconcile: cannot list engine containers: %s", docker_last_error(dc));
        goto out;
    }
    if ((r = store_container_list(p->store, NULL, NULL, &rows, &n_rows)) < 0)
        goto out;
    for (size_t i = 0; i < n_rows; i++) {
        if (popd_busy_acquire(p, rows[i].id, 0) < 0)
            continue; /* an operation in progress owns it and will settle its state */
        reconcile_one(p, dc, &rows[i], find_engine(eng, n_eng, rows[i].id));
        popd_busy_release(p, rows[i].id);
    }
    /* Labelled engine containers with no row: leftovers of a crash between engine and store. */
    for (size_t i = 0; i < n_eng; i++) {
        const char *owner = docker_labels_get(eng[i].labels, LABEL_CONTAINER);
        bool known = false;
        for (size_t j = 0; owner && j < n_rows && !known; j++)
            known = strcmp(rows[j].id, owner) == 0;
        if (!known) {
            docker_container_remove(dc, eng[i].id, true);
            log_info("reconcile: removed engine container %s: no Pop container owns it",
                     eng[i].name);
        }
    }
out:
    pop_container_list_free(rows, n_rows);
    docker_container_info_free(eng, n_eng);
    popd_docker_release(p, dc);
    return r;
}

struct events_ctx {
    struct popd *p;
    struct docker_client *dc;
};

static int on_event(const struct docker_event *ev, void *userdata)
{
    struct events_ctx *ctx = userdata;
    metric_add(ctx->p->m_events, NULL, 1);
    if (strcmp(ev->type, "container") != 0)
        return 0;
    if (strcmp(ev->action, "die") != 0 && strcmp(ev->action, "oom") != 0 &&
        strcmp(ev->action, "destroy") != 0)
        return 0;
    const char *pop = docker_event_attr(ev, LABEL_POP);
    const char *id = docker_event_attr(ev, LABEL_CONTAINER);
    if (!pop || !id || strcmp(pop, ctx->p->cfg.name) != 0)
        return 0;
    log_debug("event %s for container %s (docker %.12s, exit %d)", ev->action, id, ev->actor_id,
              ev->exit_code);
    if (strcmp(ev->action, "oom") == 0)
        return 0; /* the die that follows carries the exit code; inspect tells OOM */
    bool oom = false;
    int code = ev->exit_code;
    if (strcmp(ev->action, "die") == 0) {
        struct docker_container_info info;
        if (docker_container_inspect(ctx->dc, ev->actor_id, &info) == 0) {
            oom = info.oom_killed;
            docker_container_info_done(&info);
        }
    }
    /* A container with an operation in progress (delete, recreate, start) is that
     * operation's to settle: e.g. the die caused by a delete's own stop is not a crash. */
    if (popd_busy_acquire(ctx->p, id, 0) < 0)
        return 0;
    popd_container_ended(ctx->p, ctx->dc, id, ev->actor_id, code, oom);
    popd_busy_release(ctx->p, id);
    return 0;
}

static void *events_main(void *arg)
{
    struct popd *p = arg;
    struct events_ctx ctx = {p, NULL};
    if (docker_client_new(p->cfg.docker_socket, &ctx.dc) < 0) {
        log_error("events: cannot create an engine client");
        return NULL;
    }
    char label_filter[128];
    snprintf(label_filter, sizeof(label_filter), "label=%s=%s", LABEL_POP, p->cfg.name);
    const char *filters[] = {"type=container", label_filter, NULL};
    /* 100 ms doubling to 2 s; a stream that stayed open 10 s starts again from 100 ms. */
    struct backoff retry;
    backoff_init(&retry, 100, 2000, 10000);
    bool first = true;
    while (!stopper_fired(p->stop)) {
        if (!first) {
            /* Catch up on whatever happened while the stream was down. */
            popd_reconcile(p);
        }
        /* The first stream replays from start-up so nothing between the start-up
         * reconcile and the stream opening is missed. */
        int64_t since = first ? p->started_at : time_now_s();
        backoff_up(&retry, time_mono_ms());
        int r = docker_events_follow(p->cfg.docker_socket, filters, since, on_event, &ctx, p->stop);
        if (stopper_fired(p->stop))
            break;
        first = false;
        metric_add(p->m_events_reconnect, NULL, 1);
        int64_t delay = backoff_next(&retry, time_mono_ms());
        log_warn("events: stream ended (%s); reconnecting in %lld ms", strerror(-r),
                 (long long)delay);
        if (stopper_sleep_ms(p->stop, delay) == -ECANCELED)
            break;
    }
    docker_client_free(ctx.dc);
    return NULL;
}

int popd_events_start(struct popd *p)
{
    int r = pthread_create(&p->events_thread, NULL, events_main, p);
    if (r != 0)
        return -r;
    p->events_running = true;
    return 0;
}

void popd_events_stop(struct popd *p)
{
    if (p->stop)
        stopper_fire(p->stop);
    if (p->events_running)
        pthread_join(p->events_thread, NULL);
    p->events_running = false;
}
