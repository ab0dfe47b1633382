#!/usr/bin/env bash
# Runs one ci/ script in a fresh Debian 12 container that uses this host's Docker Engine through
# its socket: `ci/debian12.sh ci/test.sh`. The tree is mounted at the same path and the host's
# network is used, so what the tests publish on 127.0.0.1 (the compose gateway) and every path
# they hand to the engine mean the same inside and outside.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 ci/SCRIPT.sh [ARGS...]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
exec docker run --rm --network host -v /var/run/docker.sock:/var/run/docker.sock \
    -v "$top:$top" -w "$top" -e FUZZ_SECONDS -e DEBIAN_FRONTEND=noninteractive \
    --label org.pop-nfv.ci=1 debian:12 bash -euc '
        apt-get update -q
        apt-get install -y -q --no-install-recommends git ca-certificates docker.io >/dev/null
        git config --global --add safe.directory "$PWD"
        exec "$@"' ci "$@"
