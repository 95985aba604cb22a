/**
 * Plain words for the closed vocabularies the text report shows — host and domain statuses, failures, certificate
 * errors — one entry per name, keyed by the vocabulary (shared/status.ts, shared/failures.ts,
 * shared/cert-errors.ts). Each table is a Record over its vocabulary: a new name without an entry here does not
 * compile. The raw evidence (OpenSSL's strings, the
 * server's replies) stays in the JSON rows' `failure_detail`.
 */

import type { CertError } from "../../shared/cert-errors.js";
import type { Failure } from "../../shared/failures.js";
import type { DomainStatus, HostStatus } from "../../shared/status.js";

export const HOST_STATUS_WORDS: Record<HostStatus, string> = {
  ok: "STARTTLS with a valid certificate",
  cert_invalid: "encrypted, but the certificate cannot be verified",
  tls_failed: "offers STARTTLS, but the TLS handshake fails",
  tls_unsupported_by_client:
    "offers STARTTLS, but chose a protocol or suite this client cannot complete (3DES, RC4, SSLv3 ...)",
  no_starttls: "STARTTLS not offered: mail travels in clear text",
  smtp_failed: "not tested past the SMTP greeting or EHLO",
  inconclusive: "not now rather than not so: rate-limited, tarpitted, reset, or its address lookup failed",
  unreachable: "no connection",
  dns_failed: "no address to connect to",
  blocked: "not contacted (a special-purpose address)",
};

export const DOMAIN_STATUS_WORDS: Record<DomainStatus, string> = {
  valid: "every primary MX host offers STARTTLS with a valid certificate",
  cert_invalid: "mail is encrypted, but a primary MX host's certificate cannot be verified",
  tls_failed: "a primary MX host offers STARTTLS, but its TLS handshake fails",
  tls_unsupported_by_client:
    "a primary MX host negotiates only a protocol or suite this client cannot complete (3DES, RC4, SSLv3 ...)",
  no_starttls: "a primary MX host does not offer STARTTLS: mail to it travels in clear text",
  smtp_failed: "a primary MX host could not be tested past its SMTP greeting or EHLO",
  inconclusive: "a primary MX host rate-limited, tarpitted or reset the connection: try again later",
  unreachable: "a primary MX host did not accept a connection",
  dns_failed: "a primary MX host name has no address",
  blocked: "a primary MX host has a special-purpose address and was not contacted",
  no_mail: "null MX (RFC 7505): the domain accepts no mail",
  no_mx: "no MX and no address records: the domain cannot receive mail",
  dns_error: "the MX lookup failed, so no MX host could be checked",
};

export const FAILURE_WORDS: Record<Failure, string> = {
  dns_nxdomain: "the name does not exist (NXDOMAIN)",
  dns_no_address: "the name has no address record",
  dns_servfail: "the resolver could not answer (SERVFAIL; failing DNSSEC looks like this too)",
  dns_refused: "the resolver refused the query",
  dns_timeout: "no DNS answer within --dns-timeout, on every retry",
  dns_error: "an unusable DNS answer",
  dns_cname_loop: "a CNAME chain that loops or is too long",
  mx_ip_literal: "the MX record names an IP address, not a host name (RFC 5321 §5.1)",
  blocked_address: "a special-purpose address, not contacted (--allow-private-targets allows it)",
  connection_refused: "the connection was refused: nothing listens on the port",
  connect_timeout: "no TCP connection within --connect-timeout (filtered, or the host is down)",
  host_unreachable: "the host is unreachable",
  network_unreachable: "the network is unreachable",
  connection_reset: "the server reset the connection",
  connection_closed: "the server closed the connection before it finished",
  banner_timeout: "the server never sent its greeting within --smtp-timeout",
  banner_rejected: "the server greeted with a refusal",
  ehlo_rejected: "the server refused both EHLO and HELO",
  starttls_rejected: "the server refused the STARTTLS command",
  smtp_timeout: "the server stopped answering within --smtp-timeout",
  partial_reply_timeout: "the server sent an incomplete reply, too slowly, within --smtp-timeout",
  smtp_protocol_error: "the server's answer is not SMTP",
  reply_too_long: "the server's reply exceeded the size limits",
  tls_timeout: "the TLS handshake did not finish within --tls-timeout",
  tls_alert: "the server aborted the TLS handshake with an alert",
  tls_protocol_version: "no TLS protocol version in common",
  tls_no_shared_cipher: "no cipher suite in common",
  tls_handshake_failed: "the TLS handshake failed",
  tls_unsupported_by_client: "the server chose a protocol or suite this client cannot complete",
  tls_too_large: "the server sent more TLS data than the byte budget without completing the handshake",
  deadline_exceeded: "the probe used up its --host-deadline",
  job_failed: "the probe failed on every delivery of its job",
  unknown_failure: "an unclassified failure (the JSON row's failure_detail has the raw text)",
  policy_cert_untrusted: "the MTA-STS policy host's certificate is not trusted",
  policy_cert_name_mismatch: "the MTA-STS policy host's certificate does not name it",
  policy_redirect: "the MTA-STS policy URL redirects (not allowed)",
  policy_http_status: "the MTA-STS policy URL did not answer 200",
  policy_content_type: "the MTA-STS policy is not text/plain",
  policy_too_large: "the MTA-STS policy exceeds 64 KiB",
  policy_headers_too_large: "the MTA-STS policy host sent more than 64 KiB of response headers",
  policy_timeout: "the MTA-STS policy fetch timed out",
  policy_http_error: "the MTA-STS policy host did not answer well-formed HTTP",
};

export const CERT_ERROR_WORDS: Record<CertError, string> = {
  expired: "expired",
  not_yet_valid: "not valid yet",
  self_signed: "self-signed",
  self_signed_in_chain: "a self-signed certificate in the chain",
  unknown_issuer: "issued by a CA not in the trust store (or intermediates missing)",
  bad_signature: "a signature in the chain does not verify",
  invalid_chain: "the chain is invalid",
  no_certificate: "no certificate presented",
  other: "the chain does not validate",
};

/** The plain words of a vocabulary name, or the name itself (underscores as spaces) when it has none yet. */
export function words<K extends string>(table: Partial<Record<K, string>>, name: K | null): string {
  if (name === null) return "";
  return table[name] ?? name.replace(/_/g, " ");
}
