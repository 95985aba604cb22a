#!/usr/bin/env bash
# A private, local ClickHouse instance for development and tests (Debian's clickhouse-server 18.16 or newer).
#
#   clickhouse.sh install                               apt-get install clickhouse-server clickhouse-client,
#                                                       only when no server binary is found
#   clickhouse.sh start STATE_DIR [PORT_HTTP] [PORT_TCP]  start an instance whose config, data, tmp and logs all
#                                                       live in STATE_DIR; prints CLICKHOUSE_URL=... on stdout
#   clickhouse.sh stop STATE_DIR                        stop it (SIGTERM, then SIGKILL after a grace period)
#   clickhouse.sh status STATE_DIR                      exit 0 and print the URL when running, exit 3 when not
#
# The instance listens on 127.0.0.1 only, runs as the current user, never reads /etc/clickhouse-server nor
# writes /var/lib/clickhouse. `start` is idempotent: when the instance already runs it only prints its URL.
# Without ports, a restart reuses the ports recorded in STATE_DIR/ports (same URL, same data); a fresh state
# dir gets free ports. Leftovers (stale pid file, a server whose pid file was lost) are detected through
# /proc and handled. Messages go to stderr; stdout carries only the CLICKHOUSE_URL line.
#
# Environment: CLICKHOUSE_START_TIMEOUT (seconds to wait for /ping, default 60),
#              CLICKHOUSE_STOP_TIMEOUT (seconds before SIGKILL, default 30),
#              CLICKHOUSE_PASSWORD (user "default"'s password, written into STATE_DIR/users.xml; default none;
#              letters, digits and -_.~+=,:@%/ only).

set -euo pipefail

log() { printf 'clickhouse.sh: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# The server command: `clickhouse-server` (Debian's 18.16 package installs /usr/sbin/clickhouse-server) or the
# single `clickhouse` binary of newer releases (`clickhouse server`). /usr/sbin is searched even when it is not
# on PATH (a non-root user's PATH on Debian).
SERVER_CMD=()
find_server() {
  local p
  for p in "$(command -v clickhouse-server 2>/dev/null || true)" /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
    if [[ -n "$p" && -x "$p" ]]; then
      SERVER_CMD=("$p")
      return 0
    fi
  done
  for p in "$(command -v clickhouse 2>/dev/null || true)" /usr/bin/clickhouse /usr/sbin/clickhouse; do
    if [[ -n "$p" && -x "$p" ]]; then
      SERVER_CMD=("$p" server)
      return 0
    fi
  done
  return 1
}

cmd_install() {
  if find_server; then
    log "ClickHouse server present: ${SERVER_CMD[*]}"
    return 0
  fi
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "installing needs root (or sudo): apt-get install clickhouse-server clickhouse-client"
    sudo=(sudo -n)
  fi
  log "installing clickhouse-server and clickhouse-client with apt-get"
  # The package's postinst may try to start the system service; that instance (ports 8123/9000,
  # /var/lib/clickhouse) is not used by this script.
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=600 clickhouse-server clickhouse-client >&2; then
    log "apt-get install failed; trying once more after apt-get update"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || true
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o DPkg::Lock::Timeout=600 clickhouse-server clickhouse-client >&2 ||
      die "apt-get install clickhouse-server clickhouse-client failed"
  fi
  find_server || die "installed, but no clickhouse-server binary found"
  log "installed: ${SERVER_CMD[*]}"
}

# --- instance helpers -------------------------------------------------------------------------------------

STATE=""
set_state() {
  [[ -n "${1:-}" ]] || die "give a STATE_DIR"
  if [[ "${2:-}" == create ]]; then
    mkdir -p "$1"
  elif [[ ! -d "$1" ]]; then
    STATE="$1"
    return 1
  fi
  STATE="$(cd "$1" && pwd -P)"
  # The path goes into XML; keep it to characters that need no escaping there.
  [[ "$STATE" =~ ^[A-Za-z0-9_./+=,@-]+$ ]] || die "STATE_DIR '$STATE' has characters not allowed in this script"
}

# Is PID a live server of this state dir? (Guards against pid reuse by an unrelated process.)
is_our_server() {
  local pid="$1" cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *"--config-file=$STATE/config.xml"* ]] || return 1
  # A zombie has exited already.
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z)" != "Z" ]]
}

