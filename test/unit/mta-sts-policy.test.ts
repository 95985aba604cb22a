/**
 * Unit tests of the MTA-STS policy parser and MX pattern matching (shared/policy/mta-sts-policy.ts,
 * RFC 8461 §3.2 and §4.1): tables of named cases, malformed input included. Pure data.
 */

import { describe, expect, it } from "vitest";
import {
  isMxPattern,
  type MtaStsPolicyParse,
  mxMatchesPattern,
  parseMtaStsPolicy,
} from "../../shared/policy/mta-sts-policy.js";

const GOOD = ["version: STSv1", "mode: enforce", "mx: mail.example.com", "max_age: 86400"];
const lf = (lines: string[]) => `${lines.join("\n")}\n`;

type Want =
  | { ok: true; mode: string; max_age: number; mx: string[] }
  | { ok: false; error: string; errors?: string[] };

function summary(r: MtaStsPolicyParse, all: boolean): Want {
  if (r.ok) return { ok: true, mode: r.policy.mode, max_age: r.policy.max_age, mx: r.policy.mx };
  return all
    ? { ok: false, error: r.error, errors: r.problems.map((p) => p.error) }
    : { ok: false, error: r.error };
}

describe("mta-sts policy", () => {
  const cases: { name: string; text: string; want: Want }[] = [
    {
      name: "RFC example (LF)",
      text: lf(GOOD),
      want: { ok: true, mode: "enforce", max_age: 86400, mx: ["mail.example.com"] },
    },
    {
      name: "CRLF lines",
      text: `${GOOD.join("\r\n")}\r\n`,
      want: { ok: true, mode: "enforce", max_age: 86400, mx: ["mail.example.com"] },
    },
    {
      name: "no final newline",
      text: GOOD.join("\n"),
      want: { ok: true, mode: "enforce", max_age: 86400, mx: ["mail.example.com"] },
    },
    {
      name: "fields in any order",
      text: lf(["max_age: 1", "mx: a.example", "mode: testing", "version: STSv1"]),
      want: { ok: true, mode: "testing", max_age: 1, mx: ["a.example"] },
    },
    {
      name: "several mx, wildcard, upper case lowered, duplicate removed",
      text: lf([
        "version: STSv1",
        "mode: enforce",
        "mx: MX1.Example.com",
        "mx: *.example.net",
        "mx: mx1.example.com",
        "max_age: 604800",
      ]),
      want: { ok: true, mode: "enforce", max_age: 604800, mx: ["mx1.example.com", "*.example.net"] },
    },
    {
      name: "no space after colon, trailing spaces",
      text: lf(["version:STSv1  ", "mode:\tenforce\t", "mx:mx.example.com ", "max_age:0"]),
      want: { ok: true, mode: "enforce", max_age: 0, mx: ["mx.example.com"] },
    },
    {
      name: "mode none without mx",
      text: lf(["version: STSv1", "mode: none", "max_age: 86400"]),
      want: { ok: true, mode: "none", max_age: 86400, mx: [] },
    },
    {
      name: "unknown keys ignored, even repeated",
      text: lf([...GOOD, "x-comment: hello world", "x-comment: again"]),
      want: { ok: true, mode: "enforce", max_age: 86400, mx: ["mail.example.com"] },
    },
    {
      name: "blank lines tolerated",
      text: `\n${GOOD.join("\n\n")}\n\n \n`,
      want: { ok: true, mode: "enforce", max_age: 86400, mx: ["mail.example.com"] },
    },
    {
      name: "max_age at the limit",
      text: lf(["version: STSv1", "mode: enforce", "mx: a.example", "max_age: 31557600"]),
      want: { ok: true, mode: "enforce", max_age: 31557600, mx: ["a.example"] },
    },
    {
      name: "max_age with leading zeros",
      text: lf(["version: STSv1", "mode: enforce", "mx: a.example", "max_age: 0000086400"]),
      want: { ok: true, mode: "enforce", max_age: 86400, mx: ["a.example"] },
    },
    { name: "empty body", text: "", want: { ok: false, error: "policy_missing_version" } },
    {
      name: "HTML instead of a policy",
      text: "<html><body>hi</body></html>\n",
      want: { ok: false, error: "policy_syntax" },
    },
    { name: "no version", text: lf(GOOD.slice(1)), want: { ok: false, error: "policy_missing_version" } },
    {
      name: "version STSv2",
      text: lf(["version: STSv2", ...GOOD.slice(1)]),
      want: { ok: false, error: "policy_bad_version" },
    },
    {
      name: "version lower case",
      text: lf(["version: stsv1", ...GOOD.slice(1)]),
      want: { ok: false, error: "policy_bad_version" },
    },
    {
      name: "key in upper case is an unknown key",
      text: lf(["Version: STSv1", ...GOOD.slice(1)]),
      want: { ok: false, error: "policy_missing_version" },
    },
    {
      name: "no mode",
      text: lf([GOOD[0]!, GOOD[2]!, GOOD[3]!]),
      want: { ok: false, error: "policy_missing_mode" },
    },
    {
      name: "mode report",
      text: lf([GOOD[0]!, "mode: report", GOOD[2]!, GOOD[3]!]),
      want: { ok: false, error: "policy_bad_mode" },
    },
    {
      name: "mode Enforce",
      text: lf([GOOD[0]!, "mode: Enforce", GOOD[2]!, GOOD[3]!]),
      want: { ok: false, error: "policy_bad_mode" },
    },
    { name: "no max_age", text: lf(GOOD.slice(0, 3)), want: { ok: false, error: "policy_missing_max_age" } },
    {
      name: "max_age over the limit",
      text: lf([...GOOD.slice(0, 3), "max_age: 31557601"]),
      want: { ok: false, error: "policy_bad_max_age" },
    },
    {
      name: "max_age negative",
      text: lf([...GOOD.slice(0, 3), "max_age: -1"]),
      want: { ok: false, error: "policy_bad_max_age" },
    },
    {
      name: "max_age 11 digits",
      text: lf([...GOOD.slice(0, 3), "max_age: 00000000001"]),
      want: { ok: false, error: "policy_bad_max_age" },
    },
    {
      name: "max_age with a unit",
      text: lf([...GOOD.slice(0, 3), "max_age: 1d"]),
      want: { ok: false, error: "policy_bad_max_age" },
    },
    {
      name: "max_age empty",
      text: lf([...GOOD.slice(0, 3), "max_age:"]),
      want: { ok: false, error: "policy_bad_max_age" },
    },
    {
      name: "enforce without mx",
      text: lf([GOOD[0]!, GOOD[1]!, GOOD[3]!]),
      want: { ok: false, error: "policy_missing_mx" },
    },
    {
      name: "testing without mx",
      text: lf([GOOD[0]!, "mode: testing", GOOD[3]!]),
      want: { ok: false, error: "policy_missing_mx" },
    },
    {
      name: "mx with a trailing dot",
      text: lf([GOOD[0]!, GOOD[1]!, "mx: mx.example.com.", GOOD[3]!]),
      want: { ok: false, error: "policy_bad_mx" },
    },
    {
      name: "mx with a port",
      text: lf([GOOD[0]!, GOOD[1]!, "mx: mx.example.com:25", GOOD[3]!]),
      want: { ok: false, error: "policy_bad_mx" },
    },
    {
      name: "mx partial wildcard",
      text: lf([GOOD[0]!, GOOD[1]!, "mx: mx*.example.com", GOOD[3]!]),
      want: { ok: false, error: "policy_bad_mx" },
    },
    {
      name: "mx bare wildcard",
      text: lf([GOOD[0]!, GOOD[1]!, "mx: *", GOOD[3]!]),
      want: { ok: false, error: "policy_bad_mx" },
    },
    {
      name: "mx wildcard inside",
      text: lf([GOOD[0]!, GOOD[1]!, "mx: a.*.example.com", GOOD[3]!]),
      want: { ok: false, error: "policy_bad_mx" },
    },
    {
      name: "mx empty",
      text: lf([GOOD[0]!, GOOD[1]!, "mx:", GOOD[3]!]),
      want: { ok: false, error: "policy_bad_mx" },
    },
    {
      name: "mx two on one line",
      text: lf([GOOD[0]!, GOOD[1]!, "mx: a.example, b.example", GOOD[3]!]),
      want: { ok: false, error: "policy_bad_mx" },
    },
    {
      name: "mode twice",
      text: lf([...GOOD, "mode: testing"]),
      want: { ok: false, error: "policy_duplicate_key" },
    },
    {
      name: "version twice (same value)",
      text: lf([...GOOD, "version: STSv1"]),
      want: { ok: false, error: "policy_duplicate_key" },
    },
    {
      name: "max_age twice",
      text: lf([...GOOD, "max_age: 1"]),
      want: { ok: false, error: "policy_duplicate_key" },
    },
    {
      name: "line without colon",
      text: lf([...GOOD, "garbage"]),
      want: { ok: false, error: "policy_syntax" },
    },
    {
      name: "space before colon",
      text: lf(["version : STSv1", ...GOOD.slice(1)]),
      want: { ok: false, error: "policy_syntax" },
    },
    {
      name: "leading space on a key",
      text: lf([" version: STSv1", ...GOOD.slice(1)]),
      want: { ok: false, error: "policy_syntax" },
    },
    { name: "byte order mark", text: `\ufeff${lf(GOOD)}`, want: { ok: false, error: "policy_syntax" } },
    { name: "lone CR line ends", text: GOOD.join("\r"), want: { ok: false, error: "policy_bad_version" } },
    {
      name: "unknown key without value",
      text: lf([...GOOD, "x-ext:"]),
      want: { ok: false, error: "policy_syntax" },
    },
    {
      name: "JSON policy (the old draft)",
      text: '{"version": "STSv1", "mode": "enforce"}',
      want: { ok: false, error: "policy_syntax" },
    },
  ];
  it.each(cases)("mta-sts policy - $name", ({ text, want }) => {
    expect(summary(parseMtaStsPolicy(text), false)).toEqual(want);
  });

  it("mta-sts policy - every problem is listed with its line, first one is the error", () => {
    const r = parseMtaStsPolicy(lf(["version: STSv9", "mode: bogus", "mx: bad..name", "max_age: x"]));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.error, p.line])).toEqual([
      ["policy_bad_version", 1],
      ["policy_bad_mode", 2],
      ["policy_bad_mx", 3],
      ["policy_bad_max_age", 4],
    ]);
    expect(r.error).toBe("policy_bad_version");
  });

  it("mta-sts policy - an invalid policy still reports what parsed", () => {
    const r = parseMtaStsPolicy(
      lf(["version: STSv1", "mode: enforce", "mx: mx.example.com", "max_age: 99999999999"]),
    );
    expect(r.ok ? null : r.partial).toEqual({ mode: "enforce", max_age: null, mx: ["mx.example.com"] });
  });

  it("mta-sts policy - extensions keep their first value", () => {
    const r = parseMtaStsPolicy(lf([...GOOD, "x-note: one two", "x-note: three"]));
    expect(r.ok && r.policy.extensions).toEqual({ "x-note": "one two" });
  });
});

