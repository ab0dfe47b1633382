/* Fuzz target for popd-rest's IPAM: each input line is parsed as an address and as a CIDR (what
 * clients send in bodies and operators in POPD_POOLS), checked against the rules for what may be
 * asked for (ipam_parse_network, ipam_parse_host), and the parsed values drive address and
 * subnet allocation, checking the properties the store relies on. */
#include "fuzz.h"

#include "ipam.h"
#include "json/jv.h"

#include <errno.h>
#include <stdbool.h>

#define MAX_LINES 64

static void check_addr(const char *s, uint32_t *addrs, size_t *n_addrs)
{
    uint32_t a;
    bool ok = ipam_parse_addr(s, &a) == 0;
    /* Bodies are validated with lib/json before the IPAM parses them: both must agree. */
    FUZZ_ASSERT(ok == (jv_check_ipv4(s) == NULL));
    if (!ok)
        return;
    char text[16];
    ipam_format_addr(a, text);
    uint32_t b;
    FUZZ_ASSERT(ipam_parse_addr(text, &b) == 0 && a == b);
    addrs[(*n_addrs)++] = a;
}

static void check_cidr(const char *s, struct ipam_subnet *subnets, size_t *n_subnets)
{
    struct ipam_subnet sn;
    bool ok = ipam_parse_cidr(s, &sn) == 0;
    /* A CIDR the API lets through (jv_check_cidr4) must be one the IPAM can use. */
    FUZZ_ASSERT(ok || jv_check_cidr4(s) != NULL);
    if (!ok)
        return;
    FUZZ_ASSERT(sn.prefix <= 32 && ipam_contains(&sn, sn.base));
    char text[19];
    ipam_format_cidr(&sn, text);
    struct ipam_subnet again;
    FUZZ_ASSERT(ipam_parse_cidr(text, &again) == 0);
    FUZZ_ASSERT(again.base == sn.base && again.prefix == sn.prefix);
    subnets[(*n_subnets)++] = sn;
}

/* The special-purpose blocks ipam.h names, written out again: the rule, not the table. */
static bool special(const struct ipam_subnet *sn)
{
    static const char *const blocks[] = {"0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16",
                                         "224.0.0.0/4", "240.0.0.0/4"};
    for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
        struct ipam_subnet b;
        FUZZ_ASSERT(ipam_parse_cidr(blocks[i], &b) == 0);
        if (ipam_overlaps(sn, &b))
            return true;
    }
    return false;
}

/* What a client may ask for: a network's subnet, a host address (alone and in a subnet). */
static void check_rules(const char *s, const struct ipam_subnet *in)
{
    char why[256] = "";
    struct ipam_subnet net, parsed;
    if (ipam_parse_network(s, &net, why, sizeof(why)) == 0) {
        FUZZ_ASSERT(ipam_parse_cidr(s, &parsed) == 0 && parsed.base == net.base &&
                    parsed.prefix == net.prefix);
        FUZZ_ASSERT(net.prefix >= IPAM_MIN_PREFIX && net.prefix <= IPAM_MAX_PREFIX);
        FUZZ_ASSERT(!special(&net) && ipam_check_special(&net, why, sizeof(why)) == 0);
    } else {
        FUZZ_ASSERT(why[0] != '\0');
    }
    uint32_t a, plain;
    why[0] = '\0';
    if (ipam_parse_host(s, NULL, &a, why, sizeof(why)) == 0) {
        struct ipam_subnet one = {.base = a, .prefix = 32};
        FUZZ_ASSERT(ipam_parse_addr(s, &plain) == 0 && plain == a && !special(&one));
    } else {
        FUZZ_ASSERT(why[0] != '\0');
    }
    if (!in)
        return;
    why[0] = '\0';
    if (ipam_parse_host(s, in, &a, why, sizeof(why)) == 0) {
        /* A host of the subnet: inside it, and for /30 and wider not its first or last. */
        FUZZ_ASSERT(ipam_contains(in, a));
        FUZZ_ASSERT(in->prefix >= 31 || (a != in->base && a != in->base + ipam_size(in) - 1));
    } else {
        FUZZ_ASSERT(why[0] != '\0');
    }
}

static void check_pick_free(const struct ipam_subnet *sn, const uint32_t *used, size_t n_used)
{
    if (sn->prefix < IPAM_MIN_PREFIX)
        return; /* ipam_pick_free refuses them; the store never has such subnets */
    struct ipam_subnet net = *sn;
    net.gateway = ipam_default_gateway(sn);
    uint32_t a;
    int r = ipam_pick_free(&net, used, n_used, &a);
    FUZZ_ASSERT(r == 0 || r == -ENOSPC);
    if (r < 0)
        return;
    FUZZ_ASSERT(ipam_assignable(&net, a) && ipam_contains(&net, a) && a != net.gateway);
    for (size_t i = 0; i < n_used; i++)
        FUZZ_ASSERT(used[i] != a);
}

static void check_pick_subnet(const struct ipam_subnet *pool, unsigned prefix,
                              const struct ipam_subnet *taken, size_t n_taken)
{
    if (prefix > pool->prefix + 12)
        return; /* keeps each input fast: at most 4096 candidate subnets */
    struct ipam_subnet got;
    int r = ipam_pick_subnet(pool, prefix, taken, n_taken, &got);
    FUZZ_ASSERT(r == 0 || r == -ENOSPC || r == -EINVAL);
    if (r < 0)
        return;
    FUZZ_ASSERT(got.prefix == prefix && ipam_overlaps(pool, &got) && ipam_contains(pool, got.base));
    FUZZ_ASSERT(got.gateway == ipam_default_gateway(&got) && ipam_contains(&got, got.gateway));
    for (size_t i = 0; i < n_taken; i++) {
        FUZZ_ASSERT(!ipam_overlaps(&got, &taken[i]));
        FUZZ_ASSERT(!ipam_overlaps(&taken[i], &got));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = fuzz_strndup(data, size);
    uint32_t addrs[MAX_LINES];
    struct ipam_subnet subnets[MAX_LINES];
    size_t n_addrs = 0, n_subnets = 0, lines = 0;
    char *rest = text, *line;
    while ((line = fuzz_next_piece(&rest, '\n')) && lines++ < MAX_LINES) {
        check_addr(line, addrs, &n_addrs);
        check_rules(line, n_subnets ? &subnets[0] : NULL);
        check_cidr(line, subnets, &n_subnets);
    }
    /* The first subnet is the network or pool, the others are taken; the addresses are used. */
    if (n_subnets > 0) {
        check_pick_free(&subnets[0], addrs, n_addrs);
        unsigned prefix = n_subnets > 1 ? subnets[1].prefix : 24;
        check_pick_subnet(&subnets[0], prefix, subnets + 1, n_subnets - 1);
    }
    free(text);
    return 0;
}
