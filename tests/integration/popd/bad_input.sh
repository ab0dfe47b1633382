#!/usr/bin/env bash
# popd-rest refuses bad requests with the right 4xx problem+json naming the problem, and a
# refused request changes nothing: same containers, same networks, no engine objects.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"

# A signing key of the test's own, so it can mint correctly signed tokens whose claims are wrong.
JWT_KEY_HEX="$(openssl rand -hex 32)"
popd_start POPD_BODY_MAX=4096 POPD_JWT_KEY="$JWT_KEY_HEX"
# A session of its own for the state snapshots, so logging out the other one does not end it.
popd_login
SNAP_TOKEN="$TOKEN"
popd_login
[ "$TOKEN" != "$SNAP_TOKEN" ] || fail "two logins gave the same token"

call POST /v1/containers '{"name":"base","image_id":"pop-tiny:latest"}'
expect_status 201
base_addr="$(jq -r .endpoints.private.ipv4.address <<<"$RESP")"
base_id="$(jq -r .id <<<"$RESP")"
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
# [FIELD=path] refused METHOD PATH BODY STATUS CODE TEXT [CONTENT_TYPE]; with FIELD, the
# problem's `field` must be that path.
refused() {
    call "$1" "$2" "$3" "${7:-application/json}"
    expect_problem "$4" "$5" "$6"
    [ "$(jq -r .request_id <<<"$RESP")" != null ] || fail "no request_id: $RESP"
    if [ -n "${FIELD:-}" ]; then
        [ "$(jq -r .field <<<"$RESP")" = "$FIELD" ] || fail "expected field $FIELD: $RESP"
    fi
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

# A name never reads as an id: /v1/containers/<base's id> must keep meaning base, so neither
# base's id nor anything else in the id format (any case) can name a container or a network.
FIELD=name refused POST $C "{\"name\":\"$base_id\",\"image_id\":\"pop-tiny:latest\"}" \
    400 invalid-field "form of an id"
FIELD=name refused POST $C "{\"name\":\"${base_id^^}\",\"image_id\":\"pop-tiny:latest\"}" \
    400 invalid-field "form of an id"
FIELD=name refused POST /v1/networks "{\"name\":\"$(cat /proc/sys/kernel/random/uuid)\"}" \
    400 invalid-field "form of an id"
FIELD=name refused POST /v1/networks "{\"name\":\"$base_id\"}" 400 invalid-field "form of an id"
call GET "$C/$base_id"
expect_status 200
[ "$(jq -r '.names[0]' <<<"$RESP")" = base ] || fail "$base_id resolves to $RESP"

# Special-purpose blocks Docker would put on a host bridge. The subnets are chosen away from
# the blocks' well-known addresses, in case a popd-rest without the rule lets them through.
FIELD=cidr refused POST /v1/networks '{"name":"n","cidr":"0.200.0.0/24"}' \
    400 invalid-field "subnet 0.200.0.0/24 is inside 0.0.0.0/8 (this network)"
FIELD=cidr refused POST /v1/networks '{"name":"n","cidr":"127.200.0.0/24"}' \
    400 invalid-field "subnet 127.200.0.0/24 is inside 127.0.0.0/8 (loopback)"
FIELD=cidr refused POST /v1/networks '{"name":"n","cidr":"169.254.200.0/24"}' \
    400 invalid-field "subnet 169.254.200.0/24 is inside 169.254.0.0/16 (link-local)"
FIELD=cidr refused POST /v1/networks '{"name":"n","cidr":"239.200.0.0/24"}' \
    400 invalid-field "subnet 239.200.0.0/24 is inside 224.0.0.0/4 (multicast)"
FIELD=cidr refused POST /v1/networks '{"name":"n","cidr":"250.200.0.0/24"}' \
    400 invalid-field "subnet 250.200.0.0/24 is inside 240.0.0.0/4 (reserved"
# Prefix lengths 16-29, as the contract says: a free /30 of this run's pool is still refused.
pool_base="${POPD_TEST_POOL%%/*}"
spare="$(ip_add "$pool_base" $((250 * 256)))"
FIELD=cidr refused POST /v1/networks "{\"name\":\"n\",\"cidr\":\"$spare/30\"}" \
    400 invalid-field "prefix length must be 16-29"
FIELD=cidr refused POST /v1/networks '{"name":"n","cidr":"10.0.0.0/15"}' \
    400 invalid-field "prefix length must be 16-29"
FIELD=gateway refused POST /v1/networks "{\"name\":\"n\",\"cidr\":\"$spare/24\",\"gateway\":\"$(ip_add "$spare" 255)\"}" \
    400 invalid-field "broadcast address"
# 0.0.0.0 is an address, not "assign one" (that is an empty or absent address).
FIELD=endpoints.private.ipv4.address refused POST $C \
    '{"name":"x","image_id":"pop-tiny:latest","endpoints":{"private":{"ipv4":{"address":"0.0.0.0"}}}}' \
    400 invalid-field "0.0.0.0 is inside 0.0.0.0/8"
FIELD=endpoints.private.ipv4.address refused POST $C \
    '{"name":"x","image_id":"pop-tiny:latest","endpoints":{"private":{"ipv4":{"address":"127.0.0.1"}}}}' \
    400 invalid-field "127.0.0.1 is inside 127.0.0.0/8"

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
grep -qi '^WWW-Authenticate: Bearer' "$HTTP_HEADERS" || fail "401 without WWW-Authenticate"
TOKEN="" refused POST $C '{"name":"x","image_id":"pop-tiny:latest"}' 401 unauthorized Bearer
TOKEN="garbage.token.here" refused GET $C "" 401 unauthorized ""
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
payload="$(cut -d. -f2 <<<"$good")"
none="$(printf '{"alg":"none","typ":"JWT"}' | b64url).$payload."
TOKEN="$none" refused GET $C "" 401 unauthorized ""
forged="$(printf '{"alg":"HS256","typ":"JWT"}' | b64url).$payload.$(printf 'not-the-key' | b64url)"
TOKEN="$forged" refused GET $C "" 401 unauthorized ""

# Correctly signed tokens (popd-rest's own key) with one claim wrong each: 401 naming the claim.
# jwt PAYLOAD: an HS256 token over PAYLOAD signed with JWT_KEY_HEX.
jwt() {
    local h p
    h="$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)"
    p="$(printf '%s' "$1" | b64url)"
    printf '%s.%s.%s' "$h" "$p" "$(printf '%s.%s' "$h" "$p" |
        openssl dgst -sha256 -mac HMAC -macopt "hexkey:$JWT_KEY_HEX" -binary | b64url)"
}
now=$(date +%s)
# claims SUB IAT EXP [EXTRA [JTI]]: a payload with the given sub (JSON text), iat and exp, and a
# fresh jti unless one is given (so no case is refused as another one's revoked token).
claims() {
    printf '{"iss":"popd-rest","sub":%s,"iat":%s,"exp":%s,"jti":"%s"%s}' "$1" "$2" "$3" \
        "${5:-$(openssl rand -hex 16)}" "${4-}"
}
# The crafting itself is right: the same token with good claims is accepted.
TOKEN="$(jwt "$(claims "\"$POPD_USER\"" "$now" $((now + 600)))")" call GET $C
expect_status 200
TOKEN="$(jwt "$(claims '"ghost"' "$now" $((now + 600)))")" \
    refused GET $C "" 401 unauthorized "(sub)"
