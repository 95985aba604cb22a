/**
 * Error classification: one place that turns what Node reports (an `err.code`, an OpenSSL reason) into a name
 * from the closed failure vocabulary. `err.code` is read before any message text; anything unmapped becomes
 * `unknown_failure` and the raw text goes to the detail. One test per mapping lives in test/unit/classify.test.ts.
 */

import type { CertError } from "../../shared/cert-errors.js";
import type { Failure, Phase, ProbeFailure } from "../../shared/failures.js";

interface NodeError {
  code?: unknown;
  message?: unknown;
  reason?: unknown;
}

function codeOf(err: unknown): string {
  const c = (err as NodeError | null)?.code;
  return typeof c === "string" ? c : "";
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = codeOf(err);
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

const SOCKET_CODES: Record<string, Failure> = {
  ECONNREFUSED: "connection_refused",
  ETIMEDOUT: "connect_timeout",
  EHOSTUNREACH: "host_unreachable",
  EHOSTDOWN: "host_unreachable",
  ENETUNREACH: "network_unreachable",
  ENETDOWN: "network_unreachable",
  EADDRNOTAVAIL: "network_unreachable",
  ECONNRESET: "connection_reset",
  ECONNABORTED: "connection_reset",
  EPIPE: "connection_reset",
};

/** A socket-level error (connect, read or write) in any phase. */
export function classifySocketError(err: unknown, phase: Phase): ProbeFailure {
  const code = codeOf(err);
  let failure = SOCKET_CODES[code] ?? "unknown_failure";
  // The kernel's ETIMEDOUT outside connect means retransmissions went unanswered mid-dialogue.
  if (code === "ETIMEDOUT" && phase !== "connect")
    failure = phase === "tls_handshake" ? "tls_timeout" : "smtp_timeout";
  return { failure, phase, detail: errorText(err) };
}

/** OpenSSL alert descriptions (RFC 8446 §6) as Node spells them in `ERR_SSL_*_ALERT_*` codes, lower-cased. */
const ALERT_RE = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z0-9_]+)$/;

export interface TlsFailure extends ProbeFailure {
  /** The alert the server sent, e.g. `handshake_failure`, when the failure is an alert. */
  alert: string | null;
}

/** A failure during the TLS handshake. */
export function classifyTlsError(err: unknown): TlsFailure {
  const phase: Phase = "tls_handshake";
  const code = codeOf(err);
  const detail = errorText(err);
  const alertMatch = ALERT_RE.exec(code);
  if (alertMatch) {
    const alert = alertMatch[1]!.toLowerCase();
    const failure: Failure = alert === "protocol_version" ? "tls_protocol_version" : "tls_alert";
    return { failure, phase, detail, alert };
  }
  switch (code) {
    case "ERR_SSL_UNSUPPORTED_PROTOCOL":
    case "ERR_SSL_NO_PROTOCOLS_AVAILABLE":
    case "ERR_SSL_WRONG_SSL_VERSION":
    case "ERR_SSL_VERSION_TOO_LOW":
      return { failure: "tls_protocol_version", phase, detail, alert: null };
    case "ERR_SSL_NO_SHARED_CIPHER":
    case "ERR_SSL_NO_CIPHERS_AVAILABLE":
      return { failure: "tls_no_shared_cipher", phase, detail, alert: null };
    case "ECONNRESET":
      // Node reports a peer that closes mid-handshake as ECONNRESET with this message; an orderly close is
      // still a close, not a reset.
      if (/socket disconnected before secure TLS connection/i.test(detail)) {
        return { failure: "connection_closed", phase, detail, alert: null };
      }
      return { failure: "connection_reset", phase, detail, alert: null };
  }
  if (SOCKET_CODES[code]) return { ...classifySocketError(err, phase), alert: null };
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) {
    return { failure: "tls_handshake_failed", phase, detail, alert: null };
  }
  return { failure: "unknown_failure", phase, detail, alert: null };
}

/** OpenSSL's verify result (as Node's `authorizationError`) to our certificate error vocabulary. */
export function classifyCertError(code: string): CertError {
  switch (code) {
    case "CERT_HAS_EXPIRED":
      return "expired";
    case "CERT_NOT_YET_VALID":
      return "not_yet_valid";
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
      return "self_signed";
    case "SELF_SIGNED_CERT_IN_CHAIN":
      return "self_signed_in_chain";
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
      return "unknown_issuer";
    case "CERT_SIGNATURE_FAILURE":
    case "UNABLE_TO_DECRYPT_CERT_SIGNATURE":
    case "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY":
      return "bad_signature";
    case "INVALID_CA":
    case "PATH_LENGTH_EXCEEDED":
    case "INVALID_PURPOSE":
    case "CERT_UNTRUSTED":
    case "CERT_REJECTED":
    case "CERT_CHAIN_TOO_LONG":
    case "ERROR_IN_CERT_NOT_BEFORE_FIELD":
    case "ERROR_IN_CERT_NOT_AFTER_FIELD":
      return "invalid_chain";
    default:
      return "other";
  }
}
