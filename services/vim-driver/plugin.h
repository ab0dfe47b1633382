/* pop-vim-driver's AMQP side (reference §1.2, §2.2-2.3): registers as the plugin
 * vim-drivers.<type>.<name> with the NFVO, reconnects with the credentials the NFVO returns,
 * serves the plugin queue through the driver core, registers again when the broker stops
 * accepting those credentials, and deregisters on an orderly stop. All of it runs on a thread
 * of its own (lib/mq's manager), so a broker or an NFVO that is not there yet delays serving,
 * never the start. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct vimd;
struct vimd_config;
struct metrics;
struct vimd_plugin;

/* Starts the plugin thread. cfg and core are borrowed and must outlive the plugin; metrics
 * (may be NULL) gets lib/mq's families. Returns 0, or a negative errno with err filled. */
int vimd_plugin_start(const struct vimd_config *cfg, struct vimd *core, struct metrics *metrics,
                      struct vimd_plugin **ret, struct pop_error *err);

/* Deregisters (when registered and connected), stops consuming, lets the requests being
 * handled finish (at most drain_ms) and frees everything. Requests not answered by then go
 * back to the queue for the next driver. Accepts NULL. */
void vimd_plugin_stop(struct vimd_plugin *p, int64_t drain_ms);

/* The plugin id, "vim-drivers.<type>.<name>". */
const char *vimd_plugin_id(const struct vimd_plugin *p);

/* {"plugin", "state": "registering"|"connecting"|"serving", "connects", "last_error"} for
 * /healthz; *ret_serving says whether requests are being served. NULL on ENOMEM. */
json_t *vimd_plugin_health(struct vimd_plugin *p, bool *ret_serving);
