/**
 * The TLS-RPT record at `_smtp._tls.<domain>` (RFC 8460 §3):
 *
 *   tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
 *   field-delim   = *WSP ";" *WSP
 *   tlsrpt-version = %s"v=TLSRPTv1"
 *   tlsrpt-rua    = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)     (required)
 *   tlsrpt-uri    = URI (RFC 3986), "mailto:" or "https:"; commas and "!" percent-encoded
 *
 * Records that do not begin with `v=TLSRPTv1` are discarded; exactly one must remain, and it must be
 * syntactically valid, or senders assume the domain does not implement TLS-RPT. As for MTA-STS, a record that
 * only looks like one (`v=TLSRPTv2`, `v=tlsrptv1`) is reported as `tlsrpt_bad_version` instead of "none".
 * Each URI is checked: `mailto:` needs one valid address (RFC 5322 addr-spec with a dot-atom or quoted local
 * part and a host-name domain, percent-decoded per RFC 6068); `https:` must parse as a URL with a host.
 */

import { domainToASCII } from "node:url";
import { isHostName } from "./mta-sts-policy.js";
import {
  joinTxt,
  showRecord,
  splitTxtFields,
  TXT_EXT_VALUE,
  type TxtLookup,
  type TxtRecordInput,
  txtLookupAnswered,
} from "./txt-record.js";

export const TLS_RPT_STATUSES = ["none", "valid", "invalid"] as const;
export type TlsRptStatus = (typeof TLS_RPT_STATUSES)[number];

export const TLS_RPT_ERRORS = [
  "tlsrpt_dns_error", // the TXT lookup failed (SERVFAIL, REFUSED, timeout, ...)
  "tlsrpt_multiple", // more than one record begins with v=TLSRPTv1
  "tlsrpt_bad_version", // v=TLSRPTv1 followed by more characters, or only a v=TLSRPT... lookalike
  "tlsrpt_missing_rua", // no rua field
  "tlsrpt_bad_uri", // a rua URI that is not a valid mailto: or https: URI
  "tlsrpt_syntax", // anything else the grammar refuses (empty field, no "=", rua twice, bad extension)
] as const;
export type TlsRptError = (typeof TLS_RPT_ERRORS)[number];

/** The TLS-RPT columns of the domain row. */
export interface TlsRptFields {
  tls_rpt_status: TlsRptStatus;
  /** The rua URIs as published (valid record only). */
  tls_rpt_rua: string[];
  tls_rpt_error: TlsRptError | null;
}

export interface TlsRptEvaluation extends TlsRptFields {
  /** For people; null when valid or none. */
  detail: string | null;
}

const VERSION = "v=TLSRPTv1";
/** RFC 3986 URI characters: unreserved, reserved, and "%" (checked as escapes separately). */
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$/;

function none(): TlsRptEvaluation {
  return { tls_rpt_status: "none", tls_rpt_rua: [], tls_rpt_error: null, detail: null };
}

function invalid(error: TlsRptError, detail: string): TlsRptEvaluation {
  return { tls_rpt_status: "invalid", tls_rpt_rua: [], tls_rpt_error: error, detail };
}

/** Why a mailto: address is not valid, or null when it is. `addr` is already percent-decoded. */
export function mailAddressProblem(addr: string): string | null {
  const at = addr.lastIndexOf("@");
  if (at <= 0) return "no local part and domain";
  const local = addr.slice(0, at);
  const domain = addr.slice(at + 1);
  if (local.length > 64) return "local part longer than 64 octets";
  const dotAtom = local.split(".").every((a) => ATEXT.test(a));
  if (!dotAtom && !QUOTED.test(local))
    return `local part "${local}" is neither a dot-atom nor a quoted string`;
  const ascii = /[^\x00-\x7f]/.test(domain) ? domainToASCII(domain) : domain;
  if (!isHostName(ascii)) return `domain "${domain}" is not a host name`;
  if (!ascii.includes(".")) return `domain "${domain}" has a single label`;
  return null;
}

