#!/usr/bin/env bash
# The mgmt methods on a launched container: mgmtCheck answers the Server; mgmtAddMetadata
# merges (an empty value deletes); mgmtStart runs it with exactly the metadata as environment;
# a start of a running container is answered, not refused; mgmtAddMetadata on the running
# container recreates it with the same addresses and the new environment; mgmtStop; mgmtDelete.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/vimd.sh"

popd_start
popd_login
vimd_up
vimd_vim
api POST /v1/networks '{"name":"data"}' >/dev/null
expect_status 201

# The container's environment minus what Docker itself adds, sorted.
denv() {
    docker exec "$POPD_NAME-$1" env | grep -Ev '^(PATH|HOSTNAME|HOME|TERM)=' | sort
}
m() { # m METHOD ARGS_JSON...: the mgmt call with the VIM instance first
    local method=$1
    shift
    vcall "$method" "$(jq -cn --argjson v "$VIM" '[$v] + $ARGS.positional' --jsonargs "$@")"
}

vcall launchInstanceAndWait "$(launch8 server-7 pop-tiny:latest "[$(cp private),$(cp data)]")"
expect_answer
launched="$ANSWER"
ips="$(jq -c .ips <<<"$launched")"

m mgmtCheck '"server-7"'
expect_answer
[ "$ANSWER" = "$launched" ] || fail "mgmtCheck differs from the launch: $ANSWER"

m mgmtAddMetadata '"server-7"' '{"SERVER_PRIVATE":"172.16.0.2","MODE":"a b  c=d","GONE":"x"}'
expect_answer
m mgmtAddMetadata '"server-7"' '{"GONE":"","EXTRA_ALL":"1,2"}'
expect_answer
[ "$(api GET /v1/containers/server-7 | jq -c .md)" = '{"EXTRA_ALL":"1,2","MODE":"a b  c=d","SERVER_PRIVATE":"172.16.0.2"}' ] ||
    fail "merged metadata: $(api GET /v1/containers/server-7 | jq -c .md)"

m mgmtStart '"server-7"'
expect_answer
jq -e --argjson ips "$ips" '.status == "RUNNING" and .ips == $ips' <<<"$ANSWER" >/dev/null ||
    fail "mgmtStart: $ANSWER"
[ "$(denv server-7)" = "$(printf 'EXTRA_ALL=1,2\nMODE=a b  c=d\nSERVER_PRIVATE=172.16.0.2')" ] ||
    fail "env after start: $(denv server-7)"
first_engine="$(docker inspect -f '{{.Id}}' "$POPD_NAME-server-7")"

# Started again (a redelivered mgmtStart, or a START of a running VNFR): answered as running.
m mgmtStart '"server-7"'
expect_answer
[ "$(jq -r .status <<<"$ANSWER")" = RUNNING ] || fail "second mgmtStart: $ANSWER"
[ "$(docker inspect -f '{{.Id}}' "$POPD_NAME-server-7")" = "$first_engine" ] ||
    fail "second mgmtStart replaced the container"

# New dependency values for the running container: recreated, same addresses, new env.
m mgmtAddMetadata '"server-7"' '{"SERVER_PRIVATE":"172.16.0.9","EXTRA_ALL":""}'
expect_answer
jq -e --argjson ips "$ips" '.status == "RUNNING" and .ips == $ips' <<<"$ANSWER" >/dev/null ||
    fail "mgmtAddMetadata on running: $ANSWER"
[ "$(docker inspect -f '{{.Id}}' "$POPD_NAME-server-7")" != "$first_engine" ] ||
    fail "the running container was not recreated"
[ "$(denv server-7)" = "$(printf 'MODE=a b  c=d\nSERVER_PRIVATE=172.16.0.9')" ] ||
    fail "env after recreate: $(denv server-7)"
for net in private data; do
    want="$(jq -r --arg n "$net" '.[$n][0]' <<<"$ips")"
    got="$(docker inspect -f "{{(index .NetworkSettings.Networks \"$POPD_NAME-$net\").IPAddress}}" "$POPD_NAME-server-7")"
    [ "$got" = "$want" ] || fail "recreated container has $got on $net, not $want"
done

m mgmtStop '"server-7"'
expect_answer
[ "$(jq -r .status <<<"$ANSWER")" = STOPPING ] || fail "mgmtStop: $ANSWER"
wait_status server-7 EXITED 20
m mgmtStop '"server-7"' # stopped already: answered with its state
expect_answer
[ "$(jq -r .status <<<"$ANSWER")" = EXITED ] || fail "second mgmtStop: $ANSWER"
# A final state allows nothing but delete: popd-rest's words, prefixed.
m mgmtStart '"server-7"'
call POST /v1/containers/server-7/start
expect_problem 409 state-conflict EXITED
expect_exception "mgmtStart on pop1: $(jq -r .detail <<<"$RESP")"

m mgmtDelete '"server-7"'
expect_answer
[ "$ANSWER" = true ] || fail "mgmtDelete answered $ANSWER"
call GET /v1/containers/server-7
expect_status 404
[ -z "$(engine_containers)" ] || fail "engine containers left: $(engine_containers)"

# Unknown hostnames, by every mgmt method.
for method in mgmtCheck mgmtStart mgmtStop mgmtDelete; do
    m "$method" '"server-7"'
    expect_exception "$method on pop1: no container with id or name 'server-7'"
done
m mgmtAddMetadata '"server-7"' '{"A":"1"}'
expect_exception "mgmtAddMetadata on pop1: no container with id or name 'server-7'"
echo "mgmt: ok"
