#!/usr/bin/env bash
# Installs the Debian packages the project needs; a no-op when all are present. clang, its
# libFuzzer runtime and llvm (llvm-symbolizer, for readable reports) serve `make fuzz`.
set -euo pipefail

packages=(
    build-essential cmake pkg-config clang-format
    libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libsqlite3-dev
    libjwt-dev libssl-dev libcmocka-dev librabbitmq-dev
    curl jq python3 python3-yaml python3-jsonschema
    busybox-static sip-tester docker-compose
    rabbitmq-server
    nginx-light wrk openssl
    clang libclang-rt-14-dev llvm
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

# rabbitmq-server's postinst (and erlang's epmd) would start a system-wide broker listening on
# every address. Tests start their own private node (tests/integration/lib/rabbitmq.sh), so
# services must not start during the install: a policy-rc.d that answers 101 ("action
# forbidden") makes invoke-rc.d and deb-systemd-invoke skip every start. An existing policy
# file (e.g. Docker images ship one that already answers 101) is set aside and put back.
policy=/usr/sbin/policy-rc.d
policy_saved=""
restore_policy() {
    if [ -n "$policy_saved" ]; then
        mv -f "$policy_saved" "$policy"
    else
        rm -f "$policy"
    fi
}
if [ -e "$policy" ]; then
    policy_saved="$(mktemp /usr/sbin/policy-rc.d.pop-saved.XXXXXX)"
    cp -p "$policy" "$policy_saved"
fi
trap restore_policy EXIT
trap 'exit 130' INT TERM
printf '#!/bin/sh\n# Temporary, from pop-nfv scripts/install-deps.sh: start no service.\nexit 101\n' >"$policy"
chmod 755 "$policy"

apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
