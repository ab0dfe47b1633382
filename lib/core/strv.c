/* String vectors (see strv.h). */
#include "core/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool strv_blank(char c)
{
    return c == ' ' || c == '\t';
}

int strv_split(const char *s, char sep, char ***ret)
{
    if (!s || sep == '\0')
        return -EINVAL;
    size_t pieces = 1;
    for (const char *q = s; *q; q++)
        if (*q == sep && ++pieces > STRV_SPLIT_MAX)
            return -E2BIG;
    char **v = calloc(pieces + 1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    size_t n = 0;
    for (const char *start = s;;) {
        const char *end = strchr(start, sep);
        size_t len = end ? (size_t)(end - start) : strlen(start);
        while (len && strv_blank(*start)) {
            start++;
            len--;
        }
        while (len && strv_blank(start[len - 1]))
            len--;
        if (len && !(v[n++] = strndup(start, len))) {
            strv_free(v);
            return -ENOMEM;
        }
        if (!end)
            break;
        start = end + 1;
    }
    *ret = v;
    return (int)n;
}

void strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

bool strv_contains(char *const *v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

size_t strv_length(const char *const *v, size_t max)
{
    size_t n = 0;
    while (v && v[n] && n <= max)
        n++;
    return n;
}

const char *strv_after_prefix(const char *text, const char *const *parts)
{
    const char *p = text;
    for (; *parts; parts++) {
        size_t n = strlen(*parts);
        if (strncmp(p, *parts, n) != 0)
            return text;
        p += n;
    }
    return p;
}
