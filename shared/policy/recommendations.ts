/**
 * Domain-level findings about the policies that make TLS mandatory (MTA-STS, DANE) and report on it (TLS-RPT):
 * stable codes, each with one sentence that says what to change. Computed from the domain row's own columns, so
 * they can be recomputed from stored rows. An enforced MTA-STS policy that the domain's own MX hosts fail is a
 * major finding: senders that honour the policy cannot deliver, so the domain's grade drops two letters.
 */

import type { Severity } from "../tls/grade.js";

export const DOMAIN_RECOMMENDATIONS: Readonly<Record<string, { severity: Severity; text: string }>> = {
  mta_sts_mx_failing: {
    severity: "major",
    text: "Give every MX host your enforced MTA-STS policy lists working STARTTLS with a trusted, in-date certificate naming it, or set the policy to testing: senders that honour it cannot deliver now.",
  },
  mta_sts_mx_mismatch: {
    severity: "major",
    text: "List every MX host in the MTA-STS policy's mx patterns: senders that honour the policy refuse the hosts it does not name.",
  },
  fix_mta_sts: {
    severity: "minor",
    text: "Fix the MTA-STS TXT record or policy file (see mta_sts_error): senders ignore a policy they cannot read.",
  },
  mta_sts_testing: {
    severity: "info",
    text: "Move the MTA-STS policy from testing to enforce once TLS-RPT reports show no failures.",
  },
  mta_sts_max_age_short: {
    severity: "info",
    text: "Raise the enforced MTA-STS policy's max_age to at least one day (86400), better a week or more.",
  },
  fix_dane: {
    severity: "major",
    text: "Fix the TLSA records or the DNSSEC chain of the MX hosts: senders that use DANE will not deliver while they fail.",
  },
  dane_needs_dnssec: {
    severity: "minor",
    text: "Sign the MX host's zone (and the domain's MX records) with DNSSEC: TLSA records without it are ignored.",
  },
  dane_single_record: {
    severity: "info",
    text: "Publish a second TLSA record for the next key or certificate before rolling over, so senders never see a mismatch.",
  },
  publish_mta_sts_or_dane: {
    severity: "info",
    text: "Publish an MTA-STS policy in enforce mode or DANE TLSA records (with DNSSEC), so senders require TLS instead of falling back to clear text.",
  },
  publish_tls_rpt: {
    severity: "info",
    text: "Publish a TLS-RPT record (_smtp._tls TXT with rua=) to receive reports of failed TLS deliveries.",
  },
  fix_tls_rpt: {
    severity: "minor",
    text: "Fix the TLS-RPT record (see tls_rpt_error): exactly one v=TLSRPTv1 record with rua= mailto: or https: URIs.",
  },
};

export interface PolicyFacts {
  mta_sts_status: "none" | "valid" | "invalid" | null;
  mta_sts_mode: string | null;
  mta_sts_mx_mismatch: readonly string[];
  mta_sts_mx_failing: readonly string[];
  mta_sts_warnings: readonly string[];
  tls_rpt_status: "none" | "valid" | "invalid" | null;
  dane_status: "none" | "valid" | "invalid" | "insecure" | "bogus" | null;
  dane_single_record_note: boolean;
}

/** The codes that apply to a domain, most severe first. Nothing is said about what was not checked. */
export function domainRecommendations(f: PolicyFacts): string[] {
  const out: string[] = [];
  const enforcing = f.mta_sts_status === "valid" && f.mta_sts_mode === "enforce";
  const testing = f.mta_sts_status === "valid" && f.mta_sts_mode === "testing";
  if (enforcing && f.mta_sts_mx_failing.length > 0) out.push("mta_sts_mx_failing");
  if (enforcing && f.mta_sts_mx_mismatch.length > 0) out.push("mta_sts_mx_mismatch");
  if (f.dane_status === "invalid" || f.dane_status === "bogus") out.push("fix_dane");
  if (f.mta_sts_status === "invalid") out.push("fix_mta_sts");
  if (f.dane_status === "insecure") out.push("dane_needs_dnssec");
  if (f.tls_rpt_status === "invalid") out.push("fix_tls_rpt");
  if (testing) out.push("mta_sts_testing");
  if (enforcing && f.mta_sts_warnings.includes("max_age_short")) out.push("mta_sts_max_age_short");
  if (f.dane_status === "valid" && f.dane_single_record_note) out.push("dane_single_record");
  const mandatory = enforcing || f.dane_status === "valid";
  if (!mandatory && f.mta_sts_status !== null && f.dane_status !== null) out.push("publish_mta_sts_or_dane");
  if (f.tls_rpt_status === "none") out.push("publish_tls_rpt");
  return out;
}

/** A major policy finding (severity major) lowers the domain's grade by two letters (one major deduction). */
export function hasMajorPolicyFinding(codes: readonly string[]): boolean {
  return codes.some((c) => DOMAIN_RECOMMENDATIONS[c]?.severity === "major");
}
