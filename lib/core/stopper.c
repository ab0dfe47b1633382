/* The stop token (see stopper.h): an eventfd that is written once and never read, so it stays
 * readable and one write wakes every poller, however many there are. */
#include "core/stopper.h"

#include "core/timeutil.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct stopper {
    int fd;
    atomic_bool fired;
};

int stopper_new(struct stopper **ret)
{
    struct stopper *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->fd < 0) {
        int r = -errno;
        free(s);
        return r;
    }
    atomic_init(&s->fired, false);
    *ret = s;
    return 0;
}

void stopper_free(struct stopper *s)
{
    if (!s)
        return;
    close(s->fd);
    free(s);
}

void stopper_fire(struct stopper *s)
{
    if (atomic_exchange(&s->fired, true))
        return;
    uint64_t one = 1;
    /* Cannot fail in a way that matters: the counter starts at 0 and is written once. */
    ssize_t n = write(s->fd, &one, sizeof(one));
    (void)n;
}

bool stopper_fired(const struct stopper *s)
{
    return atomic_load(&s->fired);
}

int stopper_fd(const struct stopper *s)
{
    return s->fd;
}

int stopper_sleep_ms(const struct stopper *s, int64_t ms)
{
    int64_t deadline = time_mono_ms() + (ms > 0 ? ms : 0);
    for (;;) {
        if (stopper_fired(s))
            return -ECANCELED;
        int64_t left = deadline - time_mono_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (n > 0)
            return -ECANCELED;
        /* 0: the time is up (checked above on the next turn); < 0: EINTR, sleep on. */
    }
}
