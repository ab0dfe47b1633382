/* The allocation wrappers behind testlib_alloc.h (linked only into binaries built with the
 * matching --wrap options, since nothing else references these symbols). */
#include "testlib_alloc.h"

#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static long fail_at; /* 0: no failure planned; k: the k-th allocation from now fails */
static bool failed;

static bool should_fail(void)
{
    if (fail_at > 0 && --fail_at == 0) {
        failed = true;
        return true;
    }
    return false;
}

void testlib_alloc_plan(long k)
{
    fail_at = k;
    failed = false;
}

void testlib_alloc_stop(void)
{
    fail_at = 0;
}

bool testlib_alloc_failed(void)
{
    return failed;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return should_fail() ? NULL : __real_strndup(s, n);
}
