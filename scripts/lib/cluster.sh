# A 3-node RabbitMQ cluster on this machine, beside the single local broker (which it never touches): nodes
# liftline-N@localhost with their own AMQP (568N), distribution (2568N), management (1568N) and Prometheus
# (1579N) ports, their own data and logs under $CLUSTER_HOME, and their own Erlang cookie.
# Source it after common.sh and broker.sh.

CLUSTER_HOME=/var/lib/rabbitmq/liftline-cluster
CLUSTER_NODES="1 2 3"

node_name() { echo "liftline-$1@localhost"; }
node_amqp_port() { echo $((5680 + $1)); }
cluster_uri() { echo "amqp://guest:guest@127.0.0.1:5681,127.0.0.1:5682,127.0.0.1:5683/%2F"; }

# as_rabbitmq COMMAND...: runs a RabbitMQ command as the rabbitmq user with the cluster's home (its cookie).
as_rabbitmq() {
  local quoted
  quoted=$(printf '%q ' "$@")
  as_root su rabbitmq -s /bin/sh -c "HOME='$CLUSTER_HOME' $quoted"
}

# ctl N ARGS...: rabbitmqctl on node N.
ctl() {
  local n=$1
  shift
  as_rabbitmq /usr/lib/rabbitmq/bin/rabbitmqctl -q -n "$(node_name "$n")" "$@"
}

cluster_prepare() {
  local n dir
  as_root mkdir -p "$CLUSTER_HOME"
  if ! as_root test -s "$CLUSTER_HOME/.erlang.cookie"; then
    head -c 32 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' | as_root tee "$CLUSTER_HOME/.erlang.cookie" >/dev/null
  fi
  printf '%s\n' "[rabbitmq_management,rabbitmq_prometheus]." | as_root tee "$CLUSTER_HOME/enabled_plugins" >/dev/null
  printf '%s\n' "ERL_EPMD_ADDRESS=127.0.0.1" | as_root tee "$CLUSTER_HOME/rabbitmq-env.conf" >/dev/null
  for n in $CLUSTER_NODES; do
    dir="$CLUSTER_HOME/node-$n"
    as_root mkdir -p "$dir/mnesia" "$dir/log"
    as_root tee "$dir/rabbitmq.conf" >/dev/null <<CONF
# Node $n of Liftline's local test cluster (scripts/cluster); loopback only.
listeners.tcp.default = 127.0.0.1:$((5680 + n))
management.tcp.ip = 127.0.0.1
management.tcp.port = $((15680 + n))
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = $((15790 + n))
cluster_partition_handling = pause_minority
vm_memory_high_watermark.relative = 0.1
# Small Raft write-ahead logs: three nodes share one small machine.
raft.wal_max_size_bytes = 64000000
CONF
  done
  as_root chown -R rabbitmq:rabbitmq "$CLUSTER_HOME"
  as_root chmod 400 "$CLUSTER_HOME/.erlang.cookie"
}

# node_launch N: starts node N detached, unless it runs (or is still booting: its Erlang node answers a ping);
# returns at once.
node_launch() {
  local n=$1 dir="$CLUSTER_HOME/node-$1"
  port_open "$(node_amqp_port "$n")" && return 0
  ctl "$n" ping >/dev/null 2>&1 && return 0
  as_rabbitmq env RABBITMQ_NODENAME="$(node_name "$n")" RABBITMQ_DIST_PORT=$((25680 + n)) \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_CONF_ENV_FILE="$CLUSTER_HOME/rabbitmq-env.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$CLUSTER_HOME/enabled_plugins" RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/pid" \
    /usr/lib/rabbitmq/bin/rabbitmq-server -detached >/dev/null 2>&1 || true
}

