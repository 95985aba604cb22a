/**
 * Survey integrity: a distributed scan measures exactly what the embedded one does.
 *
 * The policy world (every MTA-STS / TLS-RPT case and every DANE case — TLSA records behind a validating
 * resolver's AD flags — with their SMTP and HTTPS servers) is scanned at `--depth full` twice with the real
 * CLI: embedded (one process, JSONL files) and distributed (a coordinator and two `worker` processes over a
 * real nats-server, rows into a real clickhouse-server). Every column of every host row and every domain row
 * must agree, except these, each for a reason:
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCAN_COLUMNS, type ScanRow } from "../../shared/schema/scan-row.js";
import type { ScanDomainRow, ScanHostRow } from "../../shared/schema/tables.js";
import { SCAN_DOMAIN_COLUMNS, SCAN_HOST_COLUMNS } from "../../shared/schema/tables.js";
import { asStoredInClickHouse, ClickHouseStore, rowsFromClickHouse } from "../../shared/store/clickhouse.js";
import { readJsonl } from "../../shared/store/jsonl.js";
import { quoteString } from "../../shared/store/sql.js";
import { runCli } from "../helpers/cli.js";
import { type ClickHouseInstance, startClickHouse } from "../helpers/clickhouse.js";
import { type NatsInstance, startNats } from "../helpers/nats.js";
import { type Proc, startCli } from "../helpers/procs.js";
import { type PolicyWorld, startPolicyWorld } from "../lab/policy-world.js";

/** Columns left out of the comparison, and why. */
const NOT_COMPARED: Record<string, string> = {
  scan_id: "provenance: two scans, two ids",
  scan_started_at: "provenance: each scan's own start",
  probed_at: "timing: when this probe started",
  checked_at: "timing: when this domain's check started",
  connect_ms: "timing: measured TCP connect time",
  tls_ms: "timing: measured handshake time",
  duration_ms: "timing: measured duration of the probe / the domain",
};

let nats: NatsInstance;
let ch: ClickHouseInstance;
let world: PolicyWorld;
let store: ClickHouseStore;
let tmp: string;
const workers: Proc[] = [];

const measure = () => [
  ...world.cliArgs(),
  "--depth",
  "full",
  "--per-host-delay",
  "0",
  "--ehlo-name",
  "integrity.mxsurvey.test",
  "--smtp-timeout",
  "5",
  "--list-source",
  "lab",
  "--list-id",
  "policy-world",
  "--quiet",
];

