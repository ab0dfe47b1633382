#!/usr/bin/env bash
# A launch goes ahead VNF by VNF (services/nfvo/README.md "Launch", steps 5-6), with every real
# component (RabbitMQ, popd-rest on the Docker Engine, pop-vim-driver, pop-vnfm): a VNF waits
# only for its own sources, never for the whole NS to reach a stage. The NS: "quick" (nobody's
# target), "after" (requires quick's address on "private") and "slow", independent of both,
# whose INSTANTIATE is held at popd-rest (its VNFM's check of its container, through
# lib/hold.sh). While slow is held:
# - quick and after are ACTIVE, their containers running on the Pop, after's environment
#   holding quick's address; slow's container is not running; the NSR is not ACTIVE;
# once slow is let go the NSR is ACTIVE, every source started before its target, and a DELETE
# leaves nothing.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"
. "$(dirname "$0")/../lib/hold.sh"

t_start=$(date +%s%N)
popd_start
popd_login
hold_proxy_start
rmq_start
nfvod_start NFVO_PASSWORD_ITERATIONS=1000
vimd_start
vimd_vim "$POPD_PASS" "http://127.0.0.1:$HOLD_PORT"
vnfm_start
nfvod_login
nfvo_pop_baseline
napi POST /api/v1/datacenters "$VIM"
expect_status 201 "datacenter"

vnfd() {
    jq -cn --arg n "$1" --arg ep "$VNFM_TYPE" --argjson req "${2:-null}" '
        {name: $n, vendor: "test", version: "1", type: $n, endpoint: $ep,
         deployment_flavour: [{flavour_key: "docker.container"}],
         vdu: [{vm_image: ["pop-tiny:latest"], scale_in_out: 1,
                vnfc: [{connection_point: [{virtual_link_reference: "private"}]}]}]}
        + (if $req then {requires: $req} else {} end)'
}
NSD="$(jq -cn --argjson q "$(vnfd quick)" --argjson s "$(vnfd slow)" \
    --argjson a "$(vnfd after '{"quick": {"parameters": ["private"]}}')" \
    '{name: "pipeline", vendor: "test", version: "1", vld: [{name: "private"}],
      vnfd: [$q, $s, $a]}')"
napi POST /api/v1/ns-descriptors "$NSD"
expect_status 201 "onboarding"
NSD_ID="$(jq -r .id "$HTTP_BODY")"

hold '^GET /v1/containers/slow-[0-9]+ '
napi POST "/api/v1/ns-records/$NSD_ID" '{}'
expect_status 201 "launch"
NSR="/api/v1/ns-records/$(jq -r .id "$HTTP_BODY")"
wait_held 1 "the check of slow's container in its INSTANTIATE"

summary() { jq -c '{status, vnfr: [.vnfr[] | {name, status}]}' "$HTTP_BODY"; }
status_of() { jq -r --arg n "$1" '.vnfr[] | select(.name == $n) | .status' "$HTTP_BODY"; }
for _ in $(seq 300); do
    napi GET "$NSR"
    [ "$(status_of quick)/$(status_of after)" = ACTIVE/ACTIVE ] && break
    sleep 0.1
done
[ "$(status_of quick)/$(status_of after)" = ACTIVE/ACTIVE ] ||
    fail "quick and after did not start while slow was held: $(summary)"
[ "$(status_of slow)" != ACTIVE ] && [ "$(status_of slow)" != INITIALIZED ] ||
    fail "slow went ahead while its INSTANTIATE was held: $(summary)"
[ "$(jq -r .status "$HTTP_BODY")" != ACTIVE ] || fail "the NSR is ACTIVE with slow held: $(summary)"
running_state() {
    local host
    host="$(jq -r --arg n "$1" '.vnfr[] | select(.name == $n) | .vdu[].vnfc_instance[].hostname' "$HTTP_BODY")"
    [ -n "$host" ] || { echo none; return; }
    docker inspect -f '{{.State.Status}}' "$(container_of "$host")" 2>/dev/null || echo none
}
[ "$(running_state quick)" = running ] || fail "quick's container is $(running_state quick): $(summary)"
[ "$(running_state after)" = running ] || fail "after's container is $(running_state after): $(summary)"
# slow's allocation is recorded only with its INSTANTIATE reply; whatever the Pop has of it,
# nothing of it runs.
slow_running="$(docker ps --filter "label=org.pop-nfv.pop=$POPD_NAME" --format '{{.Names}}' | grep -c -- "-slow-" || true)"
[ "$slow_running" = 0 ] || fail "slow's container runs while its INSTANTIATE is held"
after_quick_ip="$(docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' \
    "$(container_of "$(jq -r '.vnfr[] | select(.name == "after") | .vdu[].vnfc_instance[].hostname' "$HTTP_BODY")")" |
    sed -n 's/^QUICK_PRIVATE=//p')"
quick_ip="$(jq -r '.vnfr[] | select(.name == "quick") | .vdu[].vnfc_instance[].ips[] | select(.netName == "private") | .ip' "$HTTP_BODY")"
[ -n "$quick_ip" ] && [ "$after_quick_ip" = "$quick_ip" ] ||
    fail "after has QUICK_PRIVATE='$after_quick_ip', quick's address is '$quick_ip'"
echo "with slow held: quick and after ACTIVE, after has QUICK_PRIVATE=$quick_ip" >&2

release
nsr_wait_settled "$NSR" 120
[ "$NSR_STATUS" = ACTIVE ] || fail "the NSR is $NSR_STATUS once slow was let go: $(summary)"
nsr_check_env "$NSD" "$(cat "$HTTP_BODY")" container_of >/dev/null
ordered="$(nsr_check_start_order "$NSD" "$(cat "$HTTP_BODY")" container_of)"
[ "$ordered" = 1 ] || fail "$ordered ordered dependencies checked, not 1"
nfvo_pop_agrees "pipeline"
nsr_terminate "$NSR" "the pipeline NSR"
nfvo_pop_empty "pipeline then DELETE"
echo "nfvo pipeline: ok in $((($(date +%s%N) - t_start) / 1000000)) ms"
