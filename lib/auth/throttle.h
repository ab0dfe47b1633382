/* Per-account slow-down of failed logins: the first AUTH_THROTTLE_FREE_FAILURES failures in a row
 * are free, each further one makes the account wait 250 ms, doubling up to 30 s. In memory,
 * thread-safe, bounded. Times are caller-supplied milliseconds (any monotonic clock). */
#pragma once

#include <stdint.h>

#define AUTH_THROTTLE_FREE_FAILURES 3
#define AUTH_THROTTLE_BASE_MS 250
#define AUTH_THROTTLE_MAX_MS 30000
/* An account with no failure for this long starts over. */
#define AUTH_THROTTLE_FORGET_MS (15 * 60 * 1000)
/* Accounts tracked at once; when full, the least-failed (then oldest) entry is dropped. */
#define AUTH_THROTTLE_ENTRIES 4096

struct auth_throttle;

/* Returns a new, empty table, or NULL when out of memory. Free with auth_throttle_free. */
struct auth_throttle *auth_throttle_new(void);
void auth_throttle_free(struct auth_throttle *t);

/* Milliseconds the caller must still wait before checking a password for account (0: go
 * ahead). account is any string, known user or not (it is stored hashed, so its length does
 * not matter); NULL counts as "". */
int64_t auth_throttle_wait_ms(struct auth_throttle *t, const char *account, int64_t now_ms);

/* Records a failed login for account at now_ms. Silently does nothing if hashing fails. */
void auth_throttle_failure(struct auth_throttle *t, const char *account, int64_t now_ms);

/* Forgets account's failures after a successful login. */
void auth_throttle_success(struct auth_throttle *t, const char *account);
