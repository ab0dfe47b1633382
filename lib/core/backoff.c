/* Capped, doubled, jittered backoff (see backoff.h). */
#include "core/backoff.h"

#include "core/timeutil.h"

#include <stdint.h>

/* splitmix64: a small, well-mixed generator; jitter needs no cryptographic quality. */
static uint64_t backoff_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void backoff_init(struct backoff *b, int64_t base_ms, int64_t max_ms, int64_t healthy_ms)
{
    b->base_ms = base_ms < 1 ? 1 : base_ms;
    b->max_ms = max_ms < b->base_ms ? b->base_ms : max_ms;
    b->healthy_ms = healthy_ms < 0 ? 0 : healthy_ms;
    b->next_ms = b->base_ms;
    b->up_since_ms = -1;
    /* Different per process and per struct, so peers restarted together spread out. */
    b->seed = (uint64_t)time_now_ms() ^ ((uint64_t)(uintptr_t)b << 16);
}

void backoff_up(struct backoff *b, int64_t now_ms)
{
    b->up_since_ms = now_ms;
}

int64_t backoff_next(struct backoff *b, int64_t now_ms)
{
    if (b->up_since_ms >= 0 && now_ms - b->up_since_ms >= b->healthy_ms)
        b->next_ms = b->base_ms;
    b->up_since_ms = -1;
    int64_t delay = b->next_ms;
    int64_t half = delay / 2;
    if (half > 0)
        delay -= (int64_t)(backoff_rand(&b->seed) % (uint64_t)(half + 1));
    b->next_ms = b->next_ms > b->max_ms / 2 ? b->max_ms : b->next_ms * 2;
    return delay;
}
