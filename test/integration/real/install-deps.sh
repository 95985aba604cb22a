#!/usr/bin/env bash
# Installs, from Debian's packages and only when absent, the real servers and tools the real-servers
# integration test drives: Postfix (SMTP server), NSD (authoritative DNS server), dig and openssl.
#
# Idempotent: exits 0 at once when everything is there. Never starts the system's services: Postfix is
# preseeded to "No configuration" (no /etc/postfix/main.cf, so nothing to start), and while installing a
# policy-rc.d that refuses every service start is put in place when the machine has none (then removed).
#
# Exit codes: 0 everything present; 1 the install failed (message on stderr); 2 not root and no sudo.
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have postfix || need+=(postfix)
have nsd || need+=(nsd)
have dig || need+=(dnsutils)
have openssl || need+=(openssl)
have timeout || need+=(coreutils)

if [ "${#need[@]}" -eq 0 ]; then
  echo "install-deps: postfix, nsd, dig, openssl all present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "install-deps: missing ${need[*]} and not root (no password-less sudo) to install them" >&2
    exit 2
  fi
fi

echo "install-deps: installing ${need[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | "${SUDO[@]}" debconf-set-selections
echo "postfix postfix/mailname string mx.real.lab.test" | "${SUDO[@]}" debconf-set-selections

policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# temporary, from mxsurvey test/integration/real/install-deps.sh\nexit 101\n' |
    "${SUDO[@]}" tee "$policy" >/dev/null
  "${SUDO[@]}" chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" -eq 1 ]; then "${SUDO[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

apt_opts=(-y -q -o DPkg::Lock::Timeout=300 --no-install-recommends)
# The package lists may be missing or stale on a fresh machine: update once, then install.
if ! "${SUDO[@]}" apt-get update -q; then
  echo "install-deps: apt-get update failed (is Debian's package mirror reachable?)" >&2
  exit 1
fi
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" "${need[@]}"; then
  echo "install-deps: apt-get install ${need[*]} failed" >&2
  exit 1
fi

for cmd in postfix nsd dig openssl timeout; do
  if ! have "$cmd"; then
    echo "install-deps: $cmd still missing after the install" >&2
    exit 1
  fi
done
echo "install-deps: done"
