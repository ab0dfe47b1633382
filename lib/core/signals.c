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
    signals_ignore_sigpipe();
}

void signals_ignore_sigpipe(void)
{
    /* libcurl's CURLOPT_NOSIGNAL (needed in threaded programs) and TLS writes through
     * write(2) leave SIGPIPE to the application: this is that application's choice. */
    struct sigaction sa = {.sa_handler = SIG_IGN};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
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
