#!/usr/bin/env bash
# Open Baton's own integration-tests NSDs (tests/fixtures/openbaton/integration-tests_*),
# onboarded unchanged and launched through pop-nfvo's REST API with every real component
# (RabbitMQ, popd-rest on the Docker Engine, pop-vim-driver, one pop-vnfm per endpoint they name:
# docker, dummy, generic), on a VIM instance named as they say (vim-instance, flavour m1.small).
# Their images (iperfserver:latest, iperfclient:latest, ubuntu-14.04-server-cloudimg-amd64-disk1)
# are this run's own, built FROM pop-tiny and removed at exit. For each NSD:
# - ACTIVE (the record's history printed when ERROR), every VNFC ACTIVE and its container
#   running;
# - each container's environment holds exactly the dependency values of its sources (§5:
#   <TYPE>_<KEY>, <TYPE>_<KEY>_ALL: the source's address on the network KEY, its hostname) and
#   its own configuration, nothing else named after a VNF type of the NS;
# - a source's containers all started before any of its targets' (dependencies not on a cycle);
# - terminate leaves no container and no network the NS made.
# The five are launched at once (so they also share the VNFMs, the driver and the Pop) and
# checked one by one. with-many-dependencies (11 VNFs, one cycle through all, 31 dependencies)
# must be ACTIVE within 30 s (an exponential walk of its paths once took 6 min); a copy where
# vnf-dummy-11 only consumes (its three outgoing dependencies dropped) must start it after its
# sources, although they sit on cycles.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

t_start=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
FIX="$SERVICE_LIB/../../fixtures/openbaton"

for img in iperfserver:latest iperfclient:latest ubuntu-14.04-server-cloudimg-amd64-disk1; do
    popd_local_image "$img"
done
popd_start POPD_FLAVOURS=m1.small:1:512 POPD_STOP_TIMEOUT=0
popd_login
nfvod_up
vnfm_start_type docker dummy generic
nfvod_login
napi POST /api/v1/datacenters "$(jq -c '.name = "vim-instance"' <<<"$VIM")"
expect_status 201 "datacenter"
jq -e '[.images[].name] | index("ubuntu-14.04-server-cloudimg-amd64-disk1:latest") != null' \
    "$HTTP_BODY" >/dev/null || fail "the VIM lacks the fixtures' images: $(jq -c '[.images[].name]' "$HTTP_BODY")"
echo "broker, popd-rest, pop-nfvo, driver and 4 VNFMs up in $(ms_since "$t_start") ms" >&2

pop_networks() {
    call GET /v1/networks
    jq -c '[.list[].id] | sort' <<<"$RESP"
}

# launch_nsd NSD_JSON: onboarded and launched; appends to NAMES, NSDS, NSD_IDS, NSR_IDS, T0S.
NAMES=() NSDS=() NSD_IDS=() NSR_IDS=() T0S=()
launch_nsd() {
    local nsd=$1 name
    name="$(jq -r .name <<<"$nsd")"
    napi POST /api/v1/ns-descriptors "$nsd"
    expect_status 201 "onboarding $name"
    NSD_IDS+=("$(jq -r .id "$HTTP_BODY")")
    T0S+=("$(date +%s%N)")
    napi POST "/api/v1/ns-records/${NSD_IDS[-1]}" '{}'
    expect_status 201 "launch of $name"
    NSR_IDS+=("$(jq -r .id "$HTTP_BODY")")
    NAMES+=("$name")
    NSDS+=("$nsd")
}

# wait_all_settled: polls every launched NSR until each is ACTIVE or ERROR (60 s at most);
# SETTLED_MS[i]: when the i-th did, in ms after its launch request.
declare -A SETTLED_MS=()
wait_all_settled() {
    local i st deadline=$((SECONDS + 60))
    while [ "${#SETTLED_MS[@]}" -lt "${#NAMES[@]}" ] && [ $SECONDS -lt $deadline ]; do
        for i in "${!NAMES[@]}"; do
            [ -z "${SETTLED_MS[$i]:-}" ] || continue
            napi GET "/api/v1/ns-records/${NSR_IDS[$i]}"
            st="$(jq -r .status "$HTTP_BODY")"
            [ "$st" != ACTIVE ] && [ "$st" != ERROR ] || SETTLED_MS[$i]=$(ms_since "${T0S[$i]}")
        done
        sleep 0.1
    done
}

