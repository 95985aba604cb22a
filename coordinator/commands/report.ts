/**
 * `mxsurvey report --out REPORT_DIR (--scan-dir DIR ... | --clickhouse URL) [--scan ID]` and
 * `mxsurvey report --diff A B [--out REPORT_DIR]`: the findings of a scan as one static HTML page with charts,
 * each table beside it as CSV and JSON (coordinator/report/build.ts), or the changes between two scans.
 *
 * The engine is the one `db query` uses: chDB over embedded scan directories (db-embedded.ts, loaded only here
 * and in db query; a clear message when the optional chdb package is missing), or a ClickHouse server. A --diff
 * side that is a scan directory is loaded as one more --scan-dir and stands for its scan id.
 */

import { existsSync, statSync } from "node:fs";
import { isScanId } from "../../shared/analysis-queries.js";
import { ClickHouseQueryError } from "../../shared/store/clickhouse.js";
import { UsageError } from "../options.js";
import type { ReportOutput } from "../report/build.js";
import { readScanJson, storeFromArgs, withStore } from "./db.js";
import type { ReportArgs } from "./report-options.js";

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

export async function runReport(
  args: ReportArgs,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<ReportOutput> {
  const dirs = [...(args["scan-dir"] ?? [])];
  let diff: [string, string] | undefined;
  if (args.diff !== undefined) {
    if (args.diff.length !== 2)
      throw new UsageError("--diff takes two scans: --diff A B (directories or scan ids)");
    if (args.scan !== undefined) throw new UsageError("--diff names its two scans; it takes no --scan");
    diff = args.diff.map((side) => {
      if (isScanId(side)) return side;
      if (isDir(side)) {
        if (!dirs.includes(side)) dirs.push(side);
        return readScanJson(side).scan.scan_id;
      }
      throw new UsageError(`--diff: ${JSON.stringify(side)} is neither a scan directory nor a scan id`);
    }) as [string, string];
  } else if (args.out === undefined) {
    throw new UsageError("give --out REPORT_DIR (the report's folder), or --diff A B");
  }
  if (args.scan !== undefined && !isScanId(args.scan)) {
    throw new UsageError(
      `--scan: ${JSON.stringify(args.scan)} is not a scan id (want YYYYMMDDTHHMMSSZ-xxxxxx)`,
    );
  }
  const { buildReport } = await import("../report/build.js");
  const run = async (
    engine: Parameters<typeof buildReport>[0]["engine"],
    engineName: string,
    engineFlags: string,
  ): Promise<ReportOutput> => {
    try {
      return await buildReport({ engine, engineName, engineFlags, outDir: args.out, scan: args.scan, diff });
    } catch (e) {
      if (e instanceof ClickHouseQueryError)
        throw new UsageError(`report: the engine refused a query: ${e.message.split("\n")[0]}`);
      throw e;
    }
  };
  let result: ReportOutput;
  if (dirs.length > 0) {
    if (args.clickhouse !== undefined) {
      throw new UsageError("give --scan-dir DIR (embedded, through chDB) or --clickhouse URL, not both");
    }
    const { EmbeddedStore } = await import("./db-embedded.js");
    const { store, load } = await EmbeddedStore.open(dirs, (msg) => err.write(`mxsurvey: warning: ${msg}\n`));
    try {
      err.write(
        `mxsurvey: chDB: ${load.scans.length} scan${load.scans.length === 1 ? "" : "s"} loaded (${load.hosts} host rows, ${load.domains} domain rows)\n`,
      );
      result = await run(
        store,
        `chDB (embedded) over ${dirs.length} scan director${dirs.length === 1 ? "y" : "ies"}: ${dirs.join(", ")}`,
        dirs.map((d) => `--scan-dir ${d}`).join(" "),
      );
    } finally {
      store.close();
    }
  } else {
    if (args.clickhouse === undefined) {
      throw new UsageError(
        "give --scan-dir DIR (an embedded scan, through chDB) or --clickhouse URL (a ClickHouse server)",
      );
    }
    const store = storeFromArgs(args, { defaultDatabase: true });
    result = await withStore(store, args.clickhouse, () =>
      run(
        store,
        `ClickHouse at ${args.clickhouse}, database ${store.database}`,
        `--clickhouse ${args.clickhouse} --database ${store.database}`,
      ),
    );
  }
  if (result.diff) {
    const d = result.diff;
    out.write(`changes from scan ${d.a} to scan ${d.b}:\n`);
    for (const [k, v] of Object.entries(d.counts)) out.write(`  ${k.padEnd(18)} ${v}\n`);
    for (const t of d.tables.slice(1)) {
      if (t.result.rows.length === 0) continue;
      out.write(`${t.title}:\n`);
      for (const row of t.result.rows)
        out.write(`  ${row.map((v) => (v === "" ? "-" : String(v))).join("  ")}\n`);
    }
  }
  if (args.out !== undefined) {
    err.write(`mxsurvey: report written to ${args.out}/index.html (${result.files.length} files)\n`);
  }
  return result;
}