# node_await N: waits until node N serves AMQP and has finished booting. A node that stopped while booting (3.10
# can refuse a peer's feature flags while that peer is itself still booting: BOOT FAILED, incompatible_feature_flags)
# is started again, three times at most. It is found dead by asking its Erlang node, not by its pid file: RabbitMQ
# deletes that file when a boot fails, and a node never relaunched leaves its peers waiting for its tables.
node_await() {
  local n=$1 relaunches=0 next_check
  # Up to about 250 s: after every node was killed, a node may wait out RabbitMQ's own wait for its peers' tables
  # (30 s a try) before it stops and is started again; 120 s was once 13 s short of that (ClusterIT, kill all).
  local deadline=$((SECONDS + 250))
  next_check=$((SECONDS + 5))
  while ((SECONDS < deadline)); do
    port_open "$(node_amqp_port "$n")" && break
    if ((SECONDS >= next_check)); then
      if ((relaunches < 3)) && ! ctl "$n" ping >/dev/null 2>&1 && ! port_open "$(node_amqp_port "$n")"; then
        relaunches=$((relaunches + 1))
        log "cluster: node $n stopped while booting (see $CLUSTER_HOME/node-$n/log); starting it again"
        node_launch "$n"
      fi
      next_check=$((SECONDS + 5))
    fi
    sleep 0.2
  done
  port_open "$(node_amqp_port "$n")" || die "cluster node $n did not open 127.0.0.1:$(node_amqp_port "$n") within 250s"
  ctl "$n" await_startup --timeout 60 >/dev/null || die "cluster node $n did not finish starting"
}

# node_start N: starts node N and waits until it runs (the other nodes running already).
node_start() {
  node_launch "$1"
  node_await "$1"
}

# node_pid N: the OS process of node N, or nothing.
node_pid() { as_root cat "$CLUSTER_HOME/node-$1/pid" 2>/dev/null || true; }

cluster_start() {
  local n
  rabbitmq_installed || rabbitmq_install
  cluster_prepare
  # All at once, then wait: a node may boot only with its peers up (Mnesia asks them about a transaction that
  # was in flight when the cluster went down, or for tables another node held last), so one at a time can hang
  # forever on the first.
  for n in $CLUSTER_NODES; do node_launch "$n"; done
  for n in $CLUSTER_NODES; do node_await "$n"; done
  for n in 2 3; do
    if ! ctl "$n" cluster_status --formatter json | grep -q "$(node_name 1)"; then
      log "cluster: node $n joins node 1"
      { ctl "$n" stop_app && ctl "$n" join_cluster "$(node_name 1)" && ctl "$n" start_app; } >/dev/null 2>&1 \
        || die "node $n could not join the cluster"
    fi
  done
  topology_definitions | ctl 1 import_definitions >/dev/null || die "could not load the topology"
  # Queues declared through one node get their leaders there: spread them, so shards spread their work.
  as_rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-queues -q -n "$(node_name 1)" rebalance quorum >/dev/null 2>&1 || true
  log "cluster: 3 nodes, topology loaded (${LIFTLINE_SHARDS:-1} ride queue(s)); lift-rides members: $(cluster_members)"
}

# ride_queue_info ITEM: lift-rides' ITEM (leader, members) as list_queues prints it in JSON, asked of the first
# running node; fails when none runs.
ride_queue_info() {
  local n
  for n in $CLUSTER_NODES; do
    port_open "$(node_amqp_port "$n")" || continue
    ctl "$n" list_queues name "$1" --formatter json 2>/dev/null | tr -d '\n'
    return 0
  done
  return 1
}

# cluster_members: the nodes holding a member of lift-rides.
cluster_members() {
  ride_queue_info members | grep -o '"name":"lift-rides","members":\[[^]]*\]' | grep -o 'liftline-[0-9]' | sort | tr '\n' ' '
}

cluster_stop() {
  local n
  for n in 3 2 1; do
    # also a node stuck booting (its AMQP port not open yet): rabbitmqctl reaches its Erlang node
    ctl "$n" stop >/dev/null 2>&1 || true
  done
  log "cluster stopped (data kept in $CLUSTER_HOME; scripts/cluster start brings it back)"
}

