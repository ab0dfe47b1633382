/* String vectors: NULL-terminated arrays of malloc'ed strings (char **), each owned by the
 * vector, the vector owned by whoever holds it. The shape execve, Docker's Env and label
 * lists use. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Most pieces strv_split makes; a longer list is refused rather than allocated. */
#define STRV_SPLIT_MAX 4096

/* Splits s at sep into a new vector of its pieces, each trimmed of surrounding spaces and tabs;
 * empty pieces are dropped, so "", " , " and "a,,b" give [], [] and [a, b]. Returns the number
 * of pieces and sets *ret (free it with strv_free; never NULL on success, perhaps empty), or
 * -EINVAL (s NULL, or sep the NUL byte), -E2BIG (more than STRV_SPLIT_MAX pieces) or -ENOMEM,
 * leaving *ret untouched. */
int strv_split(const char *s, char sep, char ***ret);

/* Frees every string and the vector. Accepts NULL. */
void strv_free(char **v);

/* True when v (NULL counts as empty) holds a string equal to s. */
bool strv_contains(char *const *v, const char *s);

/* Counts the strings of v (NULL counts as empty) but stops at max + 1, so a caller can refuse
 * an over-long vector without walking all of it. */
size_t strv_length(const char *const *v, size_t max);

/* text past its beginning when that is parts (NULL-terminated) one after the other, e.g.
 * {"START", " of VNFR ", name, ": ", NULL}; else text itself. For a peer's message that repeats
 * what the caller's own prefix is about to say. */
const char *strv_after_prefix(const char *text, const char *const *parts);

static inline void cleanup_strv_freep(char ***v)
{
    strv_free(*v);
}

#define _cleanup_strv_free_ __attribute__((cleanup(cleanup_strv_freep)))
