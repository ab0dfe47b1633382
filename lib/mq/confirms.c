/* Publishes on the publish channel waiting for the broker's basic.ack/nack (publisher
 * confirms): a ring ordered by delivery tag, so "multiple" acks settle a prefix and single acks
 * out of order are found by binary search. Used by the I/O thread only. */
#include "mq/mq-int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int mq_confirms_init(struct mq_confirms *c, size_t cap)
{
    memset(c, 0, sizeof(*c));
    c->v = calloc(cap, sizeof(*c->v));
    if (!c->v)
        return -ENOMEM;
    c->cap = cap;
    c->next_seq = 1;
    return 0;
}

void mq_confirms_done(struct mq_confirms *c)
{
    free(c->v);
    c->v = NULL;
}

void mq_confirms_reset(struct mq_confirms *c)
{
    c->head = c->n = 0;
    c->next_seq = 1;
}

static struct mq_confirm *at(struct mq_confirms *c, size_t i)
{
    return &c->v[(c->head + i) % c->cap];
}

/* Drops settled entries from the front. */
static void compact(struct mq_confirms *c)
{
    while (c->n && at(c, 0)->id == 0) {
        c->head = (c->head + 1) % c->cap;
        c->n--;
    }
}

uint64_t mq_confirms_push(struct mq_confirms *c, uint64_t id, uint64_t *ret_dropped)
{
    *ret_dropped = 0;
    if (c->n == c->cap) {
        *ret_dropped = at(c, 0)->id;
        c->head = (c->head + 1) % c->cap;
        c->n--;
        compact(c);
    }
    uint64_t seq = c->next_seq++;
    *at(c, c->n) = (struct mq_confirm){.seq = seq, .id = id};
    c->n++;
    return seq;
}

size_t mq_confirms_settle(struct mq_confirms *c, uint64_t tag, bool multiple,
                          void (*fn)(uint64_t id, void *ud), void *ud)
{
    size_t settled = 0;
    if (multiple) {
        while (c->n && at(c, 0)->seq <= tag) {
            uint64_t id = at(c, 0)->id;
            c->head = (c->head + 1) % c->cap;
            c->n--;
            if (id) {
                fn(id, ud);
                settled++;
            }
        }
        compact(c);
        return settled;
    }
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (at(c, mid)->seq < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->n && at(c, lo)->seq == tag && at(c, lo)->id) {
        uint64_t id = at(c, lo)->id;
        at(c, lo)->id = 0;
        fn(id, ud);
        settled = 1;
    }
    compact(c);
    return settled;
}

size_t mq_confirms_drain(struct mq_confirms *c, void (*fn)(uint64_t id, void *ud), void *ud)
{
    size_t settled = 0;
    for (size_t i = 0; i < c->n; i++) {
        uint64_t id = at(c, i)->id;
        if (id) {
            fn(id, ud);
            settled++;
        }
    }
    c->head = c->n = 0;
    return settled;
}