# The running server's pid: from the pid file, or (lost pid file) from /proc.
find_pid() {
  local pid=""
  if [[ -f "$STATE/clickhouse.pid" ]]; then
    pid="$(tr -dc '0-9' <"$STATE/clickhouse.pid" || true)"
    if is_our_server "$pid"; then
      echo "$pid"
      return 0
    fi
  fi
  local f
  for f in $(grep -lsaF -- "--config-file=$STATE/config.xml" /proc/[0-9]*/cmdline 2>/dev/null || true); do
    pid="${f#/proc/}"
    pid="${pid%/cmdline}"
    if is_our_server "$pid"; then
      echo "$pid" >"$STATE/clickhouse.pid"
      echo "$pid"
      return 0
    fi
  done
  return 1
}

port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    ss -Htln "sport = :$port" 2>/dev/null | grep -q . && return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
  return 1
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# Does process PID hold the listening socket of 127.0.0.1:PORT? (A /ping answer alone could come from another
# server that owns the port while ours is failing to bind.)
owns_port() {
  local pid="$1" port="$2" hex inode
  hex="$(printf '%04X' "$port")"
  # shellcheck disable=SC2013 # inodes are single words
  for inode in $(awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $10 }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null); do
    if find "/proc/$pid/fd" -maxdepth 1 -lname "socket:\[$inode\]" 2>/dev/null | grep -q .; then
      return 0
    fi
  done
  return 1
}

# GET /ping → "Ok." (curl when present, else bash's /dev/tcp).
ping_ok() {
  local port="$1" reply
  if command -v curl >/dev/null 2>&1; then
    reply="$(curl -s --max-time 2 "http://127.0.0.1:$port/ping" 2>/dev/null || true)"
  else
    reply="$(
      exec 2>/dev/null
      exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 0
      printf 'GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
      timeout 2 cat <&3 || true
    )" || true
  fi
  [[ "$reply" == *"Ok."* ]]
}

write_config() {
  local http="$1" tcp="$2"
  mkdir -p "$STATE/data" "$STATE/tmp" "$STATE/user_files" "$STATE/format_schemas" "$STATE/log"
  cat >"$STATE/config.xml" <<EOF
<?xml version="1.0"?>
<!-- Generated by deploy/local/clickhouse.sh; rewritten on every start. -->
<yandex>
  <logger>
    <level>information</level>
    <log>$STATE/log/clickhouse-server.log</log>
    <errorlog>$STATE/log/clickhouse-server.err.log</errorlog>
    <size>50M</size>
    <count>2</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <path>$STATE/data/</path>
  <tmp_path>$STATE/tmp/</tmp_path>
  <user_files_path>$STATE/user_files/</user_files_path>
  <format_schema_path>$STATE/format_schemas/</format_schema_path>
  <users_config>$STATE/users.xml</users_config>
  <include_from>$STATE/no-substitutions.xml</include_from>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <max_connections>1024</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <mlock_executable>false</mlock_executable>
</yandex>
EOF
  local password="${CLICKHOUSE_PASSWORD:-}"
  [[ "$password" =~ ^[A-Za-z0-9._~+=,:@%/-]*$ ]] || die "CLICKHOUSE_PASSWORD: letters, digits and -_.~+=,:@%/ only"
  cat >"$STATE/users.xml" <<EOF
<?xml version="1.0"?>
<!-- Generated by deploy/local/clickhouse.sh: user "default", password from CLICKHOUSE_PASSWORD (none when
     unset), loopback only. -->
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <use_uncompressed_cache>0</use_uncompressed_cache>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password>$password</password>
      <networks>
        <ip>127.0.0.1</ip>
        <ip>::1</ip>
      </networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
EOF
  # An empty substitutions file, so that the default include_from (/etc/metrika.xml) is never read.
  printf '<?xml version="1.0"?>\n<yandex></yandex>\n' >"$STATE/no-substitutions.xml"
  printf '%s %s\n' "$http" "$tcp" >"$STATE/ports"
}

print_url() {
  local http
  read -r http _ <"$STATE/ports"
  echo "CLICKHOUSE_URL=http://127.0.0.1:$http"
}

