/* Gson Date text: the Java 8 form NFVO 6 writes, go-openbaton's unpadded variant, the Java 9+
 * variant and ISO 8601, all to one broken-down value; writing always uses the Java 8 form. */
#include "catalogue/date.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const month_names[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

static bool leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

static bool date_valid(const struct cat_date *d)
{
    return d->year >= 1 && d->year <= 9999 && d->month >= 1 && d->month <= 12 && d->day >= 1 &&
           d->day <= days_in_month(d->year, d->month) && d->hour >= 0 && d->hour <= 23 &&
           d->minute >= 0 && d->minute <= 59 && d->second >= 0 && d->second <= 59;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (the era arithmetic keeps every step in
 * non-negative numbers). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *ret_y, int *ret_m, int *ret_d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *ret_y = (int)(y + (m <= 2));
    *ret_m = m;
    *ret_d = d;
}

int cat_date_to_unix(const struct cat_date *d, int64_t *ret)
{
    if (!date_valid(d))
        return -EINVAL;
    *ret = days_from_civil(d->year, d->month, d->day) * 86400 + d->hour * 3600 + d->minute * 60 +
           d->second;
    return 0;
}

int cat_date_from_unix(int64_t t, struct cat_date *ret)
{
    /* 0001-01-01 and 9999-12-31T23:59:59 */
    if (t < -62135596800LL || t > 253402300799LL)
        return -EINVAL;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    struct cat_date d = {.set = true};
    civil_from_days(days, &d.year, &d.month, &d.day);
    d.hour = (int)(secs / 3600);
    d.minute = (int)(secs % 3600 / 60);
    d.second = (int)(secs % 60);
    *ret = d;
    return 0;
}

int cat_date_format(const struct cat_date *d, char *buf, size_t size)
{
    if (!date_valid(d))
        return -EINVAL;
    int h12 = d->hour % 12 == 0 ? 12 : d->hour % 12;
    int n = snprintf(buf, size, "%.3s %d, %d %d:%02d:%02d %s", month_names[d->month - 1], d->day,
                     d->year, h12, d->minute, d->second, d->hour < 12 ? "AM" : "PM");
    if (n < 0 || (size_t)n >= size)
        return -ENOSPC;
    return n;
}

/* Reads 1..max digits; returns the count read (0: none). */
static int read_digits(const char **p, int max, int *ret)
{
    int v = 0, n = 0;
    while (n < max && **p >= '0' && **p <= '9') {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *ret = v;
    return n;
}

static bool read_char(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

/* The separator before AM/PM: a space, U+00A0 or U+202F (as UTF-8). */
static bool read_ampm_space(const char **p)
{
    if (read_char(p, ' '))
        return true;
    if (strncmp(*p, "\xc2\xa0", 2) == 0 || strncmp(*p, "\xe2\x80\xaf", 3) == 0) {
        *p += (unsigned char)**p == 0xc2 ? 2 : 3;
        return true;
    }
    return false;
}

static int parse_gson(const char *s, struct cat_date *ret)
{
    const char *p = s;
    int month = 0;
    for (int i = 0; i < 12 && !month; i++) {
        size_t full = strlen(month_names[i]);
        if (strncasecmp(p, month_names[i], full) == 0) {
            month = i + 1;
            p += full;
        } else if (strncasecmp(p, month_names[i], 3) == 0) {
            month = i + 1;
            p += 3;
        }
    }
    struct cat_date d = {.month = month, .set = true};
    int h12;
    if (!month || !read_char(&p, ' ') || !read_digits(&p, 2, &d.day) || !read_char(&p, ',') ||
        !read_char(&p, ' ') || read_digits(&p, 4, &d.year) != 4)
        return -EINVAL;
    read_char(&p, ','); /* Java 9+ */
    if (!read_char(&p, ' ') || !read_digits(&p, 2, &h12) || !read_char(&p, ':') ||
        !read_digits(&p, 2, &d.minute) || !read_char(&p, ':') || !read_digits(&p, 2, &d.second) ||
        !read_ampm_space(&p))
        return -EINVAL;
    bool pm;
    if (strcasecmp(p, "AM") == 0)
        pm = false;
    else if (strcasecmp(p, "PM") == 0)
        pm = true;
    else
        return -EINVAL;
    if (h12 < 1 || h12 > 12)
        return -EINVAL;
    d.hour = h12 % 12 + (pm ? 12 : 0);
    if (!date_valid(&d))
        return -EINVAL;
    *ret = d;
    return 0;
}

static int parse_iso(const char *s, struct cat_date *ret)
{
    const char *p = s;
    struct cat_date d = {.set = true};
    if (read_digits(&p, 4, &d.year) != 4 || !read_char(&p, '-') ||
        read_digits(&p, 2, &d.month) != 2 || !read_char(&p, '-') || read_digits(&p, 2, &d.day) != 2)
        return -EINVAL;
    if (*p == '\0') {
        if (!date_valid(&d))
            return -EINVAL;
        *ret = d;
        return 0;
    }
    if (!read_char(&p, 'T') || read_digits(&p, 2, &d.hour) != 2 || !read_char(&p, ':') ||
        read_digits(&p, 2, &d.minute) != 2)
        return -EINVAL;
    if (read_char(&p, ':')) {
        if (read_digits(&p, 2, &d.second) != 2)
            return -EINVAL;
        if (read_char(&p, '.')) {
            int frac;
            if (read_digits(&p, 9, &frac) == 0)
                return -EINVAL;
        }
    }
    int offset = 0; /* seconds east of UTC */
    if (!read_char(&p, 'Z')) {
        int sign = *p == '+' ? 1 : *p == '-' ? -1 : 0;
        int oh, om = 0;
        if (!sign)
            return -EINVAL; /* Gson wants a zone with a time */
        p++;
        if (read_digits(&p, 2, &oh) != 2 || oh > 23)
            return -EINVAL;
        if (*p) {
            read_char(&p, ':');
            if (read_digits(&p, 2, &om) != 2 || om > 59)
                return -EINVAL;
        }
        offset = sign * (oh * 3600 + om * 60);
    }
    if (*p != '\0' || !date_valid(&d))
        return -EINVAL;
    int64_t t;
    if (cat_date_to_unix(&d, &t) < 0 || cat_date_from_unix(t - offset, &d) < 0)
        return -EINVAL;
    *ret = d;
    return 0;
}

int cat_date_parse(const char *s, struct cat_date *ret)
{
    if (!s)
        return -EINVAL;
    if (s[0] >= '0' && s[0] <= '9')
        return parse_iso(s, ret);
    return parse_gson(s, ret);
}
