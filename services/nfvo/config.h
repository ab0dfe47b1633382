/* pop-nfvo configuration: one struct filled from NFVO_* environment variables (and a -config
 * file, as every service_main service). */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct config_field;

struct nfvo_config {
    char *broker_host;           /* NFVO_BROKER_HOST */
    int64_t broker_port;         /* NFVO_BROKER_PORT */
    char *broker_vhost;          /* NFVO_BROKER_VHOST */
    char *broker_user;           /* NFVO_BROKER_USER: an administrator of the vhost */
    char *broker_password;       /* NFVO_BROKER_PASSWORD (secret) */
    char *broker_api;            /* NFVO_BROKER_API: the management HTTP API's URL */
    char *registration_user;     /* NFVO_REGISTRATION_USER */
    char *registration_password; /* NFVO_REGISTRATION_PASSWORD (secret) */
    char *db_path;               /* NFVO_DB */
    int64_t workers;             /* NFVO_WORKERS */
    char *http_listen;           /* NFVO_HTTP_LISTEN */
    int64_t http_port;           /* NFVO_HTTP_PORT */
    int64_t body_max;            /* NFVO_BODY_MAX: bytes of one REST request body */
    /* northbound security (auth.c, reference §6.1) */
    char *admin_user;            /* NFVO_ADMIN_USER */
    char *admin_password;        /* NFVO_ADMIN_PASSWORD (secret) */
    char *client_id;             /* NFVO_CLIENT_ID: the OAuth client (HTTP Basic on /oauth/token) */
    char *client_secret;         /* NFVO_CLIENT_SECRET */
    int64_t token_ttl_s;         /* NFVO_TOKEN_TTL */
    int64_t password_iterations; /* NFVO_PASSWORD_ITERATIONS: PBKDF2 rounds of the kept hash */
    /* southbound timeouts: nothing waits forever */
    int64_t driver_timeout_s; /* NFVO_DRIVER_TIMEOUT: one VIM driver call */
    int64_t vnfm_timeout_s;   /* NFVO_VNFM_TIMEOUT: one VNFM request (INSTANTIATE, MODIFY...) */
    /* what INSTANTIATE's extension tells the VNFMs (§3.3) */
    char *broker_ip_for_vnfms; /* NFVO_VNFM_BROKER_IP */
    char *timezone;            /* NFVO_TIMEZONE */
};

const struct config_field *nfvo_config_fields(size_t *ret_n);
/* Both secrets must be set: there is no default password. */
int nfvo_config_check(const void *cfg, char *why, size_t n);
