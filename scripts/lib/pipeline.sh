# Starts the pipeline's processes on this machine, for scripts/demo and scripts/soak. Source it after common.sh
# and broker.sh, set LOGS (a directory for the logs), and call stop_pipeline from an EXIT trap.

PIDS=()

# start_store FILE: LIFTLINE_MONGODB_URI when set; else MongoDB 7 in Docker where Docker runs; else the
# mongo-java-server stand-in, persisted in FILE (or kept in memory when FILE is "memory"). Exports the URI.
start_store() {
  local file=$1 port
  export LIFTLINE_MONGODB_DATABASE="${LIFTLINE_MONGODB_DATABASE:-liftline}"
  STORE_PID=""
  if [ -n "${LIFTLINE_MONGODB_URI:-}" ]; then
    log "store: using LIFTLINE_MONGODB_URI=$(mask_uri "$LIFTLINE_MONGODB_URI")"
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    port=$(free_port 27017)
    log "store: MongoDB 7 in Docker on 127.0.0.1:$port"
    MONGO_CONTAINER=$(docker run -d --rm -p "127.0.0.1:$port:27017" mongo:7.0)
    export LIFTLINE_MONGODB_URI="mongodb://127.0.0.1:$port"
    wait_for_port "$port" 60 "MongoDB"
  else
    port=$(free_port 27017)
    log "store: no Docker and no LIFTLINE_MONGODB_URI: the mongo-java-server stand-in ($file) on 127.0.0.1:$port"
    java -cp "$LIFTLINE_ROOT/test-support/target/classes:$(cat "$LIFTLINE_ROOT/test-support/target/classpath.txt")" \
      io.liftline.testing.StandInMongo "$port" "$file" >"$LOGS/store.log" 2>&1 &
    STORE_PID=$!
    PIDS+=("$STORE_PID")
    export LIFTLINE_MONGODB_URI="mongodb://127.0.0.1:$port"
    wait_for_port "$port" 30 "the stand-in store"
  fi
}

# start_producer: the producer on a free port from LIFTLINE_HTTP_PORT (8080) up, its health and metrics on one
# from LIFTLINE_ADMIN_PORT (9090) up; sets HTTP_PORT, ADMIN_PORT and PRODUCER_PID.
start_producer() {
  HTTP_PORT=$(free_port "${LIFTLINE_HTTP_PORT:-8080}")
  ADMIN_PORT=$(free_port "${LIFTLINE_ADMIN_PORT:-9090}")
  log "producer: http://127.0.0.1:$HTTP_PORT, health and metrics on http://127.0.0.1:$ADMIN_PORT (log: $LOGS/producer.log)"
  (as_broker_user liftline-producer && LIFTLINE_HTTP_PORT=$HTTP_PORT LIFTLINE_ADMIN_PORT=$ADMIN_PORT \
    exec "$LIFTLINE_BIN/liftline-producer") >"$LOGS/producer.log" 2>&1 &
  PRODUCER_PID=$!
  PIDS+=("$PRODUCER_PID")
  wait_for_http "http://127.0.0.1:$ADMIN_PORT/health/ready" 60 "the producer"
}

