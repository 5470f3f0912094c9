# Brings up the local RabbitMQ broker that tests and the demo use. Source it after common.sh.
# Every step is idempotent: a broker that is already installed, configured and running is left as it is.

AMQP_PORT=5672
MANAGEMENT_PORT=15672

rabbitmq_installed() { command -v rabbitmq-server >/dev/null 2>&1 && command -v rabbitmqctl >/dev/null 2>&1; }

# Puts Liftline's loopback-only config in /etc/rabbitmq, unless an operator's own config is already there.
rabbitmq_configure() {
  local etc=/etc/rabbitmq
  as_root mkdir -p "$etc"
  if [ ! -f "$etc/rabbitmq.conf" ] || grep -q "Liftline's local broker" "$etc/rabbitmq.conf"; then
    as_root cp "$LIFTLINE_ROOT/rabbitmq/rabbitmq.conf" "$etc/rabbitmq.conf"
  else
    log "keeping the existing $etc/rabbitmq.conf (not Liftline's)"
  fi
  if ! grep -qs '^ERL_EPMD_ADDRESS=' "$etc/rabbitmq-env.conf"; then
    as_root sh -c "cat '$LIFTLINE_ROOT/rabbitmq/rabbitmq-env.conf' >> '$etc/rabbitmq-env.conf'"
  fi
  if [ ! -f "$etc/enabled_plugins" ]; then
    as_root cp "$LIFTLINE_ROOT/rabbitmq/enabled_plugins" "$etc/enabled_plugins"
  fi
}

rabbitmq_install() {
  log "installing rabbitmq-server with apt"
  rabbitmq_configure  # before the package's own start-up, so it never listens beyond loopback
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null \
    || die "apt-get install rabbitmq-server failed"
}

rabbitmq_start() {
  log "starting RabbitMQ on 127.0.0.1:$AMQP_PORT"
  as_root rabbitmq-server -detached >/dev/null 2>&1 || true  # "already running" also lands here; the poll decides
  wait_for_port "$AMQP_PORT" 90 "RabbitMQ"
  # await_startup right after -detached fails while the node is still booting, hence the port poll first.
  as_root rabbitmqctl -q await_startup --timeout 60 >/dev/null || die "RabbitMQ did not finish starting"
}

# Management (console + HTTP API, which the tests use for vhosts) and Prometheus metrics.
rabbitmq_enable_plugins() {
  if ! port_open "$MANAGEMENT_PORT"; then
    log "enabling the management and prometheus plugins"
    as_root rabbitmq-plugins -q enable rabbitmq_management rabbitmq_prometheus >/dev/null \
      || die "could not enable the RabbitMQ plugins"
    wait_for_port "$MANAGEMENT_PORT" 60 "the RabbitMQ management plugin"
  fi
}

# import_definitions < FILE: loads a definitions document from standard input. Never by path: Debian's
# rabbitmqctl runs as the rabbitmq user, which cannot read a checkout under /root or any mode-700 directory.
import_definitions() {
  as_root rabbitmqctl -q import_definitions >/dev/null
}

# Loads rabbitmq/definitions.json: the topology and its policy (delivery limit, dead-lettering, max length).
rabbitmq_load_definitions() {
  import_definitions < "$LIFTLINE_ROOT/rabbitmq/definitions.json" || die "could not load rabbitmq/definitions.json"
}

# ensure_broker: a running, configured local broker, or LIFTLINE_AMQP_URI when the user named one.
# Sets LIFTLINE_STARTED_BROKER=1 when it started the broker (so the demo can stop it again).
ensure_broker() {
  LIFTLINE_STARTED_BROKER=0
  if [ -n "${LIFTLINE_AMQP_URI:-}" ]; then
    log "broker: using LIFTLINE_AMQP_URI=$(mask_uri "$LIFTLINE_AMQP_URI")"
    return 0
  fi
  if port_open "$AMQP_PORT"; then
    log "broker: RabbitMQ is already running on 127.0.0.1:$AMQP_PORT"
  else
    rabbitmq_installed || rabbitmq_install
    rabbitmq_configure
    rabbitmq_start
    LIFTLINE_STARTED_BROKER=1
  fi
  if rabbitmq_installed; then
    rabbitmq_enable_plugins
    rabbitmq_load_definitions
  fi
  log "broker: ready (AMQP 127.0.0.1:$AMQP_PORT, console http://127.0.0.1:$MANAGEMENT_PORT guest/guest)"
}

stop_broker() {
  log "stopping RabbitMQ"
  as_root rabbitmqctl -q stop >/dev/null 2>&1 || true
}

# fresh_vhost VHOST: (re)creates a vhost with guest's permissions and the topology and policy of
# rabbitmq/definitions.json, for the benchmarks, which must not touch the default vhost's data.
fresh_vhost() {
  local vhost=$1
  as_root rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true
  as_root rabbitmqctl -q add_vhost "$vhost" >/dev/null
  as_root rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null
  sed "s#\"vhost\": \"/\"#\"vhost\": \"$vhost\"#g" "$LIFTLINE_ROOT/rabbitmq/definitions.json" | import_definitions
}
