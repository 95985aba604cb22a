/**
 * ClickHouseStore and `mxsurvey db` against a real ClickHouse (Debian's 18.16, started by
 * test/helpers/clickhouse.ts): migrations, live schema equal to the spec, deduplication by key, buffering
 * through a server outage without losing or doubling rows, `db load` of a scan directory, and JSON rows that
 * round-trip exactly (datetimes at second precision).
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yargs from "yargs";
import { runDbLoad, runDbMigrate } from "../../coordinator/commands/db.js";
import { dbCommand } from "../../coordinator/commands/db-options.js";
import { UsageError } from "../../coordinator/options.js";
import { SCAN_COLUMNS, type ScanRow } from "../../shared/schema/scan-row.js";
import {
  SCAN_DOMAIN_COLUMNS,
  SCAN_HOST_COLUMNS,
  type ScanDomainRow,
  type ScanHostRow,
  TABLES,
} from "../../shared/schema/tables.js";
import { ServiceUnavailableError } from "../../shared/service-error.js";
import { asStoredInClickHouse, ClickHouseStore, SchemaDriftError } from "../../shared/store/clickhouse.js";
import { createDatabaseSql, expectedColumns } from "../../shared/store/ddl.js";
import { quoteIdentifier, quoteString } from "../../shared/store/sql.js";
import { type ClickHouseInstance, startClickHouse } from "../helpers/clickhouse.js";
import { domainRow, hostRow, scanRow, unresolvedHostRow } from "../helpers/rows.js";

let ch: ClickHouseInstance;
const stores: ClickHouseStore[] = [];
const tmpDirs: string[] = [];
const external = Boolean(process.env["MXSURVEY_CLICKHOUSE_URL"]);

/** A database name of this run: tests can share a server (MXSURVEY_CLICKHOUSE_URL) and run again. */
const RUN = `t${Date.now().toString(36)}${process.pid}`;
const databases = new Set<string>();
function db(name: string): string {
  const full = `${RUN}_${name}`;
  databases.add(full);
  return full;
}

function store(
  database: string,
  opts: { batchRows?: number; flushIntervalMs?: number; maxPendingRows?: number } = {},
): ClickHouseStore {
  const s = new ClickHouseStore({ url: ch.url, database, ...opts });
  stores.push(s);
  return s;
}

async function count(s: ClickHouseStore, sql: string): Promise<number> {
  const [row] = await s.query<{ n: string }>(sql);
  return Number(row!.n);
}

