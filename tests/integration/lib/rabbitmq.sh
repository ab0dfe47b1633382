#!/usr/bin/env bash
# A private RabbitMQ node for one test run, from Debian's rabbitmq-server: own node name, ports,
# data and log dirs, Erlang cookie and epmd, all on loopback. Source it, then:
#   rmq_start                       starts the node and waits until AMQP and the HTTP API answer
#   rmq_add_user USER PASS [CONF WRITE READ]   creates a user with those permissions on RMQ_VHOST
#   rmq_restart / rmq_stop_node / rmq_start_node   restart on the same data (broker-restart tests)
#   rmq_api METHOD PATH [JSON]      calls the management HTTP API as the admin user
#   rmq_close_connections [USER]    closes client connections (all, or USER's) from the broker
#   rmq_ctl ARGS...                 rabbitmqctl against this node
#   rmq_publish / rmq_get / rmq_queue   a foreign peer: publish and fetch through the HTTP API
#   rmq_track_pid PID               a process of the test, killed at exit before the node stops
# Sets RMQ_HOST, RMQ_PORT, RMQ_MGMT_PORT, RMQ_MGMT_URL, RMQ_NODENAME, RMQ_VHOST, RMQ_ADMIN_USER,
# RMQ_ADMIN_PASS, RMQ_DIR, RMQ_PID. The node and its epmd are killed and RMQ_DIR removed on EXIT,
# also on failure; only those processes are ever killed, by the pids recorded at start.
#
# Source this file after any other helper that sets an EXIT trap (lib/popd.sh): its cleanup
# runs first, then the trap that was there before.

set -euo pipefail

RMQ_SBIN="${RMQ_SBIN:-/usr/lib/rabbitmq/bin}"
RMQ_HOST=127.0.0.1
RMQ_VHOST=/
RMQ_DIR="$(mktemp -d /tmp/pop-rmq.XXXXXX)"
RMQ_NODENAME="pop-it-$$-$(basename "$RMQ_DIR" | cut -d. -f2)@localhost"
RMQ_ADMIN_USER=pop-admin
RMQ_ADMIN_PASS="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
RMQ_PID=""
RMQ_EPMD_PID=""
RMQ_START_MS="" # how long the last rmq_start_node took, in ms (printed, for the record)

if ! declare -F free_port >/dev/null; then
    free_port() {
        /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    }
fi

RMQ_PORT="$(free_port)"
RMQ_MGMT_PORT="$(free_port)"
RMQ_DIST_PORT="$(free_port)"
RMQ_EPMD_PORT="$(free_port)"
RMQ_CTL_PORT="$(free_port)"
RMQ_MGMT_URL="http://$RMQ_HOST:$RMQ_MGMT_PORT"

# The environment of every rabbitmq/erlang process this file starts: nothing read from /etc or
# /var/lib/rabbitmq, nothing bound beyond loopback, no shared epmd, a private cookie ($HOME).
RMQ_ENV=(
    HOME="$RMQ_DIR"
    RABBITMQ_NODENAME="$RMQ_NODENAME"
    RABBITMQ_NODE_IP_ADDRESS="$RMQ_HOST"
    RABBITMQ_NODE_PORT="$RMQ_PORT"
    RABBITMQ_DIST_PORT="$RMQ_DIST_PORT"
    RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
    RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
    RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
    RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
    RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
    RABBITMQ_LOG_BASE="$RMQ_DIR/log"
    RABBITMQ_PID_FILE="$RMQ_DIR/rabbitmq.pid"
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    RABBITMQ_CTL_DIST_PORT_MIN="$RMQ_CTL_PORT"
    RABBITMQ_CTL_DIST_PORT_MAX="$RMQ_CTL_PORT"
    ERL_EPMD_PORT="$RMQ_EPMD_PORT"
    ERL_EPMD_ADDRESS="$RMQ_HOST"
)

rmq_ctl() {
    env "${RMQ_ENV[@]}" "$RMQ_SBIN/rabbitmqctl" -n "$RMQ_NODENAME" "$@"
}

