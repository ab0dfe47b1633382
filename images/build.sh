#!/usr/bin/env bash
# Builds every local image in dependency order; each step is a no-op when its inputs are unchanged.
set -euo pipefail
cd "$(dirname "$0")"
for img in tiny base sipp sipp-server sipp-client; do
    "./$img/build.sh"
done
