/**
 * `mxsurvey db query NAME|FILE [--scan ID] [--format table|json|csv|tsv]` and `mxsurvey db query --list`: run an
 * analysis query of queries/ (or any SQL file) on ClickHouse and print its rows.
 *
 * Which scan: a query that reads one scan has one line marked `-- @scan` (shared/analysis-queries.ts). With
 * --scan ID, the id is checked against SCAN_ID_RE and the query's marker before any connection. Without it, the
 * marker line's own expression (the newest complete scan) is evaluated first. Either way the scan is looked up
 * in the scans table (no such scan: exit 2; a scan that is not complete: a warning) and its id written into the
 * query as an escaped literal, so the rows printed and the scan named on stderr always agree. A query without a
 * marker (starttls-trend, scans) refuses --scan.
 *
 * Two engines, one SQL: `--clickhouse URL` runs the query on a server; `--scan-dir DIR` (repeatable) runs it
 * embedded, on chDB over the scan directories' rows (db-embedded.ts, loaded only then). Everything above is
 * the same for both: they are a QueryEngine each.
 */

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  type AnalysisQuery,
  DEFAULT_SCAN_SELECTOR,
  isScanId,
  listQueries,
  QUERY_NAME_RE,
  QueryFileError,
  type QueryResult,
  queriesDir,
  readQuery,
  SCAN_MARKER,
  SCHEMA_FILE,
  scanMarker,
  targetScan,
} from "../../shared/analysis-queries.js";
import { ClickHouseQueryError } from "../../shared/store/clickhouse.js";
import { quoteString } from "../../shared/store/sql.js";
import { UsageError } from "../options.js";
import { formatResult, type ResultFormat } from "../render/result-table.js";
import { storeFromArgs, withStore } from "./db.js";
import type { DbArgs } from "./db-options.js";

export interface DbQueryArgs extends DbArgs {
  name?: string | undefined;
  scan?: string | undefined;
  /** Embedded scan directories to query through chDB instead of a server. */
  "scan-dir"?: string[] | undefined;
  format: ResultFormat;
  list?: boolean | undefined;
}

/** The query a NAME (a file of queries/) or a FILE (a path: has a `/` or ends in .sql) stands for. */
export function resolveQuery(arg: string, dir: string = queriesDir()): AnalysisQuery {
  const asName = QUERY_NAME_RE.test(arg);
  if (asName && `${arg}.sql` === SCHEMA_FILE) {
    throw new UsageError(`${SCHEMA_FILE} is the tables' DDL, not an analysis query: run mxsurvey db migrate`);
  }
  const path = asName ? join(dir, `${arg}.sql`) : arg;
  if (!existsSync(path) || !statSync(path).isFile()) {
    if (!asName) throw new UsageError(`${arg}: no such file`);
    const names = listQueries(dir).map((q) => q.name);
    throw new UsageError(
      `no query named ${JSON.stringify(arg)} in ${dir}: use one of ${names.join(", ")}, or a FILE path`,
    );
  }
  try {
    return readQuery(path);
  } catch (err) {
    if (err instanceof QueryFileError) throw new UsageError(`${path}: ${err.message}`);
    throw err;
  }
}

/** `db query --list`: every query's name and the first line of its header. */
export function listText(dir: string = queriesDir()): string {
  const queries = listQueries(dir);
  const w = Math.max(...queries.map((q) => q.name.length));
  return queries.map((q) => `${q.name.padEnd(w)}  ${q.summary}\n`).join("");
}

/** What runs the SQL: a ClickHouse server (ClickHouseStore) or chDB over scan directories (EmbeddedStore). */
export interface QueryEngine {
  queryTable(sql: string): Promise<QueryResult>;
}

/** Where the rows are, for messages: `the database mxsurvey` or `the scan directories`. */
interface EngineInfo {
  /** The engine's name in an error: ClickHouse or chDB. */
  engine: string;
  /** Where the scans table is, for a message (`mxsurvey.scans`). */
  scans: string;
  /** What to say when a table is missing. */
  missingTablesHint: string;
}

/** The state of scan `id` in the scans table (the latest row wins), or null when there is no such scan. */
async function scanState(store: QueryEngine, id: string): Promise<string | null> {
  const r = await store.queryTable(`SELECT state FROM scans FINAL WHERE scan_id = ${quoteString(id)}`);
  const state = r.rows[0]?.[0];
  return typeof state === "string" ? state : null;
}

