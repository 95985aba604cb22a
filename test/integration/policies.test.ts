/**
 * Domain policies end to end against the lab: one test per policy lab case (test/lab/policy-lab.ts), each
 * asserting the exact MTA-STS status, error, mode and warnings, the fetch's failure and step, and the TLS-RPT
 * status and error. Everything is real: the lab DNS server answers the TXT and address lookups, the policy is
 * fetched over HTTPS from the lab's policy hosts, and the MX host rows come from probing the lab's SMTP
 * servers with the SMTP probe.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DnsClient } from "../../shared/dns/client.js";
import { discoverMx } from "../../shared/dns/mx.js";
import { evaluateMtaSts, type MtaStsEvaluation } from "../../shared/policy/mta-sts.js";
import { evaluateTlsRpt, type TlsRptEvaluation } from "../../shared/policy/tls-rpt.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { createHttpsSecureContext } from "../../worker/net/https-fetch.js";
import { createProbeSecureContext } from "../../worker/net/tls-client.js";
import { type DomainPolicyFacts, probeDomainPolicies } from "../../worker/probes/domain-policies.js";
import {
  DEFAULT_POLICY_FETCH_SETTINGS,
  fetchMtaStsPolicy,
  type PolicyFetchContext,
} from "../../worker/probes/mta-sts-fetch.js";
import { probeSmtpStarttls } from "../../worker/probes/smtp-starttls.js";
import { labProbeParams } from "../helpers/params.js";
import { type LabDns, startLabDns } from "../lab/dns-server.js";
import { createLabCa, type LabCa } from "../lab/pki.js";
import {
  expectedRua,
  POLICY_LAB_CASES,
  type PolicyLab,
  type PolicyLabCase,
  startPolicyLab,
} from "../lab/policy-lab.js";

const HEADERS_TIMEOUT_MS = 1500;

let ca: LabCa;
let lab: PolicyLab;
let dnsServer: LabDns;
let dns: DnsClient;
let fetchCtx: PolicyFetchContext;

interface CaseResult {
  facts: DomainPolicyFacts;
  hosts: HostRow[];
  sts: MtaStsEvaluation;
  rpt: TlsRptEvaluation;
}
const results = new Map<string, Promise<CaseResult>>();

async function runCase(c: PolicyLabCase): Promise<CaseResult> {
  const domain = lab.domainOf(c);
  const [facts, mx] = await Promise.all([probeDomainPolicies(domain, fetchCtx), discoverMx(dns, domain)]);
  const probe = {
    settings: { allowPrivateTargets: true, caPem: [ca.certPem] },
    secureContext: createProbeSecureContext([ca.certPem]),
  };
  const params = labProbeParams({ ehloName: "policies.mxsurvey.test", hostDeadlineMs: 15_000 });
  const hosts = await Promise.all(
    mx.hosts.flatMap((h) =>
      h.addresses.map((ip) =>
        probeSmtpStarttls({ hostname: h.hostname, ip, port: lab.smtpPort, dane: null, probe: params }, probe),
      ),
    ),
  );
  return {
    facts,
    hosts,
    sts: evaluateMtaSts({ txt: facts.mta_sts_txt, fetch: facts.mta_sts_fetch, hosts }),
    rpt: evaluateTlsRpt(facts.tls_rpt_txt),
  };
}

beforeAll(async () => {
  ca = await createLabCa();
  lab = await startPolicyLab({ ca });
  dnsServer = await startLabDns({ zone: lab.zone });
  dns = new DnsClient({
    resolvers: [{ host: dnsServer.host, port: dnsServer.port }],
    timeoutMs: 1000,
    retries: 1,
  });
  fetchCtx = {
    dns,
    secureContext: createHttpsSecureContext([ca.certPem]),
    settings: {
      ...DEFAULT_POLICY_FETCH_SETTINGS,
      allowPrivateTargets: true,
      ipv6: false,
      httpsPort: lab.httpsPort,
      connectTimeoutMs: 2000,
      tlsTimeoutMs: 2000,
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: 3000,
    },
  };
  for (const c of POLICY_LAB_CASES) results.set(c.name, runCase(c));
  await Promise.all(results.values());
}, 60_000);

afterAll(async () => {
  dns?.close();
  await dnsServer?.close();
  await lab?.close();
});

describe("policies lab", () => {
  it.each(POLICY_LAB_CASES.map((c) => [c.name, c] as const))("policies - %s", async (_name, c) => {
    const r = await results.get(c.name)!;
    const domain = lab.domainOf(c);
    const e = c.expect;
    const host = (key: string) => `${key}.${domain}`;
    expect({ status: r.sts.mta_sts_status, error: r.sts.mta_sts_error }, `${c.why}: ${r.sts.detail}`).toEqual(
      {
        status: e.mta_sts_status,
        error: e.mta_sts_error,
      },
    );
    if (e.mta_sts_mode !== undefined) expect(r.sts.mta_sts_mode).toBe(e.mta_sts_mode);
    if (e.mta_sts_max_age !== undefined) expect(r.sts.mta_sts_max_age).toBe(e.mta_sts_max_age);
    if (e.mta_sts_mx_mismatch) expect(r.sts.mta_sts_mx_mismatch).toEqual(e.mta_sts_mx_mismatch.map(host));
    if (e.mta_sts_mx_failing) expect(r.sts.mta_sts_mx_failing).toEqual(e.mta_sts_mx_failing.map(host));
    if (e.warnings) expect(r.sts.warnings).toEqual(e.warnings);
    if (e.fetch) {
      const f = r.facts.mta_sts_fetch;
      expect({ failure: f.failure, step: f.step }, f.detail ?? "").toEqual({
        failure: e.fetch.failure,
        step: e.fetch.step,
      });
      expect(f.ok).toBe(e.fetch.failure === null);
      expect(f.phase).toBe(e.fetch.failure === null ? null : "policy_fetch");
      if (e.fetch.status !== undefined) expect(f.status).toBe(e.fetch.status);
      if (e.fetch.contentType !== undefined) expect(f.contentType).toBe(e.fetch.contentType);
      if (e.fetch.cert_error !== undefined) expect(f.cert_error).toBe(e.fetch.cert_error);
    }
    expect({ status: r.rpt.tls_rpt_status, error: r.rpt.tls_rpt_error }, r.rpt.detail ?? "").toEqual({
      status: e.tls_rpt_status,
      error: e.tls_rpt_error,
    });
    const rua = expectedRua(c, domain);
    if (rua) expect(r.rpt.tls_rpt_rua).toEqual(rua);
  });

  it("policies - the fetch pins SNI and Host to mta-sts.<domain> and connects to the resolved address", async () => {
    const c = POLICY_LAB_CASES.find((x) => x.name === "sts-enforce")!;
    const r = await results.get(c.name)!;
    const server = lab.serverOf(c)!;
    const f = r.facts.mta_sts_fetch;
    expect(f.ip).toBe(server.host);
    expect(f.addresses).toEqual([server.host]);
    expect(f.url).toBe(`https://mta-sts.${lab.domainOf(c)}:${lab.httpsPort}/.well-known/mta-sts.txt`);
    expect({ trusted: f.cert_trusted, name: f.cert_name_matches, error: f.cert_error }).toEqual({
      trusted: true,
      name: true,
      error: null,
    });
    expect(server.requests).toEqual([
      {
        servername: `mta-sts.${lab.domainOf(c)}`,
        host: `mta-sts.${lab.domainOf(c)}:${lab.httpsPort}`,
        path: "/.well-known/mta-sts.txt",
      },
    ]);
  });

  it("policies - no request reaches a host whose certificate fails", async () => {
    for (const name of ["sts-self-signed", "sts-wrong-name"]) {
      const c = POLICY_LAB_CASES.find((x) => x.name === name)!;
      await results.get(name);
      expect(lab.serverOf(c)!.requests, name).toEqual([]);
    }
  });

  it("policies - oversized: reading stops just past the limit", async () => {
    const r = await results.get("sts-oversized")!;
    const f = r.facts.mta_sts_fetch;
    expect(f.body).toBeNull();
    expect(f.body_bytes).toBeGreaterThan(65_536);
    expect(f.body_bytes).toBeLessThan(128 * 1024); // of 1 MiB sent
  });

  it("policies - a special-purpose address is blocked_address and never contacted", async () => {
    const c = POLICY_LAB_CASES.find((x) => x.name === "sts-testing")!;
    const server = lab.serverOf(c)!;
    const before = server.connections;
    const f = await fetchMtaStsPolicy(lab.domainOf(c), {
      ...fetchCtx,
      settings: { ...fetchCtx.settings, allowPrivateTargets: false },
    });
    expect({ failure: f.failure, step: f.step, ip: f.ip, phase: f.phase }).toEqual({
      failure: "blocked_address",
      step: "connect",
      ip: null,
      phase: "policy_fetch",
    });
    expect(f.detail).toContain("loopback");
    expect(server.connections).toBe(before);
  });

  it("policies - the slow server is cut off by the headers timeout", async () => {
    const r = await results.get("sts-slow")!;
    const f = r.facts.mta_sts_fetch;
    expect(f.duration_ms).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(f.duration_ms).toBeLessThan(HEADERS_TIMEOUT_MS + 2000);
  });
});
