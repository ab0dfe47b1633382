/* Networks (virtual links): each a Docker bridge network with one IPv4 subnet picked from the
 * configured pools so that it overlaps no Docker network and no host route. */
#pragma once

#include "core/error.h"
#include "popd.h"

#include <stdbool.h>

struct network_request {
    const char *name;
    const char *cidr;    /* NULL = pick from the pools */
    const char *gateway; /* NULL = first address */
    bool internal;
};

/* Creates the Pop network and its Docker network. Returns 0 and fills *ret, or: -EEXIST (name
 * taken), -EADDRINUSE (cidr overlaps something), -ENOSPC (pools exhausted), -EINVAL (bad
 * cidr/gateway), or an engine error; err says what, naming the field. */
int popd_network_create(struct popd *p, const struct network_request *req, struct pop_network *ret,
                        struct pop_error *err);

/* Deletes a network: -ENOENT, -EBUSY (containers have endpoints on it), -EPERM (the default
 * network), or an engine error; err says what. */
int popd_network_delete(struct popd *p, const char *id_or_name, struct pop_error *err);

/* At start-up: makes sure the default network exists, re-creates Docker networks that vanished
 * and reserves the addresses of containers already attached that popd-rest does not own. */
int popd_networks_init(struct popd *p, char *err, size_t errlen);
