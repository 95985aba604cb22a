/**
 * The certificate and TLS facts of a host row, filled from what the handshake showed: OpenSSL's completed
 * handshake (fillCertificate), or, when OpenSSL could not finish, the server's own choice read from its answer
 * (recordServerChoice, worker/net/server-choice.ts). The leaf's facts come from worker/net/cert-facts.ts either way.
 */

import { createHash } from "node:crypto";
import { certNamesHost } from "../../shared/names.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { type CertFacts, certFacts } from "./cert-facts.js";
import { classifyCertError } from "./classify.js";
import type { ServerChoice } from "./server-choice.js";
import type { TlsFacts } from "./tls-client.js";

/**
 * The server's choice when no handshake completed: tls_version and tls_cipher from its ServerHello, the chain it
 * sent (unverified: cert_trusted stays null), and failure tls_unsupported_by_client when this client cannot
 * complete that choice (else the handshake's own failure stays, with the choice in failure_detail).
 */
export function recordServerChoice(
  row: HostRow,
  choice: ServerChoice,
  unsupported: boolean,
  source: string,
  hostname: string,
  now: Date,
): void {
  const was = `${row.failure}: ${row.failure_detail}`;
  row.tls_version = choice.version;
  row.tls_cipher = choice.cipher;
  const certs = choice.certificates
    ? "its certificates as sent (not verified: no handshake completed)"
    : `no certificates (${choice.certificatesError})`;
  if (unsupported) {
    row.failure = "tls_unsupported_by_client";
    row.failure_phase = "tls_handshake";
    row.failure_detail = `the server chose ${choice.version} ${choice.cipher}, which this client (OpenSSL ${process.versions.openssl}) cannot complete; from ${source}: ${certs}; OpenSSL's attempt: ${was}`;
  } else {
    row.failure_detail = `${row.failure_detail}; the server had chosen ${choice.version} ${choice.cipher} (${source}): ${certs}`;
  }
  const leaf = choice.certificates?.[0];
  if (!choice.certificates || !leaf) return;
  row.cert_chain_sha256 = choice.certificates.map((c) => createHash("sha256").update(c).digest("hex"));
  fillLeafFacts(row, leaf, hostname, now);
}

export function fillCertificate(row: HostRow, f: TlsFacts, hostname: string, now: Date): void {
  const { authorized, authorizationError } = f;
  const leaf = f.leaf;
  if (!leaf) {
    row.cert_trusted = false;
    row.cert_error = "no_certificate";
    return;
  }
  // The certificates as the server sent them; Node's linked chain (which may hold trust-store roots the server
  // never sent) only when the server's Certificate message could not be read, and then the row says so.
  row.cert_chain_sha256 = (f.presented ?? f.chain ?? []).map((c) =>
    createHash("sha256").update(c).digest("hex"),
  );
  if (f.presented === null) {
    row.failure_detail = `cert_chain_sha256 is OpenSSL's linked chain, not the certificates as sent (${f.presentedError ?? "not read"})`;
  }
  row.cert_trusted = authorized;
  row.cert_error_code = authorized ? null : authorizationError;
  row.cert_error = authorized ? null : classifyCertError(authorizationError ?? "");
  fillLeafFacts(row, leaf, hostname, now);
}

/** The leaf's own facts (dates, names, key, signature); `cert_error` other when it does not parse. */
export function fillLeafFacts(row: HostRow, leaf: Uint8Array, hostname: string, now: Date): void {
  let facts: CertFacts;
  try {
    facts = certFacts(leaf, now);
  } catch (err) {
    // The server sent bytes OpenSSL accepted but our parser cannot read: keep what we know.
    row.cert_error ??= "other";
    const note = `certificate not parsable: ${err instanceof Error ? err.message : String(err)}`;
    row.failure_detail = row.failure_detail ? `${row.failure_detail}; ${note}` : note;
    return;
  }
  row.cert_expired = facts.expired;
  row.cert_not_yet_valid = facts.not_yet_valid;
  row.cert_self_signed = facts.self_signed;
  row.cert_subject_cn = facts.subject_cn;
  row.cert_sans = facts.sans;
  row.cert_name_matches_mx = certNamesHost(hostname, facts.sans, facts.subject_cn);
  row.cert_issuer = facts.issuer;
  row.cert_not_before = facts.not_before;
  row.cert_not_after = facts.not_after;
  row.cert_key_type = facts.key_type;
  row.cert_key_bits = facts.key_bits;
  row.cert_key_curve = facts.key_curve;
  row.cert_sig_alg = facts.sig_alg;
  row.cert_sha256 = facts.sha256;
  row.cert_spki_sha256 = facts.spki_sha256;
}
