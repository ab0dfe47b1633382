/* Lifecycle operations: the only code that creates, starts, stops and removes Docker
 * containers for Pop containers. */
#include "lifecycle.h"

#include "core/cleanup.h"
#include "core/log.h"
#include "core/strv.h"
#include "core/timeutil.h"
#include "docker/docker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int state_err(struct pop_error *err, const struct pop_container *c, enum pop_op op)
{
    return pop_error_set(err, -ESTALE, API_STATE_CONFLICT, NULL,
                         "container '%s' is %s; %s is not allowed in that state", c->name,
                         pop_status_name(c->status), pop_op_name(op));
}

static int not_found(struct pop_error *err, const char *id_or_name)
{
    return pop_error_set(err, -ENOENT, API_NOT_FOUND, NULL, "no container with id or name '%s'",
                         id_or_name);
}

/* How long an operation waits for one in progress on the same container (a start, a stop and
 * its grace period, a metadata change) before it is refused as busy: a client that retries a
 * request whose answer it lost (a redelivered start) gets the settled state, not a conflict. */
static int64_t busy_wait_ms(const struct popd *p)
{
    return p->cfg.stop_timeout_s * 1000 + POPD_STOP_GRACE_EXTRA_MS;
}

/* Loads the container and takes its busy mark, waiting up to wait_ms for another operation to
 * release it. On success the caller releases both. */
static int begin_op(struct popd *p, const char *id_or_name, enum pop_op op, int64_t wait_ms,
                    struct pop_container *c, struct pop_error *err)
{
    int r = store_container_get(p->store, id_or_name, c);
    if (r == -ENOENT)
        return not_found(err, id_or_name);
    if (r < 0)
        return pop_error_set(err, r, API_INTERNAL, NULL, "cannot read the container");
    if (!pop_op_allowed(op, c->status)) {
        r = state_err(err, c, op);
        pop_container_done(c);
        return r;
    }
    if (popd_busy_acquire(p, c->id, wait_ms) < 0) {
        r = pop_error_set(err, -EBUSY, API_STATE_CONFLICT, NULL,
                          "another operation on container '%s' is in progress; retry", c->name);
        pop_container_done(c);
        return r;
    }
    /* Reload: the state may have moved while we waited. */
    char id[POP_ID_LEN];
    snprintf(id, sizeof(id), "%s", c->id);
    pop_container_done(c);
    r = store_container_get(p->store, id, c);
    if (r == 0 && !pop_op_allowed(op, c->status)) {
        r = state_err(err, c, op);
        pop_container_done(c);
    } else if (r == -ENOENT) {
        not_found(err, id_or_name);
    } else if (r < 0) {
        pop_error_set(err, r, API_INTERNAL, NULL, "cannot read the container");
    }
    if (r < 0)
        popd_busy_release(p, id);
    return r;
}

/* How often, and how far apart, a create whose name the engine is still freeing is tried. */
#define NAME_FREE_TRIES 30
#define NAME_FREE_WAIT_MS 100

