/**
 * Running a fleet: a worker's Prometheus metrics scraped by a real Prometheus (Debian's package, installed by
 * the test setup when missing) during a distributed lab scan (nats-server, clickhouse-server, one worker
 * process); its liveness/readiness endpoints; and `--egress-check`, which must refuse to start the worker when
 * the canary cannot be reached.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClickHouseStore } from "../../shared/store/clickhouse.js";
import { quoteString } from "../../shared/store/sql.js";
import { runCli } from "../helpers/cli.js";
import { type ClickHouseInstance, startClickHouse } from "../helpers/clickhouse.js";
import { type NatsInstance, startNats } from "../helpers/nats.js";
import { type Proc, startCli } from "../helpers/procs.js";
import { freePort, type PrometheusInstance, startPrometheus } from "../helpers/prometheus.js";
import { type GeneratedLab, startGeneratedLab } from "../lab/generate.js";

let nats: NatsInstance;
let ch: ClickHouseInstance;
let lab: GeneratedLab;
let store: ClickHouseStore;
let prom: PrometheusInstance | null = null;
const procs: Proc[] = [];

beforeAll(async () => {
  [nats, ch, lab] = await Promise.all([
    startNats(),
    startClickHouse(),
    startGeneratedLab({ domains: 120, hosts: 30, seed: 1515, addressBase: 150 }),
  ]);
  store = new ClickHouseStore({ url: ch.url });
}, 600_000);

afterAll(async () => {
  for (const p of procs) p.kill("SIGKILL");
  await prom?.stop();
  await store?.close();
  await lab?.close();
  await ch?.stop();
  await nats?.stop();
}, 120_000);

function worker(extra: string[]): Proc {
  const p = startCli(
    ["worker", "--nats", nats.url, "--threads", "1", "--concurrency", "8", ...lab.workerArgs(), ...extra],
    { maxMs: 300_000 },
  );
  procs.push(p);
  return p;
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url);
  return { status: r.status, body: await r.text() };
}

/** Poll `fn` until it returns a value `ok` accepts (or give up after `ms`, returning the last value). */
async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await fn();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    v = await fn();
  }
  return v;
}

describe("fleet", () => {
  it("egress check - a canary on a closed loopback port: the worker refuses to start (exit 4, one line)", async () => {
    const port = await freePort(); // bound and released: nothing listens there
    const r = await runCli([
      "worker",
      "--nats",
      nats.url,
      ...lab.workerArgs(),
      "--egress-check",
      `127.0.0.1:${port}`,
    ]);
    expect(r.code).toBe(4);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^mxsurvey: egress check failed: .*127\\.0\\.0\\.1:${port}.*ECONNREFUSED`),
    );
  }, 60_000);

  it("egress check - a canary that accepts: the worker starts and pulls jobs", async () => {
    let accepted = 0;
    const canary: Server = createServer((s) => {
      accepted++;
      s.end();
    });
    await new Promise<void>((r) => canary.listen(0, "127.0.0.1", () => r()));
    const port = (canary.address() as { port: number }).port;
    try {
      const w = worker(["--egress-check", `127.0.0.1:${port}`]);
      await w.waitFor(/worker_started: connected to/, 60_000);
      expect(accepted).toBe(1);
      w.kill("SIGTERM");
      expect(await w.exited).toBe(0);
    } finally {
      canary.close();
    }
  }, 90_000);

  it("metrics - a bad --metrics-listen is refused (exit 2) before the scan creates anything or the worker connects", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "mxsurvey-fleet-")), "scan");
    const scan = await runCli([
      "scan",
      "--domains",
      lab.listFile,
      "--out",
      out,
      "--metrics-listen",
      "9464",
      ...lab.cliArgs(),
    ]);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toMatch(/^mxsurvey: --metrics-listen: want ADDR:PORT/);
    expect(existsSync(out)).toBe(false);
    const worker = await runCli([
      "worker",
      "--nats",
      "nats://127.0.0.1:1",
      "--metrics-listen",
      "localhost",
      ...lab.workerArgs(),
    ]);
    expect(worker.code).toBe(2);
    expect(worker.stderr).toMatch(/^mxsurvey: --metrics-listen: want ADDR:PORT/);
  }, 60_000);

  it("metrics - Prometheus scrapes a worker during a lab scan; probe counters equal the host rows written", async () => {
    const metricsPort = await freePort();
    const target = `127.0.0.1:${metricsPort}`;
    const w = worker(["--metrics-listen", target]);
    await w.waitFor(/worker_started/, 60_000);
    expect(await get(`http://${target}/livez`)).toEqual({ status: 200, body: "ok\n" });
    expect((await get(`http://${target}/readyz`)).status).toBe(200);
    prom = await startPrometheus([target]);
    const up = await until(
      () => prom!.query('up{job="mxsurvey"}'),
      (v) => v[0]?.value === 1,
      30_000,
    );
    expect(up.map((s) => s.value)).toEqual([1]);

    const scan = await runCli(
      [
        "scan",
        "--domains",
        lab.listFile,
        "--nats",
        nats.url,
        "--clickhouse",
        ch.url,
        "--quiet",
        "--label",
        "fleet-lab",
        ...lab.cliArgs(),
        "--smtp-timeout",
        "5",
      ],
      { timeoutMs: 300_000 },
    );
    expect(scan.code, scan.stderr).toBe(0);
    const scanId = /^Scan (\S+)/m.exec(scan.stdout)?.[1] ?? "";
    expect(scanId).not.toBe("");
    const rows = await store.query<{ n: string }>(
      `SELECT count() AS n FROM mxsurvey.hosts FINAL WHERE scan_id = ${quoteString(scanId)} AND ip IS NOT NULL`,
    );
    const written = Number(rows[0]?.n ?? 0);
    const labels = await store.query<{ label: string }>(
      `SELECT label FROM mxsurvey.scans FINAL WHERE scan_id = ${quoteString(scanId)}`,
    );
    expect(labels).toEqual([{ label: "fleet-lab" }]);
    expect(written).toBeGreaterThan(20);

    const sum = async (expr: string) => (await prom!.query(`sum(${expr})`))[0]?.value ?? -1;
    const probes = await until(
      () => sum("mxsurvey_probes_finished_total"),
      (v) => v === written,
      30_000,
    );
    expect(probes).toBe(written);
    expect(await sum("mxsurvey_jobs_acked_total")).toBe(written);
    expect(await sum('mxsurvey_results_written_total{sink="nats",table="hosts"}')).toBe(written);
    expect(await sum("mxsurvey_probe_duration_seconds_count")).toBe(written);
    expect(await sum("mxsurvey_jobs_pulled_total")).toBeGreaterThanOrEqual(written);
    expect(await sum("mxsurvey_connections_opened_total")).toBeGreaterThanOrEqual(written);
    expect(await sum("mxsurvey_probes_in_flight")).toBe(0);

    // Bytes read: at least every greeting and EHLO reply the rows kept (as received, before our parsing), and
    // the wire carries more (line ends, STARTTLS and TLS records).
    const kept = await store.query<{ n: string; text: string }>(
      `SELECT countIf(smtp_banner IS NOT NULL) AS n, sum(length(ifNull(smtp_banner, '')) + length(ifNull(ehlo_raw, ''))) AS text FROM mxsurvey.hosts FINAL WHERE scan_id = ${quoteString(scanId)} AND ip IS NOT NULL`,
    );
    const greeted = Number(kept[0]?.n ?? 0);
    const textBytes = Number(kept[0]?.text ?? 0);
    expect(greeted).toBeGreaterThan(10);
    expect(textBytes).toBeGreaterThan(0);
    const bytesRead = await sum("mxsurvey_probe_bytes_read_total");
    expect(bytesRead).toBeGreaterThan(textBytes);
    expect(await sum("mxsurvey_queue_pending_jobs")).toBe(0);

    // The statuses Prometheus saw add up, per status, to the rows' statuses.
    const byStatus = await store.query<{ status: string; n: string }>(
      `SELECT status, count() AS n FROM mxsurvey.hosts FINAL WHERE scan_id = ${quoteString(scanId)} AND ip IS NOT NULL GROUP BY status`,
    );
    const promByStatus = await prom.query("sum by (status) (mxsurvey_probes_finished_total)");
    expect(Object.fromEntries(promByStatus.map((s) => [s.metric["status"], s.value]))).toEqual(
      Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])),
    );

    // Bounded labels: no host name or address in any label value (Prometheus's own `instance` aside).
    const series = await prom.series("mxsurvey_.*");
    expect(series.length).toBeGreaterThan(10);
    const hostish = series.flatMap((s) =>
      Object.entries(s)
        .filter(([k]) => k !== "instance")
        .map(([, v]) => v)
        .filter((v) => /\d+\.\d+\.\d+\.\d+|gen\.lab\.test/.test(v)),
    );
    expect(hostish).toEqual([]);

    w.kill("SIGTERM");
    expect(await w.exited).toBe(0);
  }, 600_000);
});

