/* Blocking and waiting for termination signals (see signals.h). */
#include "core/signals.h"

#include <pthread.h>
#include <signal.h>

static void termination_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
}

void signals_block_termination(void)
{
    sigset_t set;
    termination_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int signals_wait_termination(void)
{
    sigset_t set;
    termination_set(&set);
    int sig = 0;
    while (sigwait(&set, &sig) != 0)
        ;
    return sig;
}
