/* The VIM instances pop-vnfm knows, for the requests that name a VNFC's VIM only by id (every
 * request but INSTANTIATE and SCALE_OUT, reference §3.3): the ones VNFM_VIMS_FILE lists, and the
 * ones seen in the NFVO's messages since the start (kept in memory only: after a restart only the
 * file answers until the NFVO sends them again). Thread-safe. */
#pragma once

#include <jansson.h>

#include "core/error.h"

struct vnfm_vims;

/* Most VIM instances remembered from messages; the oldest is forgotten beyond. */
#define VNFM_VIMS_SEEN_MAX 1024
/* Most VIM instances the file may list, and its largest size. */
#define VNFM_VIMS_FILE_MAX 1024
#define VNFM_VIMS_FILE_BYTES (4u << 20)

/* Loads path (NULL or "" = no file): a JSON array of VIM instance objects, each with a string
 * id, name, authUrl and type (username and password as the driver needs them). Returns 0, or
 * -EINVAL/-ENOENT/-ENOMEM with err naming the file and the entry at fault. */
int vnfm_vims_new(const char *path, struct vnfm_vims **ret, struct pop_error *err);
void vnfm_vims_free(struct vnfm_vims *v);

/* Remembers every VIM instance msg carries (INSTANTIATE's vimInstances lists, pop-nfvo's
 * vimInstances {id: VIM} on the other requests, SCALE_OUT's vimInstance) or an NFVO answer carries
 * (a grant's vduVim): objects with a string id. */
void vnfm_vims_see(struct vnfm_vims *v, const json_t *msg);

/* The VIM instance with id vim_id: the last one seen in a message (the NFVO's freshest), else
 * the file's. 0 and a new reference, or -ENOENT with e saying where it looked. */
int vnfm_vims_lookup(struct vnfm_vims *v, const char *vim_id, json_t **ret, struct pop_error *e);

/* How many are known (file, seen), for /healthz. */
void vnfm_vims_count(struct vnfm_vims *v, size_t *ret_file, size_t *ret_seen);
