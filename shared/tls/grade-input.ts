/** The grade's inputs from a stored host row (grades are recomputable from stored facts). */

import type { HostRow } from "../schema/host-row.js";
import { type Grade, type GradeInput, gradeHost } from "./grade.js";

export function gradeInputFromRow(r: HostRow, extra: { mta_sts_enforced?: boolean | null } = {}): GradeInput {
  return {
    // No STARTTLS offered means no TLS at all (the row's starttls_ok stays null: STARTTLS was never tried). A
    // server that chose a suite this client cannot complete (3DES ...) completes handshakes with senders that
    // have it: graded on the facts it sent (versions, suites, certificate), not as a server without TLS.
    starttls_ok:
      r.starttls_offered === false ? false : r.failure === "tls_unsupported_by_client" ? true : r.starttls_ok,
    ssl2: r.ssl2,
    ssl3: r.ssl3,
    tls10: r.tls10,
    tls11: r.tls11,
    tls12: r.tls12,
    tls13: r.tls13,
    nist_r1_ok: r.nist_r1_ok,
    nist_r2_ok: r.nist_r2_ok,
    ciphers: r.ciphers,
    ciphers_complete: r.ciphers_complete,
    cert_trusted: r.cert_trusted,
    cert_expired: r.cert_expired,
    cert_name_matches_mx: r.cert_name_matches_mx,
    cert_key_type: r.cert_key_type,
    cert_key_bits: r.cert_key_bits,
    cert_sig_alg: r.cert_sig_alg,
    cert_not_after: r.cert_not_after,
    dane_valid: r.dane_status === null ? null : r.dane_status === "valid",
    mta_sts_enforced: extra.mta_sts_enforced ?? null,
    client_unsupported: r.failure === "tls_unsupported_by_client",
  };
}

/**
 * A row's grade: null without STARTTLS facts at all, or at --depth basic (the protocol versions are unknown, so
 * a letter would claim more than was measured); a host that does not offer STARTTLS is F.
 */
export function rowGrade(
  r: HostRow,
  now: Date,
  extra: { mta_sts_enforced?: boolean | null } = {},
): { grade: Grade | null; recommendations: string[] } {
  // At --depth basic the protocol versions are unknown, so a letter would claim more than was measured, and
  // grading only the hosts without STARTTLS would skew any statistic.
  if (r.starttls_offered === null || r.inventory_depth === "basic")
    return { grade: null, recommendations: [] };
  const g = gradeHost(gradeInputFromRow(r, extra), now);
  // Publishing MTA-STS or DANE is the domain's business: the domain row carries that advice, with the domain's
  // own MTA-STS state in view.
  return {
    grade: g.grade,
    recommendations: g.recommendations.map((x) => x.code).filter((c) => c !== "publish_mta_sts_or_dane"),
  };
}
