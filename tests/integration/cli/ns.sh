#!/usr/bin/env bash
# pop's NFVO commands against the real stack (RabbitMQ, popd-rest on the Docker Engine,
# pop-nfvo, pop-vim-driver, pop-vnfm), driven only through the pop binary:
# - nfvo login (a wrong password: one line with the NFVO's reason), vim add --pop, vim ls;
# - nsd onboard of the SIPp fixture; ns launch --wait: the VNFs' states as comment lines, the
#   NS ACTIVE, exit 0; ns ls; ns show: the server's address is the client's dependency value
#   (and the client container's SERVER_PRIVATE);
# - ns scale-out of the server (its scale_in_out is 1) refused in one line naming the limit,
#   nothing changed; scale-in of its only VNFC refused; unknown NS and VNF names are clear
#   errors; usages; -o json; heal --wait of the server's VNFC: ACTIVE, Healed;
# - a launch whose image the Pop lacks: --wait exits 3 with the reason;
# - ns rm --wait: gone, no container of the test left; vim add FILE; nsd rm.
# The cached session is checked too: an expired token is refreshed, a refused one replaced.
set -euo pipefail
. "$(dirname "$0")/cli.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

t_start=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# pop_yaml ARGS...: pop_ok, then its YAML read once (PyYAML) into J for the checks (j EXPR).
pop_yaml() {
    pop_ok "$@"
    J="$(yq .)"
}
j() { jq -r "$1" <<<"$J"; }

popd_start
nfvod_up
cli_env
export NFVO_URL NFVO_AUTH="$NFVO_ADMIN_USER:$NFVO_ADMIN_PASS"
echo "stack up in $(ms_since "$t_start") ms" >&2

# ---- login, VIM ----
NFVO_AUTH="$NFVO_ADMIN_USER:wrong" pop_fails 1 "NFVO login as '$NFVO_ADMIN_USER'" nfvo login
[[ "$ERR" == *"Bad credentials"* ]] || fail "the NFVO's reason is not shown: $ERR"
pop_yaml nfvo login
[ "$(j .project)" = default ] && [ -n "$(j .project_id)" ] && [ "$(j .project_id)" != null ] ||
    fail "nfvo login: $OUT"
ls "$XDG_CACHE_HOME"/pop/nfvo-* >/dev/null || fail "no NFVO token cached in $XDG_CACHE_HOME/pop"

# The cached session: an expired token is refreshed, a refused one replaced by a new login.
cache_file="$(ls "$XDG_CACHE_HOME"/pop/nfvo-*)"
cache_edit() {
    jq "$1" "$cache_file" >"$cache_file.new" && chmod 600 "$cache_file.new" &&
        mv "$cache_file.new" "$cache_file"
}
cache_edit '.expires_at = 0'
pop_yaml vim ls
[ "$(jq -r '.expires_at > now' "$cache_file")" = true ] || fail "the expired token was not renewed"
cache_edit '.access_token = "not-a-token" | .expires_at = (now + 3600 | floor)'
pop_yaml vim ls
[ "$(jq -r .access_token "$cache_file")" != not-a-token ] || fail "the refused token was kept"

pop_yaml vim add --pop "$POPD_URL" --name pop1
[ "$(j .name)" = pop1 ] && [ "$(j .type)" = pop ] && [ "$(j .url)" = "$POPD_URL" ] ||
    fail "vim add: $OUT"
j '.networks[]' | grep -qx private || fail "the VIM was not refreshed (no private network): $OUT"
pop_yaml vim ls
[ "$(j '[.[].name] | join(",")')" = pop1 ] || fail "vim ls: $OUT"

# ---- onboard, launch --wait ----
pop_yaml nsd onboard "$SIPP_FIXTURE"
nsd="$(j .name)"
[ "$(j '.vnfds | sort | join(",")')" = "sipp-client,sipp-server" ] || fail "nsd onboard: $OUT"
t0=$(date +%s%N)
pop_yaml ns launch "$nsd" --wait
echo "ns launch --wait: ACTIVE in $(ms_since "$t0") ms" >&2
[ "$(j .status)" = ACTIVE ] && [ "$(j .vnfs."\"sipp-server\"")" = ACTIVE ] &&
    [ "$(j .vnfs."\"sipp-client\"")" = ACTIVE ] || fail "ns launch --wait: $OUT"
grep -Eq '^# +[0-9.]+s sipp-client ACTIVE$' <<<"$OUT" || fail "no progress lines: $OUT"
ns="$(j .name)"
ns_id="$(j .id)"

pop_yaml ns ls
[ "$(j 'length')" = 1 ] && [ "$(j '.[0].id')" = "$ns_id" ] && [ "$(j '.[0].status')" = ACTIVE ] ||
    fail "ns ls: $OUT"

