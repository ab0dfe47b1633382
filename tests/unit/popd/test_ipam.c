/* Unit tests for IPAM: parsing, lowest-free allocation, exhaustion, subnet selection. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),      cmocka_unit_test(test_pick_lowest_free_skips_reserved),
        cmocka_unit_test(test_assignable), cmocka_unit_test(test_pick_subnet_avoids_overlaps),
        cmocka_unit_test(test_overlaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
