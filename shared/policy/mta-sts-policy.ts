/**
 * The MTA-STS policy file, `https://mta-sts.<domain>/.well-known/mta-sts.txt` (RFC 8461 §3.2), and MX pattern
 * matching (§4.1).
 *
 *   sts-policy-record = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]
 *   sts-policy-term   = LF / CRLF
 *   field             = key ":" *WSP value           (keys and values case-sensitive)
 *   version: STSv1                                  (required)
 *   mode: enforce | testing | none                  (required)
 *   max_age: 1*10DIGIT, at most 31557600            (required)
 *   mx: ["*."] Domain                               (one line per pattern; at least one unless mode is none)
 *
 * Unknown keys are ignored (extensions), but must be well-formed. A known key other than `mx` given twice is
 * `policy_duplicate_key`: the policy is ambiguous. Blank lines are tolerated (the grammar has none, senders
 * skip them). Every problem is kept (`problems`), the first one is the error; the fields that did parse are
 * returned either way, for diagnosis.
 */

export const MTA_STS_POLICY_ERRORS = [
  "policy_syntax", // a line that is not `key: value`, an illegal key, or an illegal extension value
  "policy_missing_version",
  "policy_bad_version", // version is not exactly STSv1
  "policy_missing_mode",
  "policy_bad_mode", // mode is not enforce, testing or none (case-sensitive)
  "policy_missing_max_age",
  "policy_bad_max_age", // not 1-10 digits, or above 31557600
  "policy_missing_mx", // no mx line while mode is enforce or testing
  "policy_bad_mx", // an mx value that is neither a host name nor *. + a host name
  "policy_duplicate_key", // version, mode or max_age given more than once
] as const;
export type MtaStsPolicyError = (typeof MTA_STS_POLICY_ERRORS)[number];

export const MTA_STS_MODES = ["enforce", "testing", "none"] as const;
export type MtaStsMode = (typeof MTA_STS_MODES)[number];

/** RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year). */
export const MTA_STS_MAX_AGE_LIMIT = 31_557_600;

export interface MtaStsPolicy {
  version: "STSv1";
  mode: MtaStsMode;
  max_age: number;
  /** Patterns in the order given, lower-cased, duplicates removed. */
  mx: string[];
  /** Unknown keys (first value of each), kept as evidence. */
  extensions: Record<string, string>;
}

export interface PolicyProblem {
  error: MtaStsPolicyError;
  detail: string;
  /** 1-based line number, or null for a missing key. */
  line: number | null;
}

export type MtaStsPolicyParse =
  | { ok: true; policy: MtaStsPolicy }
  | {
      ok: false;
      error: MtaStsPolicyError;
      detail: string;
      problems: PolicyProblem[];
      /** What did parse. */
      partial: { mode: MtaStsMode | null; max_age: number | null; mx: string[] };
    };

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
/** sts-policy-ext-value: visible characters (UTF-8 allowed), inner spaces, no leading or trailing space. */
const EXT_VALUE = /^[^\s\p{Cc}](?:[^\t\r\n\p{Cc}]*[^\s\p{Cc}])?$/u;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Is `name` an RFC 5321 Domain (LDH labels, no trailing dot, at most 253 octets)? */
export function isHostName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name
    .toLowerCase()
    .split(".")
    .every((l) => LABEL.test(l));
}

/** Is `pattern` a legal mx value: a host name, or `*.` followed by a host name? */
export function isMxPattern(pattern: string): boolean {
  return isHostName(pattern.startsWith("*.") ? pattern.slice(2) : pattern);
}

