/* testlib: temporary directories, environment scrubbing, output capture, loopback ports and
 * the raw exchange (see testlib.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/timeutil.h"

extern char **environ;

char *testlib_tmpdir_new(const char *prefix)
{
    char *dir = NULL;
    if (asprintf(&dir, "/tmp/%s.XXXXXX", prefix) < 0)
        fail_msg("testlib_tmpdir_new: out of memory");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp %s: %s", dir, strerror(errno));
    return dir;
}

/* nftw passes no user data: the first failure is kept here for the caller. */
static char rm_failed[512];

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DNR || type == FTW_NS) {
        snprintf(rm_failed, sizeof(rm_failed), "%s: cannot read it", path);
        return 1;
    }
    if (remove(path) < 0) {
        snprintf(rm_failed, sizeof(rm_failed), "%s: %s", path, strerror(errno));
        return 1;
    }
    return 0;
}

void testlib_tmpdir_free(char *dir)
{
    if (!dir)
        return;
    rm_failed[0] = '\0';
    /* Depth first, so a directory is empty when its turn comes; FTW_PHYS removes a symbolic
     * link itself instead of what it points to. */
    int r = nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (r < 0 && !rm_failed[0])
        snprintf(rm_failed, sizeof(rm_failed), "%s: %s", dir, strerror(errno));
    free(dir);
    if (rm_failed[0])
        fail_msg("testlib_tmpdir_free: %s", rm_failed);
}

size_t testlib_env_clear(const char *prefix)
{
    size_t plen = strlen(prefix), n = 0;
    /* unsetenv reshapes environ, so collect the names first. */
    char **names = NULL;
    size_t count = 0;
    for (char **e = environ; e && *e; e++)
        count++;
    names = calloc(count + 1, sizeof(*names));
    if (!names)
        fail_msg("testlib_env_clear: out of memory");
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (strncmp(*e, prefix, plen) != 0 || !eq)
            continue;
        names[n] = strndup(*e, (size_t)(eq - *e));
        if (!names[n])
            fail_msg("testlib_env_clear: out of memory");
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        if (unsetenv(names[i]) < 0)
            fail_msg("unsetenv %s: %s", names[i], strerror(errno));
        free(names[i]);
    }
    free(names);
    return n;
}

void testlib_capture_begin(struct testlib_capture *c, int fd)
{
    char path[] = "/tmp/testlib-capture-XXXXXX";
    fflush(stdout);
    fflush(stderr);
    c->fd = fd;
    c->file = mkstemp(path);
    if (c->file < 0)
        fail_msg("mkstemp: %s", strerror(errno));
    unlink(path);
    c->saved = dup(fd);
    if (c->saved < 0 || dup2(c->file, fd) < 0)
        fail_msg("capture of fd %d: %s", fd, strerror(errno));
}

char *testlib_capture_end(struct testlib_capture *c)
{
    fflush(stdout);
    fflush(stderr);
    if (dup2(c->saved, c->fd) < 0)
        fail_msg("restoring fd %d: %s", c->fd, strerror(errno));
    close(c->saved);
    off_t len = lseek(c->file, 0, SEEK_END);
    if (len < 0)
        fail_msg("capture: %s", strerror(errno));
    char *out = calloc(1, (size_t)len + 1);
    if (!out)
        fail_msg("capture: out of memory");
    if (pread(c->file, out, (size_t)len, 0) != len)
        fail_msg("capture: short read");
    close(c->file);
    c->saved = c->file = -1;
    return out;
}

uint16_t testlib_closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) < 0)
        fail_msg("testlib_closed_port: %s", strerror(errno));
    close(fd);
    return ntohs(a.sin_port);
}

int testlib_connect(uint16_t port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
        fail_msg("connect to 127.0.0.1:%u: %s", port, strerror(errno));
    return fd;
}

void testlib_exchange(uint16_t port, const char *raw, size_t len, int64_t wait_ms,
                      struct testlib_exchange *ret)
{
    memset(ret, 0, sizeof(*ret));
    int fd = testlib_connect(port);
    if (write(fd, raw, len) != (ssize_t)len)
        fail_msg("exchange: short write: %s", strerror(errno));
    int64_t start = time_mono_ms(), deadline = start + wait_ms;
    for (;;) {
        int64_t left = deadline - time_mono_ms();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        ssize_t n = read(fd, ret->reply + ret->len, sizeof(ret->reply) - 1 - ret->len);
        if (n <= 0) {
            ret->closed = true;
            break;
        }
        ret->len += (size_t)n;
        if (ret->len == sizeof(ret->reply) - 1)
            break;
    }
    ret->elapsed_ms = time_mono_ms() - start;
    ret->reply[ret->len] = '\0';
    close(fd);
}
