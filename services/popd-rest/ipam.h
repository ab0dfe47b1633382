/* IPv4 address management: subnet arithmetic, lowest-free allocation and non-overlapping
 * subnet selection from pools. Pure logic: persistence is the store's job. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Prefix lengths of the networks popd-rest manages: at most /16 (65,536 addresses) keeps the
 * bitmaps small; at least /29 leaves five container addresses beside the gateway. The contract
 * (openapi/pop.yaml NetworkConfig.cidr) states the same 16-29. */
#define IPAM_MIN_PREFIX 16
#define IPAM_MAX_PREFIX 29

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

/* The rules for what clients and the configuration may ask for; each fills why with a sentence
 * naming the value and the rule it breaks (no field name: the caller knows the field).
 *
 * ipam_check_special: 0, or -EINVAL when sn (a subnet, or one address as a /32) overlaps a
 * special-purpose block no Pop network may use, because Docker would put it on a host bridge:
 * 0.0.0.0/8 (this network), 127.0.0.0/8 (loopback), 169.254.0.0/16 (link-local),
 * 224.0.0.0/4 (multicast), 240.0.0.0/4 (reserved, with the broadcast 255.255.255.255). */
int ipam_check_special(const struct ipam_subnet *sn, char *why, size_t whylen);

/* Parses the subnet of a new network: "a.b.c.d/n", host bits zero, n in IPAM_MIN_PREFIX to
 * IPAM_MAX_PREFIX, no special-purpose block. Returns 0 (gateway left 0) or -EINVAL. */
int ipam_parse_network(const char *s, struct ipam_subnet *ret, char *why, size_t whylen);

/* Parses an address a client asks for (a gateway, a container's address): a dotted quad in no
 * special-purpose block (so never 0.0.0.0) and, when sn is not NULL, a host address of sn:
 * inside it, neither its network nor its broadcast address. Returns 0 or -EINVAL. */
int ipam_parse_host(const char *s, const struct ipam_subnet *sn, uint32_t *ret, char *why,
                    size_t whylen);

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
