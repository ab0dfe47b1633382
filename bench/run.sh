#!/usr/bin/env bash
# Runs every benchmark against the given build tree and prints the ratios (nothing asserted).
set -euo pipefail
build=${1:?usage: bench/run.sh BUILD_DIR}
cd "$(dirname "$0")/.."
echo "== popd-rest vs raw Docker Engine =="
/usr/bin/python3 bench/popd_vs_docker.py "$build/services/popd-rest/popd-rest" "${BENCH_RUNS:-24}"
if [ -x bench/gateway.sh ]; then
    echo
    echo "== pop-gateway vs nginx =="
    bench/gateway.sh "$build"
fi
echo
echo "== pop-vim-driver over RabbitMQ vs popd-rest direct =="
bench/vimd.sh "$build"
echo
echo "== pop-vnfm: its own time per VNF, and memory =="
bench/vnfm.sh "$build"
echo
echo "== pop-nfvo: NS launch through the whole chain vs raw Docker, cost per VNFC, memory =="
bench/nfvo.sh "$build"
