/**
 * Unit tests of the MTA-STS evaluation (shared/policy/mta-sts.ts) and the MX TLS rule it shares with the policy
 * list (shared/policy/mx-tls.ts): TXT × fetch × host rows → the domain row's MTA-STS fields. Pure data; the lab
 * test (test/integration/policies.test.ts) runs the same evaluation on real fetches and probes.
 */

import { describe, expect, it } from "vitest";
import type { PolicyFetchResult } from "../../shared/policy/fetch-result.js";
import {
  evaluateMtaSts,
  MTA_STS_ERRORS,
  type MtaStsEvaluation,
  mtaStsEnforcedAndHonoured,
  mtaStsEnforcedButBroken,
} from "../../shared/policy/mta-sts.js";
import { failingHosts, mxTlsVerdict, type PolicyHostFacts } from "../../shared/policy/mx-tls.js";
import type { TxtLookup } from "../../shared/policy/txt-record.js";

const DOMAIN = "example.org";

function txt(...records: string[]): TxtLookup {
  return {
    name: `_mta-sts.${DOMAIN}`,
    rcode: records.length ? "NOERROR" : "NXDOMAIN",
    records,
    detail: null,
  };
}

function fetched(body: string | null, over: Partial<PolicyFetchResult> = {}): PolicyFetchResult {
  const ok = body !== null;
  return {
    ok,
    url: `https://mta-sts.${DOMAIN}/.well-known/mta-sts.txt`,
    addresses: ["192.0.2.80"],
    dns_rcode: "NOERROR",
    ip: "192.0.2.80",
    status: ok ? 200 : null,
    contentType: ok ? "text/plain" : null,
    location: null,
    body,
    body_bytes: body === null ? null : body.length,
    failure: ok ? null : "dns_nxdomain",
    phase: ok ? null : "policy_fetch",
    step: ok ? null : "resolve",
    detail: ok ? null : "NXDOMAIN",
    cert_trusted: ok ? true : null,
    cert_error: null,
    cert_error_code: null,
    cert_name_matches: ok ? true : null,
    tls_version: ok ? "TLSv1.3" : null,
    duration_ms: 5,
    ...over,
  };
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

const policy = (mode: string, mx: string[], maxAge = 604800) =>
  ["version: STSv1", `mode: ${mode}`, ...mx.map((m) => `mx: ${m}`), `max_age: ${maxAge}`, ""].join("\n");

const TXT = "v=STSv1; id=abc123";
const MX1 = `mx1.${DOMAIN}`;
const MX2 = `mx2.${DOMAIN}`;

type Want = Partial<MtaStsEvaluation>;

describe("mta-sts evaluation", () => {
  const cases: {
    name: string;
    txt: TxtLookup;
    fetch: PolicyFetchResult;
    hosts: PolicyHostFacts[];
    want: Want;
  }[] = [
    {
      name: "nothing published",
      txt: txt(),
      fetch: fetched(null),
      hosts: [host(MX1)],
      want: {
        mta_sts_status: "none",
        mta_sts_mode: null,
        mta_sts_id: null,
        mta_sts_max_age: null,
        mta_sts_mx_patterns: [],
        mta_sts_mx_mismatch: [],
        mta_sts_mx_failing: [],
        mta_sts_error: null,
        warnings: [],
        detail: null,
      },
    },
    {
      name: "valid enforce, every host matches and passes",
      txt: txt(TXT),
      fetch: fetched(policy("enforce", [`*.${DOMAIN}`])),
      hosts: [host(MX1), host(MX1), host(MX2)],
      want: {
        mta_sts_status: "valid",
        mta_sts_mode: "enforce",
        mta_sts_id: "abc123",
        mta_sts_max_age: 604800,
        mta_sts_mx_patterns: [`*.${DOMAIN}`],
        mta_sts_mx_mismatch: [],
        mta_sts_mx_failing: [],
        mta_sts_error: null,
        warnings: [],
        detail: null,
      },
    },
    {
      name: "enforce, one host unmatched",
      txt: txt(TXT),
      fetch: fetched(policy("enforce", [MX1])),
      hosts: [host(MX1), host(MX2)],
      want: { mta_sts_status: "valid", mta_sts_mx_mismatch: [MX2], mta_sts_mx_failing: [] },
    },
    {
      name: "enforce, one address of a host without STARTTLS",
      txt: txt(TXT),
      fetch: fetched(policy("enforce", [MX1, MX2])),
      hosts: [
        host(MX1),
        host(MX1, { starttls_offered: false, starttls_ok: null, tls_version: null }),
        host(MX2),
      ],
      want: { mta_sts_status: "valid", mta_sts_mx_failing: [MX1] },
    },
    {
      name: "enforce, a failing host that is also unmatched is only a mismatch",
      txt: txt(TXT),
      fetch: fetched(policy("enforce", [MX1])),
      hosts: [host(MX1), host(MX2, { cert_trusted: false })],
      want: { mta_sts_mx_mismatch: [MX2], mta_sts_mx_failing: [] },
    },
    {
      name: "enforce, an unreachable host is not counted as failing",
      txt: txt(TXT),
      fetch: fetched(policy("enforce", [MX1])),
      hosts: [
        host(MX1, { starttls_offered: null, starttls_ok: null, tls_version: null, cert_trusted: null }),
      ],
      want: { mta_sts_status: "valid", mta_sts_mx_failing: [] },
    },
    {
      name: "testing: warning, failing still reported",
      txt: txt(TXT),
      fetch: fetched(policy("testing", [MX1])),
      hosts: [host(MX1, { cert_expired: true })],
      want: {
        mta_sts_status: "valid",
        mta_sts_mode: "testing",
        mta_sts_mx_failing: [MX1],
        warnings: ["testing_mode"],
      },
    },
    {
      name: "none: no host checks",
      txt: txt(TXT),
      fetch: fetched(policy("none", [])),
      hosts: [host(MX2, { starttls_offered: false })],
      want: {
        mta_sts_status: "valid",
        mta_sts_mode: "none",
        mta_sts_mx_mismatch: [],
        mta_sts_mx_failing: [],
      },
    },
    {
      name: "enforce with max_age below a day",
      txt: txt(TXT),
      fetch: fetched(policy("enforce", [MX1], 3600)),
      hosts: [host(MX1)],
      want: { mta_sts_status: "valid", warnings: ["max_age_short"] },
    },
    {
      name: "testing with a short max_age is not warned about it",
      txt: txt(TXT),
      fetch: fetched(policy("testing", [MX1], 60)),
      hosts: [host(MX1)],
      want: { warnings: ["testing_mode"] },
    },
    {
      name: "TXT without policy",
      txt: txt(TXT),
      fetch: fetched(null, {
        failure: "policy_http_status",
        step: "headers",
        status: 404,
        detail: "HTTP 404",
      }),
      hosts: [host(MX1)],
      want: {
        mta_sts_status: "invalid",
        mta_sts_id: "abc123",
        mta_sts_error: "policy_http_status",
        warnings: ["txt_without_policy"],
        detail: "HTTP 404",
      },
    },
    {
      name: "policy without TXT",
      txt: txt(),
      fetch: fetched(policy("enforce", [MX1])),
      hosts: [host(MX1)],
      want: {
        mta_sts_status: "none",
        mta_sts_mode: null,
        mta_sts_error: null,
        warnings: ["policy_without_txt"],
      },
    },
    {
      name: "a broken policy without TXT is not worth a warning",
      txt: txt(),
      fetch: fetched("garbage"),
      hosts: [host(MX1)],
      want: { mta_sts_status: "none", warnings: [], detail: null },
    },
    {
      name: "TXT error wins over a good policy",
      txt: txt(TXT, "v=STSv1; id=other"),
      fetch: fetched(policy("enforce", [MX1])),
      hosts: [host(MX1)],
      want: {
        mta_sts_status: "invalid",
        mta_sts_error: "txt_multiple",
        mta_sts_id: null,
        mta_sts_mode: "enforce",
      },
    },
    {
      name: "TXT lookup failure",
      txt: { ...txt(), rcode: "SERVFAIL" },
      fetch: fetched(policy("enforce", [MX1])),
      hosts: [host(MX1)],
      want: { mta_sts_status: "invalid", mta_sts_error: "txt_dns_error" },
    },
    {
      name: "policy syntax error keeps the parsed facts, no host checks",
      txt: txt(TXT),
      fetch: fetched(policy("enforce", [MX1], 40_000_000)),
      hosts: [host(MX2)],
      want: {
        mta_sts_status: "invalid",
        mta_sts_error: "policy_bad_max_age",
        mta_sts_mode: "enforce",
        mta_sts_max_age: null,
        mta_sts_mx_patterns: [MX1],
        mta_sts_mx_mismatch: [],
      },
    },
    {
      name: "fetch failure without a failure name is unknown_failure",
      txt: txt(TXT),
      fetch: fetched(null, { failure: null }),
      hosts: [],
      want: { mta_sts_status: "invalid", mta_sts_error: "unknown_failure" },
    },
  ];
  it.each(cases)("mta-sts evaluation - $name", ({ txt: t, fetch, hosts, want }) => {
    expect(evaluateMtaSts({ txt: t, fetch, hosts })).toMatchObject(want);
  });

  it("mta-sts evaluation - the output has exactly the domain-row fields plus warnings and detail", () => {
    const r = evaluateMtaSts({ txt: txt(TXT), fetch: fetched(policy("enforce", [MX1])), hosts: [host(MX1)] });
    expect(Object.keys(r).sort()).toEqual(
      [
        "mta_sts_status",
        "mta_sts_mode",
        "mta_sts_id",
        "mta_sts_max_age",
        "mta_sts_mx_patterns",
        "mta_sts_mx_mismatch",
        "mta_sts_mx_failing",
        "mta_sts_error",
        "warnings",
        "detail",
      ].sort(),
    );
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("mta-sts errors - one closed vocabulary without duplicates", () => {
    expect(new Set(MTA_STS_ERRORS).size).toBe(MTA_STS_ERRORS.length);
    for (const e of MTA_STS_ERRORS) expect(e).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
  });

  it("mta-sts grade helpers - enforced and honoured vs enforced but broken", () => {
    const good = evaluateMtaSts({
      txt: txt(TXT),
      fetch: fetched(policy("enforce", [MX1])),
      hosts: [host(MX1)],
    });
    const broken = evaluateMtaSts({
      txt: txt(TXT),
      fetch: fetched(policy("enforce", [MX1])),
      hosts: [host(MX1, { cert_trusted: false })],
    });
    const testing = evaluateMtaSts({
      txt: txt(TXT),
      fetch: fetched(policy("testing", [MX1])),
      hosts: [host(MX1)],
    });
    expect([mtaStsEnforcedAndHonoured(good), mtaStsEnforcedButBroken(good)]).toEqual([true, false]);
    expect([mtaStsEnforcedAndHonoured(broken), mtaStsEnforcedButBroken(broken)]).toEqual([false, true]);
    expect([mtaStsEnforcedAndHonoured(testing), mtaStsEnforcedButBroken(testing)]).toEqual([false, false]);
  });
});

describe("mx tls", () => {
  const cases: { name: string; row: PolicyHostFacts; want: ReturnType<typeof mxTlsVerdict> }[] = [
    { name: "valid", row: host(MX1), want: "ok" },
    { name: "wildcard certificate", row: host(MX1, { cert_sans: [`*.${DOMAIN}`] }), want: "ok" },
    { name: "CN only", row: host(MX1, { cert_sans: [], cert_subject_cn: MX1 }), want: "ok" },
    {
      name: "no STARTTLS",
      row: host(MX1, { starttls_offered: false, starttls_ok: null, tls_version: null }),
      want: "no_starttls",
    },
    {
      name: "handshake failed",
      row: host(MX1, { starttls_ok: false, tls_version: null }),
      want: "tls_failed",
    },
    { name: "untrusted", row: host(MX1, { cert_trusted: false }), want: "cert_untrusted" },
    { name: "expired", row: host(MX1, { cert_expired: true }), want: "cert_untrusted" },
    { name: "not yet valid", row: host(MX1, { cert_not_yet_valid: true }), want: "cert_untrusted" },
    {
      name: "names the domain only",
      row: host(MX1, { cert_sans: [DOMAIN], cert_subject_cn: DOMAIN }),
      want: "cert_name_mismatch",
    },
    {
      name: "not reached",
      row: host(MX1, { starttls_offered: null, starttls_ok: null, tls_version: null, cert_trusted: null }),
      want: "not_tested",
    },
  ];
  it.each(cases)("mx tls - $name", ({ row, want }) => {
    expect(mxTlsVerdict(row)).toBe(want);
  });

  it("mx tls - failing hosts are distinct names in first-seen order", () => {
    const rows = [
      host(MX2, { cert_trusted: false }),
      host(MX1),
      host(MX2, { cert_expired: true }),
      host("MX3.example.org.", { starttls_ok: false }),
    ];
    expect(failingHosts(rows)).toEqual([MX2, "mx3.example.org"]);
    expect(failingHosts(rows, new Set([MX1, MX2]))).toEqual([MX2]);
  });
});