const sink = () => {
  let text = "";
  return {
    stream: {
      write: (c: string) => {
        text += c;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    text: () => text,
  };
};

beforeAll(async () => {
  ch = await startClickHouse();
}, 20 * 60_000);

afterAll(async () => {
  if (ch) {
    const admin = new ClickHouseStore({ url: ch.url });
    for (const d of databases)
      await admin.command(`DROP DATABASE IF EXISTS ${quoteIdentifier(d)}`).catch(() => {});
    await admin.close();
  }
  for (const s of stores) await s.close().catch(() => {});
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
  await ch?.stop();
}, 120_000);

describe("migrate", () => {
  it("migrate - twice is fine, and the live tables equal the spec", async () => {
    const s = store(db("mig"));
    await s.migrate();
    await s.migrate();
    for (const def of TABLES) expect(await s.describe(def.name)).toEqual(expectedColumns(def));
    const tables = await s.query<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = ${quoteString(db("mig"))} ORDER BY name`,
    );
    expect(tables.map((t) => t.name)).toEqual(["domains", "hosts", "scans"]);
  });

  it("migrate - a drifted table is named column by column", async () => {
    const s = store(db("drifted"));
    await s.command(createDatabaseSql(db("drifted")));
    const cols = expectedColumns(TABLES.find((d) => d.name === "scans")!)
      .filter((c) => c.name !== "list_id")
      .map((c) => (c.name === "lines_read" ? { ...c, type: "UInt64" } : c));
    cols.push({ name: "legacy", type: "String" });
    await s.command(
      `CREATE TABLE ${quoteIdentifier(db("drifted"))}.${quoteIdentifier("scans")} (${cols
        .map((c) => `${quoteIdentifier(c.name)} ${c.type}`)
        .join(", ")}) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(scan_started_at) ORDER BY scan_id`,
    );
    const err = await s.migrate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaDriftError);
    const msg = (err as Error).message;
    expect(msg).toContain(`${db("drifted")}.scans: column list_id is missing (want String)`);
    expect(msg).toContain(`${db("drifted")}.scans: column lines_read is UInt64, want UInt32`);
    expect(msg).toContain(`${db("drifted")}.scans: column legacy (String) is not in the schema`);
    expect(msg).not.toContain(`${db("drifted")}.hosts`);
    // The CLI turns it into a usage error (exit 2) with the same words.
    const cli = await runDbMigrate({ clickhouse: ch.url, database: db("drifted") }, sink().stream).catch(
      (e: unknown) => e,
    );
    expect(cli).toBeInstanceOf(UsageError);
    expect((cli as Error).message).toContain("column list_id is missing");
  });

  it("migrate - LowCardinality is used only when asked for and the server has it", async () => {
    const s = new ClickHouseStore({ url: ch.url, database: db("lowcard"), lowCardinality: true });
    stores.push(s);
    const supported = await s.supportsLowCardinality();
    const version = await s.serverVersion();
    if (version.startsWith("18.")) expect(supported).toBe(false); // experimental (a setting) in 18.x
    await s.migrate();
    const hosts = await s.describe("hosts");
    const status = hosts.find((c) => c.name === "status")!.type;
    expect(status).toBe(supported ? "LowCardinality(String)" : "String");
  });
});

describe("writes", () => {
  it("rows - JSON row → ClickHouse → JSON row is exact (datetimes at second precision)", async () => {
    const s = store(db("rt"), { flushIntervalMs: 60_000 });
    await s.migrate();
    const scanId = "20260102T030405Z-rtrt01";
    const hosts: ScanHostRow[] = [
      hostRow({ scan_id: scanId }),
      unresolvedHostRow({ scan_id: scanId }),
      hostRow({
        scan_id: scanId,
        hostname: "odd.example.org",
        ip: "2001:db8::25",
        smtp_banner: "NUL\0 CR\r LF\n TAB\t quote' dq\" bs\\ bt` ? {x:String} 😀 é \u0080\u00ff",
        ehlo_extensions: ["", "'", "\\", "😀"],
        cert_not_after: "9999-12-31T23:59:59.000Z", // beyond DateTime: clamped
        connect_ms: 4_294_967_295,
        cert_key_bits: 65_535,
      }),
    ];
    const domains: ScanDomainRow[] = [domainRow({ scan_id: scanId })];
    const scan: ScanRow = scanRow({ scan_id: scanId, finished_at: null, state: "running" });
    await s.writeHosts(hosts);
    await s.writeDomains(domains);
    await s.writeScan(scan);
    expect(s.pendingRows).toBe(5);
    await s.flush();
    expect(s.pendingRows).toBe(0);

    const byKey = (a: ScanHostRow, b: ScanHostRow) =>
      `${a.hostname}\n${a.ip ?? ""}`.localeCompare(`${b.hostname}\n${b.ip ?? ""}`);
    const gotHosts = await s.readRows<ScanHostRow>("hosts", scanId);
    expect([...gotHosts].sort(byKey)).toEqual(
      hosts.map((r) => asStoredInClickHouse(SCAN_HOST_COLUMNS, r)).sort(byKey),
    );
    expect(gotHosts.find((r) => r.hostname === "odd.example.org")!.cert_not_after).toBe(
      "2105-12-31T23:59:59.000Z",
    );
    expect(gotHosts.find((r) => r.hostname === "gone.example.org")!.ip).toBeNull();
    expect(await s.readRows("domains", scanId)).toEqual(
      domains.map((r) => asStoredInClickHouse(SCAN_DOMAIN_COLUMNS, r)),
    );
    expect(await s.readRows("scans", scanId)).toEqual([asStoredInClickHouse(SCAN_COLUMNS, scan)]);
    // Apart from the second precision, the rows are the originals.
    expect(asStoredInClickHouse(SCAN_COLUMNS, scan)).toEqual({
      ...scan,
      scan_started_at: "2026-01-02T03:04:05.000Z",
    });
  });

  it("rows - the same key twice counts once with FINAL (NULL ip included)", async () => {
    const s = store(db("dedup"), { flushIntervalMs: 60_000 });
    await s.migrate();
    const scanId = "20260102T030405Z-dedup1";
    const a = hostRow({ scan_id: scanId, duration_ms: 1 });
    const b = hostRow({ scan_id: scanId, duration_ms: 2 }); // same key, newer
    const n1 = unresolvedHostRow({ scan_id: scanId, duration_ms: 1 });
    const n2 = unresolvedHostRow({ scan_id: scanId, duration_ms: 2 });
    await s.writeHosts([a, n1]);
    await s.flush();
    await s.writeHosts([b, n2]);
    await s.flush();
    const where = `WHERE scan_id = ${quoteString(scanId)}`;
    expect(await count(s, `SELECT count() AS n FROM ${db("dedup")}.hosts FINAL ${where}`)).toBe(2);
    // Two inserts, two parts: without FINAL (before a merge) both copies are still there.
    expect(await count(s, `SELECT count() AS n FROM ${db("dedup")}.hosts ${where}`)).toBe(4);
    const rows = await s.readRows<ScanHostRow>("hosts", scanId);
    expect(rows.map((r) => [r.ip, r.duration_ms])).toEqual([
      [null, 2],
      ["192.0.2.25", 2],
    ]);
    // After a merge the duplicates are gone for good.
    await s.command(`OPTIMIZE TABLE ${db("dedup")}.hosts FINAL`);
    expect(await count(s, `SELECT count() AS n FROM ${db("dedup")}.hosts ${where}`)).toBe(2);
  });

  it("rows - a row that does not fit the schema is refused by write, not buffered", async () => {
    const s = store(db("refuse"));
    await expect(s.writeHosts([hostRow({ port: -1 })])).rejects.toThrow(/column port/);
    await expect(s.writeHosts([hostRow(), { ...hostRow(), status: "nope" } as never])).rejects.toThrow(
      /column status/,
    );
    expect(s.pendingRows).toBe(0);
  });

  it("rows - batches by size and by time", async () => {
    const s = store(db("batch"), { batchRows: 10, flushIntervalMs: 200 });
    await s.migrate();
    const scanId = "20260102T030405Z-batch1";
    const rows = Array.from({ length: 25 }, (_, i) =>
      hostRow({ scan_id: scanId, hostname: `mx${i}.example.org` }),
    );
    await s.writeHosts(rows); // ≥ batchRows: a flush starts at once
    await s.writeHosts([hostRow({ scan_id: scanId, hostname: "late.example.org" })]); // the timer sends it
    const deadline = Date.now() + 10_000;
    while (s.pendingRows > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(s.pendingRows).toBe(0);
    expect(
      await count(
        s,
        `SELECT count() AS n FROM ${db("batch")}.hosts FINAL WHERE scan_id = ${quoteString(scanId)}`,
      ),
    ).toBe(26);
  });
});