# A newline in sub would otherwise forge a log line at logout.
TOKEN="$(jwt "$(claims "\"$POPD_USER\\nINFO forged-by-sub\"" "$now" $((now + 600)))")" \
    refused POST /v1/logout "" 401 unauthorized "(sub)"
grep -q '^INFO forged-by-sub' "$POPD_WORK/popd.log" && fail "a token's sub forged a log line"
TOKEN="$(jwt "$(claims "\"$POPD_USER\"" "$now" $((now + 600)) ",\"nbf\":$((now + 3600))")")" \
    refused GET $C "" 401 unauthorized "(nbf)"
TOKEN="$(jwt "$(claims "\"$POPD_USER\"" "$now" $((now + 600)) ',"nbf":"soon"')")" \
    refused GET $C "" 401 unauthorized "(nbf)"
TOKEN="$(jwt "$(claims "\"$POPD_USER\"" "$now" 9223372036854775807)")" \
    refused GET $C "" 401 unauthorized "(exp - iat)"
# Longer than POPD_TOKEN_TTL (default 3600 s), even though it has not expired.
TOKEN="$(jwt "$(claims "\"$POPD_USER\"" "$now" $((now + 3601)))")" \
    refused GET $C "" 401 unauthorized "(exp - iat)"
TOKEN="$(jwt "$(claims "\"$POPD_USER\"" $((now + 3600)) $((now + 3700)))")" \
    refused GET $C "" 401 unauthorized "(iat)"
TOKEN="$(jwt "$(claims "\"$POPD_USER\"" "$now" $((now + 600)) "" 00112233445566778899AABBCCDDEEFF)")" \
    refused GET $C "" 401 unauthorized "(jti)"
# Login names follow the same rule as sub.
TOKEN="" refused POST /v1/login '{"username":"ad\nmin","password":"x"}' 400 invalid-field username

TOKEN="$good" call GET $C
expect_status 200

call POST /v1/logout
expect_status 204
refused GET $C "" 401 unauthorized revoked
popd_kill9
popd_start POPD_BODY_MAX=4096 POPD_JWT_KEY="$JWT_KEY_HEX"
refused GET $C "" 401 unauthorized revoked
popd_login

# Login throttling: three failures are free, the fourth makes the account wait 250 ms, each
# further one twice as long. Wrong passwords go on until the account must wait 2 s or more
# (however slowly this machine sends them: a failure after the wait has passed doubles it), and
# then even the right password is refused.
TOKEN=""
for i in 1 2 3 4; do
    call POST /v1/login "{\"username\":\"$POPD_USER\",\"password\":\"wrong-$i\"}"
    expect_problem 401 unauthorized "invalid username or password"
done
retry=0
deadline=$((SECONDS + 30))
while [ "$retry" -lt 2 ]; do
    [ $SECONDS -lt $deadline ] || fail "30 s of failed logins never made the account wait 2 s"
    call POST /v1/login "{\"username\":\"$POPD_USER\",\"password\":\"wrong-again\"}"
    case "$HTTP_STATUS" in
    401) ;;
    429) retry="$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$HTTP_HEADERS")"
        [ -n "$retry" ] && [ "$retry" -ge 1 ] || fail "429 without a Retry-After" ;;
    *) fail "a failed login answered $HTTP_STATUS: $RESP" ;;
    esac
    sleep 0.05
done
call POST /v1/login "{\"username\":\"$POPD_USER\",\"password\":\"$POPD_PASS\"}"
expect_problem 429 too-many-requests retry
retry="$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$HTTP_HEADERS")"
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

# The account behind a token is removed from the configuration: its token (still correctly
# signed, not expired, not revoked) is refused, while the new account can log in.
old="$TOKEN"
popd_stop
POPD_USER="newcomer"
POPD_PASS="newcomer-pass-$$"
popd_start POPD_BODY_MAX=4096 POPD_JWT_KEY="$JWT_KEY_HEX"
TOKEN="$old" call GET $C
expect_problem 401 unauthorized "(sub)"
popd_login
call GET $C
expect_status 200
echo "PASS bad_input"
