/**
 * The survey pipeline in one process (the embedded default's parts: memory transport, the piscina pool, JSONL
 * files) against a generated lab of 1,000 domains over 150 hosts: one row per (host, ip) and per domain, every
 * MX host probed once however many domains share it, and the same facts as the single-domain check.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckDeps, checkDomain } from "../../coordinator/check/run-check.js";
import { arraySource } from "../../coordinator/ingest/domain-source.js";
import { Progress } from "../../coordinator/scan/progress.js";
import { runScan, type ScanOutcome } from "../../coordinator/scan/run-scan.js";
import { CachingDns } from "../../shared/dns/cache.js";
import { DnsClient } from "../../shared/dns/client.js";
import { jobKey, newScanId } from "../../shared/jobs.js";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import type { ScanDomainRow, ScanHostRow } from "../../shared/schema/tables.js";
import type { WorkerSettings } from "../../shared/settings.js";
import { JsonlSink, readJsonl } from "../../shared/store/jsonl.js";
import { MemoryTransport } from "../../shared/transport/memory.js";
import { createProbePool, createProbeSecureContext, runWorkerLoop } from "../../worker/api.js";
import { labProbeParams } from "../helpers/params.js";
import { type GeneratedLab, startGeneratedLab } from "../lab/generate.js";

let lab: GeneratedLab;
let dir: string;
let outcome: ScanOutcome;
let hosts: ScanHostRow[];
let domains: ScanDomainRow[];
let settings: WorkerSettings;
const params = labProbeParams({
  ehloName: "scan.mxsurvey.test",
  connectTimeoutMs: 3000,
  smtpTimeoutMs: 5000,
  tlsTimeoutMs: 5000,
});
let dnsClient: DnsClient;

beforeAll(async () => {
  lab = await startGeneratedLab({ domains: 1000, hosts: 150, seed: 7 });
  dir = mkdtempSync(join(tmpdir(), "mxsurvey-scan-"));
  settings = { allowPrivateTargets: true, caPem: [lab.ca.certPem] };
  dnsClient = new DnsClient({
    resolvers: [{ host: lab.dns.host, port: lab.dns.port }],
    timeoutMs: 2000,
    retries: 1,
  });
  const dns = new CachingDns(dnsClient);
  const transport = new MemoryTransport({ planFile: join(dir, "plan.jsonl") });
  const pool = createProbePool(settings, { threads: 2, concurrency: 32 });
  const sink = new JsonlSink(dir);
  const probed: string[] = [];
  const worker = runWorkerLoop(transport, pool, {
    maxInFlight: pool.capacity,
    heartbeatMs: 5000,
    onResult: (r) => probed.push(jobKey(r.job)),
  });
  const scanId = newScanId();
  outcome = await runScan({
    scan_id: scanId,
    scan_started_at: new Date().toISOString(),
    resume: false,
    ingest: arraySource(lab.domains),
    list_source: "lab",
    list_id: "seed-7",
    label: "",
    input_file: lab.listFile,
    params: {},
    port: lab.smtpPort,
    probe: params,
    dns,
    mx: { maxMx: 10, ipsPerHost: 8, ipv6: false },
    dnsConcurrency: 64,
    transport,
    sinks: [sink],
    progress: new Progress("quiet"),
  });
  await worker;
  await pool.destroy();
  await sink.close();
  hosts = readJsonl<ScanHostRow>(join(dir, "hosts.jsonl"));
  domains = readJsonl<ScanDomainRow>(join(dir, "domains.jsonl"));
  expect(new Set(probed).size).toBe(probed.length); // no job probed twice
}, 180_000);

afterAll(async () => {
  dnsClient?.close();
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("embedded scan", () => {
  it("scan - one row per domain, in list order", () => {
    expect(domains.map((d) => d.domain)).toEqual(lab.domains);
  });

  it("scan - one row per (host, ip): every unique MX host is probed once", () => {
    const keys = hosts.map((h) => `${h.hostname}|${h.ip}|${h.port}`);
    expect(new Set(keys).size).toBe(keys.length);
    const mxHosts = new Set(domains.flatMap((d) => d.mx_hosts));
    expect(new Set(hosts.map((h) => h.hostname))).toEqual(mxHosts);
    expect(outcome.scan.unique_mx_hosts).toBe(mxHosts.size);
    expect(outcome.scan.host_jobs).toBe(hosts.filter((h) => h.ip !== null).length);
    // Sharing: far fewer hosts than domains, as in the real world.
    expect(mxHosts.size).toBeLessThan(domains.length / 2);
  });

  it("scan - scan.json is complete and counts agree with the rows", () => {
    const scan = JSON.parse(readFileSync(join(dir, "scan.json"), "utf8")) as ScanRow;
    expect(scan).toMatchObject({ state: "complete", domains: 1000, list_source: "lab", list_id: "seed-7" });
    expect(scan.finished_at).not.toBeNull();
    expect(outcome.summary.domains).toBe(1000);
  });

  it("scan - the behaviour mix shows in the headline figures", () => {
    const s = outcome.summary;
    expect(s.pct_mx_hosts_without_starttls).toBeGreaterThan(5);
    expect(s.pct_mx_hosts_without_starttls).toBeLessThan(40);
    expect(s.pct_tls_hosts_invalid_cert).toBeGreaterThan(15);
    expect(s.pct_tls_hosts_invalid_cert).toBeLessThan(60);
    expect(s.domain_status.no_mail).toBeGreaterThan(0);
    expect(s.domain_status.no_mx).toBeGreaterThan(0);
  });

  it("scan - each domain's verdict and host facts equal the single-domain check's", async () => {
    const deps: CheckDeps = {
      dns: dnsClient,
      mx: { maxMx: 10, ipsPerHost: 8, ipv6: false },
      probe: { settings, secureContext: createProbeSecureContext(settings.caPem) },
      params,
      port: lab.smtpPort,
      concurrency: 16,
    };
    const sample = domains.filter((_, i) => i % 25 === 0);
    for (const d of sample) {
      const c = await checkDomain(d.domain, deps);
      expect({ domain: d.domain, status: d.status }).toEqual({ domain: d.domain, status: c.domain.status });
      for (const h of c.hosts) {
        const mine = hosts.find((r) => r.hostname === h.hostname && r.ip === h.ip)!;
        expect(mine, `${h.hostname} ${h.ip}`).toBeDefined();
        const facts = (r: typeof h) => [
          r.status,
          r.failure,
          r.starttls_offered,
          r.tls_version,
          r.cert_trusted,
          r.cert_sha256,
          r.hostname_cnames,
        ];
        expect(facts(mine)).toEqual(facts(h));
      }
    }
  }, 120_000);
});