describe("mx pattern", () => {
  const cases: { name: string; host: string; pattern: string; match: boolean }[] = [
    { name: "exact", host: "mx.example.com", pattern: "mx.example.com", match: true },
    { name: "case-insensitive", host: "MX.Example.COM", pattern: "mx.example.com", match: true },
    { name: "trailing dot on host", host: "mx.example.com.", pattern: "mx.example.com", match: true },
    { name: "different host", host: "mx2.example.com", pattern: "mx.example.com", match: false },
    { name: "suffix is not a match", host: "a.mx.example.com", pattern: "mx.example.com", match: false },
    { name: "wildcard one label", host: "mx.example.com", pattern: "*.example.com", match: true },
    { name: "wildcard upper case", host: "mx.example.com", pattern: "*.EXAMPLE.com", match: true },
    { name: "wildcard not the apex", host: "example.com", pattern: "*.example.com", match: false },
    { name: "wildcard not two labels", host: "a.b.example.com", pattern: "*.example.com", match: false },
    { name: "wildcard other domain", host: "mx.example.net", pattern: "*.example.com", match: false },
    { name: "wildcard look-alike domain", host: "mx.badexample.com", pattern: "*.example.com", match: false },
    { name: "empty host", host: "", pattern: "*.example.com", match: false },
    { name: "empty pattern", host: "mx.example.com", pattern: "", match: false },
    { name: "host with empty first label", host: ".example.com", pattern: "*.example.com", match: false },
  ];
  it.each(cases)("mx pattern - $name", ({ host, pattern, match }) => {
    expect(mxMatchesPattern(host, pattern)).toBe(match);
  });

  const syntax: [string, boolean][] = [
    ["mx.example.com", true],
    ["*.example.com", true],
    ["localhost", true],
    ["xn--bcher-kva.example", true],
    ["-mx.example.com", false],
    ["mx-.example.com", false],
    ["mx_1.example.com", false],
    ["*.*.example.com", false],
    ["*example.com", false],
    [`${"a".repeat(64)}.example.com`, false],
    ["", false],
  ];
  it.each(syntax)("mx pattern syntax - %s is %s", (p, ok) => {
    expect(isMxPattern(p)).toBe(ok);
  });
});
