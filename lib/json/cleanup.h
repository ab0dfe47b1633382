/* The scope-bound cleanup for jansson values (json_t is the shared value type, see STYLE):
 * header-only and needing nothing but jansson, so every area holding json_t (lib/json, lib/docker
 * reading engine replies, handlers) uses this one definition without linking lib/json. */
#pragma once

#include <jansson.h>

static inline void jv_decrefp(json_t **p)
{
    json_decref(*p); /* accepts NULL */
}
/* _cleanup_json_ json_t *v = json_object(); drops the reference however the scope ends; hand
 * it on with TAKE_PTR(v). */
#define _cleanup_json_ __attribute__((cleanup(jv_decrefp)))
