/* Cryptographically secure random bytes and identifiers (OpenSSL's DRBG). */
#pragma once

#include <stddef.h>

/* Largest nbytes auth_random_hex accepts. */
#define AUTH_RANDOM_HEX_MAX 512

/* Fills buf with n random bytes. Returns 0, -EINVAL (n too large for OpenSSL) or -EIO when the
 * generator fails; buf content is undefined on failure and must not be used. */
int auth_random_bytes(void *buf, size_t n);

/* Writes 2*nbytes lowercase hex digits of fresh randomness plus a NUL into out. Returns 0,
 * -EINVAL (nbytes 0 or above AUTH_RANDOM_HEX_MAX), -ENOBUFS (outlen < 2*nbytes+1) or -EIO;
 * out untouched on failure. */
int auth_random_hex(size_t nbytes, char *out, size_t outlen);

/* Writes a random (version 4, RFC 4122 variant) UUID "xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx"
 * in lowercase into out. Returns 0 or -EIO (out untouched). */
int auth_uuid4(char out[static 37]);
