#!/usr/bin/env bash
# Flavours become Docker resource limits; POPD_IMAGE_ALLOWLIST limits both Create and the image
# catalogue.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"

popd_start
popd_login

call GET /v1/flavours
expect_status 200
[ "$(jq -c '.list[] | select(.id == "small") | [.vcpus, .ram]' <<<"$RESP")" = '[1,512]' ] ||
    fail "flavour small is not 1 vcpu / 512 MB: $RESP"

call POST /v1/containers '{"name":"small","image_id":"pop-tiny:latest","flavour_id":"small"}'
expect_status 201
[ "$(jq -r .flavour_id <<<"$RESP")" = small ] || fail "flavour not kept: $RESP"
call POST /v1/containers/small/start
expect_status 200
[ "$(docker inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}' "$POPD_NAME-small")" = \
    "1000000000 536870912" ] || fail "small: $(docker inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}' "$POPD_NAME-small")"

call POST /v1/containers '{"name":"plain","image_id":"pop-tiny:latest"}'
expect_status 201
[ "$(jq -r .flavour_id <<<"$RESP")" = docker.container ] || fail "default flavour: $RESP"
call POST /v1/containers/plain/start
expect_status 200
[ "$(docker inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}' "$POPD_NAME-plain")" = "0 0" ] ||
    fail "the default flavour set limits"

# Without an allowlist every tagged local image is listed, pop-tiny and pop-base among them.
call GET /v1/images
expect_status 200
jq -e '[.list[].names[]] | index("pop-tiny:latest") and index("pop-base:latest")' <<<"$RESP" >/dev/null ||
    fail "images without allowlist: $RESP"
listed="$(jq -c '[.list[] | select(.names | index("pop-tiny:latest"))]' <<<"$RESP")"
# A query by name or id (looked up alone in the engine) answers exactly the list's entry: the
# same id, names, creation time and size; a name matches a tag exactly ("pop-tiny" is no tag).
call GET '/v1/images?name=pop-tiny:latest'
[ "$(jq -c .list <<<"$RESP")" = "$listed" ] || fail "image filter by name: $RESP, listed $listed"
call GET "/v1/images?id=$(jq -r '.[0].id' <<<"$listed")"
[ "$(jq -c .list <<<"$RESP")" = "$listed" ] || fail "image filter by id: $RESP, listed $listed"
for absent in pop-tiny pop-no-such-image:1 "pop-tiny:latest&id=sha256:$(printf '0%.0s' $(seq 64))"; do
    call GET "/v1/images?name=$absent"
    expect_status 200
    [ "$(jq -c .list <<<"$RESP")" = '[]' ] || fail "image filter by name $absent: $RESP"
done
call POST /v1/containers '{"name":"base","image_id":"pop-base:latest"}'
expect_status 201
call DELETE /v1/containers/base
expect_status 204

popd_stop
popd_start POPD_IMAGE_ALLOWLIST=pop-tiny:latest
call GET /v1/images
expect_status 200
[ "$(jq -c '[.list[].names[]] | unique' <<<"$RESP")" = '["pop-tiny:latest"]' ] ||
    fail "the catalogue shows images outside the allowlist: $RESP"
call GET '/v1/images?name=pop-base:latest'
[ "$(jq -c .list <<<"$RESP")" = '[]' ] || fail "a query shows an image outside the allowlist: $RESP"
call GET /v1/containers
before="$(jq -c . <<<"$RESP")"
call POST /v1/containers '{"name":"other","image_id":"pop-base:latest"}'
expect_problem 403 forbidden pop-base:latest
call GET /v1/containers
[ "$(jq -c . <<<"$RESP")" = "$before" ] || fail "a refused create changed the list"
call POST /v1/containers '{"name":"allowed","image_id":"pop-tiny:latest","flavour_id":"small"}'
expect_status 201
# The containers from before the restart are untouched by the new list.
call GET /v1/containers
[ "$(jq -r '[.list[] | .names[0] + "=" + .status] | join(" ")' <<<"$RESP")" = \
    "small=RUNNING plain=RUNNING allowed=CREATED" ] || fail "containers: $RESP"
echo "PASS flavours_and_allowlist"
