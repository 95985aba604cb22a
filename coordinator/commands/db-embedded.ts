/**
 * The embedded query engine: ClickHouse as an in-process library (chDB, the optional `chdb` package) over one
 * or more embedded scan directories, so `mxsurvey db query NAME --scan-dir DIR` runs the very SQL of queries/
 * that a ClickHouse server runs, without a server.
 *
 * The tables are the server's: the same CREATE TABLE statements (shared/store/ddl.ts, from the one schema in
 * shared/schema), in a database named `mxsurvey` that is the session's current database, so the queries'
 * unqualified names resolve as they do on a server. The rows are each directory's hosts.jsonl, domains.jsonl and
 * scan.json, checked and converted exactly as `db load` converts them for a server (rowToClickHouse: datetimes
 * to the second, booleans as 0/1, JSON objects as text), and inserted as JSONEachRow. Several directories load
 * into the same tables, as several `db load`s would, so a trend across scans reads them all.
 *
 * chDB is some 500 MB of native library, so it is an optional dependency loaded here only, lazily: nothing on a
 * worker's path imports this module (coordinator/ is never imported by worker/), and an installation without it
 * (`npm ci --omit=optional`) gets a message saying how to add it. The session lives in a temporary directory that
 * close() removes.
 */

import type { QueryResult } from "../../shared/analysis-queries.js";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import { TABLES, type TableDef } from "../../shared/schema/tables.js";
import { ClickHouseQueryError, RowFitError, rowToClickHouse } from "../../shared/store/clickhouse.js";
import { createDatabaseSql, createTableSql } from "../../shared/store/ddl.js";
import { quoteIdentifier } from "../../shared/store/sql.js";
import { UsageError } from "../options.js";
import { readScanJson, sameScanCheck, streamJsonl } from "./db.js";

/**
 * The part of chDB's API used here, declared here rather than imported from its types: mxsurvey must build
 * (`npm ci` runs tsc) where the optional package is left out.
 */
interface ChdbSession {
  readonly open: boolean;
  query(sql: string, format?: string): string;
  queryAsync(sql: string, opts: { format: string }): Promise<{ text(): string }>;
  insert(params: { table: string; values: Buffer; format: "JSONEachRow" }): Promise<unknown>;
  close(): void;
}
export interface Chdb {
  Session: new () => ChdbSession;
}

/** The package name, not a literal in an import: tsc must not need the package to be installed. */
const CHDB_PACKAGE = "chdb";

/** The database the tables live in, as on a server (`--database` default). */
export const EMBEDDED_DATABASE = "mxsurvey";

/** Rows per INSERT. */
const BATCH_ROWS = 5000;

export const CHDB_MISSING =
  "the embedded query engine needs chDB, which is not installed here: run `npm install chdb` in mxsurvey's folder " +
  "(it is an optional dependency, some 500 MB; Linux and macOS on x86-64 and arm64), or load the scan into a " +
  "ClickHouse server with mxsurvey db load and query it with --clickhouse URL";

/** chDB, imported on first use. Not installed: a UsageError saying how to get it. */
export async function loadChdb(
  importer: () => Promise<Chdb> = () => import(CHDB_PACKAGE) as Promise<Chdb>,
): Promise<Chdb> {
  try {
    return await importer();
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new UsageError(CHDB_MISSING);
    }
    throw new Error(`chDB is installed but could not be loaded: ${(err as Error).message}`, { cause: err });
  }
}

export interface EmbeddedLoad {
  scans: ScanRow[];
  hosts: number;
  domains: number;
}

/** chDB's error as the ClickHouseQueryError a server's refusal is (its `Code: N.` as the code). */
function asQueryError(err: unknown): unknown {
  if (!(err instanceof Error) || !/^Chdb\w*Error$/.test(err.name || err.constructor.name)) return err;
  const text = err.message.replace(/^Query failed:\s*/, "").trim();
  const code = /Code: (\d+)\./.exec(text)?.[1] ?? "";
  return new ClickHouseQueryError(text, code, { cause: err });
}

export class EmbeddedStore {
  readonly database = EMBEDDED_DATABASE;

