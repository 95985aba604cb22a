/**
 * The distributed survey against real services (nats-server and clickhouse-server from Debian's packages,
 * started by the test helpers on loopback) and a generated lab of 1,000 domains over 150 MX hosts:
 * the coordinator and two worker processes are the real CLI.
 *  - the rows land in ClickHouse exactly once per (scan, host, ip) and per (scan, domain), with the same facts
 *    as the embedded run's JSONL of the same lab;
 *  - a ClickHouse outage of 30 s mid-scan loses no row and makes no target be probed twice;
 *  - a worker killed with SIGKILL mid-scan loses no row (its jobs are redelivered);
 *  - a coordinator killed mid-scan and restarted with --resume completes with no lost or duplicated rows, and
 *    probes nothing twice.
 * Each lab host has one address, so "no target probed twice" is: each lab server saw one more connection.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanDomainRow, ScanHostRow } from "../../shared/schema/tables.js";
import { SCAN_DOMAIN_COLUMNS, SCAN_HOST_COLUMNS } from "../../shared/schema/tables.js";
import { asStoredInClickHouse, ClickHouseStore, rowsFromClickHouse } from "../../shared/store/clickhouse.js";
import { readJsonl } from "../../shared/store/jsonl.js";
import { quoteString } from "../../shared/store/sql.js";
import { runCli } from "../helpers/cli.js";
import { type ClickHouseInstance, startClickHouse } from "../helpers/clickhouse.js";
import { type NatsInstance, startNats } from "../helpers/nats.js";
import { type Proc, startCli } from "../helpers/procs.js";
import { type GeneratedLab, startGeneratedLab } from "../lab/generate.js";

let nats: NatsInstance;
let ch: ClickHouseInstance;
let lab: GeneratedLab;
let store: ClickHouseStore;
let tmp: string;
let embeddedHosts: ScanHostRow[];
let embeddedDomains: ScanDomainRow[];
const workers: Proc[] = [];

const EHLO = ["--ehlo-name", "dist.mxsurvey.test"];
const common = () => [...lab.cliArgs(), ...EHLO, "--smtp-timeout", "5"];

function startWorker(): Proc {
  const w = startCli(
    ["worker", "--nats", nats.url, "--threads", "1", "--concurrency", "4", ...lab.workerArgs()],
    {
      maxMs: 600_000,
    },
  );
  workers.push(w);
  return w;
}

function scanArgs(extra: string[] = []): string[] {
  return [
    "scan",
    "--domains",
    lab.listFile,
    "--list-source",
    "lab",
    "--list-id",
    "dist",
    "--nats",
    nats.url,
    "--clickhouse",
    ch.url,
    "--job-ack-wait",
    "5",
    "--quiet",
    ...common(),
    ...extra,
  ];
}

const connections = () => new Map(lab.servers.map((s) => [s.host, s.connections]));

/**
 * Each server that is some domain's MX host saw exactly one more connection than before (every target probed
 * exactly once); servers no domain uses saw none.
 */
function expectProbedOnce(before: Map<string, number>) {
  const used = new Set(embeddedHosts.flatMap((h) => (h.ip ? [h.ip] : [])));
  const after = connections();
  const wrong = [...after].filter(([ip, n]) => n - (before.get(ip) ?? 0) !== (used.has(ip) ? 1 : 0));
  expect(wrong, "lab servers not probed exactly once").toEqual([]);
  expect(used.size).toBeGreaterThan(100);
}

async function rowsOf(scanId: string) {
  const q = (table: string) => `SELECT * FROM mxsurvey.${table} FINAL WHERE scan_id = ${quoteString(scanId)}`;
  const hosts = rowsFromClickHouse<ScanHostRow>(SCAN_HOST_COLUMNS, await store.query(q("hosts")));
  const domains = rowsFromClickHouse<ScanDomainRow>(SCAN_DOMAIN_COLUMNS, await store.query(q("domains")));
  const raw = await store.query<{ n: string }>(
    `SELECT count() AS n FROM mxsurvey.hosts WHERE scan_id = ${quoteString(scanId)}`,
  );
  return { hosts, domains, rawHostRows: Number(raw[0]?.n ?? 0) };
}

const scanIdOf = (stdout: string) => /^Scan (\S+)/m.exec(stdout)?.[1] ?? "";

/** Rows keyed and reduced to the facts that must agree between runs (not timings, not scan ids). */
const hostFacts = (r: ScanHostRow) =>
  JSON.stringify([
    r.hostname,
    r.ip,
    r.port,
    r.status,
    r.failure,
    r.failure_phase,
    r.smtp_banner_code,
    r.starttls_offered,
    r.tls_version,
    r.tls_cipher,
    r.cert_trusted,
    r.cert_error,
    r.cert_sha256,
    r.cert_name_matches_mx,
    r.ehlo_extensions,
  ]);
const domainFacts = (r: ScanDomainRow) =>
  JSON.stringify([
    r.domain,
    r.status,
    r.mx_kind,
    r.mx_hosts,
    r.mx_priorities,
    r.dns_rcode,
    r.cert_name_matches_domain,
    r.hosts_total,
    r.hosts_ok,
  ]);

function expectSameFacts(hosts: ScanHostRow[], domains: ScanDomainRow[]) {
  expect(hosts.map(hostFacts).sort()).toEqual(
    embeddedHosts.map((r) => hostFacts(asStoredInClickHouse(SCAN_HOST_COLUMNS, r))).sort(),
  );
  expect(domains.map(domainFacts).sort()).toEqual(
    embeddedDomains.map((r) => domainFacts(asStoredInClickHouse(SCAN_DOMAIN_COLUMNS, r))).sort(),
  );
}