rmq_prepare() {
    mkdir -p "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
    : >"$RMQ_DIR/rabbitmq-env.conf"
    echo "[rabbitmq_management]." >"$RMQ_DIR/enabled_plugins"
    echo "[]." >"$RMQ_DIR/advanced.config"
    head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$RMQ_DIR/.erlang.cookie"
    chmod 400 "$RMQ_DIR/.erlang.cookie"
    cat >"$RMQ_DIR/rabbitmq.conf" <<EOF
listeners.tcp.1 = $RMQ_HOST:$RMQ_PORT
management.tcp.ip = $RMQ_HOST
management.tcp.port = $RMQ_MGMT_PORT
default_user = $RMQ_ADMIN_USER
default_pass = $RMQ_ADMIN_PASS
default_user_tags.administrator = true
default_vhost = /
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
loopback_users = none
collect_statistics_interval = 500
log.file.level = info
log.console = false
EOF
}

rmq_dump_logs() {
    echo "---- last lines of the RabbitMQ node's log ($RMQ_NODENAME) ----" >&2
    tail -n 30 "$RMQ_DIR"/log/*.log >&2 2>/dev/null || true
    tail -n 10 "$RMQ_DIR/stdout.log" >&2 2>/dev/null || true
}

# A TCP connect to HOST PORT, without the connection staying open.
rmq_port_open() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

rmq_start_epmd() {
    [ -z "$RMQ_EPMD_PID" ] || return 0
    ERL_EPMD_ADDRESS="$RMQ_HOST" epmd -port "$RMQ_EPMD_PORT" -address "$RMQ_HOST" \
        >>"$RMQ_DIR/epmd.log" 2>&1 &
    RMQ_EPMD_PID=$!
    for _ in $(seq 100); do
        rmq_port_open "$RMQ_HOST" "$RMQ_EPMD_PORT" && return 0
        kill -0 "$RMQ_EPMD_PID" 2>/dev/null || { echo "epmd exited" >&2; cat "$RMQ_DIR/epmd.log" >&2; return 1; }
        sleep 0.05
    done
    echo "epmd did not listen on $RMQ_EPMD_PORT" >&2
    return 1
}

# rmq_start_node [TIMEOUT_S]: starts the node on the existing (or a new) data dir and waits until
# the AMQP port accepts connections and the management API answers as the admin user.
rmq_start_node() {
    local timeout=${1:-60} t0
    [ -z "$RMQ_PID" ] || { echo "rmq_start_node: already running" >&2; return 1; }
    rmq_start_epmd
    t0=$(date +%s%N)
    # Without RABBITMQ_ALLOW_INPUT the script stays as a small sh parent that turns SIGTERM into
    # an orderly stop of the VM; RMQ_PID is that parent, the VM's own pid lands in the pid file.
    rm -f "$RMQ_DIR/rabbitmq.pid"
    (cd "$RMQ_DIR" && exec env "${RMQ_ENV[@]}" RABBITMQ_ALLOW_INPUT= "$RMQ_SBIN/rabbitmq-server") \
        >>"$RMQ_DIR/stdout.log" 2>&1 </dev/null &
    RMQ_PID=$!
    local deadline=$((SECONDS + timeout))
    while [ $SECONDS -lt $deadline ]; do
        if ! kill -0 "$RMQ_PID" 2>/dev/null; then
            wait "$RMQ_PID" 2>/dev/null || true
            RMQ_PID=""
            echo "rabbitmq-server exited during start-up" >&2
            rmq_dump_logs
            return 1
        fi
        if rmq_port_open "$RMQ_HOST" "$RMQ_PORT" &&
            curl -fs -u "$RMQ_ADMIN_USER:$RMQ_ADMIN_PASS" "$RMQ_MGMT_URL/api/overview" >/dev/null 2>&1; then
            RMQ_START_MS=$((($(date +%s%N) - t0) / 1000000))
            return 0
        fi
        sleep 0.1
    done
    echo "rabbitmq node $RMQ_NODENAME not ready within ${timeout}s" >&2
    rmq_dump_logs
    return 1
}

# rmq_stop_node [TIMEOUT_S]: orderly stop (SIGTERM makes RabbitMQ shut down cleanly), then SIGKILL
# if it takes longer than TIMEOUT_S. The data dir is kept, so rmq_start_node brings the same
# users, vhosts and durable queues back.
rmq_stop_node() {
    local timeout=${1:-30} pid=$RMQ_PID
    [ -n "$pid" ] || return 0
    RMQ_PID=""
    # A test may have frozen the VM (SIGSTOP) to play a broker that stopped answering.
    local vm
    vm="$(cat "$RMQ_DIR/rabbitmq.pid" 2>/dev/null || true)"
    [[ "$vm" =~ ^[0-9]+$ ]] && kill -CONT "$vm" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq $((timeout * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "rabbitmq node did not stop within ${timeout}s of SIGTERM; killing it" >&2
        # The VM first (its pid file), then the sh parent, so no VM is left orphaned.
        [[ "$vm" =~ ^[0-9]+$ ]] && kill -KILL "$vm" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    # The listener must be gone before a test measures "the broker is down".
    for _ in $(seq 50); do rmq_port_open "$RMQ_HOST" "$RMQ_PORT" || return 0; sleep 0.1; done
    echo "port $RMQ_PORT still open after the node stopped" >&2
    return 1
}

# rmq_kill_node: SIGKILL of the node's VM (its pid file) and its sh parent, for the cleanup: the
# data dir goes with it, so nothing needs an orderly stop (which takes seconds).
rmq_kill_node() {
    local pid=$RMQ_PID vm
    [ -n "$pid" ] || return 0
    RMQ_PID=""
    vm="$(cat "$RMQ_DIR/rabbitmq.pid" 2>/dev/null || true)"
    [[ "$vm" =~ ^[0-9]+$ ]] && kill -KILL "$vm" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # Dead once a zombie (its parent is gone: init reaps it when it gets to it).
    if [[ "$vm" =~ ^[0-9]+$ ]]; then
        for _ in $(seq 100); do
            [[ "$(cut -d' ' -f3 "/proc/$vm/stat" 2>/dev/null || echo Z)" == [ZX] ]] && break
            sleep 0.02
        done
    fi
}

rmq_restart() {
    rmq_stop_node && rmq_start_node "$@"
}

rmq_start() {
    rmq_prepare
    rmq_start_node "$@"
    echo "rabbitmq: node $RMQ_NODENAME ready on $RMQ_HOST:$RMQ_PORT (management $RMQ_MGMT_PORT) in ${RMQ_START_MS} ms" >&2
}

# rmq_api METHOD PATH [JSON]: prints the body; fails on an HTTP error status.
rmq_api() {
    local method=$1 path=$2 body=${3-}
    local args=(-fsS -X "$method" -u "$RMQ_ADMIN_USER:$RMQ_ADMIN_PASS" "$RMQ_MGMT_URL$path")
    [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    curl "${args[@]}"
}

rmq_vhost_path() {
    local v=${1:-$RMQ_VHOST}
    [ "$v" = / ] && echo %2F || jq -rn --arg v "$v" '$v|@uri'
}

# rmq_add_user USER PASS [CONF WRITE READ]: creates (or resets) USER with regex permissions on
# RMQ_VHOST; without the three patterns the user may do anything there.
rmq_add_user() {
    local user=$1 pass=$2 conf=${3-.*} write=${4-.*} read=${5-.*}
    local vh u
    vh="$(rmq_vhost_path)"
    u="$(jq -rn --arg v "$user" '$v|@uri')"
    rmq_api PUT "/api/users/$u" "$(jq -cn --arg p "$pass" '{password:$p, tags:""}')" >/dev/null
    rmq_api PUT "/api/permissions/$vh/$u" \
        "$(jq -cn --arg c "$conf" --arg w "$write" --arg r "$read" '{configure:$c, write:$w, read:$r}')" >/dev/null
}

rmq_delete_user() {
    rmq_api DELETE "/api/users/$(jq -rn --arg v "$1" '$v|@uri')" >/dev/null
}

# rmq_connections [USER [CLIENT_NAME]]: the open client connections (of USER, and with that
# client-provided connection_name; "" matches any) as "PID<TAB>USER", one a line. Asks the node
# itself (rabbitmqctl): the management API lists a new connection only seconds later.
rmq_connections() {
    local user=${1-} cname=${2-} pid u props
    while IFS=$'\t' read -r pid u props; do
        [ -n "$pid" ] || continue
        [ -z "$user" ] || [ "$u" = "$user" ] || continue
        [ -z "$cname" ] || [[ "$props" == *"{\"connection_name\",\"$cname\"}"* ]] || continue
        printf '%s\t%s\n' "$pid" "$u"
    done < <(rmq_ctl list_connections pid user client_properties -q --no-table-headers)
}

# rmq_close_connections [USER [CLIENT_NAME]]: closes them from the broker side with
# rabbitmqctl close_connection (the client gets connection.close 320 CONNECTION_FORCED);
# prints how many were closed.
rmq_close_connections() {
    local n=0 pid u
    while IFS=$'\t' read -r pid u; do
        rmq_ctl close_connection "$pid" "closed by the test" >/dev/null
        n=$((n + 1))
    done < <(rmq_connections "${1-}" "${2-}")
    echo "$n"
}

# rmq_queue QUEUE: the management API's view of a queue (JSON), on RMQ_VHOST.
rmq_queue() {
    rmq_api GET "/api/queues/$(rmq_vhost_path)/$(jq -rn --arg v "$1" '$v|@uri')"
}

# rmq_publish ROUTING_KEY PAYLOAD [PROPERTIES_JSON [EXCHANGE]]: publishes through the HTTP API
# (a peer that is not lib/mq); prints whether it was routed ("true"/"false").
rmq_publish() {
    local key=$1 payload=$2 props=${3-} exchange=${4:-amq.default}
    [ -n "$props" ] || props='{}'
    rmq_api POST "/api/exchanges/$(rmq_vhost_path)/$exchange/publish" \
        "$(jq -cn --arg k "$key" --arg p "$payload" --argjson pr "$props" \
            '{routing_key:$k, payload:$p, payload_encoding:"string", properties:$pr}')" | jq -r .routed
}

# rmq_get QUEUE [COUNT]: takes up to COUNT messages (acked) through the HTTP API; prints the
# JSON array the API returns (payload, properties, redelivered, ...).
rmq_get() {
    rmq_api POST "/api/queues/$(rmq_vhost_path)/$(jq -rn --arg v "$1" '$v|@uri')/get" \
        "$(jq -cn --argjson n "${2:-1}" '{count:$n, ackmode:"ack_requeue_false", encoding:"auto"}')"
}

# rmq_wait_connections N [USER [CLIENT_NAME [TIMEOUT_S]]]: waits until at least N such
# connections are open, as the management API sees them.
rmq_wait_connections() {
    local want=$1 user=${2-} cname=${3-} timeout=${4:-20} n=0
    local deadline=$((SECONDS + timeout))
    while [ $SECONDS -lt $deadline ]; do
        n="$(rmq_connections "$user" "$cname" | grep -c . || true)"
        [ "$n" -ge "$want" ] && return 0
        sleep 0.2
    done
    echo "expected $want connection(s) of '${user:-anyone}' '${cname}' within ${timeout}s, have $n" >&2
    return 1
}

# rmq_track_pid PID...: processes the test started against this node (clients, servers), killed
# at exit before the node stops.
RMQ_TRACKED=()
rmq_track_pid() {
    RMQ_TRACKED+=("$@")
}

rmq_cleanup() {
    local rc=$1 p
    for p in "${RMQ_TRACKED[@]}"; do
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    if [ -n "$RMQ_PID" ]; then
        [ "$rc" -eq 0 ] || rmq_dump_logs
        rmq_kill_node
    fi
    if [ -n "$RMQ_EPMD_PID" ]; then
        kill -TERM "$RMQ_EPMD_PID" 2>/dev/null || true
        wait "$RMQ_EPMD_PID" 2>/dev/null || true
        RMQ_EPMD_PID=""
    fi
    rm -rf "$RMQ_DIR"
}

# Chain onto whatever EXIT trap was set before this file was sourced.
RMQ_PREV_TRAP="$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")"
rmq_on_exit() {
    local rc=$?
    rmq_cleanup "$rc"
    if [ -n "$RMQ_PREV_TRAP" ]; then
        # Without set +e, `(exit rc)` of a failed test ends the shell here under set -e, and
        # the previous trap (service.sh's: stop the services, remove the Docker objects)
        # never runs.
        set +e
        (exit "$rc")
        eval "$RMQ_PREV_TRAP"
    fi
    exit "$rc"
}
trap rmq_on_exit EXIT