beforeAll(async () => {
  [nats, ch, world] = await Promise.all([startNats(), startClickHouse(), startPolicyWorld()]);
  tmp = mkdtempSync(join(tmpdir(), "mxsurvey-integrity-"));
  store = new ClickHouseStore({ url: ch.url });
  const migrate = await runCli(["db", "migrate", "--clickhouse", ch.url]);
  expect(migrate.code, migrate.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  for (const w of workers) w.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
  await store?.close().catch(() => {});
  await Promise.all([nats?.stop(), ch?.stop(), world?.close()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

type Row = Record<string, unknown>;

/** Each row reduced to its compared columns, keyed (hosts by host, ip, port; domains by domain). */
function compared(rows: Row[], key: (r: Row) => string): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const r of rows) {
    const kept: Row = {};
    for (const [k, v] of Object.entries(r)) if (!(k in NOT_COMPARED)) kept[k] = v;
    out.set(key(r), kept);
  }
  return out;
}
const hostKey = (r: Row) => `${r.hostname} ${r.ip} ${r.port}`;
const domainKey = (r: Row) => String(r.domain);

describe("survey integrity", () => {
  it("integrity - embedded and distributed (NATS, two workers, ClickHouse) agree on every column of every row", async () => {
    // The world's list as a Tranco list with ranks that are not the line numbers, so the rank column carries
    // something both paths must agree on.
    const list = join(tmp, "ranked.csv");
    writeFileSync(list, world.domains.map((d, i) => `${10 * i + 3},${d}\n`).join(""));
    const embDir = join(tmp, "embedded");
    const emb = await runCli(["scan", "--domains", list, "--out", embDir, ...measure()], {
      timeoutMs: 300_000,
    });
    expect(emb.code, emb.stderr).toBe(0);
    const embHosts = readJsonl<ScanHostRow>(join(embDir, "hosts.jsonl"));
    const embDomains = readJsonl<ScanDomainRow>(join(embDir, "domains.jsonl"));
    expect(embDomains).toHaveLength(world.domains.length);
    expect(embDomains.map((d) => d.rank)).toEqual(world.domains.map((_, i) => 10 * i + 3));
    expect(
      embHosts.every((h) => h.provider !== null),
      "every host has a provider",
    ).toBe(true);

    // The comparison means something only if the lab exercised what the distributed path used to lose.
    expect(embHosts.filter((h) => h.dane_status === "valid").length, "hosts with valid DANE").toBeGreaterThan(
      3,
    );
    expect(
      embHosts.filter((h) => h.dane_status === "invalid").length,
      "hosts with failing DANE",
    ).toBeGreaterThan(1);
    expect(embHosts.filter((h) => h.grade !== null).length, "graded hosts (--depth full)").toBeGreaterThan(
      10,
    );
    expect(embHosts.every((h) => h.ip === null || h.inventory_depth === "full")).toBe(true);
    expect(
      embHosts.filter((h) => h.ciphers.length > 0).length,
      "hosts with a suite inventory",
    ).toBeGreaterThan(10);
    expect(
      embDomains.filter((d) => d.mta_sts_status === "valid").length,
      "domains with MTA-STS",
    ).toBeGreaterThan(0);
    expect(
      embDomains.filter((d) => d.tls_rpt_status === "valid").length,
      "domains with TLS-RPT",
    ).toBeGreaterThan(0);
    expect(embDomains.filter((d) => d.dane_status === "valid").length, "domains with DANE").toBeGreaterThan(
      0,
    );

    for (let i = 0; i < 2; i++) {
      workers.push(
        startCli(
          ["worker", "--nats", nats.url, "--threads", "1", "--concurrency", "8", ...world.workerArgs()],
          {
            maxMs: 600_000,
          },
        ),
      );
    }
    const dist = await runCli(
      ["scan", "--domains", list, "--nats", nats.url, "--clickhouse", ch.url, ...measure()],
      { timeoutMs: 300_000 },
    );
    expect(dist.code, dist.stderr).toBe(0);
    const scanId = /^Scan (\S+)/m.exec(dist.stdout)?.[1] ?? "";
    const q = (table: string) =>
      `SELECT * FROM mxsurvey.${table} FINAL WHERE scan_id = ${quoteString(scanId)}`;
    const distHosts = rowsFromClickHouse<Row>(SCAN_HOST_COLUMNS, await store.query(q("hosts")));
    const distDomains = rowsFromClickHouse<Row>(SCAN_DOMAIN_COLUMNS, await store.query(q("domains")));

    // Every column of the schema is compared but the ones named above.
    for (const c of Object.keys(NOT_COMPARED))
      expect(c in SCAN_HOST_COLUMNS || c in SCAN_DOMAIN_COLUMNS, `${c} is a column`).toBe(true);
    const embH = compared(
      embHosts.map((r) => asStoredInClickHouse(SCAN_HOST_COLUMNS, r) as Row),
      hostKey,
    );
    const distH = compared(distHosts, hostKey);
    expect([...distH.keys()].sort()).toEqual([...embH.keys()].sort());
    for (const [k, row] of embH) expect(distH.get(k), `host ${k}`).toEqual(row);
    const embD = compared(
      embDomains.map((r) => asStoredInClickHouse(SCAN_DOMAIN_COLUMNS, r) as Row),
      domainKey,
    );
    const distD = compared(distDomains, domainKey);
    expect([...distD.keys()].sort()).toEqual([...embD.keys()].sort());
    for (const [k, row] of embD) expect(distD.get(k), `domain ${k}`).toEqual(row);

    // Both scans recorded the same parameters (a JSON object in scan.json, its text in the scans table),
    // but for the transport each ran on.
    const embScan = JSON.parse(readFileSync(join(embDir, "scan.json"), "utf8")) as ScanRow;
    const [distScan] = rowsFromClickHouse<ScanRow>(SCAN_COLUMNS, await store.query(q("scans")));
    expect(embScan.params.mode).toBe("embedded");
    expect(distScan?.params).toEqual({ ...embScan.params, mode: "nats" });
    expect(distScan?.state).toBe("complete");
  }, 700_000);
});
