/**
 * One SQL, two engines: every analysis query of queries/ gives the same answer embedded — chDB over embedded scan
 * directories (`db query --scan-dir`) — and on a ClickHouse server (Debian's 18.16, started by
 * test/helpers/clickhouse.ts) holding the same scans loaded with `db load`.
 *
 * Two embedded scans of one generated lab (the first 120 domains, then all 300), so the newest-complete choice,
 * `--scan OLDER` and the trend across scans are all compared. Every column of every row is compared, values as
 * the engines print them in JSON (64-bit integers as strings on both), and the column names in order. Column
 * types are compared too, after one known spelling difference is normalised (see TYPE_SPELLING). Then
 * `mxsurvey report` on each engine must write the same tables (every JSON's columns and rows, every CSV byte for
 * byte), and `report --diff` of the two scans must print the same changes.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedStore } from "../../coordinator/commands/db-embedded.js";
import { listQueries, type QueryResult, targetScan } from "../../shared/analysis-queries.js";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import { ClickHouseStore } from "../../shared/store/clickhouse.js";
import { runCli } from "../helpers/cli.js";
import { type ClickHouseInstance, startClickHouse } from "../helpers/clickhouse.js";
import { type GeneratedLab, startGeneratedLab } from "../lab/generate.js";

let lab: GeneratedLab;
let ch: ClickHouseInstance;
let tmp: string;
let dirs: string[];
let scans: ScanRow[];
let embedded: EmbeddedStore;
let server: ClickHouseStore;

/** Type spellings that differ between ClickHouse releases for the same type (none known yet). */
const TYPE_SPELLING: [RegExp, string][] = [];
const typeOf = (t: string) => TYPE_SPELLING.reduce((s, [re, to]) => s.replace(re, to), t.replace(/\s+/g, ""));

