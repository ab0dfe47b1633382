#!/usr/bin/env bash
# Every implemented plugin method of the driver against a real popd-rest and Docker Engine:
# refresh echoes the VIM instance and adds images (matchable by name), networks and flavours;
# the lists; getQuota's figures from the Pop's networks; getType; createNetwork (extId, no
# duplicate) and getNetworkById; launchInstanceAndWait with 10 and 8 parameters is popd-rest
# Create only, with the Server's ips keyed by network name; delete of a server and a network,
# and deleting again. Also the credentials carried in the authUrl userinfo.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/vimd.sh"

popd_start
popd_login
vimd_up
vimd_vim

# ---- getType, refresh, lists ----
vcall getType "[$VIM]"
expect_answer
[ "$ANSWER" = '"pop"' ] || fail "getType: $ANSWER"

vcall refresh "[$VIM]"
expect_answer
# The instance comes back as it was sent (every member, including ones the driver does not know).
[ "$(jq -cS 'del(.images, .networks, .flavours)' <<<"$ANSWER")" = "$(jq -cS . <<<"$VIM")" ] ||
    fail "refresh changed the VIM instance: $ANSWER"
# pop-tiny by name: extId (what a GenericVimInstance matches vm_image against) and tags.
jq -e '.images | any(.extId == "pop-tiny:latest" and (.tags | index("pop-tiny:latest")) and
                     (.tags | index("pop-tiny")))' <<<"$ANSWER" >/dev/null ||
    fail "refresh: no pop-tiny image by name: $(jq -c .images <<<"$ANSWER")"
priv_id="$(api GET '/v1/networks?name=private' | jq -r '.list[0].id')"
priv_cidr="$(api GET '/v1/networks?name=private' | jq -r '.list[0].subnets[0].cidr')"
jq -e --arg id "$priv_id" --arg c "$priv_cidr" \
    '.networks == [{name: "private", extId: $id, subnet: $c, gateway: .networks[0].gateway,
                    driver: "bridge", scope: "local"}]' <<<"$ANSWER" >/dev/null ||
    fail "refresh networks: $(jq -c .networks <<<"$ANSWER")"
jq -e '.flavours | map(.flavour_key) == ["docker.container", "small", "medium"]' \
    <<<"$ANSWER" >/dev/null || fail "refresh flavours: $(jq -c .flavours <<<"$ANSWER")"
refreshed="$ANSWER"

# A second refresh of the refreshed instance keeps the NFVO's ids of what it already had.
with_ids="$(jq -c '.images[0].id = "img-1" | .images[0].hbVersion = 2 | .networks[0].id = "net-1"' \
    <<<"$refreshed")"
vcall refresh "[$with_ids]"
expect_answer
jq -e '.images[0].id == "img-1" and .images[0].hbVersion == 2 and .networks[0].id == "net-1"' \
    <<<"$ANSWER" >/dev/null || fail "refresh lost the NFVO's ids: $ANSWER"

vcall listImages "[$VIM]"
expect_answer
[ "$ANSWER" = "$(jq -c .images <<<"$refreshed")" ] || fail "listImages differs from refresh"
# One image per name, dangling images ("<none>:<none>", no name to launch) left out.
[ "$(jq length <<<"$ANSWER")" = "$(api GET /v1/images | jq '[.list[].names[] | select(startswith("<none>") | not)] | length')" ] ||
    fail "listImages: not one image per name"
jq -e 'all(.[]; .extId | startswith("<none>") | not)' <<<"$ANSWER" >/dev/null ||
    fail "listImages lists dangling images: $ANSWER"
vcall listNetworks "[$VIM]"
expect_answer
[ "$ANSWER" = "$(jq -c .networks <<<"$refreshed")" ] || fail "listNetworks differs from refresh"
vcall listFlavors "[$VIM]"
expect_answer
jq -e 'map({flavour_key, extId, vcpus, ram}) == [
        {flavour_key: "docker.container", extId: "docker.container", vcpus: 0, ram: 0},
        {flavour_key: "small", extId: "small", vcpus: 1, ram: 512},
        {flavour_key: "medium", extId: "medium", vcpus: 2, ram: 2048}]' <<<"$ANSWER" >/dev/null ||
    fail "listFlavors: $ANSWER"

# ---- networks ----
vcall createNetwork "$(jq -cn --argjson v "$VIM" '[$v, {id: "nfvo-net-1", name: "data", subnet: "10.199.7.0/24"}]')"
expect_answer
data_id="$(api GET '/v1/networks?name=data' | jq -r '.list[0].id')"
[ -n "$data_id" ] && [ "$data_id" != null ] || fail "createNetwork made no popd-rest network"
jq -e --arg id "$data_id" '. == {id: "nfvo-net-1", name: "data", extId: $id,
        subnet: "10.199.7.0/24", gateway: "10.199.7.1"}' <<<"$ANSWER" >/dev/null ||
    fail "createNetwork answer: $ANSWER"
# The same virtual link again (a BaseNetwork, as a Generic VIM's grant sends it): the existing
# network, not a second one.
vcall createNetwork "$(jq -cn --argjson v "$VIM" '[$v, {name: "data"}]')"
expect_answer
jq -e --arg id "$data_id" '. == {name: "data", extId: $id}' <<<"$ANSWER" >/dev/null ||
    fail "createNetwork again: $ANSWER"
