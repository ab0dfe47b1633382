#!/usr/bin/env bash
# pop-vnfm when its peers fail or are not there:
# - started before the broker and the NFVO: up at once, /healthz 503 naming what it waits for,
#   registered and serving by itself once both are there (never exits);
# - the broker refusing its user (deleted on the NFVO side): it registers again;
# - the NFVO refusing a grant: an ERROR with the NFVO's message;
# - the NFVO taking a grant and never answering: an ERROR after VNFM_NFVO_TIMEOUT, nothing
#   launched;
# - no driver at VNFM_DRIVER: an ERROR naming it;
# - SIGTERM with a request in flight: the request is finished and replied first;
# - kill -9 with a request in flight: redelivered to the restarted VNFM, which answers it (the
#   first allocation's container is left over: the NFVO does not recognise the retry).
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/vnfm.sh"

popd_start
popd_login
vimd_vim
VIMS_FILE="$POPD_WORK/vims.json"
jq -c --argjson v "$VIM" -n '[$v]' >"$VIMS_FILE"

# ---- no broker, no NFVO ----
vnfm_start ready
wait_vnfm_health 503 '.status == "unavailable" and .vnfm.state == "registering" and
    .vnfm.type == "mgmt" and (.vnfm.last_error | contains("no connection to the broker"))'
rmq_start
rmq_add_user "$VIMD_REG_USER" "$VIMD_REG_PASS" '^amq\.gen.*|amq\.default$' \
    '^amq\.gen.*|amq\.default$|nfvo.manager.handling|openbaton-exchange' \
    '^amq\.gen.*|amq\.default$|nfvo.manager.handling|openbaton-exchange'
wait_vnfm_health 503 '.vnfm.last_error | contains("is the NFVO up?")'
t0=$(date +%s%N)
standin_start
wait_vnfm_health 200 '.status == "ok" and .vnfm.state == "serving" and .vnfm.endpoint == "mgmt"'
echo "registered and serving $((($(date +%s%N) - t0) / 1000000)) ms after the NFVO stand-in started" >&2
vimd_start
nfvo_start

# ---- the broker refuses the VNFM's user: registered again ----
rmq_delete_user "$VNFM_TYPE"
rmq_close_connections "$VNFM_TYPE" >/dev/null
for _ in $(seq 150); do
    [ "$(grep -c "^registered $VNFM_TYPE " "$POPD_WORK/standin.log")" = 2 ] && [ "$(vnfm_health)" = 200 ] && break
    sleep 0.1
done
[ "$(grep -c "^registered $VNFM_TYPE " "$POPD_WORK/standin.log")" = 2 ] ||
    fail "no second registration: $(tail -n 5 "$POPD_WORK/vnfm.log")"
grep -q "refuses the vnfm user '$VNFM_TYPE'.*registering again" "$POPD_WORK/vnfm.log" ||
    fail "the VNFM's log does not say why it registered again"

# ---- the NFVO refuses the grant (a VIM it does not know) ----
vsend "$(instantiate_msg sipp-server "$(jq -c '.name = "pop9"' <<<"$VIM")")"
expect_reply ERROR
[ "$(jq -r .exception.detailMessage <<<"$VREPLY")" = "INSTANTIATE of VNFR sipp-server: the NFVO refused GRANT_OPERATION: no VIM instance named pop9" ] ||
    fail "refused grant: $(jq .exception <<<"$VREPLY")"
jq -e '.virtualNetworkFunctionRecord.name == "sipp-server" and .nsrId == "nsr-it"' <<<"$VREPLY" >/dev/null ||
    fail "the ERROR does not name the VNFR and NSR: $(head -c 1000 <<<"$VREPLY")"

# ---- the NFVO never answers the grant ----
service_kill "$NFVO_PID"
STANDIN_IGNORE=GRANT_OPERATION nfvo_start
vnfm_stop
vnfm_start VNFM_NFVO_TIMEOUT=1500
t0=$(date +%s%N)
vsend "$(instantiate_msg sipp-server)"
took=$((($(date +%s%N) - t0) / 1000000))
expect_reply ERROR
[ "$(jq -r .exception.detailMessage <<<"$VREPLY")" = "INSTANTIATE of VNFR sipp-server: GRANT_OPERATION: the NFVO did not answer GRANT_OPERATION within 1500 ms" ] ||
    fail "unanswered grant: $(jq .exception <<<"$VREPLY")"
