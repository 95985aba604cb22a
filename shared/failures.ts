/**
 * The closed failure vocabulary and the phases a probe can fail in.
 *
 * A failure name says *what* the target (or the network) did; the phase says *when*. Numbers (SMTP reply
 * codes, TLS alerts, DNS rcodes) live in their own row fields, never inside a name. Anything we cannot map is
 * `unknown_failure` with the raw text kept as `failure_detail`.
 */

export const PHASES = [
  "resolve",
  "connect",
  "banner",
  "ehlo",
  "starttls",
  "tls_handshake",
  "ehlo_tls",
  "job",
  "policy_fetch",
] as const;
export type Phase = (typeof PHASES)[number];

export const FAILURES = [
  // resolve
  "dns_nxdomain", // the name does not exist
  "dns_no_address", // the name exists but has no A (or AAAA) records
  "dns_servfail", // the resolver answered SERVFAIL (DNSSEC bogus looks like this too)
  "dns_refused", // the resolver answered REFUSED
  "dns_timeout", // no resolver answered within the timeout, on every retry
  "dns_error", // any other rcode, or an answer we could not decode
  "dns_cname_loop", // CNAME chain longer than the cap, or looping
  "mx_ip_literal", // the MX target is an IP address literal, not a host name (RFC 5321 §5.1)
  // connect
  "blocked_address", // the target address is special-purpose and --allow-private-targets is off
  "connection_refused",
  "connect_timeout",
  "host_unreachable",
  "network_unreachable",
  "connection_reset",
  "connection_closed", // orderly EOF where the protocol expected more
  // SMTP
  "banner_timeout", // not one byte of a greeting within --smtp-timeout
  "banner_rejected", // greeting with a 4xx/5xx code (smtp_banner_code holds it)
  "ehlo_rejected", // EHLO and the HELO fallback both refused
  "starttls_rejected", // STARTTLS answered with anything but 220 (starttls_reply_code holds it)
  "smtp_timeout", // no byte of a reply within --smtp-timeout
  "partial_reply_timeout", // bytes kept coming but no complete reply within the phase timeout (a drip)
  "smtp_protocol_error", // bytes that are not an SMTP reply
  "reply_too_long", // a line, a reply or the connection exceeded our byte or line bounds
  // TLS
  "tls_timeout", // the handshake did not finish within --tls-timeout
  "tls_alert", // the server sent a fatal alert (tls_alert holds the description)
  "tls_protocol_version", // no protocol version in common
  "tls_no_shared_cipher",
  "tls_handshake_failed", // any other handshake failure
  "tls_unsupported_by_client", // the server chose a version or suite our OpenSSL cannot complete (3DES, RC4, SSLv3 ...)
  "tls_too_large", // more TLS bytes than our budget without a completed handshake or an answer (a record flood)
  // whole job
  "deadline_exceeded", // the per-host overall deadline ran out
  "job_failed", // a distributed job that exhausted its redeliveries
  "unknown_failure",
  // MTA-STS policy fetch (RFC 8461 §3.3; phase policy_fetch; the HTTP status lives in its own field)
  "policy_cert_untrusted", // the policy host's certificate does not validate (cert_error says why)
  "policy_cert_name_mismatch", // the certificate does not name mta-sts.<domain>
  "policy_redirect", // any 3xx: redirects must not be followed
  "policy_http_status", // a status other than 200 (and not 3xx)
  "policy_content_type", // the media type is not text/plain
  "policy_too_large", // the body exceeds the size limit (64 KiB); reading stopped
  "policy_timeout", // connect, TLS handshake, headers or body did not finish within its timeout
  "policy_http_error", // the server's bytes are not a well-formed HTTP/1.1 response
  "policy_headers_too_large", // the response heads (interim 1xx ones included) exceed the byte budget; reading stopped
] as const;
export type Failure = (typeof FAILURES)[number];

/** A failure as plain data: crosses threads and processes unchanged. */
export interface ProbeFailure {
  failure: Failure;
  phase: Phase;
  detail: string;
}

/** The failures of a DNS lookup (phase `resolve`), as a typed subset of the vocabulary. */
export const DNS_FAILURES = [
  "dns_nxdomain",
  "dns_no_address",
  "dns_servfail",
  "dns_refused",
  "dns_timeout",
  "dns_error",
  "dns_cname_loop",
] as const satisfies readonly Failure[];
