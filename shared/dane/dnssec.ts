/**
 * The DNSSEC state of a DNS answer (RFC 4033 §5 vocabulary), as a stub behind a validating resolver sees it:
 * the resolver's AD flag (RFC 4035 §3.2.3, asked for with the DO bit, RFC 3225) and the rcode.
 *
 *   NOERROR or NXDOMAIN with AD  → secure         (records, or their denial, validated)
 *   NOERROR or NXDOMAIN, no AD   → insecure       (unsigned zone, or a resolver that does not validate)
 *   SERVFAIL                     → bogus          (what a validating resolver answers for data that fails
 *                                                  validation, RFC 4035 §5.5; a broken server looks the same)
 *   TIMEOUT, REFUSED, FORMERR... → indeterminate  (no usable answer: nothing is known)
 *   a CNAME loop                 → indeterminate
 *
 * RFC 7672 §2.1.1 makes bogus and indeterminate lookups of MX, address and TLSA records failures for a DANE
 * client (it must not deliver, or defer), unlike the insecure case, which only means DANE does not apply.
 *
 * When TLSA records count (RFC 7672 §2.2): only when the TLSA RRset is secure, the MX RRset that named the
 * host is secure (§2.2.1; an insecure MX answer could have been forged to name an attacker's host, whose
 * TLSA records would then "match"), and the host's address records are secure (§2.2.2, §2.2.3; Postfix,
 * written by the RFC's author, skips TLSA lookups for hosts with insecure address records, unless the host
 * name is a CNAME that is itself secure).
 */

import type { DnsRcode } from "../dns/types.js";

export const DNSSEC_STATES = ["secure", "insecure", "bogus", "indeterminate"] as const;
export type DnssecState = (typeof DNSSEC_STATES)[number];

/** The state of one answer from its rcode and AD flag. */
export function dnssecState(a: { rcode: DnsRcode; ad: boolean; cnameLoop?: boolean }): DnssecState {
  if (a.cnameLoop) return "indeterminate";
  switch (a.rcode) {
    case "NOERROR":
    case "NXDOMAIN":
      return a.ad ? "secure" : "insecure";
    case "SERVFAIL":
      return "bogus";
    default:
      return "indeterminate";
  }
}

const RANK: Record<DnssecState, number> = { secure: 0, insecure: 1, indeterminate: 2, bogus: 3 };

/**
 * The state of several answers taken together (A and AAAA, the links of a CNAME chain): the worst one,
 * bogus > indeterminate > insecure > secure. No answers at all → null.
 */
export function combineStates(states: readonly DnssecState[]): DnssecState | null {
  let worst: DnssecState | null = null;
  for (const s of states) if (worst === null || RANK[s] > RANK[worst]) worst = s;
  return worst;
}

export interface DaneDnssecStates {
  /** The MX RRset that named the host; null when no MX lookup was involved (a host probed directly). */
  mx: DnssecState | null;
  /**
   * The host's standing for DANE: secure when its address records are secure, or when the host name is a
   * CNAME that is secure even though its target's addresses are not (then only the original name is a TLSA
   * base domain). See lookup.ts.
   */
  host: DnssecState;
  /** The TLSA RRset (or its denial), the CNAME links to it included. */
  tlsa: DnssecState;
}

/** RFC 7672 §2.2: TLSA records count only when every lookup that led to them is secure. */
export function tlsaCounts(s: DaneDnssecStates): boolean {
  return s.tlsa === "secure" && s.host === "secure" && (s.mx === null || s.mx === "secure");
}
