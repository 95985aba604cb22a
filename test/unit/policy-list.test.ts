/**
 * Unit tests of the STARTTLS Everywhere policy list reader (shared/policy/policy-list.ts): reading the
 * policy.json format (aliases, malformed entries), lookup, `mxs` matching (a leading dot = exactly one more
 * label, the project's decision) and the check of a domain's MX host rows. Pure data.
 */

import { describe, expect, it } from "vitest";
import type { PolicyHostFacts } from "../../shared/policy/mx-tls.js";
import {
  lookupPolicy,
  type PolicyList,
  policyListCheck,
  policyListExpired,
  policyListMxMatches,
  readPolicyList,
} from "../../shared/policy/policy-list.js";

const LIST = {
  timestamp: "2026-01-01T00:00:00Z",
  author: "Electronic Frontier Foundation https://eff.org",
  expires: "2026-12-31T00:00:00Z",
  version: "0.1",
  "policy-aliases": {
    google: { mode: "testing", mxs: [".l.google.com"] },
    broken: { mode: "enforce" },
  },
  policies: {
    "gmail.com": { "policy-alias": "google" },
    "Example.ORG.": { mode: "enforce", mxs: ["mx.example.org", ".mail.example.org"] },
    "testing.example": { mode: "testing", mxs: ["mx.testing.example"] },
    "bad-alias.example": { "policy-alias": "nope" },
    "broken-alias.example": { "policy-alias": "broken" },
    "no-mxs.example": { mode: "enforce", mxs: [] },
    "bad-mx.example": { mode: "enforce", mxs: ["not a host"] },
    "no-mode.example": { mxs: ["mx.no-mode.example"] },
    "string.example": "enforce",
  },
};

function list(): PolicyList {
  const r = readPolicyList(JSON.stringify(LIST));
  if (!r.ok) throw new Error(r.detail);
  return r.list;
}

function host(hostname: string, over: Partial<PolicyHostFacts> = {}): PolicyHostFacts {
  return {
    hostname,
    starttls_offered: true,
    starttls_ok: true,
    tls_version: "TLSv1.3",
    cert_trusted: true,
    cert_expired: false,
    cert_not_yet_valid: false,
    cert_sans: [hostname],
    cert_subject_cn: hostname,
    ...over,
  };
}

