#!/usr/bin/env bash
# The demo's path through docker-compose (scripts/demo.sh on a compose project of its own): the
# stack comes up healthy with generated secrets (a file only the user can read), the SIPp NS
# launched through pop-gateway becomes ACTIVE, the client's SERVER_PRIVATE is the server's
# address, the client's SIP calls succeed, a scale-out of the server re-injects the client with
# both servers (SERVER_PRIVATE_ALL), `down` + `up` keeps the running NS (same containers,
# still ACTIVE) and terminate then works, terminate and `down -v` leave nothing. Anything of
# this run (project e2e<pid>, labelled by compose and by popd-rest) is removed also on failure.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export POP_NAME="e2e$$"
work=$(mktemp -d /tmp/pop-e2e.XXXXXX)
export POP_SECRETS="$work/secrets.env"
export POP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

fail() { echo "FAIL: $*" >&2; exit 1; }
leftovers() {
    {
        docker ps -aq --filter "label=com.docker.compose.project=$POP_NAME"
        docker ps -aq --filter "label=org.pop-nfv.pop=$POP_NAME"
        docker ps -aq --filter "label=org.pop-nfv.demo-direct=$POP_NAME"
        docker network ls -q --filter "label=com.docker.compose.project=$POP_NAME"
        docker network ls -q --filter "label=org.pop-nfv.pop=$POP_NAME"
        docker volume ls -q --filter "label=com.docker.compose.project=$POP_NAME"
    } | sort -u
}
cleanup() {
    local st=$?
    "$top/scripts/stack.sh" down-v >/dev/null 2>&1 || true
    rm -rf "$work"
    exit $st
}
trap cleanup EXIT
trap "exit 130" INT TERM

t0=$SECONDS
status=0
DEMO_RESTART=1 "$top/scripts/demo.sh" >"$work/demo.log" 2>&1 || status=$?
sed 's/\x1b\[[0-9;]*m//g' "$work/demo.log" >"$work/demo.txt"
[ $status = 0 ] || { cat "$work/demo.txt" >&2; fail "scripts/demo.sh exited $status"; }
[ -f "$POP_SECRETS" ] || fail "no secrets file $POP_SECRETS"
[ "$(stat -c %a "$POP_SECRETS")" = 600 ] || fail "secrets file mode $(stat -c %a "$POP_SECRETS")"
for v in POP_PASSWORD POP_JWT_KEY POP_NFVO_PASSWORD POP_BROKER_PASSWORD POP_REGISTRATION_PASSWORD; do
    grep -Eq "^$v=[0-9a-f]{32,}$" "$POP_SECRETS" || fail "secret $v not generated"
done
expect() { grep -Eq "$1" "$work/demo.txt" || { cat "$work/demo.txt" >&2; fail "the demo did not show: $2"; }; }
expect 'NS ACTIVE +sipp-client ACTIVE \(1 VNFC\), sipp-server ACTIVE \(1 VNFC\)' "the NS ACTIVE with both VNFs"
server_ip=$(sed -n 's/^server .* at \([0-9.]*\); client env: .*/\1/p' "$work/demo.txt")
[ -n "$server_ip" ] || fail "no server address in the demo's output"
expect "client env: SERVER_PRIVATE=${server_ip//./\\.}\$" "the client's SERVER_PRIVATE = the server's address"
expect '^NS [0-9a-f-]+ still ACTIVE, same containers running$' "the NS kept across down + up"
servers=$(sed -n 's/^servers now at \([0-9.,]*\); client env now: .*/\1/p' "$work/demo.txt")
[[ "$servers" =~ ^${server_ip//./\\.},[0-9.]+$ ]] || fail "after the scale-out the servers are '$servers'"
expect "client env now: SERVER_PRIVATE=${server_ip//./\\.} SERVER_PRIVATE_ALL=${servers//./\\.} \$" \
    "the client re-injected with both servers after the scale-out"
expect '^client: sipp-client: running: calls placed=[0-9]+ successful=[1-9][0-9]* failed=0' "successful SIP calls"
expect '^terminated in [0-9]+ ms; no container of the NS is left' "terminate leaving no container"
expect "^nothing left: no container, network or volume of '$POP_NAME'" "down -v leaving nothing"
expect '^demo: ok$' "the end"
[ -z "$(leftovers)" ] || fail "left behind: $(leftovers)"
grep -E '^  (stack up|NS launch|a network)' "$work/demo.txt"
echo "e2e compose demo: ok in $((SECONDS - t0)) s"
