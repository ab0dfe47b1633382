#!/usr/bin/env bash
# Errors name the fault, prefixed with the method and the Pop (the VIM instance's name), with
# popd-rest's problem detail word for word: an unknown image, an exhausted network, a wrong Pop
# password, popd-rest down, an unknown hostname, an unsupported method, an unknown method, a
# malformed plugin message. Nothing is created by a refused launch.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/vimd.sh"

popd_start
popd_login
vimd_up
vimd_vim

vcall launchInstanceAndWait "$(launch8 web-1 no-such-image:1.0 "[$(cp private)]")"
expect_exception "launchInstanceAndWait on pop1: parameters[2] (image): no image 'no-such-image:1.0' on this Pop (see listImages)"
[ "$(api GET /v1/containers | jq '.list | length')" = 0 ] || fail "a refused launch created something"

# A /29 has 5 addresses for containers (network, broadcast and gateway excluded).
vcall createNetwork "$(jq -cn --argjson v "$VIM" '[$v, {name: "tiny", subnet: "10.199.9.0/29"}]')"
expect_answer
for i in 1 2 3 4 5; do
    vcall launchInstanceAndWait "$(launch8 "t-$i" pop-tiny:latest "[$(cp tiny)]")"
    expect_answer
done
vcall launchInstanceAndWait "$(launch8 t-6 pop-tiny:latest "[$(cp tiny)]")"
expect_exception "launchInstanceAndWait on pop1: endpoints.tiny: network 'tiny' has no free address left"
call GET /v1/containers/t-6
expect_status 404

# A problem detail passed on word for word: popd-rest's own refusal to delete 'private'.
call DELETE /v1/networks/private
popd_detail="$(jq -r .detail <<<"$RESP")"
vcall deleteNetwork "$(jq -cn --argjson v "$VIM" '[$v, "private"]')"
expect_exception "deleteNetwork on pop1: $popd_detail"

# A problem detail of a parameter popd-rest checks: a fixed address outside the subnet.
vcall launchInstanceAndWait "$(launch8 t-7 pop-tiny:latest "[$(cp private 192.0.2.7)]")"
call POST /v1/containers '{"name":"t-7","image_id":"pop-tiny:latest","endpoints":{"private":{"ipv4":{"address":"192.0.2.7"}}}}'
expect_exception "launchInstanceAndWait on pop1: $(jq -r .detail <<<"$RESP")"

# Wrong password: the login's refusal, naming the Pop and the user.
call POST /v1/login "{\"username\":\"$POPD_USER\",\"password\":\"wrong\"}"
login_detail="$(jq -r .detail <<<"$RESP")"
vimd_vim wrong-password
vcall listServer "[$VIM]"
expect_exception "listServer on pop1: login to $POPD_URL as '$POPD_USER' failed: $login_detail"
vimd_vim

vcall mgmtCheck "$(jq -cn --argjson v "$VIM" '[$v, "nobody-here"]')"
expect_exception "mgmtCheck on pop1: no container with id or name 'nobody-here'"
vcall getNetworkById "$(jq -cn --argjson v "$VIM" '[$v, "no-net"]')"
expect_exception "getNetworkById on pop1: no network with id or name 'no-net'"

vcall rebuildServer "$(jq -cn --argjson v "$VIM" '[$v, "t-1", "pop-tiny:latest"]')"
expect_exception "rebuildServer on pop1: not supported by a Pop: a container's image is fixed; delete it and launch a new one"
vcall updateNetwork "$(jq -cn --argjson v "$VIM" '[$v, {name: "tiny"}]')"
expect_exception "updateNetwork on pop1: not supported by a Pop: a Pop network cannot change once created"
vcall launchInstance "$(launch8 t-8 pop-tiny:latest '[]')"
expect_exception "launchInstance on pop1: not supported by a Pop: *"
vcall shutdownEverything "[$VIM]"
expect_exception "shutdownEverything on pop1: unknown method 'shutdownEverything' (with 1 parameter)"

# A malformed message is answered with an exception (the AMQP side sends it back).
vcall_message '{"methodName":"listServer","parameters":{"0":1}}'
expect_exception "malformed plugin message: parameters: expected an array"

# popd-rest down: the transport error names its URL.
popd_stop
vcall listServer "[$VIM]"
expect_exception "listServer on pop1: cannot reach $POPD_URL: connection refused or host unknown"
vcall launchInstanceAndWait "$(launch8 t-9 pop-tiny:latest "[$(cp private)]")"
expect_exception "launchInstanceAndWait on pop1: cannot reach $POPD_URL: connection refused or host unknown"
echo "errors: ok"
