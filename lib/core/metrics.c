/* The metrics registry: families with a fixed-size open-addressing table of series, read
 * without locks (a series, once published, is never moved or freed before the registry), and
 * the Prometheus text renderer. */
#include "core/metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/strbuf.h"

/* More distinct label sets than this in one family is a design error, not a cap to raise. */
#define METRICS_SERIES_LIMIT (1u << 20)

struct series {
    uint64_t hash;
    _Atomic uint64_t count;  /* counter value; summary observation count */
    _Atomic uint64_t sum_us; /* summary */
    _Atomic int64_t gauge;
    char *values[]; /* n_labels pointers into the same allocation */
};

struct metric {
    enum metric_type type;
    char *name;
    char *help;
    size_t n_labels;
    char *labels[METRICS_LABELS_MAX];
    size_t max_series; /* label sets counted against the cap (the overflow series is extra) */

    /* Lock order: the registry's lock (render, hooks), then this one (a new series). */
    pthread_mutex_t lock;
    size_t n_slots;                  /* power of two, at least twice the series it can hold */
    _Atomic(struct series *) *slots; /* lookups read these without the lock */
    struct series **order;           /* creation order, for rendering; max_series + 1 */
    _Atomic size_t n_series;         /* published entries of order */
    size_t n_regular;                /* under lock: series counted against the cap */
    struct series *spare_other;      /* the overflow series until it is first needed */
    uint64_t other_hash;
    _Atomic bool overflow_logged;

    struct metric *next;
};

struct collect_hook {
    int (*fn)(struct metrics *m, void *ud);
    void *ud;
};

struct metrics {
    pthread_mutex_t lock; /* the family list, the hooks, and one render at a time */
    struct metric *first, *last;
    struct collect_hook *hooks;
    size_t n_hooks, cap_hooks;
};

/* ---- names and values ---- */

static bool name_ok(const char *s, bool colon)
{
    if (!s || !*s)
        return false;
    for (size_t i = 0; s[i]; i++) {
        char c = s[i];
        bool alpha =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

/* Length of the UTF-8 sequence at s (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xc2 && c <= 0xdf   ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
    if (n == 0)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
        (c == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

static bool value_ok(const char *v)
{
    if (!v)
        return false;
    size_t i = 0;
    while (v[i]) {
        size_t n = utf8_len((const unsigned char *)v + i);
        if (n == 0 || i + n > METRICS_VALUE_MAX)
            return false;
        i += n;
    }
    return true;
}

static uint64_t hash_values(size_t n, const char *const *v)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a, each value followed by its NUL */
    for (size_t i = 0; i < n; i++)
        for (const unsigned char *p = (const unsigned char *)v[i];; p++) {
            h = (h ^ *p) * 0x100000001b3u;
            if (!*p)
                break;
        }
    return h;
}

/* ---- series ---- */

static struct series *series_new(const struct metric *x, const char *const *v, uint64_t h)
{
    size_t len = sizeof(struct series) + x->n_labels * sizeof(char *);
    for (size_t i = 0; i < x->n_labels; i++)
        len += strlen(v[i]) + 1;
    struct series *s = malloc(len);
    if (!s)
        return NULL;
    s->hash = h;
    atomic_init(&s->count, 0);
    atomic_init(&s->sum_us, 0);
    atomic_init(&s->gauge, 0);
    char *p = (char *)&s->values[x->n_labels];
    for (size_t i = 0; i < x->n_labels; i++) {
        size_t n = strlen(v[i]) + 1;
        memcpy(p, v[i], n);
        s->values[i] = p;
        p += n;
    }
    return s;
}

static bool series_is(const struct metric *x, const struct series *s, const char *const *v,
                      uint64_t h)
{
    if (s->hash != h)
        return false;
    for (size_t i = 0; i < x->n_labels; i++)
        if (strcmp(s->values[i], v[i]) != 0)
            return false;
    return true;
}

/* Lock-free: the table is never more than half full, so the probe ends at an empty slot. */
static struct series *lookup(struct metric *x, const char *const *v, uint64_t h)
{
    size_t mask = x->n_slots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct series *s = atomic_load_explicit(&x->slots[i], memory_order_acquire);
        if (!s || series_is(x, s, v, h))
            return s;
    }
}

/* Under x->lock. The series is complete before it is published (release), so a reader that
 * finds it sees its values. */
static void publish(struct metric *x, struct series *s)
{
    size_t mask = x->n_slots - 1;
    size_t i = s->hash & mask;
    while (atomic_load_explicit(&x->slots[i], memory_order_relaxed))
        i = (i + 1) & mask;
    size_t n = atomic_load_explicit(&x->n_series, memory_order_relaxed);
    x->order[n] = s;
    atomic_store_explicit(&x->n_series, n + 1, memory_order_release);
    atomic_store_explicit(&x->slots[i], s, memory_order_release);
}