describe("policy list", () => {
  it("policy list - reads metadata, resolves aliases, skips malformed entries with a reason", () => {
    const r = readPolicyList(JSON.stringify(LIST));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.list.timestamp, r.list.expires, r.list.version]).toEqual([
      "2026-01-01T00:00:00Z",
      "2026-12-31T00:00:00Z",
      "0.1",
    ]);
    expect([...r.list.policies.keys()].sort()).toEqual(["example.org", "gmail.com", "testing.example"]);
    expect(r.problems.map((p) => p.key).sort()).toEqual(
      [
        "alias:broken",
        "bad-alias.example",
        "bad-mx.example",
        "broken-alias.example",
        "no-mode.example",
        "no-mxs.example",
        "string.example",
      ].sort(),
    );
  });

  it("policy list - accepts already-parsed JSON", () => {
    expect(readPolicyList(LIST).ok).toBe(true);
  });

  const bad: { name: string; input: unknown; error: string }[] = [
    { name: "not JSON", input: "{nope", error: "list_not_json" },
    { name: "an array", input: "[]", error: "list_bad_shape" },
    { name: "no policies", input: "{}", error: "list_bad_shape" },
    { name: "policies an array", input: '{"policies": []}', error: "list_bad_shape" },
    { name: "aliases a string", input: '{"policies": {}, "policy-aliases": "x"}', error: "list_bad_shape" },
  ];
  it.each(bad)("policy list - malformed: $name", ({ input, error }) => {
    const r = readPolicyList(input);
    expect(r.ok ? null : r.error).toBe(error);
  });

  it("policy list - lookup is exact, case-insensitive, trailing dot ignored", () => {
    const l = list();
    expect(lookupPolicy(l, "gmail.com")).toEqual({ mode: "testing", mxs: [".l.google.com"] });
    expect(lookupPolicy(l, "EXAMPLE.org.")?.mode).toBe("enforce");
    expect(lookupPolicy(l, "sub.example.org")).toBeNull();
    expect(lookupPolicy(l, "unlisted.example")).toBeNull();
  });

  it("policy list - expiry", () => {
    const l = list();
    expect(policyListExpired(l, new Date("2026-06-01T00:00:00Z"))).toBe(false);
    expect(policyListExpired(l, new Date("2027-01-01T00:00:00Z"))).toBe(true);
    expect(policyListExpired({ ...l, expires: null }, new Date("2099-01-01T00:00:00Z"))).toBe(false);
    expect(policyListExpired({ ...l, expires: "soon" }, new Date("2026-01-01T00:00:00Z"))).toBe(true);
  });

  const matching: { name: string; host: string; entry: string; match: boolean }[] = [
    { name: "exact", host: "mx.example.org", entry: "mx.example.org", match: true },
    { name: "exact, case and trailing dot", host: "MX.example.org.", entry: "mx.EXAMPLE.org", match: true },
    { name: "exact is not a suffix", host: "a.mx.example.org", entry: "mx.example.org", match: false },
    { name: "leading dot, one label", host: "alt1.l.google.com", entry: ".l.google.com", match: true },
    { name: "leading dot, not the apex", host: "l.google.com", entry: ".l.google.com", match: false },
    { name: "leading dot, not two labels", host: "a.b.l.google.com", entry: ".l.google.com", match: false },
    { name: "leading dot, look-alike", host: "a.xl.google.com", entry: ".l.google.com", match: false },
    { name: "empty host", host: "", entry: ".l.google.com", match: false },
  ];
  it.each(matching)("policy list mxs - $name", ({ host: h, entry, match }) => {
    expect(policyListMxMatches(h, entry)).toBe(match);
  });

  const checks: {
    name: string;
    domain: string;
    hosts: PolicyHostFacts[];
    want: ReturnType<typeof policyListCheck>;
  }[] = [
    {
      name: "not listed",
      domain: "unlisted.example",
      hosts: [host("mx.unlisted.example")],
      want: {
        policy_list_listed: false,
        policy_list_mode: null,
        policy_list_mx_ok: null,
        policy_list_mismatch: [],
        policy_list_failing: [],
      },
    },
    {
      name: "enforce, all hosts match and pass",
      domain: "example.org",
      hosts: [host("mx.example.org"), host("in1.mail.example.org")],
      want: {
        policy_list_listed: true,
        policy_list_mode: "enforce",
        policy_list_mx_ok: true,
        policy_list_mismatch: [],
        policy_list_failing: [],
      },
    },
    {
      name: "enforce, a host two labels below the dotted entry does not match",
      domain: "example.org",
      hosts: [host("mx.example.org"), host("a.b.mail.example.org")],
      want: {
        policy_list_listed: true,
        policy_list_mode: "enforce",
        policy_list_mx_ok: false,
        policy_list_mismatch: ["a.b.mail.example.org"],
        policy_list_failing: [],
      },
    },
    {
      name: "enforce, a matching host with an untrusted certificate",
      domain: "example.org",
      hosts: [host("mx.example.org", { cert_trusted: false })],
      want: {
        policy_list_listed: true,
        policy_list_mode: "enforce",
        policy_list_mx_ok: false,
        policy_list_mismatch: [],
        policy_list_failing: ["mx.example.org"],
      },
    },
    {
      name: "testing, failing TLS is reported but the MX set is ok",
      domain: "testing.example",
      hosts: [host("mx.testing.example", { starttls_offered: false, starttls_ok: null, tls_version: null })],
      want: {
        policy_list_listed: true,
        policy_list_mode: "testing",
        policy_list_mx_ok: true,
        policy_list_mismatch: [],
        policy_list_failing: ["mx.testing.example"],
      },
    },
    {
      name: "listed through an alias",
      domain: "gmail.com",
      hosts: [host("gmail-smtp-in.l.google.com")],
      want: {
        policy_list_listed: true,
        policy_list_mode: "testing",
        policy_list_mx_ok: true,
        policy_list_mismatch: [],
        policy_list_failing: [],
      },
    },
    {
      name: "listed, no MX rows",
      domain: "example.org",
      hosts: [],
      want: {
        policy_list_listed: true,
        policy_list_mode: "enforce",
        policy_list_mx_ok: null,
        policy_list_mismatch: [],
        policy_list_failing: [],
      },
    },
  ];
  it.each(checks)("policy list check - $name", ({ domain, hosts, want }) => {
    expect(policyListCheck(list(), domain, hosts)).toEqual(want);
  });
});
