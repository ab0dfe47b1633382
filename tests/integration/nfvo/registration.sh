#!/usr/bin/env bash
# pop-nfvo's manager registration (reference §1.2) with real components over a real broker:
# - at start it makes the registration user with NFVO 6's rights and declares its queue;
# - the real pop-vim-driver registers with it and serves; its broker user has exactly NFVO 6's
#   permissions for a plugin;
# - a Java plugin's single-quoted body is read leniently; a VNFM's endpoint (also as a JSON
#   string) decides its permissions; a re-registration gets the same credentials, also after
#   a kill -9 of the NFVO (they are in its database);
# - bad registrations are refused naming the problem, changing nothing; a deregistration needs
#   the right password and deletes the broker user; the driver's SIGTERM deregisters it.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/vimd.sh"

rmq_start
NFVO_PORT=$(free_port)
nfvo_start() {
    service_start pop-nfvo "$POPD_WORK/nfvo.log" "healthz=http://127.0.0.1:$NFVO_PORT" \
        env NFVO_BROKER_PORT="$RMQ_PORT" NFVO_BROKER_USER="$RMQ_ADMIN_USER" \
        NFVO_BROKER_PASSWORD="$RMQ_ADMIN_PASS" NFVO_BROKER_API="$RMQ_MGMT_URL" \
        NFVO_REGISTRATION_PASSWORD="$VIMD_REG_PASS" NFVO_DB="$POPD_WORK/nfvo.db" \
        NFVO_HTTP_PORT="$NFVO_PORT" NFVO_ADMIN_PASSWORD="admin-$$" "$NFVO_BIN"
    NFVO_PID=$SERVICE_PID
}
nfvo_start
[ "$(stat -c %a "$POPD_WORK/nfvo.db")" = 600 ] || fail "the database is readable by others"
perm() { rmq_api GET "/api/permissions/%2F/$(jq -rn --arg v "$1" '$v|@uri')"; }
perm openbaton-manager-user | jq -e '.configure == "^amq\\.gen.*|amq\\.default$" and
    .write == "^amq\\.gen.*|amq\\.default$|nfvo.manager.handling|openbaton-exchange" and
    .read == .write' >/dev/null || fail "registration user: $(perm openbaton-manager-user)"

# ---- the real driver registers and serves ----
vimd_start
perm "$VIMD_PLUGIN" | jq -e --arg t "$VIMD_PLUGIN" '
    .configure == "^amq\\.gen.*|amq\\.default$|(\($t))|(nfvo.\($t).actions)" and
    .write == "^amq\\.gen.*|amq\\.default$|(\($t))|(vnfm.nfvo.actions)|(vnfm.nfvo.actions.reply)|(nfvo.\($t).actions)|(openbaton-exchange)" and
    .read == "^amq\\.gen.*|amq\\.default$|(nfvo.\($t).actions)|(\($t))|(openbaton-exchange)"' \
    >/dev/null || fail "plugin permissions: $(perm "$VIMD_PLUGIN")"
out="$(env STANDIN_BROKER_PORT="$RMQ_PORT" STANDIN_ADMIN_USER="$RMQ_ADMIN_USER" \
    STANDIN_ADMIN_PASS="$RMQ_ADMIN_PASS" "$NFVO_STANDIN" call "$VIMD_PLUGIN" getType '[{"name":"p","type":"pop","authUrl":"http://127.0.0.1:1"}]')" || true
[ "$out" = '{"answer":"pop"}' ] || fail "the driver registered with pop-nfvo does not serve: $out"

