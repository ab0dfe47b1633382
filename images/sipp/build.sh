#!/usr/bin/env bash
# Builds sipp:latest from the host's /usr/bin/sipp plus every library ldd lists (and the loader);
# docker's cache makes a rebuild a no-op.
set -euo pipefail
cd "$(dirname "$0")"
sipp=/usr/bin/sipp
[ -x "$sipp" ] || { echo "sipp: $sipp missing; install Debian's sip-tester (make deps)" >&2; exit 1; }
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/usr/bin"
cp "$sipp" "$root/usr/bin/sipp"
# Every absolute path ldd prints ("lib => /path (addr)" or "/path (addr)"), dereferenced and
# copied under the same name, so the loader finds them as on the host.
libs=$(ldd "$sipp" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | sort -u)
[ -n "$libs" ] || { echo "sipp: ldd listed no libraries" >&2; exit 1; }
for lib in $libs; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
cp Dockerfile sipp.sh "$ctx/"
if ! docker build -q --force-rm -t sipp:latest "$ctx" >"$ctx/log" 2>&1; then cat "$ctx/log" >&2; exit 1; fi
echo "image sipp:latest $(docker image inspect -f '{{.Size}}' sipp:latest) bytes"
