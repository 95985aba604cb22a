#!/usr/bin/env bash
# Installs, from Debian's packages and only when absent, what the real-policies integration test drives on top
# of install-deps.sh (Postfix, NSD, dig, openssl): unbound (validating resolver), nginx (serves the MTA-STS
# policy over HTTPS), ldnsutils (ldns-keygen, ldns-signzone, ldns-key2ds: DNSSEC signing) and curl.
#
# Idempotent: exits 0 at once when everything is there. Never starts the system's services: while installing,
# a policy-rc.d that refuses every service start is put in place when the machine has none (then removed),
# and nothing here enables them.
#
# Exit codes: 0 everything present; 1 the install failed (message on stderr); 2 not root and no sudo.
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have unbound || need+=(unbound)
have unbound-checkconf || need+=(unbound)
have nginx || need+=(nginx-light)
have ldns-signzone || need+=(ldnsutils)
have ldns-keygen || need+=(ldnsutils)
have ldns-key2ds || need+=(ldnsutils)
have curl || need+=(curl)
have openssl || need+=(openssl)
# dedupe
mapfile -t need < <(printf '%s\n' "${need[@]}" | awk 'NF && !seen[$0]++')

if [ "${#need[@]}" -eq 0 ]; then
  echo "install-policy-deps: unbound, nginx, ldns-signzone, curl, openssl all present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "install-policy-deps: missing ${need[*]} and not root (no password-less sudo) to install them" >&2
    exit 2
  fi
fi

echo "install-policy-deps: installing ${need[*]} from Debian's packages"
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# temporary, from mxsurvey test/integration/real/install-policy-deps.sh\nexit 101\n' |
    "${SUDO[@]}" tee "$policy" >/dev/null
  "${SUDO[@]}" chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" -eq 1 ]; then "${SUDO[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

apt_opts=(-y -q -o DPkg::Lock::Timeout=300 --no-install-recommends)
if ! "${SUDO[@]}" apt-get update -q; then
  echo "install-policy-deps: apt-get update failed (is Debian's package mirror reachable?)" >&2
  exit 1
fi
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" "${need[@]}"; then
  echo "install-policy-deps: apt-get install ${need[*]} failed" >&2
  exit 1
fi

for cmd in unbound unbound-checkconf nginx ldns-keygen ldns-signzone ldns-key2ds curl openssl; do
  if ! have "$cmd"; then
    echo "install-policy-deps: $cmd still missing after the install" >&2
    exit 1
  fi
done
echo "install-policy-deps: done"