pop_yaml ns show "$ns"
server_host="$(j '.vnfs[] | select(.name == "sipp-server") | .vnfcs[0].hostname')"
server_ip="$(j '.vnfs[] | select(.name == "sipp-server") | .vnfcs[0].addresses.private')"
dep_ip="$(j '.dependencies[] | select(.target == "sipp-client")
    | .sources."sipp-server".vnfcs."'"$server_host"'".private')"
[[ "$server_ip" =~ ^[0-9.]+$ ]] || fail "ns show: no server address: $OUT"
[ "$dep_ip" = "$server_ip" ] || fail "ns show: the client's dependency value $dep_ip is not the server's address $server_ip: $OUT"
[ "$(j '.vnfs[] | select(.name == "sipp-server") | .vnfcs[0].vim')" = pop1 ] &&
    [ "$(j '.vnfs[] | select(.name == "sipp-server") | .vnfcs[0].pop')" = "$POPD_URL" ] ||
    fail "ns show: the VIM/Pop of the server: $OUT"
[ "$(j '.virtual_links[0].addresses."'"$server_host"'"')" = "$server_ip" ] ||
    fail "ns show: addresses per virtual link: $OUT"
j '.events[].event' | grep -qx INSTANTIATE_FINISH || fail "ns show: events: $OUT"
client_host="$(j '.vnfs[] | select(.name == "sipp-client") | .vnfcs[0].hostname')"
grep -qx "SERVER_PRIVATE=$server_ip" <<<"$(denv "$client_host")" ||
    fail "the client's container has not the server's address: $(denv "$client_host")"

# ---- refusals ----
pop_fails 1 "allows at most 1 VNFC instance (scale_in_out)" ns scale-out "$ns" sipp-server
pop_yaml ns show "$ns_id"
[ "$(j '[.vnfs[] | select(.name == "sipp-server") | .vnfcs[]] | length')" = 1 ] &&
    [ "$(j .status)" = ACTIVE ] || fail "a refused scale-out changed the NS: $OUT"
pop_fails 1 "scale in keeps one at least" ns scale-in "$ns" sipp-server
pop_fails 1 "no NS with id or name 'no-such-ns'" ns show no-such-ns
pop_fails 1 "no VNF with id or name 'nope'" ns scale-in "$ns" nope

USAGE="usage: pop ns launch NSD [--wait [--timeout SECONDS]]"
pop_usage ns launch
pop_usage ns launch "$nsd" --timeout 5
pop_run -o json ns ls
[ "$RC" = 0 ] && [ "$(jq -r '.[0].vnfr | length' <<<"$OUT")" = 2 ] || fail "-o json ns ls: $OUT"

# ---- heal --wait: the server's VNFC healed, the NS ACTIVE again ----
pop_yaml ns heal "$ns" "$server_host" --cause "cli test" --wait
[ "$(j .status)" = ACTIVE ] && [ "$(j .task)" = Healed ] || fail "ns heal --wait: $OUT"

# ---- an image the Pop lacks: --wait ends in ERROR, exit 3 ----
jq '.name = "sipp-noimage" | .vnfd[].vdu[].vm_image = ["no-such-image:latest"]' "$SIPP_FIXTURE" \
    >"$POPD_WORK/noimage.json"
pop_yaml nsd onboard "$POPD_WORK/noimage.json"
pop_run ns launch sipp-noimage --wait --timeout 60
[ "$RC" -eq 3 ] || fail "ns launch --wait of an NS going to ERROR exited $RC: $ERR"
[ "$(wc -l <"$POPD_WORK/pop.err")" -eq 1 ] && [[ "$ERR" == *"ERROR: "*no-such-image* ]] ||
    fail "ns launch --wait ERROR message: $ERR"
pop_yaml ns rm sipp-noimage --wait

# ---- terminate ----
t0=$(date +%s%N)
pop_yaml ns rm "$ns" --wait
echo "ns rm --wait: gone in $(ms_since "$t0") ms" >&2
[ "$(j .status)" = gone ] || fail "ns rm --wait: $OUT"
pop_yaml ns ls
[ "$OUT" = "[]" ] || fail "ns ls after rm: $OUT"
[ -z "$(engine_containers)" ] || fail "containers left in the engine: $(engine_containers)"
jq -n --arg url "$POPD_URL" --arg u "$POPD_USER" --arg p "$POPD_PASS" \
    '{name: "pop2", type: "pop", authUrl: $url, username: $u, password: $p}' >"$POPD_WORK/vim.json"
pop_yaml vim add "$POPD_WORK/vim.json"
[ "$(j .name)" = pop2 ] || fail "vim add FILE: $OUT"
pop_yaml vim ls
[ "$(j '[.[].name] | sort | join(",")')" = pop1,pop2 ] || fail "vim ls: $OUT"
pop_yaml nsd rm "$nsd"
pop_fails 1 "no NSD with id or name '$nsd'" nsd rm "$nsd"
echo "cli ns: ok in $(ms_since "$t_start") ms"
