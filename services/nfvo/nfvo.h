/* The state every part of pop-nfvo shares: built by main.c at start, borrowed by each module
 * (auth, vims, catalogue, records) for its whole life, and the userdata of every HTTP route. */
#pragma once

struct db_pool;
struct metrics;
struct mq;
struct mq_admin;
struct nfvo_auth;
struct nfvo_catalogue;
struct nfvo_config;
struct nfvo_managers;
struct nfvo_records;
struct nfvo_rpc_metrics;
struct nfvo_vims;
struct stopper;
struct workq;

struct nfvo {
    const struct nfvo_config *cfg;
    struct metrics *metrics;
    struct db_pool *pool;
    struct mq *mq;          /* RPC-capable: the calls to VNFMs and drivers, the consumers */
    struct mq_admin *admin; /* the broker's management API */
    struct stopper *stop;   /* fired at shutdown: long waits end early */
    struct nfvo_managers *managers;
    struct nfvo_auth *auth;
    struct nfvo_vims *vims;
    struct nfvo_catalogue *catalogue;
    struct nfvo_records *records;
    struct nfvo_rpc_metrics *rpc; /* the calls to VNFMs and drivers, counted and timed */
};
