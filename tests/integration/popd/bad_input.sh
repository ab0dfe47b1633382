#!/usr/bin/env bash
# popd-rest refuses bad requests with the right 4xx problem+json naming the problem, and a
# refused request changes nothing: same containers, same networks, no engine objects.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"

popd_start POPD_BODY_MAX=4096
# A session of its own for the state snapshots, so logging out the other one does not end it.
popd_login
SNAP_TOKEN="$TOKEN"
popd_login
[ "$TOKEN" != "$SNAP_TOKEN" ] || fail "two logins gave the same token"

call POST /v1/containers '{"name":"base","image_id":"pop-tiny:latest"}'
expect_status 201
base_addr="$(jq -r .endpoints.private.ipv4.address <<<"$RESP")"
call POST /v1/containers '{"name":"live","image_id":"pop-tiny:latest"}'
expect_status 201
call POST /v1/containers/live/start
expect_status 200
call GET "/v1/networks?name=private"
net="$(jq -r '.list[0].subnets[0].cidr' <<<"$RESP")"

# Read with SNAP_TOKEN, so refusals of the request's own token do not blind the check.
snapshot() {
    local TOKEN=$SNAP_TOKEN
    call GET /v1/containers
    jq -c '[.list[] | {id, names, status, md, endpoints}]' <<<"$RESP"
    call GET /v1/networks
    jq -c '[.list[] | {id, name, subnets}]' <<<"$RESP"
    engine_containers
    docker network ls --filter "label=org.pop-nfv.pop=$POPD_NAME" --format '{{.Name}}' | sort
}
before="$(snapshot)"
unchanged() {
    [ "$(snapshot)" = "$before" ] || fail "a refused request changed state ($1)"
}
# refused METHOD PATH BODY STATUS CODE TEXT [CONTENT_TYPE]
refused() {
    call "$1" "$2" "$3" "${7:-application/json}"
    expect_problem "$4" "$5" "$6"
    [ "$(jq -r .request_id <<<"$RESP")" != null ] || fail "no request_id: $RESP"
    unchanged "$1 $2 $3"
}

C=/v1/containers
refused POST $C '{"name":"x","image_id":' 400 bad-json ""
refused POST $C '{"name":5,"image_id":"pop-tiny:latest"}' 400 invalid-field name
refused POST $C '{"name":"x","image_id":"pop-tiny:latest","colour":"red"}' 400 unknown-field colour
refused POST $C '{"name":"x"}' 400 invalid-field image_id
refused POST $C "{\"name\":\"$(printf 'n%.0s' $(seq 64))\",\"image_id\":\"pop-tiny:latest\"}" \
    400 invalid-field name
refused POST $C '{"name":"bad name!","image_id":"pop-tiny:latest"}' 400 invalid-field name
refused POST $C "{\"name\":\"big\",\"image_id\":\"pop-tiny:latest\",\"flavour_id\":\"$(printf 'f%.0s' $(seq 5000))\"}" \
    413 body-too-large ""
refused POST $C '{"name":"x","image_id":"pop-tiny:latest"}' 415 unsupported-media-type json text/plain
refused POST $C '{"name":"base","image_id":"pop-tiny:latest"}' 409 conflict base
refused POST $C '{"name":"x","image_id":"pop-tiny:latest","endpoints":{"nosuchnet":{}}}' \
    400 invalid-field nosuchnet
refused POST $C '{"name":"x","image_id":"pop-tiny:latest","endpoints":{"private":{"ipv4":{"address":"192.0.2.7"}}}}' \
    400 invalid-field 192.0.2.7
