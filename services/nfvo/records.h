/* Network Service Records (reference §3.5-§3.7, §4.2, §5): launch, scale, heal and terminate,
 * driven over AMQP with the VNFMs and drivers, kept in SQLite with every operation in flight,
 * with REST routes under /api/v1/ns-records and /api/v1/vnfmanagers. */
#pragma once

#include <stddef.h>

struct http_route;
struct mq_consumer;
struct nfvo;
struct nfvo_records;

int nfvo_records_new(struct nfvo *n, struct nfvo_records **ret);
/* Settles in the database, before any VNFM call can be taken (before mq starts), the
 * operations a previous run left in flight: an interrupted launch whose VNFRs are all ACTIVE is
 * finished, any other launch, heal or scaling ends in ERROR with the reason, so a redelivered
 * GRANT or ALLOCATE of it is refused; a termination stays for nfvo_records_resume. */
int nfvo_records_recover(struct nfvo_records *r);
/* Releases what those operations left (pending servers, networks meant but not recorded) and
 * runs an interrupted termination again, on a thread of its own (after mq is up). */
int nfvo_records_resume(struct nfvo_records *r);
void nfvo_records_free(struct nfvo_records *r);

const struct http_route *nfvo_records_routes(size_t *ret_n);
/* Scale out and in: /api/v1/ns-records/{id}/vnfrecords/{vnfrId}/vdunits/... (scale.c). */
const struct http_route *nfvo_scale_routes(size_t *ret_n);