// An outside server (MXSURVEY_CLICKHOUSE_URL) is not ours to stop.
describe.skipIf(external)("outage", () => {
  it("outage - writes buffer while ClickHouse is down, flush fails and keeps them, then every row lands once", async () => {
    const s = store(db("outage"), { batchRows: 50, flushIntervalMs: 300 });
    await s.migrate();
    const scanId = "20260102T030405Z-outage";
    const row = (i: number) => hostRow({ scan_id: scanId, hostname: `mx${i}.example.org` });
    await s.writeHosts(Array.from({ length: 30 }, (_, i) => row(i)));
    await s.flush();

    // A second store with a small backlog limit: its writes must wait while the server is down.
    const small = store(db("outage"), { batchRows: 10, flushIntervalMs: 300, maxPendingRows: 20 });
    const smallId = "20260102T030405Z-outag2";

    await ch.stopServer();
    let blockedWrite: Promise<void> | null = null;
    let blockedDone = false;
    try {
      blockedWrite = small.writeHosts(
        Array.from({ length: 25 }, (_, i) => hostRow({ scan_id: smallId, hostname: `mx${i}.example.org` })),
      );
      void blockedWrite.then(() => {
        blockedDone = true;
      });
      // Writes still succeed: they only buffer (120 rows: size-triggered flushes fail in the background).
      for (let i = 30; i < 150; i += 10) await s.writeHosts(Array.from({ length: 10 }, (_, k) => row(i + k)));
      await s.writeScan(scanRow({ scan_id: scanId }));
      expect(s.pendingRows).toBe(121);
      await expect(s.flush()).rejects.toThrow(/ClickHouse insert failed, 121 rows kept for retry/);
      expect(s.pendingRows).toBe(121);
      // The interval timer keeps trying (and failing) without losing anything.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(s.pendingRows).toBe(121);
      expect(s.lastError).not.toBeNull();
      expect(blockedDone).toBe(false); // back-pressure: still waiting for the server
      expect(small.pendingRows).toBe(25);
    } finally {
      await ch.startServer();
    }
    await blockedWrite; // resolves once the backlog is below the limit again
    await small.flush();
    const smallWhere = `WHERE scan_id = ${quoteString(smallId)}`;
    expect(await count(small, `SELECT count() AS n FROM ${db("outage")}.hosts FINAL ${smallWhere}`)).toBe(25);
    await s.flush();
    expect(s.pendingRows).toBe(0);
    const where = `WHERE scan_id = ${quoteString(scanId)}`;
    expect(await count(s, `SELECT count() AS n FROM ${db("outage")}.hosts FINAL ${where}`)).toBe(150);
    expect(await count(s, `SELECT uniqExact(hostname) AS n FROM ${db("outage")}.hosts ${where}`)).toBe(150);
    // Rows the server accepted were never sent twice: no duplicates even without FINAL.
    expect(await count(s, `SELECT count() AS n FROM ${db("outage")}.hosts ${where}`)).toBe(150);
    expect(await count(s, `SELECT count() AS n FROM ${db("outage")}.scans FINAL ${where}`)).toBe(1);
  }, 120_000);
});

