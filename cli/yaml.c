/* Block-style YAML emitter for jansson documents, with YAML 1.1-safe quoting of strings (so
 * "yes", "0", "1.5" or "12:30" stay strings for PyYAML as well as for YAML 1.2 readers). */
#include "yaml.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define YAML_MAX_DEPTH 32

static bool yaml_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Integers (decimal, 0x, 0o, 0b, 1.1 octal and sexagesimal), floats, .inf and .nan. */
static bool yaml_is_number(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (strcasecmp(p, ".inf") == 0 || strcasecmp(p, ".nan") == 0)
        return true;
    if (p[0] == '0' && p[1] && strchr("xXoObB", p[1]) && p[2])
        return strspn(p + 2, "0123456789abcdefABCDEF_") == strlen(p + 2);
    size_t digits = 0;
    for (; yaml_is_digit(*p) || *p == '_'; p++)
        digits += yaml_is_digit(*p);
    while (*p == ':' && digits) {
        size_t n = 0;
        for (p++; yaml_is_digit(*p) || *p == '_'; p++)
            n++;
        if (n == 0)
            return false;
    }
    if (*p == '.')
        for (p++; yaml_is_digit(*p) || *p == '_'; p++)
            digits += yaml_is_digit(*p);
    if (digits == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!yaml_is_digit(*p))
            return false;
        while (yaml_is_digit(*p))
            p++;
    }
    return *p == '\0';
}

/* Bytes that force double quotes: C0 controls, DEL, and the Unicode line breaks YAML 1.1 folds
 * (NEL U+0085, LS U+2028, PS U+2029) or a BOM. */
static size_t yaml_special_len(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] < 0x20 || u[0] == 0x7f)
        return 1;
    if (u[0] == 0xc2 && u[1] == 0x85)
        return 2;
    if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9))
        return 3;
    if (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
        return 3;
    return 0;
}

static bool yaml_needs_double(const char *s)
{
    for (const char *p = s; *p; p++)
        if (yaml_special_len(p))
            return true;
    return false;
}

bool yaml_needs_quotes(const char *s)
{
    static const char *const words[] = {"null", "~",   "true", "false", "yes", "no",
                                        "on",   "off", "y",    "n",     "=",   "<<"};
    size_t len = strlen(s);
    if (len == 0)
        return true;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(s, words[i]) == 0)
            return true;
    if (strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]) || s[len - 1] == ' ' || s[len - 1] == ':')
        return true;
    if (strstr(s, ": ") || strstr(s, " #"))
        return true;
    return yaml_needs_double(s) || yaml_is_number(s);
}

static int yaml_append_double(struct strbuf *out, const char *s)
{
    int r = strbuf_puts(out, "\"");
    for (const char *p = s; r == 0 && *p;) {
        size_t special = yaml_special_len(p);
        unsigned char c = (unsigned char)*p;
        if (special == 1) {
            switch (c) {
            case '\n':
                r = strbuf_puts(out, "\\n");
                break;
            case '\t':
                r = strbuf_puts(out, "\\t");
                break;
            case '\r':
                r = strbuf_puts(out, "\\r");
                break;
            default:
                r = strbuf_printf(out, "\\x%02x", c);
                break;
            }
        } else if (special > 1) {
            const unsigned char *u = (const unsigned char *)p;
            r = strbuf_puts(out, u[0] == 0xc2   ? "\\N"
                                 : u[0] == 0xef ? "\\ufeff"
                                 : u[2] == 0xa8 ? "\\L"
                                                : "\\P");
        } else if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            r = strbuf_append(out, esc, 2);
        } else {
            r = strbuf_append(out, p, 1);
        }
        p += special ? special : 1;
    }
    return r < 0 ? r : strbuf_puts(out, "\"");
}

int yaml_append_string(struct strbuf *out, const char *s)
{
    if (!yaml_needs_quotes(s))
        return strbuf_puts(out, s);
    if (yaml_needs_double(s))
        return yaml_append_double(out, s);
    int r = strbuf_puts(out, "'");
    for (const char *p = s; r == 0 && *p; p++)
        r = *p == '\'' ? strbuf_puts(out, "''") : strbuf_append(out, p, 1);
    return r < 0 ? r : strbuf_puts(out, "'");
}

/* A scalar or an empty collection: printed on the line of its key or dash. */
static bool yaml_is_inline(const json_t *v)
{
    if (json_is_object(v))
        return json_object_size(v) == 0;
    if (json_is_array(v))
        return json_array_size(v) == 0;
    return true;
}

static int yaml_append_scalar(struct strbuf *out, const json_t *v)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return strbuf_puts(out, "{}");
    case JSON_ARRAY:
        return strbuf_puts(out, "[]");
    case JSON_STRING:
        return yaml_append_string(out, json_string_value(v));
    case JSON_INTEGER:
        return strbuf_printf(out, "%lld", (long long)json_integer_value(v));
    case JSON_REAL:
        snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        if (!strpbrk(num, ".eEn"))
            return strbuf_printf(out, "%s.0", num);
        return strbuf_puts(out, num);
    case JSON_TRUE:
        return strbuf_puts(out, "true");
    case JSON_FALSE:
        return strbuf_puts(out, "false");
    case JSON_NULL:
    default:
        return strbuf_puts(out, "null");
    }
}

static int yaml_indent(struct strbuf *out, int indent)
{
    return indent > 0 ? strbuf_printf(out, "%*s", indent, "") : 0;
}

/* Emits a non-empty collection at column indent; with first_inline the caller already wrote
 * the indentation (and a "- ") of the first line. */
static int yaml_emit_node(struct strbuf *out, const json_t *v, int indent, bool first_inline,
                          int depth)
{
    if (depth > YAML_MAX_DEPTH)
        return -ELOOP;
    int r = 0;
    bool first = true;
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach ((json_t *)v, key, child) {
            if (!(first && first_inline))
                r = yaml_indent(out, indent);
            first = false;
            if (r == 0)
                r = yaml_append_string(out, key);
            if (r == 0 && yaml_is_inline(child)) {
                r = strbuf_puts(out, ": ");
                if (r == 0)
                    r = yaml_append_scalar(out, child);
                if (r == 0)
                    r = strbuf_puts(out, "\n");
            } else if (r == 0) {
                r = strbuf_puts(out, ":\n");
                if (r == 0)
                    r = yaml_emit_node(out, child, indent + 2, false, depth + 1);
            }
            if (r < 0)
                return r;
        }
        return 0;
    }
    size_t i;
    json_t *item;
    json_array_foreach (v, i, item) {
        if (!(first && first_inline))
            r = yaml_indent(out, indent);
        first = false;
        if (r == 0)
            r = strbuf_puts(out, "- ");
        if (r == 0 && yaml_is_inline(item)) {
            r = yaml_append_scalar(out, item);
            if (r == 0)
                r = strbuf_puts(out, "\n");
        } else if (r == 0) {
            r = yaml_emit_node(out, item, indent + 2, true, depth + 1);
        }
        if (r < 0)
            return r;
    }
    return 0;
}

int yaml_emit(struct strbuf *out, const json_t *v)
{
    if (yaml_is_inline(v)) {
        int r = yaml_append_scalar(out, v);
        return r < 0 ? r : strbuf_puts(out, "\n");
    }
    return yaml_emit_node(out, v, 0, false, 1);
}
