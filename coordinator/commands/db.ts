/**
 * `mxsurvey db migrate` and `mxsurvey db load DIR`: create (and check) the ClickHouse tables, and import an
 * embedded scan's directory (hosts.jsonl, domains.jsonl, scan.json) into them. The ClickHouse options are
 * shared with `scan` through clickhouseOptions / storeFromArgs.
 */

import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import type { ScanDomainRow, ScanHostRow } from "../../shared/schema/tables.js";
import { clickHouseUnavailable } from "../../shared/service-error.js";
import {
  ClickHouseStore,
  type ClickHouseStoreOptions,
  RowFitError,
  SchemaDriftError,
} from "../../shared/store/clickhouse.js";
import { isIdentifier } from "../../shared/store/sql.js";
import { UsageError } from "../options.js";
import { savedParamsOf } from "../scan/params.js";
import type { DbArgs } from "./db-options.js";

/** A ClickHouseStore for the command-line options; bad values are a UsageError, before any connection. */
export function storeFromArgs(args: DbArgs, extra: Partial<ClickHouseStoreOptions> = {}): ClickHouseStore {
  const url = args.clickhouse;
  if (!url) throw new UsageError("give --clickhouse URL (e.g. http://127.0.0.1:8123)");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--clickhouse: ${JSON.stringify(url)} is not a URL (e.g. http://127.0.0.1:8123)`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UsageError(
      `--clickhouse: want an http:// or https:// URL (the HTTP interface), not ${parsed.protocol}`,
    );
  }
  const database = args.database ?? "mxsurvey";
  if (!isIdentifier(database)) {
    throw new UsageError(`--database: ${JSON.stringify(database)} is not a plain name (letters, digits, _)`);
  }
  const password = args["clickhouse-password"] ?? process.env["MXSURVEY_CLICKHOUSE_PASSWORD"];
  return new ClickHouseStore({
    url,
    database,
    ...(args["clickhouse-user"] !== undefined ? { username: args["clickhouse-user"] } : {}),
    ...(password !== undefined ? { password } : {}),
    ...extra,
  });
}

/**
 * Errors of the server or the network, in words for the user: drift is the user's to fix (a UsageError), a
 * server out of reach is a ServiceUnavailableError (exit 4).
 */
export async function withStore<T>(store: ClickHouseStore, url: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SchemaDriftError) throw new UsageError(err.message);
    if (err instanceof UsageError) throw err;
    throw clickHouseUnavailable(url, err) ?? err;
  } finally {
    await store.close().catch(() => {});
  }
}

export async function runDbMigrate(args: DbArgs, out: NodeJS.WritableStream = process.stderr): Promise<void> {
  const store = storeFromArgs(args);
  await withStore(store, args.clickhouse!, async () => {
    const version = await store.serverVersion();
    await store.migrate();
    out.write(
      `ClickHouse ${version} at ${args.clickhouse}: database ${store.database} has tables hosts, domains, scans (schema checked)\n`,
    );
  });
}

export interface LoadCounts {
  hosts: number;
  domains: number;
  scans: number;
}

/** Parse a JSONL file line by line, handing each row to `each`; a last line cut short by a crash is skipped with a warning. */
export async function streamJsonl<T>(
  path: string,
  each: (row: T, line: number) => Promise<void>,
  warn: (msg: string) => void,
): Promise<number> {
  if (!existsSync(path)) return 0;
  const rl = createInterface({
    input: createReadStream(path, { encoding: "utf8" }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lineNo = 0;
  let count = 0;
  let bad: { line: number; message: string } | null = null;
  for await (const line of rl) {
    lineNo++;
    if (line.trim() === "") continue;
    if (bad) throw new UsageError(`${path}:${bad.line}: not JSON (${bad.message})`);
    let row: T;
    try {
      row = JSON.parse(line) as T;
    } catch (err) {
      bad = { line: lineNo, message: (err as Error).message };
      continue;
    }
    try {
      await each(row, lineNo);
    } catch (err) {
      if (err instanceof RowFitError || err instanceof UsageError)
        throw new UsageError(`${path}:${lineNo}: ${err.message}`);
      throw err;
    }
    count++;
  }
  if (bad) warn(`${path}:${bad.line}: skipped a last line that is not JSON (cut short by a crash?)`);
  return count;
}

/** The scan row of an embedded scan directory (its scan.json); a directory without one is a UsageError. */
export function readScanJson(dir: string): { scan: ScanRow; scanPath: string } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir}: no such directory`);
  const scanPath = join(dir, "scan.json");
  if (!existsSync(scanPath)) throw new UsageError(`${dir}: no scan.json (not a scan directory)`);
  let scan: ScanRow;
  try {
    scan = JSON.parse(readFileSync(scanPath, "utf8")) as ScanRow;
  } catch (err) {
    throw new UsageError(`${scanPath}: not JSON (${(err as Error).message})`);
  }
  if (typeof scan?.scan_id !== "string") throw new UsageError(`${scanPath}: no scan_id`);
  // Scans written before the parameters were a JSON object hold them as JSON text.
  if (typeof (scan.params as unknown) === "string") scan.params = savedParamsOf(scan);
  // Scans written before the label existed have none: the empty label (no series).
  if ((scan as Partial<ScanRow>).label === undefined) scan.label = "";
  return { scan, scanPath };
}

/** A check that a row of the directory belongs to its scan (a UsageError otherwise). */
export function sameScanCheck(scan: ScanRow): (row: { scan_id?: unknown }) => void {
  return (row) => {
    if (row.scan_id !== scan.scan_id) {
      throw new UsageError(
        `row of scan ${JSON.stringify(row.scan_id)} in the directory of scan ${scan.scan_id}`,
      );
    }
  };
}

/**
 * Import an embedded scan directory into ClickHouse: migrate, then stream hosts.jsonl and domains.jsonl in
 * batches, then the scan row. Loading the same directory again changes nothing (ReplacingMergeTree keys).
 */
export async function runDbLoad(
  dir: string,
  args: DbArgs,
  out: NodeJS.WritableStream = process.stderr,
): Promise<LoadCounts> {
  const { scan, scanPath } = readScanJson(dir);
  const store = storeFromArgs(args);
  const sameScan = sameScanCheck(scan);
  const warn = (msg: string) => out.write(`mxsurvey: warning: ${msg}\n`);
  return withStore(store, args.clickhouse!, async () => {
    await store.migrate();
    const hosts = await streamJsonl<ScanHostRow>(
      join(dir, "hosts.jsonl"),
      async (row) => {
        sameScan(row);
        await store.writeHosts([row]);
      },
      warn,
    );
    const domains = await streamJsonl<ScanDomainRow>(
      join(dir, "domains.jsonl"),
      async (row) => {
        sameScan(row);
        await store.writeDomains([row]);
      },
      warn,
    );
    try {
      await store.writeScan(scan);
    } catch (err) {
      if (err instanceof RowFitError) throw new UsageError(`${scanPath}: ${err.message}`);
      throw err;
    }
    await store.flush();
    out.write(
      `loaded scan ${scan.scan_id} into ${store.database} at ${args.clickhouse}: ${hosts} host rows, ${domains} domain rows, 1 scan row\n`,
    );
    return { hosts, domains, scans: 1 };
  });
}
