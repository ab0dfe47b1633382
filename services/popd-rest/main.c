/* popd-rest: the Pop VIM as a persistent, authenticated REST service over the Docker Engine.
 * Usage: popd-rest [-verbose] [-config FILE] | init [FILE] | hash-password (service_main). */
#include "auth/password.h"
#include "auth/random.h"
#include "core/cleanup.h"
#include "core/service.h"
#include "docker/docker.h"
#include "handlers.h"
#include "networks.h"
#include "popd.h"
#include "reconcile.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmd_init(const struct service_def *def, int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "popd-rest init: one FILE at most\n");
        return SERVICE_EXIT_USAGE;
    }
    const char *path = argc > 1 ? argv[1] : "popd.conf";
    char key[129];
    if (auth_random_hex(64, key, sizeof(key)) < 0) {
        fprintf(stderr, "popd-rest init: no randomness available\n");
        return SERVICE_EXIT_FAILURE;
    }
    const char *overrides[] = {"POPD_JWT_KEY", key, NULL};
    int r = service_write_config(def, path, overrides);
    if (r < 0) {
        fprintf(stderr, "popd-rest init: %s: %s\n", path, strerror(-r));
        return SERVICE_EXIT_FAILURE;
    }
    printf("wrote %s (mode 0600); set POPD_AUTH or POPD_USERS_FILE, then run popd-rest -config "
           "%s\n",
           path, path);
    return SERVICE_EXIT_OK;
}

static int cmd_hash_password(const struct service_def *def, int argc, char **argv)
{
    (void)def;
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "popd-rest hash-password: no arguments (the password comes on stdin)\n");
        return SERVICE_EXIT_USAGE;
    }
    char line[AUTH_PASSWORD_MAX + 2];
    if (!fgets(line, sizeof(line), stdin)) {
        fprintf(stderr, "popd-rest hash-password: no password on stdin\n");
        return SERVICE_EXIT_FAILURE;
    }
    line[strcspn(line, "\r\n")] = '\0';
    char *hash = NULL;
    int r = auth_password_hash(line, 0, &hash);
    if (r < 0) {
        fprintf(stderr, "popd-rest hash-password: %s\n",
                r == -EINVAL ? "password empty or longer than 1024 bytes" : strerror(-r));
        return SERVICE_EXIT_FAILURE;
    }
    printf("%s\n", hash);
    free(hash);
    return SERVICE_EXIT_OK;
}

static void ensure_parent_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    const char *dir = dirname(copy);
    if (strcmp(dir, ".") != 0)
        mkdir(dir, 0700);
    free(copy);
}

/* What start hands to stop: the service object and its listener. */
struct popd_service {
    struct popd p;
    struct http_server *srv;
};

static void popd_service_stop(void *state)
{
    struct popd_service *s = state;
    http_server_stop(s->srv);
    popd_events_stop(&s->p);
    popd_done(&s->p);
    free(s);
}

static int popd_service_start(void *cfgp, struct service_started *ret, struct pop_error *err)
{
    struct popd_config *cfg = cfgp;
    ensure_parent_dir(cfg->db_path);
    struct popd_service *s = calloc(1, sizeof(*s));
    if (!s)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    struct popd *p = &s->p;
    char why[512] = "";
    int r = popd_init(p, cfg, why, sizeof(why));
    if (r < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "%s", why);
        goto fail;
    }
    struct docker_client *dc = NULL;
    r = popd_docker_acquire(p, &dc);
    if (r == 0)
        r = docker_ping(dc);
    if (r < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "the Docker Engine at %s does not answer: %s",
                      p->cfg.docker_socket, dc ? docker_last_error(dc) : "no client");
        popd_docker_release(p, dc);
        goto fail;
    }
    popd_docker_release(p, dc);
    r = popd_networks_init(p, why, sizeof(why));
    if (r < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "%s", why);
        goto fail;
    }
    /* Reconcile before following events: a replayed event handler holds a container's busy
     * mark, and reconcile skips busy containers, so the two racing could leave one
     * unreconciled. The stream replays from start-up, so no event is lost meanwhile. */
    r = popd_reconcile(p);
    if (r < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "reconciliation with the engine failed");
        goto fail;
    }
    r = popd_events_start(p);
    if (r < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot start the events thread");
        goto fail;
    }

    struct http_server_config hc;
    popd_http_config(p, &hc);
    r = http_server_start(&hc, &s->srv);
    if (r < 0) {
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "cannot listen on %s:%lld: %s", p->cfg.listen,
                      (long long)p->cfg.port, strerror(-r));
        goto fail;
    }
    snprintf(ret->ready_on, sizeof(ret->ready_on), "http://%s:%u (pop %s)", p->cfg.listen,
             http_server_port(s->srv), p->cfg.name);
    ret->state = s;
    return 0;
fail:
    popd_service_stop(s);
    return r;
}

static const struct service_cmd cmds[] = {
    {.name = "init",
     .args = "[FILE]",
     .help = "write a config file (default popd.conf) with a fresh signing key",
     .run = cmd_init},
    {.name = "hash-password",
     .help = "read a password on stdin, print its hash for POPD_USERS_FILE",
     .run = cmd_hash_password},
};

int main(int argc, char **argv)
{
    struct service_def def = {
        .name = "popd-rest",
        .version = POPD_VERSION,
        .summary = "serve the Pop REST API",
        .env_prefix = "POPD_",
        .cfg_size = sizeof(struct popd_config),
        .check_config = popd_config_check,
        .cmds = cmds,
        .n_cmds = ARRAY_SIZE(cmds),
        .start = popd_service_start,
        .stop = popd_service_stop,
    };
    def.fields = popd_config_fields(&def.n_fields);
    return service_main(&def, argc, argv);
}
