/**
 * The A+ … F grade of an inbound mail server's TLS, written once as code, after the LuxSci SMTP TLS Checker's
 * rubric (../shared/reference/luxsci-smtp-tls-checker.txt): a host's grade from its facts, a domain's grade as
 * its worst primary host, and LuxSci's "Forced TLS" eligibility. Pure functions of stored facts, so a grade can
 * be recomputed from rows at any time.
 *
 * The rubric:
 * - no STARTTLS (or no TLS handshake that works) → F; a server whose only choice this client (Node's OpenSSL 3)
 *   cannot complete (3DES, RC4, SSLv3 ...: host failure tls_unsupported_by_client) is graded on the facts it sent,
 *   with a major deduction of its own (current senders cannot complete a handshake with it);
 * - major deductions (LuxSci: "significantly impacted"), 20 points each: SSLv2 accepted, SSLv3 accepted,
 *   neither TLS 1.2 nor TLS 1.3, a certificate that is not trusted, an expired certificate, no SP 800-52r1 suite;
 * - minor deductions ("slightly impacted"), 5 points each: certificate name does not match the MX host, weak
 *   suites accepted, no SP 800-52r2 suite, TLS 1.3 without TLS 1.2 (senders that stop at 1.2 fall back to
 *   clear text), a certificate key below 2048 bits (RSA/DSA) or 224 bits (EC), a SHA-1 signature, a certificate
 *   that expires within 30 days;
 * - from 100 points: A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 45, else F;
 * - A+ is an A with nothing deducted, plus TLS 1.3 (or TLS 1.2 with only AEAD, forward-secret suites), no weak
 *   suite, a valid certificate (trusted, in date) whose name matches, and a valid DANE record or an enforced
 *   MTA-STS policy (the two policy facts are optional inputs until the policy probes are wired).
 * TLS 1.0 and 1.1 cost nothing: LuxSci (with NIST SP 800-52r2 for general mail) calls TLS 1.0 acceptable for
 * inbound mail. A fact that was not measured (null) costs nothing either; it is listed in `unknown`, and a
 * grade with unknown facts cannot be A+.
 */

import { suiteByName } from "./cipher-suites.js";
import { entryHasForwardSecrecy, entryIsWeak } from "./inventory.js";

export type Grade = "A+" | "A" | "B" | "C" | "D" | "F";

export const GRADES: readonly Grade[] = ["A+", "A", "B", "C", "D", "F"];

/** The host facts a grade needs: field names as in the host row and the TLS inventory. */
export interface GradeInput {
  /** STARTTLS offered and a TLS handshake completed (host row starttls_ok). */
  starttls_ok: boolean | null;
  ssl2: boolean | null;
  ssl3: boolean | null;
  tls10: boolean | null;
  tls11: boolean | null;
  tls12: boolean | null;
  tls13: boolean | null;
  nist_r1_ok: boolean | null;
  nist_r2_ok: boolean | null;
  /** Accepted suites as "TLSv1.2:NAME" entries (the inventory's `ciphers`); weak ones are found from them. */
  ciphers: readonly string[];
  /** The inventory tried every suite (else "no weak suite" and the A+ cipher test are unknown). */
  ciphers_complete: boolean;
  cert_trusted: boolean | null;
  cert_expired: boolean | null;
  cert_name_matches_mx: boolean | null;
  /** rsa, ec, dsa, ed25519, ... */
  cert_key_type: string | null;
  cert_key_bits: number | null;
  /** e.g. sha1WithRSAEncryption */
  cert_sig_alg: string | null;
  /** ISO-8601 */
  cert_not_after: string | null;
  /** A TLSA record that validates (DANE, RFC 7672); optional until wired. */
  dane_valid?: boolean | null;
  /** An MTA-STS policy in mode enforce that lists this host (RFC 8461); optional until wired. */
  mta_sts_enforced?: boolean | null;
  /**
   * The server chose a version or suite this client cannot complete (host failure tls_unsupported_by_client):
   * senders on current TLS libraries cannot complete a handshake with it. Optional (false when absent).
   */
  client_unsupported?: boolean;
}

export type Severity = "major" | "minor" | "info";

export interface Recommendation {
  /** Stable code, e.g. disable_sslv3. */
  code: string;
  severity: Severity;
  /** One sentence that says what to change. */
  text: string;
}

export interface GradeResult {
  /** null: nothing was measured (the server could not be reached or STARTTLS not tried). */
  grade: Grade | null;
  points: number;
  recommendations: Recommendation[];
  /** Facts that were not measured and so neither cost points nor allow an A+. */
  unknown: string[];
}

export const MAJOR_DEDUCTION = 20;
export const MINOR_DEDUCTION = 5;
const DAY_MS = 86_400_000;

