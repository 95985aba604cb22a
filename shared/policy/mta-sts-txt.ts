/**
 * The MTA-STS TXT record at `_mta-sts.<domain>` (RFC 8461 §3.1):
 *
 *   sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
 *   sts-version     = %s"v=STSv1"
 *   sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
 *   sts-extension   = sts-ext-name "=" sts-ext-value        (unknown extensions are ignored)
 *
 * Records that do not begin with `v=STSv1` are discarded; exactly one must remain (several = `txt_multiple`).
 * One deliberate addition to the RFC's "discard": when no record begins with `v=STSv1` but one begins with
 * `v=STS` in any case (`v=STSv2`, `v=stsv1`), the domain evidently meant to publish MTA-STS, and that is
 * reported as `txt_bad_version` (status invalid) instead of "no record" — senders see no policy either way.
 */

import {
  joinTxt,
  showRecord,
  splitTxtFields,
  TXT_EXT_VALUE,
  type TxtLookup,
  type TxtRecordInput,
  txtLookupAnswered,
} from "./txt-record.js";

export const MTA_STS_TXT_ERRORS = [
  "txt_dns_error", // the TXT lookup failed (SERVFAIL, REFUSED, timeout, ...): we cannot tell
  "txt_multiple", // more than one record begins with v=STSv1
  "txt_bad_version", // v=STSv1 followed by more characters, or only a v=STS... lookalike record
  "txt_missing_id", // no id field
  "txt_bad_id", // id is not 1-32 ASCII letters and digits
  "txt_duplicate_id", // id given more than once
  "txt_syntax", // anything else the grammar refuses (empty field, no "=", bad field name or value)
] as const;
export type MtaStsTxtError = (typeof MTA_STS_TXT_ERRORS)[number];

export type MtaStsTxt =
  /** No record begins with v=STSv1 (or the name does not exist): the domain has no MTA-STS. */
  | { status: "none" }
  | { status: "valid"; id: string; record: string; extensions: Record<string, string> }
  | { status: "invalid"; error: MtaStsTxtError; detail: string; record: string | null };

const VERSION = "v=STSv1";
const ID = /^[A-Za-z0-9]{1,32}$/;

/** Parse the TXT records of `_mta-sts.<domain>` (each one a string or its character-strings). */
export function parseMtaStsTxt(records: readonly TxtRecordInput[]): MtaStsTxt {
  const texts = records.map(joinTxt);
  const candidates = texts.filter((t) => t.startsWith(VERSION));
  if (candidates.length > 1) {
    return {
      status: "invalid",
      error: "txt_multiple",
      detail: `${candidates.length} records begin with ${VERSION}: ${candidates.map((c) => `"${showRecord(c)}"`).join(", ")}`,
      record: null,
    };
  }
  const record = candidates[0];
  if (record === undefined) {
    const lookalike = texts.find((t) => /^\s*v\s*=\s*sts/i.test(t));
    if (lookalike === undefined) return { status: "none" };
    return {
      status: "invalid",
      error: /^v=STS/i.test(lookalike) ? "txt_bad_version" : "txt_syntax",
      detail: `"${showRecord(lookalike)}" does not begin with ${VERSION} (case-sensitive, no leading space)`,
      record: lookalike,
    };
  }
  const invalid = (error: MtaStsTxtError, detail: string): MtaStsTxt => ({
    status: "invalid",
    error,
    detail: `${detail} in "${showRecord(record)}"`,
    record,
  });
  const split = splitTxtFields(record, VERSION);
  if (!split.ok)
    return invalid(split.problem === "bad_version" ? "txt_bad_version" : "txt_syntax", split.detail);
  let id: string | null = null;
  const extensions: Record<string, string> = {};
  for (const { name, value } of split.fields) {
    if (name === "id") {
      if (id !== null) return invalid("txt_duplicate_id", "id appears more than once");
      if (!ID.test(value)) return invalid("txt_bad_id", `id "${value}" is not 1-32 letters and digits`);
      id = value;
    } else {
      if (!TXT_EXT_VALUE.test(value)) return invalid("txt_syntax", `field ${name} has an illegal value`);
      extensions[name] ??= value;
    }
  }
  if (id === null) {
    const hint = Object.keys(extensions).some((k) => k.toLowerCase() === "id")
      ? " (field names are case-sensitive)"
      : "";
    return invalid("txt_missing_id", `no id field${hint}`);
  }
  return { status: "valid", id, record, extensions };
}

/** The TXT record from its lookup: a failed lookup is `txt_dns_error`, NXDOMAIN or no records is none. */
export function mtaStsTxtFromLookup(l: TxtLookup): MtaStsTxt {
  if (!txtLookupAnswered(l)) {
    return {
      status: "invalid",
      error: "txt_dns_error",
      detail: `TXT ${l.name}: ${l.rcode}${l.detail ? ` (${l.detail})` : ""}`,
      record: null,
    };
  }
  return parseMtaStsTxt(l.records);
}
