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
  LIFTLINE_APT_UPDATED=1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null \
    || die "apt-get install rabbitmq-server failed"
}

rabbitmq_start() {
  log "starting RabbitMQ on 127.0.0.1:$AMQP_PORT"
  as_root rabbitmq-server -detached >/dev/null 2>&1 || true  # "already running" also lands here; the poll decides
  # A node that runs with its rabbit app stopped (a test run killed between stop_app and start_app) opens no port
  # until the app is started again.
  if ! port_open "$AMQP_PORT" && as_root rabbitmqctl -q ping >/dev/null 2>&1; then
    log "the RabbitMQ node runs with its app stopped: starting the app"
    as_root rabbitmqctl -q start_app >/dev/null 2>&1 || true
  fi
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

# topology_definitions [SHARDS [VHOST]]: rabbitmq/definitions.json, with SHARDS (LIFTLINE_SHARDS; default 1) ride
# queues when more than one and every entry in VHOST (default /), as `liftline-ops topology definitions` derives
# them (the queues and keys the producer and workers use); one shard in / is the file itself.
topology_definitions() {
  local shards=${1:-${LIFTLINE_SHARDS:-1}} vhost=${2:-/}
  if [ "$shards" -le 1 ] && [ "$vhost" = / ]; then
    cat "$LIFTLINE_ROOT/rabbitmq/definitions.json"
    return
  fi
  liftline_ops topology definitions --shards="$shards" --vhost="$vhost" \
    --definitions-file="$LIFTLINE_ROOT/rabbitmq/definitions.json"
}

# Loads the topology (sharded when LIFTLINE_SHARDS > 1) and its policy (delivery limit, dead-lettering, max length).
rabbitmq_load_definitions() {
  topology_definitions | import_definitions || die "could not load rabbitmq/definitions.json"
}

# The applications' broker users (rabbitmq/users.json: least privilege, no password in the repository), loaded by
# the installation's `liftline-ops users load` through the management API: each password is made once and kept in
# $LIFTLINE_SECRETS (mode 700) as <user>.password, beside a ready <user>.amqp-uri that the apps read through
# LIFTLINE_AMQP_URI_FILE: no secret on any command line. The broker hashes the passwords itself.
APP_USERS="liftline-producer liftline-consumer liftline-ops"

# app_secret USER: the password kept for USER, made on first use (the MongoDB users of the compose files).
app_secret() {
  local file="$LIFTLINE_SECRETS/$1.password"
  if [ ! -s "$file" ]; then
    (umask 077 && mkdir -p "$LIFTLINE_SECRETS" && head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_' > "$file")
  fi
  cat "$file"
}

# ensure_broker_users: the applications' users in the local broker (after ensure_broker; builds the tool if missing).
ensure_broker_users() {
  { [ -z "${LIFTLINE_AMQP_URI:-}" ] && rabbitmq_installed; } || return 0
  liftline_ops users load --secrets-dir="$LIFTLINE_SECRETS" \
    --users-file="$LIFTLINE_ROOT/rabbitmq/users.json" --management-uri="http://guest:guest@127.0.0.1:$MANAGEMENT_PORT" \
    --amqp-uri="amqp://127.0.0.1:$AMQP_PORT/%2F" >/dev/null || die "could not load the users of rabbitmq/users.json"
  log "broker users: $APP_USERS (least privilege; their credentials are in $LIFTLINE_SECRETS)"
}

# docker_secrets: the files rabbitmq/docker-compose.yml mounts as secrets, in rabbitmq/docker/secrets (git-ignored,
# mode 700): the broker's users with hashed passwords, each application's AMQP URI, and a console administrator.
docker_secrets() {
  local dir="$LIFTLINE_ROOT/rabbitmq/docker/secrets" doc user password
  (umask 077 && mkdir -p "$dir")
  # The users with salted hashes of their passwords (made in $dir on first use), and the console's administrator,
  # for people only: no application runs as it.
  doc=$(liftline_ops users definitions --secrets-dir="$dir" \
    --users-file="$LIFTLINE_ROOT/rabbitmq/users.json" --admin=liftline-admin) \
    || die "could not make the broker users' definitions"
  for user in $APP_USERS; do
    password=$(LIFTLINE_SECRETS="$dir" app_secret "$user")
    (umask 077 && printf 'amqp://%s:%s@rabbitmq:5672/%%2F\n' "$user" "$password" > "$dir/$user.amqp-uri")
    # docker-compose.cluster.yml: the same user, naming all three nodes
    (umask 077 && printf 'amqp://%s:%s@rabbitmq-1:5672,rabbitmq-2:5672,rabbitmq-3:5672/%%2F\n' "$user" "$password" \
      > "$dir/$user.cluster-amqp-uri")
  done
  # The cluster's Erlang cookie (the image takes it from its environment), and its topology: 3 ride shards.
  if [ ! -s "$dir/erlang-cookie.env" ]; then
    (umask 077 && printf 'RABBITMQ_ERLANG_COOKIE=%s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9')" \
      > "$dir/erlang-cookie.env")
  fi
  topology_definitions 3 > "$dir/20-topology-cluster.json"
  chmod 644 "$dir/20-topology-cluster.json"
  # MongoDB (docker-compose.yml): a root user for people, the workers' read-write user, the query API's read-only one.
  local consumer_pw query_pw
  LIFTLINE_SECRETS="$dir" app_secret mongodb-root >/dev/null
  consumer_pw=$(LIFTLINE_SECRETS="$dir" app_secret liftline-consumer.mongodb)
  query_pw=$(LIFTLINE_SECRETS="$dir" app_secret liftline-query.mongodb)
  (umask 077
   printf 'mongodb://liftline-consumer:%s@mongodb:27017/?authSource=liftline\n' "$consumer_pw" > "$dir/liftline-consumer.mongodb-uri"
   printf 'mongodb://liftline-query:%s@mongodb:27017/?authSource=liftline\n' "$query_pw" > "$dir/liftline-query.mongodb-uri"
   # the same read-only user from this machine (the published port), e.g. for the simulator's --verify
   printf 'mongodb://liftline-query:%s@127.0.0.1:27017/?authSource=liftline\n' "$query_pw" > "$dir/liftline-query.mongodb-uri-local"
   # docker-compose.cluster.yml: the same users on the replica set, whose members share a key file
   members=mongodb-1:27017,mongodb-2:27017,mongodb-3:27017
   printf 'mongodb://liftline-consumer:%s@%s/?replicaSet=rs0&authSource=liftline\n' "$consumer_pw" "$members" \
     > "$dir/liftline-consumer.cluster-mongodb-uri"
   printf 'mongodb://liftline-query:%s@%s/?replicaSet=rs0&authSource=liftline\n' "$query_pw" "$members" \
     > "$dir/liftline-query.cluster-mongodb-uri"
   printf 'mongodb://liftline-query:%s@127.0.0.1:27017/?directConnection=true&authSource=liftline\n' "$query_pw" \
     > "$dir/liftline-query.cluster-mongodb-uri-local"
   [ -s "$dir/mongodb.keyfile" ] || head -c 756 /dev/urandom | base64 -w0 > "$dir/mongodb.keyfile")
  (umask 077 && printf '%s\n' "$doc" > "$dir/10-users.json")
  chmod 644 "$dir/10-users.json" # read by the broker's own user in its container; it holds only salted hashes
  log "wrote $dir: 10-users.json (hashes), the apps' AMQP and MongoDB URIs; console user liftline-admin," \
    "password in $dir/liftline-admin.password; MongoDB root liftline-root, password in $dir/mongodb-root.password"
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
  topology_definitions 1 "$vhost" | import_definitions
}
