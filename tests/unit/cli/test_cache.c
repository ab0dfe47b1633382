/* Unit tests for the pop CLI's token cache: where the file lives, its permissions, atomic
 * replacement, and that a file for another user or URL, or one others can read, is ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "testlib.h"

struct fixture {
    char *root;
    char xdg[128];
    char dir[160];
};

static int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->root = testlib_tmpdir_new("pop-cache-test");
    snprintf(f->xdg, sizeof(f->xdg), "%s/xdg/nested", f->root);
    snprintf(f->dir, sizeof(f->dir), "%s/pop", f->xdg);
    setenv("XDG_CACHE_HOME", f->xdg, 1);
    setenv("HOME", f->root, 1);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    testlib_tmpdir_free(f->root);
    free(f);
    return 0;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void test_path_and_dir_mode(void **state)
{
    struct fixture *f = *state;
    char *a = NULL, *b = NULL, *c = NULL, *a2 = NULL;
    assert_int_equal(cache_path("tester", "http://127.0.0.1:8080", &a), 0);
    assert_int_equal(cache_path("tester", "http://127.0.0.1:8081", &b), 0);
    assert_int_equal(cache_path("other", "http://127.0.0.1:8080", &c), 0);
    assert_int_equal(cache_path("tester", "http://127.0.0.1:8080", &a2), 0);
    /* one file per (user, URL), stable across runs, inside the created 0700 directory */
    assert_string_equal(a, a2);
    assert_string_not_equal(a, b);
    assert_string_not_equal(a, c);
    assert_memory_equal(a, f->dir, strlen(f->dir));
    assert_true(strncmp(a + strlen(f->dir), "/token-", 7) == 0);
    assert_int_equal(strlen(a + strlen(f->dir) + 7), 16);
    struct stat st;
    assert_int_equal(stat(f->dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    free(a);
    free(b);
    free(c);
    free(a2);

    /* a directory others can enter is tightened */
    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(cache_path("tester", "http://x", &a), 0);
    assert_int_equal(stat(f->dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    free(a);
}

static void test_home_fallback(void **state)
{
    struct fixture *f = *state;
    char *p = NULL;
    char want[160];
    snprintf(want, sizeof(want), "%s/.cache/pop/token-", f->root);
    unsetenv("XDG_CACHE_HOME");
    assert_int_equal(cache_path("u", "http://h", &p), 0);
    assert_memory_equal(p, want, strlen(want));
    free(p);
    /* a relative XDG_CACHE_HOME is ignored, as the XDG spec says */
    setenv("XDG_CACHE_HOME", "relative/dir", 1);
    p = NULL;
    assert_int_equal(cache_path("u", "http://h", &p), 0);
    assert_memory_equal(p, want, strlen(want));
    free(p);
    unsetenv("HOME");
    p = NULL;
    assert_int_equal(cache_path("u", "http://h", &p), -ENOENT);
    assert_null(p);
}

static void test_store_load_remove(void **state)
{
    struct fixture *f = *state;
    char *path = NULL;
    assert_int_equal(cache_path("tester", "http://127.0.0.1:8080", &path), 0);
    char *token = NULL;
    int64_t exp = 7;
    assert_int_equal(cache_load(path, "tester", "http://127.0.0.1:8080", &token, &exp), -ENOENT);
    assert_null(token);
    assert_int_equal(exp, 7);

    assert_int_equal(cache_store(path, "tester", "http://127.0.0.1:8080", "tok.one", 1000), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(cache_load(path, "tester", "http://127.0.0.1:8080", &token, &exp), 0);
    assert_string_equal(token, "tok.one");
    assert_int_equal(exp, 1000);
    free(token);

    /* replaced atomically: no temporary file stays behind */
    assert_int_equal(cache_store(path, "tester", "http://127.0.0.1:8080", "tok.two", 2000), 0);
    assert_int_equal(count_entries(f->dir), 1);
    assert_int_equal(cache_load(path, "tester", "http://127.0.0.1:8080", &token, &exp), 0);
    assert_string_equal(token, "tok.two");
    assert_int_equal(exp, 2000);
    free(token);

    /* the same file read for another user or URL (a hash collision) is not used */
    token = NULL;
    assert_int_equal(cache_load(path, "other", "http://127.0.0.1:8080", &token, &exp), -ENOENT);
    assert_int_equal(cache_load(path, "tester", "http://127.0.0.1:9", &token, &exp), -ENOENT);
    assert_null(token);

    assert_int_equal(cache_remove(path), 0);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(cache_remove(path), 0);
    assert_int_equal(cache_load(path, "tester", "http://127.0.0.1:8080", &token, &exp), -ENOENT);
    free(path);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_unusable_files(void **state)
{
    (void)state;
    char *path = NULL;
    char *token = NULL;
    int64_t exp = 0;
    assert_int_equal(cache_path("u", "http://h", &path), 0);
    const char *good = "{\"user\":\"u\",\"url\":\"http://h\",\"token\":\"t\",\"expires_at\":5}";

    write_file(path, good, 0600);
    assert_int_equal(cache_load(path, "u", "http://h", &token, &exp), 0);
    assert_string_equal(token, "t");
    free(token);
    token = NULL;

    /* readable by others: someone may have copied it; do not trust it */
    write_file(path, good, 0644);
    assert_int_equal(cache_load(path, "u", "http://h", &token, &exp), -ENOENT);

    const char *bad[] = {
        "not json",
        "{\"user\":\"u\",\"url\":\"http://h\",\"token\":\"\",\"expires_at\":5}",
        "{\"user\":\"u\",\"url\":\"http://h\",\"token\":\"t\"}",
        "{\"user\":\"u\",\"url\":\"http://h\",\"token\":7,\"expires_at\":5}",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_file(path, bad[i], 0600);
        assert_int_equal(cache_load(path, "u", "http://h", &token, &exp), -ENOENT);
    }

    /* a symlink in place of the file is not followed */
    unlink(path);
    char target[256];
    snprintf(target, sizeof(target), "%s.target", path);
    write_file(target, good, 0600);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(cache_load(path, "u", "http://h", &token, &exp), -ENOENT);
    assert_null(token);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_path_and_dir_mode, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_home_fallback, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_store_load_remove, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_unusable_files, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
