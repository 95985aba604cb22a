/**
 * Verdicts, recomputable from stored rows.
 *
 * Host status: from one host row; the certificate is valid when the path validates (trusted), the leaf is in
 * date, and a name matches the MX host.
 * Domain status (the EFF STARTTLS checker's rule): only the highest-priority MX hosts (lowest preference value)
 * decide; backup MX hosts are reported but do not count. For the domain a certificate is also valid when it
 * names the mail domain instead of the MX host. The verdict is the first status of DOMAIN_SEVERITY that any
 * primary row has — a measured weakness outranks a host we could not test.
 */

import { DNS_FAILURES, type Failure } from "./failures.js";
import { certNamesHost } from "./names.js";
import type { HostRow } from "./schema/host-row.js";
import { DOMAIN_SEVERITY, type DomainStatus, type HostStatus } from "./status.js";

/** Failures that mean the host has no address to probe: its status is dns_failed. */
const NO_ADDRESS: ReadonlySet<Failure> = new Set<Failure>([...DNS_FAILURES, "mx_ip_literal"]);

type CertFields = Pick<
  HostRow,
  "tls_version" | "cert_trusted" | "cert_expired" | "cert_not_yet_valid" | "cert_sans" | "cert_subject_cn"
>;

/** Trusted and in date: the name-independent half of "valid". */
export function certTrustedInDate(r: CertFields): boolean {
  return r.cert_trusted === true && r.cert_expired === false && r.cert_not_yet_valid === false;
}

export function certNamesDomain(r: CertFields, domain: string): boolean {
  return r.tls_version !== null && certNamesHost(domain, r.cert_sans, r.cert_subject_cn);
}

/** Resolver failures that say nothing about the name: another try may answer. */
const DNS_INCONCLUSIVE: ReadonlySet<Failure> = new Set<Failure>([
  "dns_servfail",
  "dns_refused",
  "dns_timeout",
]);

const temporary = (code: number | null) => code !== null && code >= 400 && code < 500;

type InconclusiveFields = Pick<
  HostRow,
  "failure" | "failure_phase" | "starttls_offered" | "smtp_banner_code" | "ehlo_reply_code"
>;

/**
 * The server (or the resolver) said "not now" rather than "not so", before EHLO showed whether STARTTLS is
 * offered: a 4xx greeting (421 too many connections), a tarpit (no greeting, or no EHLO reply, within
 * --smtp-timeout), a 4xx to EHLO and HELO, a reset or close right after connect or the greeting, a resolver
 * that answered SERVFAIL or REFUSED or never answered.
 */
export function isInconclusive(r: InconclusiveFields): boolean {
  if (r.failure === null) return false;
  if (DNS_INCONCLUSIVE.has(r.failure)) return true;
  if (r.starttls_offered !== null) return false;
  const early = r.failure_phase === "banner" || r.failure_phase === "ehlo";
  switch (r.failure) {
    case "banner_rejected":
      return temporary(r.smtp_banner_code);
    case "ehlo_rejected":
      return temporary(r.ehlo_reply_code);
    case "banner_timeout":
      return true;
    case "smtp_timeout":
      return r.failure_phase === "ehlo";
    case "connection_reset":
      // At connect too: a reset (not a refusal) means the TCP handshake completed and was then torn down.
      return early || r.failure_phase === "connect";
    case "connection_closed":
      return early;
    default:
      return false;
  }
}

/** Inconclusive, and a second try a little later can tell more: a rate limit or a reset, not a tarpit. */
export function worthRetrying(r: InconclusiveFields): boolean {
  return (
    isInconclusive(r) &&
    r.failure_phase !== "resolve" &&
    r.failure !== "banner_timeout" &&
    r.failure !== "smtp_timeout"
  );
}

export function hostStatus(r: HostRow): HostStatus {
  if (r.failure === "blocked_address") return "blocked";
  if (isInconclusive(r)) return "inconclusive";
  if (r.failure && NO_ADDRESS.has(r.failure)) return "dns_failed";
  // tls_version alone is not enough: it also holds the server's choice when no handshake completed.
  if (r.starttls_ok === true && r.tls_version !== null) {
    return certTrustedInDate(r) && r.cert_name_matches_mx === true ? "ok" : "cert_invalid";
  }
  if (r.failure === "tls_unsupported_by_client") return "tls_unsupported_by_client";
  if (r.starttls_offered === true) return "tls_failed";
  if (r.starttls_offered === false) return "no_starttls";
  if (r.failure_phase === "connect" || r.failure_phase === "job") return "unreachable";
  return "smtp_failed";
}

/** The host status a row has for one mail domain: a certificate naming the domain also counts. */
export function hostStatusForDomain(r: HostRow, domain: string): HostStatus {
  const s = hostStatus(r);
  if (s === "cert_invalid" && certTrustedInDate(r) && certNamesDomain(r, domain)) return "ok";
  return s;
}

export function domainStatusFromPrimaries(primaryRows: readonly HostRow[], domain: string): DomainStatus {
  const statuses = new Set(primaryRows.map((r) => hostStatusForDomain(r, domain)));
  for (const s of DOMAIN_SEVERITY) {
    if (statuses.has(s)) return s === "ok" ? "valid" : s;
  }
  return "unreachable";
}
