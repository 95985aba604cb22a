/**
 * One entry of a domain list → the mail domain mxsurvey scans, in the form DNS queries use: lower-case A-labels,
 * no trailing dot. Or a reason why the entry is not a domain name. Nothing is guessed: an entry is either a
 * domain name, written the way people write domain names, or it is rejected with a reason.
 *
 * Steps, in order (the first that fails gives the reason):
 *
 *  1. A NUL character anywhere → `nul_byte`.
 *  2. Surrounding white space is trimmed (String.prototype.trim: ASCII and Unicode spaces, BOM). Nothing left →
 *     `empty`.
 *  3. One trailing dot — the root label, `example.com.` — is stripped (also the dots UTS-46 maps to a full
 *     stop: U+3002, U+FF0E, U+FF61). Nothing left (the input was `.`) → `empty`. A second trailing dot stays and
 *     makes an empty label.
 *  4. Pure ASCII input — the fast path, which never touches tr46 (tr46 takes ~14 µs for an ASCII name on the
 *     benchmark machine, the fast path ~0.2 µs; a 1M-line list must not spend 14 s there). Its rules are exactly
 *     UTS-46's for ASCII (test/unit/normalize.test.ts compares both on random names):
 *     - any character other than letters, digits, `-` and `.`: an IPv6 address (`::1`, `fe80::1%eth0`) or a
 *       bracketed address literal (`[192.0.2.1]`, `[::1]`, `[IPv6:::1]`) → `ip_address`; `/`, `:` or `@` (a URL,
 *       `host:port`, a mail address, a CIDR prefix) → `not_a_domain`; anything else — `_`, `*`, a space, a
 *       comma... → `invalid_characters`. Underscores are rejected: `_dmarc.example` is a DNS owner name, not a
 *       host or mail domain (RFC 1123 §2.1, RFC 5321 §2.3.5).
 *     - upper case is lowered.
 *     - label checks (the first failing label decides): an empty label (`a..b`, `.example`) → `empty_label`;
 *       more than 63 octets → `label_too_long`; a hyphen first or last in a label, or hyphens in both the third
 *       and fourth positions of a label that is not an A-label (`ab--cd`, an RFC 5890 "R-LDH" reserved label) →
 *       `bad_hyphen` — exactly UTS-46 CheckHyphens, so that the fast path and tr46 agree.
 *     - the whole name longer than 253 octets → `too_long`.
 *     - a label starting `xn--` (an A-label, "punycode"): the name is passed to tr46, which decodes the A-label and
 *       checks the U-label; a bad one (`xn--zz`, `xn--a`, one decoding to a disallowed or upper-case code point)
 *       → `invalid_idn`. (An A-label of pure ASCII, `xn--abc-`, ends in a hyphen: `bad_hyphen` already.) A valid
 *       A-label is kept as it is (lower-cased), not re-encoded.
 *     - the last label is a number (all digits, or `0x` hex — WHATWG URL "ends in a number"): when the whole
 *       name is an IPv4 address in any of the forms `inet_aton` and browsers accept (`192.0.2.1`,
 *       `192.0.2.1.`, `3221225985`, `0xc0.0.2.1`, `0300.0.2.1`, `192.2`) → `ip_address`, otherwise (`1.2.3.999`,
 *       `example.123`) → `numeric_tld`: no top-level domain is numeric, and resolvers and URL parsers would
 *       treat the name as a broken address.
 *     - a single label (`localhost`, `com`) → `single_label`: mail domains in a survey list are delegated
 *       names; a TLD with its own MX is so rare that a bare label is far more likely a list error.
 *  5. Non-ASCII input: UTS-46 ToASCII with tr46 — nontransitional processing (`faß.de` → `xn--fa-hia.de`, as
 *     IDNA2008 and browsers do), CheckHyphens, CheckBidi, CheckJoiners, UseSTD3ASCIIRules, VerifyDnsLength.
 *     Mapping folds case and width (`ＥＸＡＭＰＬＥ．com` → `example.com`); emoji are valid under UTS-46
 *     (`💩.la` → `xn--ls8h.la`) though IDNA2008 registries refuse them — they are in real lists and resolve.
 *     The A-label result then goes through the checks of step 4 (so `１.２.３.４` → `ip_address`). When tr46
 *     refuses the name, the reason is looked for in the mapped form: U+FFFD (the input was not valid UTF-8) →
 *     `invalid_utf8`; then the ASCII character rules; an empty label; a bad hyphen; label or name length;
 *     otherwise (bidi, joiners, disallowed code points, bad A-labels) → `invalid_idn`.
 *
 * tr46 v5 spells nontransitional processing `transitionalProcessing: false` (the `processingOption` option of
 * tr46 ≤ 3 is gone).
 */

