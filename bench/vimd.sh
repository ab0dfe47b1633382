#!/usr/bin/env bash
# Benchmark (printed, not asserted): pop-vim-driver's plugin RPC round trip through RabbitMQ
# versus the same popd-rest call made directly, interleaved (vimd-bench), and the driver's
# private memory idle, after 1,000 RPCs and after 1,000 more (goal: under 3 MiB, no growth).
# The stack is the integration tests' own: a private RabbitMQ node, the NFVO 6 stand-in, a
# popd-rest on the real engine (containers labelled and removed at exit).
# usage: bench/vimd.sh BUILD_DIR   (env: BENCH_VIMD_RUNS=200)
set -euo pipefail
BUILD=$(cd "${1:?usage: bench/vimd.sh BUILD_DIR}" && pwd)
RUNS=${BENCH_VIMD_RUNS:-200}
export POPD_BIN=$BUILD/services/popd-rest/popd-rest VIMD_BIN=$BUILD/services/vim-driver/pop-vim-driver
export NFVO_STANDIN=$BUILD/tests/integration/nfvo-standin/nfvo-standin VIMD_TRANSPORT=amqp
here="$(dirname "$0")/../tests/integration/lib"
. "$here/popd.sh"
. "$here/vimd.sh"

popd_start
popd_login
vimd_up
vimd_vim

private_kib() {
    awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$VIMD_PID/smaps_rollup"
}
thousand_rpcs() {
    env STANDIN_BROKER_PORT="$RMQ_PORT" STANDIN_ADMIN_USER="$RMQ_ADMIN_USER" \
        STANDIN_ADMIN_PASS="$RMQ_ADMIN_PASS" "$NFVO_STANDIN" call -n 4 -r 250 "$VIMD_PLUGIN" \
        listServer "[$VIM]" >/dev/null
}

idle=$(private_kib)
BENCH_BROKER_PORT=$RMQ_PORT BENCH_ADMIN_USER=$RMQ_ADMIN_USER BENCH_ADMIN_PASS=$RMQ_ADMIN_PASS \
    BENCH_POP_URL=$POPD_URL BENCH_POP_USER=$POPD_USER BENCH_POP_PASS=$POPD_PASS \
    "$BUILD/bench/vimd-bench" "$RUNS" "$VIM" "$VIMD_PLUGIN"
thousand_rpcs
after1=$(private_kib)
thousand_rpcs
after2=$(private_kib)
echo "pop-vim-driver private memory: idle ${idle} KiB, after 1,000 RPCs ${after1} KiB, after 2,000 ${after2} KiB (growth over the second 1,000: $((after2 - after1)) KiB)"
vimd_stop
