#!/bin/sh
# Writes the broker's configuration from RABBITMQ_ADMIN_USER / RABBITMQ_ADMIN_PASSWORD (no
# default: a missing one stops here) and runs rabbitmq-server in the foreground as node
# rabbit@localhost, AMQP on 5672 and the management API on 15672, data in /var/lib/rabbitmq.
set -eu
: "${RABBITMQ_ADMIN_USER:?RABBITMQ_ADMIN_USER is required}"
: "${RABBITMQ_ADMIN_PASSWORD:?RABBITMQ_ADMIN_PASSWORD is required}"
dir=/var/lib/rabbitmq
mkdir -p "$dir/mnesia" "$dir/log" "$dir/etc"
umask 077
cat >"$dir/etc/rabbitmq.conf" <<CONF
listeners.tcp.default = 5672
management.tcp.port = 15672
default_user = $RABBITMQ_ADMIN_USER
default_pass = $RABBITMQ_ADMIN_PASSWORD
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
loopback_users = none
log.console = true
log.console.level = warning
log.file = false
CONF
echo "[rabbitmq_management]." >"$dir/etc/enabled_plugins"
[ -f "$dir/.erlang.cookie" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/.erlang.cookie"
chmod 400 "$dir/.erlang.cookie"
export RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_CONFIG_FILE="$dir/etc/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/etc/enabled_plugins" RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
    RABBITMQ_CONF_ENV_FILE="$dir/etc/rabbitmq-env.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/etc/advanced.config"
: >"$dir/etc/rabbitmq-env.conf"
echo "[]." >"$dir/etc/advanced.config"
exec rabbitmq-server
