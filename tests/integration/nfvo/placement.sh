#!/usr/bin/env bash
# Where pop-nfvo puts a VNF, with every real component (RabbitMQ, two popd-rest on the Docker
# Engine, pop-vim-driver, pop-vnfm), on copies of the SIPp fixture made with jq (on pop-tiny):
# - a VDU with connection points on two virtual links the Pop lacks: both networks are created
#   at the grant, the VNFC has an address on each (in the record and in the engine), the
#   client's environment has the server's address on each (SERVER_FRONT, SERVER_BACK), and
#   terminate removes both networks;
# - two Pops registered as two VIM instances, vduVimInstances placing the server's VDU on one
#   and the client's on the other: each container on its Pop, each VNFC naming its VIM, the
#   client's SERVER_PRIVATE the server's address; terminate leaves nothing on either;
# - one VNF with a VDU on each Pop: each VNFC on its Pop's own network;
# - the second Pop down: a launch placing a VNF there ends in ERROR with the reason (the VIM
#   named, the Pop unreachable) in the record's history, and DELETE still cleans up.
set -euo pipefail
# Two Pops share this run's /16: one half each.
POPD_TEST_POOL="10.$((200 + $$ % 50)).0.0/17/24"
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

t_start=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

popd_start POPD_STOP_TIMEOUT=0
popd_login
popd_start_peer "${POPD_NAME}b" "${POPD_TEST_POOL%.0.0/17/24}.128.0/17/24" POPD_STOP_TIMEOUT=0
nfvod_up
nfvod_login
napi POST /api/v1/datacenters "$VIM"
expect_status 201 "datacenter pop1"
vim1="$(jq -r .id "$HTTP_BODY")"
napi POST /api/v1/datacenters "$(vimd_vim "$POPD_PASS" "$PEER_URL" && jq -c '.name = "pop2"' <<<"$VIM")"
expect_status 201 "datacenter pop2"
vim2="$(jq -r .id "$HTTP_BODY")"
echo "broker, two popd-rest, pop-nfvo, driver and VNFM up in $(ms_since "$t_start") ms" >&2

# The container of a VNFC, on whichever Pop has it.
container_of() {
    local c
    for c in "$POPD_NAME-$1" "$PEER_NAME-$1"; do
        docker inspect "$c" >/dev/null 2>&1 && { echo "$c"; return 0; }
    done
    echo "$POPD_NAME-$1"
}
peer_containers() {
    docker ps -a --filter "label=org.pop-nfv.pop=$PEER_NAME" --format '{{.Names}}' | sort
}
vnfc_of() { jq -c --arg n "$1" '.vnfr[] | select(.name == $n) | .vdu[0].vnfc_instance[0]' <<<"$2"; }
# launch NSD_JSON BODY: onboarded and launched (not waited for); prints the NSR id.
launch() {
    napi POST /api/v1/ns-descriptors "$1"
    expect_status 201 "onboarding $(jq -r .name <<<"$1")"
    napi POST "/api/v1/ns-records/$(jq -r .id "$HTTP_BODY")" "$2"
    expect_status 201 "launch of $(jq -r .name <<<"$1")"
    jq -r .id "$HTTP_BODY"
}
# expect_active WHAT NSR_ID: waits; sets NSR_STATUS, nsr (the record) for ACTIVE, fails otherwise,
# and unless every VNFC's container runs.
expect_active() {
    nsr_wait_settled "/api/v1/ns-records/$2" 600
    [ "$NSR_STATUS" = ACTIVE ] || fail "$1: NSR '$NSR_STATUS': $(jq -c \
        '[.lifecycle_event_history, (.vnfr[]? | {name, status, h: .lifecycle_event_history})]' "$HTTP_BODY")"
    nsr="$(cat "$HTTP_BODY")"
    local h
    for h in $(jq -r '.vnfr[].vdu[].vnfc_instance[].hostname' <<<"$nsr"); do
        [ "$(docker inspect -f '{{.State.Running}}' "$(container_of "$h")" 2>&1)" = true ] ||
            fail "$1: VNFC $h does not run"
    done
}
# on_pop POP_NAME HOSTNAME WHAT: the VNFC's container is on that Pop (and on no other).
on_pop() {
    local other=$POPD_NAME
    [ "$1" != "$POPD_NAME" ] || other=$PEER_NAME
    docker inspect -f '{{index .Config.Labels "org.pop-nfv.pop"}}' "$1-$2" 2>/dev/null | grep -qxF "$1" &&
        ! docker inspect "$other-$2" >/dev/null 2>&1 || fail "$3 ($2) is not (only) on Pop $1"
}
sipp_tiny() {
    jq -c --arg n "$1" '.name = $n | .vnfd[].vdu[].vm_image = ["pop-tiny:latest"]
        | (.vnfd[] | select(.name == "sipp-server") | .vdu[0].name) = "srv"
        | (.vnfd[] | select(.name == "sipp-client") | .vdu[0].name) = "cli"' "$SIPP_FIXTURE"
}

