/* The Pop session cache: one lib/popc client per (url, user, password), shared by every worker
 * thread, bounded, least recently used dropped first. Entries are reference counted so that a
 * session dropped from a full cache stays valid for the calls still using it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/digest.h"
#include "auth/random.h"
#include "core/cleanup.h"
#include "popc/popc.h"
#include "vimd-int.h"

#define CACHE_KEY_LEN 32

struct vimd_session {
    struct vimd_sessions *owner;
    unsigned refs; /* holders, plus one while in the cache; under owner->lock */
    uint64_t used; /* the cache's tick at its last get: the smallest is dropped first */
    char *url;     /* as given, trailing slashes dropped */
    char *user;    /* NULL: none */
    bool has_password;
    uint8_t password_mac[AUTH_HMAC_SHA256_LEN];
    struct popc *popc;
};

struct vimd_sessions {
    pthread_mutex_t lock;
    size_t max, n;
    struct vimd_session **v; /* the cached ones, n of them */
    uint64_t tick;
    long timeout_ms;
    long refused_retry_ms;
    size_t max_idle;
    uint8_t key[CACHE_KEY_LEN]; /* for the password HMACs; never leaves this process */
};

static void session_free(struct vimd_session *x)
{
    if (!x)
        return;
    popc_free(x->popc);
    free(x->url);
    free(x->user);
    free(x);
}

int vimd_sessions_new(size_t max, long timeout_ms, long refused_retry_ms, size_t max_idle,
                      struct vimd_sessions **ret)
{
    if (max < 1 || max > VIMD_SESSIONS_MAX || timeout_ms < 0 || refused_retry_ms < 0)
        return -EINVAL;
    struct vimd_sessions *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->v = calloc(max, sizeof(*s->v));
    if (!s->v || pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s->v);
        free(s);
        return -ENOMEM;
    }
    if (auth_random_bytes(s->key, sizeof(s->key)) < 0) {
        pthread_mutex_destroy(&s->lock);
        free(s->v);
        free(s);
        return -EIO;
    }
    s->max = max;
    s->timeout_ms = timeout_ms;
    s->refused_retry_ms = refused_retry_ms;
    s->max_idle = max_idle;
    *ret = s;
    return 0;
}

void vimd_sessions_free(struct vimd_sessions *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        session_free(s->v[i]);
    pthread_mutex_destroy(&s->lock);
    free(s->v);
    free(s);
}

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The url as the cache compares it: trailing slashes do not make another Pop. */
static char *url_key(const char *url)
{
    size_t len = strlen(url);
    while (len > 0 && url[len - 1] == '/')
        len--;
    return strndup(url, len);
}

/* Called with the lock held: drops the least recently used entry from the cache (freeing it
 * unless a call still holds it). */
static void evict_one(struct vimd_sessions *s)
{
    size_t victim = 0;
    for (size_t i = 1; i < s->n; i++)
        if (s->v[i]->used < s->v[victim]->used)
            victim = i;
    struct vimd_session *x = s->v[victim];
    s->v[victim] = s->v[--s->n];
    if (--x->refs == 0)
        session_free(x);
}

int vimd_sessions_get(struct vimd_sessions *s, const char *url, const char *user,
                      const char *password, struct vimd_session **ret, struct pop_error *err)
{
    uint8_t mac[AUTH_HMAC_SHA256_LEN] = {0};
    if (password && auth_hmac_sha256(s->key, sizeof(s->key), password, strlen(password), mac) < 0)
        return pop_error_set(err, -EIO, API_INTERNAL, NULL, "cannot digest the Pop password");
    _cleanup_free_ char *key_url = url_key(url);
    if (!key_url)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);

    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&s->lock);
    for (size_t i = 0; i < s->n; i++) {
        struct vimd_session *x = s->v[i];
        if (strcmp(x->url, key_url) == 0 && str_eq(x->user, user) &&
            x->has_password == (password != NULL) &&
            memcmp(x->password_mac, mac, sizeof(mac)) == 0) {
            x->refs++;
            x->used = ++s->tick;
            *ret = x;
            return 0;
        }
    }
    /* A new one. popc_new does no I/O, so making it under the lock costs no wait on the
     * network, and two threads asking for the same new Pop at once get one session. */
    struct vimd_session *x = calloc(1, sizeof(*x));
    if (!x)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    x->url = TAKE_PTR(key_url);
    if (user && !(x->user = strdup(user))) {
        session_free(x);
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    }
    struct popc_config cfg = {
        .url = url,
        .user = user,
        .password = password,
        .timeout_ms = s->timeout_ms,
        .refused_retry_ms = s->refused_retry_ms,
        .max_idle = s->max_idle,
    };
    int r = popc_new(&cfg, &x->popc, err);
    if (r < 0) {
        session_free(x);
        return r;
    }
    x->owner = s;
    x->has_password = password != NULL;
    memcpy(x->password_mac, mac, sizeof(mac));
    if (s->n == s->max)
        evict_one(s);
    x->refs = 2; /* the cache and the caller */
    x->used = ++s->tick;
    s->v[s->n++] = x;
    *ret = x;
    return 0;
}

void vimd_session_put(struct vimd_session *x)
{
    if (!x)
        return;
    struct vimd_sessions *s = x->owner;
    bool last;
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&s->lock);
        last = --x->refs == 0;
    }
    /* Only a session no longer in the cache can reach 0, and nothing can find it any more:
     * free it outside the lock (popc_free closes connections). */
    if (last)
        session_free(x);
}

struct popc *vimd_session_popc(const struct vimd_session *x)
{
    return x->popc;
}

size_t vimd_sessions_count(struct vimd_sessions *s)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&s->lock);
    return s->n;
}