[ "$(api GET /v1/networks | jq '[.list[] | select(.name == "data")] | length')" = 1 ] ||
    fail "createNetwork duplicated the network"
vcall getNetworkById "$(jq -cn --argjson v "$VIM" --arg id "$data_id" '[$v, $id]')"
expect_answer
jq -e --arg id "$data_id" '.extId == $id and .name == "data" and .subnet == "10.199.7.0/24"' \
    <<<"$ANSWER" >/dev/null || fail "getNetworkById: $ANSWER"

# ---- getQuota: instances from the networks' usable addresses (network, broadcast and gateway
# excluded), no bound on cores and ram (-1), no key pairs or floating addresses ----
want_instances=0
for c in $(api GET /v1/networks | jq -r '.list[].subnets[0].cidr'); do
    want_instances=$((want_instances + (1 << (32 - ${c#*/})) - 3))
done
vcall getQuota "[$VIM]"
expect_answer
jq -e --arg t "$POPD_NAME" --argjson n "$want_instances" \
    '. == {tenant: $t, instances: $n, cores: -1, ram: -1, keyPairs: 0, floatingIps: 0}' \
    <<<"$ANSWER" >/dev/null || fail "getQuota: $ANSWER (want $want_instances instances)"

# ---- launch: Create only, ips keyed by network name ----
vcall launchInstanceAndWait "$(launch10 web-1 pop-tiny:latest "[$(cp private),$(cp data 10.199.7.20)]" '{"data":"random"}')"
expect_answer
web1="$ANSWER"
call GET /v1/containers/web-1
expect_status 200
ct="$RESP"
jq -e --argjson ct "$ct" '.extId == $ct.id and .name == "web-1" and .hostName == "web-1" and
        .status == "CREATED" and .floatingIps == {} and .image.extId == "pop-tiny:latest" and
        .ips == {private: [$ct.endpoints.private.ipv4.address], data: ["10.199.7.20"]}' \
    <<<"$web1" >/dev/null || fail "launch (10) Server: $web1 / container: $ct"
[ "$(jq -r .status <<<"$ct")" = CREATED ] || fail "launch started the container: $ct"
[ -z "$(engine_containers)" ] || fail "launch made an engine container: $(engine_containers)"

vcall launchInstanceAndWait "$(launch8 web-2 pop-tiny "[$(cp private)]")"
expect_answer
web2="$ANSWER"
jq -e '.status == "CREATED" and (.ips | keys) == ["private"] and .image.extId == "pop-tiny"' \
    <<<"$web2" >/dev/null || fail "launch (8) Server: $web2"

vcall listServer "[$VIM]"
expect_answer
[ "$(jq -c 'map(.hostName)' <<<"$ANSWER")" = '["web-1","web-2"]' ] || fail "listServer: $ANSWER"
[ "$(jq -c '.[0]' <<<"$ANSWER")" = "$web1" ] || fail "listServer's web-1 differs from the launch"

# ---- the VIM instance as a Java NFVO passes a GenericVimInstance: credentials in authUrl ----
vcall listServer "[$(vimd_vim_userinfo)]"
expect_answer
[ "$(jq length <<<"$ANSWER")" = 2 ] || fail "listServer with userinfo credentials: $ANSWER"

# ---- delete: nothing left, addresses free; again is success ----
vcall deleteServerByIdAndWait "$(jq -cn --argjson v "$VIM" --argjson s "$web1" '[$v, $s.extId]')"
expect_answer
[ "$ANSWER" = null ] || fail "deleteServerByIdAndWait answered $ANSWER"
call GET /v1/containers/web-1
expect_status 404
vcall deleteServerByIdAndWait "$(jq -cn --argjson v "$VIM" --argjson s "$web1" '[$v, $s.extId]')"
expect_answer
# The fixed address is free again: a new container may take it.
call POST /v1/containers '{"name":"probe","image_id":"pop-tiny:latest","endpoints":{"data":{"ipv4":{"address":"10.199.7.20"}}}}'
expect_status 201
call DELETE /v1/containers/probe
expect_status 204

# A network in use is refused with popd-rest's own words; once free it goes, and again is true.
vcall launchInstanceAndWait "$(launch8 web-3 pop-tiny:latest "[$(cp data)]")"
expect_answer
vcall deleteNetwork "$(jq -cn --argjson v "$VIM" --arg id "$data_id" '[$v, $id]')"
expect_exception "deleteNetwork on pop1: *"
vcall mgmtDelete "$(jq -cn --argjson v "$VIM" '[$v, "web-3"]')"
expect_answer
vcall deleteNetwork "$(jq -cn --argjson v "$VIM" --arg id "$data_id" '[$v, $id]')"
expect_answer
[ "$ANSWER" = true ] || fail "deleteNetwork answered $ANSWER"
call GET "/v1/networks/$data_id"
expect_status 404
vcall deleteNetwork "$(jq -cn --argjson v "$VIM" --arg id "$data_id" '[$v, $id]')"
expect_answer
echo "methods: ok"
