/* Unit tests for IPAM: parsing, lowest-free allocation, exhaustion, subnet selection, and the
 * rules on what subnets and addresses a client may ask for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "ipam.h"

static uint32_t A(const char *s)
{
    uint32_t a = 0;
    assert_int_equal(ipam_parse_addr(s, &a), 0);
    return a;
}

static void test_parse(void **state)
{
    (void)state;
    struct ipam_subnet sn;
    assert_int_equal(ipam_parse_cidr("172.16.0.0/16", &sn), 0);
    assert_int_equal(sn.base, A("172.16.0.0"));
    assert_int_equal(sn.prefix, 16);
    assert_int_equal(ipam_parse_cidr("172.16.0.1/16", &sn), -EINVAL); /* host bits set */
    assert_int_equal(ipam_parse_cidr("172.16.0.0/33", &sn), -EINVAL);
    assert_int_equal(ipam_parse_cidr("172.16.0.0", &sn), -EINVAL);
    assert_int_equal(ipam_parse_cidr("172.16.0.0/", &sn), -EINVAL);
    assert_int_equal(ipam_parse_cidr("300.16.0.0/16", &sn), -EINVAL);
    assert_int_equal(ipam_parse_cidr("10.0.0.0/8x", &sn), -EINVAL);
    char out[19];
    ipam_parse_cidr("10.1.2.0/24", &sn);
    ipam_format_cidr(&sn, out);
    assert_string_equal(out, "10.1.2.0/24");
    uint32_t a;
    assert_int_equal(ipam_parse_addr("1.2.3", &a), -EINVAL);
    assert_int_equal(ipam_parse_addr("01.2.3.4", &a), -EINVAL);
}

static void test_pick_lowest_free_skips_reserved(void **state)
{
    (void)state;
    struct ipam_subnet sn;
    ipam_parse_cidr("10.9.0.0/29", &sn); /* .0 net, .7 broadcast */
    sn.prefix = 29;
    /* /29 is below IPAM_MIN_PREFIX? no: it is a longer prefix, allowed */
    sn.gateway = A("10.9.0.1");
    uint32_t got;
    assert_int_equal(ipam_pick_free(&sn, NULL, 0, &got), 0);
    assert_int_equal(got, A("10.9.0.2"));
    uint32_t used[] = {A("10.9.0.2"), A("10.9.0.4"), A("192.168.0.1")};
    assert_int_equal(ipam_pick_free(&sn, used, 3, &got), 0);
    assert_int_equal(got, A("10.9.0.3"));
    uint32_t full[] = {A("10.9.0.2"), A("10.9.0.3"), A("10.9.0.4"), A("10.9.0.5"), A("10.9.0.6")};
    got = 0;
    assert_int_equal(ipam_pick_free(&sn, full, 5, &got), -ENOSPC);
    assert_int_equal(got, 0);
}

static void test_assignable(void **state)
{
    (void)state;
    struct ipam_subnet sn;
    ipam_parse_cidr("10.9.0.0/24", &sn);
    sn.gateway = A("10.9.0.1");
    assert_false(ipam_assignable(&sn, A("10.9.0.0")));
    assert_false(ipam_assignable(&sn, A("10.9.0.1")));
    assert_false(ipam_assignable(&sn, A("10.9.0.255")));
    assert_false(ipam_assignable(&sn, A("10.9.1.5")));
    assert_true(ipam_assignable(&sn, A("10.9.0.254")));
}

static void test_pick_subnet_avoids_overlaps(void **state)
{
    (void)state;
    struct ipam_subnet pool, got;
    ipam_parse_cidr("172.20.0.0/14", &pool);
    struct ipam_subnet taken[3];
    ipam_parse_cidr("172.20.0.0/24", &taken[0]);
    ipam_parse_cidr("172.20.1.128/25", &taken[1]);
    ipam_parse_cidr("172.16.0.0/12", &taken[2]); /* covers the whole pool */
    assert_int_equal(ipam_pick_subnet(&pool, 24, taken, 2, &got), 0);
    char out[19];
    ipam_format_cidr(&got, out);
    assert_string_equal(out, "172.20.2.0/24");
    assert_int_equal(got.gateway, A("172.20.2.1"));
    assert_int_equal(ipam_pick_subnet(&pool, 24, taken, 3, &got), -ENOSPC);
    assert_int_equal(ipam_pick_subnet(&pool, 12, taken, 0, &got), -EINVAL);
}

