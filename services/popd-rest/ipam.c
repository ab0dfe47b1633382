/* IPAM arithmetic: everything in host byte order; bitmaps sized by the (capped) subnet. */
#include "ipam.h"

#include "core/cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t prefix_mask(unsigned prefix)
{
    return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

int ipam_parse_addr(const char *s, uint32_t *ret)
{
    struct in_addr in;
    if (!s || strlen(s) > 15 || inet_pton(AF_INET, s, &in) != 1)
        return -EINVAL;
    *ret = ntohl(in.s_addr);
    return 0;
}

void ipam_format_addr(uint32_t addr, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", (addr >> 24) & 0xff, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
             addr & 0xff);
}

int ipam_parse_cidr(const char *s, struct ipam_subnet *ret)
{
    char buf[32];
    if (!s || strlen(s) >= sizeof(buf))
        return -EINVAL;
    snprintf(buf, sizeof(buf), "%s", s);
    char *slash = strchr(buf, '/');
    /* "/08" is refused as lib/json's cidr check refuses it: one spelling per prefix. */
    if (!slash || !slash[1] || strlen(slash + 1) > 2 || (slash[1] == '0' && slash[2]))
        return -EINVAL;
    *slash = '\0';
    unsigned prefix = 0;
    for (const char *p = slash + 1; *p; p++) {
        if (*p < '0' || *p > '9')
            return -EINVAL;
        prefix = prefix * 10 + (unsigned)(*p - '0');
    }
    uint32_t addr;
    if (prefix > 32 || ipam_parse_addr(buf, &addr) < 0)
        return -EINVAL;
    if (addr & ~prefix_mask(prefix))
        return -EINVAL;
    *ret = (struct ipam_subnet){.base = addr, .prefix = prefix, .gateway = 0};
    return 0;
}

void ipam_format_cidr(const struct ipam_subnet *sn, char out[19])
{
    char a[16];
    ipam_format_addr(sn->base, a);
    snprintf(out, 19, "%s/%u", a, sn->prefix);
}

uint32_t ipam_size(const struct ipam_subnet *sn)
{
    return sn->prefix == 0 ? 0xffffffffu : (uint32_t)1 << (32 - sn->prefix);
}

bool ipam_contains(const struct ipam_subnet *sn, uint32_t addr)
{
    return (addr & prefix_mask(sn->prefix)) == sn->base;
}

bool ipam_overlaps(const struct ipam_subnet *a, const struct ipam_subnet *b)
{
    unsigned p = a->prefix < b->prefix ? a->prefix : b->prefix;
    return (a->base & prefix_mask(p)) == (b->base & prefix_mask(p));
}

/* Special-purpose blocks (RFC 6890) that Docker would happily put on a host bridge, where they
 * would shadow or confuse the host's own use of them. Private and documentation ranges stay
 * allowed: operators use them for exactly this. */
static const struct {
    uint32_t base;
    unsigned prefix;
    const char *what;
} special_blocks[] = {
    {0x00000000u, 8, "this network"},
    {0x7f000000u, 8, "loopback"},
    {0xa9fe0000u, 16, "link-local"},
    {0xe0000000u, 4, "multicast"},
    {0xf0000000u, 4, "reserved, with the broadcast address 255.255.255.255"},
};

int ipam_check_special(const struct ipam_subnet *sn, char *why, size_t whylen)
{
    for (size_t i = 0; i < ARRAY_SIZE(special_blocks); i++) {
        struct ipam_subnet block = {.base = special_blocks[i].base,
                                    .prefix = special_blocks[i].prefix};
        if (!ipam_overlaps(sn, &block))
            continue;
        char self[19], other[19];
        if (sn->prefix == 32)
            ipam_format_addr(sn->base, self);
        else
            ipam_format_cidr(sn, self);
        ipam_format_cidr(&block, other);
        snprintf(why, whylen, "%s%s %s %s (%s)", sn->prefix == 32 ? "" : "subnet ", self,
                 sn->prefix >= block.prefix ? "is inside" : "overlaps", other,
                 special_blocks[i].what);
        return -EINVAL;
    }
    return 0;
}

