#!/usr/bin/env bash
# pop-nfvo's catalogue over REST (reference §4.1, §4.7, §6.2), with the real service on a private
# broker:
# - every Open Baton fixture onboards, in the 6.0 (names) and 3.2 (objects) dependency forms:
#   201 with ids and hbVersion everywhere, projectId, enabled, dependencies stored as names with
#   the VNFDs' ids, `requires` merged into vnf_dependency, cycles marked;
# - GET of the list, of one NSD, of its VNFDs and dependencies (all and one), of
#   /api/v1/vnf-descriptors; the NSDs survive a restart;
# - refusals are 400 problems naming the field and store nothing; unknown ids are 404;
# - DELETE answers 204, then 404, and the NSD's VNFDs are gone.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

FIXTURES="$(cd "$(dirname "$0")/../../fixtures/openbaton" && pwd)"
rmq_start
nfvod_start
nfvod_login

count() {
    napi GET /api/v1/ns-descriptors
    expect_status 200 "list"
    jq length "$HTTP_BODY"
}
[ "$(count)" = 0 ] || fail "a new catalogue is not empty"

# every entity of the answer has an id and hbVersion (objects holding BaseEntity members:
# those with "id" or "hbVersion", or the known entity arrays' members)
check_ids='[.. | objects | select(has("id") or has("hbVersion")) | (.id | type == "string" and length == 36) and .hbVersion == 0] | all'
ids=()
stored=0
for f in "$FIXTURES"/*.json; do
    case "$f" in *vim-instance.json | *go-docker-driver_docker.json) continue ;; esac # VIMs
    for form in names objects; do
        body="$(jq -c --arg form "$form" '.vnf_dependency |= (. // [] | map(
            if $form == "objects" then .source |= (if type == "object" then . else {name: .} end)
                | .target |= (if type == "object" then . else {name: .} end)
            else .source |= (if type == "object" then .name else . end)
                | .target |= (if type == "object" then .name else . end) end))' "$f")"
        napi POST /api/v1/ns-descriptors "$body"
        expect_status 201 "onboard $(basename "$f") ($form)"
        jq -e "$check_ids" "$HTTP_BODY" >/dev/null || fail "$(basename "$f"): an entity without id/hbVersion"
        jq -e --arg p "$NFVO_PROJECT" '.enabled == true and .projectId == $p and
            (.createdAt | test("^[0-9]{4}\\.[0-9]{2}\\.[0-9]{2} at [0-9:]{8} UTC$")) and
            ([.vnfd[] | .projectId == $p and (.vdu | length > 0) and all(.vdu[]; .name != null)] | all) and
            ([.vnfd[] | {(.name): .id}] | add) as $ids |
            ([.vnf_dependency[] | (.source | type) == "string" and .source_id == $ids[.source] and
              .target_id == $ids[.target] and (.parameters | length > 0)] | all)' "$HTTP_BODY" >/dev/null ||
            fail "$(basename "$f") ($form): stored NSD lacks what onboarding sets: $(head -c 600 "$HTTP_BODY")"
        ids+=("$(jq -r .id "$HTTP_BODY")")
        stored=$((stored + 1))
    done
done
[ "$stored" = 16 ] || fail "expected the 8 NSD fixtures in 2 forms, onboarded $stored"
[ "$(count)" = "$stored" ] || fail "expected $stored NSDs listed"

# requires (§4.1) became a dependency; the many-dependencies NSD has its cycle marked
napi POST /api/v1/ns-descriptors "$(cat "$FIXTURES/integration-tests_NetworkServiceDescriptor-iperf-dummy-requires-provides.json")"
expect_status 201 "requires"
rp="$(jq -r .id "$HTTP_BODY")"
jq -e '.vnf_dependency == [.vnf_dependency[0]] and .vnf_dependency[0].source == "iperf-server" and
       .vnf_dependency[0].target == "iperf-client" and .vnf_dependency[0].parameters == ["private"]' \
    "$HTTP_BODY" >/dev/null || fail "requires not merged: $(jq -c .vnf_dependency "$HTTP_BODY")"
napi POST /api/v1/ns-descriptors "$(cat "$FIXTURES/integration-tests_NetworkServiceDescriptor-with-many-dependencies.json")"
expect_status 201 "many dependencies"
jq -e '[.vnfd[] | select(.name == "vnf-dummy-6" or .name == "vnf-dummy-8") | .cyclicDependency] == [true, true]' \
    "$HTTP_BODY" >/dev/null || fail "cycle not marked"
stored=$((stored + 2))

# one NSD and its parts
nsd="${ids[0]}"
napi GET "/api/v1/ns-descriptors/$nsd"
expect_status 200 "get"
[ "$(jq -r .id "$HTTP_BODY")" = "$nsd" ] || fail "GET answered another NSD"
command cp "$HTTP_BODY" "$SERVICE_WORK/nsd.json"
vnfd="$(jq -r '.vnfd[0].id' "$SERVICE_WORK/nsd.json")"
dep="$(jq -r '.vnf_dependency[0].id' "$SERVICE_WORK/nsd.json")"
napi GET "/api/v1/ns-descriptors/$nsd/vnfdescriptors"
expect_status 200 "vnfdescriptors"
jq -e --slurpfile n "$SERVICE_WORK/nsd.json" '. == $n[0].vnfd' "$HTTP_BODY" >/dev/null || fail "vnfdescriptors"
napi GET "/api/v1/ns-descriptors/$nsd/vnfdescriptors/$vnfd"
expect_status 200 "one vnfdescriptor"
jq -e --slurpfile n "$SERVICE_WORK/nsd.json" '. == $n[0].vnfd[0]' "$HTTP_BODY" >/dev/null || fail "vnfdescriptor"
napi GET "/api/v1/ns-descriptors/$nsd/vnfdependencies"
expect_status 200 "vnfdependencies"
jq -e --slurpfile n "$SERVICE_WORK/nsd.json" '. == $n[0].vnf_dependency' "$HTTP_BODY" >/dev/null || fail "vnfdependencies"
napi GET "/api/v1/ns-descriptors/$nsd/vnfdependencies/$dep"
expect_status 200 "one vnfdependency"
napi GET "/api/v1/ns-descriptors/$nsd/vnfdependencies/nope"
expect_problem 404 not-found nope
napi GET "/api/v1/vnf-descriptors/$vnfd"
expect_status 200 "vnf-descriptors/{id}"
jq -e --slurpfile n "$SERVICE_WORK/nsd.json" '. == $n[0].vnfd[0]' "$HTTP_BODY" >/dev/null || fail "vnf-descriptors/{id}"
napi GET /api/v1/vnf-descriptors
expect_status 200 "vnf-descriptors"
total="$(jq length "$HTTP_BODY")"
[ "$total" -ge $((2 * stored)) ] || fail "vnf-descriptors lists $total VNFDs for $stored NSDs"
napi GET /api/v1/ns-descriptors/no-such-nsd
expect_problem 404 not-found no-such-nsd

# refusals: 400 naming the field, nothing stored
sipp="$(cat "$FIXTURES/integration-tests_NetworkServiceDescriptor-sipp-real-fms-heal.json")"
refuse() { # JQ-EDIT FIELD TEXT [CODE STATUS]
    napi POST /api/v1/ns-descriptors "$(jq -c "$1" <<<"$sipp")"
    expect_problem "${5:-400}" "${4:-invalid-field}" "$3"
    [ "$(jq -r .field "$HTTP_BODY")" = "$2" ] || fail "$1: field $(jq -r .field "$HTTP_BODY"), expected $2"
}
refuse 'del(.vendor)' vendor required
refuse '.vnfd[1].vdu[0].vnfc[0].connection_point[0].virtual_link_reference = "other"' \
    'vnfd[1].vdu[0].vnfc[0].connection_point[0].virtual_link_reference' "not a virtual link"
refuse '.vnf_dependency[0].source = "ghost"' 'vnf_dependency[0].source' "no VNFD named 'ghost'"
refuse '.vnfd[1].name = .vnfd[0].name' 'vnfd[1].name' "unique"
refuse '.vnfd[0].vdu[0].scale_in_out = 0' 'vnfd[0].vdu[0].scale_in_out' "at least 1"
refuse '.vnf_dependency[0].parameters = []' 'vnf_dependency[0].parameters' "parameter"
refuse '.vnfd[0].vdu[0].scale_in_out = "1"' 'vnfd[0].vdu[0].scale_in_out' "integer"
refuse '.vnfd[0] = {id: "0b7f0d5e-8a4c-4a55-9d0e-2c1b2f1d1a11"}' 'vnfd[0].id' "not supported"
refuse '.vnfd = [range(65) as $i | .vnfd[0] | .name = "v\($i)"]' vnfd "more than the 64" body-too-large 413
napi POST /api/v1/ns-descriptors '{"name": "x",'
expect_problem 400 bad-json
[ "$(count)" = "$stored" ] || fail "a refused NSD was stored"

# the catalogue survives a restart
nfvod_stop
nfvod_start
nfvod_login
[ "$(count)" = "$stored" ] || fail "NSDs lost across a restart"

# DELETE
napi DELETE "/api/v1/ns-descriptors/$nsd"
expect_status 204 "delete"
napi DELETE "/api/v1/ns-descriptors/$nsd"
expect_problem 404 not-found "$nsd"
napi GET "/api/v1/vnf-descriptors/$vnfd"
expect_problem 404 not-found "$vnfd"
napi GET "/api/v1/ns-descriptors/$rp"
expect_status 200 "the other NSDs stay"
[ "$(count)" = $((stored - 1)) ] || fail "DELETE removed more or less than one NSD"
echo "catalogue: ok ($stored NSDs onboarded)"