function norm(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

/**
 * RFC 8461 §4.1: does the MX host `host` match the policy pattern? Case-insensitive; a pattern `*.example.com`
 * stands for exactly one leftmost label (`mx.example.com`, not `example.com` nor `a.b.example.com`).
 */
export function mxMatchesPattern(host: string, pattern: string): boolean {
  const h = norm(host);
  const p = norm(pattern);
  if (h === "" || p === "") return false;
  if (!p.startsWith("*.")) return h === p;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

/** Does the MX host match any of the patterns? */
export function mxMatchesAny(host: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => mxMatchesPattern(host, p));
}

export function parseMtaStsPolicy(text: string): MtaStsPolicyParse {
  const problems: PolicyProblem[] = [];
  const problem = (error: MtaStsPolicyError, detail: string, line: number | null): void => {
    problems.push({ error, detail, line });
  };
  let version: string | null = null;
  let mode: MtaStsMode | null = null;
  let maxAge: number | null = null;
  const mx: string[] = [];
  const extensions: Record<string, string> = {};
  const seen = new Map<string, number>();

  // LF or CRLF terminates a line; a lone CR stays in the line and makes it illegal.
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    if (/^[ \t]*$/.test(raw)) continue;
    const line = raw.replace(/[ \t]+$/, "");
    const colon = line.indexOf(":");
    if (colon < 0) {
      problem("policy_syntax", `line ${n} has no ":": "${show(line)}"`, n);
      continue;
    }
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^[ \t]+/, "");
    if (!KEY.test(key)) {
      problem("policy_syntax", `line ${n}: "${show(key)}" is not a legal key`, n);
      continue;
    }
    if (key === "version" || key === "mode" || key === "max_age") {
      const first = seen.get(key);
      if (first !== undefined) {
        problem("policy_duplicate_key", `${key} on line ${n} repeats line ${first}`, n);
        continue;
      }
      seen.set(key, n);
    }
    switch (key) {
      case "version":
        version = value;
        if (value !== "STSv1") problem("policy_bad_version", `version "${show(value)}", expected STSv1`, n);
        break;
      case "mode":
        if ((MTA_STS_MODES as readonly string[]).includes(value)) mode = value as MtaStsMode;
        else problem("policy_bad_mode", `mode "${show(value)}", expected enforce, testing or none`, n);
        break;
      case "max_age":
        if (!/^[0-9]{1,10}$/.test(value)) {
          problem("policy_bad_max_age", `max_age "${show(value)}" is not 1-10 digits`, n);
        } else if (Number(value) > MTA_STS_MAX_AGE_LIMIT) {
          problem("policy_bad_max_age", `max_age ${Number(value)} is above ${MTA_STS_MAX_AGE_LIMIT}`, n);
        } else {
          maxAge = Number(value);
        }
        break;
      case "mx":
        if (!isMxPattern(value)) {
          problem("policy_bad_mx", `mx "${show(value)}" is not a host name or *.host name`, n);
        } else if (!mx.includes(value.toLowerCase())) {
          mx.push(value.toLowerCase());
        }
        break;
      default:
        if (!EXT_VALUE.test(value))
          problem("policy_syntax", `line ${n}: the value of ${key} is empty or illegal`, n);
        else extensions[key] ??= value;
    }
  }

  const caseHint = (k: string): string =>
    Object.keys(extensions).some((e) => e.toLowerCase() === k) ? " (keys are case-sensitive)" : "";
  if (version === null) problem("policy_missing_version", `no version line${caseHint("version")}`, null);
  if (mode === null && !seen.has("mode"))
    problem("policy_missing_mode", `no mode line${caseHint("mode")}`, null);
  if (maxAge === null && !seen.has("max_age")) {
    problem("policy_missing_max_age", `no max_age line${caseHint("max_age")}`, null);
  }
  if (
    mx.length === 0 &&
    (mode === "enforce" || mode === "testing") &&
    !problems.some((p) => p.error === "policy_bad_mx")
  ) {
    problem("policy_missing_mx", `mode ${mode} needs at least one mx line`, null);
  }

  const first = problems[0];
  if (first) {
    return {
      ok: false,
      error: first.error,
      detail: first.detail,
      problems,
      partial: { mode, max_age: maxAge, mx },
    };
  }
  return {
    ok: true,
    policy: { version: "STSv1", mode: mode!, max_age: maxAge!, mx, extensions },
  };
}

function show(s: string): string {
  const safe = s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return safe.length > 100 ? `${safe.slice(0, 100)}...` : safe;
}
