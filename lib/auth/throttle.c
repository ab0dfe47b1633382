/* Failed-login throttle: a fixed table of accounts keyed by SHA-256 of the name, one mutex. */
#include "auth/throttle.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define THROTTLE_KEY_LEN 32

struct throttle_entry {
    uint8_t key[THROTTLE_KEY_LEN];
    bool used;
    uint32_t failures;     /* consecutive failures */
    int64_t last_ms;       /* time of the latest failure */
    int64_t not_before_ms; /* no attempt allowed before this */
};

struct auth_throttle {
    pthread_mutex_t lock;
    struct throttle_entry entries[AUTH_THROTTLE_ENTRIES];
};

struct auth_throttle *auth_throttle_new(void)
{
    struct auth_throttle *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void auth_throttle_free(struct auth_throttle *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static bool throttle_key(const char *account, uint8_t key[static THROTTLE_KEY_LEN])
{
    unsigned len = 0;
    if (!account)
        account = "";
    return EVP_Digest(account, strlen(account), key, &len, EVP_sha256(), NULL) == 1 &&
           len == THROTTLE_KEY_LEN;
}

static bool throttle_stale(const struct throttle_entry *e, int64_t now_ms)
{
    return now_ms - e->last_ms >= AUTH_THROTTLE_FORGET_MS;
}

/* Called with the lock held. Returns the entry for key, or NULL. */
static struct throttle_entry *throttle_find(struct auth_throttle *t, const uint8_t *key)
{
    for (size_t i = 0; i < AUTH_THROTTLE_ENTRIES; i++) {
        struct throttle_entry *e = &t->entries[i];
        if (e->used && memcmp(e->key, key, THROTTLE_KEY_LEN) == 0)
            return e;
    }
    return NULL;
}

/* Called with the lock held. A free or stale slot if any, else the entry with the fewest
 * failures (oldest first): flooding the table with fresh names cannot push out an account
 * under attack, whose failure count is higher. */
static struct throttle_entry *throttle_victim(struct auth_throttle *t, int64_t now_ms)
{
    struct throttle_entry *best = NULL;
    for (size_t i = 0; i < AUTH_THROTTLE_ENTRIES; i++) {
        struct throttle_entry *e = &t->entries[i];
        if (!e->used || throttle_stale(e, now_ms))
            return e;
        if (!best || e->failures < best->failures ||
            (e->failures == best->failures && e->last_ms < best->last_ms))
            best = e;
    }
    return best;
}

static int64_t throttle_delay_ms(uint32_t failures)
{
    if (failures <= AUTH_THROTTLE_FREE_FAILURES)
        return 0;
    uint32_t doublings = failures - AUTH_THROTTLE_FREE_FAILURES - 1;
    int64_t d = AUTH_THROTTLE_BASE_MS;
    while (doublings-- > 0 && d < AUTH_THROTTLE_MAX_MS)
        d *= 2;
    return d < AUTH_THROTTLE_MAX_MS ? d : AUTH_THROTTLE_MAX_MS;
}

int64_t auth_throttle_wait_ms(struct auth_throttle *t, const char *account, int64_t now_ms)
{
    uint8_t key[THROTTLE_KEY_LEN];
    int64_t wait = 0;
    if (!t || !throttle_key(account, key))
        return 0;
    pthread_mutex_lock(&t->lock);
    struct throttle_entry *e = throttle_find(t, key);
    if (e && e->not_before_ms > now_ms)
        wait = e->not_before_ms - now_ms;
    pthread_mutex_unlock(&t->lock);
    return wait;
}

void auth_throttle_failure(struct auth_throttle *t, const char *account, int64_t now_ms)
{
    uint8_t key[THROTTLE_KEY_LEN];
    if (!t || !throttle_key(account, key))
        return;
    pthread_mutex_lock(&t->lock);
    struct throttle_entry *e = throttle_find(t, key);
    if (e && throttle_stale(e, now_ms))
        e->failures = 0;
    if (!e) {
        e = throttle_victim(t, now_ms);
        memset(e, 0, sizeof(*e));
        memcpy(e->key, key, THROTTLE_KEY_LEN);
        e->used = true;
    }
    if (e->failures < UINT32_MAX)
        e->failures++;
    e->last_ms = now_ms;
    e->not_before_ms = now_ms + throttle_delay_ms(e->failures);
    pthread_mutex_unlock(&t->lock);
}

void auth_throttle_success(struct auth_throttle *t, const char *account)
{
    uint8_t key[THROTTLE_KEY_LEN];
    if (!t || !throttle_key(account, key))
        return;
    pthread_mutex_lock(&t->lock);
    struct throttle_entry *e = throttle_find(t, key);
    if (e)
        memset(e, 0, sizeof(*e));
    pthread_mutex_unlock(&t->lock);
}