int ipam_parse_network(const char *s, struct ipam_subnet *ret, char *why, size_t whylen)
{
    struct ipam_subnet sn;
    if (ipam_parse_cidr(s, &sn) < 0) {
        snprintf(why, whylen, "'%.31s' is not a subnet a.b.c.d/n with the host bits zero",
                 s ? s : "");
        return -EINVAL;
    }
    if (sn.prefix < IPAM_MIN_PREFIX || sn.prefix > IPAM_MAX_PREFIX) {
        snprintf(why, whylen, "subnet %.31s: the prefix length must be %d-%d", s, IPAM_MIN_PREFIX,
                 IPAM_MAX_PREFIX);
        return -EINVAL;
    }
    int r = ipam_check_special(&sn, why, whylen);
    if (r < 0)
        return r;
    *ret = sn;
    return 0;
}

enum addr_role { ADDR_OUTSIDE, ADDR_NETWORK, ADDR_BROADCAST, ADDR_HOST };

/* Where addr sits in sn. A /31 or /32 has no network or broadcast address (RFC 3021). */
static enum addr_role addr_role(const struct ipam_subnet *sn, uint32_t addr)
{
    if (!ipam_contains(sn, addr))
        return ADDR_OUTSIDE;
    if (sn->prefix >= 31)
        return ADDR_HOST;
    if (addr == sn->base)
        return ADDR_NETWORK;
    if (addr == sn->base + (ipam_size(sn) - 1))
        return ADDR_BROADCAST;
    return ADDR_HOST;
}

int ipam_parse_host(const char *s, const struct ipam_subnet *sn, uint32_t *ret, char *why,
                    size_t whylen)
{
    uint32_t addr;
    if (ipam_parse_addr(s, &addr) < 0) {
        snprintf(why, whylen, "'%.31s' is not an IPv4 address a.b.c.d", s ? s : "");
        return -EINVAL;
    }
    struct ipam_subnet one = {.base = addr, .prefix = 32};
    int r = ipam_check_special(&one, why, whylen);
    if (r < 0)
        return r;
    if (sn) {
        static const char *const role_text[] = {
            [ADDR_OUTSIDE] = "is outside",
            [ADDR_NETWORK] = "is the network address of",
            [ADDR_BROADCAST] = "is the broadcast address of",
        };
        enum addr_role role = addr_role(sn, addr);
        if (role != ADDR_HOST) {
            char c[19];
            ipam_format_cidr(sn, c);
            snprintf(why, whylen, "%s %s %s", s, role_text[role], c);
            return -EINVAL;
        }
    }
    *ret = addr;
    return 0;
}

bool ipam_assignable(const struct ipam_subnet *sn, uint32_t addr)
{
    return addr_role(sn, addr) == ADDR_HOST && addr != sn->gateway;
}

uint32_t ipam_default_gateway(const struct ipam_subnet *sn)
{
    return sn->base + 1;
}

int ipam_pick_free(const struct ipam_subnet *sn, const uint32_t *used, size_t n_used, uint32_t *ret)
{
    if (sn->prefix < IPAM_MIN_PREFIX || sn->prefix > 32)
        return -EINVAL;
    uint32_t size = ipam_size(sn);
    _cleanup_free_ uint8_t *bits = calloc(size / 8 + 1, 1);
    if (!bits)
        return -ENOMEM;
    for (size_t i = 0; i < n_used; i++) {
        if (!ipam_contains(sn, used[i]))
            continue;
        uint32_t off = used[i] - sn->base;
        bits[off / 8] |= (uint8_t)(1u << (off % 8));
    }
    for (uint32_t off = 0; off < size; off++) {
        if (bits[off / 8] & (1u << (off % 8)))
            continue;
        if (ipam_assignable(sn, sn->base + off)) {
            *ret = sn->base + off;
            return 0;
        }
    }
    return -ENOSPC;
}

int ipam_pick_subnet(const struct ipam_subnet *pool, unsigned prefix,
                     const struct ipam_subnet *taken, size_t n_taken, struct ipam_subnet *ret)
{
    if (prefix < pool->prefix || prefix > IPAM_MAX_PREFIX || prefix < IPAM_MIN_PREFIX)
        return -EINVAL;
    uint64_t step = (uint64_t)1 << (32 - prefix);
    uint64_t end = (uint64_t)pool->base + ipam_size(pool);
    for (uint64_t base = pool->base; base < end; base += step) {
        struct ipam_subnet cand = {.base = (uint32_t)base, .prefix = prefix};
        bool clash = false;
        for (size_t i = 0; i < n_taken && !clash; i++)
            clash = ipam_overlaps(&cand, &taken[i]);
        if (!clash) {
            cand.gateway = ipam_default_gateway(&cand);
            *ret = cand;
            return 0;
        }
    }
    return -ENOSPC;
}
