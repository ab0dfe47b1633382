/* The printf of log lines: every string argument is escaped while it is formatted, so a value
 * that came from a client (a user name, a method, a token claim) can never forge a line. */
#include "core/log.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* "%", flags, two numbers of up to 15 bytes, a length modifier, the conversion. */
#define SPEC_MAX 48

struct out {
    char *buf;
    size_t size; /* > 0 */
    size_t len;  /* bytes written, <= size - 1 */
    bool full;   /* an escape or character did not fit: nothing more is written */
};

static void out_bytes(struct out *o, const char *s, size_t n)
{
    size_t room = o->size - 1 - o->len;
    if (n > room)
        n = room;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

/* Appends all of s[0..n) or, when it does not fit, nothing: an escape or a UTF-8 character is
 * never cut in half at the end of a truncated line. */
static void out_whole(struct out *o, const char *s, size_t n)
{
    if (n > o->size - 1 - o->len) {
        o->full = true;
        return;
    }
    out_bytes(o, s, n);
}

static void out_hex(struct out *o, unsigned char c)
{
    static const char digits[] = "0123456789abcdef";
    char esc[4] = {'\\', 'x', digits[c >> 4], digits[c & 15]};
    out_whole(o, esc, sizeof(esc));
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not one. Overlong
 * forms, surrogates and code points past U+10FFFF are not valid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        cp = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        cp = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    /* C1 controls (U+0080..U+009F) act on terminals like C0 ones. */
    if (cp >= 0x80 && cp <= 0x9f)
        return 0;
    return len;
}

/* Appends s[0..n) escaped; quotes_too = false for the format's own literal text, whose quotes
 * are the line's syntax. */
static void out_escaped(struct out *o, const char *s, size_t n, bool quotes_too)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n && !o->full && o->len < o->size - 1) {
        unsigned char c = u[i];
        if (c >= 0x20 && c < 0x7f && !(quotes_too && (c == '"' || c == '\\'))) {
            size_t run = i + 1;
            while (run < n && u[run] >= 0x20 && u[run] < 0x7f &&
                   !(quotes_too && (u[run] == '"' || u[run] == '\\')))
                run++;
            out_bytes(o, s + i, run - i);
            i = run;
            continue;
        }
        if (c >= 0x80) {
            size_t len = utf8_seq_len(u + i, n - i);
            if (len) {
                out_whole(o, s + i, len);
                i += len;
            } else {
                out_hex(o, c);
                i++;
            }
            continue;
        }
        switch (c) {
        case '\n':
            out_whole(o, "\\n", 2);
            break;
        case '\r':
            out_whole(o, "\\r", 2);
            break;
        case '\t':
            out_whole(o, "\\t", 2);
            break;
        case '"':
            out_whole(o, "\\\"", 2);
            break;
        case '\\':
            out_whole(o, "\\\\", 2);
            break;
        default:
            out_hex(o, c);
        }
        i++;
    }
}

size_t log_escape(char *out, size_t size, const char *s)
{
    if (!size)
        return 0;
    struct out o = {out, size, 0, false};
    out[0] = '\0';
    if (s)
        out_escaped(&o, s, strlen(s), true);
    return o.len;
}

/* One conversion of the format, as parsed. */
struct spec {
    char text[SPEC_MAX]; /* the conversion with '*' resolved, for snprintf */
    bool left;           /* '-' flag */
    int width;           /* -1 = none */
    int precision;       /* -1 = none */
    char length[3];      /* "", "hh", "h", "l", "ll", "z", "j", "t", "L" */
    char conv;
};

static int read_number(const char **p)
{
    long v = 0;
    while (**p >= '0' && **p <= '9') {
        if (v < 100000)
            v = v * 10 + (**p - '0');
        (*p)++;
    }
    return (int)v;
}

/* Parses the conversion after '%' at *p, taking '*' arguments from ap; returns false for a
 * conversion this formatter does not know (it is then copied literally, consuming nothing). */
static bool spec_parse(const char **p, struct spec *sp, va_list *ap)
{
    const char *s = *p;
    char flags[8];
    size_t nf = 0;
    while (*s && strchr("-+ #0", *s)) {
        if (nf < sizeof(flags) - 1)
            flags[nf++] = *s;
        s++;
    }
    flags[nf] = '\0';
    sp->left = strchr(flags, '-') != NULL;
    sp->width = -1;
    sp->precision = -1;
    if (*s == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) {
            sp->left = true;
            sp->width = -sp->width;
        }
        s++;
    } else if (*s >= '0' && *s <= '9') {
        sp->width = read_number(&s);
    }
    if (*s == '.') {
        s++;
        if (*s == '*') {
            sp->precision = va_arg(*ap, int);
            s++;
        } else {
            sp->precision = read_number(&s);
        }
    }
    size_t nl = 0;
    while (*s && strchr("hlzjtL", *s) && nl < 2)
        sp->length[nl++] = *s++;
    sp->length[nl] = '\0';
    sp->conv = *s;
    if (!sp->conv || !strchr("diouxXeEfFgGaAcsp", sp->conv))
        return false;
    *p = s + 1;
    char w[16] = "", pr[16] = "";
    if (sp->width >= 0)
        snprintf(w, sizeof(w), "%d", sp->width);
    if (sp->precision >= 0)
        snprintf(pr, sizeof(pr), ".%d", sp->precision);
    snprintf(sp->text, sizeof(sp->text), "%%%s%s%s%s%c", flags, w, pr, sp->length, sp->conv);
    return true;
}

