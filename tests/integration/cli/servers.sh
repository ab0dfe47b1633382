#!/usr/bin/env bash
# pop against a real popd-rest and Docker Engine: catalogue listings, networks, spawn on two
# networks with a fixed address, servers as YAML and JSON, metadata (also recreating a running
# server), stop and rm, and the one-line errors and usages a user sees.
set -euo pipefail
. "$(dirname "$0")/cli.sh"

popd_start
cli_env

# info, flavours and images, as YAML a YAML parser reads back.
pop_ok info
[ "$(yq .name)" = "$POPD_NAME" ] && [ "$(yq .type)" = docker ] || fail "pop info: $OUT"
[ "$(yq .url)" = "$POPD_URL" ] || fail "pop info url: $OUT"
pop_ok flavours
[ "$(yq '.[] | select(.name == "small") | "\(.vcpus) \(.ram_mb)"')" = "1 512" ] ||
    fail "flavour small is not 1 vcpu / 512 MB: $OUT"
yq '.[].name' | grep -qx docker.container || fail "no default flavour: $OUT"
pop_ok images
yq '.[].names[]' | grep -qx pop-tiny:latest || fail "pop images does not list pop-tiny:latest: $OUT"
pop_ok images pop-tiny:latest
yq '.names[]' | grep -qx pop-tiny:latest || fail "pop images pop-tiny:latest: $OUT"
[[ "$(yq .id)" == sha256:* ]] || fail "image id: $OUT"
pop_fails 1 "no image called 'nosuch:latest'" images nosuch:latest

