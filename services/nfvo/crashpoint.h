/* Named crash points for the crash tests (tests/integration/nfvo/crash.sh): when the
 * environment variable NFVO_CRASH_AT, read once by crashpoint_init at start-up, names a point,
 * the process dies there at once by SIGKILL, as a kill -9 would, with nothing flushed or
 * released. Unset (or naming no point reached), a crash point does nothing. The points and what
 * a restart makes of each are listed in README.md ("Crashes"). */
#pragma once

/* Reads NFVO_CRASH_AT; call once before any crash point can be reached. */
void crashpoint_init(void);
/* Dies by SIGKILL when name is the point NFVO_CRASH_AT named. */
void crashpoint(const char *name);
