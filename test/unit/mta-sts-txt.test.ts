/**
 * Unit tests of the MTA-STS TXT record parser (shared/policy/mta-sts-txt.ts, RFC 8461 §3.1) and the shared TXT
 * helpers (shared/policy/txt-record.ts): tables of named cases, malformed input included. Pure data.
 */

import { describe, expect, it } from "vitest";
import type { DnsAnswer } from "../../shared/dns/types.js";
import { type MtaStsTxt, mtaStsTxtFromLookup, parseMtaStsTxt } from "../../shared/policy/mta-sts-txt.js";
import {
  splitTxtFields,
  type TxtRecordInput,
  txtLookupAnswered,
  txtLookupFromAnswer,
} from "../../shared/policy/txt-record.js";

type Want = { status: "none" } | { status: "valid"; id: string } | { status: "invalid"; error: string };

function summary(r: MtaStsTxt): Want {
  if (r.status === "valid") return { status: "valid", id: r.id };
  if (r.status === "invalid") return { status: "invalid", error: r.error };
  return { status: "none" };
}

describe("mta-sts txt", () => {
  const cases: { name: string; records: TxtRecordInput[]; want: Want }[] = [
    { name: "no records", records: [], want: { status: "none" } },
    {
      name: "only unrelated records",
      records: ["v=spf1 -all", "google-site-verification=x"],
      want: { status: "none" },
    },
    {
      name: "minimal",
      records: ["v=STSv1; id=20160831085700Z"],
      want: { status: "valid", id: "20160831085700Z" },
    },
    { name: "no spaces", records: ["v=STSv1;id=abc"], want: { status: "valid", id: "abc" } },
    {
      name: "tabs and spaces around ;",
      records: ["v=STSv1 \t;\t id=abc"],
      want: { status: "valid", id: "abc" },
    },
    { name: "trailing delimiter", records: ["v=STSv1; id=abc;"], want: { status: "valid", id: "abc" } },
    {
      name: "trailing delimiter and space",
      records: ["v=STSv1; id=abc; "],
      want: { status: "valid", id: "abc" },
    },
    { name: "trailing space forgiven", records: ["v=STSv1; id=abc  "], want: { status: "valid", id: "abc" } },
    {
      name: "id of 32 characters",
      records: [`v=STSv1; id=${"a".repeat(32)}`],
      want: { status: "valid", id: "a".repeat(32) },
    },
    {
      name: "extension ignored",
      records: ["v=STSv1; id=abc; ext_1.x-y=v@l:ue"],
      want: { status: "valid", id: "abc" },
    },
    {
      name: "extension before id",
      records: ["v=STSv1; foo=bar; id=abc"],
      want: { status: "valid", id: "abc" },
    },
    {
      name: "split into character-strings",
      records: [["v=STSv1; ", "id=abc"]],
      want: { status: "valid", id: "abc" },
    },
    {
      name: "other records ignored beside one STSv1",
      records: ["v=spf1 -all", "v=STSv1; id=abc", "v=TLSRPTv1; rua=mailto:a@b.c"],
      want: { status: "valid", id: "abc" },
    },
    {
      name: "two STSv1 records",
      records: ["v=STSv1; id=a", "v=STSv1; id=b"],
      want: { status: "invalid", error: "txt_multiple" },
    },
    {
      name: "two identical STSv1 records",
      records: ["v=STSv1; id=a", "v=STSv1; id=a"],
      want: { status: "invalid", error: "txt_multiple" },
    },
    {
      name: "version STSv2 only",
      records: ["v=STSv2; id=a"],
      want: { status: "invalid", error: "txt_bad_version" },
    },
    {
      name: "lower-case version",
      records: ["v=stsv1; id=a"],
      want: { status: "invalid", error: "txt_bad_version" },
    },
    {
      name: "version with a suffix",
      records: ["v=STSv10; id=a"],
      want: { status: "invalid", error: "txt_bad_version" },
    },
    {
      name: "no delimiter after version",
      records: ["v=STSv1 id=a"],
      want: { status: "invalid", error: "txt_bad_version" },
    },
    { name: "leading space", records: [" v=STSv1; id=a"], want: { status: "invalid", error: "txt_syntax" } },
    {
      name: "spaces around =",
      records: ["v = STSv1; id=a"],
      want: { status: "invalid", error: "txt_syntax" },
    },
    { name: "version alone", records: ["v=STSv1"], want: { status: "invalid", error: "txt_missing_id" } },
    {
      name: "version and delimiter",
      records: ["v=STSv1;"],
      want: { status: "invalid", error: "txt_missing_id" },
    },
    {
      name: "upper-case ID key",
      records: ["v=STSv1; ID=abc"],
      want: { status: "invalid", error: "txt_missing_id" },
    },
    { name: "empty id", records: ["v=STSv1; id="], want: { status: "invalid", error: "txt_bad_id" } },
    {
      name: "id too long",
      records: [`v=STSv1; id=${"a".repeat(33)}`],
      want: { status: "invalid", error: "txt_bad_id" },
    },
    {
      name: "id with a dash",
      records: ["v=STSv1; id=2024-01-01"],
      want: { status: "invalid", error: "txt_bad_id" },
    },
    {
      name: "id with a space",
      records: ["v=STSv1; id=ab c"],
      want: { status: "invalid", error: "txt_bad_id" },
    },
    {
      name: "id twice",
      records: ["v=STSv1; id=a; id=b"],
      want: { status: "invalid", error: "txt_duplicate_id" },
    },
    {
      name: "empty field in the middle",
      records: ["v=STSv1;; id=a"],
      want: { status: "invalid", error: "txt_syntax" },
    },
    {
      name: "field without =",
      records: ["v=STSv1; id=a; junk"],
      want: { status: "invalid", error: "txt_syntax" },
    },
    {
      name: "bad field name",
      records: ["v=STSv1; id=a; _x=1"],
      want: { status: "invalid", error: "txt_syntax" },
    },
    {
      name: "extension with a space",
      records: ["v=STSv1; id=a; x=a b"],
      want: { status: "invalid", error: "txt_syntax" },
    },
    {
      name: "extension with =",
      records: ["v=STSv1; id=a; x=a=b"],
      want: { status: "invalid", error: "txt_syntax" },
    },
    {
      name: "empty extension value",
      records: ["v=STSv1; id=a; x="],
      want: { status: "invalid", error: "txt_syntax" },
    },
    {
      name: "control character",
      records: ["v=STSv1; id=a\u0000"],
      want: { status: "invalid", error: "txt_bad_id" },
    },
  ];
  it.each(cases)("mta-sts txt - $name", ({ records, want }) => {
    expect(summary(parseMtaStsTxt(records))).toEqual(want);
  });

  it("mta-sts txt - valid keeps the record and the extensions (first value)", () => {
    expect(parseMtaStsTxt(["v=STSv1; id=abc; foo=1; foo=2"])).toEqual({
      status: "valid",
      id: "abc",
      record: "v=STSv1; id=abc; foo=1; foo=2",
      extensions: { foo: "1" },
    });
  });

  it("mta-sts txt - the detail names the record and escapes control characters", () => {
    const r = parseMtaStsTxt(["v=STSv1; id=a\u0001b"]);
    expect(r.status === "invalid" && r.detail).toContain("\\x01");
  });

  const answer = (over: Partial<DnsAnswer>): DnsAnswer => ({
    name: "_mta-sts.example.org",
    type: "TXT",
    rcode: "NOERROR",
    ad: false,
    records: [],
    cnameChain: [],
    cnameLoop: false,
    resolver: "127.0.0.1:53",
    tcp: false,
    attempts: 1,
    elapsedMs: 1,
    detail: null,
    ...over,
  });

  const lookups: { name: string; answer: DnsAnswer; want: Want }[] = [
    { name: "NXDOMAIN is none", answer: answer({ rcode: "NXDOMAIN" }), want: { status: "none" } },
    { name: "NOERROR without records is none", answer: answer({}), want: { status: "none" } },
    {
      name: "records joined per record",
      answer: answer({
        records: [{ name: "_mta-sts.example.org", ttl: 1, type: "TXT", data: ["v=STSv1; ", "id=x1"] }],
      }),
      want: { status: "valid", id: "x1" },
    },
    {
      name: "SERVFAIL",
      answer: answer({ rcode: "SERVFAIL" }),
      want: { status: "invalid", error: "txt_dns_error" },
    },
    {
      name: "timeout",
      answer: answer({ rcode: "TIMEOUT" }),
      want: { status: "invalid", error: "txt_dns_error" },
    },
    {
      name: "CNAME loop",
      answer: answer({ cnameLoop: true }),
      want: { status: "invalid", error: "txt_dns_error" },
    },
  ];
  it.each(lookups)("mta-sts txt lookup - $name", ({ answer: a, want }) => {
    expect(summary(mtaStsTxtFromLookup(txtLookupFromAnswer(a)))).toEqual(want);
  });

  it("txt lookup - only NOERROR and NXDOMAIN are answers", () => {
    const base = { name: "x", records: [], detail: null };
    expect(txtLookupAnswered({ ...base, rcode: "NOERROR" })).toBe(true);
    expect(txtLookupAnswered({ ...base, rcode: "NXDOMAIN" })).toBe(true);
    for (const rcode of ["SERVFAIL", "REFUSED", "TIMEOUT", "OTHER", "FORMERR", "NOTIMP"] as const) {
      expect(txtLookupAnswered({ ...base, rcode })).toBe(false);
    }
  });

  it("txt fields - split keeps values with inner spaces for the caller", () => {
    expect(splitTxtFields("v=TLSRPTv1; rua=mailto:a@b.c, https://x.y/", "v=TLSRPTv1")).toEqual({
      ok: true,
      fields: [{ name: "rua", value: "mailto:a@b.c, https://x.y/" }],
    });
  });
});
