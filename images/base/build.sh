#!/usr/bin/env bash
# Builds pop-base:latest (static busybox + minimal /etc); docker's cache makes a rebuild a no-op.
set -euo pipefail
cd "$(dirname "$0")"
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/etc" "$ctx/rootfs/tmp" "$ctx/rootfs/var/log"
chmod 1777 "$ctx/rootfs/tmp"
cp /bin/busybox "$ctx/rootfs/bin/busybox"
cp etc/passwd etc/group etc/nsswitch.conf "$ctx/rootfs/etc/"
cp Dockerfile "$ctx/"
if ! docker build -q --force-rm -t pop-base:latest "$ctx" >"$ctx/log" 2>&1; then cat "$ctx/log" >&2; exit 1; fi
echo "image pop-base:latest $(docker image inspect -f '{{.Size}}' pop-base:latest) bytes"