static void test_overlaps(void **state)
{
    (void)state;
    struct ipam_subnet a, b;
    ipam_parse_cidr("10.0.0.0/8", &a);
    ipam_parse_cidr("10.200.3.0/24", &b);
    assert_true(ipam_overlaps(&a, &b));
    assert_true(ipam_overlaps(&b, &a));
    ipam_parse_cidr("11.0.0.0/24", &b);
    assert_false(ipam_overlaps(&a, &b));
}

/* ipam_parse_network: expect refusal with exactly this reason (NULL = accepted). */
static void network_is(const char *cidr, const char *reason)
{
    struct ipam_subnet sn = {.base = 1, .prefix = 99};
    char why[200] = "";
    int r = ipam_parse_network(cidr, &sn, why, sizeof(why));
    if (!reason) {
        if (r != 0)
            fail_msg("%s refused: %s", cidr, why);
        char out[19];
        ipam_format_cidr(&sn, out);
        assert_string_equal(out, cidr);
        return;
    }
    if (r != -EINVAL)
        fail_msg("%s accepted, expected: %s", cidr, reason);
    assert_string_equal(why, reason);
    assert_int_equal(sn.prefix, 99); /* untouched on failure */
}

static void test_network_special_blocks(void **state)
{
    (void)state;
    /* 0.0.0.0/8 and its upper boundary */
    network_is("0.0.0.0/16", "subnet 0.0.0.0/16 is inside 0.0.0.0/8 (this network)");
    network_is("0.255.0.0/16", "subnet 0.255.0.0/16 is inside 0.0.0.0/8 (this network)");
    network_is("1.0.0.0/16", NULL);
    /* 127.0.0.0/8 */
    network_is("126.255.0.0/16", NULL);
    network_is("127.0.0.0/24", "subnet 127.0.0.0/24 is inside 127.0.0.0/8 (loopback)");
    network_is("127.255.255.248/29", "subnet 127.255.255.248/29 is inside 127.0.0.0/8 (loopback)");
    network_is("128.0.0.0/16", NULL);
    /* 169.254.0.0/16: the whole block and its neighbours */
    network_is("169.253.0.0/16", NULL);
    network_is("169.254.0.0/16", "subnet 169.254.0.0/16 is inside 169.254.0.0/16 (link-local)");
    network_is("169.254.200.0/24", "subnet 169.254.200.0/24 is inside 169.254.0.0/16 (link-local)");
    network_is("169.255.0.0/16", NULL);
    /* 224.0.0.0/4 */
    network_is("223.255.0.0/16", NULL);
    network_is("224.0.0.0/16", "subnet 224.0.0.0/16 is inside 224.0.0.0/4 (multicast)");
    network_is("239.255.255.0/24", "subnet 239.255.255.0/24 is inside 224.0.0.0/4 (multicast)");
    /* 240.0.0.0/4, up to the broadcast address */
    network_is("240.0.0.0/16",
               "subnet 240.0.0.0/16 is inside 240.0.0.0/4 (reserved, with the broadcast address "
               "255.255.255.255)");
    network_is("255.255.255.248/29",
               "subnet 255.255.255.248/29 is inside 240.0.0.0/4 (reserved, with the broadcast "
               "address 255.255.255.255)");
    /* private and documentation ranges are what operators use: allowed */
    network_is("10.0.0.0/16", NULL);
    network_is("172.16.0.0/16", NULL);
    network_is("192.168.1.0/24", NULL);
    network_is("192.0.2.0/24", NULL);
}

static void test_network_prefix_lengths(void **state)
{
    (void)state;
    network_is("10.0.0.0/15", "subnet 10.0.0.0/15: the prefix length must be 16-29");
    network_is("10.0.0.0/16", NULL);
    network_is("10.0.0.0/29", NULL);
    network_is("10.0.0.0/30", "subnet 10.0.0.0/30: the prefix length must be 16-29");
    network_is("10.0.0.0/31", "subnet 10.0.0.0/31: the prefix length must be 16-29");
    network_is("10.0.0.0/32", "subnet 10.0.0.0/32: the prefix length must be 16-29");
    network_is("0.0.0.0/0", "subnet 0.0.0.0/0: the prefix length must be 16-29");
    network_is("10.0.0.1/24", "'10.0.0.1/24' is not a subnet a.b.c.d/n with the host bits zero");
    network_is("10.0.0.0/08", "'10.0.0.0/08' is not a subnet a.b.c.d/n with the host bits zero");
    network_is("10.0.0.0", "'10.0.0.0' is not a subnet a.b.c.d/n with the host bits zero");
    /* pools follow the same bound: no /30 subnets picked either */
    struct ipam_subnet pool, got;
    ipam_parse_cidr("10.0.0.0/16", &pool);
    assert_int_equal(ipam_pick_subnet(&pool, 30, NULL, 0, &got), -EINVAL);
    assert_int_equal(ipam_pick_subnet(&pool, 29, NULL, 0, &got), 0);
    assert_int_equal(ipam_pick_subnet(&pool, 15, NULL, 0, &got), -EINVAL);
}

