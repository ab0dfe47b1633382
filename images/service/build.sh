#!/usr/bin/env bash
# Builds the image of one service: `build.sh BUILD_DIR TAG BINARY` (BINARY relative to the
# build tree). FROM scratch with the binary, pop-probe (the healthcheck) and exactly the
# libraries ldd lists for them, /etc/passwd and group, /tmp, and /var/lib/pop (the state
# directory, owned by nobody, which runs the service). Debug info is stripped; docker's cache
# makes a rebuild with the same binary a no-op.
set -euo pipefail
[ $# = 3 ] || { echo "usage: $0 BUILD_DIR TAG BINARY" >&2; exit 2; }
build=$1 tag=$2 rel=$3
cd "$(dirname "$0")"
bin="$build/$rel" probe="$build/images/probe/pop-probe"
for f in "$bin" "$probe"; do
    [ -x "$f" ] || { echo "$tag: $f missing; run make build" >&2; exit 1; }
done
name=$(basename "$bin")
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/usr/local/bin" "$root/etc" "$root/tmp" "$ctx/state"
chmod 1777 "$root/tmp"
strip -o "$root/usr/local/bin/$name" "$bin"
strip -o "$root/usr/local/bin/pop-probe" "$probe"
cp ../base/etc/passwd ../base/etc/group ../base/etc/nsswitch.conf "$root/etc/"
# Every absolute path ldd prints, dereferenced and copied under the same name (as images/sipp).
libs=$(ldd "$bin" "$probe" | grep -v ':$' | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | sort -u)
for lib in $libs; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
cat >"$ctx/Dockerfile" <<DOCKERFILE
# $tag: $name from the local build, FROM scratch (images/service/build.sh).
FROM scratch
COPY rootfs/ /
COPY --chown=65534:65534 state/ /var/lib/pop/
USER 65534:65534
WORKDIR /var/lib/pop
LABEL org.pop-nfv.project="pop-nfv" org.pop-nfv.image="$tag"
ENTRYPOINT ["/usr/local/bin/$name"]
DOCKERFILE
if ! docker build -q --force-rm -t "$tag:latest" "$ctx" >"$ctx/log" 2>&1; then cat "$ctx/log" >&2; exit 1; fi
echo "image $tag:latest $(docker image inspect -f '{{.Size}}' "$tag:latest") bytes"