import { isIP, isIPv6 } from "node:net";
import { toASCII, toUnicode } from "tr46";
import { UsageError } from "../options.js";

export const REJECT_REASONS = [
  "nul_byte",
  "empty",
  "invalid_utf8",
  "ip_address",
  "not_a_domain",
  "invalid_characters",
  "empty_label",
  "label_too_long",
  "bad_hyphen",
  "too_long",
  "numeric_tld",
  "single_label",
  "invalid_idn",
] as const;

/** Why an entry is not a domain name (see the file header for each). */
export type RejectReason = (typeof REJECT_REASONS)[number];

export type NormalizeResult = { ok: true; domain: string } | { ok: false; reason: RejectReason };

/** UTS-46 ToASCII, nontransitional, every check on. */
export const UTS46_STRICT = {
  transitionalProcessing: false,
  checkHyphens: true,
  checkBidi: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  verifyDNSLength: true,
} as const;

/** UTS-46 mapping only, no validity checks: used to find out why a name failed. */
const UTS46_LAX = { transitionalProcessing: false } as const;

const MAX_NAME = 253;
const MAX_LABEL = 63;

function fail(reason: RejectReason): NormalizeResult {
  return { ok: false, reason };
}

export function normalizeDomain(raw: string): NormalizeResult {
  if (raw.indexOf("\0") !== -1) return fail("nul_byte");
  let s = raw.trim();
  if (s.length === 0) return fail("empty");
  const last = s.charCodeAt(s.length - 1);
  if (last === 0x2e || last === 0x3002 || last === 0xff0e || last === 0xff61) {
    s = s.slice(0, -1);
    if (s.length === 0) return fail("empty");
  }

  let upper = false;
  let other = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e) continue;
    if (c >= 0x41 && c <= 0x5a) upper = true;
    else if (c >= 0x80) return nonAscii(s);
    else other = true;
  }
  if (other) return fail(asciiJunk(s));
  return checkLdh(upper ? s.toLowerCase() : s, true);
}

/**
 * A mail domain typed on the command line (`mxsurvey check DOMAIN`): the same rules as a line of a scan's list,
 * so that check and scan measure the same name. A refusal is a UsageError naming the reason.
 */
export function domainArgument(input: string): string {
  const r = normalizeDomain(input);
  if (!r.ok) throw new UsageError(`domain ${JSON.stringify(input)} is not a mail domain: ${r.reason}`);
  return r.domain;
}

/** An ASCII name containing something other than letters, digits, hyphens and dots. */
function asciiJunk(s: string): RejectReason {
  if (s.charCodeAt(0) === 0x5b && s.charCodeAt(s.length - 1) === 0x5d) {
    const inner = s.slice(1, -1);
    const v6 = /^ipv6:/i.test(inner) ? inner.slice(5) : null;
    if (v6 !== null ? isIPv6(v6) : isIP(inner) !== 0) return "ip_address";
    return "not_a_domain";
  }
  if (s.indexOf(":") !== -1 && isIPv6(s)) return "ip_address";
  if (/[/:@]/.test(s)) return "not_a_domain";
  return "invalid_characters";
}

/**
 * `s` is lower-case ASCII letters, digits, hyphens and dots. With `validateALabels`, a name with an `xn--` label
 * goes through tr46 so the A-label is checked (done already when `s` is tr46's own output).
 */
