/* Termination signals for services: block SIGTERM/SIGINT in every thread, then wait for them
 * in main, so no handler runs in a random thread and shutdown happens in one place. */
#pragma once

/* Blocks SIGTERM and SIGINT for the calling thread and every thread it creates afterwards,
 * and ignores SIGPIPE. Call first thing in main. */
void signals_block_termination(void);

/* Waits for SIGTERM or SIGINT and returns its number. */
int signals_wait_termination(void);