static void test_special_ranges_of_pools(void **state)
{
    (void)state;
    struct ipam_subnet sn;
    char why[200];
    ipam_parse_cidr("0.0.0.0/0", &sn);
    assert_int_equal(ipam_check_special(&sn, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "subnet 0.0.0.0/0 overlaps 0.0.0.0/8 (this network)");
    ipam_parse_cidr("160.0.0.0/3", &sn); /* 160-191: holds 169.254.0.0/16 */
    assert_int_equal(ipam_check_special(&sn, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "subnet 160.0.0.0/3 overlaps 169.254.0.0/16 (link-local)");
    ipam_parse_cidr("10.0.0.0/8", &sn);
    assert_int_equal(ipam_check_special(&sn, why, sizeof(why)), 0);
}

/* ipam_parse_host: expect refusal with exactly this reason (NULL = accepted). */
static void host_is(const char *addr, const struct ipam_subnet *sn, const char *reason)
{
    uint32_t got = 12345;
    char why[200] = "";
    int r = ipam_parse_host(addr, sn, &got, why, sizeof(why));
    if (!reason) {
        if (r != 0)
            fail_msg("%s refused: %s", addr, why);
        assert_int_equal(got, A(addr));
        return;
    }
    if (r != -EINVAL)
        fail_msg("%s accepted, expected: %s", addr, reason);
    assert_string_equal(why, reason);
    assert_int_equal(got, 12345);
}

static void test_host_addresses(void **state)
{
    (void)state;
    /* 0.0.0.0 is an address like any other here, not "assign one" */
    host_is("0.0.0.0", NULL, "0.0.0.0 is inside 0.0.0.0/8 (this network)");
    host_is("127.0.0.1", NULL, "127.0.0.1 is inside 127.0.0.0/8 (loopback)");
    host_is("169.254.169.254", NULL, "169.254.169.254 is inside 169.254.0.0/16 (link-local)");
    host_is("224.0.0.1", NULL, "224.0.0.1 is inside 224.0.0.0/4 (multicast)");
    host_is("255.255.255.255", NULL,
            "255.255.255.255 is inside 240.0.0.0/4 (reserved, with the broadcast address "
            "255.255.255.255)");
    host_is("1.0.0.0", NULL, NULL);
    host_is("192.0.2.7", NULL, NULL);
    host_is("10.0.0.300", NULL, "'10.0.0.300' is not an IPv4 address a.b.c.d");
    host_is("", NULL, "'' is not an IPv4 address a.b.c.d");

    /* inside a /29: network and broadcast are the boundaries */
    struct ipam_subnet sn;
    ipam_parse_cidr("10.9.0.0/29", &sn);
    host_is("10.9.0.0", &sn, "10.9.0.0 is the network address of 10.9.0.0/29");
    host_is("10.9.0.1", &sn, NULL);
    host_is("10.9.0.6", &sn, NULL);
    host_is("10.9.0.7", &sn, "10.9.0.7 is the broadcast address of 10.9.0.0/29");
    host_is("10.9.0.8", &sn, "10.9.0.8 is outside 10.9.0.0/29");
    /* and in a /16 */
    ipam_parse_cidr("10.9.0.0/16", &sn);
    host_is("10.9.255.254", &sn, NULL);
    host_is("10.9.255.255", &sn, "10.9.255.255 is the broadcast address of 10.9.0.0/16");
    host_is("10.8.255.255", &sn, "10.8.255.255 is outside 10.9.0.0/16");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_pick_lowest_free_skips_reserved),
        cmocka_unit_test(test_assignable),
        cmocka_unit_test(test_pick_subnet_avoids_overlaps),
        cmocka_unit_test(test_overlaps),
        cmocka_unit_test(test_network_special_blocks),
        cmocka_unit_test(test_network_prefix_lengths),
        cmocka_unit_test(test_special_ranges_of_pools),
        cmocka_unit_test(test_host_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
