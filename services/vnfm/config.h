/* pop-vnfm configuration: one struct filled from VNFM_* environment variables (and a -config
 * file, as every service_main service). README.md lists every setting. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vnfm_config {
    char *broker_host;           /* VNFM_BROKER_HOST */
    int64_t broker_port;         /* VNFM_BROKER_PORT */
    char *broker_vhost;          /* VNFM_BROKER_VHOST */
    char *broker_user;           /* VNFM_BROKER_USER: the NFVO's registration user */
    char *broker_password;       /* VNFM_BROKER_PASSWORD (secret, no default) */
    char *type;                  /* VNFM_TYPE: what VNFDs name in `endpoint` */
    char *endpoint;              /* VNFM_ENDPOINT: the queue; "" = the type */
    char *description;           /* VNFM_DESCRIPTION: the endpoint's description */
    int64_t workers;             /* VNFM_WORKERS: requests handled at once */
    int64_t nfvo_timeout_ms;     /* VNFM_NFVO_TIMEOUT: each grant, allocation, scaling RPC */
    int64_t driver_timeout_ms;   /* VNFM_DRIVER_TIMEOUT: each driver method */
    int64_t register_timeout_ms; /* VNFM_REGISTER_TIMEOUT: one registration attempt */
    char *driver;                /* VNFM_DRIVER: the driver's plugin id */
    char *drivers;               /* VNFM_DRIVERS: "<vim type>=<plugin id>,..." overrides */
    char *vims_file;             /* VNFM_VIMS_FILE: JSON array of VIM instances; "" = none */
    char *http_listen;           /* VNFM_HTTP_LISTEN */
    int64_t http_port;           /* VNFM_HTTP_PORT */
    uint64_t body_max;           /* VNFM_BODY_MAX: largest message read */
    int64_t queue_expires_s;     /* VNFM_QUEUE_EXPIRES: the endpoint queue outlives a crash */
    bool allocate;               /* VNFM_ALLOCATE: the VNFM launches the VNFCs itself */
};

struct config_field;

/* The settings table (for service_main) and the rules across settings: a password is set,
 * VNFM_DRIVERS parses. */
const struct config_field *vnfm_config_fields(size_t *ret_n);
int vnfm_config_check(const void *cfg, char *why, size_t n);

/* The endpoint (queue) name: VNFM_ENDPOINT, else VNFM_TYPE. */
const char *vnfm_config_endpoint(const struct vnfm_config *cfg);

/* The plugin id of the driver for VIMs of type vim_type (may be NULL): its VNFM_DRIVERS entry,
 * else VNFM_DRIVER. Written into buf (size >= 256). */
const char *vnfm_config_driver(const struct vnfm_config *cfg, const char *vim_type, char *buf,
                               size_t size);
