/* Fixture pieces the popd-rest unit tests share (compiled into each that needs them): a
 * network row put straight into the store, as popd_networks_init or a network create would
 * leave it, without the Docker network behind it. */
#pragma once

#include "store.h"

/* Adds network id/name with subnet cidr (gateway: its first address) to the store, Docker
 * name "test-<name>", no Docker id; fails the test when the store refuses it. */
void popd_fixture_add_network(struct pop_store *st, const char *id, const char *name,
                              const char *cidr);
