#!/usr/bin/env bash
# A broker restart under a running NS: pop-vnfm reconnects by itself (same broker user, its
# durable endpoint queue still there), /healthz goes 503 and back to 200, and the next requests
# (STOP and START of the client, through the NFVO stand-in and the driver, which reconnect too)
# are served with what the VNFM saw before the restart.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/vnfm.sh"

popd_start
popd_login
vnfm_up
sipp_up
connects0="$(curl -fs "$VNFM_URL/healthz" | jq .vnfm.connects)"

rmq_stop_node
wait_vnfm_health 503 '.vnfm.state == "connecting" and .vnfm.last_error != ""'
t0=$(date +%s%N)
rmq_start_node
# Reconnected: a new connection, serving.
wait_vnfm_health 200 ".vnfm.state == \"serving\" and .vnfm.connects > $connects0" 300
echo "serving again $((($(date +%s%N) - t0) / 1000000)) ms after the broker came back" >&2
[ "$(grep -c "^registered $VNFM_TYPE " "$POPD_WORK/standin.log")" = 1 ] ||
    fail "the VNFM registered again instead of reconnecting"
# The driver and the stand-in's NFVO side reconnect on their own schedule.
curl -fs "$VIMD_URL/healthz" >/dev/null || sleep 2
for _ in $(seq 100); do curl -fs "$VIMD_URL/healthz" >/dev/null && break; sleep 0.1; done

vsend "$(jq -cn --argjson v "$CLIENT_VNFR" '{action: "STOP", virtualNetworkFunctionRecord: $v}')"
expect_reply STOP
wait_status "$CLIENT_HOST" EXITED 20
[ "$(docker inspect -f '{{.State.Running}}' "$POPD_NAME-$SERVER_HOST")" = true ] ||
    fail "STOP of the client stopped the server"
vnfm_stop
echo "broker_restart: ok"
