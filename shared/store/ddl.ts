/**
 * ClickHouse DDL generated from the one schema definition (shared/schema/tables.ts). queries/schema.sql is this
 * module's output, written by `npm run docs` (test/tools/schema-sql.ts) and held against it by a unit test.
 *
 * Portable to ClickHouse 18.16 (Debian 12's package) and current releases:
 *
 * - Types: string → String, uint8/16/32 → UInt8/16/32, bool → UInt8 (0/1; ClickHouse's Bool type is newer),
 *   enum → String (LowCardinality(String) only with `lowCardinality: true`, which ClickHouseStore turns on only
 *   when the server supports it without experimental settings), array → Array(T), nullable → Nullable(T).
 * - datetime → DateTime('UTC'): second precision (18.16 has no DateTime64; milliseconds of the JSON rows are
 *   truncated), an explicit UTC zone so that reading and writing `YYYY-MM-DD hh:mm:ss` text never depends on
 *   the server's time zone. Range 1970-01-01 00:00:00 to 2105-12-31 23:59:59 (see shared/store/sql.ts).
 * - Nullable columns in the sorting key: 18.16 refuses them ("Sorting key cannot contain nullable columns")
 *   and current releases only take them with allow_nullable_key. The column stays Nullable (so `ip` reads back
 *   as null, and DESCRIBE TABLE matches the spec as is); the sorting key holds `ifNull(ip, '')` instead — a
 *   non-nullable expression with a defined value for NULL (unlike assumeNotNull, whose result for NULL is
 *   unspecified). Two rows that differ only in NULL versus '' would collapse under ReplacingMergeTree; a
 *   probed address is never ''.
 * - Engine ReplacingMergeTree: the sorting key is the deduplication key, so a redelivered job replaces its row
 *   (after a merge; read with FINAL to see exactly one row per key). PARTITION BY the table's monthly
 *   expression. No IF NOT EXISTS beyond CREATE DATABASE / CREATE TABLE, which 18.16 has.
 */

import type { ColumnType } from "../schema/columns.js";
import { TABLES, type TableDef } from "../schema/tables.js";
import { quoteIdentifier, quoteString } from "./sql.js";

export interface DdlOptions {
  /** Store enum columns as LowCardinality(String). Off by default; only for servers that support it. */
  lowCardinality?: boolean;
}

export const SCHEMA_SQL_HEADER = "-- Generated from shared/schema by npm run docs. DO NOT EDIT.";

/** The ClickHouse type of a column type, spelled as DESCRIBE TABLE prints it. */
export function clickHouseType(c: ColumnType, opts: DdlOptions = {}): string {
  switch (c.kind) {
    case "string":
    case "json":
      return "String";
    case "uint8":
      return "UInt8";
    case "uint16":
      return "UInt16";
    case "uint32":
      return "UInt32";
    case "bool":
      return "UInt8";
    case "datetime":
      return "DateTime('UTC')";
    case "enum":
      return opts.lowCardinality ? "LowCardinality(String)" : "String";
    case "array":
      return `Array(${clickHouseType(c.of, opts)})`;
    case "nullable":
      if (c.of.kind === "array" || c.of.kind === "nullable") {
        throw new Error(`ClickHouse has no Nullable(${c.of.kind}): change the schema`);
      }
      // LowCardinality wraps Nullable, not the other way round.
      if (c.of.kind === "enum" && opts.lowCardinality) return "LowCardinality(Nullable(String))";
      return `Nullable(${clickHouseType(c.of, opts)})`;
  }
}

/** A literal of the type's default value, for the sorting key's ifNull(col, default). */
function defaultLiteral(c: ColumnType): string {
  switch (c.kind) {
    case "string":
    case "enum":
      return "''";
    case "uint8":
    case "uint16":
    case "uint32":
    case "bool":
      return "0";
    case "datetime":
      return "toDateTime(0, 'UTC')";
    default:
      throw new Error(`no sorting-key default for a ${c.kind} column`);
  }
}