static int docker_spec_run(struct popd *p, struct docker_client *dc, const struct pop_container *c,
                           char **ret_docker_id, struct pop_error *err)
{
    char docker_name[128];
    popd_docker_name(p, c->name, docker_name, sizeof(docker_name));
    char **env = NULL;
    int r = md_set_to_env(&c->md, &env);
    if (r < 0)
        return r;

    struct docker_endpoint_spec eps[POP_MAX_ENDPOINTS];
    char addrs[POP_MAX_ENDPOINTS][16];
    char nets[POP_MAX_ENDPOINTS][128];
    for (size_t i = 0; i < c->n_ep; i++) {
        ipam_format_addr(c->ep[i].ipv4, addrs[i]);
        popd_docker_name(p, c->ep[i].net_name, nets[i], sizeof(nets[i]));
        eps[i] = (struct docker_endpoint_spec){.network = nets[i], .ipv4 = addrs[i]};
    }
    const struct popd_flavour *fl = popd_flavour_find(p, c->flavour_id);
    const char *labels[] = {LABEL_POP, p->cfg.name, LABEL_CONTAINER, c->id, NULL};
    struct docker_container_spec spec = {
        .name = docker_name,
        .image = c->image_id,
        .env = (const char *const *)env,
        .labels = labels,
        .endpoints = eps,
        .n_endpoints = c->n_ep,
        .nano_cpus = fl ? fl->vcpus * 1000000000LL : 0,
        .memory_bytes = fl ? fl->ram_mb * 1024 * 1024 : 0,
        .cap_add = (const char *const *)p->cap_add,
    };

    _cleanup_free_ char *docker_id = NULL;
    r = docker_container_create(dc, &spec, &docker_id);
    /* The name is taken: by a leftover of ours (e.g. a crash mid-operation), replaced; or by
     * one the engine is still removing (a removal a killed popd-rest had asked for), which
     * inspect no longer finds: the name is free a moment later. */
    for (int tries = 0; r == -EEXIST && tries < NAME_FREE_TRIES; tries++) {
        struct docker_container_info info;
        int ir = docker_container_inspect(dc, docker_name, &info);
        if (ir == -ENOENT) {
            time_sleep_ms(NAME_FREE_WAIT_MS);
        } else if (ir < 0) {
            break;
        } else {
            const char *owner = docker_labels_get(info.labels, LABEL_CONTAINER);
            bool ours = owner && strcmp(owner, c->id) == 0;
            if (ours)
                docker_container_remove(dc, info.id, true);
            docker_container_info_done(&info);
            if (!ours)
                break;
        }
        r = docker_container_create(dc, &spec, &docker_id);
    }
    strv_free(env);
    if (r < 0) {
        pop_error_set(err, r, API_BAD_GATEWAY, NULL,
                      "the engine could not create container '%s': %s", c->name,
                      docker_last_error(dc));
        return r;
    }
    r = docker_container_start(dc, docker_id);
    if (r < 0) {
        pop_error_set(err, r, API_BAD_GATEWAY, NULL,
                      "the engine could not start container '%s': %s", c->name,
                      docker_last_error(dc));
        docker_container_remove(dc, docker_id, true);
        return r;
    }
    *ret_docker_id = TAKE_PTR(docker_id);
    return 0;
}

/* After a container was marked RUNNING: if it already died (its die event may have come
 * before the row said RUNNING), finish it now. */
static void check_still_running(struct popd *p, struct docker_client *dc, const char *id,
                                const char *docker_id)
{
    struct docker_container_info info;
    if (docker_container_inspect(dc, docker_id, &info) < 0) {
        popd_container_ended(p, dc, id, docker_id, -1, false);
        return;
    }
    bool running = strcmp(info.state, "running") == 0;
    int code = info.exit_code;
    bool oom = info.oom_killed;
    docker_container_info_done(&info);
    if (!running)
        popd_container_ended(p, dc, id, docker_id, code, oom);
}

static int image_present(struct docker_client *dc, const char *image)
{
    struct docker_image_info *list = NULL;
    size_t n = 0;
    int r = docker_image_list(dc, &list, &n);
    if (r < 0)
        return r;
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        if (strcmp(list[i].id, image) == 0)
            found = 1;
        for (char **t = list[i].repo_tags; *t && !found; t++)
            found = strcmp(*t, image) == 0 ||
                    (strchr(image, ':') == NULL && strncmp(*t, image, strlen(image)) == 0 &&
                     strcmp(*t + strlen(image), ":latest") == 0);
    }
    docker_image_info_free(list, n);
    return found;
}

