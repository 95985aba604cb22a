/**
 * Unit tests of error classification (worker/net/classify.ts): one case per mapping of socket errors, TLS
 * handshake errors (alerts, protocol version, ciphers, resets and closes) and certificate verify results, plus
 * unmapped inputs that must become `unknown_failure` / `other` with the raw text kept.
 */

import { describe, expect, it } from "vitest";
import type { CertError } from "../../shared/cert-errors.js";
import type { Phase, ProbeFailure } from "../../shared/failures.js";
import {
  classifyCertError,
  classifySocketError,
  classifyTlsError,
  errorText,
  type TlsFailure,
} from "../../worker/net/classify.js";

function nodeError(code: string | undefined, message: string): Error {
  return code === undefined ? new Error(message) : Object.assign(new Error(message), { code });
}

const socketCases: { name: string; input: { err: unknown; phase: Phase }; expect: ProbeFailure }[] = [
  {
    name: "ECONNREFUSED",
    input: { err: nodeError("ECONNREFUSED", "connect ECONNREFUSED 192.0.2.1:25"), phase: "connect" },
    expect: { failure: "connection_refused", phase: "connect", detail: "connect ECONNREFUSED 192.0.2.1:25" },
  },
  {
    name: "ETIMEDOUT",
    input: { err: nodeError("ETIMEDOUT", "connect ETIMEDOUT 192.0.2.1:25"), phase: "connect" },
    expect: { failure: "connect_timeout", phase: "connect", detail: "connect ETIMEDOUT 192.0.2.1:25" },
  },
  {
    name: "EHOSTUNREACH",
    input: { err: nodeError("EHOSTUNREACH", "connect EHOSTUNREACH 192.0.2.1:25"), phase: "connect" },
    expect: { failure: "host_unreachable", phase: "connect", detail: "connect EHOSTUNREACH 192.0.2.1:25" },
  },
  {
    name: "EHOSTDOWN",
    input: { err: nodeError("EHOSTDOWN", "connect EHOSTDOWN"), phase: "connect" },
    expect: { failure: "host_unreachable", phase: "connect", detail: "connect EHOSTDOWN" },
  },
  {
    name: "ENETUNREACH",
    input: { err: nodeError("ENETUNREACH", "connect ENETUNREACH"), phase: "connect" },
    expect: { failure: "network_unreachable", phase: "connect", detail: "connect ENETUNREACH" },
  },
  {
    name: "ENETDOWN",
    input: { err: nodeError("ENETDOWN", "connect ENETDOWN"), phase: "connect" },
    expect: { failure: "network_unreachable", phase: "connect", detail: "connect ENETDOWN" },
  },
  {
    name: "EADDRNOTAVAIL",
    input: { err: nodeError("EADDRNOTAVAIL", "connect EADDRNOTAVAIL"), phase: "connect" },
    expect: { failure: "network_unreachable", phase: "connect", detail: "connect EADDRNOTAVAIL" },
  },
  {
    name: "ECONNRESET in the banner phase",
    input: { err: nodeError("ECONNRESET", "read ECONNRESET"), phase: "banner" },
    expect: { failure: "connection_reset", phase: "banner", detail: "read ECONNRESET" },
  },
  {
    name: "ECONNABORTED",
    input: { err: nodeError("ECONNABORTED", "read ECONNABORTED"), phase: "ehlo" },
    expect: { failure: "connection_reset", phase: "ehlo", detail: "read ECONNABORTED" },
  },
  {
    name: "EPIPE",
    input: { err: nodeError("EPIPE", "write EPIPE"), phase: "starttls" },
    expect: { failure: "connection_reset", phase: "starttls", detail: "write EPIPE" },
  },
  {
    name: "code not in the message is prefixed to the detail",
    input: { err: nodeError("ECONNREFUSED", "refused"), phase: "connect" },
    expect: { failure: "connection_refused", phase: "connect", detail: "ECONNREFUSED: refused" },
  },
  {
    name: "unknown code",
    input: { err: nodeError("EWHATEVER", "something odd"), phase: "ehlo_tls" },
    expect: { failure: "unknown_failure", phase: "ehlo_tls", detail: "EWHATEVER: something odd" },
  },
  {
    name: "no code",
    input: { err: nodeError(undefined, "plain error"), phase: "connect" },
    expect: { failure: "unknown_failure", phase: "connect", detail: "plain error" },
  },
  {
    name: "numeric code is ignored",
    input: { err: Object.assign(new Error("errno"), { code: 111 }), phase: "connect" },
    expect: { failure: "unknown_failure", phase: "connect", detail: "errno" },
  },
  {
    name: "lower-case code is not mapped",
    input: { err: nodeError("econnrefused", "x"), phase: "connect" },
    expect: { failure: "unknown_failure", phase: "connect", detail: "econnrefused: x" },
  },
  {
    name: "a string thrown",
    input: { err: "boom", phase: "job" },
    expect: { failure: "unknown_failure", phase: "job", detail: "boom" },
  },
  {
    name: "null thrown",
    input: { err: null, phase: "job" },
    expect: { failure: "unknown_failure", phase: "job", detail: "null" },
  },
  {
    name: "undefined thrown",
    input: { err: undefined, phase: "job" },
    expect: { failure: "unknown_failure", phase: "job", detail: "undefined" },
  },
  {
    name: "plain object with a known code",
    input: { err: { code: "ECONNREFUSED" }, phase: "connect" },
    expect: { failure: "connection_refused", phase: "connect", detail: "[object Object]" },
  },
];

