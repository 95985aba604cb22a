/**
 * The result of fetching an MTA-STS policy (RFC 8461 §3.3) as plain data: what the worker's fetch
 * (worker/probes/mta-sts-fetch.ts) returns and what the evaluation (shared/policy/mta-sts.ts) reads. It
 * crosses threads and processes unchanged; numbers (the HTTP status) live in their own fields.
 */

import type { CertError } from "../cert-errors.js";
import type { DnsRcode } from "../dns/types.js";
import { DNS_FAILURES, type Failure, type Phase } from "../failures.js";

/** Where inside the policy_fetch phase a fetch stopped. */
export const POLICY_FETCH_STEPS = ["resolve", "connect", "tls_handshake", "headers", "body"] as const;
export type PolicyFetchStep = (typeof POLICY_FETCH_STEPS)[number];

/** The failures a policy fetch can end with: a subset of the closed vocabulary (shared/failures.ts). */
export const POLICY_FETCH_FAILURES = [
  ...DNS_FAILURES,
  "blocked_address",
  "connection_refused",
  "host_unreachable",
  "network_unreachable",
  "connection_reset",
  "connection_closed",
  "tls_alert",
  "tls_protocol_version",
  "tls_no_shared_cipher",
  "tls_handshake_failed",
  "policy_cert_untrusted",
  "policy_cert_name_mismatch",
  "policy_redirect",
  "policy_http_status",
  "policy_content_type",
  "policy_too_large",
  "policy_timeout",
  "policy_http_error",
  "policy_headers_too_large",
  "unknown_failure",
] as const satisfies readonly Failure[];
export type PolicyFetchFailure = (typeof POLICY_FETCH_FAILURES)[number];

export interface PolicyFetchResult {
  /** A policy body was retrieved by the rules of RFC 8461 §3.3 (200, text/plain, within the size limit). */
  ok: boolean;
  /** `https://mta-sts.<domain>/.well-known/mta-sts.txt` (the port only when it is not 443). */
  url: string;
  /** Addresses `mta-sts.<domain>` resolved to (A, and AAAA with ipv6), in the order tried. */
  addresses: string[];
  /** rcode of the address lookup; null when not reached. */
  dns_rcode: DnsRcode | null;
  /** The address whose outcome this is (the last one tried); null when none was contacted. */
  ip: string | null;
  /** HTTP status code; null when no response head arrived. */
  status: number | null;
  /** The Content-Type header as sent; null when absent or not reached. */
  contentType: string | null;
  /** The Location header of a 3xx (never followed). */
  location: string | null;
  /** The policy text (UTF-8) when ok; null otherwise. */
  body: string | null;
  /** Body bytes read (up to the limit, which stops reading); null when the body was not read. */
  body_bytes: number | null;
  failure: PolicyFetchFailure | null;
  /** "policy_fetch" when failure is set. */
  phase: Phase | null;
  step: PolicyFetchStep | null;
  /** What we saw, for people. */
  detail: string | null;
  /** OpenSSL path validation of the policy host's certificate against Node's roots plus --ca-file. */
  cert_trusted: boolean | null;
  cert_error: CertError | null;
  cert_error_code: string | null;
  /** The certificate names mta-sts.<domain> (RFC 6125; shared/names.ts). */
  cert_name_matches: boolean | null;
  tls_version: string | null;
  duration_ms: number;
}