/** The sorting key expressions: the column, or ifNull(column, default) for a nullable column. */
export function sortingKey(def: TableDef): string[] {
  return def.orderBy.map((name) => {
    const column = def.columns[name];
    if (!column) throw new Error(`${def.name}: orderBy names unknown column ${name}`);
    const id = quoteIdentifier(name);
    return column.type.kind === "nullable" ? `ifNull(${id}, ${defaultLiteral(column.type.of)})` : id;
  });
}

export interface ColumnDescription {
  name: string;
  type: string;
}

/** The columns DESCRIBE TABLE should show for a table, in order. */
export function expectedColumns(def: TableDef, opts: DdlOptions = {}): ColumnDescription[] {
  return Object.entries(def.columns).map(([name, c]) => ({ name, type: clickHouseType(c.type, opts) }));
}

/**
 * A type as compared between the spec and a live table: LowCardinality is a storage choice, not a different
 * type, so LowCardinality(T) compares equal to T (a table created with or without it matches either way).
 */
export function comparableType(type: string): string {
  let out = type.replace(/\s+/g, "");
  for (;;) {
    const next = out.replace(/LowCardinality\(((?:[^()]|\([^()]*\))*)\)/, "$1");
    if (next === out) return out;
    out = next;
  }
}

/** Differences between the spec's columns and a live table's, in words; empty when they match. */
export function columnDrift(
  expected: readonly ColumnDescription[],
  actual: readonly ColumnDescription[],
): string[] {
  const problems: string[] = [];
  const live = new Map(actual.map((c) => [c.name, c.type]));
  const wanted = new Set(expected.map((c) => c.name));
  for (const c of expected) {
    const type = live.get(c.name);
    if (type === undefined) problems.push(`column ${c.name} is missing (want ${c.type})`);
    else if (comparableType(type) !== comparableType(c.type))
      problems.push(`column ${c.name} is ${type}, want ${c.type}`);
  }
  for (const c of actual)
    if (!wanted.has(c.name)) problems.push(`column ${c.name} (${c.type}) is not in the schema`);
  return problems;
}

export function createDatabaseSql(db: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(db)}`;
}

/** CREATE TABLE IF NOT EXISTS for one table, one column per line with its doc as COMMENT. */
export function createTableSql(def: TableDef, db: string, opts: DdlOptions = {}): string {
  const cols = Object.entries(def.columns);
  const width = Math.max(...cols.map(([name]) => name.length + 2));
  const lines = cols.map(
    ([name, c]) =>
      `    ${quoteIdentifier(name).padEnd(width)} ${clickHouseType(c.type, opts)} COMMENT ${quoteString(c.doc)}`,
  );
  return [
    `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(db)}.${quoteIdentifier(def.name)}`,
    "(",
    lines.join(",\n"),
    ")",
    "ENGINE = ReplacingMergeTree",
    `PARTITION BY ${def.partitionBy}`,
    `ORDER BY (${sortingKey(def).join(", ")})`,
  ].join("\n");
}

/** The whole of queries/schema.sql. */
export function generateSchemaSql(db = "mxsurvey", opts: DdlOptions = {}): string {
  const parts = [
    SCHEMA_SQL_HEADER,
    "-- ClickHouse DDL of mxsurvey's tables (see shared/store/ddl.ts for the type mapping). Runs on ClickHouse",
    "-- 18.16 and current releases. Date-times are DateTime('UTC'), second precision. A nullable sorting-key",
    "-- column is keyed as ifNull(column, ''), the column itself stays Nullable. `mxsurvey db migrate` runs the",
    "-- same statements and checks the live tables against them.",
    "",
    `${createDatabaseSql(db)};`,
  ];
  for (const def of TABLES) {
    parts.push("", `-- ${def.name}: ${def.doc}`, `${createTableSql(def, db, opts)};`);
  }
  return `${parts.join("\n")}\n`;
}
