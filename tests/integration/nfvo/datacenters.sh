#!/usr/bin/env bash
# pop-nfvo's VIM instances (/api/v1/datacenters, reference §6.2) with real components: popd-rest
# on the engine, a private RabbitMQ node, pop-nfvo and the real pop-vim-driver registered with
# it. A VIM instance is refreshed through the driver (the Pop's images and networks appear, also
# one made on popd-rest afterwards), listed and shown with its password masked, updated (a
# masked password sent back keeps the real one), deleted; every refusal changes nothing; a
# stopped and a killed driver fail the refresh naming it, within NFVO_DRIVER_TIMEOUT; a driver
# that registers again refreshes its VIMs by itself (NFVO 6's plugin refresh).
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

popd_start
popd_login
rmq_start
nfvod_start NFVO_DRIVER_TIMEOUT=2
vimd_start
vimd_vim
nfvod_login
MASK='**********'
PLUGIN=vim-drivers.pop.it
api POST /v1/networks '{"name":"data"}' >/dev/null
[ "$HTTP_STATUS" = 201 ] || fail "popd-rest: cannot make network data"

body() { # body [jq filter]: a VIM instance as a client sends it (no id, version, project)
    jq -c "del(.id, .hbVersion, .projectId) | ${1:-.}" <<<"$VIM"
}
count() {
    napi GET /api/v1/datacenters
    expect_status 200 "list"
    jq length "$HTTP_BODY"
}
detail_has() {
    jq -e --arg t "$1" '.detail | contains($t)' "$HTTP_BODY" >/dev/null ||
        fail "the detail does not say '$1': $(cat "$HTTP_BODY")"
}
field_is() {
    [ "$(jq -r .field "$HTTP_BODY")" = "$1" ] || fail "problem field is not $1: $(cat "$HTTP_BODY")"
}

# ---- refusals of a new VIM: 4xx naming the field, nothing stored ----
napi POST /api/v1/datacenters "$(body 'del(.name)')"
expect_problem 400 invalid-field "name: required"
field_is name
napi POST /api/v1/datacenters "$(body 'del(.type)')"
expect_problem 400 invalid-field "type: required"
field_is type
napi POST /api/v1/datacenters "$(body 'del(.authUrl)')"
expect_problem 400 invalid-field "authUrl: required"
field_is authUrl
napi POST /api/v1/datacenters "$(body '.authUrl = "127.0.0.1:8080"')"
expect_problem 400 invalid-field "authUrl: not a URL"
napi POST /api/v1/datacenters "$(body '.authUrl = "http://:8080"')"
expect_problem 400 invalid-field "authUrl: names no host"
napi POST /api/v1/datacenters "$(body '.authUrl = "http://h:80x"')"
expect_problem 400 invalid-field "authUrl: has a port"
napi POST /api/v1/datacenters "$(body '.type = "po p"')"
expect_problem 400 invalid-field "type: 'po p' is not a VIM type"
napi POST /api/v1/datacenters "$(body '.location = "Berlin"')"
expect_problem 400 invalid-field "location"
napi POST /api/v1/datacenters '{"name": '
expect_problem 400 bad-json
# No driver serves the type: 409 naming it.
napi POST /api/v1/datacenters "$(body '.type = "openstack"')"
expect_problem 409 conflict "no VIM driver for VIM type 'openstack' is registered"
field_is type
# The Pop refuses the driver's login: 502 naming the VIM and the driver's reason.
napi POST /api/v1/datacenters "$(body '.password = "wrong"')"
expect_problem 502 bad-gateway "refresh on VIM pop1: "
detail_has "login to $POPD_URL as '$POPD_USER' failed: invalid username or password"
jq -e '.detail | contains("refresh on pop1") | not' "$HTTP_BODY" >/dev/null ||
    fail "the driver's own prefix is said twice: $(jq -r .detail "$HTTP_BODY")"
grep -q wrong "$HTTP_BODY" && fail "the problem shows the password: $(cat "$HTTP_BODY")"
[ "$(count)" = 0 ] || fail "a refused VIM instance was stored"

