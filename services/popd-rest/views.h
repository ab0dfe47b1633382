/* JSON views of Pop entities, shaped like the Pop protobuf messages (thesis appendix B). */
#pragma once

#include "popd.h"

#include <jansson.h>

struct docker_image_info;

/* Each returns a new reference, or NULL when out of memory. */
json_t *view_container(const struct pop_container *c);
json_t *view_network(const struct pop_network *n);
json_t *view_flavour(const struct popd_flavour *f);
json_t *view_image(const struct docker_image_info *img);
/* {"list": items} taking ownership of items (a JSON array). */
json_t *view_list(json_t *items);
