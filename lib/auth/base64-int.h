/* Unpadded base64 (standard and URL-safe alphabets) used by the JWT and password encodings.
 * Internal to lib/auth; tests use it to craft tokens by hand. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes needed to encode n bytes without padding, including the NUL. */
#define AUTH_B64_ENCODED_SIZE(n) (((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0) + 1)

/* Encodes n bytes into out (NUL-terminated, no '=' padding), with the URL-safe alphabet when
 * url is true. Returns the encoded length or -ENOBUFS (out untouched) when outlen is short. */
int auth_b64_encode(const uint8_t *in, size_t n, bool url, char *out, size_t outlen);

/* Decodes exactly n characters of unpadded base64. Rejects padding, characters of the other
 * alphabet, impossible lengths and non-zero trailing bits, so every byte string has a single
 * accepted encoding. Returns the decoded length, -EINVAL or -ENOBUFS (out content undefined). */
int auth_b64_decode(const char *in, size_t n, bool url, uint8_t *out, size_t outlen);