const TLS_MSG = "C0B7:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure";

const tlsCases: { name: string; input: unknown; expect: TlsFailure }[] = [
  {
    name: "SSLv3 alert handshake failure",
    input: nodeError("ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", TLS_MSG),
    expect: {
      failure: "tls_alert",
      phase: "tls_handshake",
      detail: `ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: ${TLS_MSG}`,
      alert: "handshake_failure",
    },
  },
  {
    name: "TLSv1 alert protocol version",
    input: nodeError("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "tlsv1 alert protocol version"),
    expect: {
      failure: "tls_protocol_version",
      phase: "tls_handshake",
      detail: "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: tlsv1 alert protocol version",
      alert: "protocol_version",
    },
  },
  {
    name: "TLSv1 alert internal error",
    input: nodeError("ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR", "tlsv1 alert internal error"),
    expect: {
      failure: "tls_alert",
      phase: "tls_handshake",
      detail: "ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR: tlsv1 alert internal error",
      alert: "internal_error",
    },
  },
  {
    name: "TLSV1 code that is not an alert",
    input: nodeError("ERR_SSL_TLSV1_UNRECOGNIZED_NAME", "x"),
    // not an ALERT code spelling: treated as some other OpenSSL handshake failure
    expect: {
      failure: "tls_handshake_failed",
      phase: "tls_handshake",
      detail: "ERR_SSL_TLSV1_UNRECOGNIZED_NAME: x",
      alert: null,
    },
  },
  {
    name: "TLSv1.3 alert certificate required",
    input: nodeError("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "tlsv13 alert certificate required"),
    expect: {
      failure: "tls_alert",
      phase: "tls_handshake",
      detail: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: tlsv13 alert certificate required",
      alert: "certificate_required",
    },
  },
  {
    name: "alert code with an unknown version prefix",
    input: nodeError("ERR_SSL_TLSV12_ALERT_HANDSHAKE_FAILURE", "x"),
    expect: {
      failure: "tls_handshake_failed",
      phase: "tls_handshake",
      detail: "ERR_SSL_TLSV12_ALERT_HANDSHAKE_FAILURE: x",
      alert: null,
    },
  },
  {
    name: "ERR_SSL_UNSUPPORTED_PROTOCOL",
    input: nodeError("ERR_SSL_UNSUPPORTED_PROTOCOL", "unsupported protocol"),
    expect: {
      failure: "tls_protocol_version",
      phase: "tls_handshake",
      detail: "ERR_SSL_UNSUPPORTED_PROTOCOL: unsupported protocol",
      alert: null,
    },
  },
  {
    name: "ERR_SSL_NO_PROTOCOLS_AVAILABLE",
    input: nodeError("ERR_SSL_NO_PROTOCOLS_AVAILABLE", "no protocols available"),
    expect: {
      failure: "tls_protocol_version",
      phase: "tls_handshake",
      detail: "ERR_SSL_NO_PROTOCOLS_AVAILABLE: no protocols available",
      alert: null,
    },
  },
  {
    name: "ERR_SSL_WRONG_SSL_VERSION",
    input: nodeError("ERR_SSL_WRONG_SSL_VERSION", "wrong ssl version"),
    expect: {
      failure: "tls_protocol_version",
      phase: "tls_handshake",
      detail: "ERR_SSL_WRONG_SSL_VERSION: wrong ssl version",
      alert: null,
    },
  },
  {
    name: "ERR_SSL_VERSION_TOO_LOW",
    input: nodeError("ERR_SSL_VERSION_TOO_LOW", "version too low"),
    expect: {
      failure: "tls_protocol_version",
      phase: "tls_handshake",
      detail: "ERR_SSL_VERSION_TOO_LOW: version too low",
      alert: null,
    },
  },
  {
    name: "ERR_SSL_NO_SHARED_CIPHER",
    input: nodeError("ERR_SSL_NO_SHARED_CIPHER", "no shared cipher"),
    expect: {
      failure: "tls_no_shared_cipher",
      phase: "tls_handshake",
      detail: "ERR_SSL_NO_SHARED_CIPHER: no shared cipher",
      alert: null,
    },
  },
  {
    name: "ERR_SSL_NO_CIPHERS_AVAILABLE",
    input: nodeError("ERR_SSL_NO_CIPHERS_AVAILABLE", "no ciphers available"),
    expect: {
      failure: "tls_no_shared_cipher",
      phase: "tls_handshake",
      detail: "ERR_SSL_NO_CIPHERS_AVAILABLE: no ciphers available",
      alert: null,
    },
  },
  {
    name: "ECONNRESET before the secure connection is a close",
    input: nodeError(
      "ECONNRESET",
      "Client network socket disconnected before secure TLS connection was established",
    ),
    expect: {
      failure: "connection_closed",
      phase: "tls_handshake",
      detail: "ECONNRESET: Client network socket disconnected before secure TLS connection was established",
      alert: null,
    },
  },
  {
    name: "plain ECONNRESET",
    input: nodeError("ECONNRESET", "read ECONNRESET"),
    expect: { failure: "connection_reset", phase: "tls_handshake", detail: "read ECONNRESET", alert: null },
  },
  {
    name: "disconnect message without ECONNRESET is not a close",
    input: nodeError(
      undefined,
      "Client network socket disconnected before secure TLS connection was established",
    ),
    expect: {
      failure: "unknown_failure",
      phase: "tls_handshake",
      detail: "Client network socket disconnected before secure TLS connection was established",
      alert: null,
    },
  },
  {
    name: "ETIMEDOUT during the handshake",
    input: nodeError("ETIMEDOUT", "read ETIMEDOUT"),
    expect: { failure: "tls_timeout", phase: "tls_handshake", detail: "read ETIMEDOUT", alert: null },
  },
  {
    name: "EPIPE during the handshake",
    input: nodeError("EPIPE", "write EPIPE"),
    expect: { failure: "connection_reset", phase: "tls_handshake", detail: "write EPIPE", alert: null },
  },
  {
    name: "ERR_SSL_WRONG_VERSION_NUMBER",
    input: nodeError("ERR_SSL_WRONG_VERSION_NUMBER", "wrong version number"),
    expect: {
      failure: "tls_handshake_failed",
      phase: "tls_handshake",
      detail: "ERR_SSL_WRONG_VERSION_NUMBER: wrong version number",
      alert: null,
    },
  },
  {
    name: "ERR_TLS_ prefix",
    input: nodeError("ERR_TLS_HANDSHAKE_TIMEOUT", "TLS handshake timeout"),
    expect: {
      failure: "tls_handshake_failed",
      phase: "tls_handshake",
      detail: "ERR_TLS_HANDSHAKE_TIMEOUT: TLS handshake timeout",
      alert: null,
    },
  },
  {
    name: "unknown code keeps the detail",
    input: nodeError("ERR_SOMETHING_NEW", "a new kind of failure"),
    expect: {
      failure: "unknown_failure",
      phase: "tls_handshake",
      detail: "ERR_SOMETHING_NEW: a new kind of failure",
      alert: null,
    },
  },
  {
    name: "no code keeps the message",
    input: nodeError(undefined, "sslv3 alert handshake failure"),
    expect: {
      failure: "unknown_failure",
      phase: "tls_handshake",
      detail: "sslv3 alert handshake failure",
      alert: null,
    },
  },
  {
    name: "a string thrown",
    input: "boom",
    expect: { failure: "unknown_failure", phase: "tls_handshake", detail: "boom", alert: null },
  },
];

const certCases: { name: string; input: string; expect: CertError }[] = [
  { name: "CERT_HAS_EXPIRED", input: "CERT_HAS_EXPIRED", expect: "expired" },
  { name: "CERT_NOT_YET_VALID", input: "CERT_NOT_YET_VALID", expect: "not_yet_valid" },
  { name: "DEPTH_ZERO_SELF_SIGNED_CERT", input: "DEPTH_ZERO_SELF_SIGNED_CERT", expect: "self_signed" },
  { name: "SELF_SIGNED_CERT_IN_CHAIN", input: "SELF_SIGNED_CERT_IN_CHAIN", expect: "self_signed_in_chain" },
  { name: "UNABLE_TO_GET_ISSUER_CERT", input: "UNABLE_TO_GET_ISSUER_CERT", expect: "unknown_issuer" },
  {
    name: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    input: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    expect: "unknown_issuer",
  },
  {
    name: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    input: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    expect: "unknown_issuer",
  },
  { name: "CERT_SIGNATURE_FAILURE", input: "CERT_SIGNATURE_FAILURE", expect: "bad_signature" },
  {
    name: "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
    input: "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
    expect: "bad_signature",
  },
  {
    name: "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
    input: "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
    expect: "bad_signature",
  },
  { name: "INVALID_CA", input: "INVALID_CA", expect: "invalid_chain" },
  { name: "PATH_LENGTH_EXCEEDED", input: "PATH_LENGTH_EXCEEDED", expect: "invalid_chain" },
  { name: "INVALID_PURPOSE", input: "INVALID_PURPOSE", expect: "invalid_chain" },
  { name: "CERT_UNTRUSTED", input: "CERT_UNTRUSTED", expect: "invalid_chain" },
  { name: "CERT_REJECTED", input: "CERT_REJECTED", expect: "invalid_chain" },
  { name: "CERT_CHAIN_TOO_LONG", input: "CERT_CHAIN_TOO_LONG", expect: "invalid_chain" },
  {
    name: "ERROR_IN_CERT_NOT_BEFORE_FIELD",
    input: "ERROR_IN_CERT_NOT_BEFORE_FIELD",
    expect: "invalid_chain",
  },
  { name: "ERROR_IN_CERT_NOT_AFTER_FIELD", input: "ERROR_IN_CERT_NOT_AFTER_FIELD", expect: "invalid_chain" },
  { name: "unknown code", input: "HOSTNAME_MISMATCH", expect: "other" },
  { name: "lower-case known code", input: "cert_has_expired", expect: "other" },
  { name: "empty string", input: "", expect: "other" },
];

const textCases: { name: string; input: unknown; expect: string }[] = [
  { name: "message containing the code", input: nodeError("EPIPE", "write EPIPE"), expect: "write EPIPE" },
  { name: "message without the code", input: nodeError("EPIPE", "broken"), expect: "EPIPE: broken" },
  { name: "error without code", input: new TypeError("bad"), expect: "bad" },
  { name: "number", input: 42, expect: "42" },
];

describe("classify", () => {
  for (const { name, input, expect: want } of socketCases)
    it(`classify socket error - ${name}`, () => {
      expect(classifySocketError(input.err, input.phase)).toEqual(want);
    });

  for (const { name, input, expect: want } of tlsCases)
    it(`classify tls error - ${name}`, () => {
      expect(classifyTlsError(input)).toEqual(want);
    });

  for (const { name, input, expect: want } of certCases)
    it(`classify cert error - ${name}`, () => {
      expect(classifyCertError(input)).toBe(want);
    });

  for (const { name, input, expect: want } of textCases)
    it(`error text - ${name}`, () => {
      expect(errorText(input)).toBe(want);
    });
});
