#!/usr/bin/env bash
# Builds every local image in dependency order; each step is a no-op when its inputs are unchanged.
# `images/build.sh [BUILD_DIR]`: the service images take their binaries from BUILD_DIR (default
# build/release, i.e. `make build`).
set -euo pipefail
# BUILD_DIR is relative to where we were called from (make passes build/release).
build=$(cd "${1:-$(dirname "$0")/../build/release}" && pwd)
cd "$(dirname "$0")"
for img in tiny base sipp sipp-server sipp-client rabbitmq; do
    "./$img/build.sh"
done
# tag and binary (in the build tree) of each service image (images/service/build.sh).
while read -r tag bin; do
    ./service/build.sh "$build" "$tag" "$bin"
done <<'SERVICES'
popd-rest services/popd-rest/popd-rest
pop-vim-driver services/vim-driver/pop-vim-driver
pop-vnfm services/vnfm/pop-vnfm
pop-nfvo services/nfvo/pop-nfvo
pop-gateway gateway/pop-gateway
SERVICES
