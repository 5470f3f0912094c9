# Shared helpers for the scripts in scripts/. Source it; it defines functions and sets nothing else.

LIFTLINE_ROOT="${LIFTLINE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

log() { printf 'liftline: %s\n' "$*" >&2; }
die() { printf 'liftline: error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through passwordless sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else die "this step needs root or passwordless sudo: $*"
  fi
}

# ensure_command COMMAND [PACKAGE] WHY: installs Debian's PACKAGE (default: COMMAND) when COMMAND is missing, after one
# apt-get update per run (a fresh machine's package lists may be empty or stale), or dies saying why it was needed.
LIFTLINE_APT_UPDATED=""
ensure_command() {
  local command=$1 package=${2:-} why=${3:-}
  if [ $# -lt 3 ]; then package=$1; why=${2:-}; fi
  command -v "$command" >/dev/null 2>&1 && return 0
  log "installing $package with apt ($why)"
  if [ -z "$LIFTLINE_APT_UPDATED" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
    LIFTLINE_APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null \
    || die "apt-get install $package failed (needed: $why)"
}

# Maven is the repository's wrapper (./mvnw): every machine builds with the one version .mvn/wrapper names, which
# the wrapper fetches from Maven Central on its first run (it needs curl or wget, and unzip or tar).
mvn() {
  command -v wget >/dev/null 2>&1 || ensure_command curl "the Maven wrapper fetches Maven with it"
  "$LIFTLINE_ROOT/mvnw" "$@"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for_port PORT SECONDS WHAT: polls until the port answers, or dies saying what did not come up.
wait_for_port() {
  local port=$1 seconds=$2 what=$3 i
  for ((i = 0; i < seconds * 5; i++)); do
    port_open "$port" && return 0
    sleep 0.2
  done
  die "$what did not open 127.0.0.1:$port within ${seconds}s"
}

# Masks the password of a URI (scheme://user:secret@host -> scheme://user:****@host) for log lines.
mask_uri() { printf '%s' "$1" | sed -E 's#(://[^:/@]*):[^@/]*@#\1:****@#'; }

# The launchers of the build's installation (distribution/target/liftline, the tarball unpacked): the scripts run
# the applications exactly as an installation does, with the launchers' JVM options (LIFTLINE_JAVA_OPTS replaces them).
LIFTLINE_BIN="$LIFTLINE_ROOT/distribution/target/liftline/bin"

LIFTLINE_JARS=(
  "$LIFTLINE_ROOT/distribution/target/liftline/lib/liftline-producer-api.jar"
  "$LIFTLINE_ROOT/distribution/target/liftline/lib/liftline-consumer-worker.jar"
  "$LIFTLINE_ROOT/distribution/target/liftline/lib/liftline-query-api.jar"
  "$LIFTLINE_ROOT/distribution/target/liftline/lib/liftline-scanner-simulator.jar"
  "$LIFTLINE_ROOT/distribution/target/liftline/lib/liftline-ops-tools.jar"
  "$LIFTLINE_ROOT/benchmarks/target/liftline-benchmarks.jar"
  "$LIFTLINE_ROOT/test-support/target/classpath.txt"
)

# liftline_ops ARGS...: the operator tool, from the ops module's jar (what the installation's bin/liftline-ops runs;
# it is there before the tarball is, while the tests run), built first when missing.
liftline_ops() {
  local jar="$LIFTLINE_ROOT/ops-tools/target/liftline-ops-tools.jar"
  if [ -f "$jar" ]; then
    java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar" "$@"
  elif [ -x "$LIFTLINE_BIN/liftline-ops" ]; then
    "$LIFTLINE_BIN/liftline-ops" "$@"
  else
    ensure_built && "$LIFTLINE_BIN/liftline-ops" "$@"
  fi
}

# Builds the runnable jars when one is missing or older than the sources or a POM.
ensure_built() {
  local artifact stale=""
  for artifact in "${LIFTLINE_JARS[@]}"; do
    if [ ! -f "$artifact" ] || [ -n "$(find "$LIFTLINE_ROOT" -path '*/src/main/*' -newer "$artifact" -print -quit)" ] \
       || [ -n "$(find "$LIFTLINE_ROOT" -maxdepth 2 -name pom.xml -newer "$artifact" -print -quit)" ]; then
      stale=$artifact
      break
    fi
  done
  if [ -n "$stale" ]; then
    log "building (mvn -B -DskipTests package)"
    local build_log
    build_log=$(mktemp)
    if ! (cd "$LIFTLINE_ROOT" && mvn -B -DskipTests package) >"$build_log" 2>&1; then
      tail -40 "$build_log" >&2
      rm -f "$build_log"
      die "the build failed"
    fi
    rm -f "$build_log"
    # Maven leaves an unchanged output (the classpath file) untouched: mark everything as built now.
    for artifact in "${LIFTLINE_JARS[@]}"; do [ -f "$artifact" ] && touch "$artifact"; done
  fi
}

# JVM options for what the benchmarks start with plain java (their baselines, and Liftline beside them, alike):
# bin/liftline-producer's defaults, so that every contender runs as an installed producer does.
BENCH_JAVA_OPTS=${LIFTLINE_JAVA_OPTS:--Xms64m -Xmx160m -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC}

# A free TCP port on loopback, starting the search at $1.
free_port() {
  local port=$1
  while port_open "$port"; do port=$((port + 1)); done
  echo "$port"
}

# wait_for_http URL SECONDS WHAT: polls until the URL answers 200.
wait_for_http() {
  local url=$1 seconds=$2 what=$3 i
  for ((i = 0; i < seconds * 5; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" = 200 ] && return 0
    sleep 0.2
  done
  die "$what did not become ready at $url within ${seconds}s"
}

# Where scripts/broker keeps the local broker's application credentials (see rabbitmq/users.json).
LIFTLINE_SECRETS=${LIFTLINE_SECRETS:-$LIFTLINE_ROOT/data/secrets}

# as_broker_user USER: exports LIFTLINE_AMQP_URI_FILE (and, for liftline-ops, LIFTLINE_MANAGEMENT_URI_FILE) so that
# what runs next connects to the local broker as that least-privilege user; a URI the user set wins.
as_broker_user() {
  if [ -z "${LIFTLINE_AMQP_URI:-}${LIFTLINE_AMQP_URI_FILE:-}" ] && [ -s "$LIFTLINE_SECRETS/$1.amqp-uri" ]; then
    export LIFTLINE_AMQP_URI_FILE="$LIFTLINE_SECRETS/$1.amqp-uri"
  fi
  if [ "$1" = liftline-ops ] && [ -z "${LIFTLINE_MANAGEMENT_URI:-}${LIFTLINE_MANAGEMENT_URI_FILE:-}" ] \
    && [ -s "$LIFTLINE_SECRETS/liftline-ops.management-uri" ]; then
    export LIFTLINE_MANAGEMENT_URI_FILE="$LIFTLINE_SECRETS/liftline-ops.management-uri"
  fi
}

# median: the median of the numbers on standard input, one a line (the benchmarks' figure over rounds).
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# cpu_ticks PID...: the CPU these processes have used so far (user and system), in clock ticks; 0 for none
cpu_ticks() {
  local pid total=0
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] && total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}

# cpu_us_per TICKS0 TICKS1 COUNT: microseconds of CPU per unit of COUNT, column by column, between two readings
# of cpu_ticks each ("W S B" then "W' S' B'" gives three figures)
cpu_us_per() {
  awk -v c0="$1" -v c1="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    k = split(c0, a, " "); split(c1, b, " ")
    for (i = 1; i <= k; i++) printf "%s%.0f", (i > 1 ? " " : ""), (b[i] - a[i]) * 1e6 / hz / n
    print "" }'
}

# stored_total PORT...: rides the workers behind these metrics ports have taken (stored, or skipped as duplicates)
stored_total() {
  local port total=0 n
  for port in "$@"; do
    n=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^liftline_rides_(stored|duplicates)_total / { s += $2 } END { printf "%d", s }')
    total=$((total + n))
  done
  echo "$total"
}
