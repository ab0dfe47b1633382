/* The process's signal policy, in one place: services block SIGTERM/SIGINT in every thread and
 * wait for them in main, so no handler runs in a random thread and shutdown happens in one
 * place; every program ignores SIGPIPE, so a peer closing a socket is an EPIPE error where the
 * write happens, never a death. Libraries (lib/httpc, lib/http) leave signals alone. */
#pragma once

/* Blocks SIGTERM and SIGINT for the calling thread and every thread it creates afterwards,
 * and ignores SIGPIPE (signals_ignore_sigpipe). Call first thing in a service's main. */
void signals_block_termination(void);

/* Ignores SIGPIPE for the whole process. For programs that keep the default handling of
 * SIGTERM and SIGINT (the CLI, where Ctrl-C must still end it); call first thing in main. */
void signals_ignore_sigpipe(void);

/* Waits for SIGTERM or SIGINT and returns its number. */
int signals_wait_termination(void);
