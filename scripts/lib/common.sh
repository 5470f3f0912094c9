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

# Builds the runnable jars when they are missing or older than the sources.
ensure_built() {
  local jar newest
  for jar in "$LIFTLINE_ROOT/producer-api/target/liftline-producer-api.jar" \
             "$LIFTLINE_ROOT/consumer-worker/target/liftline-consumer-worker.jar"; do
    newest=$(find "$LIFTLINE_ROOT" -path '*/src/main/*' -newer "$jar" -print -quit 2>/dev/null || true)
    if [ ! -f "$jar" ] || [ -n "$newest" ] || [ "$LIFTLINE_ROOT/pom.xml" -nt "$jar" ]; then
      log "building the jars (mvn -B -q -DskipTests package)"
      (cd "$LIFTLINE_ROOT" && mvn -B -q -DskipTests package) || die "the build failed"
      return 0
    fi
  done
}
