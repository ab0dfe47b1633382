/* The declarative table of pop-vim-driver settings (VIMD_VERBOSE, like every service's VERBOSE,
 * is service_main's). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/config.h"
#include "vimd.h"

/* A plugin id segment: the NFVO splits a VIM type at its first '.', and the broker permissions
 * it grants match the id as a regular expression, so only plain characters. */
static int check_segment(const char *v, char *why, size_t n)
{
    size_t len = strlen(v);
    if (len == 0 || len > 64) {
        snprintf(why, n, "must be 1-64 characters (got %zu)", len);
        return -EINVAL;
    }
    if (strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-_") != len) {
        snprintf(why, n, "may contain only a-z, 0-9, '-' and '_'");
        return -EINVAL;
    }
    return 0;
}

#define T struct vimd_config
static const struct config_field fields[] = {
    CONFIG_STR(T, broker_host, "VIMD_BROKER_HOST", "localhost", .help = "RabbitMQ host"),
    CONFIG_INT(T, broker_port, "VIMD_BROKER_PORT", "5672", 1, 65535, .help = "RabbitMQ port"),
    CONFIG_STR(T, broker_vhost, "VIMD_BROKER_VHOST", "/", .help = "RabbitMQ virtual host"),
    CONFIG_STR(T, broker_user, "VIMD_BROKER_USER", "openbaton-manager-user",
               .help = "the NFVO's registration user (the NFVO answers with the plugin's own)"),
    CONFIG_STR(T, broker_password, "VIMD_BROKER_PASSWORD", NULL, .secret = true,
               .help = "the registration user's password (no default; needed to connect)"),
    CONFIG_STR(T, type, "VIMD_TYPE", "pop", .check = check_segment,
               .help = "plugin type: the queue is vim-drivers.<type>.<name>, VIM instances of "
                       "this type come here, and getType answers it"),
    CONFIG_STR(T, name, "VIMD_NAME", "default", .check = check_segment,
               .help = "plugin name, the last part of the queue name"),
    CONFIG_INT(T, workers, "VIMD_WORKERS", "8", 1, 64, .help = "plugin RPCs handled at once"),
    CONFIG_INT(T, rpc_timeout_ms, "VIMD_RPC_TIMEOUT", "30000", 100, 600000,
               .help = "milliseconds to wait for the NFVO's answer to the driver's own RPCs"),
    CONFIG_STR(T, http_listen, "VIMD_HTTP_LISTEN", "127.0.0.1",
               .help = "address of the /healthz and /metrics port"),
    CONFIG_INT(T, http_port, "VIMD_HTTP_PORT", "8091", 0, 65535,
               .help = "TCP port of /healthz and /metrics (0 = any free port)"),
    CONFIG_INT(T, pop_timeout_ms, "VIMD_POP_TIMEOUT", "30000", 100, 600000,
               .help = "milliseconds each popd-rest call may take, its login included"),
    CONFIG_INT(T, pop_refused_retry_ms, "VIMD_POP_RETRY_REFUSED", "5000", 0, 600000,
               .help = "milliseconds a popd-rest call goes on trying while the Pop refuses "
                       "connections (restarting after a crash), within VIMD_POP_TIMEOUT"),
    CONFIG_INT(T, sessions, "VIMD_SESSIONS", "64", 1, VIMD_SESSIONS_MAX,
               .help = "Pop sessions (one per VIM instance and credentials) kept"),
    CONFIG_SIZE(T, body_max, "VIMD_BODY_MAX", "4m", VIMD_DEFAULT_BODY_MAX,
                .help = "largest plugin message read"),
    CONFIG_INT(T, queue_expires_s, "VIMD_QUEUE_EXPIRES", "60", 5, 86400,
               .help = "seconds the plugin queue outlives a driver that died, keeping the "
                       "requests it had not answered for its restart (an orderly stop deletes "
                       "an empty queue at once)"),
};
#undef T

const struct config_field *vimd_config_fields(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(fields);
    return fields;
}

int vimd_config_check(const void *cfgp, char *why, size_t n)
{
    const struct vimd_config *cfg = cfgp;
    if (!cfg->broker_password || !*cfg->broker_password) {
        snprintf(why, n, "VIMD_BROKER_PASSWORD must be set to connect to the broker");
        return -EINVAL;
    }
    return 0;
}

int vimd_config_load(struct vimd_config *cfg, const char *file_path, char *err, size_t errlen)
{
    return config_load(fields, ARRAY_SIZE(fields), cfg, file_path, err, errlen);
}

void vimd_config_done(struct vimd_config *cfg)
{
    config_done(fields, ARRAY_SIZE(fields), cfg);
}

void vimd_config_options(const struct vimd_config *cfg, struct vimd_options *ret)
{
    *ret = (struct vimd_options){
        .type = cfg->type,
        .pop_timeout_ms = (long)cfg->pop_timeout_ms,
        .pop_refused_retry_ms = (long)cfg->pop_refused_retry_ms,
        .max_sessions = (size_t)cfg->sessions,
        .max_idle = (size_t)cfg->workers,
        .body_max = (size_t)cfg->body_max,
    };
}
