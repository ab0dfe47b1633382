#!/usr/bin/env bash
# Builds pop-tiny:latest from Debian's busybox-static; docker's cache makes a rebuild a no-op.
set -euo pipefail
cd "$(dirname "$0")"
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp Dockerfile entrypoint.sh "$ctx/"
cp /bin/busybox "$ctx/busybox"
if ! docker build -q -t pop-tiny:latest "$ctx" >"$ctx/log" 2>&1; then cat "$ctx/log" >&2; exit 1; fi
echo "image pop-tiny:latest $(docker image inspect -f '{{.Size}}' pop-tiny:latest) bytes"
