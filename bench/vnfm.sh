#!/usr/bin/env bash
# Benchmark (printed, not asserted): the time pop-vnfm adds to one VNF's instantiate + modify +
# start, i.e. everything but the calls it waits for (the NFVO's grant and allocation, the
# driver's mgmt calls, the Docker start inside them), from its own metrics
# (vnfm_request_duration_seconds minus vnfm_call_duration_seconds, per VNF), p50 and p99; and
# its private memory idle, after half the VNFs and after all (goal: under 3 MiB, no growth).
# The stack is the integration tests' own (tests/integration/lib/vnfm.sh): a private RabbitMQ
# node, popd-rest on the real engine, pop-vim-driver, the NFVO stand-in, pop-vnfm. Each VNF is
# the SIPp client of tests/fixtures/openbaton on pop-tiny, depending on one server; its
# container is deleted after each run.
# usage: bench/vnfm.sh BUILD_DIR   (env: BENCH_VNFM_RUNS=200)
set -euo pipefail
BUILD=$(cd "${1:?usage: bench/vnfm.sh BUILD_DIR}" && pwd)
RUNS=${BENCH_VNFM_RUNS:-200}
export POPD_BIN=$BUILD/services/popd-rest/popd-rest VIMD_BIN=$BUILD/services/vim-driver/pop-vim-driver
export NFVO_STANDIN=$BUILD/tests/integration/nfvo-standin/nfvo-standin VNFM_BIN=$BUILD/services/vnfm/pop-vnfm
here="$(dirname "$0")/../tests/integration/lib"
. "$here/popd.sh"
. "$here/vnfm.sh"

popd_start
popd_login
vnfm_up

private_kib() {
    awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$VNFM_PID/smaps_rollup"
}
# own_us: microseconds of request handling minus those spent waiting for calls, so far.
own_us() {
    curl -fs "$VNFM_URL/metrics" | awk '
        /^vnfm_request_duration_seconds_sum/ {req += $2}
        /^vnfm_call_duration_seconds_sum/ {call += $2}
        END {printf "%d\n", (req - call) * 1000000}'
}

# The server, once: its VNFC instance is the dependency every client gets.
vsend "$(instantiate_msg sipp-server)"
expect_reply INSTANTIATE
server="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"
vsend "$(start_msg "$server")"
expect_reply START
server_vi="$(jq -c '.virtualNetworkFunctionRecord.vdu[0].vnfc_instance[0]' <<<"$VREPLY")"

idle=$(private_kib)
samples="$POPD_WORK/own-us.txt"
: >"$samples"
half=""
for i in $(seq "$RUNS"); do
    before=$(own_us)
    vsend "$(instantiate_msg sipp-client)"
    expect_reply INSTANTIATE
    client="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"
    vsend "$(modify_msg "$client" "$(sipp_record "$server_vi")")"
    expect_reply MODIFY
    vsend "$(start_msg "$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")")"
    expect_reply START
    echo $(($(own_us) - before)) >>"$samples"
    host="$(jq -r '.virtualNetworkFunctionRecord.vdu[0].vnfc_instance[0].hostname' <<<"$VREPLY")"
    api DELETE "/v1/containers/$host" >/dev/null
    [ "$i" = $((RUNS / 2)) ] && half=$(private_kib)
done
full=$(private_kib)
sort -n "$samples" | awk -v n="$RUNS" '{v[NR] = $1} END {
    p50 = v[int(0.50 * (n - 1) + 1.5)]; p99 = v[int(0.99 * (n - 1) + 1.5)]
    printf "pop-vnfm own time per VNF (instantiate+modify+start, calls excluded), n=%d: p50 %.2f ms, p99 %.2f ms\n",
        n, p50 / 1000, p99 / 1000}'
echo "pop-vnfm private memory: idle ${idle} KiB, after $((RUNS / 2)) VNFs ${half} KiB, after ${RUNS} ${full} KiB (growth over the second half: $((full - half)) KiB)"
vnfm_stop