describe("db command", () => {
  function scanDir(): { dir: string; hosts: ScanHostRow[]; domains: ScanDomainRow[]; scan: ScanRow } {
    const dir = mkdtempSync(join(tmpdir(), "mxsurvey-scan-"));
    tmpDirs.push(dir);
    const hosts = [
      hostRow(),
      unresolvedHostRow(),
      hostRow({ hostname: "mx2.example.org", smtp_banner: "tricky ' \\ \0 😀 {x:String}" }),
    ];
    const domains = [domainRow(), domainRow({ domain: "example.net", status: "no_mx", mx_kind: "none" })];
    const scan = scanRow();
    writeFileSync(join(dir, "hosts.jsonl"), hosts.map((r) => `${JSON.stringify(r)}\n`).join(""));
    writeFileSync(join(dir, "domains.jsonl"), domains.map((r) => `${JSON.stringify(r)}\n`).join(""));
    writeFileSync(join(dir, "scan.json"), `${JSON.stringify(scan, null, 2)}\n`);
    return { dir, hosts, domains, scan };
  }

  async function cli(args: string[]): Promise<void> {
    await yargs(args)
      .command(dbCommand)
      .strict()
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .parseAsync();
  }

  it("db - migrate and load a scan directory through the yargs command", async () => {
    const { dir, hosts, domains, scan } = scanDir();
    await cli(["db", "migrate", "--clickhouse", ch.url, "--database", db("loaded")]);
    await cli(["db", "load", dir, "--clickhouse", ch.url, "--database", db("loaded")]);
    await cli(["db", "load", dir, "--clickhouse", ch.url, "--database", db("loaded")]); // again: no change
    const s = store(db("loaded"));
    const byKey = (a: ScanHostRow, b: ScanHostRow) =>
      `${a.hostname}\n${a.ip ?? ""}`.localeCompare(`${b.hostname}\n${b.ip ?? ""}`);
    expect((await s.readRows<ScanHostRow>("hosts", scan.scan_id)).sort(byKey)).toEqual(
      hosts.map((r) => asStoredInClickHouse(SCAN_HOST_COLUMNS, r)).sort(byKey),
    );
    // readRows orders by the sorting key: (scan_id, domain).
    expect(await s.readRows("domains", scan.scan_id)).toEqual(
      domains
        .map((r) => asStoredInClickHouse(SCAN_DOMAIN_COLUMNS, r))
        .sort((a, b) => a.domain.localeCompare(b.domain)),
    );
    expect(await s.readRows("scans", scan.scan_id)).toEqual([asStoredInClickHouse(SCAN_COLUMNS, scan)]);
  });

  it("db - load a scan directory written before scans had a label: the label is empty", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mxsurvey-scan-"));
    tmpDirs.push(dir);
    const { label: _none, ...older } = scanRow({ scan_id: "20260102T030405Z-nolab1" });
    writeFileSync(join(dir, "scan.json"), JSON.stringify(older));
    writeFileSync(join(dir, "hosts.jsonl"), `${JSON.stringify(hostRow({ scan_id: older.scan_id }))}\n`);
    await cli(["db", "load", dir, "--clickhouse", ch.url, "--database", db("nolabel")]);
    expect(await store(db("nolabel")).readRows("scans", older.scan_id)).toEqual([
      asStoredInClickHouse(SCAN_COLUMNS, { ...older, label: "" }),
    ]);
  });

  it("db - load streams in batches and reports counts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mxsurvey-scan-"));
    tmpDirs.push(dir);
    const scan = scanRow({ scan_id: "20260102T030405Z-many01" });
    const lines: string[] = [];
    for (let i = 0; i < 12_000; i++)
      lines.push(JSON.stringify(hostRow({ scan_id: scan.scan_id, hostname: `mx${i}.example.org` })));
    writeFileSync(join(dir, "hosts.jsonl"), `${lines.join("\n")}\n{"scan_id": "cut short`); // crash-cut last line
    writeFileSync(join(dir, "scan.json"), JSON.stringify(scan));
    const out = sink();
    const counts = await runDbLoad(dir, { clickhouse: ch.url, database: db("many") }, out.stream);
    expect(counts).toEqual({ hosts: 12_000, domains: 0, scans: 1 });
    expect(out.text()).toContain("skipped a last line that is not JSON");
    expect(out.text()).toContain("12000 host rows");
    const s = store(db("many"));
    expect(
      await count(
        s,
        `SELECT count() AS n FROM ${db("many")}.hosts FINAL WHERE scan_id = ${quoteString(scan.scan_id)}`,
      ),
    ).toBe(12_000);
  });

  it("db - user mistakes are usage errors", async () => {
    const args = { clickhouse: ch.url, database: db("mistakes") };
    await expect(runDbLoad("/nonexistent/dir", args)).rejects.toBeInstanceOf(UsageError);
    await expect(runDbMigrate({ database: "x" })).rejects.toThrow(/give --clickhouse/);
    await expect(runDbMigrate({ clickhouse: "nats://127.0.0.1:4222", database: "x" })).rejects.toThrow(
      /http/,
    );
    await expect(runDbMigrate({ clickhouse: ch.url, database: "bad-name; DROP" })).rejects.toBeInstanceOf(
      UsageError,
    );
    // Not a usage error but the service's: exit 4 (README, exit status).
    const unreachable = runDbMigrate({ clickhouse: "http://127.0.0.1:1", database: "x" });
    await expect(unreachable).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(unreachable).rejects.toThrow(/cannot reach ClickHouse at http:\/\/127\.0\.0\.1:1/);

    const dir = mkdtempSync(join(tmpdir(), "mxsurvey-scan-"));
    tmpDirs.push(dir);
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "scan.json"), JSON.stringify(scanRow()));
    writeFileSync(
      join(dir, "hosts.jsonl"),
      `${JSON.stringify(hostRow())}\nnot json\n${JSON.stringify(hostRow())}\n`,
    );
    await expect(runDbLoad(dir, args, sink().stream)).rejects.toThrow(/hosts.jsonl:2: not JSON/);
    writeFileSync(join(dir, "hosts.jsonl"), `${JSON.stringify(hostRow({ port: 99_999 }))}\n`);
    await expect(runDbLoad(dir, args, sink().stream)).rejects.toThrow(/hosts.jsonl:1: .*column port/);
    writeFileSync(join(dir, "hosts.jsonl"), `${JSON.stringify(hostRow({ scan_id: "other" }))}\n`);
    await expect(runDbLoad(dir, args, sink().stream)).rejects.toThrow(/row of scan "other"/);
    await expect(runDbLoad(join(dir, "sub"), args, sink().stream)).rejects.toThrow(/no scan.json/);
  });
});
