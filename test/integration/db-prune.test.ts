/**
 * `db prune --keep N --label NAME` on the real clickhouse-server (Debian's 18.16, or the one installed): exactly
 * the N newest scans of the label keep their rows in hosts, domains and scans; other labels, unlabelled scans
 * and an older scan still running are untouched; --dry-run deletes nothing; bad arguments are refused.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClickHouseStore } from "../../shared/store/clickhouse.js";
import { quoteIdentifier } from "../../shared/store/sql.js";
import { runCli } from "../helpers/cli.js";
import { type ClickHouseInstance, startClickHouse } from "../helpers/clickhouse.js";
import { domainRow, hostRow, scanRow } from "../helpers/rows.js";

const DB = "mxsurvey_prune_test";
let ch: ClickHouseInstance;
let store: ClickHouseStore;

/** Scan id of day `d` (the id's time orders them like scan_started_at). */
const id = (d: number, tag: string) => `202601${String(d).padStart(2, "0")}T000000Z-${tag}`;
const started = (d: number) => `2026-01-${String(d).padStart(2, "0")}T00:00:00.000Z`;

const WEEKLY = [1, 8, 15, 22, 29].map((d) => ({ id: id(d, "weekly"), d })); // oldest first
const OTHER = [2, 30].map((d) => ({ id: id(d, "other0"), d }));
const UNLABELLED = { id: id(3, "nolabl"), d: 3 };
const RUNNING_OLD = { id: id(4, "runold"), d: 4 }; // weekly, older than the kept ones, still running

async function seed() {
  const all = [
    ...WEEKLY.map((s) => ({ ...s, label: "weekly-lab", state: "complete" as const })),
    ...OTHER.map((s) => ({ ...s, label: "other-series", state: "complete" as const })),
    { ...UNLABELLED, label: "", state: "complete" as const },
    { ...RUNNING_OLD, label: "weekly-lab", state: "running" as const },
  ];
  for (const s of all) {
    const key = { scan_id: s.id, scan_started_at: started(s.d) };
    await store.writeHosts([
      hostRow({ ...key, hostname: "mx1.example.org" }),
      hostRow({ ...key, hostname: "mx2.example.org" }),
    ]);
    await store.writeDomains([domainRow({ ...key })]);
    await store.writeScan(scanRow({ ...key, label: s.label, state: s.state }));
  }
  await store.flush();
}

async function scanIdsIn(table: string): Promise<string[]> {
  const rows = await store.query<{ scan_id: string }>(
    `SELECT DISTINCT scan_id FROM ${quoteIdentifier(DB)}.${quoteIdentifier(table)} ORDER BY scan_id`,
  );
  return rows.map((r) => r.scan_id);
}

const prune = (args: string[]) => runCli(["db", "prune", ...args, "--clickhouse", ch.url, "--database", DB]);

beforeAll(async () => {
  ch = await startClickHouse();
  store = new ClickHouseStore({ url: ch.url, database: DB });
  await store.migrate();
  await seed();
}, 20 * 60_000);

afterAll(async () => {
  if (store) {
    await store.command(`DROP DATABASE IF EXISTS ${quoteIdentifier(DB)}`);
    await store.close();
  }
  await ch?.stop();
}, 120_000);

describe("db prune", () => {
  it("db prune - refuses a missing label, --keep 0 and a label that is not a plain name", async () => {
    for (const args of [
      ["--keep", "2", "--label", ""],
      ["--keep", "0", "--label", "weekly-lab"],
      ["--keep", "2", "--label", "a'b"],
    ]) {
      const r = await prune(args);
      expect(r.code, args.join(" ")).toBe(2);
    }
    expect((await scanIdsIn("scans")).length).toBe(9);
  }, 60_000);

  it("db prune - --dry-run lists and deletes nothing", async () => {
    const r = await prune(["--keep", "2", "--label", "weekly-lab", "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`would drop 3 scans (${WEEKLY[2]!.id}, ${WEEKLY[1]!.id}, ${WEEKLY[0]!.id})`);
    expect(r.stdout).toContain(`leaving 1 older running scans (${RUNNING_OLD.id})`);
    expect((await scanIdsIn("hosts")).length).toBe(9);
  }, 60_000);

  it("db prune - keeps exactly the 2 newest scans of the label; every other scan is untouched", async () => {
    const r = await prune(["--keep", "2", "--label", "weekly-lab"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("dropped 3 scans");
    const kept = [WEEKLY[3]!.id, WEEKLY[4]!.id];
    const others = [...OTHER.map((s) => s.id), UNLABELLED.id, RUNNING_OLD.id];
    const want = [...kept, ...others].sort();
    for (const table of ["hosts", "domains", "scans"]) expect(await scanIdsIn(table), table).toEqual(want);
    const weekly = await store.query<{ scan_id: string }>(
      `SELECT scan_id FROM ${quoteIdentifier(DB)}.scans FINAL WHERE label = 'weekly-lab' AND state = 'complete' ORDER BY scan_id`,
    );
    expect(weekly.map((w) => w.scan_id)).toEqual(kept);
    const [n] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${quoteIdentifier(DB)}.hosts`);
    expect(Number(n?.n)).toBe(2 * want.length);
  }, 120_000);

  it("db prune - a second run drops nothing more", async () => {
    const r = await prune(["--keep", "2", "--label", "weekly-lab"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("dropping 0 scans (none)");
    expect((await scanIdsIn("scans")).length).toBe(6);
  }, 60_000);
});
