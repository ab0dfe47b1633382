/* The declarative table of pop-nfvo settings (NFVO_VERBOSE is service_main's). */
#include "config.h"

#include "core/cleanup.h"
#include "core/config.h"

#include <errno.h>
#include <stdio.h>

#define T struct nfvo_config
static const struct config_field fields[] = {
    CONFIG_STR(T, broker_host, "NFVO_BROKER_HOST", "127.0.0.1", .help = "RabbitMQ host"),
    CONFIG_INT(T, broker_port, "NFVO_BROKER_PORT", "5672", 1, 65535, .help = "RabbitMQ port"),
    CONFIG_STR(T, broker_vhost, "NFVO_BROKER_VHOST", "/", .help = "RabbitMQ virtual host"),
    CONFIG_STR(T, broker_user, "NFVO_BROKER_USER", "admin",
               .help = "a broker administrator: declares the NFVO's exchange and queues, makes "
                       "the managers' users"),
    CONFIG_STR(T, broker_password, "NFVO_BROKER_PASSWORD", NULL, .secret = true,
               .help = "its password (no default)"),
    CONFIG_STR(T, broker_api, "NFVO_BROKER_API", "http://127.0.0.1:15672",
               .help = "the broker's management HTTP API"),
    CONFIG_STR(T, registration_user, "NFVO_REGISTRATION_USER", "openbaton-manager-user",
               .help = "the user managers register as (made at start with NFVO 6's rights)"),
    CONFIG_STR(T, registration_password, "NFVO_REGISTRATION_PASSWORD", NULL, .secret = true,
               .help = "its password (no default)"),
    CONFIG_STR(T, db_path, "NFVO_DB", "nfvo.db", .help = "the SQLite database file"),
    CONFIG_INT(T, workers, "NFVO_WORKERS", "16", 1, 64,
               .help = "broker messages handled at once (grants and allocations wait for drivers)"),
    CONFIG_STR(T, http_listen, "NFVO_HTTP_LISTEN", "127.0.0.1",
               .help = "address of the HTTP port (/healthz, /metrics)"),
    CONFIG_INT(T, http_port, "NFVO_HTTP_PORT", "8080", 0, 65535,
               .help = "the HTTP port (0 = any free port)"),
    CONFIG_INT(T, body_max, "NFVO_BODY_MAX", "4194304", 1024, 67108864,
               .help = "the largest REST request body, in bytes (descriptors included)"),
    CONFIG_STR(T, admin_user, "NFVO_ADMIN_USER", "admin", .help = "the administrator's name"),
    CONFIG_STR(T, admin_password, "NFVO_ADMIN_PASSWORD", NULL, .secret = true,
               .help = "the administrator's password (no default)"),
    CONFIG_STR(T, client_id, "NFVO_CLIENT_ID", "openbatonOSClient",
               .help = "the OAuth client id clients send as HTTP Basic on /oauth/token"),
    CONFIG_STR(T, client_secret, "NFVO_CLIENT_SECRET", "secret", .secret = true,
               .help = "its secret (Open Baton's clients send 'secret')"),
    CONFIG_INT(T, token_ttl_s, "NFVO_TOKEN_TTL", "3600", 60, 86400,
               .help = "seconds an access token is valid (a refresh token: ten times that)"),
    CONFIG_INT(T, password_iterations, "NFVO_PASSWORD_ITERATIONS", "600000", 1000, 10000000,
               .help = "PBKDF2-SHA256 rounds of the administrator's password hash"),
    CONFIG_INT(T, driver_timeout_s, "NFVO_DRIVER_TIMEOUT", "60", 1, 3600,
               .help = "seconds one VIM driver call may take"),
    CONFIG_INT(T, vnfm_timeout_s, "NFVO_VNFM_TIMEOUT", "120", 1, 3600,
               .help = "seconds one VNFM request (INSTANTIATE, MODIFY, START...) may take"),
    CONFIG_STR(T, broker_ip_for_vnfms, "NFVO_VNFM_BROKER_IP", "127.0.0.1",
               .help = "the broker address INSTANTIATE tells the VNFMs (extension brokerIp)"),
    CONFIG_STR(T, timezone, "NFVO_TIMEZONE", "CET",
               .help = "INSTANTIATE's extension timezone, as NFVO 6's nfvo.timezone"),
};
#undef T

const struct config_field *nfvo_config_fields(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(fields);
    return fields;
}

int nfvo_config_check(const void *cfgp, char *why, size_t n)
{
    const struct nfvo_config *cfg = cfgp;
    if (!cfg->broker_password || !*cfg->broker_password) {
        snprintf(why, n, "NFVO_BROKER_PASSWORD must be set");
        return -EINVAL;
    }
    if (!cfg->registration_password || !*cfg->registration_password) {
        snprintf(why, n,
                 "NFVO_REGISTRATION_PASSWORD must be set (the managers' registration "
                 "user gets it)");
        return -EINVAL;
    }
    if (!cfg->admin_password || !*cfg->admin_password) {
        snprintf(why, n, "NFVO_ADMIN_PASSWORD must be set (the REST administrator's password)");
        return -EINVAL;
    }
    return 0;
}
