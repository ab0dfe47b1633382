/* Crash points (crashpoint.h): one name read at start-up, compared at every point. */
#include "crashpoint.h"

#include "core/log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char crash_at[64];

void crashpoint_init(void)
{
    const char *v = getenv("NFVO_CRASH_AT");
    snprintf(crash_at, sizeof(crash_at), "%s", v ? v : "");
    if (crash_at[0])
        log_warn("crash point %s armed: pop-nfvo will kill itself there", crash_at);
}

void crashpoint(const char *name)
{
    if (!crash_at[0] || strcmp(name, crash_at) != 0)
        return;
    /* One write, no stdio buffers: the log line must be out before the process is gone. */
    static const char pre[] = "pop-nfvo: crash point ";
    (void)!write(STDERR_FILENO, pre, sizeof(pre) - 1);
    (void)!write(STDERR_FILENO, name, strlen(name));
    (void)!write(STDERR_FILENO, "\n", 1);
    raise(SIGKILL);
    _exit(137); /* not reached */
}
