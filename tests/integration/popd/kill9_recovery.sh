#!/usr/bin/env bash
# popd-rest killed with SIGKILL between every lifecycle step and restarted on the same database
# and port: containers, states, metadata, reservations and engine objects are exactly as before;
# reconciliation removes orphans, ends containers that vanished and respects foreign addresses.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"

popd_start
popd_login

restart() {
    popd_kill9
    popd_start
}
# expect_list "name=STATUS ...": the container list, in creation order.
expect_list() {
    call GET /v1/containers
    expect_status 200
    local got
    got="$(jq -r '[.list[] | .names[0] + "=" + .status] | join(" ")' <<<"$RESP")"
    [ "$got" = "$1" ] || fail "containers are '$got', expected '$1'"
}
expect_engine() {
    local got
    got="$(engine_containers | tr '\n' ' ' | sed 's/ $//')"
    [ "$got" = "$1" ] || fail "engine containers are '$got', expected '$1'"
}
# probe_gets ADDR: a fresh Create on private gets ADDR (the lowest free one); then deleted.
probe_gets() {
    call POST /v1/containers '{"name":"probe","image_id":"pop-tiny:latest"}'
    expect_status 201
    local got
    got="$(jq -r .endpoints.private.ipv4.address <<<"$RESP")"
    call DELETE /v1/containers/probe
    expect_status 204
    [ "$got" = "$1" ] || fail "a new container got $got, expected $1"
}

call GET "/v1/networks?name=private"
net="$(jq -r '.list[0].subnets[0].cidr' <<<"$RESP")"
a1="$(ip_add "${net%/*}" 2)"
a2="$(ip_add "${net%/*}" 3)"

# 1. after Create
call POST /v1/containers '{"name":"app","image_id":"pop-tiny:latest"}'
expect_status 201
app_id="$(jq -r .id <<<"$RESP")"
[ "$(jq -r .endpoints.private.ipv4.address <<<"$RESP")" = "$a1" ] || fail "create: $RESP"
restart
expect_list "app=CREATED"
call GET /v1/containers/app
[ "$(jq -r .id <<<"$RESP")" = "$app_id" ] || fail "id changed"
[ "$(jq -r .endpoints.private.ipv4.address <<<"$RESP")" = "$a1" ] || fail "address lost: $RESP"
probe_gets "$a2"
expect_engine ""

# 2. after Metadata
call PATCH /v1/containers/app/metadata '{"entries":{"PEER":"10.0.0.9","MODE":"server"}}'
expect_status 200
restart
expect_list "app=CREATED"
call GET /v1/containers/app
[ "$(jq -c .md <<<"$RESP")" = '{"MODE":"server","PEER":"10.0.0.9"}' ] || fail "metadata lost: $RESP"
probe_gets "$a2"
expect_engine ""

# 3. after Start
call POST /v1/containers/app/start
expect_status 200
docker_id="$(docker inspect -f '{{.Id}}' "$POPD_NAME-app")"
restart
expect_list "app=RUNNING"
call GET /v1/containers/app
[ "$(jq -r .endpoints.private.ipv4.address <<<"$RESP")" = "$a1" ] || fail "address lost: $RESP"
expect_engine "$POPD_NAME-app"
[ "$(docker inspect -f '{{.Id}} {{.State.Status}}' "$POPD_NAME-app")" = "$docker_id running" ] ||
    fail "the running Docker container was replaced or stopped"
docker exec "$POPD_NAME-app" env | grep -qx 'MODE=server' || fail "env lost"
probe_gets "$a2"

# 4. right after Stop was accepted (the background stop dies with popd-rest)
call POST /v1/containers/app/stop
expect_status 202
restart
wait_status app EXITED 15
expect_list "app=EXITED"
expect_engine ""
probe_gets "$a1"

# 5. after Delete
call DELETE /v1/containers/app
expect_status 204
restart
expect_list ""
call GET "/v1/containers/$app_id"
expect_status 404
expect_engine ""
probe_gets "$a1"

# Killed at various points of a metadata recreate: the container comes back RUNNING on its
# address with one running engine container (the restart finishes the recreate), never FAILED.
call POST /v1/containers '{"name":"rec","image_id":"pop-tiny:latest"}'
expect_status 201
rec_addr="$(jq -r .endpoints.private.ipv4.address <<<"$RESP")"
call POST /v1/containers/rec/start
expect_status 200
for d in 0.03 0.06 0.1 0.15 0.25; do
    call PATCH '/v1/containers/rec/metadata?apply=recreate' "{\"entries\":{\"STEP\":\"$d\"}}" &
    bg=$!
    sleep "$d"
    restart
    wait "$bg" || true
    call GET /v1/containers/rec
    [ "$(jq -r .status <<<"$RESP")" = RUNNING ] || fail "killed $d s into a recreate: $RESP"
    [ "$(jq -r .endpoints.private.ipv4.address <<<"$RESP")" = "$rec_addr" ] || fail "address: $RESP"
    expect_engine "$POPD_NAME-rec"
    [ "$(docker inspect -f "{{.State.Status}} {{(index .NetworkSettings.Networks \"$POPD_NAME-private\").IPAddress}}" "$POPD_NAME-rec")" = \
        "running $rec_addr" ] || fail "killed $d s into a recreate: engine container not running on $rec_addr"
done
call DELETE /v1/containers/rec
expect_status 204

# A labelled engine container no row owns is removed at start-up.
popd_kill9
docker run -d --name "$POPD_NAME-ghost" --label "org.pop-nfv.pop=$POPD_NAME" \
    --label org.pop-nfv.container-id=ghost --label org.pop-nfv.test=1 pop-tiny:latest >/dev/null
popd_start
expect_engine ""
expect_list ""

# A RUNNING container whose Docker container vanished while popd-rest was down ends.
call POST /v1/containers '{"name":"gone","image_id":"pop-tiny:latest"}'
expect_status 201
call POST /v1/containers/gone/start
expect_status 200
popd_kill9
docker rm -f "$POPD_NAME-gone" >/dev/null
popd_start
call GET /v1/containers/gone
case "$(jq -r .status <<<"$RESP")" in EXITED | FAILED) ;; *) fail "vanished container: $RESP" ;; esac
expect_engine ""
probe_gets "$a1"
call DELETE /v1/containers/gone
expect_status 204

# An address taken on the network by a container popd-rest does not manage stays reserved.
popd_kill9
POPD_EXTRA_CONTAINERS+=("$POPD_NAME-foreign")
docker run -d --name "$POPD_NAME-foreign" --label org.pop-nfv.test=1 \
    --network "$POPD_NAME-private" --ip "$a1" pop-tiny:latest >/dev/null
popd_start
call POST /v1/containers '{"name":"fixed","image_id":"pop-tiny:latest","endpoints":{"private":{"ipv4":{"address":"'"$a1"'"}}}}'
expect_problem 409 conflict "$a1"
probe_gets "$a2"
restart
probe_gets "$a2"
docker rm -f "$POPD_NAME-foreign" >/dev/null
echo "PASS kill9_recovery"
