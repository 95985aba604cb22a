/**
 * `mxsurvey db prune --keep N --label NAME`: retention for a series of periodic scans. Keeps the N newest scans
 * (by scan_started_at, then scan_id) recorded with `--label NAME` and deletes every row of the older ones from
 * hosts, domains and scans.
 *
 * How, on ClickHouse 18.16 and current releases alike: the tables are partitioned by month, so one scan is not a
 * partition to drop; rows go with `ALTER TABLE ... DELETE WHERE scan_id IN (...)` (a mutation: MergeTree family,
 * present since 1.1.54388, so in 18.16), then the command waits until system.mutations shows them done. Hosts
 * and domains first, the scan row last: a prune interrupted half-way leaves the scan listed, and running it
 * again finishes the job. Safety: the label must be given (never "every scan"), N >= 1, and an older scan still
 * `running` is left alone (it may be writing; resume or finish it first). `--dry-run` only lists.
 */

import type { ClickHouseStore } from "../../shared/store/clickhouse.js";
import { quoteIdentifier, quoteString } from "../../shared/store/sql.js";
import { UsageError } from "../options.js";
import { scanLabel } from "../scan/params.js";
import { storeFromArgs, withStore } from "./db.js";
import type { DbArgs } from "./db-options.js";

export interface PruneArgs extends DbArgs {
  keep?: number | undefined;
  label?: string | undefined;
  "dry-run"?: boolean | undefined;
}

export interface PrunePlan {
  kept: string[];
  dropped: string[];
  /** Older than the kept ones but still running: left alone. */
  running: string[];
}

/** Tables in deletion order: the scan row last. */
const PRUNE_TABLES = ["hosts", "domains", "scans"] as const;

export async function planPrune(store: ClickHouseStore, label: string, keep: number): Promise<PrunePlan> {
  const rows = await store.query<{ scan_id: string; state: string }>(
    `SELECT scan_id, state FROM ${quoteIdentifier(store.database)}.scans FINAL ` +
      `WHERE label = ${quoteString(label)} ORDER BY scan_started_at DESC, scan_id DESC`,
  );
  const older = rows.slice(keep);
  return {
    kept: rows.slice(0, keep).map((r) => r.scan_id),
    dropped: older.filter((r) => r.state !== "running").map((r) => r.scan_id),
    running: older.filter((r) => r.state === "running").map((r) => r.scan_id),
  };
}

/** Wait until no mutation of the database's tables is pending (ALTER ... DELETE runs in the background). */
async function waitForMutations(store: ClickHouseStore, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const tables = PRUNE_TABLES.map(quoteString).join(", ");
  for (;;) {
    const [row] = await store.query<{ n: string }>(
      `SELECT count() AS n FROM system.mutations WHERE database = ${quoteString(store.database)} ` +
        `AND table IN (${tables}) AND is_done = 0`,
    );
    if (Number(row?.n ?? 0) === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `ClickHouse has not finished deleting after ${timeoutMs / 1000} s (see system.mutations); run db prune again later`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function runDbPrune(
  args: PruneArgs,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const keep = args.keep;
  if (keep === undefined || !Number.isInteger(keep) || keep < 1)
    throw new UsageError("--keep must be a whole number of scans, at least 1");
  if (!args.label) throw new UsageError("give --label NAME: db prune only prunes one series of scans");
  const label = scanLabel(args.label);
  const store = storeFromArgs(args);
  await withStore(store, args.clickhouse!, async () => {
    const plan = await planPrune(store, label, keep);
    const verb = args["dry-run"] ? "would drop" : "dropping";
    out.write(`label ${label}: keeping ${plan.kept.length} scans (${plan.kept.join(", ") || "none"})\n`);
    if (plan.running.length > 0)
      out.write(
        `label ${label}: leaving ${plan.running.length} older running scans (${plan.running.join(", ")})\n`,
      );
    out.write(
      `label ${label}: ${verb} ${plan.dropped.length} scans (${plan.dropped.join(", ") || "none"})\n`,
    );
    if (args["dry-run"] || plan.dropped.length === 0) return;
    const ids = plan.dropped.map(quoteString).join(", ");
    for (const table of PRUNE_TABLES) {
      await store.command(
        `ALTER TABLE ${quoteIdentifier(store.database)}.${quoteIdentifier(table)} DELETE WHERE scan_id IN (${ids})`,
      );
      await waitForMutations(store, 600_000);
    }
    out.write(`label ${label}: dropped ${plan.dropped.length} scans\n`);
  });
}
