#!/usr/bin/env bash
# pop-nfvo's northbound security (reference §6.1) on the real service: POST /oauth/token with
# Open Baton's client credentials (password and refresh_token grants, OAuth2 errors for a bad
# client, password or grant), bearer tokens on /api/ (401 with a Bearer challenge without
# one), the projects list with a trailing slash, and a token still valid after a kill -9 of
# the NFVO (the signing key and the projects are in its database). Expired and forged tokens, and the project-id rule
# (no /api/ route that needs a project is served yet): tests/unit/nfvo/test_auth.c.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

rmq_start
nfvod_start NFVO_PASSWORD_ITERATIONS=1000
token() { http_call "$@" -X POST "$NFVO_URL/oauth/token"; }
oauth_error() { # STATUS ERROR: the last reply is RFC 6749 §5.2's body
    [ "$HTTP_STATUS" = "$1" ] && jq -e --arg e "$2" '.error == $e and (.error_description | type == "string")' \
        "$HTTP_BODY" >/dev/null || fail "$HTTP_WHAT: expected $1 $2, got $HTTP_STATUS $(cat "$HTTP_BODY")"
}

# ---- login ----
nfvod_login
token -u "$NFVO_CLIENT" --data-urlencode grant_type=password --data-urlencode username=admin \
    --data-urlencode "password=$NFVO_ADMIN_PASS"
expect_status 200 "login"
jq -e '.access_token == .value and .token_type == "bearer" and .scope == "read write"
       and (.refresh_token | length > 0) and .refresh_token != .access_token
       and .expires_in > 3500 and .expires_in <= 3600' "$HTTP_BODY" >/dev/null || fail "token reply: $(cat "$HTTP_BODY")"
REFRESH="$(jq -r .refresh_token "$HTTP_BODY")"
[ "$(http_header Cache-Control)" = no-store ] || fail "a token reply must not be cached"
token -u openbatonOSClient:wrong --data-urlencode grant_type=password --data-urlencode username=admin \
    --data-urlencode "password=$NFVO_ADMIN_PASS"
oauth_error 401 invalid_client
token --data-urlencode grant_type=password --data-urlencode username=admin \
    --data-urlencode "password=$NFVO_ADMIN_PASS"
oauth_error 401 invalid_client
token -u "$NFVO_CLIENT" --data-urlencode grant_type=password --data-urlencode username=admin \
    --data-urlencode "password=$NFVO_ADMIN_PASS-not"
oauth_error 400 invalid_grant
token -u "$NFVO_CLIENT" --data-urlencode grant_type=client_credentials
oauth_error 400 unsupported_grant_type
grep -q "login failed for user 'admin'" "$POPD_WORK/nfvo.log" || fail "failed login not logged"
grep -qF -- "$NFVO_ADMIN_PASS" "$POPD_WORK/nfvo.log" && fail "the password is in the log"
echo "ok - login: the token reply; bad client 401, bad password and grant 400, as OAuth2"

# ---- refresh ----
token -u "$NFVO_CLIENT" --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$REFRESH"
expect_status 200 "refresh grant"
NEW="$(jq -r .access_token "$HTTP_BODY")"
http_call -H "Authorization: Bearer $NEW" "$NFVO_URL/api/v1/projects"
expect_status 200 "the refreshed token"
token -u "$NFVO_CLIENT" --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$NFVO_TOKEN"
oauth_error 400 invalid_grant
http_call -H "Authorization: Bearer $REFRESH" "$NFVO_URL/api/v1/projects"
expect_problem 401 unauthorized
echo "ok - refresh grant; access and refresh tokens are not interchangeable"

# ---- bearer and project-id ----
http_call "$NFVO_URL/api/v1/projects"
expect_problem 401 unauthorized "Bearer"
[ "$(http_header WWW-Authenticate)" = 'Bearer realm="oauth2-server"' ] || fail "no Bearer challenge"
http_call -H "Authorization: Bearer x$NFVO_TOKEN" "$NFVO_URL/api/v1/projects"
expect_problem 401 unauthorized
http_header WWW-Authenticate | grep -q 'error="invalid_token"' || fail "bad token challenge"
http_call -H "Authorization: Bearer $NFVO_TOKEN" "$NFVO_URL/api/v1/projects/"
expect_status 200 "projects with a trailing slash"
[ "$(jq -r '.[] | select(.name == "default") | .id' "$HTTP_BODY")" = "$NFVO_PROJECT" ] ||
    fail "projects/ differs: $(cat "$HTTP_BODY")"
napi GET "/api/v1/projects/$NFVO_PROJECT"
expect_status 200 "one project"
jq -e --arg id "$NFVO_PROJECT" '.id == $id and .name == "default" and has("description")' "$HTTP_BODY" >/dev/null ||
    fail "project: $(cat "$HTTP_BODY")"
echo "ok - bearer required (401 with a Bearer challenge), projects list with a trailing slash, one project"

# ---- kill -9: the key and the projects are in the database ----
service_kill "$NFVO_PID"
nfvod_start NFVO_PASSWORD_ITERATIONS=1000
napi GET /api/v1/projects
expect_status 200 "the token after a kill -9"
[ "$(jq -r '.[] | select(.name == "default") | .id' "$HTTP_BODY")" = "$NFVO_PROJECT" ] &&
    [ "$(jq length "$HTTP_BODY")" = 1 ] || fail "projects after a restart: $(cat "$HTTP_BODY")"
token -u "$NFVO_CLIENT" --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$REFRESH"
expect_status 200 "the refresh token after a kill -9"
echo "ok - tokens, refresh tokens and the default project survive a kill -9"
