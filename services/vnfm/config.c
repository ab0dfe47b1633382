/* The declarative table of pop-vnfm settings (VNFM_VERBOSE, like every service's VERBOSE, is
 * service_main's). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/config.h"

/* An AMQP name the NFVO's permission regexes match literally enough: plain characters. */
static int check_name(const char *v, char *why, size_t n)
{
    size_t len = strlen(v);
    if (len > 200) {
        snprintf(why, n, "must be at most 200 characters (got %zu)", len);
        return -EINVAL;
    }
    if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != len) {
        snprintf(why, n, "may contain only letters, digits, '-', '_' and '.'");
        return -EINVAL;
    }
    return 0;
}

static int check_type(const char *v, char *why, size_t n)
{
    if (!*v) {
        snprintf(why, n, "must not be empty");
        return -EINVAL;
    }
    return check_name(v, why, n);
}

/* Walks "type=id,type=id": calls fn for each entry (lengths, not NUL-terminated); 0 or the
 * first negative result; -EINVAL for a malformed entry. */
static int drivers_each(const char *list,
                        int (*fn)(const char *t, size_t tl, const char *id, size_t il, void *ud),
                        void *ud)
{
    const char *p = list;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq || eq == p || eq == p + len - 1)
            return -EINVAL;
        int r = fn(p, (size_t)(eq - p), eq + 1, len - (size_t)(eq - p) - 1, ud);
        if (r != 0)
            return r;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static int entry_ok(const char *t, size_t tl, const char *id, size_t il, void *ud)
{
    (void)t;
    (void)ud;
    char buf[256];
    char why[64];
    if (tl >= 64 || il >= sizeof(buf))
        return -EINVAL;
    snprintf(buf, sizeof(buf), "%.*s", (int)il, id);
    return check_name(buf, why, sizeof(why)) < 0 ? -EINVAL : 0;
}

static int check_drivers(const char *v, char *why, size_t n)
{
    if (drivers_each(v, entry_ok, NULL) < 0) {
        snprintf(why, n, "must be a comma-separated list of <vim type>=<plugin id>");
        return -EINVAL;
    }
    return 0;
}

#define T struct vnfm_config
static const struct config_field fields[] = {
    CONFIG_STR(T, broker_host, "VNFM_BROKER_HOST", "localhost", .help = "RabbitMQ host"),
    CONFIG_INT(T, broker_port, "VNFM_BROKER_PORT", "5672", 1, 65535, .help = "RabbitMQ port"),
    CONFIG_STR(T, broker_vhost, "VNFM_BROKER_VHOST", "/", .help = "RabbitMQ virtual host"),
    CONFIG_STR(T, broker_user, "VNFM_BROKER_USER", "openbaton-manager-user",
               .help = "the NFVO's registration user (the NFVO answers with the VNFM's own)"),
    CONFIG_STR(T, broker_password, "VNFM_BROKER_PASSWORD", NULL, .secret = true,
               .help = "the registration user's password (no default; needed to connect)"),
    CONFIG_STR(T, type, "VNFM_TYPE", "pop", .check = check_type,
               .help = "VNFM type: VNFDs whose endpoint is this come here"),
    CONFIG_STR(T, endpoint, "VNFM_ENDPOINT", "", .check = check_name,
               .help = "the endpoint, i.e. the queue the NFVO sends to (empty = VNFM_TYPE)"),
    CONFIG_STR(T, description, "VNFM_DESCRIPTION", "pop-vnfm: Pop containers as VNFs",
               .help = "the endpoint's description, shown by the NFVO"),
    CONFIG_INT(T, workers, "VNFM_WORKERS", "8", 1, 64,
               .help = "requests handled at once (requests on one VNFR wait for each other)"),
    CONFIG_INT(T, nfvo_timeout_ms, "VNFM_NFVO_TIMEOUT", "300000", 100, 3600000,
               .help = "milliseconds to wait for the NFVO's answer to a grant, an allocation "
                       "(the NFVO launches the containers meanwhile) or a scaling"),
    CONFIG_INT(T, driver_timeout_ms, "VNFM_DRIVER_TIMEOUT", "60000", 100, 3600000,
               .help = "milliseconds to wait for the VIM driver's answer to one method"),
    CONFIG_INT(T, register_timeout_ms, "VNFM_REGISTER_TIMEOUT", "30000", 100, 600000,
               .help = "milliseconds one registration attempt may take (then retried)"),
    CONFIG_STR(T, driver, "VNFM_DRIVER", "vim-drivers.pop.default", .check = check_type,
               .help = "plugin id (queue) of the VIM driver for a VIM without metadata.plugin"),
    CONFIG_STR(T, drivers, "VNFM_DRIVERS", "", .check = check_drivers,
               .help = "per VIM type: <vim type>=<plugin id>,... (before VNFM_DRIVER)"),
    CONFIG_STR(T, vims_file, "VNFM_VIMS_FILE", "",
               .help = "JSON array of VIM instances (name, id, authUrl, username, password, "
                       "type) for requests that carry only a vim_id; empty = none"),
    CONFIG_STR(T, http_listen, "VNFM_HTTP_LISTEN", "127.0.0.1",
               .help = "address of the /healthz and /metrics port"),
    CONFIG_INT(T, http_port, "VNFM_HTTP_PORT", "8092", 0, 65535,
               .help = "TCP port of /healthz and /metrics (0 = any free port)"),
    CONFIG_SIZE(T, body_max, "VNFM_BODY_MAX", "8m", 64u << 20,
                .help = "largest NFVO message or answer read"),
    CONFIG_INT(T, queue_expires_s, "VNFM_QUEUE_EXPIRES", "60", 5, 86400,
               .help = "seconds the endpoint queue outlives a VNFM that died, keeping the "
                       "requests it had not answered for its restart (an orderly stop deletes "
                       "an empty queue at once)"),
    CONFIG_BOOL(T, allocate, "VNFM_ALLOCATE", "false",
                .help = "Open Baton's allocate: true = the VNFM launches the VNFCs itself after "
                        "the grant and at a scale out (no ALLOCATE_RESOURCES, no SCALING); "
                        "false = the NFVO launches them"),
};
#undef T

const struct config_field *vnfm_config_fields(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(fields);
    return fields;
}

int vnfm_config_check(const void *cfgp, char *why, size_t n)
{
    const struct vnfm_config *cfg = cfgp;
    if (!cfg->broker_password || !*cfg->broker_password) {
        snprintf(why, n, "VNFM_BROKER_PASSWORD must be set to connect to the broker");
        return -EINVAL;
    }
    return 0;
}

const char *vnfm_config_endpoint(const struct vnfm_config *cfg)
{
    return cfg->endpoint && *cfg->endpoint ? cfg->endpoint : cfg->type;
}

struct find {
    const char *type;
    char *buf;
    size_t size;
    bool found;
};

static int entry_find(const char *t, size_t tl, const char *id, size_t il, void *ud)
{
    struct find *f = ud;
    if (strlen(f->type) != tl || memcmp(f->type, t, tl) != 0)
        return 0;
    snprintf(f->buf, f->size, "%.*s", (int)il, id);
    f->found = true;
    return 1;
}

const char *vnfm_config_driver(const struct vnfm_config *cfg, const char *vim_type, char *buf,
                               size_t size)
{
    struct find f = {.type = vim_type, .buf = buf, .size = size};
    if (vim_type && cfg->drivers && drivers_each(cfg->drivers, entry_find, &f) > 0 && f.found)
        return buf;
    snprintf(buf, size, "%s", cfg->driver);
    return buf;
}
