/**
 * What the MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) TXT records have in common, as plain data:
 * - a TXT lookup kept as facts (rcode and the records' text), so a verdict can be recomputed from storage;
 * - a record's character-strings are concatenated without separator (RFC 7208 §3.3 practice, which both
 *   RFCs inherit by saying "TXT record" for the whole RDATA);
 * - the record grammar both RFCs share: `version *(*WSP ";" *WSP field) [*WSP ";" *WSP]`, each field
 *   `name=value` with `name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`.
 */

import type { DnsAnswer, DnsRcode } from "../dns/types.js";

/** A TXT lookup as stored facts: the rcode and each record's text (character-strings joined). */
export interface TxtLookup {
  /** The name asked (lower case, no trailing dot). */
  name: string;
  rcode: DnsRcode;
  records: string[];
  /** What the DNS client saw, for people (rcode OTHER, timeouts); null otherwise. */
  detail: string | null;
}

export function txtLookupFromAnswer(a: DnsAnswer): TxtLookup {
  return {
    name: a.name,
    rcode: a.cnameLoop ? "OTHER" : a.rcode,
    records: a.records.flatMap((r) => (r.type === "TXT" ? [r.data.join("")] : [])),
    detail: a.cnameLoop ? "CNAME chain loops or is too long" : a.detail,
  };
}

/** NOERROR (records or none) and NXDOMAIN are answers; anything else means we could not tell. */
export function txtLookupAnswered(l: TxtLookup): boolean {
  return l.rcode === "NOERROR" || l.rcode === "NXDOMAIN";
}

/** One record as given to a parser: a string, or the character-strings of one record. */
export type TxtRecordInput = string | readonly string[];

export function joinTxt(r: TxtRecordInput): string {
  return typeof r === "string" ? r : r.join("");
}

export const TXT_FIELD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
/** Extension values: visible ASCII except ";" and "=" (RFC 8461 §3.1 sts-ext-value, RFC 8460 §3). */
export const TXT_EXT_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

export interface TxtField {
  name: string;
  value: string;
}

export type TxtFields =
  | { ok: true; fields: TxtField[] }
  | { ok: false; problem: "bad_version" | "syntax"; detail: string };

/**
 * Split a record that starts with `version` into its fields. Trailing spaces and tabs are forgiven (common in
 * zone files, harmless); everything else follows the grammar: the version must be the whole first field, no
 * empty field except after a final delimiter, every field `name=value` with a legal name. Values are checked
 * by the caller (each field has its own rule).
 */
export function splitTxtFields(record: string, version: string): TxtFields {
  const parts = record.replace(/[ \t]+$/, "").split(/[ \t]*;[ \t]*/);
  const first = parts.shift() ?? "";
  if (first !== version) {
    return {
      ok: false,
      problem: "bad_version",
      detail: `version field is "${first}", expected "${version}"`,
    };
  }
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop(); // the optional final delimiter
  const fields: TxtField[] = [];
  for (const part of parts) {
    if (part === "") return { ok: false, problem: "syntax", detail: "empty field between two semicolons" };
    const eq = part.indexOf("=");
    if (eq < 0) return { ok: false, problem: "syntax", detail: `field "${part}" has no "="` };
    const name = part.slice(0, eq);
    if (!TXT_FIELD_NAME.test(name)) {
      return { ok: false, problem: "syntax", detail: `"${name}" is not a legal field name` };
    }
    fields.push({ name, value: part.slice(eq + 1) });
  }
  return { ok: true, fields };
}

/** Printable form of a record for details: control and non-ASCII characters escaped, at most 200 chars. */
export function showRecord(record: string): string {
  const safe = record.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return safe.length > 200 ? `${safe.slice(0, 200)}...` : safe;
}
