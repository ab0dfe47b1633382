/* pop-nfvo's /metrics beyond lib/http's and lib/mq's: the calls it makes to VNFMs and drivers
 * (count by outcome, latency), the NSRs by status and the operations in flight. */
#pragma once

#include <stdint.h>

struct nfvo;
struct nfvo_rpc_metrics;

/* Registers the families in n->metrics (and a collect hook reading the records); *ret is
 * freed with nfvo_rpc_metrics_free. */
int nfvo_rpc_metrics_new(struct nfvo *n, struct nfvo_rpc_metrics **ret);
void nfvo_rpc_metrics_free(struct nfvo_rpc_metrics *m);

/* One call ended: peer "vnfm" or "driver", the action or method, r its result (0, -ETIMEDOUT,
 * -ENOENT unroutable, -EREMOTEIO the peer's ERROR/exception, other errors), and how long it
 * took. m may be NULL. */
void nfvo_rpc_observe(struct nfvo_rpc_metrics *m, const char *peer, const char *what, int r,
                      int64_t started_us);
/* The monotonic clock in microseconds, for started_us. */
int64_t nfvo_rpc_now_us(void);
