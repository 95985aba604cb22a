/**
 * Target address policy: a scanner must not be steered into internal networks. Every address is checked right
 * before connecting against the IANA special-purpose registries; a match is reported as `blocked_address` and
 * never contacted, unless `--allow-private-targets` lifts the policy (the lab needs it).
 *
 * Sources (ranges that are not "Globally Reachable", plus multicast and limited broadcast):
 *   https://www.iana.org/assignments/iana-ipv4-special-registry/  (RFC 6890 and successors)
 *   https://www.iana.org/assignments/iana-ipv6-special-registry/
 *   https://www.iana.org/assignments/multicast-addresses/, RFC 4291 §2.7 (IPv6 multicast)
 * Parsing and CIDR matching by ipaddr.js.
 */

import ipaddr from "ipaddr.js";

export type AddressDecision = { allowed: true } | { allowed: false; range: string; cidr: string };

const RANGES: readonly [cidr: string, name: string][] = [
  ["0.0.0.0/8", "this_network"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "cgnat"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link_local"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "ietf_protocol"],
  ["192.0.2.0/24", "documentation"],
  ["192.88.99.0/24", "6to4_relay"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  ["224.0.0.0/4", "multicast"],
  // More specific before less specific: the first match names the range.
  ["255.255.255.255/32", "broadcast"],
  ["240.0.0.0/4", "reserved"],
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["::ffff:0:0/96", "ipv4_mapped"],
  ["::/96", "ipv4_compatible"],
  ["64:ff9b:1::/48", "translation"],
  ["100::/64", "discard"],
  ["2001::/23", "ietf_protocol"],
  ["2001:db8::/32", "documentation"],
  ["2002::/16", "6to4"],
  ["3fff::/20", "documentation"],
  ["5f00::/16", "srv6"],
  ["fc00::/7", "unique_local"],
  ["fe80::/10", "link_local"],
  ["fec0::/10", "site_local"],
  ["ff00::/8", "multicast"],
];

const PARSED = RANGES.map(([cidr, name]) => ({ cidr, name, range: ipaddr.parseCIDR(cidr) }));
const NAT64 = ipaddr.parseCIDR("64:ff9b::/96");

function lookup(addr: ipaddr.IPv4 | ipaddr.IPv6): { name: string; cidr: string } | null {
  for (const r of PARSED) {
    if (addr.kind() === r.range[0].kind() && addr.match(r.range)) return { name: r.name, cidr: r.cidr };
  }
  return null;
}

/** Decide whether `ip` may be contacted. An unparsable address is never allowed. */
export function checkTargetAddress(ip: string, allowPrivateTargets: boolean): AddressDecision {
  if (!ipaddr.isValid(ip)) return { allowed: false, range: "invalid", cidr: "" };
  if (allowPrivateTargets) return { allowed: true };
  const addr = ipaddr.parse(ip);
  const hit = lookup(addr);
  if (hit) return { allowed: false, range: hit.name, cidr: hit.cidr };
  // The NAT64 well-known prefix is globally reachable, but it must not smuggle in a special IPv4 address.
  if (addr.kind() === "ipv6" && addr.match(NAT64)) {
    const bytes = (addr as ipaddr.IPv6).toByteArray().slice(12);
    const inner = lookup(ipaddr.fromByteArray(bytes));
    if (inner) return { allowed: false, range: `nat64_${inner.name}`, cidr: inner.cidr };
  }
  return { allowed: true };
}
