/* IPv4 address management: subnet arithmetic, lowest-free allocation and non-overlapping
 * subnet selection from pools. Pure logic: persistence is the store's job. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The smallest network popd-rest manages (/16 = 65,536 addresses); keeps bitmaps small. */
#define IPAM_MIN_PREFIX 16
#define IPAM_MAX_PREFIX 30

struct ipam_subnet {
    uint32_t base; /* network address, host order */
    unsigned prefix;
    uint32_t gateway; /* host order; 0 when none */
};

/* Parses "a.b.c.d" into host order. Returns 0 or -EINVAL. */
int ipam_parse_addr(const char *s, uint32_t *ret);
void ipam_format_addr(uint32_t addr, char out[16]);

/* Parses "a.b.c.d/n" whose host bits are zero. Returns 0 or -EINVAL. */
int ipam_parse_cidr(const char *s, struct ipam_subnet *ret);
void ipam_format_cidr(const struct ipam_subnet *sn, char out[19]);

uint32_t ipam_size(const struct ipam_subnet *sn);
bool ipam_contains(const struct ipam_subnet *sn, uint32_t addr);
bool ipam_overlaps(const struct ipam_subnet *a, const struct ipam_subnet *b);

/* True when addr may be given to a container: inside the subnet, not the network or
 * broadcast address, not the gateway. */
bool ipam_assignable(const struct ipam_subnet *sn, uint32_t addr);

/* Default gateway of a subnet: the first host address. */
uint32_t ipam_default_gateway(const struct ipam_subnet *sn);

/* Picks the lowest assignable address of sn not in used[0..n_used). Returns 0 or -ENOSPC. */
int ipam_pick_free(const struct ipam_subnet *sn, const uint32_t *used, size_t n_used,
                   uint32_t *ret);

/* Picks the first subnet of the given prefix length inside pool that overlaps none of
 * taken[0..n_taken). Returns 0, -ENOSPC (pool full) or -EINVAL (prefix outside pool). */
int ipam_pick_subnet(const struct ipam_subnet *pool, unsigned prefix,
                     const struct ipam_subnet *taken, size_t n_taken, struct ipam_subnet *ret);