# check_nsr I: the I-th launch ACTIVE and as its NSD says (above); sets RUN_MS.
check_nsr() {
    local i=$1 name=${NAMES[$1]} nsd=${NSDS[$1]} nsr ordered vars h
    nsr_wait_settled "/api/v1/ns-records/${NSR_IDS[$i]}" 1
    RUN_MS=${SETTLED_MS[$i]:-never}
    [ "$NSR_STATUS" = ACTIVE ] || fail "$name: NSR '$NSR_STATUS' after $RUN_MS ms: $(jq -c \
        '[.lifecycle_event_history, (.vnfr[]? | {name, status, h: .lifecycle_event_history})]' "$HTTP_BODY")"
    nsr="$(cat "$HTTP_BODY")"
    jq -e --argjson n "$(jq '.vnfd | length' <<<"$nsd")" '(.vnfr | length) == $n
        and all(.vnfr[]; .status == "ACTIVE" and all(.vdu[]; (.vnfc_instance | length) == (.vnfc | length)))
        and all(.vnfr[].vdu[].vnfc_instance[]; .state == "ACTIVE")' <<<"$nsr" >/dev/null ||
        fail "$name: ACTIVE NSR: $(jq -c '[.vnfr[] | {name, status, vnfc: [.vdu[].vnfc_instance[] | .state]}]' <<<"$nsr")"
    local cs=() down
    for h in $(jq -r '.vnfr[].vdu[].vnfc_instance[].hostname' <<<"$nsr"); do cs+=("$(container_of "$h")"); done
    down="$(docker inspect -f '{{.Name}} {{.State.Status}}' "${cs[@]}" 2>&1 | grep -v ' running$' || true)"
    [ -z "$down" ] || fail "$name: VNFCs not running: $down"
    vars="$(nsr_check_env "$nsd" "$nsr" container_of)"
    ordered="$(nsr_check_start_order "$nsd" "$nsr" container_of)"
    echo "$name: ACTIVE $RUN_MS ms after its launch request, $(jq '[.vnfr[].vdu[].vnfc_instance[]] | length' <<<"$nsr")" \
        "VNFCs, $(jq '[.vnf_dependency[].idType | length] | add // 0' <<<"$nsr") dependencies" \
        "($ordered ordered by start), $vars dependency variables" >&2
}

# All five at once (they share the VNFMs, the driver and the Pop), then each checked.
nets_before="$(pop_networks)"
for f in iperf-docker iperf-dummy-requires-provides ncat-scaling with-many-dependencies; do
    launch_nsd "$(cat "$FIX/integration-tests_NetworkServiceDescriptor-$f.json")"
done
# vnf-dummy-11 a pure consumer of vnf-dummy-1, -3 and -5, which are on cycles: still after them.
launch_nsd "$(jq -c '.name += "-sink"
    | .vnf_dependency |= map(select(.source != "vnf-dummy-11"))' \
    "$FIX/integration-tests_NetworkServiceDescriptor-with-many-dependencies.json")"
wait_all_settled
for i in "${!NAMES[@]}"; do
    check_nsr "$i"
    [ "${NAMES[$i]}" != many-dependencies-scenario ] || [ "$RUN_MS" -lt 30000 ] ||
        fail "with-many-dependencies took $RUN_MS ms to be ACTIVE"
done

t0=$(date +%s%N)
for i in "${!NAMES[@]}"; do
    napi DELETE "/api/v1/ns-records/${NSR_IDS[$i]}"
    expect_status 204 "terminate of ${NAMES[$i]}"
done
for i in "${!NAMES[@]}"; do nsr_wait_gone "/api/v1/ns-records/${NSR_IDS[$i]}" "${NAMES[$i]}"; done
echo "all terminated in $(ms_since "$t0") ms" >&2
[ -z "$(engine_containers)" ] || fail "containers left in the engine: $(engine_containers)"
[ "$(pop_networks)" = "$nets_before" ] ||
    fail "the Pop's networks were $nets_before, after terminate $(pop_networks)"
for i in "${!NAMES[@]}"; do
    napi DELETE "/api/v1/ns-descriptors/${NSD_IDS[$i]}"
    expect_status 204 "deleting ${NAMES[$i]}"
done
echo "nfvo fixtures: ok in $(ms_since "$t_start") ms"
