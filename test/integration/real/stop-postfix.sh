#!/usr/bin/env bash
# Stops the private Postfix instance that start-postfix.sh started in DIR: "postfix stop", then the master by
# its pid (and its process group) if it is still there. Idempotent; exit 0 unless bad usage.
#
#   stop-postfix.sh DIR
set -uo pipefail
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

if [ "$#" -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
etc=$dir/etc
pidfile=$dir/spool/pid/master.pid

pid=""
if [ -f "$pidfile" ]; then pid=$(tr -d ' \n' <"$pidfile"); fi
case "$pid" in '' | *[!0-9]*) pid="" ;; esac

if [ -f "$etc/main.cf" ]; then
  timeout 20 /usr/sbin/postfix -c "$etc" stop >/dev/null 2>&1 || true
fi

# The master is gone only when its pid no longer runs master; kill it (and its children) if it stays.
is_our_master() { [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q master; }
for _ in $(seq 1 50); do
  is_our_master || break
  sleep 0.1
done
if is_our_master; then
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  sleep 0.5
  if is_our_master; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
fi
exit 0