/** Why a rua URI is not acceptable, or null when it is. */
export function ruaUriProblem(uri: string): string | null {
  if (!URI_CHARS.test(uri)) return "characters not allowed in a URI (spaces, quotes, non-ASCII ...)";
  if (BAD_ESCAPE.test(uri)) return "a % not followed by two hex digits";
  if (uri.includes("!")) return '"!" must be percent-encoded (RFC 8460 §3)';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === "mailto") {
    const rest = uri.slice("mailto:".length);
    const addrPart = rest.split("?")[0] ?? "";
    let addr: string;
    try {
      addr = decodeURIComponent(addrPart);
    } catch {
      return "percent-encoding is not UTF-8";
    }
    if (addr === "") return "mailto: without an address";
    if (addr.includes(",")) return "one address per mailto: URI (commas separate URIs)";
    return mailAddressProblem(addr);
  }
  if (scheme === "https") {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return "not a parsable https: URL";
    }
    if (!/^https:\/\//i.test(uri) || url.hostname === "") return "https: URL without a host";
    return null;
  }
  return scheme ? `scheme "${scheme}" is neither mailto nor https` : "not a URI (no scheme)";
}

/** Parse the TXT records of `_smtp._tls.<domain>`. */
export function parseTlsRpt(records: readonly TxtRecordInput[]): TlsRptEvaluation {
  const texts = records.map(joinTxt);
  const candidates = texts.filter((t) => t.startsWith(VERSION));
  if (candidates.length > 1) {
    return invalid(
      "tlsrpt_multiple",
      `${candidates.length} records begin with ${VERSION}: ${candidates.map((c) => `"${showRecord(c)}"`).join(", ")}`,
    );
  }
  const record = candidates[0];
  if (record === undefined) {
    const lookalike = texts.find((t) => /^\s*v\s*=\s*tlsrpt/i.test(t));
    if (lookalike === undefined) return none();
    return invalid(
      /^v=TLSRPT/i.test(lookalike) ? "tlsrpt_bad_version" : "tlsrpt_syntax",
      `"${showRecord(lookalike)}" does not begin with ${VERSION} (case-sensitive, no leading space)`,
    );
  }
  const bad = (error: TlsRptError, detail: string): TlsRptEvaluation =>
    invalid(error, `${detail} in "${showRecord(record)}"`);
  // The rua value may hold spaces around its commas, which the field splitter keeps inside the value.
  const split = splitTxtFields(record, VERSION);
  if (!split.ok)
    return bad(split.problem === "bad_version" ? "tlsrpt_bad_version" : "tlsrpt_syntax", split.detail);
  let rua: string[] | null = null;
  for (const { name, value } of split.fields) {
    if (name === "rua") {
      if (rua !== null) return bad("tlsrpt_syntax", "rua appears more than once");
      rua = value.split(/[ \t]*,[ \t]*/);
      if (rua.some((u) => u === "")) return bad("tlsrpt_bad_uri", "an empty URI in rua");
      for (const uri of rua) {
        const problem = ruaUriProblem(uri);
        if (problem) return bad("tlsrpt_bad_uri", `rua URI "${uri}": ${problem}`);
      }
    } else if (!TXT_EXT_VALUE.test(value)) {
      return bad("tlsrpt_syntax", `field ${name} has an illegal value`);
    }
  }
  if (rua === null) return bad("tlsrpt_missing_rua", "no rua field");
  return { tls_rpt_status: "valid", tls_rpt_rua: rua, tls_rpt_error: null, detail: null };
}

/** TLS-RPT from its TXT lookup: a failed lookup is `tlsrpt_dns_error`, NXDOMAIN or no records is none. */
export function evaluateTlsRpt(l: TxtLookup): TlsRptEvaluation {
  if (!txtLookupAnswered(l)) {
    return invalid("tlsrpt_dns_error", `TXT ${l.name}: ${l.rcode}${l.detail ? ` (${l.detail})` : ""}`);
  }
  return parseTlsRpt(l.records);
}