static struct series *overflow_series(struct metric *x)
{
    const char *other[METRICS_LABELS_MAX];
    for (size_t i = 0; i < x->n_labels; i++)
        other[i] = METRICS_OVERFLOW_VALUE;
    struct series *s = lookup(x, other, x->other_hash);
    if (s)
        return s;
    pthread_mutex_lock(&x->lock);
    s = lookup(x, other, x->other_hash);
    if (!s) {
        s = x->spare_other;
        x->spare_other = NULL;
        publish(x, s);
    }
    pthread_mutex_unlock(&x->lock);
    return s;
}

/* The series for v, created if needed. When it cannot have its own (see metrics.h), returns
 * the overflow series if fold, else NULL; *ret_r says why. */
static struct series *series_get(struct metric *x, const char *const *v, bool fold, int *ret_r)
{
    *ret_r = 0;
    if (x->n_labels == 0)
        return x->order[0];
    int r = -EILSEQ;
    bool usable = v != NULL;
    for (size_t i = 0; usable && i < x->n_labels; i++)
        usable = value_ok(v[i]);
    if (usable) {
        uint64_t h = hash_values(x->n_labels, v);
        struct series *s = lookup(x, v, h);
        if (s)
            return s;
        pthread_mutex_lock(&x->lock);
        s = lookup(x, v, h);
        if (!s && x->spare_other && series_is(x, x->spare_other, v, h)) {
            /* The caller names the overflow series itself: not a new label set. */
            s = x->spare_other;
            x->spare_other = NULL;
            publish(x, s);
        } else if (!s && x->n_regular >= x->max_series) {
            r = -ENOSPC;
        } else if (!s) {
            s = series_new(x, v, h);
            if (s) {
                publish(x, s);
                x->n_regular++;
            } else {
                r = -ENOMEM;
            }
        }
        pthread_mutex_unlock(&x->lock);
        if (s)
            return s;
    }
    *ret_r = r;
    /* Loaded first: a client hammering the cap must not bounce this line between cores. */
    if (!atomic_load_explicit(&x->overflow_logged, memory_order_relaxed) &&
        !atomic_exchange(&x->overflow_logged, true))
        log_debug("metrics: %s: a label set was %s (%s); later ones are not logged", x->name,
                  fold ? "counted in the overflow series" : "dropped", strerror(-r));
    return fold ? overflow_series(x) : NULL;
}

/* ---- families ---- */

static void metric_free(struct metric *x)
{
    if (!x)
        return;
    size_t n = atomic_load(&x->n_series);
    for (size_t i = 0; x->order && i < n; i++)
        free(x->order[i]);
    free(x->spare_other);
    free(x->order);
    free(x->slots);
    for (size_t i = 0; i < x->n_labels; i++)
        free(x->labels[i]);
    free(x->name);
    free(x->help);
    pthread_mutex_destroy(&x->lock);
    free(x);
}

static int def_check(const struct metric_def *def, size_t *ret_n_labels)
{
    if (!def || !name_ok(def->name, true) ||
        (def->type != METRIC_COUNTER && def->type != METRIC_GAUGE && def->type != METRIC_SUMMARY) ||
        def->max_series > METRICS_SERIES_LIMIT)
        return -EINVAL;
    size_t n = 0;
    for (; def->labels && def->labels[n]; n++) {
        const char *l = def->labels[n];
        if (n == METRICS_LABELS_MAX)
            return -E2BIG;
        if (!name_ok(l, false) || strncmp(l, "__", 2) == 0 ||
            (def->type == METRIC_SUMMARY && strcmp(l, "quantile") == 0))
            return -EINVAL;
        for (size_t j = 0; j < n; j++)
            if (strcmp(def->labels[j], l) == 0)
                return -EINVAL;
    }
    *ret_n_labels = n;
    return 0;
}