# Three NSs launched at once, then each checked.
t0=$(date +%s%N)
links_nsd="$(sipp_tiny sipp-two-links | jq -c '.vld = [{name: "front"}, {name: "back"}]
    | (.vnfd[] | select(.name == "sipp-server")) |= (.virtual_link = [{name: "front"}, {name: "back"}]
        | .vdu[0].vnfc[0].connection_point = [{virtual_link_reference: "front"}, {virtual_link_reference: "back"}])
    | (.vnfd[] | select(.name == "sipp-client")) |= (.virtual_link = [{name: "front"}]
        | .vdu[0].vnfc[0].connection_point[0].virtual_link_reference = "front")
    | .vnf_dependency[0].parameters = ["front", "back"]')"
links_id="$(launch "$links_nsd" '{"vduVimInstances": {"srv": ["pop1"], "cli": ["pop1"]}}')"
pops_nsd="$(sipp_tiny sipp-two-pops)"
pops_id="$(launch "$pops_nsd" '{"vduVimInstances": {"srv": ["pop1"], "cli": ["pop2"]}}')"
split_nsd="$(sipp_tiny sipp-split | jq -c '(.vnfd[] | select(.name == "sipp-server")) |= (.vdu += [.vdu[0] | .name = "srv2"])')"
split_id="$(launch "$split_nsd" '{"vduVimInstances": {"srv": ["pop1"], "srv2": ["pop2"], "cli": ["pop1"]}}')"

# ---- one VNFC on two virtual links ----
expect_active "two links" "$links_id"
server="$(vnfc_of sipp-server "$nsr")"
jq -e '[.ips[].netName] | sort == ["back", "front"]' <<<"$server" >/dev/null ||
    fail "the server VNFC's addresses: $(jq -c .ips <<<"$server")"
declare -A net_id=()
for net in front back; do
    net_id[$net]="$(jq -r --arg n "$net" '.vlr[] | select(.name == $n) | .extId' <<<"$nsr")"
    call GET "/v1/networks/${net_id[$net]}"
    [ "$HTTP_STATUS" = 200 ] && [ "$(jq -r .name <<<"$RESP")" = "$net" ] ||
        fail "network $net not created on the Pop: $HTTP_STATUS $RESP"
    ip="$(jq -r --arg n "$net" '.ips[] | select(.netName == $n) | .ip' <<<"$server")"
    # The container is on that network with that address.
    docker inspect -f '{{range .NetworkSettings.Networks}}{{println .IPAddress}}{{end}}' \
        "$(container_of "$(jq -r .hostname <<<"$server")")" | grep -qxF "$ip" ||
        fail "the server's container has no address $ip ($net)"
done
vars="$(nsr_check_env "$links_nsd" "$nsr" container_of)"
[ "$vars" = 4 ] || fail "expected SERVER_FRONT, SERVER_BACK and their _ALL, checked $vars"
nsr_check_start_order "$links_nsd" "$nsr" container_of >/dev/null

# ---- server on pop1, client on pop2 ----
expect_active "two Pops" "$pops_id"
server="$(vnfc_of sipp-server "$nsr")" client="$(vnfc_of sipp-client "$nsr")"
[ "$(jq -r .vim_id <<<"$server")" = "$vim1" ] && [ "$(jq -r .vim_id <<<"$client")" = "$vim2" ] ||
    fail "VIMs of the VNFCs: server $(jq -r .vim_id <<<"$server"), client $(jq -r .vim_id <<<"$client") (pop1 $vim1, pop2 $vim2)"
on_pop "$POPD_NAME" "$(jq -r .hostname <<<"$server")" "the server"
on_pop "$PEER_NAME" "$(jq -r .hostname <<<"$client")" "the client"
vars="$(nsr_check_env "$pops_nsd" "$nsr" container_of)"
[ "$vars" = 2 ] || fail "expected SERVER_PRIVATE and SERVER_PRIVATE_ALL, checked $vars"
nsr_check_start_order "$pops_nsd" "$nsr" container_of >/dev/null

