#!/usr/bin/env bash
# popd-rest under 50 concurrent Creates: every one succeeds with its own address; a full network
# answers 409 "exhausted" and touches nothing.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"

popd_start
popd_login

N=50
pids=()
for i in $(seq -w 1 $N); do
    curl -s -o "$POPD_WORK/c$i.json" -w '%{http_code}' -X POST "$POPD_URL/v1/containers" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"name\":\"c$i\",\"image_id\":\"pop-tiny:latest\"}" >"$POPD_WORK/c$i.code" &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a concurrent curl failed"; done
for i in $(seq -w 1 $N); do
    [ "$(cat "$POPD_WORK/c$i.code")" = 201 ] ||
        fail "create c$i: HTTP $(cat "$POPD_WORK/c$i.code") $(cat "$POPD_WORK/c$i.json")"
done
addrs="$(cat "$POPD_WORK"/c*.json | jq -r .endpoints.private.ipv4.address | sort -u)"
[ "$(wc -l <<<"$addrs")" = $N ] || fail "addresses are not $N distinct ones: $addrs"
# No holes: exactly the N lowest free host addresses of private (after the gateway).
call GET "/v1/networks?name=private"
base="$(jq -r '.list[0].subnets[0].cidr' <<<"$RESP")"
base="${base%/*}"
want="$(for k in $(seq 2 $((N + 1))); do ip_add "$base" "$k"; done | sort -u)"
[ "$addrs" = "$want" ] || fail "addresses are not the $N lowest free ones"
call GET /v1/containers
[ "$(jq '.list | length' <<<"$RESP")" = $N ] || fail "list does not hold $N containers"
[ "$(jq -r '.list[].endpoints.private.ipv4.address' <<<"$RESP" | sort -u)" = "$addrs" ] ||
    fail "listed addresses differ from the created ones"
[ -z "$(engine_containers)" ] || fail "Create made engine containers"

# A /29 at the top of this run's pool: 6 host addresses, the first is the gateway.
pool="${POPD_TEST_POOL%/*}"
tiny="$(ip_add "${pool%/*}" $((255 * 256 + 248)))/29"
call POST /v1/networks "{\"name\":\"tiny\",\"cidr\":\"$tiny\"}"
expect_status 201
free=0
while :; do
    call POST /v1/containers "{\"name\":\"t$free\",\"image_id\":\"pop-tiny:latest\",\"endpoints\":{\"tiny\":{}}}"
    [ "$HTTP_STATUS" = 201 ] || break
    free=$((free + 1))
    [ $free -le 8 ] || fail "a /29 gave out more than 8 addresses"
done
[ $free = 5 ] || fail "a /29 with a gateway should hold 5 containers, held $free"
expect_problem 409 exhausted tiny
call GET "/v1/containers?name=t$free"
[ "$(jq '.list | length' <<<"$RESP")" = 0 ] || fail "the refused create left a row"
call GET /v1/containers
[ "$(jq '.list | length' <<<"$RESP")" = $((N + 5)) ] || fail "list length after exhaustion"
[ -z "$(engine_containers)" ] || fail "engine containers after exhaustion: $(engine_containers)"
# Freeing one makes room for exactly one.
call DELETE /v1/containers/t2
expect_status 204
call POST /v1/containers '{"name":"again","image_id":"pop-tiny:latest","endpoints":{"tiny":{}}}'
expect_status 201
[ "$(jq -r .endpoints.tiny.ipv4.address <<<"$RESP")" = "$(ip_add "${tiny%/*}" 4)" ] ||
    fail "the freed address was not handed out again: $RESP"
echo "PASS concurrent_creates"
