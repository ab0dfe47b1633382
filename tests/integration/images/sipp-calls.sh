#!/usr/bin/env bash
# Proves the SIPp VNF images: a sipp-client places real SIP calls to a sipp-server on a network
# this test creates, reports them in its logs and stats file, and fails loudly when misconfigured.
# usage: sipp-calls.sh IMAGES_DIR
set -euo pipefail
images=${1:?usage: $0 IMAGES_DIR}
SERVICE_WORK_PREFIX=sipp-calls
# shellcheck source=../lib/service.sh
. "$(dirname "$0")/../lib/service.sh"

run="pop-imgtest-$$"
net="$run-net"
server="$run-server"
labels=(--label org.pop-nfv.test=1 --label "org.pop-nfv.test.run=$run")
created=()
# The appendix-C parameters of the thesis's NSD, plus a call limit that keeps the test short.
client_env=(-e SIPP_LENGTH=0 -e SIPP_RATE=10 -e SIPP_RATE_PERIOD=1000 -e SIPP_RATE_MAX=10
    -e SIPP_RATE_INCREASE=0 -e SIPP_RTP_ECHO=10 -e SIPP_CALL_LIMIT=20 -e SIPP_STATS_PERIOD=1)

# Everything this run made carries its label: containers and the network go at exit.
docker_cleanup_label "org.pop-nfv.test.run=$run"

# On failure, what the containers said.
show_logs() {
    local c
    for c in "${created[@]}"; do
        echo "--- docker logs $c" >&2
        docker logs "$c" 2>&1 | grep -v '^ \|^-\|^$' | tail -n 20 >&2 || true
    done
}
on_failure "container logs" show_logs

# wait_exit CONTAINER SECONDS: prints the exit code, fails if still running after SECONDS.
wait_exit() {
    local code
    code=$(timeout "$2" docker wait "$1") || fail "$1 still running after $2 s"
    echo "$code"
}

# run_client NAME ENV...: starts a sipp-client on the test network, detached.
run_client() {
    local name=$1
    shift
    created+=("$name")
    docker run -d --init --name "$name" "${labels[@]}" --network "$net" "$@" \
        sipp-client:latest >/dev/null
}

# The images under test, rebuilt from the sources (a no-op when unchanged).
for img in base sipp sipp-server sipp-client; do
    "$images/$img/build.sh" >/dev/null
done

# --internal: the SIP traffic cannot leave this network.
docker network create --internal "${labels[@]}" "$net" >/dev/null
created+=("$server")
docker run -d --init --name "$server" "${labels[@]}" --network "$net" -e SIPP_STATS_PERIOD=1 \
    sipp-server:latest >/dev/null
server_ip=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" "$server")
[ -n "$server_ip" ] || fail "server has no address on $net"
# The first statistics line means sipp is up and bound to its port.
for _ in $(seq 50); do
    docker logs "$server" 2>/dev/null | grep -q '^sipp-server: running:' && break
    sleep 0.2
done
docker logs "$server" 2>/dev/null | grep -q '^sipp-server: running:' || fail "server never started"

echo "1. the client completes its calls to SERVER_PRIVATE=$server_ip"
run_client "$run-client" "${client_env[@]}" -e SIPP_TRANSPORT_MODE=u1 -e "SERVER_PRIVATE=$server_ip"
code=$(wait_exit "$run-client" 30)
[ "$code" -eq 0 ] || fail "client exited with $code"
summary=$(docker logs "$run-client" 2>/dev/null | sed -n 's/^sipp-client: final: //p')
[ "$summary" = "calls placed=20 successful=20 failed=0" ] || fail "client logs say '$summary'"
stats=$(docker cp "$run-client:/var/log/sipp/stats.txt" - | tar -xO)
[ "$(head -n 1 <<<"$stats")" = "$summary" ] || fail "stats file says '$stats'"

echo "2. the client without SERVER_PRIVATE exits non-zero and says why"
run_client "$run-noserver" "${client_env[@]}" -e SIPP_TRANSPORT_MODE=u1
code=$(wait_exit "$run-noserver" 15)
[ "$code" -ne 0 ] || fail "client without SERVER_PRIVATE exited 0"
docker logs "$run-noserver" 2>&1 | grep -q 'missing required environment variable(s): SERVER_PRIVATE' ||
    fail "client without SERVER_PRIVATE did not name it"

echo "3. a client whose calls cannot be placed (TCP to a UDP server) exits non-zero"
run_client "$run-tcp" "${client_env[@]}" -e SIPP_TRANSPORT_MODE=t1 -e "SERVER_PRIVATE=$server_ip"
code=$(wait_exit "$run-tcp" 30)
[ "$code" -ne 0 ] || fail "client with no successful call exited 0"
docker logs "$run-tcp" 2>&1 | grep -q '^sipp-client: FAILED:' || fail "no FAILED line from the TCP client"

echo "4. the server saw exactly the 20 calls and stops cleanly on SIGTERM"
docker stop -t 10 "$server" >/dev/null
code=$(wait_exit "$server" 15)
[ "$code" -eq 0 ] || fail "server exited with $code after docker stop"
summary=$(docker logs "$server" 2>/dev/null | sed -n 's/^sipp-server: final: //p')
[[ "$summary" =~ ^calls\ received=20\ successful=[0-9]+\ failed=0$ ]] ||
    fail "server logs say '$summary'"
echo "PASS"
