/**
 * TLSA records (RFC 6698 §2) as plain data, judged for use by an SMTP client (RFC 7672 §3.1):
 * - certificate usage 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE (acronyms of RFC 7218);
 * - selector 0 Cert (the whole certificate, DER), 1 SPKI (its SubjectPublicKeyInfo, DER);
 * - matching type 0 Full (the selected bytes themselves), 1 SHA2-256, 2 SHA2-512.
 *
 * A record is *unusable* (RFC 6698 §4.1, RFC 7671 §4) when a field has a value we do not know, when its data
 * cannot be what the fields say (a digest of the wrong length, an undecodable certificate or key), and — for
 * SMTP only — when its usage is PKIX-TA(0) or PKIX-EE(1) (RFC 7672 §3.1.3: an SMTP client has no agreed set of
 * public CAs). Unusable records are kept and reported, never matched.
 *
 * The compact form of a record is the RFC 6698 §2.2 presentation of its RDATA with the data as one lower-case
 * hex string: `3 1 1 0d6f...`. Rows store it; `parseTlsa` reads it back.
 */

import { createPublicKey, X509Certificate } from "node:crypto";
import type { DnsRecord } from "../dns/types.js";

/** One TLSA record; `data` is the certificate association data, lower-case hex. */
export interface TlsaRecord {
  usage: number;
  selector: number;
  matchingType: number;
  data: string;
}

export const TLSA_USAGES: Record<number, string> = { 0: "PKIX-TA", 1: "PKIX-EE", 2: "DANE-TA", 3: "DANE-EE" };
export const TLSA_SELECTORS: Record<number, string> = { 0: "Cert", 1: "SPKI" };
export const TLSA_MATCHING_TYPES: Record<number, string> = { 0: "Full", 1: "SHA2-256", 2: "SHA2-512" };

/** Digest length in bytes for the hashed matching types. */
export const TLSA_DIGEST_BYTES: Record<number, number> = { 1: 32, 2: 64 };

/** Why a record is unusable; checked in this order, the first that applies is reported. */
export const TLSA_PROBLEMS = [
  "unknown_usage", // usage not 0-3
  "unknown_selector", // selector not 0-1
  "unknown_matching_type", // matching type not 0-2
  "bad_data", // not hex, empty, a digest of the wrong length, or Full data that does not decode
  "pkix_usage", // PKIX-TA(0) / PKIX-EE(1): not used by SMTP (RFC 7672 §3.1.3)
] as const;
export type TlsaProblem = (typeof TLSA_PROBLEMS)[number];

export interface TlsaAssessment {
  record: TlsaRecord;
  /** Compact form, `3 1 1 <hex>`. */
  text: string;
  usable: boolean;
  problem: TlsaProblem | null;
  /** For people: what is wrong, or the RFC 7218 description of a usable record. */
  why: string;
}

const HEX = /^(?:[0-9a-f]{2})*$/;

/** `3 1 1 <hex>` (the hex in lower case; an empty data field gives `3 1 1`). */
export function tlsaText(r: TlsaRecord): string {
  const head = `${r.usage} ${r.selector} ${r.matchingType}`;
  return r.data === "" ? head : `${head} ${r.data.toLowerCase()}`;
}

/**
 * A record from its presentation form: three decimal fields then hex, which may be split by white space
 * (RFC 6698 §2.2); a surrounding `( ... )` is accepted. Null when it is not that shape, or a field is not
 * 0-255. Unknown field values parse (they are a fact about the record); `assessTlsa` calls them unusable.
 */
export function parseTlsa(text: string): TlsaRecord | null {
  const body = text
    .trim()
    .replace(/^\(\s*|\s*\)$/g, "")
    .trim();
  const m = /^(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})(?:\s+([0-9A-Fa-f\s]*))?$/.exec(body);
  if (!m) return null;
  const fields = [m[1], m[2], m[3]].map(Number);
  if (fields.some((f) => f > 255)) return null;
  const data = (m[4] ?? "").replace(/\s+/g, "").toLowerCase();
  if (!HEX.test(data)) return null;
  return { usage: fields[0]!, selector: fields[1]!, matchingType: fields[2]!, data };
}

