/* Container lifecycle against the engine: Start, Stop, Delete, recreate-with-new-metadata,
 * and finalisation when a container ends on its own. Every state change goes through the
 * store's conditional transitions, so concurrent paths (events, jobs, requests) never move a
 * container backwards. */
#pragma once

#include "core/error.h"
#include "popd.h"

/* Every operation below records why it failed in err (the API code, the field, the detail a
 * client is shown), so a handler replies with http_reply_pop_error and maps nothing. */

/* CREATED -> RUNNING: creates and starts the Docker container with the metadata as
 * environment and the reserved addresses. Returns 0 and the updated container in *ret;
 * -ENOENT (no such container, or the image is not on the engine: nothing changed; err says
 * which); -ESTALE (wrong state); -EBUSY (operation in progress); -EIO (engine failure: the
 * container is now FAILED). */
int popd_container_start(struct popd *p, const char *id_or_name, struct pop_container *ret,
                         struct pop_error *err);

/* RUNNING -> STOPPING, then EXITED or FAILED in the background. Returns 0 with the STOPPING
 * container in *ret, -ENOENT, -ESTALE, -EBUSY. */
int popd_container_stop(struct popd *p, const char *id_or_name, struct pop_container *ret,
                        struct pop_error *err);

/* Any state: stops and removes the Docker container if any, releases addresses and forgets
 * the container. Returns 0, -ENOENT, -EBUSY (another operation did not finish in time), or
 * -EIO (the engine would not remove it; nothing forgotten). */
int popd_container_delete(struct popd *p, const char *id_or_name, struct pop_error *err);

/* Merges patch into the metadata. CREATED (with or without recreate): stored for the start.
 * RUNNING with recreate: the Docker container is replaced by one with the same name, addresses and
 * the new environment, and stays RUNNING. Returns 0 and the container in *ret, -ENOENT, -ESTALE,
 * -EBUSY, -E2BIG (too many entries), -EIO (recreate failed: the container is FAILED). */
int popd_container_metadata(struct popd *p, const char *id_or_name, const struct md_set *patch,
                            bool recreate, struct pop_container *ret, struct pop_error *err);

/* A RUNNING container's Docker container ended on its own (events or reconcile): moves it to
 * EXITED (code 0) or FAILED, releases its addresses and removes the Docker container.
 * docker_id must be the one the row holds, otherwise nothing happens (an old container of a
 * recreate). The caller holds the container's busy mark. */
void popd_container_ended(struct popd *p, struct docker_client *dc, const char *id,
                          const char *docker_id, int exit_code, bool oom);

/* For reconcile: a RUNNING container whose row holds no engine id had its recreate cut short
 * (popd-rest died between forgetting the old engine container and recording the new one).
 * Finishes it: whatever engine container it has is replaced by a fresh one with the stored
 * metadata and addresses; FAILED when that fails. Does nothing in any other case. The caller
 * holds the container's busy mark. */
void popd_container_resume_recreate(struct popd *p, const char *id);

/* Background part of a stop, also used by reconcile for containers found STOPPING. The caller
 * holds the container's busy mark. */
void popd_container_finish_stop(struct popd *p, const char *id);
