/* Token cache files: JSON {user, url, token, expires_at}, mode 0600 in a 0700 directory. */
#include "cache.h"

#include "core/cleanup.h"
#include "core/strbuf.h"
#include "json/jv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t cache_fnv1a(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* mkdir -p with mode 0700 for every missing component. */
static int cache_mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int r = mkdir(path, 0700);
        *p = '/';
        if (r < 0 && errno != EEXIST)
            return -errno;
    }
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

static int cache_dir(char **ret_dir)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    struct strbuf sb = STRBUF_INIT;
    int r;
    if (xdg && xdg[0] == '/')
        r = strbuf_printf(&sb, "%s/pop", xdg);
    else if (home && home[0] == '/')
        r = strbuf_printf(&sb, "%s/.cache/pop", home);
    else
        return -ENOENT;
    if (r < 0)
        return r;
    _cleanup_free_ char *dir = strbuf_steal(&sb);
    if (!dir)
        return -ENOMEM;
    if ((r = cache_mkdirs(dir)) < 0)
        return r;
    struct stat st;
    if (lstat(dir, &st) < 0)
        return -errno;
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
        return -EPERM;
    if ((st.st_mode & 077) && chmod(dir, 0700) < 0)
        return -errno;
    *ret_dir = TAKE_PTR(dir);
    return 0;
}

int cache_path_kind(const char *kind, const char *user, const char *url, char **ret_path)
{
    _cleanup_free_ char *dir = NULL;
    int r = cache_dir(&dir);
    if (r < 0)
        return r;
    uint64_t h = cache_fnv1a(0xcbf29ce484222325ULL, user, strlen(user) + 1);
    h = cache_fnv1a(h, url, strlen(url));
    struct strbuf sb = STRBUF_INIT;
    if ((r = strbuf_printf(&sb, "%s/%s-%016" PRIx64, dir, kind, h)) < 0)
        return r;
    char *path = strbuf_steal(&sb);
    if (!path)
        return -ENOMEM;
    *ret_path = path;
    return 0;
}

int cache_path(const char *user, const char *url, char **ret_path)
{
    return cache_path_kind("token", user, url, ret_path);
}

int cache_load_doc(const char *path, json_t **ret)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -ENOENT;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077) || st.st_size > CACHE_FILE_MAX)
        return -ENOENT;
    char buf[CACHE_FILE_MAX];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof(buf) - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -ENOENT;
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == sizeof(buf))
            return -ENOENT;
    }
    struct jv_error err;
    if (jv_parse(buf, len, ret, &err) < 0)
        return -ENOENT;
    return 0;
}

int cache_load(const char *path, const char *user, const char *url, char **ret_token,
               int64_t *ret_expires_at)
{
    _cleanup_json_ json_t *doc = NULL;
    if (cache_load_doc(path, &doc) < 0)
        return -ENOENT;
    const char *u = jv_get_string(doc, "user");
    const char *l = jv_get_string(doc, "url");
    const char *token = jv_get_string(doc, "token");
    int64_t exp = jv_get_int(doc, "expires_at", -1);
    if (!u || !l || !token || !*token || strlen(token) > CACHE_TOKEN_MAX || exp < 0 ||
        strcmp(u, user) != 0 || strcmp(l, url) != 0)
        return -ENOENT;
    char *copy = strdup(token);
    if (!copy)
        return -ENOMEM;
    *ret_token = copy;
    *ret_expires_at = exp;
    return 0;
}

static int cache_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int cache_store_doc(const char *path, const json_t *doc)
{
    _cleanup_free_ char *text = jv_dump(doc);
    if (!text)
        return -ENOMEM;
    struct strbuf sb = STRBUF_INIT;
    int r = strbuf_printf(&sb, "%s.tmp-XXXXXX", path);
    if (r < 0)
        return r;
    _cleanup_free_ char *tmp = strbuf_steal(&sb);
    if (!tmp)
        return -ENOMEM;
    int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
    if (fd < 0)
        return -errno;
    r = cache_write_all(fd, text, strlen(text));
    if (r == 0)
        r = cache_write_all(fd, "\n", 1);
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0)
        unlink(tmp);
    return r;
}

int cache_store(const char *path, const char *user, const char *url, const char *token,
                int64_t expires_at)
{
    _cleanup_json_ json_t *doc = json_pack("{s:s, s:s, s:s, s:I}", "user", user, "url", url,
                                           "token", token, "expires_at", (json_int_t)expires_at);
    return doc ? cache_store_doc(path, doc) : -ENOMEM;
}

int cache_remove(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}
