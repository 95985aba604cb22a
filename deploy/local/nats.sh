#!/usr/bin/env bash
# A private NATS server with JetStream for a local distributed survey and for the tests: one process, every file
# (configuration, JetStream store, log, pid) under STATE_DIR, listening on 127.0.0.1 only.
#
#   nats.sh install                 install nats-server from Debian's packages when it is missing
#   nats.sh start STATE_DIR [PORT]  start it in the background (a free port when PORT is not given), wait until
#                                   clients can connect and JetStream is enabled, print NATS_URL=nats://127.0.0.1:PORT
#   nats.sh stop STATE_DIR          stop it (SIGTERM, SIGKILL after 15 s); no-op when it is not running
#   nats.sh status STATE_DIR        print NATS_URL and the JetStream summary; exit 0 running, 3 not running
#
# Authentication (for tests of the client's auth options): `start` honours NATS_USER + NATS_PASSWORD, or
# NATS_TOKEN, and then requires them from every client. The configuration file holding them is mode 600.
# `start` on a STATE_DIR whose server is already running prints its NATS_URL and exits 0 (the port and auth
# settings of that running server are kept). The monitoring endpoint (127.0.0.1, a free port) is in
# STATE_DIR/nats.env as NATS_MONITOR_URL.
#
# Debian 12 ships nats-server 2.9.x, which has everything mxsurvey uses (pull consumers with batch, expires and
# idle heartbeats, consumer backoff, max_ack_pending, stream duplicate_window, subjects_filter in stream info,
# work-queue retention). The Debian package also enables a system service on port 4222; `install` keeps it from
# being started (policy-rc.d) and this script never uses it.
#
# Exit codes: 0 ok; 1 failure (message on stderr, and the log's tail when the server did not come up);
# 2 bad usage, or install needed but not root and no password-less sudo; 3 status: not running.
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

prog=nats.sh
usage() {
  echo "usage: $prog install | start STATE_DIR [PORT] | stop STATE_DIR | status STATE_DIR" >&2
  exit 2
}

have_server() { command -v nats-server >/dev/null 2>&1; }

cmd_install() {
  if have_server; then
    echo "$prog: $(nats-server --version) present"
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "$prog: nats-server is missing and not root (no password-less sudo) to install it" >&2
      exit 2
    fi
  fi
  # Keep the package's system service from starting while installing (only when the machine has no policy).
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from mxsurvey deploy/local/nats.sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    made_policy=1
  fi
  local rc=0
  echo "$prog: installing nats-server from Debian's packages"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 \
    --no-install-recommends nats-server || rc=$?
  if [ "$rc" -ne 0 ]; then
    # The package lists may be missing on a fresh machine: update once, then try again.
    rc=0
    "${sudo[@]}" apt-get update -q && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      -o DPkg::Lock::Timeout=300 --no-install-recommends nats-server || rc=$?
  fi
  if [ "$made_policy" -eq 1 ]; then "${sudo[@]}" rm -f "$policy"; fi
  if [ "$rc" -ne 0 ] || ! have_server; then
    echo "$prog: apt-get install nats-server failed" >&2
    exit 1
  fi
  echo "$prog: installed $(nats-server --version)"
}

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  if command -v node >/dev/null 2>&1; then
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
    return
  fi
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  echo "$prog: no free port found" >&2
  exit 1
}

http_get() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 2 "$1" 2>/dev/null
  else
    wget -q -T 2 -O - "$1" 2>/dev/null
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A NATS configuration string literal.
conf_quote() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

abs_dir() {
  mkdir -p "$1"
  (cd "$1" && pwd -P)
}