refused POST $C "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\",\"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"${net%/*}\"}}}}" \
    400 invalid-field "${net%/*}"
refused POST $C "{\"name\":\"x\",\"image_id\":\"pop-tiny:latest\",\"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"$base_addr\"}}}}" \
    409 conflict "$base_addr"
refused POST $C '{"name":"x","image_id":"pop-tiny:latest","flavour_id":"huge"}' 400 invalid-field huge
refused POST $C/live/start "" 409 state-conflict RUNNING
refused POST $C/base/stop "" 409 state-conflict CREATED
refused PATCH $C/base/metadata '{"entries":{"1BAD":"x"}}' 400 invalid-field 1BAD
refused PATCH '/v1/containers/base/metadata?apply=later' '{"entries":{"A":"x"}}' 400 bad-query apply
refused GET "$C/-dash" "" 400 bad-request -dash
refused GET "$C/a%20b" "" 400 bad-request "a b"
refused DELETE "$C/nosuch" "" 404 not-found nosuch
refused POST /v1/networks '{"name":"n","cidr":"10.0.0.1/24"}' 400 invalid-field cidr

# An image the engine does not have: Create registers it, Start refuses and changes nothing.
call POST $C '{"name":"noimg","image_id":"pop-absent-image:1.0"}'
expect_status 201
before="$(snapshot)"
refused POST $C/noimg/start "" 409 conflict pop-absent-image
call GET $C/noimg
[ "$(jq -r .status <<<"$RESP")" = CREATED ] || fail "noimg: $RESP"

# Authentication.
good="$TOKEN"
TOKEN="" call GET $C
expect_problem 401 unauthorized Bearer
grep -qi '^WWW-Authenticate: Bearer' "$POPD_WORK/call.hdr" || fail "401 without WWW-Authenticate"
TOKEN="" refused POST $C '{"name":"x","image_id":"pop-tiny:latest"}' 401 unauthorized Bearer
TOKEN="garbage.token.here" refused GET $C "" 401 unauthorized ""
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
payload="$(cut -d. -f2 <<<"$good")"
none="$(printf '{"alg":"none","typ":"JWT"}' | b64url).$payload."
TOKEN="$none" refused GET $C "" 401 unauthorized ""
forged="$(printf '{"alg":"HS256","typ":"JWT"}' | b64url).$payload.$(printf 'not-the-key' | b64url)"
TOKEN="$forged" refused GET $C "" 401 unauthorized ""
TOKEN="$good" call GET $C
expect_status 200

call POST /v1/logout
expect_status 204
refused GET $C "" 401 unauthorized revoked
popd_kill9
popd_start POPD_BODY_MAX=4096
refused GET $C "" 401 unauthorized revoked
popd_login

# Login throttling: three failures are free, the fourth makes the account wait.
TOKEN=""
for i in 1 2 3 4; do
    call POST /v1/login "{\"username\":\"$POPD_USER\",\"password\":\"wrong-$i\"}"
    expect_problem 401 unauthorized "invalid username or password"
done
call POST /v1/login "{\"username\":\"$POPD_USER\",\"password\":\"$POPD_PASS\"}"
expect_problem 429 too-many-requests retry
retry="$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$POPD_WORK/call.hdr")"
[ -n "$retry" ] && [ "$retry" -ge 1 ] || fail "429 without a Retry-After"
sleep "$retry"
call POST /v1/login "{\"username\":\"$POPD_USER\",\"password\":\"$POPD_PASS\"}"
expect_status 200
TOKEN="$(jq -r .value <<<"$RESP")"

# Operations endpoints.
TOKEN="" call GET /healthz
expect_status 200
[ "$(jq -r .status <<<"$RESP")" = ok ] || fail "healthz: $RESP"
TOKEN="" call GET /metrics
expect_problem 401 unauthorized ""
call GET /metrics
expect_status 200
grep -qx 'popd_containers{status="CREATED"} 2' <<<"$RESP" || fail "metrics CREATED count: $RESP"
grep -qx 'popd_containers{status="RUNNING"} 1' <<<"$RESP" || fail "metrics RUNNING count: $RESP"
unchanged "the whole run"
echo "PASS bad_input"
