# Sourced by the bin/liftline-* launchers: finds Java 17+, reads conf/liftline.env, runs one application jar.
# LIFTLINE_JAVA_OPTS, when set, replaces the launcher's JVM options (heap, GC); JAVA_HOME picks the JVM.

LIFTLINE_HOME=$(cd "$(dirname "$(readlink -f "$0" 2>/dev/null || echo "$0")")/.." && pwd)

# conf/liftline.env (or LIFTLINE_ENV_FILE): KEY=VALUE lines; a variable already in the environment wins.
liftline_read_env() {
  file=${LIFTLINE_ENV_FILE:-$LIFTLINE_HOME/conf/liftline.env}
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in ''|'#'*) continue ;; esac
    key=${line%%=*}
    case $key in *[!A-Za-z0-9_]*|'') echo "$(basename "$0"): ignoring '$line' in $file: not KEY=VALUE" >&2; continue ;; esac
    eval "isset=\${$key+x}"
    [ -n "$isset" ] || export "$key=${line#*=}"
  done < "$file"
}

liftline_java() {
  if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; else java=$(command -v java || true); fi
  [ -n "$java" ] && [ -x "$java" ] || { echo "$(basename "$0"): no java: install Java 17 or later, or set JAVA_HOME" >&2; exit 1; }
  version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  case $version in 1.*|9|1[0-6]) echo "$(basename "$0"): $java is Java $version; Liftline needs 17 or later" >&2; exit 1 ;; esac
}

# liftline_run JAR DEFAULT_JAVA_OPTS ARGS...
liftline_run() {
  liftline_read_env
  jar=$LIFTLINE_HOME/lib/$1
  opts=${LIFTLINE_JAVA_OPTS:-$2}
  shift 2
  liftline_java
  # shellcheck disable=SC2086 # the options are words
  exec "$java" $opts -jar "$jar" "$@"
}