# Networks: the default one, one from the pools, one with a chosen subnet.
pop_ok networks
priv_cidr="$(yq '.[] | select(.name == "private") | .cidr')"
[ -n "$priv_cidr" ] && [ "$priv_cidr" != null ] || fail "no private network: $OUT"
pop_ok network create data
[ "$(yq .name)" = data ] || fail "network create output: $OUT"
data_cidr="$(yq .cidr)"
[ "$data_cidr" != "$priv_cidr" ] || fail "data got the private subnet"
fixed_cidr="${POPD_TEST_POOL%.0.0/*}.250.0/24"
pop_ok network create fixed cidr="$fixed_cidr" internal=true
[ "$(yq .cidr)" = "$fixed_cidr" ] && [ "$(yq .internal)" = true ] || fail "cidr=/internal=: $OUT"
[ "$(yq .gateway)" = "$(ip_add "${fixed_cidr%/*}" 1)" ] || fail "gateway: $OUT"
pop_ok -o json networks
[ "$(jq -r '[.list[].name] | sort | join(",")' <<<"$OUT")" = "data,fixed,private" ] ||
    fail "pop -o json networks: $OUT"
pop_fails 1 "already" network create data

# spawn on two networks, a fixed address on data: RUNNING with both addresses, in Docker too.
priv_ip="$(ip_add "${priv_cidr%/*}" 2)"
data_ip="$(ip_add "${data_cidr%/*}" 10)"
pop_ok spawn image=pop-tiny:latest name=web net=private net="data:$data_ip" flavour=small
[ "$(yq .name)" = web ] && [ "$(yq .status)" = RUNNING ] || fail "spawn: $OUT"
[ "$(yq '.ips.private | join(",")')" = "$priv_ip" ] || fail "private ip: $OUT"
[ "$(yq '.ips.data | join(",")')" = "$data_ip" ] || fail "data ip: $OUT"
[ "$(yq .flavour)" = small ] && [ "$(yq .image)" = pop-tiny:latest ] || fail "spawn: $OUT"
grep -qx "status: RUNNING" <<<"$OUT" || fail "YAML is not 'key: value' readable: $OUT"
[ "$(docker inspect -f '{{(index .NetworkSettings.Networks "'"$POPD_NAME"'-data").IPAddress}}' \
    "$POPD_NAME-web")" = "$data_ip" ] || fail "Docker does not have $data_ip on data"
[ "$(docker inspect -f '{{(index .NetworkSettings.Networks "'"$POPD_NAME"'-private").IPAddress}}' \
    "$POPD_NAME-web")" = "$priv_ip" ] || fail "Docker does not have $priv_ip on private"

# create without start; the list shows both, the JSON is the Pop's own.
pop_ok create image=pop-tiny:latest name=db
[ "$(yq .status)" = CREATED ] || fail "create: $OUT"
[ "$(yq '.ips | keys | join(",")')" = private ] || fail "create without net= is not on private: $OUT"
pop_ok servers
[ "$(yq '[.[].name] | sort | join(",")')" = "db,web" ] || fail "pop servers: $OUT"
[ "$(yq '.[] | select(.name == "web") | .status')" = RUNNING ] || fail "pop servers web status: $OUT"
[ "$(yq '.[] | select(.name == "web") | .ips.data[0]')" = "$data_ip" ] || fail "pop servers ips: $OUT"
[[ "$(yq '.[] | select(.name == "web") | .created')" == 20* ]] || fail "created is not a time: $OUT"
pop_ok -o json servers
[ "$(jq -r '.list[] | select(.names[0] == "web") | .endpoints.data.ipv4.address' <<<"$OUT")" = \
    "$data_ip" ] || fail "pop -o json servers: $OUT"
pop_ok servers web -o json
[ "$(jq -r '.status + " " + .flavour_id' <<<"$OUT")" = "RUNNING small" ] || fail "json one: $OUT"

# Metadata before start: set, get (KEY: value lines, strings kept strings), rm.
pop_ok md set db A=1 B='x: y' C=yes PLAIN=hello
pop_ok md get db
grep -qx "PLAIN: hello" <<<"$OUT" || fail "md get is not KEY: value lines: $OUT"
[ "$(yq -c .)" = '{"A":"1","B":"x: y","C":"yes","PLAIN":"hello"}' ] || fail "md get: $OUT"
[ "$(head -n 1 <<<"$OUT" | cut -d: -f1)" = A ] || fail "md get is not sorted: $OUT"
pop_ok md rm db B C
[ "$(yq -c .)" = '{"A":"1","PLAIN":"hello"}' ] || fail "md rm: $OUT"
pop_ok -o json md get db
[ "$(jq -r .A <<<"$OUT")" = 1 ] || fail "md get -o json: $OUT"
pop_ok start db
[ "$(yq .status)" = RUNNING ] || fail "start: $OUT"
denv() { docker exec "$POPD_NAME-$1" env | grep -Ev '^(PATH|HOSTNAME|HOME|TERM)=' | sort | tr '\n' ' '; }
[ "$(denv db)" = "A=1 PLAIN=hello " ] || fail "db environment: $(denv db)"

# A running server keeps its environment unless --recreate; then it gets the new one, same IPs.
pop_fails 1 "RUNNING" md set web K=v
pop_ok md set web K=v --recreate
[ "$(yq -c .)" = '{"K":"v"}' ] || fail "md set --recreate output: $OUT"
[ "$(denv web)" = "K=v " ] || fail "web environment after --recreate: $(denv web)"
pop_ok servers web
[ "$(yq .status)" = RUNNING ] && [ "$(yq .ips.data[0])" = "$data_ip" ] || fail "after recreate: $OUT"
pop_ok md rm --recreate web K
[ "$(yq -c .)" = '{}' ] || fail "md rm --recreate output: $OUT"
[ -z "$(denv web)" ] || fail "web environment after md rm: $(denv web)"

# stop, then rm: gone from the Pop and from Docker.
pop_ok stop web
[[ "$(yq .status)" =~ ^(STOPPING|EXITED)$ ]] || fail "stop: $OUT"
for _ in $(seq 100); do
    pop_ok servers web
    [ "$(yq .status)" = EXITED ] && break
    sleep 0.2
done
[ "$(yq .status)" = EXITED ] || fail "web did not reach EXITED: $OUT"
pop_ok rm web
[ "$OUT" = "removed: web" ] || fail "rm output: $OUT"
pop_fails 1 "no container with id or name 'web'" servers web
[ "$ERR" = "pop: no container with id or name 'web'" ] || fail "error is not the server's detail: $ERR"
docker inspect "$POPD_NAME-web" >/dev/null 2>&1 && fail "Docker container web still exists"
pop_ok rm db
[ -z "$(engine_containers)" ] || fail "containers left: $(engine_containers)"

# spawn that cannot start (no such image, no registry) removes what it created.
pop_run spawn image=pop-nosuch-image:latest name=ghost
[ "$RC" -eq 1 ] || fail "spawn of a missing image exited $RC"
grep -q "removed 'ghost' again" <<<"$ERR" || fail "spawn did not say it removed ghost: $ERR"
pop_fails 1 "no container" servers ghost

# Other server-side refusals: one line with the Pop's detail, exit 1.
pop_fails 1 "no network called 'nonet'" create image=pop-tiny:latest name=x net=nonet
pop_fails 1 "unknown flavour 'huge'" create image=pop-tiny:latest name=x flavour=huge
pop_fails 1 "is not a usable host address" create image=pop-tiny:latest name=x \
    net="data:$(ip_add "${priv_cidr%/*}" 5)"
pop_fails 1 "no container" start nosuch
pop_fails 1 "no container" md get nosuch

# Networks go when unused.
pop_ok network rm data
[ "$OUT" = "removed: data" ] || fail "network rm output: $OUT"
pop_ok network rm fixed
pop_ok networks
[ "$(yq '[.[].name] | join(",")')" = private ] || fail "networks after rm: $OUT"
pop_fails 1 "no network with id or name 'data'" network rm data

# Usage errors print the usage of that subcommand and exit 2; --help prints it and exits 0.
USAGE="usage: pop servers [NAME]" pop_usage servers a b
USAGE="usage: pop create image=IMAGE name=NAME [net=NETWORK[:IP]]... [flavour=FLAVOUR]" \
    pop_usage create name=x
grep -q "image= is required" <<<"$ERR" || fail "create without image: $ERR"
USAGE="usage: pop spawn image=IMAGE name=NAME [net=NETWORK[:IP]]... [flavour=FLAVOUR]" \
    pop_usage spawn image=a name=b net=p net=p
USAGE="usage: pop md set NAME KEY=VALUE... [--recreate]" pop_usage md set db
USAGE="usage: pop md set NAME KEY=VALUE... [--recreate]" pop_usage md set db NOVALUE
USAGE="usage: pop md rm NAME KEY... [--recreate]" pop_usage md rm db --force
USAGE="usage: pop network create NAME [cidr=CIDR] [gateway=IP] [internal=true|false]" \
    pop_usage network create n bogus=1
USAGE="usage: pop network rm NAME" pop_usage network
USAGE="usage: pop start NAME" pop_usage start
pop_run bogus
[ "$RC" -eq 2 ] && grep -q "unknown command 'bogus'" <<<"$ERR" || fail "pop bogus: $RC $ERR"
pop_run -o xml servers
[ "$RC" -eq 2 ] && grep -q "unknown output format 'xml'" <<<"$ERR" || fail "-o xml: $RC $ERR"
pop_ok md get --help
[ "$(head -n 1 <<<"$OUT")" = "usage: pop md get NAME" ] || fail "pop md get --help: $OUT"
pop_ok network --help
grep -qx "usage: pop network rm NAME" <<<"$OUT" || fail "pop network --help: $OUT"

echo "cli servers: ok"
