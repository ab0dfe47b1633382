/* Checked parsers for numbers and booleans from strings (no atoi). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a whole base-10 integer in [min, max]. Returns 0, -EINVAL (not a number, trailing
 * garbage, empty) or -ERANGE; *ret untouched on failure. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret);

/* Accepts 1/0, true/false, yes/no, on/off (case-insensitive). Returns 0 or -EINVAL. */
int parse_bool(const char *s, bool *ret);

/* Parses a size with optional k/m/g suffix (powers of 1024). Returns 0, -EINVAL or -ERANGE. */
int parse_size(const char *s, uint64_t max, uint64_t *ret);

/* Percent-decodes s[0..len) into a new NUL-terminated string (the caller frees it). Refuses a
 * '%' not followed by two hex digits and %00 (a NUL would cut the value). Returns 0, -EINVAL or
 * -ENOMEM. */
int parse_percent_decode(const char *s, size_t len, char **ret);