# start_producers N: one producer as start_producer does, or N behind HAProxy (balancer/haproxy.cfg): producer i on a
# free port from 8180 (admin from 9190), with LIFTLINE_DRAIN_DELAY=2s as that file asks, and the balancer on a free
# port from LIFTLINE_HTTP_PORT (8080). Sets HTTP_PORT (where scanners post: the balancer's), PRODUCER_PIDS and
# PRODUCER_ADMIN_PORTS.
start_producers() {
  local n=$1 i port admin servers="" config
  PRODUCER_PIDS=()
  PRODUCER_ADMIN_PORTS=()
  if [ "$n" -le 1 ]; then
    start_producer
    PRODUCER_PIDS=("$PRODUCER_PID")
    PRODUCER_ADMIN_PORTS=("$ADMIN_PORT")
    return
  fi
  ensure_command haproxy "the load balancer in front of the producers"
  for ((i = 1; i <= n; i++)); do
    port=$(free_port $((8180 + i - 1)))
    admin=$(free_port $((9190 + i - 1)))
    log "producer $i: http://127.0.0.1:$port behind the balancer, health and metrics on http://127.0.0.1:$admin (log: $LOGS/producer-$i.log)"
    (as_broker_user liftline-producer && LIFTLINE_HTTP_PORT=$port LIFTLINE_ADMIN_PORT=$admin LIFTLINE_DRAIN_DELAY=2s \
      exec "$LIFTLINE_BIN/liftline-producer") >"$LOGS/producer-$i.log" 2>&1 &
    PRODUCER_PIDS+=($!)
    PIDS+=($!)
    PRODUCER_ADMIN_PORTS+=("$admin")
    servers+="    server producer-$i 127.0.0.1:$port check port $admin"$'\n'
    wait_for_http "http://127.0.0.1:$admin/health/ready" 60 "producer $i"
  done
  HTTP_PORT=$(free_port "${LIFTLINE_HTTP_PORT:-8080}")
  config="$LOGS/haproxy.cfg"
  # The shipped file with this run's ports: its bind line and its server lines replaced, as the fault suite does.
  SERVERS=$servers awk -v bind="    bind 127.0.0.1:$HTTP_PORT" '
    /^[[:space:]]*bind / { print bind; next }
    /^[[:space:]]*server producer-/ { if (!done) printf "%s", ENVIRON["SERVERS"]; done = 1; next }
    { print }' "$LIFTLINE_ROOT/balancer/haproxy.cfg" > "$config"
  haproxy -c -q -f "$config" || die "the generated $config is not valid"
  log "balancer: HAProxy on http://127.0.0.1:$HTTP_PORT in front of $n producers ($config; log: $LOGS/haproxy.log)"
  haproxy -db -f "$config" >"$LOGS/haproxy.log" 2>&1 &
  PIDS+=($!)
  wait_for_port "$HTTP_PORT" 30 "HAProxy"
}

# start_query_api: the read API on a free port from 8081, its health and metrics on one from 9092; sets QUERY_PORT
# and QUERY_ADMIN_PORT.
# Locally it reads as whoever LIFTLINE_MONGODB_URI names (the stand-in has no users); the compose files give it a
# user with only the read role.
start_query_api() {
  QUERY_PORT=$(free_port 8081)
  local admin
  admin=$(free_port 9092)
  QUERY_ADMIN_PORT=$admin
  log "query API: http://127.0.0.1:$QUERY_PORT, health and metrics on http://127.0.0.1:$admin (log: $LOGS/query-api.log)"
  (LIFTLINE_HTTP_PORT=$QUERY_PORT LIFTLINE_ADMIN_PORT=$admin exec "$LIFTLINE_BIN/liftline-query-api") >"$LOGS/query-api.log" 2>&1 &
  PIDS+=($!)
  wait_for_http "http://127.0.0.1:$admin/health/ready" 60 "the query API"
}

# start_consumers N: N worker processes, each with metrics and health on a free port; sets CONSUMER_PIDS and
# CONSUMER_ADMIN_URLS (comma-separated, for the simulator's --workers and scripts/status's).
start_consumers() {
  local n metrics_port
  CONSUMER_PIDS=()
  CONSUMER_ADMIN_URLS=
  for ((n = 1; n <= $1; n++)); do
    metrics_port=$(free_port $((${ADMIN_PORT:-9090} + n)))
    log "consumer $n: metrics and health on http://127.0.0.1:$metrics_port (log: $LOGS/consumer-$n.log)"
    # shellcheck disable=SC2086
    (as_broker_user liftline-consumer && LIFTLINE_ADMIN_PORT=$metrics_port \
      exec "$LIFTLINE_BIN/liftline-consumer") >"$LOGS/consumer-$n.log" 2>&1 &
    CONSUMER_PIDS+=($!)
    PIDS+=($!)
    CONSUMER_ADMIN_URLS+="${CONSUMER_ADMIN_URLS:+,}http://127.0.0.1:$metrics_port"
    wait_for_http "http://127.0.0.1:$metrics_port/health/ready" 60 "consumer $n"
  done
}

# stop_pipeline: SIGTERM to everything started here (each stops gracefully), and the Docker store.
stop_pipeline() {
  if [ -n "${MONGO_CONTAINER:-}" ]; then
    docker stop "$MONGO_CONTAINER" >/dev/null 2>&1 || true
  fi
  if [ ${#PIDS[@]} -gt 0 ]; then
    log "stopping the producer, the consumers and the store"
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