describe("fleet - embedded scan", () => {
  it("metrics - an embedded scan serves its metrics while it runs: MX lookups by rcode, probes in flight, ready", async () => {
    // Every server waits 1.5 s before its greeting, so the probe stage lasts long enough to be scraped.
    const slow = await startGeneratedLab({
      domains: 40,
      hosts: 8,
      seed: 1517,
      addressBase: 170,
      greetDelayMs: 1500,
    });
    const out = mkdtempSync(join(tmpdir(), "mxsurvey-fleet-"));
    try {
      const port = await freePort();
      const scan = startCli(
        [
          "scan",
          "--domains",
          slow.listFile,
          "--out",
          join(out, "scan"),
          "--metrics-listen",
          `127.0.0.1:${port}`,
          "--log-format",
          "json",
          "--threads",
          "1",
          "--concurrency",
          "2",
          ...slow.cliArgs(),
          "--smtp-timeout",
          "10",
        ],
        { maxMs: 300_000 },
      );
      procs.push(scan);
      await scan.waitFor(/"event":"metrics_listening"/, 60_000);
      // Scrape until probes are in flight (the MX discovery is over by then).
      const text = await until(
        () =>
          get(`http://127.0.0.1:${port}/metrics`).then(
            (r) => r.body,
            () => "",
          ),
        (t) => /^mxsurvey_probes_in_flight\{role="scan"\} [1-9]/m.test(t),
        60_000,
      );
      expect(text).toMatch(/^mxsurvey_probes_in_flight\{role="scan"\} [1-9]/m);
      const noerror = Number(
        /^mxsurvey_dns_queries_total\{[^}]*rcode="NOERROR"[^}]*\} (\d+)/m.exec(text)?.[1],
      );
      expect(noerror).toBeGreaterThanOrEqual(40); // at least one MX lookup per domain
      expect((await get(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      expect(await scan.exited).toBe(0);
      const hosts = readFileSync(join(out, "scan", "hosts.jsonl"), "utf8")
        .trim()
        .split("\n");
      expect(hosts.length).toBeGreaterThanOrEqual(8);
      // The listener closes with the scan.
      await expect(get(`http://127.0.0.1:${port}/livez`)).rejects.toThrow();
    } finally {
      rmSync(out, { recursive: true, force: true });
      await slow.close();
    }
  }, 300_000);
});
