/* Heal and start/stop of one VNFC of a Network Service Record (reference §3.7, §6.2): the
 * routes under /api/v1/ns-records/{id}/vnfrecords/{vnfrId}/vdunits/{vduId}/vnfcinstances. */
#pragma once

#include <stddef.h>

struct http_route;

const struct http_route *nfvo_heal_routes(size_t *ret_n);