cluster_status() {
  local n state
  for n in $CLUSTER_NODES; do
    if port_open "$(node_amqp_port "$n")"; then state="running"; else state="down"; fi
    printf 'node %s  %-24s amqp 127.0.0.1:%s  console http://127.0.0.1:%s  %s\n' "$n" "$(node_name "$n")" \
      "$(node_amqp_port "$n")" $((15680 + n)) "$state"
  done
  local leader
  leader=$(cluster_leader 2>/dev/null || true)
  echo "lift-rides leader: ${leader:-unknown}; members: $(cluster_members 2>/dev/null)"
}

# cluster_leader: the number of the node leading lift-rides; fails when no running node knows it.
cluster_leader() {
  ride_queue_info leader | grep -o '"name":"lift-rides","leader":"liftline-[0-9]' | grep -o '[0-9]$'
}

node_kill() {
  local pid
  pid=$(node_pid "$1")
  [ -n "$pid" ] || die "node $1 has no pid file (not started by scripts/cluster?)"
  as_root kill -9 "$pid" 2>/dev/null || true
  log "cluster: node $1 (pid $pid) killed with SIGKILL"
}

node_restart() {
  if port_open "$(node_amqp_port "$1")"; then ctl "$1" stop >/dev/null 2>&1 || true; fi
  local i
  for ((i = 0; i < 150 && $(port_open "$(node_amqp_port "$1")" && echo 1 || echo 0) == 1; i++)); do sleep 0.2; done
  node_start "$1"
  log "cluster: node $1 restarted"
}

# node_partition N: cuts node N off from the other two, as a network partition would, while every node keeps
# running: first each side is given a different wrong Erlang cookie for the other (nothing changes yet), then N
# drops both links in one call. Cut one link at a time and the others see a *partial* partition, on which
# pause_minority pauses every node until the whole cluster is back. rabbitmqctl still reaches every node (it
# uses the node's own cookie). With pause_minority, node N pauses and the two others carry on.
node_partition() {
  local n=$1 m others=""
  for m in $CLUSTER_NODES; do
    [ "$m" = "$n" ] && continue
    ctl "$n" eval "erlang:set_cookie('$(node_name "$m")', 'liftline_cut_$n')." >/dev/null
    ctl "$m" eval "erlang:set_cookie('$(node_name "$n")', 'liftline_cut_$m')." >/dev/null
    others="$others${others:+, }'$(node_name "$m")'"
  done
  ctl "$n" eval "[erlang:disconnect_node(M) || M <- [$others]], ok." >/dev/null
  log "cluster: node $n cut off from the others"
}

# node_freeze N: suspends node N's member of lift-rides (its Ra server process): the node serves clients, but the
# member takes no part in the queue's replication or elections until node_thaw N. With the leader gone and the two
# other members frozen, the queue has no leader for as long as the test needs, not the half second of an election.
node_freeze() {
  ctl "$1" eval "sys:suspend('%2F_lift-rides')." >/dev/null
  log "cluster: node $1's member of lift-rides frozen"
}

# node_thaw N: resumes what node_freeze N suspended.
node_thaw() {
  ctl "$1" eval "sys:resume('%2F_lift-rides')." >/dev/null
  log "cluster: node $1's member of lift-rides thawed"
}

# node_heal N: gives node N and the others their cookie back and reconnects them.
node_heal() {
  local n=$1 m
  for m in $CLUSTER_NODES; do
    [ "$m" = "$n" ] && continue
    ctl "$m" eval "erlang:set_cookie('$(node_name "$n")', erlang:get_cookie())." >/dev/null
    ctl "$n" eval "erlang:set_cookie('$(node_name "$m")', erlang:get_cookie()), net_kernel:connect_node('$(node_name "$m")')." >/dev/null
  done
  log "cluster: node $n reconnected"
}
