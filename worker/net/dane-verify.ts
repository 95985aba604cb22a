/**
 * DANE authentication of an SMTP server (RFC 7672 §3, RFC 7671, RFC 6698): the certificates the server
 * presented (DER, leaf first, exactly as sent: TlsFacts.presented) against the TLSA RRset that DNS gave
 * (shared/dane/lookup.ts). Pure: no I/O, the clock comes in as `now`.
 *
 * - DANE-EE(3): the leaf's certificate (selector 0) or SubjectPublicKeyInfo (selector 1), as is (matching 0)
 *   or hashed (1 SHA2-256, 2 SHA2-512), equals the record's data. No name check and no validity dates
 *   (RFC 7672 §3.1.1).
 * - DANE-TA(2): the record matches an issuer certificate the server sent (RFC 7671 §5.2.2: a TA that is
 *   not the leaf), or — for `2 1 0` — is the trust anchor's bare public key, which the server need not send.
 *   The leaf must chain to that anchor through the certificates sent (issuer names and keys, signatures, CA
 *   basic constraints; node:crypto X509Certificate.checkIssued/verify), every certificate on the path must be
 *   within its validity dates (§3.1.2), and the leaf must name a reference identifier (§3.2.2): the TLSA base
 *   domain and the MX host name (they differ when the base domain is the host's secure CNAME expansion).
 *   Names are matched by shared/names.ts (SANs, CN only without DNS SANs; wildcards per RFC 6125).
 * - PKIX-TA(0), PKIX-EE(1) and records with unknown values are unusable (shared/dane/tlsa.ts) and never match.
 *
 * The first record (in RRset order) that authenticates the server is `dane_matched`. When none does, the
 * nearest miss names the failure: ta_name_mismatch > ta_expired > ta_chain_invalid > no_match.
 */

