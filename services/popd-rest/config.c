/* The declarative table of popd-rest settings. */
#include "config.h"

#include "core/cleanup.h"
#include "core/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static const char *check_name(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 32)
        return "must be 1-32 characters";
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return "may contain only a-z, 0-9 and '-'";
    }
    return NULL;
}

static const char *check_auth(const char *v)
{
    if (!*v)
        return NULL;
    const char *colon = strchr(v, ':');
    if (!colon || colon == v || !colon[1])
        return "must be user:password";
    return NULL;
}

static const char *check_hex_key(const char *v)
{
    size_t n = strlen(v);
    if (n == 0)
        return NULL;
    if (n < 64 || n % 2)
        return "must be at least 64 hex digits (32 bytes)";
    if (strspn(v, "0123456789abcdefABCDEF") != n)
        return "must be hex digits";
    return NULL;
}

#define F(var, type, member, def, help)                                                            \
    {                                                                                              \
        var, type, offsetof(struct popd_config, member), def, false, false, 0, 0, NULL, help       \
    }

static const struct config_field fields[] = {
    {"POPD_NAME", CONFIG_STRING, offsetof(struct popd_config, name), "popd", false, false, 0, 0,
     check_name, "Pop name; prefixes and labels every Docker object this Pop creates"},
    F("POPD_LISTEN", CONFIG_STRING, listen, "127.0.0.1", "address the REST API binds to"),
    {"POPD_PORT", CONFIG_INT, offsetof(struct popd_config, port), "8080", false, false, 0, 65535,
     NULL, "TCP port (0 = any free port)"},
    F("POPD_DB", CONFIG_STRING, db_path, "/var/lib/popd/popd.db", "SQLite state file"),
    F("POPD_DOCKER_SOCKET", CONFIG_STRING, docker_socket, "/var/run/docker.sock",
      "Docker Engine socket"),
    {"POPD_AUTH", CONFIG_STRING, offsetof(struct popd_config, auth), "", false, true, 0, 0,
     check_auth, "single user as user:password (thesis style)"},
    F("POPD_USERS_FILE", CONFIG_STRING, users_file, "",
      "file of user:<hash> lines made with `popd-rest hash-password`"),
    {"POPD_JWT_KEY", CONFIG_STRING, offsetof(struct popd_config, jwt_key), "", false, true, 0, 0,
     check_hex_key, "token signing key, hex; empty = generated once and kept in the database"},
    {"POPD_TOKEN_TTL", CONFIG_INT, offsetof(struct popd_config, token_ttl_s), "3600", false, false,
     60, 2592000, NULL, "session token lifetime in seconds"},
    F("POPD_PRIVATE_CIDR", CONFIG_STRING, private_cidr, "",
      "subnet of the default 'private' network; empty = picked from the pools"),
    F("POPD_POOLS", CONFIG_STRING, pools, "172.30.0.0/16/24,10.220.0.0/16/24",
      "address pools for new networks as cidr/prefix-of-each-subnet, comma-separated"),
    F("POPD_FLAVOURS", CONFIG_STRING, flavours, "small:1:512,medium:2:2048",
      "flavours besides docker.container, as name:vcpus:ram_mb, comma-separated"),
    F("POPD_CAP_ADD", CONFIG_STRING, cap_add,
      "CHOWN,DAC_OVERRIDE,FOWNER,SETGID,SETUID,NET_BIND_SERVICE,KILL",
      "capabilities a container keeps (all others are dropped)"),
    F("POPD_IMAGE_ALLOWLIST", CONFIG_STRING, images, "",
      "comma-separated images containers may use; empty = any local image"),
    {"POPD_STOP_TIMEOUT", CONFIG_INT, offsetof(struct popd_config, stop_timeout_s), "5", false,
     false, 0, 300, NULL, "seconds a container gets to stop before it is killed"},
    {"POPD_BODY_MAX", CONFIG_SIZE, offsetof(struct popd_config, body_max), "64k", false, false, 0,
     16 << 20, NULL, "largest request body"},
    {"POPD_CONN_LIMIT", CONFIG_INT, offsetof(struct popd_config, conn_limit), "256", false, false,
     1, 65535, NULL, "concurrent connections"},
    {"POPD_CONN_TIMEOUT", CONFIG_INT, offsetof(struct popd_config, conn_timeout_s), "30", false,
     false, 1, 3600, NULL, "idle connection timeout in seconds"},
    {"POPD_PASSWORD_ITERATIONS", CONFIG_INT, offsetof(struct popd_config, password_iterations),
     "600000", false, false, 1000, 10000000, NULL,
     "PBKDF2 iterations used to hash POPD_AUTH at start"},
    {"POPD_VERBOSE", CONFIG_BOOL, offsetof(struct popd_config, verbose), "false", false, false, 0,
     0, NULL, "debug logging (same as -verbose)"},
};

int popd_config_load(struct popd_config *cfg, const char *file_path, char *err, size_t errlen)
{
    int r = config_load(fields, ARRAY_SIZE(fields), cfg, file_path, err, errlen);
    if (r < 0)
        return r;
    if (!*cfg->auth && !*cfg->users_file) {
        snprintf(err, errlen, "POPD_AUTH or POPD_USERS_FILE must name at least one user");
        return -EINVAL;
    }
    return 0;
}

void popd_config_log(const struct popd_config *cfg)
{
    config_log(fields, ARRAY_SIZE(fields), cfg);
}

void popd_config_done(struct popd_config *cfg)
{
    config_done(fields, ARRAY_SIZE(fields), cfg);
}

int popd_config_write_template(const char *path, const char *jwt_key_hex)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    _cleanup_fclose_ FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -errno;
    }
    fprintf(f, "# popd-rest configuration (KEY=VALUE); the environment overrides this file.\n\n");
    const char *overrides[] = {"POPD_JWT_KEY", jwt_key_hex, NULL};
    int r = config_write_template(fields, ARRAY_SIZE(fields), f, overrides);
    if (r < 0)
        return r;
    return fflush(f) == 0 ? 0 : -errno;
}
