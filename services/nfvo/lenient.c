/* The lenient reader (see lenient.h): one pass that copies double-quoted strings as they are
 * and rewrites single-quoted ones, then jv_parse. */
#include "lenient.h"

#include "core/strbuf.h"
#include "json/jv.h"

#include <errno.h>

/* Copies the single-quoted string starting after buf[*i] == '\'' as a double-quoted one. */
static int rewrite_single(const char *buf, size_t len, size_t *i, struct strbuf *out)
{
    if (strbuf_append(out, "\"", 1) < 0)
        return -ENOMEM;
    for (size_t j = *i + 1; j < len; j++) {
        char c = buf[j];
        int r = 0;
        if (c == '\'') {
            *i = j;
            return strbuf_append(out, "\"", 1) < 0 ? -ENOMEM : 0;
        }
        if (c == '\\' && j + 1 < len && buf[j + 1] == '\'') {
            r = strbuf_append(out, "'", 1);
            j++;
        } else if (c == '\\' && j + 1 < len) {
            r = strbuf_append(out, buf + j, 2); /* JSON escapes pass through */
            j++;
        } else if (c == '"') {
            r = strbuf_append(out, "\\\"", 2);
        } else {
            r = strbuf_append(out, &c, 1);
        }
        if (r < 0)
            return -ENOMEM;
    }
    return -EINVAL;
}

/* Copies the double-quoted string starting at buf[*i] unchanged. */
static int copy_double(const char *buf, size_t len, size_t *i, struct strbuf *out)
{
    size_t j = *i + 1;
    while (j < len && buf[j] != '"')
        j += buf[j] == '\\' ? 2 : 1;
    size_t end = j < len ? j : len - 1;
    if (strbuf_append(out, buf + *i, end - *i + 1) < 0)
        return -ENOMEM;
    *i = end;
    return 0;
}

int nfvo_parse_lenient(const char *buf, size_t len, json_t **ret, struct pop_error *e)
{
    struct strbuf out = {.max = len * 2 + 16};
    int r = 0;
    for (size_t i = 0; i < len && r == 0; i++) {
        if (buf[i] == '\'')
            r = rewrite_single(buf, len, &i, &out);
        else if (buf[i] == '"')
            r = copy_double(buf, len, &i, &out);
        else
            r = strbuf_append(&out, buf + i, 1) < 0 ? -ENOMEM : 0;
    }
    if (r == -EINVAL) {
        strbuf_done(&out);
        return pop_error_set(e, r, API_BAD_JSON, NULL, "unterminated '...' string");
    }
    if (r < 0) {
        strbuf_done(&out);
        return pop_error_set(e, r, API_ERROR_COUNT, NULL, "out of memory");
    }
    struct jv_error je;
    r = jv_parse(out.buf ? out.buf : "", out.len, ret, &je);
    strbuf_done(&out);
    if (r < 0)
        jv_error_to_pop(&je, e);
    return r;
}
