/**
 * Would a sender that requires authenticated TLS (an MTA-STS policy in enforce mode, RFC 8461 §4.2; a STARTTLS
 * policy list entry in enforce mode) deliver to this MX host? From host rows alone, so it can be recomputed
 * from storage: STARTTLS offered and the handshake completed, the certificate chains to a trusted root
 * (path validation), is in date, and names the MX host itself (RFC 6125: DNS SANs, else the CN; a wildcard
 * for one leftmost label). A certificate that names only the mail domain does not count here: the policy
 * authenticates the MX host.
 *
 * A row that never reached the STARTTLS question (unreachable, DNS failure, blocked, SMTP failure) is "not
 * tested": the sender would fail there too, but not because of the policy.
 */

import { certNamesHost } from "../names.js";
import type { HostRow } from "../schema/host-row.js";
import { certTrustedInDate } from "../verdict.js";

/** The host row facts the policy checks read. */
export type PolicyHostFacts = Pick<
  HostRow,
  | "hostname"
  | "starttls_offered"
  | "starttls_ok"
  | "tls_version"
  | "cert_trusted"
  | "cert_expired"
  | "cert_not_yet_valid"
  | "cert_sans"
  | "cert_subject_cn"
>;

export type MxTlsVerdict =
  | "ok"
  | "no_starttls"
  | "tls_failed"
  | "cert_untrusted" // path validation failed, or the leaf is out of date
  | "cert_name_mismatch"
  | "not_tested";

export function mxTlsVerdict(r: PolicyHostFacts): MxTlsVerdict {
  if (r.starttls_offered === false) return "no_starttls";
  if (r.starttls_ok === false) return "tls_failed";
  if (r.starttls_ok !== true || r.tls_version === null) return "not_tested";
  if (!certTrustedInDate(r)) return "cert_untrusted";
  if (!certNamesHost(r.hostname, r.cert_sans, r.cert_subject_cn)) return "cert_name_mismatch";
  return "ok";
}

/** Distinct host names of the rows, in first-seen order (rows are per host and address). */
export function hostNames(rows: readonly Pick<HostRow, "hostname">[]): string[] {
  return [...new Set(rows.map((r) => r.hostname.toLowerCase().replace(/\.$/, "")))];
}

/**
 * Host names with at least one row a policy-honouring sender would refuse to deliver to (any tested verdict
 * other than ok), in first-seen order, restricted to `among` when given.
 */
export function failingHosts(rows: readonly PolicyHostFacts[], among?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const name = r.hostname.toLowerCase().replace(/\.$/, "");
    if (among && !among.has(name)) continue;
    const v = mxTlsVerdict(r);
    if (v !== "ok" && v !== "not_tested" && !out.includes(name)) out.push(name);
  }
  return out;
}
