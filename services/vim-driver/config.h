/* pop-vim-driver configuration: one struct filled from VIMD_* environment variables (and a
 * -config file, as every service_main service). The broker settings are read and checked
 * here already, for the AMQP side that will use them. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct vimd_options;

struct vimd_config {
    char *broker_host;      /* VIMD_BROKER_HOST */
    int64_t broker_port;    /* VIMD_BROKER_PORT */
    char *broker_vhost;     /* VIMD_BROKER_VHOST */
    char *broker_user;      /* VIMD_BROKER_USER: the NFVO's registration user */
    char *broker_password;  /* VIMD_BROKER_PASSWORD (secret) */
    char *type;             /* VIMD_TYPE: plugin type, the <type> of vim-drivers.<type>.<name> */
    char *name;             /* VIMD_NAME: the <name> */
    int64_t workers;        /* VIMD_WORKERS: RPCs handled at once */
    int64_t rpc_timeout_ms; /* VIMD_RPC_TIMEOUT: the driver's own RPCs (registration) */
    char *http_listen;      /* VIMD_HTTP_LISTEN: /healthz and /metrics */
    int64_t http_port;      /* VIMD_HTTP_PORT */
    int64_t pop_timeout_ms; /* VIMD_POP_TIMEOUT: each popd-rest call */
    int64_t pop_refused_retry_ms; /* VIMD_POP_RETRY_REFUSED: retrying refused connections */
    int64_t sessions;             /* VIMD_SESSIONS: Pop sessions cached */
    uint64_t body_max;            /* VIMD_BODY_MAX: largest plugin message */
    int64_t queue_expires_s; /* VIMD_QUEUE_EXPIRES: the plugin queue outlives a crash this long */
};

struct config_field;

/* The settings table (for service_main), and the rule across settings the AMQP side checks
 * before connecting: VIMD_BROKER_PASSWORD must be set (there is no default secret). */
const struct config_field *vimd_config_fields(size_t *ret_n);
int vimd_config_check(const void *cfg, char *why, size_t n);

/* Loads the table (file_path may be NULL) without the cross-setting check, which a tool that
 * does not connect to the broker does not need. Returns 0 or a negative errno after writing a
 * message naming the variable into err; call vimd_config_done in both cases. */
int vimd_config_load(struct vimd_config *cfg, const char *file_path, char *err, size_t errlen);
void vimd_config_done(struct vimd_config *cfg);

/* The driver core's options from the configuration (borrowing its strings). */
void vimd_config_options(const struct vimd_config *cfg, struct vimd_options *ret);
