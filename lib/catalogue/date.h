/* java.util.Date as Open Baton's Gson writes it, read in every form a peer sends. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "catalogue/base.h"

/* Room for any text cat_date_format writes, NUL included. */
#define CAT_DATE_TEXT_MAX 32

/* Parses a date. Accepted:
 *   "Mar 3, 2017 12:02:32 PM"    Gson's default on Java 8 (NFVO 6): MMM d, yyyy h:mm:ss a
 *   "Jan 2, 2006 3:4:5 PM"       go-openbaton: minutes and seconds not zero-padded
 *   "Mar 3, 2017, 12:02:32 PM"   Java 9+ (CLDR): a comma after the year, and a no-break or
 *                                narrow no-break space (U+00A0, U+202F) before AM/PM
 *   "2017-03-03T12:02:32Z"       ISO 8601, which Gson also reads: a time needs a zone (Z,
 *                                +hh:mm, +hhmm, +hh) and is converted to UTC; fractions of a
 *                                second are dropped; a date alone is midnight
 * Month names may be abbreviated or full, in any case; AM/PM in any case. Returns 0, or
 * -EINVAL (anything else, an impossible date such as Feb 30, a year outside 1-9999), leaving
 * *ret untouched. */
int cat_date_parse(const char *s, struct cat_date *ret);

/* Writes d in Gson's Java 8 form ("Mar 3, 2017 12:02:32 PM"). Returns the length, -EINVAL (d
 * is not a valid date) or -ENOSPC (size too small; CAT_DATE_TEXT_MAX always suffices). */
int cat_date_format(const struct cat_date *d, char *buf, size_t size);

/* Seconds since 1970-01-01 UTC <-> the date's fields read as UTC. Return 0 or -EINVAL (out of
 * the years 1-9999, or d invalid). */
int cat_date_from_unix(int64_t t, struct cat_date *ret);
int cat_date_to_unix(const struct cat_date *d, int64_t *ret);