/** `3 1 1 0d6f3a4be2c87f91…`: the compact form with the data cut to 16 hex digits, for messages. */
export function shortTlsa(r: TlsaRecord): string {
  const hex = r.data.length > 16 ? `${r.data.slice(0, 16).toLowerCase()}…` : r.data.toLowerCase();
  return tlsaText({ ...r, data: hex });
}

/** `DANE-EE SPKI SHA2-256`, with numbers for values RFC 7218 does not name. */
export function describeTlsa(r: TlsaRecord): string {
  return [
    TLSA_USAGES[r.usage] ?? `usage ${r.usage}`,
    TLSA_SELECTORS[r.selector] ?? `selector ${r.selector}`,
    TLSA_MATCHING_TYPES[r.matchingType] ?? `matching type ${r.matchingType}`,
  ].join(" ");
}

function dataProblem(r: TlsaRecord): string | null {
  const data = r.data.toLowerCase();
  if (!HEX.test(data)) return "data is not hex";
  if (data.length === 0) return "empty certificate association data";
  const bytes = data.length / 2;
  const want = TLSA_DIGEST_BYTES[r.matchingType];
  if (want !== undefined) {
    return bytes === want
      ? null
      : `${TLSA_MATCHING_TYPES[r.matchingType]} digest of ${bytes} bytes, expected ${want}`;
  }
  // Full (0): the data must be what the selector says (OpenSSL refuses such records too).
  const der = Buffer.from(data, "hex");
  try {
    if (r.selector === 0) new X509Certificate(der);
    else createPublicKey({ key: der, format: "der", type: "spki" });
    return null;
  } catch {
    return r.selector === 0
      ? "Full data is not a DER certificate"
      : "Full data is not a DER SubjectPublicKeyInfo";
  }
}

/**
 * Is this record usable by an SMTP client? `smtp: false` judges it for other services, where PKIX-TA and
 * PKIX-EE are usable (RFC 6698).
 */
export function assessTlsa(record: TlsaRecord, opts: { smtp?: boolean } = {}): TlsaAssessment {
  const smtp = opts.smtp ?? true;
  const text = tlsaText(record);
  const bad = (problem: TlsaProblem, why: string): TlsaAssessment => ({
    record,
    text,
    usable: false,
    problem,
    why,
  });
  if (!(record.usage in TLSA_USAGES))
    return bad("unknown_usage", `unknown certificate usage ${record.usage}`);
  if (!(record.selector in TLSA_SELECTORS))
    return bad("unknown_selector", `unknown selector ${record.selector}`);
  if (!(record.matchingType in TLSA_MATCHING_TYPES)) {
    return bad("unknown_matching_type", `unknown matching type ${record.matchingType}`);
  }
  const dp = dataProblem(record);
  if (dp) return bad("bad_data", dp);
  if (smtp && (record.usage === 0 || record.usage === 1)) {
    return bad(
      "pkix_usage",
      `${TLSA_USAGES[record.usage]} is not used for SMTP (RFC 7672 §3.1.3): an SMTP client has no agreed public CAs`,
    );
  }
  return { record, text, usable: true, problem: null, why: describeTlsa(record) };
}

/** The TLSA records among a DNS answer's typed records, as TlsaRecord values (in answer order). */
export function tlsaFromDns(records: readonly DnsRecord[]): TlsaRecord[] {
  return records.flatMap((r) =>
    r.type === "TLSA"
      ? [
          {
            usage: r.data.usage,
            selector: r.data.selector,
            matchingType: r.data.matchingType,
            data: r.data.certificate.toLowerCase(),
          },
        ]
      : [],
  );
}