cmd_start() {
  set_state "${1:-}" create
  local want_http="${2:-}" want_tcp="${3:-}"
  [[ -z "$want_http" || "$want_http" =~ ^[0-9]+$ ]] || die "PORT_HTTP must be a number"
  [[ -z "$want_tcp" || "$want_tcp" =~ ^[0-9]+$ ]] || die "PORT_TCP must be a number"
  find_server || die "no ClickHouse server binary; run: $0 install"

  local pid
  if pid="$(find_pid)"; then
    local http tcp
    read -r http tcp <"$STATE/ports"
    if [[ (-n "$want_http" && "$want_http" != "$http") || (-n "$want_tcp" && "$want_tcp" != "$tcp") ]]; then
      die "already running (pid $pid) on ports $http/$tcp; stop it first to change ports"
    fi
    local waited=0
    until ping_ok "$http"; do
      sleep 0.1
      waited=$((waited + 1))
      ((waited < ${CLICKHOUSE_START_TIMEOUT:-60} * 10)) || die "running (pid $pid) but /ping does not answer"
    done
    log "already running (pid $pid)"
    print_url
    return 0
  fi
  rm -f "$STATE/clickhouse.pid"

  local attempt http tcp auto=0
  for attempt in 1 2 3 4 5; do
    if [[ -n "$want_http" ]]; then
      http="$want_http"
      tcp="${want_tcp:-$(free_port)}"
    elif [[ -f "$STATE/ports" && $attempt -eq 1 ]]; then
      read -r http tcp <"$STATE/ports"
    else
      auto=1
      http="$(free_port)"
      tcp="$(free_port)"
      [[ "$tcp" != "$http" ]] || tcp="$(free_port)"
    fi
    [[ -n "$want_tcp" ]] && tcp="$want_tcp"
    if port_in_use "$http" || port_in_use "$tcp"; then
      [[ -z "$want_http" && -z "$want_tcp" ]] || die "port $http or $tcp is already in use"
      log "port $http or $tcp is in use; picking others"
      rm -f "$STATE/ports"
      continue
    fi
    write_config "$http" "$tcp"

    # setsid: the server outlives this script and is not hit by the terminal's Ctrl-C. In a non-interactive
    # shell a background job is no process-group leader, so setsid does not fork and $! is the server itself.
    local launcher=()
    command -v setsid >/dev/null 2>&1 && launcher=(setsid)
    "${launcher[@]}" "${SERVER_CMD[@]}" --config-file="$STATE/config.xml" \
      </dev/null >>"$STATE/log/stdout.log" 2>&1 &
    pid=$!
    echo "$pid" >"$STATE/clickhouse.pid"

    local waited=0 limit=$((${CLICKHOUSE_START_TIMEOUT:-60} * 10))
    while ((waited < limit)); do
      if ping_ok "$http" && owns_port "$pid" "$http" && owns_port "$pid" "$tcp"; then
        log "started (pid $pid, http $http, tcp $tcp, state $STATE)"
        print_url
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$STATE/clickhouse.pid"
      die "server did not answer /ping within ${CLICKHOUSE_START_TIMEOUT:-60} s; see $STATE/log/"
    fi
    wait "$pid" 2>/dev/null || true
    rm -f "$STATE/clickhouse.pid"
    if grep -qs -E "Address already in use" "$STATE/log/clickhouse-server.err.log" &&
      [[ -z "$want_http" && -z "$want_tcp" ]]; then
      log "port $http or $tcp was taken; picking others"
      : >"$STATE/log/clickhouse-server.err.log"
      rm -f "$STATE/ports"
      continue
    fi
    tail -n 20 "$STATE/log/clickhouse-server.err.log" "$STATE/log/stdout.log" >&2 2>/dev/null || true
    die "server exited during start-up; see $STATE/log/"
  done
  die "could not start after $attempt attempts (auto ports: $auto)"
}

cmd_stop() {
  if ! set_state "${1:-}"; then
    log "not running (no $STATE)"
    return 0
  fi
  local pid
  if ! pid="$(find_pid)"; then
    rm -f "$STATE/clickhouse.pid"
    log "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0 limit=$((${CLICKHOUSE_STOP_TIMEOUT:-30} * 10))
  while is_our_server "$pid"; do
    if ((waited >= limit)); then
      log "no exit after ${CLICKHOUSE_STOP_TIMEOUT:-30} s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      limit=$((limit + 100))
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$STATE/clickhouse.pid"
  log "stopped (pid $pid)"
}

cmd_status() {
  if ! set_state "${1:-}"; then
    log "not running (no $STATE)"
    return 3
  fi
  local pid
  if pid="$(find_pid)"; then
    local http
    read -r http _ <"$STATE/ports"
    if ping_ok "$http"; then
      log "running (pid $pid)"
    else
      log "running (pid $pid) but /ping does not answer"
    fi
    print_url
    return 0
  fi
  log "not running"
  return 3
}

case "${1:-}" in
install) cmd_install ;;
start) cmd_start "${2:-}" "${3:-}" "${4:-}" ;;
stop) cmd_stop "${2:-}" ;;
status) cmd_status "${2:-}" ;;
*)
  echo "usage: $0 install | start STATE_DIR [PORT_HTTP] [PORT_TCP] | stop STATE_DIR | status STATE_DIR" >&2
  exit 2
  ;;
esac
