#!/usr/bin/env bash
# Runs NSD, a real authoritative DNS server, in the foreground for the real-servers integration test: one zone,
# one loopback address and port, every file under DIR, no zone transfers, no remote control, no privilege drop.
#
#   start-nsd.sh DIR ADDR PORT ZONE_NAME ZONE_FILE [ZONE_NAME ZONE_FILE]...
#
# Checks the configuration and the zone first (nsd-checkconf, nsd-checkzone), then replaces itself with
# `nsd -d`: the caller stops it by signalling this process (SIGTERM). Exit 1 when a check fails, 2 bad usage.
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

if [ "$#" -lt 5 ] || [ $((($# - 3) % 2)) -ne 0 ]; then
  echo "usage: $0 DIR ADDR PORT ZONE_NAME ZONE_FILE [ZONE_NAME ZONE_FILE]..." >&2
  exit 2
fi
dir=$1
addr=$2
port=$3
shift 3
zones=("$@")
case "$addr" in 127.*) ;; *) echo "start-nsd: ADDR must be a 127.x address, not $addr" >&2; exit 2 ;; esac
case "$port" in '' | *[!0-9]*) echo "start-nsd: bad port $port" >&2; exit 2 ;; esac
case "$dir" in /*) ;; *) echo "start-nsd: DIR must be absolute" >&2; exit 2 ;; esac

mkdir -p "$dir"
conf=$dir/nsd.conf
cat >"$conf" <<EOF
server:
  ip-address: $addr@$port
  port: $port
  do-ip4: yes
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$dir"
  database: ""
  zonelistfile: "$dir/zone.list"
  xfrdfile: "$dir/xfrd.state"
  xfrdir: "$dir"
  pidfile: "$dir/nsd.pid"
  logfile: "$dir/nsd.log"
  server-count: 1
  verbosity: 1
  hide-version: yes
  hide-identity: yes

remote-control:
  control-enable: no
EOF
for ((i = 0; i < ${#zones[@]}; i += 2)); do
  printf '\nzone:\n  name: "%s"\n  zonefile: "%s"\n' "${zones[i]}" "${zones[i + 1]}" >>"$conf"
done

nsd-checkconf "$conf"
for ((i = 0; i < ${#zones[@]}; i += 2)); do
  nsd-checkzone "${zones[i]}" "${zones[i + 1]}"
done
exec nsd -d -c "$conf"