echo "unanswered grant: ERROR after $took ms" >&2
grep -q '^ignored GRANT_OPERATION sipp-server' "$POPD_WORK/nfvo.log" || fail "the NFVO never got the grant"
[ "$(api GET /v1/containers | jq ".list | length")" = 0 ] || fail "containers after a failed grant: $(api GET /v1/containers)"
curl -fs "$VNFM_URL/metrics" | grep -q '^vnfm_calls_total{peer="nfvo",method="GRANT_OPERATION",outcome="timeout"} 1$' ||
    fail "no timeout counted: $(curl -fs "$VNFM_URL/metrics" | grep vnfm_calls)"

# ---- no driver where VNFM_DRIVER points ----
service_kill "$NFVO_PID"
nfvo_start
vnfm_stop
vnfm_start VNFM_DRIVER=vim-drivers.pop.nobody
vsend "$(instantiate_msg sipp-server)"
expect_reply ERROR
jq -e '.exception.detailMessage | test("VIM driver vim-drivers.pop.nobody is not there for mgmtCheck")' \
    <<<"$VREPLY" >/dev/null || fail "no driver: $(jq .exception <<<"$VREPLY")"

# ---- VNFM_DRIVERS routes by the VIM's type; SIGTERM waits for the request in flight ----
service_kill "$NFVO_PID"
STANDIN_ALLOCATE_DELAY_MS=1500 nfvo_start
vnfm_stop
vnfm_start VNFM_DRIVER=vim-drivers.pop.nobody VNFM_DRIVERS="pop=$VIMD_PLUGIN"
( vsend "$(instantiate_msg sipp-client)" && echo "$VREPLY" >"$POPD_WORK/inflight.reply" ) &
send_pid=$!
for _ in $(seq 100); do grep -q '^delaying the allocation' "$POPD_WORK/nfvo.log" && break; sleep 0.05; done
grep -q '^delaying the allocation' "$POPD_WORK/nfvo.log" || fail "no allocation under way"
vnfm_stop
wait "$send_pid" || fail "the INSTANTIATE in flight at SIGTERM got no reply"
VREPLY="$(cat "$POPD_WORK/inflight.reply")"
expect_reply INSTANTIATE
sigterm_line=$(grep -n 'received SIGTERM' "$POPD_WORK/vnfm.log" | tail -n 1 | cut -d: -f1)
done_line=$(grep -n 'INSTANTIATE of VNFR sipp-client done' "$POPD_WORK/vnfm.log" | tail -n 1 | cut -d: -f1)
[ -n "$done_line" ] && [ "$sigterm_line" -lt "$done_line" ] ||
    fail "the INSTANTIATE was not in flight at SIGTERM: $(tail -n 8 "$POPD_WORK/vnfm.log")"

# ---- kill -9 mid-allocation: the INSTANTIATE is redelivered to the restarted VNFM and answered
# to the NFVO's waiting reply address ----
vnfm_start
( vsend "$(instantiate_msg sipp-server)" && echo "$VREPLY" >"$POPD_WORK/redelivered.reply" ) &
send_pid=$!
n0=$(grep -c '^delaying the allocation' "$POPD_WORK/nfvo.log" || true)
for _ in $(seq 100); do
    [ "$(grep -c '^delaying the allocation' "$POPD_WORK/nfvo.log")" -gt "$n0" ] && break
    sleep 0.05
done
service_kill "$VNFM_PID"
VNFM_PID=""
vnfm_start
wait "$send_pid" || fail "the INSTANTIATE in flight at kill -9 got no reply after the restart"
VREPLY="$(cat "$POPD_WORK/redelivered.reply")"
expect_reply INSTANTIATE
grep -q 'INSTANTIATE of VNFR sipp-server (redelivered) done' "$POPD_WORK/vnfm.log" ||
    fail "not answered by the redelivery: $(tail -n 5 "$POPD_WORK/vnfm.log")"
vnfm_stop
echo "failures: ok"
