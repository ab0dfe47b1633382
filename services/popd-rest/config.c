/* The declarative table of popd-rest settings (POPD_VERBOSE, like every service's VERBOSE, is
 * service_main's). */
#include "config.h"

#include "core/cleanup.h"
#include "core/config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int check_name(const char *v, char *why, size_t n)
{
    size_t len = strlen(v);
    if (len == 0 || len > 32) {
        snprintf(why, n, "must be 1-32 characters (got %zu)", len);
        return -EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            snprintf(why, n, "may contain only a-z, 0-9 and '-'");
            return -EINVAL;
        }
    }
    return 0;
}

static int check_auth(const char *v, char *why, size_t n)
{
    if (!*v)
        return 0;
    const char *colon = strchr(v, ':');
    if (!colon || colon == v || !colon[1]) {
        snprintf(why, n, "must be user:password");
        return -EINVAL;
    }
    return 0;
}

static int check_hex_key(const char *v, char *why, size_t n)
{
    size_t len = strlen(v);
    if (len == 0)
        return 0;
    if (len < 64 || len % 2) {
        snprintf(why, n, "must be at least 64 hex digits (32 bytes)");
        return -EINVAL;
    }
    if (strspn(v, "0123456789abcdefABCDEF") != len) {
        snprintf(why, n, "must be hex digits");
        return -EINVAL;
    }
    return 0;
}

#define T struct popd_config
static const struct config_field fields[] = {
    CONFIG_STR(T, name, "POPD_NAME", "popd", .check = check_name,
               .help = "Pop name; prefixes and labels every Docker object this Pop creates"),
    CONFIG_STR(T, listen, "POPD_LISTEN", "127.0.0.1", .help = "address the REST API binds to"),
    CONFIG_INT(T, port, "POPD_PORT", "8080", 0, 65535, .help = "TCP port (0 = any free port)"),
    CONFIG_STR(T, db_path, "POPD_DB", "/var/lib/popd/popd.db", .help = "SQLite state file"),
    CONFIG_STR(T, docker_socket, "POPD_DOCKER_SOCKET", "/var/run/docker.sock",
               .help = "Docker Engine socket"),
    CONFIG_STR(T, auth, "POPD_AUTH", "", .secret = true, .check = check_auth,
               .help = "single user as user:password (thesis style)"),
    CONFIG_STR(T, users_file, "POPD_USERS_FILE", "",
               .help = "file of user:<hash> lines made with `popd-rest hash-password`"),
    CONFIG_STR(T, jwt_key, "POPD_JWT_KEY", "", .secret = true, .check = check_hex_key,
               .help = "token signing key, hex; empty = generated once and kept in the database"),
    CONFIG_INT(T, token_ttl_s, "POPD_TOKEN_TTL", "3600", 60, 2592000,
               .help = "session token lifetime in seconds"),
    CONFIG_STR(T, private_cidr, "POPD_PRIVATE_CIDR", "",
               .help = "subnet of the default 'private' network; empty = picked from the pools"),
    CONFIG_STR(T, pools, "POPD_POOLS", "172.30.0.0/16/24,10.220.0.0/16/24",
               .help = "address pools for new networks as cidr/prefix-of-each-subnet, "
                       "comma-separated"),
    CONFIG_STR(T, flavours, "POPD_FLAVOURS", "small:1:512,medium:2:2048",
               .help = "flavours besides docker.container, as name:vcpus:ram_mb, comma-separated"),
    CONFIG_STR(T, cap_add, "POPD_CAP_ADD",
               "CHOWN,DAC_OVERRIDE,FOWNER,SETGID,SETUID,NET_BIND_SERVICE,KILL",
               .help = "capabilities a container keeps (all others are dropped)"),
    CONFIG_STR(T, images, "POPD_IMAGE_ALLOWLIST", "",
               .help = "comma-separated images containers may use; empty = any local image"),
    CONFIG_INT(T, stop_timeout_s, "POPD_STOP_TIMEOUT", "5", 0, 300,
               .help = "seconds a container gets to stop before it is killed"),
    CONFIG_SIZE(T, body_max, "POPD_BODY_MAX", "64k", 16 << 20, .help = "largest request body"),
    CONFIG_INT(T, conn_limit, "POPD_CONN_LIMIT", "256", 1, 65535, .help = "concurrent connections"),
    CONFIG_INT(T, conn_timeout_s, "POPD_CONN_TIMEOUT", "30", 1, 3600,
               .help = "idle connection timeout in seconds"),
    CONFIG_INT(T, password_iterations, "POPD_PASSWORD_ITERATIONS", "600000", 1000, 10000000,
               .help = "PBKDF2 iterations used to hash POPD_AUTH at start"),
};
#undef T

const struct config_field *popd_config_fields(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(fields);
    return fields;
}

int popd_config_check(const void *cfgp, char *why, size_t n)
{
    const struct popd_config *cfg = cfgp;
    if (!*cfg->auth && !*cfg->users_file) {
        snprintf(why, n, "POPD_AUTH or POPD_USERS_FILE must name at least one user");
        return -EINVAL;
    }
    return 0;
}

int popd_config_load(struct popd_config *cfg, const char *file_path, char *err, size_t errlen)
{
    int r = config_load(fields, ARRAY_SIZE(fields), cfg, file_path, err, errlen);
    return r < 0 ? r : popd_config_check(cfg, err, errlen);
}

void popd_config_done(struct popd_config *cfg)
{
    config_done(fields, ARRAY_SIZE(fields), cfg);
}
