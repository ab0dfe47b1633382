#!/usr/bin/env bash
# Benchmark (printed, not asserted): pop-nfvo's whole chain against the raw Docker Engine; see
# bench/nfvo_bench.py for what is measured. The stack is the integration tests' own
# (tests/integration/lib/nfvo.sh): a private RabbitMQ node, popd-rest on the real engine,
# pop-nfvo, pop-vim-driver and pop-vnfm registered with it.
# usage: bench/nfvo.sh BUILD_DIR   (env: BENCH_NFVO_RUNS=20, BENCH_NFVO_CYCLES=100)
set -euo pipefail
BUILD=$(cd "${1:?usage: bench/nfvo.sh BUILD_DIR}" && pwd)
export POPD_BIN=$BUILD/services/popd-rest/popd-rest VIMD_BIN=$BUILD/services/vim-driver/pop-vim-driver
export NFVO_STANDIN=$BUILD/tests/integration/nfvo-standin/nfvo-standin VNFM_BIN=$BUILD/services/vnfm/pop-vnfm
export NFVO_BIN=$BUILD/services/nfvo/pop-nfvo VIMD_TRANSPORT=amqp
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../tests/integration/lib/popd.sh"
. "$here/../tests/integration/lib/nfvo.sh"

popd_start
popd_login
nfvod_up
nfvod_login
napi POST /api/v1/datacenters "$VIM"
expect_status 201 "datacenter"
# The bench's own raw containers carry its label; removed at exit whatever happens.
docker_cleanup_label "org.pop-nfv.bench=nfvo-$$"
# pop-gateway in front of pop-nfvo and popd-rest, as in the compose stack: the memory cycles'
# requests go through it.
GW_PORT="$(free_port)"
service_start pop-gateway "$POPD_WORK/gateway.log" "healthz=http://127.0.0.1:$GW_PORT" \
    env GATEWAY_PORT="$GW_PORT" GATEWAY_ROUTES="/v1/=$POPD_URL" GATEWAY_NFVO_URL="$NFVO_URL" \
    "$BUILD/gateway/pop-gateway"
GW_PID=$SERVICE_PID
NFVO_URL="$NFVO_URL" GW_URL="http://127.0.0.1:$GW_PORT" NFVO_TOKEN="$NFVO_TOKEN" \
    NFVO_PROJECT="$NFVO_PROJECT" NFVO_PID="$NFVO_PID" POPD_NAME="$POPD_NAME" \
    SIPP_FIXTURE="$SIPP_FIXTURE" BENCH_LABEL_PID=$$ \
    BENCH_SERVICES="popd-rest=$POPD_PID pop-vim-driver=$VIMD_PID pop-vnfm=$VNFM_PID pop-nfvo=$NFVO_PID pop-gateway=$GW_PID" \
    /usr/bin/python3 "$here/nfvo_bench.py"
# Every service of the stack after the runs above (the goals, own memory: pop-vim-driver and
# pop-vnfm < 3 MiB, pop-nfvo < 5 MiB; popd-rest < 10 MiB RSS).
echo "memory of the stack's services after the benchmark (anonymous = the process's own):"
for svc in "popd-rest $POPD_PID" "pop-vim-driver $VIMD_PID" "pop-vnfm $VNFM_PID" "pop-nfvo $NFVO_PID" \
    "pop-gateway $GW_PID"; do
    set -- $svc
    [ -n "${2:-}" ] && [ -r "/proc/$2/smaps_rollup" ] || { echo "  $1: not running"; continue; }
    awk -v name="$1" '/^Rss:/ {r = $2} /^Anonymous:/ {a = $2}
        END {printf "  %-15s RSS %6.1f MiB  anonymous %5.1f MiB\n", name, r / 1024, a / 1024}' \
        "/proc/$2/smaps_rollup"
done
