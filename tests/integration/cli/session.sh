#!/usr/bin/env bash
# pop sessions: login and logout, the token cached per user and URL in a private file and reused
# (one login for many commands), renewal when the Pop stops accepting the cached token, and the
# errors a user gets for missing or wrong credentials or an unreachable Pop.
set -euo pipefail
. "$(dirname "$0")/cli.sh"

popd_start
cli_env
cache_dir="$XDG_CACHE_HOME/pop"

# Help works without any configuration.
pop_run --help
[ "$RC" -eq 0 ] || fail "pop --help exited $RC"
for cmd in login logout info images networks "network create" "network rm" flavours servers \
    create start stop rm spawn "md get" "md set" "md rm"; do
    grep -q "^  $cmd " <<<"$OUT" || fail "pop --help does not list '$cmd': $OUT"
done
pop_run login --help
[ "$RC" -eq 0 ] && [ "$(head -n 1 <<<"$OUT")" = "usage: pop login" ] || fail "pop login --help: $OUT"

# Missing, malformed and wrong credentials; an unreachable Pop.
POP_AUTH="" pop_fails 2 "POP_AUTH" servers
POP_AUTH="nocolon" pop_fails 2 "POP_AUTH must be user:password" servers
POP_URL="ftp://x" pop_fails 2 "POP_URL" servers
POP_AUTH="$POPD_USER:wrong" pop_fails 1 "invalid username or password" servers
POP_URL="http://127.0.0.1:$(free_port)" pop_fails 1 "connection refused" info
[ "$(logins)" -eq 0 ] || fail "a failed login was counted as a login"
[ ! -e "$cache_dir" ] || [ -z "$(ls -A "$cache_dir")" ] || fail "a failed login left a cache file"

# pop login caches the token in a 0600 file inside a 0700 directory.
pop_ok login
[ "$(yq .user)" = "$POPD_USER" ] || fail "login output names the wrong user: $OUT"
[ "$(yq .url)" = "$POPD_URL" ] || fail "login output names the wrong URL: $OUT"
[[ "$(yq .expires)" =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9][T\ ] ]] || fail "no ISO expiry: $OUT"
[ "$(logins)" -eq 1 ] || fail "pop login did not log in exactly once"
[ "$(stat -c %a "$cache_dir")" = 700 ] || fail "cache dir mode $(stat -c %a "$cache_dir")"
files=("$cache_dir"/token-*)
[ ${#files[@]} -eq 1 ] || fail "expected one cache file: ${files[*]}"
token_file=${files[0]}
[ "$(stat -c %a "$token_file")" = 600 ] || fail "cache file mode $(stat -c %a "$token_file")"
token1="$(jq -r .token "$token_file")"
[ -n "$token1" ] && [ "$token1" != null ] || fail "no token in the cache file"

# Later commands reuse it: still one login after several commands.
pop_ok info
pop_ok servers
pop_ok networks
pop_ok -o json flavours
[ "$(logins)" -eq 1 ] || fail "cached token not reused: $(logins) logins"

# Another URL spelling for the same Pop is another cache entry (one file per user and URL).
POP_URL="$POPD_URL/" pop_ok info # trailing slash is the same URL
[ "$(logins)" -eq 1 ] || fail "a trailing slash made a new session"
POP_URL="http://localhost:${POPD_URL##*:}" pop_ok info
[ "$(logins)" -eq 2 ] || fail "a different URL reused the other URL's token"
[ "$(ls "$cache_dir" | wc -l)" -eq 2 ] || fail "expected two cache files: $(ls "$cache_dir")"

# Without XDG_CACHE_HOME the cache is ~/.cache/pop.
env -u XDG_CACHE_HOME "$POP_BIN" info >/dev/null || fail "pop info without XDG_CACHE_HOME failed"
[ "$(stat -c %a "$HOME/.cache/pop")" = 700 ] || fail "~/.cache/pop missing or not 0700"
[ "$(ls "$HOME/.cache/pop" | wc -l)" -eq 1 ] || fail "no token file in ~/.cache/pop"

# A token about to expire (inside the margin) is not reused.
logins_before=$(logins)
jq -c '.expires_at = (now | floor) + 10' "$token_file" >"$POPD_WORK/t" && cat "$POPD_WORK/t" >"$token_file"
pop_ok servers
[ "$(logins)" -eq $((logins_before + 1)) ] || fail "a token expiring in 10 s was reused"

# A cache file others can read is not trusted.
logins_before=$(logins)
chmod 644 "$token_file"
pop_ok servers
[ "$(logins)" -eq $((logins_before + 1)) ] || fail "a world-readable token file was used"
[ "$(stat -c %a "$token_file")" = 600 ] || fail "the renewed cache file is not 0600"

# The Pop restarts with a new signing key: the cached token is refused (401), pop logs in again
# once and the command still succeeds.
pop_ok create image=pop-tiny:latest name=keeper
popd_stop
popd_start POPD_JWT_KEY="$(printf 'ab%.0s' $(seq 32))"
token_before="$(jq -r .token "$token_file")"
logins_before=$(logins)
pop_ok servers keeper
[ "$(yq .name)" = keeper ] || fail "pop servers keeper after renewal: $OUT"
[ "$(logins)" -eq $((logins_before + 1)) ] || fail "expected exactly one new login after the key change"
[ "$(jq -r .token "$token_file")" != "$token_before" ] || fail "the renewed token was not cached"
pop_ok servers keeper
[ "$(logins)" -eq $((logins_before + 1)) ] || fail "the renewed token was not reused"

# pop logout revokes the token on the Pop and forgets it.
cp "$token_file" "$POPD_WORK/saved-token"
old_token="$(jq -r .token "$token_file")"
pop_ok logout
[ "$(yq .logged_out)" = true ] || fail "logout output: $OUT"
[ ! -e "$token_file" ] || fail "logout left the cache file"
TOKEN="$old_token"
call GET /v1/info
[ "$HTTP_STATUS" = 401 ] || fail "the logged-out token still works (HTTP $HTTP_STATUS)"
pop_ok logout
[ "$(yq .logged_out)" = false ] || fail "second logout should say there was no session: $OUT"

# A revoked token still in the cache (e.g. logged out elsewhere) is renewed transparently.
cp "$POPD_WORK/saved-token" "$token_file"
chmod 600 "$token_file"
logins_before=$(logins)
pop_ok rm keeper
[ "$(yq .removed)" = keeper ] || fail "pop rm output: $OUT"
[ "$(logins)" -eq $((logins_before + 1)) ] || fail "a revoked cached token was not renewed"

echo "cli session: ok"