# ---- one VNF across both Pops: the server's second VDU on pop2 ----
expect_active "one VNF on two Pops" "$split_id"
[ "$(jq -r '.vnfr[] | select(.name == "sipp-server") | [.vdu[] | .vnfc_instance[0].vim_id] | join(" ")' <<<"$nsr")" = "$vim1 $vim2" ] ||
    fail "the server's VDUs: $(jq -c '[.vnfr[] | select(.name == "sipp-server") | .vdu[] | {name, vim: .vnfc_instance[0].vim_id}]' <<<"$nsr")"
# Each VNFC's connection point names the network of its own Pop.
for vim in "$vim1" "$vim2"; do
    napi GET "/api/v1/datacenters/$vim"
    want="$(jq -r '.networks[] | select(.name == "private") | .extId' "$HTTP_BODY")"
    got="$(jq -r --arg v "$vim" '.vnfr[] | select(.name == "sipp-server") | .vdu[]
        | select(.vnfc_instance[0].vim_id == $v) | .vnfc[0].connection_point[0].virtual_link_reference_id' <<<"$nsr")"
    [ -n "$want" ] && [ "$got" = "$want" ] ||
        fail "the server's connection point on VIM $vim names network '$got', that Pop's private is '$want'"
done
on_pop "$POPD_NAME" "$(jq -r '.vnfr[] | select(.name == "sipp-server") | .vdu[0].vnfc_instance[0].hostname' <<<"$nsr")" "the server's first VDU"
on_pop "$PEER_NAME" "$(jq -r '.vnfr[] | select(.name == "sipp-server") | .vdu[1].vnfc_instance[0].hostname' <<<"$nsr")" "the server's second VDU"
on_pop "$POPD_NAME" "$(jq -r '.vnfr[] | select(.name == "sipp-client") | .vdu[0].vnfc_instance[0].hostname' <<<"$nsr")" "the client"
vars="$(nsr_check_env "$split_nsd" "$nsr" container_of)"
[ "$vars" = 2 ] || fail "expected SERVER_PRIVATE and SERVER_PRIVATE_ALL, checked $vars"
nsr_check_start_order "$split_nsd" "$nsr" container_of >/dev/null
echo "three NSs ACTIVE and checked in $(ms_since "$t0") ms" >&2

# ---- terminate: nothing left on either Pop, the two links' networks gone ----
t0=$(date +%s%N)
for id in "$links_id" "$pops_id" "$split_id"; do
    napi DELETE "/api/v1/ns-records/$id"
    expect_status 204 "terminate of $id"
done
for id in "$links_id" "$pops_id" "$split_id"; do nsr_wait_gone "/api/v1/ns-records/$id" "NSR $id"; done
for net in front back; do
    call GET "/v1/networks/${net_id[$net]}"
    [ "$HTTP_STATUS" = 404 ] || fail "network $net left on the Pop ($HTTP_STATUS)"
done
[ -z "$(engine_containers)" ] && [ -z "$(peer_containers)" ] ||
    fail "containers left: $(engine_containers) $(peer_containers)"
echo "terminated in $(ms_since "$t0") ms" >&2

# ---- pop2 down ----
t0=$(date +%s%N)
popd_stop_peer
id="$(launch "$(sipp_tiny sipp-pop-down)" '{"vduVimInstances": {"srv": ["pop1"], "cli": ["pop2"]}}')"
nsr_wait_settled "/api/v1/ns-records/$id" 600
[ "$NSR_STATUS" = ERROR ] || fail "launch onto a Pop that is down: NSR '$NSR_STATUS'"
jq -e '[.lifecycle_event_history[].description] | any(contains("pop2") and contains("sipp-client")
        and contains("cannot reach"))' "$HTTP_BODY" >/dev/null ||
    fail "the reason: $(jq -c .lifecycle_event_history "$HTTP_BODY")"
echo "pop2 down: $(jq -r '[.lifecycle_event_history[] | select(.event == "ERROR") | .description][0]' "$HTTP_BODY")" >&2
nsr_terminate "/api/v1/ns-records/$id" "the NSR that failed"
[ -z "$(engine_containers)" ] || fail "containers left: $(engine_containers)"
echo "pop2 down: ERROR and cleaned up in $(ms_since "$t0") ms" >&2
echo "nfvo placement: ok in $(ms_since "$t_start") ms"