export async function runDbQuery(
  args: DbQueryArgs,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<void> {
  if (args.list) {
    if (args.name !== undefined) throw new UsageError("--list takes no query name");
    out.write(listText());
    return;
  }
  if (args.name === undefined || args.name === "") {
    throw new UsageError("give a query: mxsurvey db query NAME|FILE (mxsurvey db query --list names them)");
  }
  if (args.scan !== undefined && typeof args.scan !== "string") {
    throw new UsageError("--scan: give one scan id");
  }
  const query = resolveQuery(args.name);
  // Everything about --scan is checked here, before a connection: a bad id never reaches the server.
  if (args.scan !== undefined) {
    if (!isScanId(args.scan)) {
      throw new UsageError(
        `--scan: ${JSON.stringify(args.scan)} is not a scan id (want YYYYMMDDTHHMMSSZ-xxxxxx, e.g. 20260101T000000Z-abc123)`,
      );
    }
    if (!query.takesScan) {
      throw new UsageError(
        `${query.name} does not read one scan (it has no line marked ${SCAN_MARKER}; see its header): it takes no --scan`,
      );
    }
  }
  const dirs = args["scan-dir"] ?? [];
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
      await queryOn(
        store,
        {
          engine: "chDB",
          scans: `the scans of the --scan-dir directories`,
          missingTablesHint: "",
        },
        query,
        args,
        out,
        err,
      );
    } finally {
      store.close();
    }
    return;
  }
  if (args.clickhouse === undefined) {
    throw new UsageError(
      "give --clickhouse URL (a ClickHouse server) or --scan-dir DIR (an embedded scan, queried through chDB)",
    );
  }
  const store = storeFromArgs(args, { defaultDatabase: true });
  await withStore(store, args.clickhouse, () =>
    queryOn(
      store,
      {
        engine: "ClickHouse",
        scans: `${store.database}.scans`,
        missingTablesHint: ` (are the tables there? mxsurvey db migrate --database ${store.database})`,
      },
      query,
      args,
      out,
      err,
    ),
  );
}

/** Choose the scan, run the query on `store` and print its rows: the same for every engine. */
async function queryOn(
  store: QueryEngine,
  info: EngineInfo,
  query: AnalysisQuery,
  args: DbQueryArgs,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<void> {
  try {
    // The scan: --scan, or the one the marker line's expression picks (the newest complete by default).
    let scan: { id: string; how: string } | null = null;
    if (args.scan !== undefined) {
      scan = { id: args.scan, how: "--scan" };
    } else if (query.takesScan) {
      const marker = scanMarker(query.sql)!;
      const chosen = (await store.queryTable(`SELECT ${marker.selector} AS scan_id`)).rows[0]?.[0];
      if (typeof chosen !== "string" || !isScanId(chosen)) {
        throw new UsageError(
          `${query.name}: no scan to read in ${info.scans}: its line marked ${SCAN_MARKER} (the newest complete scan by default) found none (mxsurvey db query scans lists the scans)`,
        );
      }
      const how =
        marker.selector === DEFAULT_SCAN_SELECTOR ? "newest complete" : `chosen by its ${SCAN_MARKER} line`;
      scan = { id: chosen, how };
    }
    let note = "";
    let sql = query.sql;
    if (scan) {
      const state = await scanState(store, scan.id);
      if (state === null) {
        throw new UsageError(
          `${scan.how === "--scan" ? "--scan" : query.name}: no scan ${scan.id} in ${info.scans} (mxsurvey db query scans lists them)`,
        );
      }
      if (state !== "complete") {
        err.write(`mxsurvey: warning: scan ${scan.id} is ${state}, not complete: its rows may be partial\n`);
      }
      sql = targetScan(query.sql, scan.id);
      note = `scan ${scan.id} (${scan.how}${state === "complete" ? "" : `, ${state}`})`;
    }
    const result = await store.queryTable(sql);
    out.write(formatResult(result, args.format));
    err.write(
      `mxsurvey: ${query.name}: ${note ? `${note}, ` : ""}${result.rows.length} row${result.rows.length === 1 ? "" : "s"}\n`,
    );
  } catch (e) {
    if (e instanceof ClickHouseQueryError) {
      const hint = e.code === "60" || e.code === "81" ? info.missingTablesHint : "";
      throw new UsageError(`${query.name}: ${info.engine} refused the query: ${firstLine(e.message)}${hint}`);
    }
    throw e;
  }
}

function firstLine(s: string): string {
  return s.split("\n", 1)[0] ?? s;
}
