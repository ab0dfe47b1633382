/* Start-up reconciliation between the store and the engine, and the Docker events follower
 * that keeps container states current without polling. */
#pragma once

#include "popd.h"

/* Makes the store and the engine agree (see docs/popd-rest.md, "Crash recovery"): adopts
 * started containers whose start was not recorded, finishes those that ended while popd-rest
 * was down, resumes interrupted stops, and removes labelled engine containers nobody owns.
 * Returns 0 or a negative errno when the engine cannot be read. */
int popd_reconcile(struct popd *p);

/* Starts / stops the events thread. The thread reconnects with capped backoff and runs
 * popd_reconcile after each reconnect so no event missed meanwhile is lost. */
int popd_events_start(struct popd *p);
void popd_events_stop(struct popd *p);