function checkLdh(s: string, validateALabels: boolean): NormalizeResult {
  const n = s.length;
  let start = 0;
  let lastStart = 0;
  let labels = 0;
  let aLabel = false;
  for (let i = 0; i <= n; i++) {
    if (i < n && s.charCodeAt(i) !== 0x2e) continue;
    lastStart = start;
    const len = i - start;
    labels++;
    if (len === 0) return fail("empty_label");
    if (len > MAX_LABEL) return fail("label_too_long");
    if (s.charCodeAt(start) === 0x2d || s.charCodeAt(i - 1) === 0x2d) return fail("bad_hyphen");
    if (len >= 4 && s.charCodeAt(start + 2) === 0x2d && s.charCodeAt(start + 3) === 0x2d) {
      if (s.charCodeAt(start) === 0x78 && s.charCodeAt(start + 1) === 0x6e) aLabel = true;
      else return fail("bad_hyphen");
    }
    start = i + 1;
  }
  if (n > MAX_NAME) return fail("too_long");
  // An A-label is checked by decoding it (tr46 re-encodes a valid one to the same text).
  if (aLabel && validateALabels && toASCII(s, UTS46_STRICT) !== s) return fail("invalid_idn");
  if (endsInNumber(s, lastStart)) return fail(parseIPv4(s) ? "ip_address" : "numeric_tld");
  if (labels === 1) return fail("single_label");
  return { ok: true, domain: s };
}

/** WHATWG URL "ends in a number": the last label (from `from`) is all decimal digits, or a `0x` hex number. */
function endsInNumber(s: string, from: number): boolean {
  const c = s.charCodeAt(from);
  if (c < 0x30 || c > 0x39) return false;
  const label = s.slice(from);
  return /^[0-9]+$/.test(label) || /^0x[0-9a-f]*$/.test(label);
}

/** WHATWG URL IPv4 parser (inet_aton forms: 1–4 parts; decimal, 0x hex, leading-0 octal). */
export function parseIPv4(s: string): boolean {
  const parts = s.split(".");
  if (parts.length > 4) return false;
  const nums: number[] = [];
  for (const p of parts) {
    let v: number;
    if (p === "") return false;
    if (/^0x[0-9a-f]*$/.test(p)) v = p.length === 2 ? 0 : Number.parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) v = Number.parseInt(p.slice(1), 8);
    else if (/^(?:0|[1-9][0-9]*)$/.test(p)) v = Number(p);
    else return false;
    nums.push(v);
  }
  const lastNum = nums.pop()!;
  for (const v of nums) if (v > 255) return false;
  return lastNum < 256 ** (5 - parts.length);
}

function nonAscii(s: string): NormalizeResult {
  const a = toASCII(s, UTS46_STRICT);
  if (a !== null) return checkLdh(a, false);
  return fail(whyNotIdn(s));
}

/** tr46 refused `s`; find the most specific reason in its UTS-46 mapped form. */
function whyNotIdn(s: string): RejectReason {
  if (s.indexOf("\ufffd") !== -1) return "invalid_utf8";
  const mapped = toUnicode(s, UTS46_LAX).domain;
  let asciiBad = false;
  for (let i = 0; i < mapped.length; i++) {
    const c = mapped.charCodeAt(i);
    if (c >= 0x80 || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e)
      continue;
    asciiBad = true;
    break;
  }
  if (asciiBad) return asciiJunk(mapped);
  const uLabels = mapped.split(".");
  for (const l of uLabels) {
    if (l.length === 0) return "empty_label";
    if (l.startsWith("-") || l.endsWith("-")) return "bad_hyphen";
    if (l[2] === "-" && l[3] === "-" && !l.startsWith("xn--")) return "bad_hyphen";
  }
  const ascii = toASCII(s, UTS46_LAX);
  if (ascii !== null) {
    if (ascii.split(".").some((l) => l.length > MAX_LABEL)) return "label_too_long";
    if (ascii.length > MAX_NAME) return "too_long";
  }
  return "invalid_idn";
}