import { createHash, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import type { DaneLookup } from "../../shared/dane/lookup.js";
import { shortTlsa, type TlsaAssessment, type TlsaRecord } from "../../shared/dane/tlsa.js";
import { type DaneFailure, type DaneHostFields, daneDnsVerdict } from "../../shared/dane/verdict.js";
import { certNamesHost } from "../../shared/names.js";
import * as x509 from "../../shared/x509.js";
import { certFacts } from "./cert-facts.js";

/** Longest issuer path we build (leaf, intermediates, anchor). */
const MAX_PATH = 10;
/** Certificates of the presented chain considered (real chains have 2-4; the rest is noted and ignored). */
const MAX_CERTS = 16;

/** The bytes a selector picks from a DER certificate: the certificate itself (0) or its SPKI (1). */
export function tlsaSelected(der: Uint8Array, selector: number): Buffer {
  if (selector === 0) return Buffer.from(der);
  if (selector === 1) return Buffer.from(new x509.X509Certificate(der).publicKey.rawData);
  throw new Error(`unknown TLSA selector ${selector}`);
}

/** The certificate association data of a DER certificate for (selector, matching type), lower-case hex. */
export function tlsaAssociation(der: Uint8Array, selector: number, matchingType: number): string {
  const bytes = tlsaSelected(der, selector);
  switch (matchingType) {
    case 0:
      return bytes.toString("hex");
    case 1:
      return createHash("sha256").update(bytes).digest("hex");
    case 2:
      return createHash("sha512").update(bytes).digest("hex");
    default:
      throw new Error(`unknown TLSA matching type ${matchingType}`);
  }
}

/** The TLSA record (usage, selector, matching type) that a DER certificate satisfies. */
export function tlsaRecordFor(
  der: Uint8Array,
  usage: number,
  selector: number,
  matchingType: number,
): TlsaRecord {
  return { usage, selector, matchingType, data: tlsaAssociation(der, selector, matchingType) };
}

/** Does the record's data match this certificate? False for anything unparsable. */
export function tlsaMatches(record: TlsaRecord, der: Uint8Array): boolean {
  try {
    return tlsaAssociation(der, record.selector, record.matchingType) === record.data.toLowerCase();
  } catch {
    return false;
  }
}

interface Cert {
  der: Uint8Array;
  node: X509Certificate | null;
}

function parse(der: Uint8Array): Cert {
  try {
    return { der, node: new X509Certificate(Buffer.from(der)) };
  } catch {
    return { der, node: null };
  }
}

/** Is `issuer` the issuer of `child` (names, key identifiers, key usage) and its signature valid? */
function signs(issuer: X509Certificate | KeyObject, child: X509Certificate): boolean {
  try {
    if (issuer instanceof X509Certificate) {
      return issuer.ca && child.checkIssued(issuer) && child.verify(issuer.publicKey);
    }
    return child.verify(issuer);
  } catch {
    return false;
  }
}

/**
 * A path from the leaf (index 0) up to the anchor through the certificates sent: indexes of the certificates
 * on it, leaf first, the anchor certificate last (for a bare key, the certificate it signed). Null when none.
 */
function buildPath(certs: Cert[], anchor: { index: number } | { key: KeyObject }): number[] | null {
  // Certificates from which the anchor was not reached: not walked again (bounds the search on a chain of
  // certificates that all cross-sign each other).
  const dead = new Set<number>();
  const walk = (path: number[]): number[] | null => {
    const cur = path[path.length - 1]!;
    const node = certs[cur]!.node!;
    if ("key" in anchor && signs(anchor.key, node)) return path;
    if (path.length >= MAX_PATH) return null;
    for (let j = 0; j < certs.length; j++) {
      const next = certs[j]!.node;
      if (path.includes(j) || dead.has(j) || !next || !signs(next, node)) continue;
      if ("index" in anchor && j === anchor.index) return [...path, j];
      const found = walk([...path, j]);
      if (found) return found;
      dead.add(j);
    }
    return null;
  };
  return certs[0]?.node ? walk([0]) : null;
}

function outOfDate(c: X509Certificate, now: Date): string | null {
  const from = new Date(c.validFrom).getTime();
  const to = new Date(c.validTo).getTime();
  if (to < now.getTime()) return `${c.subject.replace(/\n/g, ", ")} expired ${new Date(to).toISOString()}`;
  if (from > now.getTime()) {
    return `${c.subject.replace(/\n/g, ", ")} not valid before ${new Date(from).toISOString()}`;
  }
  return null;
}

type Attempt = { ok: true; note: string } | { ok: false; failure: DaneFailure; note: string };

const FAILURE_RANK: DaneFailure[] = ["ta_name_mismatch", "ta_expired", "ta_chain_invalid", "no_match"];

/** The nearer miss of two failed attempts. */
function nearer(x: Attempt & { ok: false }, y: Attempt & { ok: false }): Attempt & { ok: false } {
  return FAILURE_RANK.indexOf(y.failure) < FAILURE_RANK.indexOf(x.failure) ? y : x;
}

function tryDaneEe(a: TlsaAssessment, certs: Cert[]): Attempt {
  if (tlsaMatches(a.record, certs[0]!.der)) {
    return { ok: true, note: "DANE-EE: the leaf matches (names and dates not checked, RFC 7672 §3.1.1)" };
  }
  const what = a.record.selector === 0 ? "certificate" : "SPKI";
  return { ok: false, failure: "no_match", note: `does not match the leaf's ${what}` };
}

function leafNames(der: Uint8Array, now: Date): { sans: string[]; cn: string | null } {
  try {
    const f = certFacts(der, now);
    return { sans: f.sans, cn: f.subject_cn };
  } catch {
    return { sans: [], cn: null };
  }
}

function tryDaneTa(a: TlsaAssessment, certs: Cert[], referenceIds: string[], now: Date): Attempt {
  const r = a.record;
  if (!certs[0]!.node)
    return { ok: false, failure: "no_match", note: "the leaf is not a parsable certificate" };
  const anchors: ({ index: number } | { key: KeyObject })[] = [];
  for (let i = 1; i < certs.length; i++) if (tlsaMatches(r, certs[i]!.der)) anchors.push({ index: i });
  if (anchors.length === 0 && r.selector === 1 && r.matchingType === 0) {
    // 2 1 0: the anchor may be a bare public key the server never sends (RFC 7671 §5.2.2).
    try {
      anchors.push({
        key: createPublicKey({ key: Buffer.from(r.data, "hex"), format: "der", type: "spki" }),
      });
    } catch {
      // assessTlsa checked that the key decodes
    }
  }
  if (anchors.length === 0) {
    const leaf = tlsaMatches(r, certs[0]!.der)
      ? " (it matches the leaf, which cannot be its own trust anchor)"
      : "";
    return { ok: false, failure: "no_match", note: `matches no issuer certificate the server sent${leaf}` };
  }
  let miss: (Attempt & { ok: false }) | null = null;
  for (const anchor of anchors) {
    const at = "index" in anchor ? `certificate #${anchor.index + 1} sent` : "a bare public key (not sent)";
    const path = buildPath(certs, anchor);
    let attempt: Attempt;
    if (!path) {
      attempt = {
        ok: false,
        failure: "ta_chain_invalid",
        note: `matches ${at}, but the leaf does not chain to it`,
      };
    } else {
      const dates = path.map((i) => outOfDate(certs[i]!.node!, now)).find((d) => d !== null);
      const names = leafNames(certs[0]!.der, now);
      if (dates) {
        attempt = { ok: false, failure: "ta_expired", note: `matches ${at}; ${dates}` };
      } else if (!referenceIds.some((id) => certNamesHost(id, names.sans, names.cn))) {
        const shown = names.sans.length > 0 ? names.sans.join(", ") : (names.cn ?? "no names");
        attempt = {
          ok: false,
          failure: "ta_name_mismatch",
          note: `matches ${at} and the chain verifies, but the leaf (${shown}) names none of ${referenceIds.join(", ")}`,
        };
      } else {
        return {
          ok: true,
          note:
            `DANE-TA: the trust anchor is ${at}; the leaf chains to it (${path.length} certificates), ` +
            `is in date and names ${referenceIds.join(" or ")}`,
        };
      }
    }
    miss = miss ? nearer(miss, attempt) : attempt;
  }
  return miss!;
}

export interface DaneVerifyInput {
  lookup: DaneLookup;
  /**
   * The certificates exactly as the server sent them, DER, leaf first (TlsFacts.presented); null when no
   * TLS handshake completed (or, from the probe, when the Certificate message could not be read).
   */
  presented: readonly Uint8Array[] | null;
  /** false when the server answered EHLO without STARTTLS: a DANE failure when the records count. */
  starttlsOffered?: boolean | null;
  /** Clock for DANE-TA validity dates (default: now). */
  now?: Date;
}

/** The DANE columns of one host row. Never throws for what the server or DNS did. */
export function verifyDane(input: DaneVerifyInput): DaneHostFields {
  const dns = daneDnsVerdict(input.lookup);
  if (dns.decided) return dns.fields;
  const { fields, usable } = dns;
  const where = input.lookup.tlsa.name;
  const presented = input.presented;
  if (presented === null) {
    if (input.starttlsOffered === false) {
      return {
        ...fields,
        dane_status: "invalid",
        dane_failure: "no_starttls",
        dane_detail: `secure TLSA records at ${where}, but the server does not offer STARTTLS (RFC 7672 §2.2: TLS is mandatory)`,
      };
    }
    return {
      ...fields,
      dane_detail: `secure TLSA records at ${where}, but no certificate was seen: DANE not tested`,
    };
  }
  if (presented.length === 0) {
    return {
      ...fields,
      dane_status: "invalid",
      dane_failure: "no_certificate",
      dane_detail: "TLS completed without a server certificate (anonymous cipher): nothing to authenticate",
    };
  }
  const now = input.now ?? new Date();
  const certs = presented.slice(0, MAX_CERTS).map(parse);
  const capped =
    presented.length > MAX_CERTS
      ? ` (only the first ${MAX_CERTS} of ${presented.length} certificates considered)`
      : "";
  const base = input.lookup.tlsa.base;
  const referenceIds = [...new Set([base, input.lookup.hostname])];

  const notes: string[] = [];
  let failure: DaneFailure = "no_match";
  for (const a of usable) {
    const attempt = a.record.usage === 3 ? tryDaneEe(a, certs) : tryDaneTa(a, certs, referenceIds, now);
    if (attempt.ok) {
      return {
        ...fields,
        dane_status: "valid",
        dane_matched: a.text,
        dane_detail: `${shortTlsa(a.record)}: ${attempt.note}`,
      };
    }
    notes.push(`${shortTlsa(a.record)}: ${attempt.note}`);
    if (FAILURE_RANK.indexOf(attempt.failure) < FAILURE_RANK.indexOf(failure)) failure = attempt.failure;
  }
  return {
    ...fields,
    dane_status: "invalid",
    dane_failure: failure,
    dane_detail: `no usable TLSA record at ${where} authenticates the server${capped}: ${notes.join("; ")}`,
  };
}