running_pid() {
  local pidfile=$1/nats.pid pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null || true)
  case "$pid" in '' | *[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  # A stale pid file whose number was reused by another program is not our server.
  if [ -r "/proc/$pid/cmdline" ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "nats-server"; then
    return 1
  fi
  echo "$pid"
}

# Wait until this server said it is ready (in its log since line FROM: so a port some other process holds
# cannot pass for ours), clients can connect, and the monitoring endpoint reports JetStream enabled.
wait_ready() {
  local pid=$1 port=$2 mport=$3 log=$4 from=$5 deadline=$((SECONDS + 30)) jsz
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    if tail -n "+$from" "$log" | grep -q "Server is ready" && port_open "$port"; then
      jsz=$(http_get "http://127.0.0.1:$mport/jsz" || true)
      if [ -n "$jsz" ] && ! grep -q '"disabled": *true' <<<"$jsz" && grep -q '"store_dir"' <<<"$jsz"; then
        return 0
      fi
    fi
    sleep 0.1
  done
  return 1
}

cmd_start() {
  if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then usage; fi
  local dir want_port=${2:-}
  case "$want_port" in '' | [0-9]*) ;; *) usage ;; esac
  case "$want_port" in *[!0-9]*) usage ;; esac
  if ! have_server; then
    echo "$prog: nats-server is not installed (run: $0 install)" >&2
    exit 1
  fi
  dir=$(abs_dir "$1")
  local pid
  if pid=$(running_pid "$dir"); then
    # shellcheck disable=SC1091
    . "$dir/nats.env"
    echo "NATS_URL=$NATS_URL"
    return 0
  fi
  mkdir -p "$dir"
  local auth=""
  if [ -n "${NATS_TOKEN:-}" ]; then
    auth="authorization {
  token: $(conf_quote "$NATS_TOKEN")
}"
  elif [ -n "${NATS_USER:-}" ] || [ -n "${NATS_PASSWORD:-}" ]; then
    if [ -z "${NATS_USER:-}" ] || [ -z "${NATS_PASSWORD:-}" ]; then
      echo "$prog: NATS_USER and NATS_PASSWORD go together" >&2
      exit 2
    fi
    auth="authorization {
  user: $(conf_quote "$NATS_USER")
  password: $(conf_quote "$NATS_PASSWORD")
}"
  fi

  local attempt port mport conf=$dir/nats.conf log=$dir/nats.log
  for attempt in 1 2 3 4 5; do
    port=${want_port:-$(free_port)}
    mport=$(free_port)
    [ "$mport" != "$port" ] || mport=$(free_port)
    (
      umask 077
      cat >"$conf" <<EOF
# written by mxsurvey deploy/local/nats.sh
server_name: mxsurvey_local
listen: 127.0.0.1:$port
http: 127.0.0.1:$mport
max_payload: 1MB
jetstream {
  store_dir: $(conf_quote "$dir")
  max_memory_store: 256MB
  max_file_store: 8GB
}
$auth
EOF
    )
    if ! nats-server -t -c "$conf" >/dev/null 2>&1; then
      echo "$prog: invalid configuration $conf:" >&2
      nats-server -t -c "$conf" >&2 || true
      exit 1
    fi
    rm -f "$dir/nats.pid"
    if port_open "$port"; then
      if [ -n "$want_port" ]; then
        echo "$prog: port $port on 127.0.0.1 is already in use" >&2
        exit 1
      fi
      continue
    fi
    : >>"$log"
    echo "== $(date -u +%FT%TZ) start port $port" >>"$log"
    local from
    from=$(($(wc -l <"$log") + 1))
    # Detached from this shell (setsid) so it outlives the caller; its own log under STATE_DIR.
    setsid nats-server -c "$conf" </dev/null >>"$log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/nats.pid"
    printf 'NATS_URL=nats://127.0.0.1:%s\nNATS_MONITOR_URL=http://127.0.0.1:%s\nNATS_PID=%s\n' \
      "$port" "$mport" "$pid" >"$dir/nats.env"
    if wait_ready "$pid" "$port" "$mport" "$log" "$from"; then
      echo "NATS_URL=nats://127.0.0.1:$port"
      return 0
    fi
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      sleep 0.5
      kill -KILL "$pid" 2>/dev/null || true
      echo "$prog: nats-server did not become ready within 30 s" >&2
      tail -n 20 "$log" >&2 || true
      exit 1
    fi
    # It exited: a port taken between choosing and binding is retried with new ports (only ports we chose).
    if [ -z "$want_port" ] && tail -n 5 "$log" | grep -qi "address already in use"; then
      continue
    fi
    echo "$prog: nats-server exited during start-up (attempt $attempt):" >&2
    tail -n 20 "$log" >&2 || true
    exit 1
  done
  echo "$prog: could not start nats-server (ports kept being taken)" >&2
  exit 1
}

cmd_stop() {
  [ "$#" -eq 1 ] || usage
  local dir=$1 pid
  [ -d "$dir" ] || return 0
  if ! pid=$(running_pid "$dir"); then
    rm -f "$dir/nats.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$prog: nats-server $pid ignored SIGTERM for 15 s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/nats.pid"
  echo "$prog: stopped nats-server $pid"
}

cmd_status() {
  [ "$#" -eq 1 ] || usage
  local dir=$1 pid
  if [ ! -d "$dir" ] || ! pid=$(running_pid "$dir"); then
    echo "$prog: not running"
    exit 3
  fi
  # shellcheck disable=SC1091
  . "$dir/nats.env"
  echo "NATS_URL=$NATS_URL"
  echo "NATS_MONITOR_URL=$NATS_MONITOR_URL"
  echo "NATS_PID=$pid"
  echo "VERSION=$(nats-server --version)"
  local jsz
  jsz=$(http_get "$NATS_MONITOR_URL/jsz" || true)
  if [ -n "$jsz" ]; then
    echo "JSZ=$(tr -d '\n ' <<<"$jsz")"
  fi
}

[ "$#" -ge 1 ] || usage
sub=$1
shift
case "$sub" in
  install) [ "$#" -eq 0 ] || usage; cmd_install ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  *) usage ;;
esac