beforeAll(async () => {
  [nats, ch, lab] = await Promise.all([
    startNats(),
    startClickHouse(),
    startGeneratedLab({ domains: 1000, hosts: 150, seed: 11, greetDelayMs: 1000 }),
  ]);
  tmp = mkdtempSync(join(tmpdir(), "mxsurvey-dist-"));
  store = new ClickHouseStore({ url: ch.url });
  const migrate = await runCli(["db", "migrate", "--clickhouse", ch.url]);
  expect(migrate.code, migrate.stderr).toBe(0);
  // The embedded run of the same lab: the reference the distributed rows must agree with.
  const emb = await runCli(
    ["scan", "--domains", lab.listFile, "--out", join(tmp, "embedded"), "--quiet", ...common()],
    { timeoutMs: 120_000 },
  );
  expect(emb.code, emb.stderr).toBe(0);
  embeddedHosts = readJsonl<ScanHostRow>(join(tmp, "embedded", "hosts.jsonl"));
  embeddedDomains = readJsonl<ScanDomainRow>(join(tmp, "embedded", "domains.jsonl"));
  expect(embeddedDomains).toHaveLength(1000);
  startWorker();
  startWorker();
}, 600_000);

afterAll(async () => {
  for (const w of workers) w.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
  await store?.close().catch(() => {});
  await Promise.all([nats?.stop(), ch?.stop(), lab?.close()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("distributed scan", () => {
  it("dist - 1,000 domains through two workers land in ClickHouse once each, with the embedded run's facts", async () => {
    const before = connections();
    const r = await runCli(scanArgs(), { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const scanId = scanIdOf(r.stdout);
    const { hosts, domains, rawHostRows } = await rowsOf(scanId);
    expect(domains).toHaveLength(1000);
    expect(hosts).toHaveLength(embeddedHosts.length);
    expect(rawHostRows).toBe(hosts.length); // not even a duplicate insert
    expectSameFacts(hosts, domains);
    expectProbedOnce(before);
    // The analysis queries run on this server, whatever its version.
    for (const f of [
      "mx-hosts-without-starttls",
      "starttls-hosts-invalid-cert",
      "domain-verdicts",
      "tls-versions",
      "starttls-trend",
    ]) {
      const sql = readFileSync(join("queries", `${f}.sql`), "utf8").replace(
        /\b(hosts|domains|scans) FINAL/g,
        "mxsurvey.$1 FINAL",
      );
      const rows = await store.query(sql);
      expect(rows.length, f).toBeGreaterThan(0);
    }
  }, 400_000);

  it("dist - ClickHouse down for 30 s mid-scan: every row once, no target probed twice", async () => {
    const before = connections();
    const scan = startCli(scanArgs(["--no-quiet"]), { maxMs: 400_000 });
    await scan.waitFor(/\[probe\]/, 120_000);
    await ch.stopServer();
    const down = await store.ping().then(
      (ok) => ok,
      () => false,
    );
    expect(down, "ClickHouse answered while it should be down").toBe(false);
    expect(scan.child.exitCode, "the scan ended before the outage began: stretch the lab").toBeNull();
    await new Promise((r) => setTimeout(r, 30_000));
    expect(scan.child.exitCode, "the scan cannot finish while ClickHouse is down").toBeNull();
    await ch.startServer();
    expect(await scan.exited, scan.stderr()).toBe(0);
    expect(scan.stderr(), scan.stderr()).toMatch(/failed .*retrying/); // the coordinator did see the outage
    const { hosts, domains } = await rowsOf(scanIdOf(scan.stdout()));
    expect(domains).toHaveLength(1000);
    expectSameFacts(hosts, domains);
    expectProbedOnce(before);
  }, 500_000);

  it("dist - a worker killed with SIGKILL mid-scan: every row once", async () => {
    const scan = startCli(scanArgs(["--no-quiet"]), { maxMs: 400_000 });
    await scan.waitFor(/\[probe\] [1-9]\d*\//, 120_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    const victim = workers.find((w) => w.child.exitCode === null)!;
    victim.kill("SIGKILL");
    await victim.exited;
    startWorker(); // the fleet goes on with a fresh worker beside the survivor
    expect(await scan.exited, scan.stderr()).toBe(0);
    const { hosts, domains } = await rowsOf(scanIdOf(scan.stdout()));
    expect(domains).toHaveLength(1000);
    expectSameFacts(hosts, domains);
  }, 500_000);

  it("dist - a coordinator killed mid-scan and restarted with --resume: no lost or duplicated rows, nothing probed twice", async () => {
    const before = connections();
    const first = startCli(scanArgs(["--no-quiet"]), { maxMs: 400_000 });
    const m = await first.waitFor(/scan (\d{8}T\d{6}Z-[0-9a-f]{6})/, 60_000);
    await first.waitFor(/\[probe\]/, 120_000);
    await new Promise((r) => setTimeout(r, 2000));
    first.kill("SIGKILL");
    await first.exited;
    const scanId = m[1]!;
    const status = await runCli(["status", scanId, "--nats", nats.url]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(scanId);
    const second = await runCli([...scanArgs(), "--resume", scanId], { timeoutMs: 300_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(scanIdOf(second.stdout)).toBe(scanId);
    const { hosts, domains } = await rowsOf(scanId);
    expect(domains).toHaveLength(1000);
    expectSameFacts(hosts, domains);
    expectProbedOnce(before);
  }, 500_000);
});
