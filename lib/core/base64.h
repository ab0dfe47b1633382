/* base64, standard and URL-safe alphabets, canonical decoding only (one spelling per byte
 * string): JWTs and password hashes (unpadded), Java byte[] in Open Baton plugin RPCs (padded). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    BASE64_URL = 1u << 0, /* '-' and '_' instead of '+' and '/' */
    BASE64_PAD = 1u << 1, /* encode: '=' up to a multiple of 4; decode: padding allowed */
};

/* Bytes needed to encode n bytes, including the NUL: unpadded / padded. */
#define BASE64_ENCODED_SIZE(n) (((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0) + 1)
#define BASE64_PADDED_SIZE(n) ((((n) + 2) / 3) * 4 + 1)

/* Encodes n bytes into out (NUL-terminated). Returns the encoded length or -ENOBUFS (out
 * untouched) when outlen is short. */
int base64_encode(const uint8_t *in, size_t n, unsigned flags, char *out, size_t outlen);

/* Decodes exactly n characters. Refuses characters of the other alphabet, impossible lengths
 * and non-zero trailing bits, and '=' unless BASE64_PAD (then it must complete the last group
 * of four). Returns the decoded length, -EINVAL or -ENOBUFS (out content undefined). */
int base64_decode(const char *in, size_t n, unsigned flags, uint8_t *out, size_t outlen);
