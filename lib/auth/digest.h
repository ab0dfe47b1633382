/* Keyed digests: HMAC-SHA256 for values a process must recognise again without keeping them
 * (a password as part of a cache key), and the comparison of secrets held in clear. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define AUTH_HMAC_SHA256_LEN 32

/* Writes HMAC-SHA256(key, data) into out. key_len and len may be 0. Returns 0, -EINVAL (a
 * length OpenSSL cannot take) or -EIO (OpenSSL failed); out is undefined on failure. */
int auth_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                     uint8_t out[static AUTH_HMAC_SHA256_LEN]);

/* Whether the strings a and b (NULL counts as "") are equal, at a cost that depends on neither
 * their content nor where they differ (both are digested, the digests compared in constant
 * time): for a shared secret such as an OAuth client's. Returns 1, 0 or -EIO. */
int auth_secret_equal(const char *a, const char *b);