/** Every recommendation, by code: the stable vocabulary. */
export const RECOMMENDATIONS: Readonly<Record<string, { severity: Severity; text: string }>> = {
  enable_starttls: {
    severity: "major",
    text: "Offer STARTTLS with a working TLS configuration, so that mail to this server is encrypted in transit.",
  },
  disable_sslv2: {
    severity: "major",
    text: "Disable SSLv2 on this server; it is broken and no sender needs it.",
  },
  disable_sslv3: {
    severity: "major",
    text: "Disable SSLv3 on this server (POODLE); every sender that can encrypt speaks TLS 1.0 or later.",
  },
  enable_tls12: {
    severity: "major",
    text: "Enable TLS 1.2, the version every current sender uses and the minimum of NIST SP 800-52r2.",
  },
  enable_tls12_compat: {
    severity: "minor",
    text: "Enable TLS 1.2 alongside TLS 1.3, so that senders without TLS 1.3 do not fall back to clear text.",
  },
  enable_tls13: {
    severity: "info",
    text: "Enable TLS 1.3 for faster handshakes with only forward-secret AEAD suites.",
  },
  use_trusted_certificate: {
    severity: "major",
    text: "Install a certificate issued by a publicly trusted CA, with its intermediate certificates.",
  },
  renew_certificate: { severity: "major", text: "Renew the certificate: it has expired." },
  renew_certificate_soon: { severity: "minor", text: "Renew the certificate: it expires within 30 days." },
  match_certificate_name: {
    severity: "minor",
    text: "Use a certificate that names the MX host name (as a DNS subject alternative name).",
  },
  use_2048_bit_key: {
    severity: "minor",
    text: "Replace the certificate's key with an RSA key of at least 2048 bits or an EC key of at least 256 bits.",
  },
  replace_sha1_signature: {
    severity: "minor",
    text: "Replace the certificate with one signed with SHA-256 or better instead of SHA-1.",
  },
  enable_current_suites: {
    severity: "major",
    text: "Enable a suite current TLS libraries offer, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: senders built on OpenSSL 3 cannot complete a handshake with what this server chooses (3DES, RC4, SSLv3 ...).",
  },
  enable_nist_r1_suites: {
    severity: "major",
    text: "Enable at least one NIST SP 800-52r1 cipher suite, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.",
  },
  enable_nist_r2_suites: {
    severity: "minor",
    text: "Enable a NIST SP 800-52r2 suite with ephemeral key exchange, such as TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384.",
  },
  disable_weak_suites: {
    severity: "minor",
    text: "Disable EXPORT, NULL, anonymous, RC4, RC2, DES, 3DES and IDEA cipher suites.",
  },
  prefer_aead_forward_secrecy: {
    severity: "info",
    text: "Offer only ECDHE or DHE suites with AES-GCM or ChaCha20-Poly1305 (or enable TLS 1.3).",
  },
  publish_mta_sts_or_dane: {
    severity: "info",
    text: "Publish a DANE TLSA record (with DNSSEC) or an MTA-STS policy in enforce mode, so senders require TLS.",
  },
};

function rec(code: keyof typeof RECOMMENDATIONS & string): Recommendation {
  const r = RECOMMENDATIONS[code]!;
  return { code, severity: r.severity, text: r.text };
}

function letter(points: number): Exclude<Grade, "A+"> {
  if (points >= 90) return "A";
  if (points >= 75) return "B";
  if (points >= 60) return "C";
  if (points >= 45) return "D";
  return "F";
}

/** A key below 2048 bits (RSA, DSA) or 224 bits (EC); null when unknown. */
export function weakKey(type: string | null, bits: number | null): boolean | null {
  if (type === null || bits === null) return null;
  if (type === "ec") return bits < 224;
  if (type === "rsa" || type === "rsa-pss" || type === "dsa") return bits < 2048;
  return false; // ed25519, ed448
}

function aeadForwardSecret(entry: string): boolean {
  const name = entry.slice(entry.indexOf(":") + 1);
  return entryHasForwardSecrecy(entry) && (suiteByName(name)?.aead ?? false);
}