static int metric_new(const struct metric_def *def, size_t n_labels, struct metric **ret)
{
    struct metric *x = calloc(1, sizeof(*x));
    if (!x)
        return -ENOMEM;
    pthread_mutex_init(&x->lock, NULL);
    x->type = def->type;
    x->n_labels = n_labels;
    x->max_series = n_labels == 0 ? 1 : def->max_series ? def->max_series : METRICS_SERIES_DEFAULT;
    size_t cap = x->max_series + 1;
    x->n_slots = 4;
    while (x->n_slots < 2 * cap)
        x->n_slots *= 2;
    x->name = strdup(def->name);
    x->help = strdup(def->help ? def->help : "");
    x->slots = calloc(x->n_slots, sizeof(*x->slots));
    x->order = calloc(cap, sizeof(*x->order));
    bool ok = x->name && x->help && x->slots && x->order;
    for (size_t i = 0; ok && i < n_labels; i++)
        ok = (x->labels[i] = strdup(def->labels[i])) != NULL;
    const char *other[METRICS_LABELS_MAX];
    for (size_t i = 0; i < n_labels; i++)
        other[i] = METRICS_OVERFLOW_VALUE;
    x->other_hash = hash_values(n_labels, other);
    /* Allocated now, so that overflowing never needs memory. */
    if (ok)
        ok = (x->spare_other = series_new(x, other, x->other_hash)) != NULL;
    if (!ok) {
        metric_free(x);
        return -ENOMEM;
    }
    if (n_labels == 0) {
        /* The one series exists from the start and is rendered before anything is counted. */
        publish(x, x->spare_other);
        x->spare_other = NULL;
        x->n_regular = 1;
    }
    *ret = x;
    return 0;
}

/* ---- the registry ---- */

