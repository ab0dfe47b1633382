#!/usr/bin/env bash
# Builds sipp-server:latest (also tagged mcilloni/sipp-server:latest, the name the thesis's descriptors
# use) on sipp:latest; docker's cache makes a rebuild a no-op.
set -euo pipefail
cd "$(dirname "$0")"
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp Dockerfile start.sh "$ctx/"
if ! docker build -q --force-rm -t sipp-server:latest -t mcilloni/sipp-server:latest "$ctx" >"$ctx/log" 2>&1; then
    cat "$ctx/log" >&2
    exit 1
fi
echo "image sipp-server:latest $(docker image inspect -f '{{.Size}}' sipp-server:latest) bytes"
