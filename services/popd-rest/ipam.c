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
    if (!slash || !slash[1] || strlen(slash + 1) > 2)
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

bool ipam_assignable(const struct ipam_subnet *sn, uint32_t addr)
{
    if (!ipam_contains(sn, addr))
        return false;
    uint32_t last = sn->base + (ipam_size(sn) - 1);
    if (sn->prefix <= 30 && (addr == sn->base || addr == last))
        return false;
    return addr != sn->gateway;
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
