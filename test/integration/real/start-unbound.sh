#!/usr/bin/env bash
# Runs unbound, a real validating resolver, in the foreground for the real-policies integration test. It knows
# nothing of the internet: no root hints (an empty root-hints file, and a stub for "." at the lab's
# authoritative server, which refuses names it does not serve), no forwarders, no root trust anchor; only
# stub zones pointing at the lab's authoritative server, a trust anchor (a DS record) for the signed zone, and
# domain-insecure for the unsigned ones. Every answer it marks AD comes from its own DNSSEC validation.
#
#   start-unbound.sh DIR ADDR PORT AUTH_ADDR AUTH_PORT TRUST_ANCHOR_FILE SIGNED_ZONE [UNSIGNED_ZONE...]
#
# Checks the configuration (unbound-checkconf), then replaces itself with `unbound -d`: the caller stops it by
# signalling this process (SIGTERM). Exit 1 when the check fails, 2 bad usage.
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

if [ "$#" -lt 7 ]; then
  echo "usage: $0 DIR ADDR PORT AUTH_ADDR AUTH_PORT TRUST_ANCHOR_FILE SIGNED_ZONE [UNSIGNED_ZONE...]" >&2
  exit 2
fi
dir=$1
addr=$2
port=$3
auth_addr=$4
auth_port=$5
anchor=$6
signed=$7
shift 7
unsigned=("$@")
for a in "$addr" "$auth_addr"; do
  case "$a" in 127.*) ;; *) echo "start-unbound: addresses must be 127.x, not $a" >&2; exit 2 ;; esac
done
for p in "$port" "$auth_port"; do
  case "$p" in '' | *[!0-9]*) echo "start-unbound: bad port $p" >&2; exit 2 ;; esac
done
case "$dir" in /*) ;; *) echo "start-unbound: DIR must be absolute" >&2; exit 2 ;; esac
[ -s "$anchor" ] || { echo "start-unbound: trust anchor $anchor is empty or missing" >&2; exit 2; }

mkdir -p "$dir"
: >"$dir/root.hints"
conf=$dir/unbound.conf
{
  cat <<EOF
server:
  interface: $addr@$port
  port: $port
  outgoing-interface: $addr
  do-ip4: yes
  do-ip6: no
  do-udp: yes
  do-tcp: yes
  num-threads: 1
  so-reuseport: no
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: "$dir/unbound.pid"
  logfile: "$dir/unbound.log"
  use-syslog: no
  log-time-ascii: yes
  verbosity: 1
  val-log-level: 2
  # Every query it receives is logged: the test checks that mxsurvey asked it for mta-sts.<domain>.
  log-queries: yes
  access-control: 0.0.0.0/0 refuse
  access-control: 127.0.0.0/8 allow
  # The authoritative server listens on loopback too.
  do-not-query-localhost: no
  # Validator then iterator; the only key it trusts is the trust anchor below.
  module-config: "validator iterator"
  root-hints: "$dir/root.hints"
  trust-anchor-file: "$anchor"
  trust-anchor-signaling: no
  root-key-sentinel: no
  qname-minimisation: no
  prefetch: no
  target-fetch-policy: "0 0 0 0 0"
  # test. is one of unbound's default local zones (RFC 6761): serve our names instead.
  local-zone: "test." nodefault
EOF
  for z in "${unsigned[@]}"; do printf '  domain-insecure: "%s"\n' "$z"; done
  printf '\nremote-control:\n  control-enable: no\n'
  for z in . "$signed" "${unsigned[@]}"; do
    printf '\nstub-zone:\n  name: "%s"\n  stub-addr: %s@%s\n' "$z" "$auth_addr" "$auth_port"
  done
} >"$conf"

unbound-checkconf "$conf" >/dev/null
exec unbound -d -c "$conf"
