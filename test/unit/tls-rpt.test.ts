/**
 * Unit tests of the TLS-RPT record parser (shared/policy/tls-rpt.ts, RFC 8460 §3): tables of named cases,
 * malformed records and URIs included. Pure data.
 */

import { describe, expect, it } from "vitest";
import {
  evaluateTlsRpt,
  mailAddressProblem,
  parseTlsRpt,
  ruaUriProblem,
  type TlsRptEvaluation,
} from "../../shared/policy/tls-rpt.js";
import type { TxtRecordInput } from "../../shared/policy/txt-record.js";

type Want = { status: "none" } | { status: "valid"; rua: string[] } | { status: "invalid"; error: string };

function summary(r: TlsRptEvaluation): Want {
  if (r.tls_rpt_status === "valid") return { status: "valid", rua: r.tls_rpt_rua };
  if (r.tls_rpt_status === "invalid") return { status: "invalid", error: r.tls_rpt_error! };
  return { status: "none" };
}

describe("tls-rpt", () => {
  const cases: { name: string; records: TxtRecordInput[]; want: Want }[] = [
    { name: "no records", records: [], want: { status: "none" } },
    { name: "unrelated records", records: ["v=spf1 -all"], want: { status: "none" } },
    {
      name: "RFC example mailto",
      records: ["v=TLSRPTv1; rua=mailto:reports@example.com"],
      want: { status: "valid", rua: ["mailto:reports@example.com"] },
    },
    {
      name: "RFC example https",
      records: ["v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt"],
      want: { status: "valid", rua: ["https://reporting.example.com/v1/tlsrpt"] },
    },
    {
      name: "two URIs with spaces around the comma",
      records: ["v=TLSRPTv1; rua=mailto:a@example.com , https://r.example.com/x"],
      want: { status: "valid", rua: ["mailto:a@example.com", "https://r.example.com/x"] },
    },
    {
      name: "two URIs without spaces, trailing delimiter",
      records: ["v=TLSRPTv1;rua=mailto:a@example.com,mailto:b@example.net;"],
      want: { status: "valid", rua: ["mailto:a@example.com", "mailto:b@example.net"] },
    },
    {
      name: "mailto with percent-encoding and a query",
      records: ["v=TLSRPTv1; rua=mailto:tls%2Brpt@example.com?subject=TLS%20report"],
      want: { status: "valid", rua: ["mailto:tls%2Brpt@example.com?subject=TLS%20report"] },
    },
    {
      name: "MAILTO scheme in upper case",
      records: ["v=TLSRPTv1; rua=MAILTO:a@example.com"],
      want: { status: "valid", rua: ["MAILTO:a@example.com"] },
    },
    {
      name: "extension ignored",
      records: ["v=TLSRPTv1; ext=1; rua=mailto:a@example.com"],
      want: { status: "valid", rua: ["mailto:a@example.com"] },
    },
    {
      name: "character-strings joined",
      records: [["v=TLSRPTv1; rua=mailto:", "a@example.com"]],
      want: { status: "valid", rua: ["mailto:a@example.com"] },
    },
    {
      name: "one TLSRPTv1 among others",
      records: ["v=STSv1; id=1", "v=TLSRPTv1; rua=mailto:a@example.com"],
      want: { status: "valid", rua: ["mailto:a@example.com"] },
    },
    {
      name: "two records",
      records: ["v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com"],
      want: { status: "invalid", error: "tlsrpt_multiple" },
    },
    {
      name: "version 2",
      records: ["v=TLSRPTv2; rua=mailto:a@example.com"],
      want: { status: "invalid", error: "tlsrpt_bad_version" },
    },
    {
      name: "lower-case version",
      records: ["v=tlsrptv1; rua=mailto:a@example.com"],
      want: { status: "invalid", error: "tlsrpt_bad_version" },
    },
    {
      name: "version suffix",
      records: ["v=TLSRPTv10; rua=mailto:a@example.com"],
      want: { status: "invalid", error: "tlsrpt_bad_version" },
    },
    {
      name: "leading space",
      records: [" v=TLSRPTv1; rua=mailto:a@example.com"],
      want: { status: "invalid", error: "tlsrpt_syntax" },
    },
    { name: "no rua", records: ["v=TLSRPTv1"], want: { status: "invalid", error: "tlsrpt_missing_rua" } },
    {
      name: "no rua, other field",
      records: ["v=TLSRPTv1; ruf=mailto:a@example.com"],
      want: { status: "invalid", error: "tlsrpt_missing_rua" },
    },
    {
      name: "RUA in upper case",
      records: ["v=TLSRPTv1; RUA=mailto:a@example.com"],
      want: { status: "invalid", error: "tlsrpt_missing_rua" },
    },
    {
      name: "rua twice",
      records: ["v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com"],
      want: { status: "invalid", error: "tlsrpt_syntax" },
    },
    {
      name: "rua empty",
      records: ["v=TLSRPTv1; rua="],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "empty URI in the list",
      records: ["v=TLSRPTv1; rua=mailto:a@example.com,"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "http scheme",
      records: ["v=TLSRPTv1; rua=http://r.example.com/"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "bare address",
      records: ["v=TLSRPTv1; rua=a@example.com"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "mailto without @",
      records: ["v=TLSRPTv1; rua=mailto:reports"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "mailto empty",
      records: ["v=TLSRPTv1; rua=mailto:"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "mailto bad domain",
      records: ["v=TLSRPTv1; rua=mailto:a@-bad-.example"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "mailto single-label domain",
      records: ["v=TLSRPTv1; rua=mailto:a@localhost"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "mailto double dot local",
      records: ["v=TLSRPTv1; rua=mailto:a..b@example.com"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "mailto with a space",
      records: ["v=TLSRPTv1; rua=mailto:a b@example.com"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "mailto with raw !",
      records: ["v=TLSRPTv1; rua=mailto:a@example.com!10m"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "bad percent escape",
      records: ["v=TLSRPTv1; rua=mailto:a%zz@example.com"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "https without host",
      records: ["v=TLSRPTv1; rua=https:/path"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "https bad port",
      records: ["v=TLSRPTv1; rua=https://r.example.com:99999/"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "no scheme",
      records: ["v=TLSRPTv1; rua=//r.example.com/"],
      want: { status: "invalid", error: "tlsrpt_bad_uri" },
    },
    {
      name: "empty field",
      records: ["v=TLSRPTv1;; rua=mailto:a@example.com"],
      want: { status: "invalid", error: "tlsrpt_syntax" },
    },
    {
      name: "bad extension value",
      records: ["v=TLSRPTv1; rua=mailto:a@example.com; x=a b"],
      want: { status: "invalid", error: "tlsrpt_syntax" },
    },
  ];
  it.each(cases)("tls-rpt - $name", ({ records, want }) => {
    expect(summary(parseTlsRpt(records))).toEqual(want);
  });

  const lookups: { name: string; rcode: "NOERROR" | "NXDOMAIN" | "SERVFAIL" | "TIMEOUT"; want: Want }[] = [
    { name: "NXDOMAIN", rcode: "NXDOMAIN", want: { status: "none" } },
    { name: "NOERROR, no records", rcode: "NOERROR", want: { status: "none" } },
    { name: "SERVFAIL", rcode: "SERVFAIL", want: { status: "invalid", error: "tlsrpt_dns_error" } },
    { name: "TIMEOUT", rcode: "TIMEOUT", want: { status: "invalid", error: "tlsrpt_dns_error" } },
  ];
  it.each(lookups)("tls-rpt lookup - $name", ({ rcode, want }) => {
    expect(
      summary(evaluateTlsRpt({ name: "_smtp._tls.example.com", rcode, records: [], detail: null })),
    ).toEqual(want);
  });

  const addresses: [string, boolean][] = [
    ["a@example.com", true],
    ["first.last+tag@sub.example.co.uk", true],
    ['"quoted local"@example.com', true],
    ["a@bücher.example", true],
    ["a@example.com.", false],
    ["@example.com", false],
    ["a@", false],
    [".a@example.com", false],
    ["a@[192.0.2.1]", false],
    [`${"a".repeat(65)}@example.com`, false],
  ];
  it.each(addresses)("mail address - %s valid: %s", (addr, ok) => {
    expect(mailAddressProblem(addr) === null).toBe(ok);
  });

  it("rua uri - the problem is explained", () => {
    expect(ruaUriProblem("ftp://x.example/")).toBe('scheme "ftp" is neither mailto nor https');
    expect(ruaUriProblem("mailto:a@example.com")).toBeNull();
  });
});
