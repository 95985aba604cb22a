/**
 * End to end against the lab: one test per lab case (test/lab/profiles.ts), each asserting the exact domain
 * verdict and, per host, the status, failure and phase, plus the case's exact facts. Probes run in-process
 * through the same functions the CLI uses; the rows must fit the schema exactly.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckDeps, checkDomain, type DomainResult } from "../../coordinator/check/run-check.js";
import { DnsClient } from "../../shared/dns/client.js";
import { valueFits } from "../../shared/schema/columns.js";
import { DOMAIN_COLUMNS } from "../../shared/schema/domain-row.js";
import { HOST_COLUMNS } from "../../shared/schema/host-row.js";
import { createProbeSecureContext } from "../../worker/api.js";
import { labProbeParams } from "../helpers/params.js";
import { LAB_CASES } from "../lab/profiles.js";
import { type LabWorld, startLabWorld } from "../lab/world.js";

let lab: LabWorld;
let dns: DnsClient;
const results = new Map<string, Promise<DomainResult>>();

function depsFor(lab: LabWorld): CheckDeps {
  return {
    dns,
    mx: { maxMx: 10, ipsPerHost: 8, ipv6: false },
    probe: {
      settings: { allowPrivateTargets: true, caPem: [lab.ca.certPem] },
      secureContext: createProbeSecureContext([lab.ca.certPem]),
      retryDelayMs: 200,
    },
    params: labProbeParams({ ehloName: "e2e.mxsurvey.test" }),
    port: lab.smtpPort,
    concurrency: 8,
  };
}

beforeAll(async () => {
  lab = await startLabWorld();
  dns = new DnsClient({
    resolvers: [{ host: lab.dns.host, port: lab.dns.port }],
    timeoutMs: 1000,
    retries: 1,
  });
  const deps = depsFor(lab);
  // All cases run at once; each test awaits its own.
  for (const c of LAB_CASES) results.set(c.name, checkDomain(lab.domainOf(c), deps));
  await Promise.all(results.values());
}, 60_000);

afterAll(async () => {
  dns?.close();
  await lab?.close();
});

describe("lab check", () => {
  it.each(LAB_CASES.map((c) => [c.name, c] as const))("check - %s", async (_name, c) => {
    const r = await results.get(c.name)!;
    expect(r.domain.domain).toBe(lab.domainOf(c));
    expect(r.domain.status, c.why).toBe(c.expect.domain);
    for (const [key, want] of Object.entries(c.expect.hosts ?? {})) {
      const hostname = key === "@" ? lab.domainOf(c) : `${key}.${lab.domainOf(c)}`;
      const row = r.hosts.find((h) => h.hostname === hostname);
      expect(row, `host row for ${hostname}`).toBeDefined();
      expect({ status: row!.status, failure: row!.failure, phase: row!.failure_phase }).toEqual(want);
      const facts = c.expect.facts?.[key];
      if (facts) expect(row).toMatchObject(facts);
    }
    if (c.expect.domainFacts) expect(r.domain).toMatchObject(c.expect.domainFacts);
  });

  it("rows - every host and domain row has exactly the schema's columns, each value of its type", async () => {
    for (const p of results.values()) {
      const r = await p;
      expect(Object.keys(r.domain)).toEqual(Object.keys(DOMAIN_COLUMNS));
      for (const [k, spec] of Object.entries(DOMAIN_COLUMNS)) {
        expect(
          valueFits(spec.type, (r.domain as Record<string, unknown>)[k]),
          `${r.domain.domain} ${k}`,
        ).toBe(true);
      }
      for (const h of r.hosts) {
        expect(Object.keys(h)).toEqual(Object.keys(HOST_COLUMNS));
        for (const [k, spec] of Object.entries(HOST_COLUMNS)) {
          expect(
            valueFits(spec.type, (h as Record<string, unknown>)[k]),
            `${h.hostname} ${k}=${JSON.stringify((h as Record<string, unknown>)[k])}`,
          ).toBe(true);
        }
      }
    }
  });

  it("rows - no MX host drops out: every MX host has at least one host row", async () => {
    for (const p of results.values()) {
      const r = await p;
      for (const mx of r.domain.mx_hosts)
        expect(
          r.hosts.some((h) => h.hostname === mx),
          mx,
        ).toBe(true);
    }
  });

  it("check - --depth full grades each host and the domain, with the rubric's recommendations", async () => {
    const full: CheckDeps = {
      ...depsFor(lab),
      params: { ...depsFor(lab).params, depth: "full", perHostDelayMs: 0 },
    };
    const valid = await checkDomain("valid.lab.test", full);
    expect(valid.hosts[0]).toMatchObject({
      inventory_depth: "full",
      ssl2: false,
      ssl3: false,
      tls12: true,
      tls13: true,
      ciphers_complete: true,
      weak_ciphers: [],
      nist_r1_ok: true,
      grade: "A",
      recommendations: [],
    });
    expect(valid.hosts[0]!.connections_used).toBeGreaterThan(7);
    expect(valid.domain).toMatchObject({ grade: "A", forced_tls_eligible: true, dane_status: "none" });
    const old = await checkDomain("tls10-11.lab.test", full);
    expect(old.hosts[0]).toMatchObject({ tls10: true, tls11: true, tls12: false, tls13: false, grade: "B" });
    expect(old.hosts[0]!.recommendations).toContain("enable_tls12");
    expect(old.domain.grade).toBe("B");
    const plain = await checkDomain("no-starttls.lab.test", full);
    expect(plain.hosts[0]).toMatchObject({
      starttls_offered: false,
      grade: "F",
      recommendations: ["enable_starttls"],
    });
    expect(plain.domain.grade).toBe("F");
  });

  it("rows - a dripping greeting ends at the SMTP timeout, not at the host deadline", async () => {
    const r = await results.get("drip")!;
    const row = r.hosts[0]!;
    expect(row.failure).toBe("partial_reply_timeout");
    expect(row.duration_ms).toBeGreaterThanOrEqual(2500);
    expect(row.duration_ms).toBeLessThan(2500 + 1500);
  });
});
