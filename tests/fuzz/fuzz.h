/* What every fuzz target shares: libFuzzer's entry point (also called by replay.c) and small
 * helpers to turn the raw input into C strings. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Called once per input, by libFuzzer or by the replay main; returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the code under test did not hold: report it and abort, so libFuzzer keeps the
 * input as a crash and the replay test fails. */
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A malloc'ed NUL-terminated copy of data[0..size) (which may itself hold NUL bytes); aborts
 * when out of memory, which libFuzzer's own limits make a finding anyway. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FUZZ_ASSERT(s != NULL);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Cuts *rest at the first sep (replaced by NUL) and returns the piece before it; the last
 * piece runs to the end. Returns NULL when *rest is NULL (no piece left). */
static inline char *fuzz_next_piece(char **rest, char sep)
{
    char *piece = *rest;
    if (!piece)
        return NULL;
    char *end = strchr(piece, sep);
    if (end) {
        *end = '\0';
        *rest = end + 1;
    } else {
        *rest = NULL;
    }
    return piece;
}