static void out_padding(struct out *o, size_t have, int width)
{
    for (size_t i = have; width > 0 && i < (size_t)width; i++)
        out_bytes(o, " ", 1);
}

/* %s and %c: the argument escaped, then padded to the width by the escaped length. */
static void out_string_arg(struct out *o, const struct spec *sp, const char *s, size_t n)
{
    size_t start = o->len;
    if (!sp->left && sp->width > 0) {
        /* Right alignment needs the escaped length first: format into scratch. */
        char tmp[1024];
        struct out t = {tmp, sizeof(tmp), 0, false};
        tmp[0] = '\0';
        out_escaped(&t, s, n, true);
        out_padding(o, t.len, sp->width);
        out_bytes(o, tmp, t.len);
        return;
    }
    out_escaped(o, s, n, true);
    if (sp->left)
        out_padding(o, o->len - start, sp->width);
}

/* The conversion text handed to snprintf below is rebuilt by spec_parse from a format the
 * compiler checked against these arguments at the log_printf call, with one argument each. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#define OUT_NUMBER(o, text, value)                                                                 \
    do {                                                                                           \
        char num_[512];                                                                            \
        int n_ = snprintf(num_, sizeof(num_), text, value);                                        \
        if (n_ > 0)                                                                                \
            out_bytes(o, num_, (size_t)n_ < sizeof(num_) ? (size_t)n_ : sizeof(num_) - 1);         \
    } while (0)

static void out_integer(struct out *o, const struct spec *sp, va_list *ap)
{
    bool is_signed = sp->conv == 'd' || sp->conv == 'i';
    const char *l = sp->length;
    if (strcmp(l, "ll") == 0) {
        if (is_signed)
            OUT_NUMBER(o, sp->text, va_arg(*ap, long long));
        else
            OUT_NUMBER(o, sp->text, va_arg(*ap, unsigned long long));
    } else if (strcmp(l, "l") == 0) {
        if (is_signed)
            OUT_NUMBER(o, sp->text, va_arg(*ap, long));
        else
            OUT_NUMBER(o, sp->text, va_arg(*ap, unsigned long));
    } else if (strcmp(l, "z") == 0) {
        OUT_NUMBER(o, sp->text, va_arg(*ap, size_t));
    } else if (strcmp(l, "j") == 0) {
        if (is_signed)
            OUT_NUMBER(o, sp->text, va_arg(*ap, intmax_t));
        else
            OUT_NUMBER(o, sp->text, va_arg(*ap, uintmax_t));
    } else if (strcmp(l, "t") == 0) {
        OUT_NUMBER(o, sp->text, va_arg(*ap, ptrdiff_t));
    } else if (is_signed) {
        OUT_NUMBER(o, sp->text, va_arg(*ap, int)); /* also hh and h: promoted to int */
    } else {
        OUT_NUMBER(o, sp->text, va_arg(*ap, unsigned int));
    }
}

static void out_conversion(struct out *o, const struct spec *sp, va_list *ap)
{
    switch (sp->conv) {
    case 's': {
        const char *s = va_arg(*ap, const char *);
        if (!s)
            s = "(null)";
        size_t n = sp->precision >= 0 ? strnlen(s, (size_t)sp->precision) : strlen(s);
        out_string_arg(o, sp, s, n);
        break;
    }
    case 'c': {
        char c = (char)va_arg(*ap, int);
        out_string_arg(o, sp, &c, 1);
        break;
    }
    case 'p':
        OUT_NUMBER(o, sp->text, va_arg(*ap, void *));
        break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
    case 'a':
    case 'A':
        if (strcmp(sp->length, "L") == 0)
            OUT_NUMBER(o, sp->text, va_arg(*ap, long double));
        else
            OUT_NUMBER(o, sp->text, va_arg(*ap, double));
        break;
    default:
        out_integer(o, sp, ap);
    }
}

#pragma GCC diagnostic pop

size_t log_vformat(char *out, size_t size, const char *fmt, va_list ap)
{
    if (!size)
        return 0;
    struct out o = {out, size, 0, false};
    out[0] = '\0';
    va_list args;
    va_copy(args, ap);
    const char *p = fmt;
    while (*p && !o.full && o.len < size - 1) {
        const char *pct = strchr(p, '%');
        size_t lit = pct ? (size_t)(pct - p) : strlen(p);
        out_escaped(&o, p, lit, false);
        if (!pct)
            break;
        p = pct + 1;
        if (*p == '%') {
            out_bytes(&o, "%", 1);
            p++;
            continue;
        }
        struct spec sp = {0};
        if (!spec_parse(&p, &sp, &args)) {
            out_bytes(&o, "%", 1); /* unknown or %n: shown as text, never executed */
            continue;
        }
        out_conversion(&o, &sp, &args);
    }
    va_end(args);
    return o.len;
}
