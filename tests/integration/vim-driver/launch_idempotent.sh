#!/usr/bin/env bash
# launchInstanceAndWait is idempotent by hostname: a redelivered launch answers the container
# the first one created; eight concurrent duplicates in one driver (serialized by the hostname's
# mark: popd-rest sees one create) and two drivers at once (popd-rest's name conflict) all
# answer the same container, and exactly one exists. The same hostname with another image or other networks is refused,
# naming the difference, and changes nothing.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/vimd.sh"

popd_start
popd_login
vimd_vim

params="$(launch10 vnfc-1 pop-tiny:latest "[$(cp private)]")"
vcall launchInstanceAndWait "$params"
expect_answer
first="$(jq -r .extId <<<"$ANSWER")"
first_ip="$(jq -r '.ips.private[0]' <<<"$ANSWER")"

# Redelivered: the same answer, no second container, no second address.
vcall launchInstanceAndWait "$params"
expect_answer
[ "$(jq -r .extId <<<"$ANSWER")" = "$first" ] || fail "redelivery made another container: $ANSWER"
[ "$(jq -r '.ips.private[0]' <<<"$ANSWER")" = "$first_ip" ] || fail "redelivery changed the address"
[ "$(api GET '/v1/containers?name=vnfc-1' | jq '.list | length')" = 1 ] || fail "not exactly one vnfc-1"

# Concurrent duplicates in one driver: 8 threads, serialized by the hostname's mark, so popd-rest
# sees one create and no conflict at all.
params2="$(launch8 vnfc-2 pop-tiny:latest "[$(cp private)]")"
creates_before="$(grep -c 'access POST /v1/containers status=' "$POPD_WORK/popd.log" || true)"
logins_before="$(grep -c "login: user '$POPD_USER'" "$POPD_WORK/popd.log" || true)"
vcall launchInstanceAndWait "$params2" 8
# The 8 threads share the VIM instance's one session: one login.
logins="$(grep -c "login: user '$POPD_USER'" "$POPD_WORK/popd.log" || true)"
[ $((logins - logins_before)) = 1 ] || fail "8 threads logged in $((logins - logins_before)) times"
expect_answer
[ "$(wc -l <"$POPD_WORK/vcall.out")" = 8 ] || fail "not 8 answers"
ids="$(jq -r '.answer.extId' "$POPD_WORK/vcall.out" | sort -u)"
[ "$(wc -l <<<"$ids")" = 1 ] && [ "$ids" != null ] || fail "concurrent launches answered: $ids"
[ "$(api GET '/v1/containers?name=vnfc-2' | jq -r '.list | map(.id) | join(" ")')" = "$ids" ] ||
    fail "not exactly one vnfc-2, the one answered"
creates="$(grep 'access POST /v1/containers status=' "$POPD_WORK/popd.log" | tail -n +$((creates_before + 1)))"
[ "$(grep -c 'status=201' <<<"$creates")" = 1 ] && ! grep -q 'status=409' <<<"$creates" ||
    fail "the duplicates were not serialized: $creates"

# Two drivers at once, 8 threads each: the loser's create gets popd-rest's name conflict and
# answers the winner's container.
params3="$(launch8 vnfc-3 pop-tiny:latest "[$(cp private)]")"
"$VIMD_CALL" -n 8 launchInstanceAndWait - <<<"$params3" >"$POPD_WORK/a.out" 2>"$POPD_WORK/a.err" &
pid_a=$!
"$VIMD_CALL" -n 8 launchInstanceAndWait - <<<"$params3" >"$POPD_WORK/b.out" 2>"$POPD_WORK/b.err" &
pid_b=$!
wait "$pid_a" || { cat "$POPD_WORK/a.err" >&2; fail "driver a: $(cat "$POPD_WORK/a.out")"; }
wait "$pid_b" || { cat "$POPD_WORK/b.err" >&2; fail "driver b: $(cat "$POPD_WORK/b.out")"; }
[ "$(cat "$POPD_WORK/a.out" "$POPD_WORK/b.out" | wc -l)" = 16 ] || fail "not 16 answers"
ids="$(cat "$POPD_WORK/a.out" "$POPD_WORK/b.out" | jq -r '.answer.extId' | sort -u)"
[ "$(wc -l <<<"$ids")" = 1 ] && [ "$ids" != null ] || fail "two drivers answered: $ids"
[ "$(api GET '/v1/containers?name=vnfc-3' | jq -r '.list | map(.id) | join(" ")')" = "$ids" ] ||
    fail "not exactly one vnfc-3, the one answered"
# No address is left reserved by a losing create: only the three containers hold any.
[ "$(api GET /v1/containers | jq '[.list[].endpoints[]] | length')" = 3 ] ||
    fail "addresses held beyond the three containers"

# The hostname taken by something else: refused, naming it, and nothing changes.
vcall launchInstanceAndWait "$(launch8 vnfc-1 sipp:latest "[$(cp private)]")"
expect_exception "launchInstanceAndWait on pop1: parameters[1] (hostname): a container 'vnfc-1' exists already with image 'pop-tiny:latest', not 'sipp:latest'"
api POST /v1/networks '{"name":"data"}' >/dev/null
expect_status 201
vcall launchInstanceAndWait "$(launch8 vnfc-1 pop-tiny:latest "[$(cp private),$(cp data)]")"
expect_exception "launchInstanceAndWait on pop1: parameters[1] (hostname): a container 'vnfc-1' exists already on networks private, not private, data"
[ "$(api GET /v1/containers/vnfc-1 | jq -r '.id')" = "$first" ] || fail "the refusal changed vnfc-1"
echo "launch_idempotent: ok"