beforeAll(async () => {
  [lab, ch] = await Promise.all([
    startGeneratedLab({ domains: 300, hosts: 60, seed: 14 }),
    startClickHouse(),
  ]);
  tmp = mkdtempSync(join(tmpdir(), "mxsurvey-engines-"));
  dirs = [join(tmp, "first"), join(tmp, "second")];
  const tops = [["--top", "120"], []];
  for (const [i, dir] of dirs.entries()) {
    const r = await runCli(
      ["scan", "--domains", lab.listFile, "--out", dir, "--quiet", ...tops[i]!, ...lab.cliArgs()],
      {
        timeoutMs: 300_000,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const load = await runCli(["db", "load", dir, "--clickhouse", ch.url]);
    expect(load.code, load.stderr).toBe(0);
  }
  const opened = await EmbeddedStore.open(dirs);
  embedded = opened.store;
  scans = opened.load.scans;
  server = new ClickHouseStore({ url: ch.url, defaultDatabase: true });
}, 600_000);

afterAll(async () => {
  embedded?.close();
  await server?.close().catch(() => {});
  await Promise.all([ch?.stop(), lab?.close()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function expectSame(what: string, emb: QueryResult, srv: QueryResult) {
  expect(
    emb.columns.map((c) => c.name),
    `${what}: column names`,
  ).toEqual(srv.columns.map((c) => c.name));
  expect(
    emb.columns.map((c) => typeOf(c.type)),
    `${what}: column types`,
  ).toEqual(srv.columns.map((c) => typeOf(c.type)));
  expect(emb.rows, `${what}: rows`).toEqual(srv.rows);
}

describe("one SQL, two engines", () => {
  it("engines - the server is ClickHouse 18.16 and the two scans are there and in chDB", async () => {
    expect((await server.serverVersion()).startsWith("18.16"), await server.serverVersion()).toBe(true);
    expect(scans.map((s) => s.state)).toEqual(["complete", "complete"]);
    const ids = "SELECT scan_id, domains FROM scans FINAL ORDER BY scan_id";
    const srv = await server.queryTable(ids);
    expect(srv.rows).toEqual(scans.map((s) => [s.scan_id, s.domains]));
    expectSame("scans", await embedded.queryTable(ids), srv);
  });

  it("engines - every table has the same columns, types and row counts", async () => {
    for (const table of ["hosts", "domains", "scans"]) {
      const describe = `DESCRIBE TABLE ${table}`;
      const [e, s] = await Promise.all([embedded.queryTable(describe), server.queryTable(describe)]);
      expect(
        e.rows.map((r) => [r[0], typeOf(String(r[1]))]),
        table,
      ).toEqual(s.rows.map((r) => [r[0], typeOf(String(r[1]))]));
      const count = `SELECT count() FROM ${table} FINAL`;
      expectSame(`${table} count`, await embedded.queryTable(count), await server.queryTable(count));
    }
  });

  for (const q of listQueries()) {
    it(`engines - ${q.name}: chDB on the scan directories and ClickHouse 18.16 agree on every column`, async () => {
      const runs: [string, string][] = [["as written", q.sql]];
      if (q.takesScan) runs.push(["--scan of the older scan", targetScan(q.sql, scans[0]!.scan_id)]);
      for (const [how, sql] of runs) {
        const [e, s] = await Promise.all([embedded.queryTable(sql), server.queryTable(sql)]);
        expect(s.rows.length, `${q.name} ${how}: the server's answer has rows`).toBeGreaterThan(0);
        expectSame(`${q.name} ${how}`, e, s);
      }
    });
  }

  it("engines - `db query --scan-dir` prints what `db query --clickhouse` prints", async () => {
    for (const name of ["domain-verdicts", "starttls-trend"]) {
      const emb = await runCli([
        "db",
        "query",
        name,
        "--format",
        "json",
        ...dirs.flatMap((d) => ["--scan-dir", d]),
      ]);
      expect(emb.code, emb.stderr).toBe(0);
      const srv = await runCli(["db", "query", name, "--format", "json", "--clickhouse", ch.url]);
      expect(srv.code, srv.stderr).toBe(0);
      expect(emb.stdout.length).toBeGreaterThan(0);
      expect(emb.stdout).toBe(srv.stdout);
    }
    const older = await runCli([
      "db",
      "query",
      "domain-verdicts",
      "--scan",
      scans[0]!.scan_id,
      "--scan-dir",
      dirs[0]!,
    ]);
    expect(older.code, older.stderr).toBe(0);
    expect(older.stderr).toContain(`scan ${scans[0]!.scan_id} (--scan)`);
  });

  it("engines - `report` on chDB and on ClickHouse 18.16 writes the same tables, and `report --diff` lists the same changes", async () => {
    const out = { emb: join(tmp, "report-emb"), srv: join(tmp, "report-srv") };
    const emb = await runCli(["report", "--out", out.emb, ...dirs.flatMap((d) => ["--scan-dir", d])], {
      timeoutMs: 300_000,
    });
    expect(emb.code, emb.stderr).toBe(0);
    const srv = await runCli(["report", "--out", out.srv, "--clickhouse", ch.url], { timeoutMs: 300_000 });
    expect(srv.code, srv.stderr).toBe(0);
    const files = readdirSync(out.emb).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(readdirSync(out.srv).sort()).toEqual(readdirSync(out.emb).sort());
    for (const f of files) {
      const read = (dir: string) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, unknown>;
      const [e, s] = [read(out.emb), read(out.srv)];
      expect(e["columns"], f).toEqual(s["columns"]);
      expect(e["rows"], f).toEqual(s["rows"]);
      expect(readFileSync(join(out.emb, f.replace(/\.json$/, ".csv")), "utf8"), f).toBe(
        readFileSync(join(out.srv, f.replace(/\.json$/, ".csv")), "utf8"),
      );
    }
    const [a, b] = scans.map((x) => x.scan_id) as [string, string];
    const diffEmb = await runCli(["report", "--diff", a, b, ...dirs.flatMap((d) => ["--scan-dir", d])], {
      timeoutMs: 300_000,
    });
    expect(diffEmb.code, diffEmb.stderr).toBe(0);
    const diffSrv = await runCli(["report", "--diff", a, b, "--clickhouse", ch.url], { timeoutMs: 300_000 });
    expect(diffSrv.code, diffSrv.stderr).toBe(0);
    expect(diffSrv.stdout).toContain(`changes from scan ${a} to scan ${b}`);
    expect(diffSrv.stdout).toBe(diffEmb.stdout);
  }, 600_000);

  it("engines - --scan-dir refuses a directory without a scan, an unknown --scan, and --clickhouse beside it", async () => {
    const none = await runCli(["db", "query", "domain-verdicts", "--scan-dir", tmp]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no scan.json");
    const unknown = await runCli([
      "db",
      "query",
      "domain-verdicts",
      "--scan",
      "20200101T000000Z-abcdef",
      "--scan-dir",
      dirs[0]!,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no scan 20200101T000000Z-abcdef");
    const both = await runCli(["db", "query", "scans", "--scan-dir", dirs[0]!, "--clickhouse", ch.url]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("not both");
  });
});
