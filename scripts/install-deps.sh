#!/usr/bin/env bash
# Installs the Debian packages the project needs; a no-op when all are present.
set -euo pipefail

packages=(
    build-essential cmake pkg-config clang-format
    libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libsqlite3-dev
    libjwt-dev libssl-dev libcmocka-dev librabbitmq-dev
    curl jq python3 python3-yaml python3-jsonschema
    busybox-static sip-tester
    nginx-light wrk openssl
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages and not root; run: sudo $0" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
