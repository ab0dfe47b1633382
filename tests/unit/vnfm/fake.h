/* The other side of the VNFM's actions for their unit tests: the NFVO's grant, allocate and
 * scaling answers (from the stand-in, standin.h) and a VIM driver serving the mgmt methods and
 * launchInstanceAndWait over an in-memory table of containers, with popd-rest's rules (a start
 * of a running container is answered, metadata merges and "" deletes, a running container
 * given metadata is recreated). Both record every call. */
#pragma once

#include "actions.h"
#include "standin.h"

struct fake_ctr {
    char *name, *id, *status, *image;
    json_t *ips; /* {net: [ip]} */
    struct cat_strmap *md;
    int recreated; /* times a metadata patch replaced the running container */
};

struct fake {
    struct fake_ctr ctr[32];
    size_t n;
    struct standin_ipam ipam;
    json_t *calls;         /* ["mgmtStart sipp-server-1", "nfvo GRANT_OPERATION", ...] */
    json_t *nfvo_requests; /* the NFVO requests as sent */
    json_t *patches;       /* the mgmtAddMetadata entries, in order */
    /* failures to play: the driver's exception for method on host, the NFVO's refusal */
    const char *fail_method, *fail_host, *fail_detail;
    const char *refuse_action, *refuse_message;
    int next_id;
    struct vnfm_ops ops;
};

void fake_init(struct fake *f);
void fake_done(struct fake *f);
/* Forgets the calls recorded so far. */
void fake_reset_calls(struct fake *f);
struct fake_ctr *fake_ctr(struct fake *f, const char *name); /* NULL if none */
/* The VIM instance JSON the NFVO knows as "vim-pop1" (new reference). */
json_t *fake_vim(void);

/* Runs one message (stolen) through vnfm_handle; returns the reply (new reference). */
json_t *fake_run(struct fake *f, json_t *msg);
/* The same, also giving the error and notes of the result. */
json_t *fake_run_result(struct fake *f, json_t *msg, struct vnfm_result *res);

/* The INSTANTIATE NFVO 6 sends for vnfd of nsd (§3.3, §3.8). */
json_t *fake_instantiate_msg(const struct cat_nsd *nsd, const struct cat_vnfd *vnfd);
/* The VNFR of a reply (virtualNetworkFunctionRecord), decoded; fails the test if absent. */
struct cat_vnfr *fake_reply_vnfr(const json_t *reply);
/* A string array as JSON text, for comparing call lists. */
char *fake_calls_text(const struct fake *f);