int popd_container_start(struct popd *p, const char *id_or_name, struct pop_container *ret,
                         struct pop_error *err)
{
    struct pop_container c;
    int r = begin_op(p, id_or_name, POP_OP_START, busy_wait_ms(p), &c, err);
    if (r < 0)
        return r;
    struct docker_client *dc = NULL;
    _cleanup_free_ char *docker_id = NULL;
    if ((r = popd_docker_acquire(p, &dc)) < 0) {
        pop_error_set(err, r, API_BAD_GATEWAY, NULL, "cannot reach the engine");
        goto out;
    }
    r = docker_spec_run(p, dc, &c, &docker_id, err);
    /* The engine refuses to create a container of an image it lacks (404, as for a missing
     * network): only then is the image list read, so a start costs no extra round trip. The
     * container stays CREATED, to be started once the image is loaded. */
    if (r == -ENOENT && image_present(dc, c.image_id) == 0) {
        r = pop_error_set(err, -ENOENT, API_CONFLICT, "image_id",
                          "image '%s' is not on this Pop's engine; load it and start again",
                          c.image_id);
        goto out;
    }
    if (r < 0) {
        store_container_transition(p->store, c.id, POP_MASK(POP_CREATED), POP_FAILED, err->detail,
                                   "", 0);
        log_warn("container %s failed to start: %s", c.name, err->detail);
        r = err->r = -EIO;
        goto out;
    }
    r = store_container_transition(p->store, c.id, POP_MASK(POP_CREATED), POP_RUNNING,
                                   "the container is running", docker_id, time_now_s());
    if (r < 0) {
        /* Deleted meanwhile: do not leave an engine container behind. */
        docker_container_remove(dc, docker_id, true);
        pop_error_set(err, r, API_STATE_CONFLICT, NULL, "container '%s' changed while starting",
                      c.name);
        goto out;
    }
    log_info("container %s started (docker %.12s)", c.name, docker_id);
    check_still_running(p, dc, c.id, docker_id);
out:
    popd_docker_release(p, dc);
    popd_busy_release(p, c.id);
    if (r == 0)
        r = store_container_get(p->store, c.id, ret);
    pop_container_done(&c);
    return r;
}

void popd_container_finish_stop(struct popd *p, const char *id)
{
    struct pop_container c;
    if (store_container_get(p->store, id, &c) < 0)
        return;
    struct docker_client *dc = NULL;
    if (popd_docker_acquire(p, &dc) == 0) {
        int r = 0;
        if (c.docker_id[0]) {
            r = docker_container_stop(dc, c.docker_id, (int)p->cfg.stop_timeout_s);
            if (r == 0 || r == -ENOENT) {
                int e = docker_container_remove(dc, c.docker_id, true);
                r = (e == 0 || e == -ENOENT) ? 0 : e;
            }
        }
        if (r == 0)
            store_container_transition(p->store, id, POP_MASK(POP_STOPPING), POP_EXITED,
                                       "stopped on request", "", 0);
        else
            store_container_transition(p->store, id, POP_MASK(POP_STOPPING), POP_FAILED,
                                       docker_last_error(dc), NULL, 0);
        log_info("container %s stopped", c.name);
        popd_docker_release(p, dc);
    }
    pop_container_done(&c);
}

struct stop_job {
    struct popd *p;
    char id[POP_ID_LEN];
};

/* Runs on p->jobs; owns the container's busy mark and releases it. */
static void stop_job_run(void *arg)
{
    struct stop_job *j = arg;
    popd_container_finish_stop(j->p, j->id);
    popd_busy_release(j->p, j->id);
}

int popd_container_stop(struct popd *p, const char *id_or_name, struct pop_container *ret,
                        struct pop_error *err)
{
    struct pop_container c;
    int r = begin_op(p, id_or_name, POP_OP_STOP, busy_wait_ms(p), &c, err);
    if (r < 0)
        return r;
    r = store_container_transition(p->store, c.id, POP_MASK(POP_RUNNING), POP_STOPPING,
                                   "the container is stopping", NULL, 0);
    if (r == -ESTALE)
        pop_error_set(err, r, API_STATE_CONFLICT, NULL, "container '%s' is no longer RUNNING",
                      c.name);
    struct stop_job *job = r == 0 ? malloc(sizeof(*job)) : NULL;
    if (job) {
        job->p = p;
        snprintf(job->id, sizeof(job->id), "%s", c.id);
    }
    if (r == 0 && (!job || workq_push(p->jobs, stop_job_run, job, free) < 0)) {
        /* The queue is full (or shutting down): stop inline rather than leave it STOPPING;
         * this request then answers once the stop is over. */
        free(job);
        popd_container_finish_stop(p, c.id);
        popd_busy_release(p, c.id);
    } else if (r < 0) {
        popd_busy_release(p, c.id);
    }
    /* On success the job owns the busy mark and releases it. */
    if (r == 0)
        r = store_container_get(p->store, c.id, ret);
    pop_container_done(&c);
    return r;
}

