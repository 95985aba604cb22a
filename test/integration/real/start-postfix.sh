#!/usr/bin/env bash
# Starts a private Postfix instance for the real-servers integration test: its own config, queue and data
# directories under DIR, never the system instance, never port 25, and no way to deliver mail anywhere.
#
#   start-postfix.sh DIR PORT CERT_CHAIN_PEM KEY_PEM [LEAF_ONLY_PEM]
#
# Three smtpd listeners (four with LEAF_ONLY_PEM), all on PORT, each greeting with its own host name:
#   127.0.5.1  mx.real.lab.test        STARTTLS offered (smtpd_tls_security_level = may), protocol and key
#                                      exchange left to Postfix and OpenSSL (TLS 1.3, X25519)
#   127.0.5.2  mx.notls.real.lab.test  no STARTTLS (smtpd_tls_security_level = none)
#   127.0.5.3  mx2.real.lab.test       STARTTLS offered, TLS 1.2 at most, ECDHE on P-256 (prime256v1) only
#   127.0.5.4  mx.leafonly.real.lab.test  STARTTLS offered, sends LEAF_ONLY_PEM (the same leaf, without its CA)
# The certificate (CERT_CHAIN_PEM: leaf first, then its CA) serves the others.
# With LISTENERS="IP=NAME IP=NAME ..." in the environment, those listeners instead (all on PORT, STARTTLS offered
# with CERT_CHAIN_PEM, each greeting as its NAME; the first NAME is myhostname): the real-policies test uses
# 127.0.6.x this way.
# Stop it with stop-postfix.sh DIR. Logs go to DIR/log/maillog.
#
# Exit codes: 0 started and accepting connections on every address; 1 otherwise (the log tail on stderr);
# 2 bad usage.
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

if [ "$#" -ne 4 ] && [ "$#" -ne 5 ]; then
  echo "usage: $0 DIR PORT CERT_CHAIN_PEM KEY_PEM [LEAF_ONLY_PEM]" >&2
  exit 2
fi
dir=$1
port=$2
cert=$3
key=$4
leaf_only=${5:-}
addresses=(127.0.5.1 127.0.5.2 127.0.5.3)
if [ -n "$leaf_only" ]; then addresses+=(127.0.5.4); fi
myhostname=mx.real.lab.test
mydomain=real.lab.test
listeners=()
if [ -n "${LISTENERS:-}" ]; then
  addresses=()
  for l in $LISTENERS; do
    ip=${l%%=*}
    name=${l#*=}
    case "$ip" in 127.*) ;; *) echo "start-postfix: listener address must be 127.x, not $ip" >&2; exit 2 ;; esac
    case "$name" in '' | *[!a-z0-9.-]*) echo "start-postfix: bad listener name $name" >&2; exit 2 ;; esac
    addresses+=("$ip")
    listeners+=("$ip:$port inet n - n - - smtpd -o myhostname=$name")
  done
  myhostname=${LISTENERS%% *}
  myhostname=${myhostname#*=}
  mydomain=${myhostname#*.}
fi
case "$port" in '' | *[!0-9]*) echo "start-postfix: bad port $port" >&2; exit 2 ;; esac
if [ "$port" -eq 25 ]; then
  echo "start-postfix: refusing port 25 (the system instance's port)" >&2
  exit 2
fi
case "$dir" in /*) ;; *) echo "start-postfix: DIR must be absolute" >&2; exit 2 ;; esac

postfix=/usr/sbin/postfix
etc=$dir/etc
mkdir -p "$etc" "$dir/spool" "$dir/data" "$dir/log"
# Postfix's daemons drop to the postfix user: every directory on the way must be searchable.
chmod 755 "$dir" "$etc" "$dir/log"
chown postfix "$dir/data"

cat >"$etc/main.cf" <<EOF
# mxsurvey real-servers lab: receives probes only; delivers nothing, looks nothing up in DNS.
compatibility_level = 3.6
queue_directory = $dir/spool
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $dir/log/maillog
maillog_file_prefixes = $dir
biff = no

myhostname = $myhostname
mydomain = $mydomain
myorigin = \$myhostname
mydestination =
mynetworks = 127.0.0.0/8
# Postfix wants inet_interfaces to be interface addresses, and lo has only 127.0.0.1: the listeners in
# master.cf bind their own 127.0.5.x addresses; nothing binds 127.0.0.1 (no service without an address).
inet_interfaces = loopback-only
inet_protocols = ipv4

# No delivery, no relay, no outbound DNS.
relayhost =
default_transport = error:mxsurvey lab delivers nothing
relay_transport = error:mxsurvey lab delivers nothing
local_transport = error:mxsurvey lab delivers nothing
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtpd_peername_lookup = no
alias_maps =
alias_database =
local_recipient_maps =
smtpd_relay_restrictions = reject
smtpd_recipient_restrictions = reject

smtpd_banner = \$myhostname ESMTP mxsurvey real-servers lab
smtpd_tls_security_level = may
smtpd_tls_cert_file = $cert
smtpd_tls_key_file = $key
smtpd_tls_loglevel = 1
EOF

if [ "${#listeners[@]}" -gt 0 ]; then
  smtpd_services=$(printf '%s\n' "${listeners[@]}")
else
  smtpd_services="127.0.5.1:$port inet n - n - - smtpd
127.0.5.2:$port inet n - n - - smtpd -o myhostname=mx.notls.real.lab.test -o smtpd_tls_security_level=none
127.0.5.3:$port inet n - n - - smtpd -o myhostname=mx2.real.lab.test
  { -o smtpd_tls_protocols = >=TLSv1.2, <=TLSv1.2 } -o tls_eecdh_auto_curves=prime256v1
${leaf_only:+127.0.5.4:$port inet n - n - - smtpd -o myhostname=mx.leafonly.real.lab.test -o smtpd_tls_cert_file=$leaf_only}"
fi

cat >"$etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
$smtpd_services
cleanup   unix  n       -       n       -       0       cleanup
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
proxymap  unix  -       -       n       -       -       proxymap
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

# "check" creates the queue directories with their owners and modes, and refuses a broken configuration.
"$postfix" -c "$etc" check
if ! "$postfix" -c "$etc" start; then
  echo "start-postfix: postfix start failed; log tail:" >&2
  tail -n 30 "$dir/log/maillog" >&2 2>/dev/null || true
  exit 1
fi

# master -w returned after its own start-up; wait until each listener answers.
for ip in "${addresses[@]}"; do
  ok=0
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/$ip/$port") 2>/dev/null; then
      ok=1
      break
    fi
    sleep 0.1
  done
  if [ "$ok" -ne 1 ]; then
    echo "start-postfix: nothing listens on $ip:$port; log tail:" >&2
    tail -n 30 "$dir/log/maillog" >&2 2>/dev/null || true
    "$postfix" -c "$etc" stop >/dev/null 2>&1 || true
    exit 1
  fi
done
echo "start-postfix: listening on ${addresses[*]} port $port (pid $(tr -d ' \n' <"$dir/spool/pid/master.pid"))"