# ---- foreign registrations through the broker ----
rmq_api PUT /api/queues/%2F/it.replies '{"durable":false,"auto_delete":false}' >/dev/null
# register BODY: publishes BODY to nfvo.manager.handling with reply_to it.replies; prints the
# reply's payload, or "none" after 3 s.
register() {
    [ "$(rmq_publish nfvo.manager.handling "$1" '{"reply_to":"it.replies","correlation_id":"r"}')" = true ] ||
        fail "nfvo.manager.handling did not take the message"
    local got
    for _ in $(seq 30); do
        got="$(rmq_get it.replies 1)"
        [ "$(jq length <<<"$got")" = 1 ] && { jq -r '.[0].payload' <<<"$got"; return 0; }
        sleep 0.1
    done
    echo none
}
# refused BODY TEXT: publishes BODY like register; passes once pop-nfvo logs its refusal naming
# TEXT and no reply has come 0.3 s later (no fixed 3 s wait for an answer that must not come).
refused() {
    local before got
    before="$(grep -c "message refused" "$POPD_WORK/nfvo.log" || true)"
    [ "$(rmq_publish nfvo.manager.handling "$1" '{"reply_to":"it.replies","correlation_id":"r"}')" = true ] ||
        fail "nfvo.manager.handling did not take the message"
    for _ in $(seq 50); do
        [ "$(grep -c "message refused" "$POPD_WORK/nfvo.log" || true)" -gt "$before" ] && break
        sleep 0.1
    done
    grep "message refused" "$POPD_WORK/nfvo.log" | tail -n +"$((before + 1))" | grep -qF "$2" ||
        fail "$1 was not refused naming '$2': $(grep "message refused" "$POPD_WORK/nfvo.log" | tail -n 2)"
    sleep 0.3
    got="$(rmq_get it.replies 1)"
    [ "$(jq length <<<"$got")" = 0 ] || fail "$1 was answered: $got"
}
java="$(register "{'type':'vim-drivers.java.x','action':'register'}")"
jq -e '.rabbitUsername == "vim-drivers.java.x" and (.rabbitPassword | test("^[A-Za-z0-9]{16}$")) and
       .hbVersion == 0 and (.id | length == 36)' <<<"$java" >/dev/null || fail "Java plugin registration: $java"
java_pass="$(jq -r .rabbitPassword <<<"$java")"
again="$(register '{"type":"vim-drivers.java.x","action":"register"}')"
[ "$(jq -r .rabbitPassword <<<"$again")" = "$java_pass" ] || fail "re-registration got new credentials"

ep='{"type":"pop","endpoint":"pop-ep","endpointType":"RABBIT","description":"it","enabled":true,"active":true}'
vnfm="$(register "$(jq -cn --arg ep "$ep" '{type: "pop", action: "register", vnfmManagerEndpoint: $ep}')")"
[ "$(jq -r .rabbitUsername <<<"$vnfm")" = pop ] || fail "VNFM registration: $vnfm"
perm pop | jq -e '.configure == "^amq\\.gen.*|amq\\.default$|(pop-ep)|(nfvo.pop-ep.actions)"' >/dev/null ||
    fail "VNFM permissions follow its endpoint: $(perm pop)"

# Refused, naming the problem; nothing made.
refused '{"type":"not-a-plugin","action":"register"}' "type: 'not-a-plugin' is neither a plugin id"
refused "{'type':'vim-drivers.x.(y)','action':'register'}" "'vim-drivers.x.(y)' holds a character that is not allowed"
refused '{"type":"vim-drivers.x.y","action":"explode"}' "action: 'explode' is none of register"
rmq_api GET /api/users/not-a-plugin >/dev/null 2>&1 && fail "a broker user was made for a refused registration"

# ---- kill -9: the credentials survive ----
service_kill "$NFVO_PID"
nfvo_start
again="$(register "{'type':'vim-drivers.java.x','action':'register'}")"
[ "$(jq -r .rabbitPassword <<<"$again")" = "$java_pass" ] || fail "credentials lost with a kill -9"

# ---- deregistration ----
refused '{"username":"vim-drivers.java.x","password":"wrong","action":"deregister"}' \
    "no manager with that name and password"
rmq_api GET /api/users/vim-drivers.java.x >/dev/null || fail "a wrong password deregistered"
# A deregistration has no reply: wait for its effect, the broker user gone.
[ "$(rmq_publish nfvo.manager.handling "$(jq -cn --arg p "$java_pass" \
    '{username: "vim-drivers.java.x", password: $p, action: "UNREGISTER"}')" '{}')" = true ] ||
    fail "nfvo.manager.handling did not take the deregistration"
for _ in $(seq 30); do rmq_api GET /api/users/vim-drivers.java.x >/dev/null 2>&1 || break; sleep 0.1; done
if rmq_api GET /api/users/vim-drivers.java.x >/dev/null 2>&1; then fail "deregistered user still on the broker"; fi
vimd_stop
for _ in $(seq 30); do rmq_api GET "/api/users/$VIMD_PLUGIN" >/dev/null 2>&1 || break; sleep 0.1; done
if rmq_api GET "/api/users/$VIMD_PLUGIN" >/dev/null 2>&1; then fail "the driver's SIGTERM did not deregister it"; fi
curl -fs "http://127.0.0.1:$NFVO_PORT/healthz" | jq -e '.status == "ok" and .managers == 1' >/dev/null ||
    fail "healthz: $(curl -s "http://127.0.0.1:$NFVO_PORT/healthz")"
echo "nfvo registration: ok"
