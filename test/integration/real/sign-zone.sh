#!/usr/bin/env bash
# Signs a zone with ldns (ldnsutils), the way an operator would: a fresh KSK (flags 257, SEP) and ZSK (256),
# ECDSA P-256/SHA-256 (algorithm 13), NSEC, signatures valid from yesterday for 30 days.
#
#   sign-zone.sh DIR ZONE_NAME ZONE_FILE
#
# Writes into DIR: the keys (K<zone>.+013+<tag>.{key,private,ds}), ZONE_FILE.signed (what the authoritative
# server serves: the zone, its DNSKEY RRset, RRSIGs and NSEC chain) and trust-anchor.ds, the KSK's DS record
# (SHA-256 digest), which a validating resolver takes as the trust anchor of the zone. Prints the DS record.
# Exit 1 when a tool fails, 2 bad usage.
set -euo pipefail
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

if [ "$#" -ne 3 ]; then
  echo "usage: $0 DIR ZONE_NAME ZONE_FILE" >&2
  exit 2
fi
dir=$1
zone=$2
zonefile=$3
case "$dir" in /*) ;; *) echo "sign-zone: DIR must be absolute" >&2; exit 2 ;; esac
mkdir -p "$dir"
cd "$dir"

# ldns-keygen prints the base name of the files it wrote (K<zone>.+013+<tag>).
ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$zone")
zsk=$(ldns-keygen -a ECDSAP256SHA256 "$zone")
rm -f "$zsk.ds"
ldns-key2ds -n -2 "$ksk.key" >trust-anchor.ds

inception=$(date -u -d '1 day ago' +%Y%m%d%H%M%S)
expiration=$(date -u -d '30 days' +%Y%m%d%H%M%S)
# The DNSKEY records of both keys are added to the zone by ldns-signzone itself.
ldns-signzone -i "$inception" -e "$expiration" -f "$zonefile.signed" "$zonefile" "$ksk" "$zsk"
# A sanity check of what was signed, as a validator would do it, with the trust anchor.
ldns-verify-zone -k trust-anchor.ds "$zonefile.signed" >/dev/null 2>verify.err || {
  echo "sign-zone: ldns-verify-zone refuses $zonefile.signed:" >&2
  cat verify.err >&2
  exit 1
}
cat trust-anchor.ds
