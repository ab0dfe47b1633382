/* Password hashing with PBKDF2-HMAC-SHA256 into a self-describing string:
 * "$pbkdf2-sha256$i=<iterations>$<salt>$<hash>" (base64 without padding). */
#pragma once

/* Longest password accepted, in bytes; longer ones are -EINVAL (caps the work per login). */
#define AUTH_PASSWORD_MAX 1024
/* OWASP 2023 recommendation for PBKDF2-HMAC-SHA256. */
#define AUTH_PASSWORD_DEFAULT_ITERATIONS 600000u
/* Upper bound accepted when hashing or verifying, so a stored string cannot stall a login. */
#define AUTH_PASSWORD_MAX_ITERATIONS 10000000u

/* Hashes password with a fresh 16-byte random salt. iterations 0 means the default; a lower
 * count is only for tests. On success *ret_encoded is a malloc'ed string the caller frees.
 * Returns 0, -EINVAL (NULL/empty/oversize password, iterations above the maximum), -ENOMEM or
 * -EIO (OpenSSL failure); *ret_encoded untouched on failure. */
int auth_password_hash(const char *password, unsigned iterations, char **ret_encoded);

/* Checks password against an encoded string from auth_password_hash, comparing in constant
 * time. Returns 0 on match, -EACCES on mismatch, -EINVAL when encoded is malformed or the
 * password is NULL or oversize, -EIO on OpenSSL failure. */
int auth_password_verify(const char *password, const char *encoded);

/* Does the work of verifying against a default-iteration hash and throws the result away:
 * call it for unknown users so the cost of a login does not tell which accounts exist.
 * password may be NULL or oversize (then a dummy is used). */
void auth_password_burn(const char *password);