/** Grade one host. `now` decides "expires within 30 days". */
export function gradeHost(f: GradeInput, now: Date = new Date()): GradeResult {
  const unknown: string[] = [];
  const recommendations: Recommendation[] = [];
  if (f.starttls_ok === false) {
    return { grade: "F", points: 0, recommendations: [rec("enable_starttls")], unknown };
  }
  if (f.starttls_ok === null) return { grade: null, points: 0, recommendations, unknown: ["starttls_ok"] };

  let points = 100;
  const deduct = (code: string) => {
    const r = rec(code);
    recommendations.push(r);
    if (r.severity === "major") points -= MAJOR_DEDUCTION;
    else if (r.severity === "minor") points -= MINOR_DEDUCTION;
  };
  const known = (name: string, v: unknown): boolean => {
    if (v === null || v === undefined) unknown.push(name);
    return v !== null && v !== undefined;
  };

  // Protocol versions
  if (known("ssl2", f.ssl2) && f.ssl2) deduct("disable_sslv2");
  if (known("ssl3", f.ssl3) && f.ssl3) deduct("disable_sslv3");
  known("tls12", f.tls12);
  known("tls13", f.tls13);
  if (f.tls12 === false && f.tls13 === false) deduct("enable_tls12");
  else if (f.tls12 === false && f.tls13 === true) deduct("enable_tls12_compat");
  // Certificate
  const expired = known("cert_expired", f.cert_expired) && f.cert_expired === true;
  if (expired) deduct("renew_certificate");
  if (known("cert_trusted", f.cert_trusted) && f.cert_trusted === false && !expired)
    deduct("use_trusted_certificate");
  if (known("cert_name_matches_mx", f.cert_name_matches_mx) && !f.cert_name_matches_mx)
    deduct("match_certificate_name");
  const small = weakKey(f.cert_key_type, f.cert_key_bits);
  if (known("cert_key_bits", small) && small) deduct("use_2048_bit_key");
  if (known("cert_sig_alg", f.cert_sig_alg) && /sha1/i.test(f.cert_sig_alg ?? ""))
    deduct("replace_sha1_signature");
  if (known("cert_not_after", f.cert_not_after) && !expired) {
    const left = Date.parse(f.cert_not_after!) - now.getTime();
    if (Number.isFinite(left) && left >= 0 && left < 30 * DAY_MS) deduct("renew_certificate_soon");
  }
  // Cipher suites
  if (f.client_unsupported === true) deduct("enable_current_suites");
  if (known("nist_r1_ok", f.nist_r1_ok) && !f.nist_r1_ok) deduct("enable_nist_r1_suites");
  if (known("nist_r2_ok", f.nist_r2_ok) && !f.nist_r2_ok) deduct("enable_nist_r2_suites");
  const weak = f.ciphers.filter(entryIsWeak);
  if (weak.length > 0) deduct("disable_weak_suites");
  else if (!f.ciphers_complete) unknown.push("weak_ciphers");
  if (f.tls13 === false) deduct("enable_tls13");

  // A+
  const policy = f.dane_valid === true || f.mta_sts_enforced === true;
  const policyKnown = f.dane_valid != null || f.mta_sts_enforced != null;
  const modern =
    f.tls13 === true ||
    (f.tls12 === true && f.ciphers_complete && f.ciphers.length > 0 && f.ciphers.every(aeadForwardSecret));
  if (f.tls13 === false && f.tls12 === true && f.ciphers_complete && !modern)
    deduct("prefer_aead_forward_secrecy");
  if (!policy && policyKnown) deduct("publish_mta_sts_or_dane");
  if (!policyKnown) unknown.push("dane_valid", "mta_sts_enforced");

  const base = letter(points);
  const certValid = f.cert_trusted === true && f.cert_expired === false && f.cert_name_matches_mx === true;
  const aPlus =
    base === "A" &&
    points === 100 &&
    modern &&
    weak.length === 0 &&
    f.ciphers_complete &&
    certValid &&
    policy;
  return { grade: aPlus ? "A+" : base, points, recommendations, unknown };
}

/** The worst of the primary MX hosts' grades (LuxSci: "your score is based on the worst MX record"). */
export function domainGrade(primaryHostGrades: readonly (Grade | null)[]): Grade | null {
  let worst: Grade | null = null;
  for (const g of primaryHostGrades) {
    if (g === null) continue;
    if (worst === null || GRADES.indexOf(g) > GRADES.indexOf(worst)) worst = g;
  }
  return worst;
}

/** The facts LuxSci's "Forced TLS" rule reads, per MX host. */
export interface ForcedTlsHost {
  starttls_ok: boolean | null;
  tls10: boolean | null;
  tls12: boolean | null;
  nist_r1_ok: boolean | null;
}

/**
 * LuxSci permits "Forced TLS" to a domain only if ALL its MX hosts support TLS, ALL support TLS 1.0 and/or
 * TLS 1.2, and ALL accept at least one NIST SP 800-52r1 suite. false as soon as one host fails a rule; null when
 * no host fails but a fact is unknown (or there are no hosts).
 */
export function forcedTlsEligible(hosts: readonly ForcedTlsHost[]): boolean | null {
  if (hosts.length === 0) return null;
  let unknown = false;
  for (const h of hosts) {
    if (h.starttls_ok === false || h.nist_r1_ok === false) return false;
    if (h.tls10 === false && h.tls12 === false) return false;
    if (h.starttls_ok === null || h.nist_r1_ok === null) unknown = true;
    if (h.tls10 !== true && h.tls12 !== true) unknown = true;
  }
  return unknown ? null : true;
}
