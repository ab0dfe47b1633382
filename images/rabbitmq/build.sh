#!/usr/bin/env bash
# Builds pop-rabbitmq:latest from the host's Debian rabbitmq-server and the Erlang it runs on
# (/usr/lib/rabbitmq, /usr/lib/erlang) plus exactly the libraries ldd lists for their ELF files,
# on pop-base (the broker's scripts need a shell); no network. docker's cache makes a rebuild
# with the same installation a no-op.
set -euo pipefail
cd "$(dirname "$0")"
for d in /usr/lib/rabbitmq /usr/lib/erlang; do
    [ -d "$d" ] || { echo "pop-rabbitmq: $d missing; install Debian's rabbitmq-server (make deps)" >&2; exit 1; }
done
# Copying 60 MB into a context takes seconds, so the image records a digest of its inputs (the
# installation's file list with sizes and times, and this directory) and is kept when it matches.
inputs=$({ find /usr/lib/rabbitmq /usr/lib/erlang /usr/share/rabbitmq -printf '%P %s %T@\n' | sort
    cat build.sh Dockerfile entrypoint.sh; docker image inspect -f '{{.Id}}' pop-base:latest; } | sha256sum | cut -c1-32)
if [ "$(docker image inspect -f '{{index .Config.Labels "org.pop-nfv.inputs"}}' pop-rabbitmq:latest 2>/dev/null)" = "$inputs" ]; then
    echo "image pop-rabbitmq:latest $(docker image inspect -f '{{.Size}}' pop-rabbitmq:latest) bytes (unchanged)"
    exit 0
fi
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/usr/lib" "$root/usr/share/rabbitmq" "$root/etc/rabbitmq"
cp -a /usr/lib/rabbitmq /usr/lib/erlang "$root/usr/lib/"
cp /usr/share/rabbitmq/rabbitmq-env.conf "$root/usr/share/rabbitmq/" 2>/dev/null || true
# The ELF files (by their magic), then every absolute path ldd prints for them.
elfs=$(find "$root/usr/lib" -type f -perm -u+x -o -type f -name '*.so' | while read -r f; do
    if [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ]; then echo "$f"; fi
done)
libs=$(for f in $elfs; do ldd "$f" 2>/dev/null || true; done |
    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | sort -u)
for lib in $libs; do
    if [ -e "$root$lib" ]; then continue; fi
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
cp Dockerfile entrypoint.sh "$ctx/"
if ! docker build -q --force-rm --label "org.pop-nfv.inputs=$inputs" -t pop-rabbitmq:latest "$ctx" >"$ctx/log" 2>&1; then cat "$ctx/log" >&2; exit 1; fi
echo "image pop-rabbitmq:latest $(docker image inspect -f '{{.Size}}' pop-rabbitmq:latest) bytes"
