#!/usr/bin/env bash
# Builds sipp-client:latest (also tagged mcilloni/sipp-client:latest, the name the thesis's descriptors
# use) on sipp:latest; docker's cache makes a rebuild a no-op.
set -euo pipefail
cd "$(dirname "$0")"
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp Dockerfile start.sh "$ctx/"
if ! docker build -q --force-rm -t sipp-client:latest -t mcilloni/sipp-client:latest "$ctx" >"$ctx/log" 2>&1; then
    cat "$ctx/log" >&2
    exit 1
fi
echo "image sipp-client:latest $(docker image inspect -f '{{.Size}}' sipp-client:latest) bytes"