/* Removes every engine container labelled with this Pop container id. */
static int remove_docker_containers(struct popd *p, struct docker_client *dc,
                                    const struct pop_container *c)
{
    char filter[128];
    snprintf(filter, sizeof(filter), "%s=%s", LABEL_CONTAINER, c->id);
    struct docker_container_info *list = NULL;
    size_t n = 0;
    int r = docker_container_list(dc, filter, true, &list, &n);
    if (r < 0)
        return r;
    for (size_t i = 0; i < n && r == 0; i++) {
        const char *pop = docker_labels_get(list[i].labels, LABEL_POP);
        if (!pop || strcmp(pop, p->cfg.name) != 0)
            continue;
        if (strcmp(list[i].state, "running") == 0)
            docker_container_stop(dc, list[i].id, (int)p->cfg.stop_timeout_s);
        int e = docker_container_remove(dc, list[i].id, true);
        if (e < 0 && e != -ENOENT)
            r = e;
    }
    docker_container_info_free(list, n);
    return r;
}

int popd_container_delete(struct popd *p, const char *id_or_name, struct pop_error *err)
{
    struct pop_container c;
    int r = begin_op(p, id_or_name, POP_OP_DELETE, busy_wait_ms(p), &c, err);
    if (r < 0)
        return r;
    struct docker_client *dc = NULL;
    if ((r = popd_docker_acquire(p, &dc)) == 0) {
        r = remove_docker_containers(p, dc, &c);
        if (r < 0)
            pop_error_set(err, -EIO, API_BAD_GATEWAY, NULL,
                          "the engine could not remove container '%s': %s", c.name,
                          docker_last_error(dc));
        popd_docker_release(p, dc);
    } else {
        pop_error_set(err, -EIO, API_BAD_GATEWAY, NULL, "cannot reach the engine");
    }
    if (r == 0) {
        r = store_container_remove(p->store, c.id);
        if (r == 0)
            log_info("container %s deleted", c.name);
        else if (r == -ENOENT)
            not_found(err, id_or_name);
        else
            pop_error_set(err, r, API_INTERNAL, NULL, "cannot forget container '%s'", c.name);
    }
    popd_busy_release(p, c.id);
    pop_container_done(&c);
    return r < 0 && r != -ENOENT ? -EIO : r;
}

static int recreate(struct popd *p, struct pop_container *c, struct pop_error *err)
{
    struct docker_client *dc = NULL;
    int r = popd_docker_acquire(p, &dc);
    if (r < 0)
        return pop_error_set(err, r, API_BAD_GATEWAY, NULL, "cannot reach the engine");
    /* The old engine id is already forgotten in the store (with the new metadata), so its
     * die event is not taken for a crash; c still holds it for the stop. */
    char old[80];
    snprintf(old, sizeof(old), "%s", c->docker_id);
    if (old[0]) {
        docker_container_stop(dc, old, (int)p->cfg.stop_timeout_s);
        docker_container_remove(dc, old, true);
    }
    _cleanup_free_ char *docker_id = NULL;
    r = docker_spec_run(p, dc, c, &docker_id, err);
    if (r < 0) {
        store_container_transition(p->store, c->id, POP_MASK(POP_RUNNING), POP_FAILED, err->detail,
                                   "", 0);
        log_warn("container %s failed to restart with new metadata: %s", c->name, err->detail);
        popd_docker_release(p, dc);
        return err->r = -EIO;
    }
    r = store_container_transition(p->store, c->id, POP_MASK(POP_RUNNING), POP_RUNNING,
                                   "the container is running (recreated with new metadata)",
                                   docker_id, time_now_s());
    if (r < 0) {
        docker_container_remove(dc, docker_id, true);
        pop_error_set(err, r, API_STATE_CONFLICT, NULL, "container '%s' changed while recreating",
                      c->name);
    } else {
        check_still_running(p, dc, c->id, docker_id);
    }
    log_info("container %s recreated with new metadata (docker %.12s)", c->name, docker_id);
    popd_docker_release(p, dc);
    return r;
}

