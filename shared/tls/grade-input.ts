/** The grade's inputs from a stored host row (grades are recomputable from stored facts). */

import type { HostRow } from "../schema/host-row.js";
import { type ForcedTlsHost, forcedTlsEligible, type Grade, type GradeInput, gradeHost } from "./grade.js";

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

/** The facts LuxSci's Forced TLS rule reads, from a stored host row (no STARTTLS offered is no TLS). */
export function forcedTlsHostFromRow(r: HostRow): ForcedTlsHost {
  return {
    starttls_ok: r.starttls_offered === false ? false : r.starttls_ok,
    tls10: r.tls10,
    tls12: r.tls12,
    nist_r1_ok: r.nist_r1_ok,
  };
}

/**
 * LuxSci's Forced TLS eligibility over a domain's probed host rows: false as soon as one host has no working
 * STARTTLS (known at any --depth) or fails another rule; true only when every rule is measured and met (which
 * needs the TLS inventory); null otherwise.
 */
export function forcedTlsFromRows(rows: readonly HostRow[]): boolean | null {
  return forcedTlsEligible(rows.map(forcedTlsHostFromRow));
}

/**
 * What to change that a row's measured facts already show, at any depth: the grade's recommendations, or at
 * --depth basic (no grade) those the rubric gives for the facts measured — no STARTTLS, an untrusted or expired
 * certificate, a weak key — since an unmeasured fact recommends nothing. The domain-level advice (MTA-STS, DANE)
 * is left to the domain row.
 */
export function rowAdvice(r: HostRow, now: Date): string[] {
  if (r.grade !== null) return r.recommendations;
  if (r.starttls_offered === null) return [];
  return gradeHost(gradeInputFromRow(r), now)
    .recommendations.map((x) => x.code)
    .filter((c) => c !== "publish_mta_sts_or_dane");
}
