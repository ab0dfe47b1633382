#!/usr/bin/env bash
# popd-rest lifecycle on two networks: reserved IPs reach Docker, metadata becomes the exact
# environment, recreate keeps the addresses, stop frees them, networks in use cannot go.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"

popd_start
popd_login

# Inspects the Docker container of Pop container $1 with Go template $2.
dinspect() {
    docker inspect -f "$2" "$POPD_NAME-$1"
}
# The container's environment minus what Docker itself adds, sorted.
denv() {
    docker exec "$POPD_NAME-$1" env | grep -Ev '^(PATH|HOSTNAME|HOME|TERM)=' | sort
}

call GET "/v1/networks?name=private"
expect_status 200
priv_cidr="$(jq -r '.list[0].subnets[0].cidr' <<<"$RESP")"
priv_gw="$(jq -r '.list[0].subnets[0].gateway' <<<"$RESP")"
[ "$priv_gw" = "$(ip_add "${priv_cidr%/*}" 1)" ] || fail "private gateway $priv_gw is not the first host"

call POST /v1/networks '{"name":"data"}'
expect_status 201
data_cidr="$(jq -r '.subnets[0].cidr' <<<"$RESP")"
[ "$data_cidr" != "$priv_cidr" ] || fail "data got the private subnet"
docker network inspect "$POPD_NAME-data" >/dev/null || fail "no Docker network for data"
[ "$(docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$POPD_NAME-data")" = "$data_cidr" ] ||
    fail "Docker network subnet differs from $data_cidr"

# Lowest free on private is the one after the gateway; a fixed address on data.
priv_ip="$(ip_add "${priv_cidr%/*}" 2)"
data_ip="$(ip_add "${data_cidr%/*}" 10)"
call POST /v1/containers "{\"name\":\"web\",\"image_id\":\"pop-tiny:latest\",
    \"endpoints\":{\"private\":{},\"data\":{\"ipv4\":{\"address\":\"$data_ip\"}}}}"
expect_status 201
[ "$(jq -r .status <<<"$RESP")" = CREATED ] || fail "new container is not CREATED: $RESP"
[ "$(jq -r .endpoints.private.ipv4.address <<<"$RESP")" = "$priv_ip" ] || fail "private ip: $RESP"
[ "$(jq -r .endpoints.data.ipv4.address <<<"$RESP")" = "$data_ip" ] || fail "data ip: $RESP"
[ -z "$(engine_containers)" ] || fail "Create made an engine container"

call PATCH /v1/containers/web/metadata '{"entries":{"ALPHA":"1","SPACED":"a b  c=d","GONE":"x"}}'
expect_status 200
[ "$(jq -c .md <<<"$RESP")" = '{"ALPHA":"1","GONE":"x","SPACED":"a b  c=d"}' ] || fail "md: $RESP"

call POST /v1/containers/web/start
expect_status 200
[ "$(jq -r .status <<<"$RESP")" = RUNNING ] || fail "start: $RESP"
first_docker="$(dinspect web '{{.Id}}')"
[ "$(dinspect web "{{(index .NetworkSettings.Networks \"$POPD_NAME-private\").IPAddress}}")" = "$priv_ip" ] ||
    fail "Docker private address is not $priv_ip"
[ "$(dinspect web "{{(index .NetworkSettings.Networks \"$POPD_NAME-data\").IPAddress}}")" = "$data_ip" ] ||
    fail "Docker data address is not $data_ip"
[ "$(dinspect web '{{len .NetworkSettings.Networks}}')" = 2 ] || fail "not exactly two networks"
[ "$(denv web)" = "$(printf 'ALPHA=1\nGONE=x\nSPACED=a b  c=d')" ] || fail "env differs: $(denv web)"
[ "$(dinspect web '{{.HostConfig.Init}}')" = true ] || fail "Init is not true"
[ "$(dinspect web '{{.HostConfig.Privileged}}')" = false ] || fail "container is privileged"
[ "$(dinspect web '{{json .HostConfig.CapDrop}}')" = '["ALL"]' ] || fail "CapDrop is not [ALL]"
[ "$(dinspect web '{{index .Config.Labels "org.pop-nfv.pop"}}')" = "$POPD_NAME" ] || fail "pop label"

call PATCH /v1/containers/web/metadata '{"entries":{"ALPHA":"2"}}'
expect_problem 409 state-conflict RUNNING
call GET /v1/containers/web
[ "$(jq -r .md.ALPHA <<<"$RESP")" = 1 ] || fail "refused patch changed metadata"

call PATCH '/v1/containers/web/metadata?apply=recreate' '{"entries":{"ALPHA":"2","GONE":"","NEW":"n"}}'
expect_status 200
[ "$(jq -r .status <<<"$RESP")" = RUNNING ] || fail "recreate: $RESP"
[ "$(jq -r .endpoints.private.ipv4.address <<<"$RESP")" = "$priv_ip" ] || fail "recreate ip: $RESP"
[ "$(dinspect web '{{.Id}}')" != "$first_docker" ] || fail "recreate kept the old Docker container"
[ "$(dinspect web '{{.State.Status}}')" = running ] || fail "recreated container is not running"
[ "$(dinspect web "{{(index .NetworkSettings.Networks \"$POPD_NAME-private\").IPAddress}}")" = "$priv_ip" ] ||
    fail "recreated private address is not $priv_ip"
[ "$(dinspect web "{{(index .NetworkSettings.Networks \"$POPD_NAME-data\").IPAddress}}")" = "$data_ip" ] ||
    fail "recreated data address is not $data_ip"
[ "$(denv web)" = "$(printf 'ALPHA=2\nNEW=n\nSPACED=a b  c=d')" ] || fail "env after recreate: $(denv web)"
[ "$(engine_containers)" = "$POPD_NAME-web" ] || fail "engine containers: $(engine_containers)"

call POST /v1/containers/web/stop
expect_status 202
[ "$(jq -r .status <<<"$RESP")" = STOPPING ] || fail "stop: $RESP"
wait_status web EXITED 15
[ -z "$(engine_containers)" ] || fail "Docker container left after stop: $(engine_containers)"
call POST /v1/containers/web/start
expect_problem 409 state-conflict EXITED

# Both addresses are free again: lowest-free hands out the private one, the fixed one is free.
call POST /v1/containers "{\"name\":\"next\",\"image_id\":\"pop-tiny:latest\",
    \"endpoints\":{\"private\":{},\"data\":{\"ipv4\":{\"address\":\"$data_ip\"}}}}"
expect_status 201
[ "$(jq -r .endpoints.private.ipv4.address <<<"$RESP")" = "$priv_ip" ] || fail "not reused: $RESP"
[ "$(jq -r .endpoints.data.ipv4.address <<<"$RESP")" = "$data_ip" ] || fail "not reused: $RESP"

call DELETE /v1/containers/web
expect_status 204
call GET /v1/containers/web
expect_problem 404 not-found web
call GET /v1/containers
[ "$(jq -r '[.list[].names[0]] | join(",")' <<<"$RESP")" = next ] || fail "list: $RESP"

call DELETE /v1/networks/data
expect_problem 409 conflict data
docker network inspect "$POPD_NAME-data" >/dev/null || fail "refused delete removed the Docker network"
call DELETE /v1/networks/private
expect_problem 403 forbidden private
# ?apply=recreate is always safe to send: on a CREATED container it just stores the metadata.
call PATCH '/v1/containers/next/metadata?apply=recreate' '{"entries":{"LATE":"yes"}}'
expect_status 200
[ "$(jq -c '[.status, .md]' <<<"$RESP")" = '["CREATED",{"LATE":"yes"}]' ] || fail "recreate on CREATED: $RESP"
[ -z "$(engine_containers)" ] || fail "recreate on CREATED made an engine container"
call POST /v1/containers/next/start
expect_status 200
denv next | grep -qx LATE=yes || fail "metadata stored with apply=recreate did not reach the env"
# Delete of a RUNNING container stops and removes it and frees its addresses.
call DELETE /v1/containers/next
expect_status 204
[ -z "$(engine_containers)" ] || fail "delete left the engine container: $(engine_containers)"
call POST /v1/containers "{\"name\":\"last\",\"image_id\":\"pop-tiny:latest\"}"
expect_status 201
[ "$(jq -r .endpoints.private.ipv4.address <<<"$RESP")" = "$priv_ip" ] || fail "delete kept the address"
call DELETE /v1/containers/last
expect_status 204
call DELETE /v1/networks/data
expect_status 204
call GET /v1/networks/data
expect_status 404
if docker network inspect "$POPD_NAME-data" >/dev/null 2>&1; then fail "Docker network data left"; fi
echo "PASS lifecycle_two_networks"