void popd_container_resume_recreate(struct popd *p, const char *id)
{
    struct pop_container c;
    if (store_container_get(p->store, id, &c) < 0)
        return;
    if (c.status == POP_RUNNING && !c.docker_id[0]) {
        struct pop_error err = POP_ERROR_INIT;
        log_info("container %s: finishing a recreate cut short by a restart", c.name);
        recreate(p, &c, &err);
    }
    pop_container_done(&c);
}

int popd_container_metadata(struct popd *p, const char *id_or_name, const struct md_set *patch,
                            bool apply_recreate, struct pop_container *ret, struct pop_error *err)
{
    struct pop_container c;
    int r = store_container_get(p->store, id_or_name, &c);
    if (r == -ENOENT)
        return not_found(err, id_or_name);
    if (r < 0)
        return pop_error_set(err, r, API_INTERNAL, NULL, "cannot read the container");
    enum pop_op op = apply_recreate ? POP_OP_METADATA_RECREATE : POP_OP_METADATA;
    if (c.status == POP_RUNNING && !apply_recreate) {
        r = pop_error_set(err, -ESTALE, API_STATE_CONFLICT, NULL,
                          "container '%s' is RUNNING; metadata can change only before start, or "
                          "with ?apply=recreate to restart it with the new environment",
                          c.name);
        pop_container_done(&c);
        return r;
    }
    char id[POP_ID_LEN];
    snprintf(id, sizeof(id), "%s", c.id);
    pop_container_done(&c);
    if ((r = begin_op(p, id, op, busy_wait_ms(p), &c, err)) < 0)
        return r;
    r = md_set_merge(&c.md, patch);
    if (r == -E2BIG)
        pop_error_set(err, r, API_INVALID_FIELD, "entries",
                      "entries: a container holds at most %d metadata entries", MD_ENTRIES_MAX);
    else if (r < 0)
        pop_error_set(err, r, API_INTERNAL, NULL, "cannot merge the metadata");
    if (r == 0) {
        bool recreating = apply_recreate && c.status == POP_RUNNING;
        r = store_container_set_md(p->store, c.id, POP_MASK(c.status), &c.md, recreating);
        if (r == -ESTALE)
            pop_error_set(err, r, API_STATE_CONFLICT, NULL,
                          "container '%s' changed state meanwhile", c.name);
        else if (r < 0)
            pop_error_set(err, r, API_INTERNAL, NULL, "cannot store the metadata");
    }
    if (r == 0 && apply_recreate && c.status == POP_RUNNING)
        r = recreate(p, &c, err);
    popd_busy_release(p, c.id);
    if (r == 0)
        r = store_container_get(p->store, c.id, ret);
    pop_container_done(&c);
    return r;
}

void popd_container_ended(struct popd *p, struct docker_client *dc, const char *id,
                          const char *docker_id, int exit_code, bool oom)
{
    struct pop_container c;
    if (store_container_get(p->store, id, &c) < 0)
        return;
    if (c.status != POP_RUNNING || strcmp(c.docker_id, docker_id) != 0) {
        pop_container_done(&c);
        return;
    }
    char ext[256];
    enum pop_status to = POP_FAILED;
    if (oom)
        snprintf(ext, sizeof(ext), "killed: out of memory");
    else if (exit_code < 0)
        snprintf(ext, sizeof(ext), "the Docker container disappeared");
    else if (exit_code == 0) {
        to = POP_EXITED;
        snprintf(ext, sizeof(ext), "exited with code 0");
    } else
        snprintf(ext, sizeof(ext), "exited with code %d", exit_code);
    if (store_container_transition(p->store, id, POP_MASK(POP_RUNNING), to, ext, "", 0) == 0) {
        log_info("container %s is %s: %s", c.name, pop_status_name(to), ext);
        /* "" when reconcile found no engine container: nothing to remove. */
        int r = docker_id[0] ? docker_container_remove(dc, docker_id, true) : 0;
        if (r < 0 && r != -ENOENT)
            log_warn("container %s: could not remove Docker container %.12s: %s", c.name, docker_id,
                     docker_last_error(dc));
    }
    pop_container_done(&c);
}
