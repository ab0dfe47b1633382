/* Fuzz target for lib/core's config loader: a KEY=VALUE file and environment variables against
 * a table with every field type (validated string, bounded int, bool, size, required secret).
 * Input: the file's bytes, then optionally a NUL byte and "NAME=VALUE" lines set in the
 * environment for the call (only names of the table, so nothing else in the process sees
 * them). */
#include "fuzz.h"

#include "core/config.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

struct fuzz_cfg {
    char *name;
    char *listen;
    int64_t port;
    int64_t ttl;
    bool verbose;
    uint64_t body_max;
    char *secret;
    char *pools;
};

static int check_no_blank(const char *v, char *why, size_t n)
{
    if (!strpbrk(v, " \t"))
        return 0;
    snprintf(why, n, "must not contain blanks ('%s')", v);
    return -EINVAL;
}

#define T struct fuzz_cfg
static const struct config_field fields[] = {
    CONFIG_STR(T, name, "FUZZ_NAME", "popd", .check = check_no_blank, .help = "name"),
    CONFIG_STR(T, listen, "FUZZ_LISTEN", "127.0.0.1", .help = "bind address"),
    CONFIG_INT(T, port, "FUZZ_PORT", "8080", 0, 65535, .help = "port"),
    CONFIG_INT(T, ttl, "FUZZ_TTL", "3600", 60, 2592000, .help = "lifetime"),
    CONFIG_BOOL(T, verbose, "FUZZ_VERBOSE", "false", .help = "verbose"),
    CONFIG_SIZE(T, body_max, "FUZZ_BODY_MAX", "64k", 16 << 20, .help = "body cap"),
    CONFIG_STR(T, secret, "FUZZ_SECRET", NULL, .required = true, .secret = true, .help = "secret"),
    CONFIG_STR(T, pools, "FUZZ_POOLS", NULL, .help = "pools"),
};
#undef T
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static bool in_table(const char *name)
{
    for (size_t i = 0; i < N_FIELDS; i++)
        if (strcmp(fields[i].name, name) == 0)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        /* An in-memory file: no disk traffic per input, and a real path for fopen. */
        fd = memfd_create("fuzz-config", MFD_CLOEXEC);
        FUZZ_ASSERT(fd >= 0);
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        for (size_t i = 0; i < N_FIELDS; i++)
            unsetenv(fields[i].name);
    }
    const uint8_t *nul = memchr(data, '\0', size);
    size_t file_len = nul ? (size_t)(nul - data) : size;
    FUZZ_ASSERT(ftruncate(fd, 0) == 0);
    FUZZ_ASSERT(pwrite(fd, data, file_len, 0) == (ssize_t)file_len);

    char *env = nul ? fuzz_strndup(nul + 1, size - file_len - 1) : NULL;
    char *rest = env, *line;
    while ((line = fuzz_next_piece(&rest, '\n'))) {
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        if (in_table(line))
            FUZZ_ASSERT(setenv(line, eq + 1, 1) == 0);
    }

    struct fuzz_cfg cfg = {0};
    char err[256] = "";
    int r = config_load(fields, N_FIELDS, &cfg, path, err, sizeof(err));
    FUZZ_ASSERT(r == 0 || r == -EINVAL);
    if (r == 0) {
        /* Accepted: every value is within what its field allows. */
        FUZZ_ASSERT(cfg.name && !strpbrk(cfg.name, " \t") && cfg.listen && cfg.secret);
        FUZZ_ASSERT(cfg.port >= 0 && cfg.port <= 65535);
        FUZZ_ASSERT(cfg.ttl >= 60 && cfg.ttl <= 2592000);
        FUZZ_ASSERT(cfg.body_max <= 16 << 20);
    } else {
        FUZZ_ASSERT(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
    }
    config_done(fields, N_FIELDS, &cfg);
    FUZZ_ASSERT(!cfg.name && !cfg.listen && !cfg.secret && !cfg.pools);

    for (size_t i = 0; i < N_FIELDS; i++)
        unsetenv(fields[i].name);
    free(env);
    return 0;
}
