/** Domain-level policy recommendations: a table of named cases over the domain row's policy columns. */

import { describe, expect, it } from "vitest";
import {
  domainRecommendations,
  hasMajorPolicyFinding,
  type PolicyFacts,
} from "../../shared/policy/recommendations.js";

const base: PolicyFacts = {
  mta_sts_status: "none",
  mta_sts_mode: null,
  mta_sts_mx_mismatch: [],
  mta_sts_mx_failing: [],
  mta_sts_warnings: [],
  tls_rpt_status: "none",
  dane_status: "none",
  dane_single_record_note: false,
};

const cases: { name: string; input: Partial<PolicyFacts>; expect: string[] }[] = [
  { name: "nothing published", input: {}, expect: ["publish_mta_sts_or_dane", "publish_tls_rpt"] },
  {
    name: "not checked at all",
    input: { mta_sts_status: null, tls_rpt_status: null, dane_status: null },
    expect: [],
  },
  {
    name: "enforced and honoured, with TLS-RPT",
    input: { mta_sts_status: "valid", mta_sts_mode: "enforce", tls_rpt_status: "valid" },
    expect: [],
  },
  {
    name: "enforced but an MX host fails: a major finding",
    input: {
      mta_sts_status: "valid",
      mta_sts_mode: "enforce",
      mta_sts_mx_failing: ["mx.example"],
      tls_rpt_status: "valid",
    },
    expect: ["mta_sts_mx_failing"],
  },
  {
    name: "enforced with an unlisted MX host",
    input: {
      mta_sts_status: "valid",
      mta_sts_mode: "enforce",
      mta_sts_mx_mismatch: ["mx2.example"],
      tls_rpt_status: "valid",
    },
    expect: ["mta_sts_mx_mismatch"],
  },
  {
    name: "testing mode with a short max_age is only asked to move on",
    input: {
      mta_sts_status: "valid",
      mta_sts_mode: "testing",
      mta_sts_warnings: ["testing_mode"],
      tls_rpt_status: "valid",
    },
    expect: ["mta_sts_testing", "publish_mta_sts_or_dane"],
  },
  {
    name: "broken MTA-STS",
    input: { mta_sts_status: "invalid" },
    expect: ["fix_mta_sts", "publish_mta_sts_or_dane", "publish_tls_rpt"],
  },
  {
    name: "broken TLS-RPT",
    input: { tls_rpt_status: "invalid" },
    expect: ["fix_tls_rpt", "publish_mta_sts_or_dane"],
  },
  {
    name: "DANE bogus",
    input: { dane_status: "bogus", tls_rpt_status: "valid" },
    expect: ["fix_dane", "publish_mta_sts_or_dane"],
  },
  {
    name: "TLSA without DNSSEC",
    input: { dane_status: "insecure", tls_rpt_status: "valid" },
    expect: ["dane_needs_dnssec", "publish_mta_sts_or_dane"],
  },
  {
    name: "valid DANE with a single record",
    input: { dane_status: "valid", dane_single_record_note: true, tls_rpt_status: "valid" },
    expect: ["dane_single_record"],
  },
];

describe("domain recommendations", () => {
  for (const c of cases)
    it(`domain recommendations - ${c.name}`, () => {
      expect(domainRecommendations({ ...base, ...c.input })).toEqual(c.expect);
    });

  it("domain recommendations - only major findings lower the grade", () => {
    expect(hasMajorPolicyFinding(["mta_sts_mx_failing"])).toBe(true);
    expect(hasMajorPolicyFinding(["fix_dane"])).toBe(true);
    expect(hasMajorPolicyFinding(["publish_tls_rpt", "mta_sts_testing", "fix_mta_sts"])).toBe(false);
  });
});
