#!/usr/bin/env bash
# Dependency values re-injected into a running VNF (the thesis VNFM's gap), through the real
# broker, driver, popd-rest and engine, with the NFVO stand-in playing §3.7:
# - SCALE_OUT of the server: SCALING answered by the NFVO with the new VNFC, which the VNFM starts
#   (reply SCALED with it); the MODIFY that follows carries only the new VNFC (§11.15): the
#   running client is recreated with its address and SERVER_PRIVATE_ALL listing both servers in
#   creation order, SERVER_PRIVATE still the first; the START after it changes nothing;
# - SCALE_IN of that server VNFC to the client (reply null): back to one server;
# - HEAL of the first server after its container was killed: running again, same address.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/vnfm.sh"

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
popd_start
popd_login
vnfm_up
t0=$(date +%s%N)
sipp_up
echo "SIPp NS launched (2 INSTANTIATE, MODIFY, 2 START) in $(ms_since "$t0") ms" >&2
[ "$(denv "$CLIENT_HOST" | grep '^SERVER_')" = "$(printf 'SERVER_PRIVATE=%s\nSERVER_PRIVATE_ALL=%s' "$SERVER_IP" "$SERVER_IP")" ] ||
    fail "client env after launch: $(denv "$CLIENT_HOST")"
client_ip() {
    docker inspect -f "{{(index .NetworkSettings.Networks \"$POPD_NAME-private\").IPAddress}}" "$POPD_NAME-$CLIENT_HOST"
}
client_ip0="$(client_ip)"
engine0="$(docker inspect -f '{{.Id}}' "$POPD_NAME-$CLIENT_HOST")"

# ---- SCALE_OUT of the server: the NFVO has added a VNFC component to the VDU (§3.7) ----
comp="$(jq -c '.vdu[0].vnfc[0] | {id: "comp-scaled-1", hbVersion: 0,
        connection_point: [.connection_point[] | del(.id, .hbVersion)]}' <<<"$SERVER_VNFR")"
scale_vnfr="$(jq -c --argjson c "$comp" '.vdu[0].vnfc += [$c]' <<<"$SERVER_VNFR")"
t0=$(date +%s%N)
vsend "$(jq -cn --argjson v "$scale_vnfr" --argjson c "$comp" --argjson vim "$VIM" \
    '{action: "SCALE_OUT", virtualNetworkFunctionRecord: $v, component: $c, vimInstance: $vim,
      vnfPackage: null, dependency: null, mode: "", extension: {}}')"
expect_reply SCALED
echo "SCALE_OUT answered in $(ms_since "$t0") ms" >&2
new_vi="$(jq -c .vnfcInstance <<<"$VREPLY")"
SERVER_VNFR="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"
new_host="$(jq -r .hostname <<<"$new_vi")"
new_ip="$(jq -r '.ips[0].ip' <<<"$new_vi")"
[ "$(jq '.vdu[0].vnfc_instance | length' <<<"$SERVER_VNFR")" = 2 ] || fail "SCALED VNFR: $SERVER_VNFR"
grep -q "^scaled sipp-server $new_host " "$POPD_WORK/nfvo.log" || fail "the NFVO did not allocate $new_host"
[ "$(docker inspect -f '{{.State.Running}}' "$POPD_NAME-$new_host")" = true ] ||
    fail "the scaled-out server $new_host is not running"

# ---- the MODIFY after it: only the new VNFC; then START of the running client ----
t0=$(date +%s%N)
vsend "$(modify_msg "$CLIENT_VNFR" "$(sipp_record "$new_vi")")"
expect_reply MODIFY
CLIENT_VNFR="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"
vsend "$(start_msg "$CLIENT_VNFR")"
expect_reply START
echo "re-injection (MODIFY + START) in $(ms_since "$t0") ms" >&2
[ "$(denv "$CLIENT_HOST" | grep '^SERVER_')" = "$(printf 'SERVER_PRIVATE=%s\nSERVER_PRIVATE_ALL=%s,%s' "$SERVER_IP" "$SERVER_IP" "$new_ip")" ] ||
    fail "client env after scale-out: $(denv "$CLIENT_HOST")"
[ "$(docker inspect -f '{{.State.Running}}' "$POPD_NAME-$CLIENT_HOST")" = true ] || fail "client not running"
[ "$(docker inspect -f '{{.Id}}' "$POPD_NAME-$CLIENT_HOST")" != "$engine0" ] ||
    fail "the running client was not recreated with the new values"
[ "$(client_ip)" = "$client_ip0" ] || fail "the client's address changed: $(client_ip), was $client_ip0"
denv "$CLIENT_HOST" | grep -qx 'SIPP_RATE=10' || fail "the client lost its configuration"

# ---- SCALE_IN: the target is told the new server goes away ----
vsend "$(jq -cn --argjson v "$CLIENT_VNFR" --argjson vi "$new_vi" \
    '{action: "SCALE_IN", virtualNetworkFunctionRecord: $v, vnfcInstance: $vi}')"
[ "$VREPLY" = null ] || fail "SCALE_IN reply: $VREPLY"
[ "$(denv "$CLIENT_HOST" | grep '^SERVER_')" = "$(printf 'SERVER_PRIVATE=%s\nSERVER_PRIVATE_ALL=%s' "$SERVER_IP" "$SERVER_IP")" ] ||
    fail "client env after scale-in: $(denv "$CLIENT_HOST")"
[ "$(client_ip)" = "$client_ip0" ] || fail "the client's address changed after scale-in"

# ---- HEAL of the first server, its container killed ----
docker kill "$POPD_NAME-$SERVER_HOST" >/dev/null
# popd-rest sees it end (killed: FAILED).
wait_status "$SERVER_HOST" FAILED 20
t0=$(date +%s%N)
vsend "$(jq -cn --argjson v "$SERVER_VNFR" --argjson vi "$SERVER_VI" \
    '{action: "HEAL", virtualNetworkFunctionRecord: $v, vnfcInstance: $vi, cause: "killed by the test"}')"
expect_reply HEAL
echo "HEAL answered in $(ms_since "$t0") ms" >&2
jq -e --arg h "$SERVER_HOST" '.vnfcInstance.hostname == $h and (has("cause") | not)' <<<"$VREPLY" >/dev/null ||
    fail "HEAL reply: $(head -c 2000 <<<"$VREPLY")"
[ "$(docker inspect -f '{{.State.Running}}' "$POPD_NAME-$SERVER_HOST")" = true ] || fail "healed server not running"
got="$(docker inspect -f "{{(index .NetworkSettings.Networks \"$POPD_NAME-private\").IPAddress}}" "$POPD_NAME-$SERVER_HOST")"
[ "$got" = "$SERVER_IP" ] || fail "healed server has $got, not $SERVER_IP"
vnfm_stop
echo "scaling: ok"
