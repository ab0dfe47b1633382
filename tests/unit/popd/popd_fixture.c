/* Fixture pieces the popd-rest unit tests share (see popd_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "popd_fixture.h"

#include <stdio.h>

void popd_fixture_add_network(struct pop_store *st, const char *id, const char *name,
                              const char *cidr)
{
    struct pop_network n = {0};
    snprintf(n.id, sizeof(n.id), "%s", id);
    snprintf(n.name, sizeof(n.name), "%s", name);
    snprintf(n.docker_name, sizeof(n.docker_name), "test-%s", name);
    assert_int_equal(ipam_parse_cidr(cidr, &n.subnet), 0);
    n.subnet.gateway = ipam_default_gateway(&n.subnet);
    n.created = 1;
    assert_int_equal(store_network_add(st, &n), 0);
}