int metrics_new(struct metrics **ret)
{
    struct metrics *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    pthread_mutex_init(&m->lock, NULL);
    *ret = m;
    return 0;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    for (struct metric *x = m->first, *next; x; x = next) {
        next = x->next;
        metric_free(x);
    }
    free(m->hooks);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

int metrics_register(struct metrics *m, const struct metric_def *def, struct metric **ret)
{
    size_t n_labels = 0;
    int r = def_check(def, &n_labels);
    if (r < 0)
        return r;
    struct metric *x = NULL;
    r = metric_new(def, n_labels, &x);
    if (r < 0)
        return r;
    pthread_mutex_lock(&m->lock);
    for (struct metric *y = m->first; y && r == 0; y = y->next)
        if (strcmp(y->name, x->name) == 0)
            r = -EEXIST;
    if (r == 0) {
        if (m->last)
            m->last->next = x;
        else
            m->first = x;
        m->last = x;
    }
    pthread_mutex_unlock(&m->lock);
    if (r < 0) {
        metric_free(x);
        return r;
    }
    *ret = x;
    return 0;
}

static int register_type(struct metrics *m, enum metric_type type, const char *name,
                         const char *help, const char *const *labels, struct metric **ret)
{
    struct metric_def def = {.type = type, .name = name, .help = help, .labels = labels};
    return metrics_register(m, &def, ret);
}

int metrics_counter(struct metrics *m, const char *name, const char *help,
                    const char *const *labels, struct metric **ret)
{
    return register_type(m, METRIC_COUNTER, name, help, labels, ret);
}

int metrics_gauge(struct metrics *m, const char *name, const char *help, const char *const *labels,
                  struct metric **ret)
{
    return register_type(m, METRIC_GAUGE, name, help, labels, ret);
}

int metrics_summary(struct metrics *m, const char *name, const char *help,
                    const char *const *labels, struct metric **ret)
{
    return register_type(m, METRIC_SUMMARY, name, help, labels, ret);
}

int metrics_on_collect(struct metrics *m, int (*fn)(struct metrics *m, void *ud), void *ud)
{
    if (!fn)
        return -EINVAL;
    int r = 0;
    pthread_mutex_lock(&m->lock);
    if (m->n_hooks == m->cap_hooks) {
        size_t cap = m->cap_hooks ? 2 * m->cap_hooks : 4;
        struct collect_hook *h = realloc(m->hooks, cap * sizeof(*h));
        if (h) {
            m->hooks = h;
            m->cap_hooks = cap;
        } else {
            r = -ENOMEM;
        }
    }
    if (r == 0)
        m->hooks[m->n_hooks++] = (struct collect_hook){fn, ud};
    pthread_mutex_unlock(&m->lock);
    return r;
}

/* ---- updates ---- */

int metric_add(struct metric *x, const char *const *values, uint64_t n)
{
    if (!x || x->type == METRIC_SUMMARY)
        return -EINVAL;
    int r;
    struct series *s = series_get(x, values, x->type == METRIC_COUNTER, &r);
    if (s && x->type == METRIC_COUNTER)
        atomic_fetch_add_explicit(&s->count, n, memory_order_relaxed);
    else if (s)
        atomic_fetch_add_explicit(&s->gauge, (int64_t)n, memory_order_relaxed);
    return r;
}

int metric_sub(struct metric *x, const char *const *values, uint64_t n)
{
    if (!x || x->type != METRIC_GAUGE)
        return -EINVAL;
    int r;
    struct series *s = series_get(x, values, false, &r);
    if (s)
        atomic_fetch_sub_explicit(&s->gauge, (int64_t)n, memory_order_relaxed);
    return r;
}

int metric_set(struct metric *x, const char *const *values, int64_t v)
{
    if (!x || x->type == METRIC_SUMMARY)
        return -EINVAL;
    int r;
    struct series *s = series_get(x, values, false, &r);
    if (s && x->type == METRIC_COUNTER)
        atomic_store_explicit(&s->count, (uint64_t)v, memory_order_relaxed);
    else if (s)
        atomic_store_explicit(&s->gauge, v, memory_order_relaxed);
    return r;
}

int metric_observe_us(struct metric *x, const char *const *values, uint64_t us)
{
    if (!x || x->type != METRIC_SUMMARY)
        return -EINVAL;
    int r;
    struct series *s = series_get(x, values, true, &r);
    if (s) {
        atomic_fetch_add_explicit(&s->sum_us, us, memory_order_relaxed);
        atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
    }
    return r;
}

/* ---- rendering ---- */

/* HELP text escapes backslash and newline; a label value also escapes the double quote. */
static int put_escaped(struct strbuf *out, const char *v, bool quote)
{
    int r = 0;
    while (r == 0 && *v) {
        size_t n = strcspn(v, quote ? "\\\"\n" : "\\\n");
        r = strbuf_append(out, v, n);
        v += n;
        if (r == 0 && *v) {
            r = strbuf_puts(out, *v == '\n' ? "\\n" : *v == '"' ? "\\\"" : "\\\\");
            v++;
        }
    }
    return r;
}

static int put_sample_name(struct strbuf *out, const struct metric *x, const struct series *s,
                           const char *suffix)
{
    int r = strbuf_puts(out, x->name);
    if (r == 0)
        r = strbuf_puts(out, suffix);
    for (size_t i = 0; r == 0 && i < x->n_labels; i++) {
        r = strbuf_printf(out, "%s%s=\"", i == 0 ? "{" : ",", x->labels[i]);
        if (r == 0)
            r = put_escaped(out, s->values[i], true);
        if (r == 0)
            r = strbuf_puts(out, "\"");
    }
    if (r == 0 && x->n_labels)
        r = strbuf_puts(out, "}");
    return r;
}

static int render_family(const struct metric *x, struct strbuf *out)
{
    static const char *const type_names[] = {"counter", "gauge", "summary"};
    int r = strbuf_printf(out, "# HELP %s ", x->name);
    if (r == 0)
        r = put_escaped(out, x->help, false);
    if (r == 0)
        r = strbuf_printf(out, "\n# TYPE %s %s\n", x->name, type_names[x->type]);
    size_t n = atomic_load_explicit(&x->n_series, memory_order_acquire);
    for (size_t i = 0; r == 0 && i < n; i++) {
        const struct series *s = x->order[i];
        if (x->type == METRIC_SUMMARY) {
            /* Read apart from each other: a scrape racing an observation may see the one
             * updated and not yet the other, which Prometheus tolerates. */
            uint64_t us = atomic_load_explicit(&s->sum_us, memory_order_relaxed);
            uint64_t count = atomic_load_explicit(&s->count, memory_order_relaxed);
            r = put_sample_name(out, x, s, "_sum");
            if (r == 0)
                r = strbuf_printf(out, " %llu.%06llu\n", (unsigned long long)(us / 1000000),
                                  (unsigned long long)(us % 1000000));
            if (r == 0)
                r = put_sample_name(out, x, s, "_count");
            if (r == 0)
                r = strbuf_printf(out, " %llu\n", (unsigned long long)count);
        } else {
            r = put_sample_name(out, x, s, "");
            if (r == 0 && x->type == METRIC_COUNTER)
                r = strbuf_printf(
                    out, " %llu\n",
                    (unsigned long long)atomic_load_explicit(&s->count, memory_order_relaxed));
            else if (r == 0)
                r = strbuf_printf(out, " %lld\n",
                                  (long long)atomic_load_explicit(&s->gauge, memory_order_relaxed));
        }
    }
    return r;
}

int metrics_render(struct metrics *m, struct strbuf *out)
{
    size_t start = out->len;
    int r = 0;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; r == 0 && i < m->n_hooks; i++) {
        r = m->hooks[i].fn(m, m->hooks[i].ud);
        if (r > 0)
            r = 0;
    }
    for (const struct metric *x = m->first; r == 0 && x; x = x->next)
        r = render_family(x, out);
    pthread_mutex_unlock(&m->lock);
    if (r < 0 && out->buf) {
        out->len = start;
        out->buf[start] = '\0';
    }
    return r < 0 ? r : 0;
}