  private constructor(private readonly session: ChdbSession) {}

  /**
   * A chDB session holding the rows of every scan directory. Every directory's scan.json is read before chDB is
   * loaded, so a wrong path is a UsageError at once; a row that does not fit the schema is a UsageError naming
   * its file and line, as in `db load`.
   */
  static async open(
    dirs: readonly string[],
    warn: (msg: string) => void = () => {},
    chdb?: Chdb,
  ): Promise<{ store: EmbeddedStore; load: EmbeddedLoad }> {
    if (dirs.length === 0) throw new UsageError("give at least one --scan-dir DIR");
    const scans = dirs.map((dir) => ({ dir, ...readScanJson(dir) }));
    const { Session } = chdb ?? (await loadChdb());
    const store = new EmbeddedStore(new Session());
    try {
      const load = await store.load(scans, warn);
      return { store, load };
    } catch (err) {
      store.close();
      throw err;
    }
  }

  private async load(
    scans: { dir: string; scan: ScanRow; scanPath: string }[],
    warn: (msg: string) => void,
  ): Promise<EmbeddedLoad> {
    const db = this.database;
    this.session.query(createDatabaseSql(db));
    this.session.query(`USE ${quoteIdentifier(db)}`);
    // 64-bit integers as JSON strings, as ClickHouse 18.16's JSON output has them (and QueryResult promises).
    this.session.query("SET output_format_json_quote_64bit_integers = 1");
    for (const def of TABLES) this.session.query(createTableSql(def, db));
    const table = (name: string): TableDef => TABLES.find((t) => t.name === name)!;
    let hosts = 0;
    let domains = 0;
    for (const { dir, scan, scanPath } of scans) {
      const sameScan = sameScanCheck(scan);
      hosts += await this.insertJsonl(`${dir}/hosts.jsonl`, table("hosts"), sameScan, warn);
      domains += await this.insertJsonl(`${dir}/domains.jsonl`, table("domains"), sameScan, warn);
      let row: Record<string, unknown>;
      try {
        row = rowToClickHouse(table("scans").columns, scan, "scans");
      } catch (err) {
        if (err instanceof RowFitError) throw new UsageError(`${scanPath}: ${err.message}`);
        throw err;
      }
      await this.insert("scans", [JSON.stringify(row)]);
    }
    return { scans: scans.map((s) => s.scan), hosts, domains };
  }

  private async insertJsonl(
    path: string,
    def: TableDef,
    sameScan: (row: { scan_id?: unknown }) => void,
    warn: (msg: string) => void,
  ): Promise<number> {
    let batch: string[] = [];
    const count = await streamJsonl<Record<string, unknown>>(
      path,
      async (row) => {
        sameScan(row);
        batch.push(JSON.stringify(rowToClickHouse(def.columns, row, def.name)));
        if (batch.length >= BATCH_ROWS) {
          const rows = batch;
          batch = [];
          await this.insert(def.name, rows);
        }
      },
      warn,
    );
    if (batch.length > 0) await this.insert(def.name, batch);
    return count;
  }

  private async insert(table: string, lines: string[]): Promise<void> {
    try {
      await this.session.insert({
        table: `${this.database}.${table}`, // chDB takes plain names here (ours are), not quoted ones
        values: Buffer.from(`${lines.join("\n")}\n`, "utf8"),
        format: "JSONEachRow",
      });
    } catch (err) {
      throw asQueryError(err);
    }
  }

  /** A query's columns and rows, as ClickHouseStore.queryTable gives them (JSONCompact). */
  async queryTable(sql: string): Promise<QueryResult> {
    let text: string;
    try {
      text = (await this.session.queryAsync(sql, { format: "JSONCompact" })).text();
    } catch (err) {
      throw asQueryError(err);
    }
    if (text.trim() === "") return { columns: [], rows: [] };
    const body = JSON.parse(text) as { meta?: { name: string; type: string }[]; data?: unknown[][] };
    return { columns: body.meta?.map((m) => ({ name: m.name, type: m.type })) ?? [], rows: body.data ?? [] };
  }

  close(): void {
    if (this.session.open) this.session.close();
  }
}