# ---- create: refreshed through the real driver ----
napi POST /api/v1/datacenters "$(body)"
expect_status 201 "create"
created="$(cat "$HTTP_BODY")"
ID="$(jq -r .id <<<"$created")"
[[ "$ID" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] ||
    fail "id is no uuid: $ID"
[ "$ID" != vim-0001 ] || fail "the client's id was kept"
jq -e --arg p "$PLUGIN" --arg m "$MASK" '.hbVersion == 0 and .name == "pop1" and .type == "pop" and
    .password == $m and .username != null and .metadata.plugin == $p and .active == true and
    .location.name == "Berlin" and .futureField.kept == true' <<<"$created" >/dev/null ||
    fail "created: $created"
jq -e '.images | any(.extId == "pop-tiny:latest" and (.id | length) == 36)' <<<"$created" \
    >/dev/null || fail "no pop-tiny image with an id: $(jq -c .images <<<"$created")"
data_id="$(api GET '/v1/networks?name=data' | jq -r '.list[0].id')"
jq -e --arg d "$data_id" '(.networks | map(.name) | sort) == ["data", "private"] and
    (.networks | any(.name == "data" and .extId == $d))' <<<"$created" >/dev/null ||
    fail "the Pop's networks are not there: $(jq -c .networks <<<"$created")"
grep -q "$POPD_PASS" "$HTTP_BODY" && fail "the password shows"

napi POST /api/v1/datacenters "$(body)"
expect_problem 409 conflict "a VIM instance named 'pop1' exists already"
field_is name

# ---- list, get: masked ----
[ "$(count)" = 1 ] || fail "list: $(cat "$HTTP_BODY")"
jq -e --arg id "$ID" --arg m "$MASK" '.[0].id == $id and .[0].password == $m' "$HTTP_BODY" \
    >/dev/null || fail "list: $(cat "$HTTP_BODY")"
napi GET "/api/v1/datacenters/$ID"
expect_status 200 "get"
[ "$(jq -cS . "$HTTP_BODY")" = "$(jq -cS . <<<"$created")" ] || fail "get differs from create"
napi GET /api/v1/datacenters/no-such-id
expect_problem 404 not-found
napi GET /api/v1/datacenters/no-such-id/refresh
expect_problem 404 not-found

# ---- refresh: a network made on the Pop appears ----
api POST /v1/networks '{"name":"extra"}' >/dev/null
napi GET "/api/v1/datacenters/$ID/refresh"
expect_status 200 "refresh"
jq -e --arg m "$MASK" '.hbVersion == 1 and .password == $m and
    (.networks | map(.name) | sort) == ["data", "extra", "private"]' "$HTTP_BODY" >/dev/null ||
    fail "refresh: $(cat "$HTTP_BODY")"
# What the NFVO had keeps its ids (images others add to the engine meanwhile get new ones).
jq -e --argjson before "$(jq -c '[.images[] | {(.extId): .id}] | add // {}' <<<"$created")" \
    '[.images[] | select($before[.extId] != null) | $before[.extId] == .id]
     | length == ($before | length) and all' "$HTTP_BODY" >/dev/null ||
    fail "the images got new ids: before $(jq -c '[.images[] | {extId, id}]' <<<"$created"), after $(jq -c '[.images[] | {extId, id}]' "$HTTP_BODY")"

# ---- credentials in the authUrl userinfo (a GenericVimInstance's way, §11.13) ----
hostport=${POPD_URL#http://}
pop2="$(jq -cn --arg u "http://$POPD_USER:$POPD_PASS@$hostport" '{name: "pop2", type: "pop", authUrl: $u}')"
napi POST /api/v1/datacenters "$pop2"
expect_status 201 "create pop2"
ID2="$(jq -r .id "$HTTP_BODY")"
[ "$(jq -r .authUrl "$HTTP_BODY")" = "http://$POPD_USER:$MASK@$hostport" ] ||
    fail "authUrl password not masked: $(jq -r .authUrl "$HTTP_BODY")"
napi GET "/api/v1/datacenters/$ID2/refresh"
expect_status 200 "refresh pop2"

# ---- PUT: GET, edit, PUT back (masked secrets keep the real ones) ----
napi GET "/api/v1/datacenters/$ID"
edited="$(jq -c '.name = "pop1b" | .location.name = "Bologna" | .hbVersion = 99 | .id = "x"' "$HTTP_BODY")"
napi PUT "/api/v1/datacenters/$ID" "$edited"
expect_status 200 "put"
jq -e --arg id "$ID" --arg m "$MASK" '.id == $id and .name == "pop1b" and .hbVersion == 2 and
    .location.name == "Bologna" and .password == $m and (.networks | length) == 3' "$HTTP_BODY" \
    >/dev/null || fail "put: $(cat "$HTTP_BODY")"
napi GET "/api/v1/datacenters/$ID2"
napi PUT "/api/v1/datacenters/$ID2" "$(jq -c '.location = {name: "Rome"}' "$HTTP_BODY")"
expect_status 200 "put pop2 with its masked authUrl"
napi GET "/api/v1/datacenters/$ID2/refresh"
expect_status 200 "refresh pop2 after the PUT (the real userinfo was kept)"
# Refused PUTs change nothing.
napi GET "/api/v1/datacenters/$ID"
before="$(jq -cS . "$HTTP_BODY")"
napi PUT "/api/v1/datacenters/$ID" "$(jq -c '.name = "pop2"' <<<"$before")"
expect_problem 409 conflict "a VIM instance named 'pop2' exists already"
napi PUT "/api/v1/datacenters/$ID" "$(jq -c '.password = "wrong" | .name = "renamed"' <<<"$before")"
expect_problem 502 bad-gateway "refresh on VIM renamed: "
detail_has "login to $POPD_URL as '$POPD_USER' failed"
napi PUT "/api/v1/datacenters/$ID" "$(jq -c 'del(.authUrl)' <<<"$before")"
expect_problem 400 invalid-field "authUrl: required"
napi PUT /api/v1/datacenters/no-such-id "$before"
expect_problem 404 not-found
napi GET "/api/v1/datacenters/$ID"
[ "$(jq -cS . "$HTTP_BODY")" = "$before" ] || fail "a refused PUT changed the VIM: $(cat "$HTTP_BODY")"

# ---- the driver stops (deregisters): 503 naming it, at once; nothing changes ----
vimd_stop
t0=$(date +%s%N)
napi GET "/api/v1/datacenters/$ID/refresh"
expect_problem 503 unavailable "refresh on VIM pop1b: its driver $PLUGIN is not registered any more"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 3000 ] || fail "the refresh with no driver took $ms ms"
napi GET "/api/v1/datacenters/$ID"
[ "$(jq -cS . "$HTTP_BODY")" = "$before" ] || fail "a failed refresh changed the VIM"

# ---- it registers again: its VIMs are refreshed by themselves (after 700 ms, §1.2) ----
api POST /v1/networks '{"name":"late"}' >/dev/null
vimd_start
for _ in $(seq 50); do
    napi GET "/api/v1/datacenters/$ID"
    jq -e '.networks | any(.name == "late")' "$HTTP_BODY" >/dev/null && break
    sleep 0.1
done
jq -e '.networks | any(.name == "late")' "$HTTP_BODY" >/dev/null ||
    fail "the VIM was not refreshed after the driver registered: $(jq -c .networks "$HTTP_BODY")"
grep -q "VIM instance $ID refreshed after $PLUGIN registered" "$POPD_WORK/nfvo.log" ||
    fail "the registration refresh is not logged"

# ---- the driver is killed (its queue stays): 504 naming it within NFVO_DRIVER_TIMEOUT ----
napi GET "/api/v1/datacenters/$ID"
before="$(jq -cS . "$HTTP_BODY")"
service_kill "$VIMD_PID"
VIMD_PID=""
t0=$(date +%s%N)
napi GET "/api/v1/datacenters/$ID/refresh"
expect_problem 504 gateway-timeout "refresh on VIM pop1b: the driver $PLUGIN did not answer within 2 s"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 6000 ] || fail "the refresh with a dead driver took $ms ms (timeout 2 s)"
napi GET "/api/v1/datacenters/$ID"
[ "$(jq -cS . "$HTTP_BODY")" = "$before" ] || fail "a timed-out refresh changed the VIM"
# Reading and deleting need no driver.
[ "$(count)" = 2 ] || fail "list without a driver: $(cat "$HTTP_BODY")"

# ---- delete ----
napi DELETE "/api/v1/datacenters/$ID2"
expect_status 204 "delete"
napi GET "/api/v1/datacenters/$ID2"
expect_problem 404 not-found
napi DELETE "/api/v1/datacenters/$ID2"
expect_problem 404 not-found
[ "$(count)" = 1 ] || fail "list after delete: $(cat "$HTTP_BODY")"
# The name is free again (the driver is back for the refresh).
vimd_start
napi POST /api/v1/datacenters "$pop2"
expect_status 201 "pop2 again"
echo "PASS"
