/* NFVO 6's side of the NFVO <-> VNFM protocol (reference §3) for the stand-in: see vnfm_side.c. */
#pragma once

/* nfvo-standin vnfm-nfvo: serves vnfm.nfvo.actions.reply. */
int standin_vnfm_nfvo(int argc, char **argv);
/* nfvo-standin vnfm-send [-t TIMEOUT_MS] ENDPOINT: one request to a VNFM. */
int standin_vnfm_send(int argc, char **argv);
