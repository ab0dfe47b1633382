/* A registry of metric families (counters, gauges, summaries) with fixed label names, rendered
 * in the Prometheus text exposition format. Independent of HTTP: lib/http, the services and an
 * AMQP layer all count into one registry, and /metrics renders it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct metrics;
struct metric;
struct strbuf;

/* Series per labelled family when the definition does not say (the overflow series excluded). */
#define METRICS_SERIES_DEFAULT 1000
/* Hard limits: label names per family, bytes of one label value. */
#define METRICS_LABELS_MAX 8
#define METRICS_VALUE_MAX 256
/* The value of every label of the overflow series. */
#define METRICS_OVERFLOW_VALUE "other"

enum metric_type {
    METRIC_COUNTER, /* uint64, only goes up (rendered as is) */
    METRIC_GAUGE,   /* int64, set or moved by the owner */
    METRIC_SUMMARY, /* microseconds observed: rendered as <name>_sum in seconds and <name>_count */
};

struct metric_def {
    enum metric_type type;
    const char *name; /* [a-zA-Z_:][a-zA-Z0-9_:]*; a summary's name should end in _seconds */
    const char *help; /* one line; a backslash or newline in it is escaped when rendered */
    /* Label names, NULL-terminated; NULL = no labels. [a-zA-Z_][a-zA-Z0-9_]*, not "__..." and,
     * for a summary, not "quantile". Copied. */
    const char *const *labels;
    /* Distinct label sets kept; 0 = METRICS_SERIES_DEFAULT. Ignored without labels (one
     * series). */
    size_t max_series;
};

/* An empty registry. Returns 0 or -ENOMEM. */
int metrics_new(struct metrics **ret);
/* Frees the registry and every family in it. Accepts NULL. Nothing may use it concurrently. */
void metrics_free(struct metrics *m);

/* Adds a family; the returned handle lives as long as the registry. A family without labels
 * has its one series from the start, so it is rendered (as 0) before anything is counted.
 * Returns 0, -EINVAL (bad name, label name or type), -EEXIST (a family of that name exists),
 * -E2BIG (more than METRICS_LABELS_MAX labels) or -ENOMEM; *ret untouched on failure. */
int metrics_register(struct metrics *m, const struct metric_def *def, struct metric **ret);
/* The same with the default series cap. */
int metrics_counter(struct metrics *m, const char *name, const char *help,
                    const char *const *labels, struct metric **ret);
int metrics_gauge(struct metrics *m, const char *name, const char *help, const char *const *labels,
                  struct metric **ret);
int metrics_summary(struct metrics *m, const char *name, const char *help,
                    const char *const *labels, struct metric **ret);

/* Updating a series. values holds one label value per label name of the family, in order
 * (NULL when the family has none); the values are copied when the series is created. Adding
 * to a series that exists is lock-free (a lookup and an atomic add); the first use of a new
 * label set takes the family's lock once.
 *
 * The series cap: a label value can come from a client, and must not grow memory without
 * bound. When a label set would be new but the family already holds max_series of them, or a
 * value is unusable (NULL, longer than METRICS_VALUE_MAX, not UTF-8), or the series cannot be
 * allocated, then:
 *   - a counter or summary counts it in the family's one overflow series, whose every label is
 *     METRICS_OVERFLOW_VALUE ("other"), so the family's total stays exact;
 *   - a gauge is left unchanged: a last-set value belonging to some other series would lie.
 * The return value says which: 0 = counted in its own series, -ENOSPC (cap), -EILSEQ (value)
 * or -ENOMEM = the overflow case above; -EINVAL = x is NULL or of the wrong type, nothing
 * counted. Callers on hot paths may ignore it. */

/* Counter or gauge: += n. */
int metric_add(struct metric *x, const char *const *values, uint64_t n);
/* Gauge: -= n. */
int metric_sub(struct metric *x, const char *const *values, uint64_t n);
/* Gauge: = v. Counter: = v as well, for a collect hook mirroring a count kept elsewhere (the
 * value must never go down). */
int metric_set(struct metric *x, const char *const *values, int64_t v);
/* Summary: one observation of us microseconds. */
int metric_observe_us(struct metric *x, const char *const *values, uint64_t us);

/* Registers fn(m, ud) to run at the start of every render, in registration order, e.g. to set
 * gauges from a store. A hook returning < 0 fails the render with that value (no page is
 * better than a page that silently lacks a family). Hooks run one render at a time, under the
 * registry's lock: they may update metrics but must not register families or hooks. ud must
 * outlive the registry. Returns 0 or -ENOMEM. */
int metrics_on_collect(struct metrics *m, int (*fn)(struct metrics *m, void *ud), void *ud);

/* Runs the collect hooks, then appends every family in registration order to out: "# HELP"
 * and "# TYPE" once per family, then one line per series in creation order (the overflow
 * series among them), label values escaped (\\, \", \n). Returns 0, or a hook's error,
 * -ENOMEM, or -E2BIG (out->max reached); on failure out is as it was before the call, never
 * holding a partial page. */
int metrics_render(struct metrics *m, struct strbuf *out);
