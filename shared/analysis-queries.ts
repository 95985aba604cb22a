/**
 * The analysis queries of `queries/`: where they are, what each answers (its one-line header), and which scan
 * it reads. Engine-neutral: `mxsurvey db query` runs them on ClickHouse, and any other engine that runs the same
 * SQL (an embedded ClickHouse on a scan directory) can reuse scanMarker / targetScan, which are pure.
 *
 * The scan marker. A query that reads one scan chooses it on exactly one line that ends in `-- @scan`; the text
 * before that comment is a scalar expression giving the scan id, by default the newest complete scan:
 *
 *     WHERE scan_id =
 *         (SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete') -- @scan
 *
 * targetScan replaces the expression by the id as an escaped string literal, keeping the indentation and the
 * marker (`    '20260101T000000Z-abc123' -- @scan`): the file itself runs unchanged in clickhouse-client, and a
 * person targets a scan by hand with the same one-line edit (ClickHouse 18.16 has no query parameters). A query
 * without a marker (a trend across scans, the list of scans) takes no scan id. A line whose text starts with
 * `--` is a comment, never a marker, so a header may mention the marker.
 *
 * A query's header is its leading `--` comment block; its first line says what the query answers (the line
 * `mxsurvey db query --list` prints).
 */

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SCAN_ID_RE } from "./jobs.js";
import { quoteString } from "./store/sql.js";

export const SCAN_MARKER = "-- @scan";

/** The scan every query of queries/ reads by default: the newest whose state is complete (ids sort by time). */
export const DEFAULT_SCAN_SELECTOR = "(SELECT max(scan_id) FROM scans FINAL WHERE state = 'complete')";

/** Indentation, then an expression that is not a comment, then the marker ending the line. */
const MARKER_LINE = /^([ \t]*)(?!--)(\S.*?)[ \t]*-- @scan[ \t]*$/;

/** What a query file may get wrong, or a scan id that is not one; `code` is stable, the message is for people. */
export class QueryFileError extends Error {
  override readonly name = "QueryFileError";
  constructor(
    message: string,
    readonly code: "bad_scan_id" | "no_scan_marker" | "two_scan_markers",
  ) {
    super(message);
  }
}

export interface ScanMarker {
  /** 0-based line index in the SQL text. */
  line: number;
  indent: string;
  /** The scan-id expression on the marker line (the default's subquery, or a literal). */
  selector: string;
}

/** The query's scan marker, or null when it takes no scan. Two markers are an error: one place decides. */
export function scanMarker(sql: string): ScanMarker | null {
  const found: ScanMarker[] = [];
  sql.split(/\r?\n/).forEach((text, line) => {
    const m = MARKER_LINE.exec(text);
    if (m) found.push({ line, indent: m[1]!, selector: m[2]! });
  });
  if (found.length > 1) {
    throw new QueryFileError(
      `the query has ${found.length} lines marked ${SCAN_MARKER} (lines ${found.map((f) => f.line + 1).join(", ")}); want one`,
      "two_scan_markers",
    );
  }
  return found[0] ?? null;
}

/** Is `id` a scan id (`YYYYMMDDTHHMMSSZ-xxxxxx`)? Anything else never reaches SQL. */
export function isScanId(id: string): boolean {
  return SCAN_ID_RE.test(id);
}

/**
 * The query pointed at scan `scanId`: its marker line's expression replaced by the id as a quoted literal.
 * Throws QueryFileError when the id is not a scan id (checked before anything else) or the query has no marker.
 */
export function targetScan(sql: string, scanId: string): string {
  if (typeof scanId !== "string" || !isScanId(scanId)) {
    throw new QueryFileError(
      `${JSON.stringify(scanId)} is not a scan id (want YYYYMMDDTHHMMSSZ-xxxxxx, e.g. 20260101T000000Z-abc123)`,
      "bad_scan_id",
    );
  }
  const marker = scanMarker(sql);
  if (!marker) {
    throw new QueryFileError(
      `the query has no line marked ${SCAN_MARKER}: it does not read one scan, so it takes no scan id`,
      "no_scan_marker",
    );
  }
  const lines = sql.split(/(?<=\n)/); // keep each line's own ending (\n or \r\n)
  const old = lines[marker.line]!;
  const ending = /\r?\n$/.exec(old)?.[0] ?? "";
  lines[marker.line] = `${marker.indent}${quoteString(scanId)} ${SCAN_MARKER}${ending}`;
  return lines.join("");
}

/** The first line of the query's leading comment block, without `--` (empty when it has none). */
export function querySummary(sql: string): string {
  const first = sql.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  return first.startsWith("--") ? first.replace(/^--+\s?/, "").trim() : "";
}

/** The generated DDL in `queries/`: not an analysis query. */
export const SCHEMA_FILE = "schema.sql";

/**
 * The `queries/` folder of this installation: beside the nearest package.json named mxsurvey above this module
 * (the project root when run from the source tree or dist/, the package folder when installed from npm).
 */
export function queriesDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      let name: unknown;
      try {
        name = (JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown }).name;
      } catch {
        name = undefined;
      }
      if (name === "mxsurvey") {
        const queries = join(dir, "queries");
        if (existsSync(queries) && statSync(queries).isDirectory()) return queries;
        throw new Error(`mxsurvey's queries folder is missing: ${queries}`);
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`mxsurvey's package.json not found above ${from}`);
    dir = up;
  }
}

/** A query's answer, whatever engine ran it: columns (name and the engine's type name) and rows in their order. */
export interface QueryResult {
  columns: { name: string; type: string }[];
  /** JSON values (ClickHouse: 64-bit integers as decimal strings, NaN and infinities as null). */
  rows: unknown[][];
}

export interface AnalysisQuery {
  /** The file name without `.sql` (what `mxsurvey db query NAME` takes); a FILE's base name. */
  name: string;
  path: string;
  sql: string;
  summary: string;
  /** It has a scan marker: it reads one scan, by default the newest complete one. */
  takesScan: boolean;
}

export function readQuery(path: string, name = basename(path).replace(/\.sql$/, "")): AnalysisQuery {
  const sql = readFileSync(path, "utf8");
  return { name, path, sql, summary: querySummary(sql), takesScan: scanMarker(sql) !== null };
}

/** Every analysis query of a folder (`*.sql` but the schema), by name. */
export function listQueries(dir: string = queriesDir()): AnalysisQuery[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql") && f !== SCHEMA_FILE)
    .sort()
    .map((f) => readQuery(join(dir, f)));
}

/** A query NAME of the folder (letters, digits, `-`, `_`), as opposed to a FILE path. */
export const QUERY_NAME_RE = /^[A-Za-z0-9_-]+$/;
