/* Per-client token buckets (e.g. N logins per minute per address): in memory, thread-safe,
 * bounded. Times are caller-supplied monotonic milliseconds. */
#pragma once

#include <stdint.h>

#define GW_RATELIMIT_ENTRIES 4096 /* clients tracked; when full the least recently seen goes */
#define GW_RATELIMIT_KEY_MAX 64

struct gw_ratelimit;

/* Parses "N/s", "N/m" (or "N/min"), "N/h", or a bare "N" (per minute). "0" means no limit
 * (*ret_count = 0). Returns 0 or -EINVAL; outputs untouched on failure. */
int gw_ratelimit_parse(const char *spec, unsigned *ret_count, unsigned *ret_period_s);

/* A limiter allowing bursts of count and count per period_s on average per key. Returns NULL
 * when out of memory or when count or period_s is 0. Free with gw_ratelimit_free. */
struct gw_ratelimit *gw_ratelimit_new(unsigned count, unsigned period_s);
void gw_ratelimit_free(struct gw_ratelimit *rl);

/* Takes one token for key (truncated to GW_RATELIMIT_KEY_MAX-1 bytes) at now_ms. Returns 0 when
 * allowed, or -EAGAIN with the whole seconds (>= 1) until a token is back in *ret_retry_s. */
int gw_ratelimit_take(struct gw_ratelimit *rl, const char *key, int64_t now_ms,
                      int64_t *ret_retry_s);
