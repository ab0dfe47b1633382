/* popd-rest: the Pop VIM as a persistent, authenticated REST service over the Docker Engine.
 * Usage: popd-rest [-verbose] [-config FILE] | init [FILE] | hash-password */
#include "auth/password.h"
#include "auth/random.h"
#include "core/log.h"
#include "core/signals.h"
#include "docker/docker.h"
#include "handlers.h"
#include "networks.h"
#include "popd.h"
#include "reconcile.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: popd-rest [-verbose] [-config FILE]   serve the Pop REST API\n"
               "       popd-rest init [FILE]                 write a config file (default "
               "popd.conf) with a fresh signing key\n"
               "       popd-rest hash-password               read a password on stdin, print "
               "its hash for POPD_USERS_FILE\n"
               "Settings come from POPD_* environment variables; see services/popd-rest/"
               "README.md.\n");
}

static int cmd_init(const char *path)
{
    char key[129];
    if (auth_random_hex(64, key, sizeof(key)) < 0) {
        fprintf(stderr, "popd-rest init: no randomness available\n");
        return 1;
    }
    int r = popd_config_write_template(path, key);
    if (r < 0) {
        fprintf(stderr, "popd-rest init: %s: %s\n", path, strerror(-r));
        return 1;
    }
    printf("wrote %s (mode 0600); set POPD_AUTH or POPD_USERS_FILE, then run popd-rest -config "
           "%s\n",
           path, path);
    return 0;
}

static int cmd_hash_password(void)
{
    char line[AUTH_PASSWORD_MAX + 2];
    if (!fgets(line, sizeof(line), stdin)) {
        fprintf(stderr, "popd-rest hash-password: no password on stdin\n");
        return 1;
    }
    line[strcspn(line, "\r\n")] = '\0';
    char *hash = NULL;
    int r = auth_password_hash(line, 0, &hash);
    if (r < 0) {
        fprintf(stderr, "popd-rest hash-password: %s\n",
                r == -EINVAL ? "password empty or longer than 1024 bytes" : strerror(-r));
        return 1;
    }
    printf("%s\n", hash);
    free(hash);
    return 0;
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

static int serve(const char *config_file, bool verbose)
{
    struct popd_config cfg = {0};
    char err[512] = "";
    if (popd_config_load(&cfg, config_file, err, sizeof(err)) < 0) {
        log_error("configuration: %s", err);
        popd_config_done(&cfg);
        return 1;
    }
    if (verbose || cfg.verbose)
        log_set_level(LOG_DEBUG);
    popd_config_log(&cfg);
    ensure_parent_dir(cfg.db_path);

    static struct popd p;
    if (popd_init(&p, &cfg, err, sizeof(err)) < 0) {
        log_error("start-up: %s", err);
        popd_done(&p);
        return 1;
    }
    int status = 1;
    struct http_server *srv = NULL;
    struct docker_client *dc = NULL;
    if (popd_docker_acquire(&p, &dc) < 0 || docker_ping(dc) < 0) {
        log_error("start-up: the Docker Engine at %s does not answer: %s", p.cfg.docker_socket,
                  dc ? docker_last_error(dc) : "no client");
        popd_docker_release(&p, dc);
        goto out;
    }
    popd_docker_release(&p, dc);
    if (popd_networks_init(&p, err, sizeof(err)) < 0) {
        log_error("start-up: %s", err);
        goto out;
    }
    /* Reconcile before following events: a replayed event handler holds a container's busy
     * mark, and reconcile skips busy containers, so the two racing could leave one
     * unreconciled. The stream replays from start-up, so no event is lost meanwhile. */
    if (popd_reconcile(&p) < 0) {
        log_error("start-up: reconciliation with the engine failed");
        goto out;
    }
    if (popd_events_start(&p) < 0) {
        log_error("start-up: cannot start the events thread");
        goto out;
    }

    size_t n_routes;
    const struct http_route *routes = popd_routes(&n_routes);
    struct http_server_config hc = {
        .bind_addr = p.cfg.listen,
        .port = (uint16_t)p.cfg.port,
        .conn_limit = (unsigned)p.cfg.conn_limit,
        .conn_timeout_s = (unsigned)p.cfg.conn_timeout_s,
        .body_max = p.cfg.body_max,
        .routes = routes,
        .n_routes = n_routes,
        .userdata = &p,
        .authenticate = popd_authenticate,
        .server_name = "popd-rest/" POPD_VERSION,
        .access_log = true,
    };
    int r = http_server_start(&hc, &srv);
    if (r < 0) {
        log_error("start-up: cannot listen on %s:%lld: %s", p.cfg.listen, (long long)p.cfg.port,
                  strerror(-r));
        goto out;
    }
    log_info("popd-rest %s ready on http://%s:%u (pop %s)", POPD_VERSION, p.cfg.listen,
             http_server_port(srv), p.cfg.name);

    int sig = signals_wait_termination();
    log_info("received %s; shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    status = 0;
out:
    http_server_stop(srv);
    popd_events_stop(&p);
    popd_done(&p);
    return status;
}

int main(int argc, char **argv)
{
    signals_block_termination();

    const char *config_file = NULL;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "init") == 0 && i == 1)
            return cmd_init(argc > 2 ? argv[2] : "popd.conf");
        if (strcmp(argv[i], "hash-password") == 0 && i == 1)
            return cmd_hash_password();
        if (strcmp(argv[i], "-verbose") == 0 || strcmp(argv[i], "--verbose") == 0) {
            verbose = true;
        } else if ((strcmp(argv[i], "-config") == 0 || strcmp(argv[i], "--config") == 0) &&
                   i + 1 < argc) {
            config_file = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "popd-rest: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    return serve(config_file, verbose);
}
