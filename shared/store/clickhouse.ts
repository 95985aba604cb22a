/**
 * The ClickHouse sink: rows are buffered per table and inserted in batches with JSONEachRow over HTTP. The one
 * module that imports @clickhouse/client.
 *
 * Works with ClickHouse 18.16 (Debian 12) and current releases. The client is configured to send no ClickHouse
 * settings at all (18.16 rejects unknown ones with "Code: 115 ... Unknown setting"), no `database` URL
 * parameter (every name is qualified as `db`.`table`, so migrate can create the database first), and values only
 * as escaped literals (shared/store/sql.ts; 18.16 has no query parameters).
 *
 * Durability: `flush()` resolves only when the server accepted every row buffered when it was called. When an
 * insert fails (server down, network), flush rejects and the rows stay buffered — the next flush (explicit, by
 * size, or the interval timer) sends them again; nothing is dropped. Inserting the same row twice is harmless:
 * the tables are ReplacingMergeTree keyed by the row's identity, and reads use FINAL. A row that does not fit
 * the schema is refused by write*() at once, so one bad row can never block the buffer. Above `maxPendingRows`
 * buffered rows, write*() waits (retrying the flush with back-off) until the server took the backlog.
 *
 * Row conversion (rowToClickHouse / rowsFromClickHouse): datetime ISO-8601 ↔ `YYYY-MM-DD hh:mm:ss` UTC with
 * second precision (ms truncated, out-of-range clamped — see sql.ts), bool ↔ UInt8 0/1, null ↔ null (18.16's
 * JSONEachRow takes null for Nullable columns, and arrays as JSON arrays), strings with lone surrogates get
 * U+FFFD (ClickHouse's JSON parser refuses them). `asStoredInClickHouse` applies the same lossy steps to a JSON
 * row, so a row read back compares equal to it.
 */

import { type ClickHouseClient, ClickHouseError, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { QueryResult } from "../analysis-queries.js";
import { type ColumnType, type TableSpec, valueFits } from "../schema/columns.js";
import type { ScanRow } from "../schema/scan-row.js";
import { type ScanDomainRow, type ScanHostRow, TABLES, type TableDef } from "../schema/tables.js";
import { clickHouseUnavailable, redactUrl } from "../service-error.js";
import {
  type ColumnDescription,
  columnDrift,
  createDatabaseSql,
  createTableSql,
  type DdlOptions,
  expectedColumns,
} from "./ddl.js";
import {
  fromClickHouseDateTime,
  quoteIdentifier,
  quoteString,
  toClickHouseDateTime,
  wellFormed,
} from "./sql.js";
import type { RowSink } from "./types.js";

export interface ClickHouseStoreOptions {
  /** http://host:8123 (https works too). */
  url: string;
  database?: string;
  username?: string;
  password?: string;
  /** Rows per INSERT; a table's buffer reaching it triggers a flush. */
  batchRows?: number;
  /** Buffered rows are flushed at least this often (ms). */
  flushIntervalMs?: number;
  /** write*() waits for the backlog to drain above this many buffered rows (default 20 × batchRows). */
  maxPendingRows?: number;
  /** Per-request timeout (ms). */
  requestTimeoutMs?: number;
  /** Store enum columns as LowCardinality(String) — only used when the server supports it (see migrate). */
  lowCardinality?: boolean;
  /**
   * Send `database` as the HTTP interface's default database, so unqualified table names in a query (the
   * analysis queries of queries/) name its tables. Off by default: migrate creates the database, which must not
   * be the default of its own CREATE, and every name of ours is qualified anyway.
   */
  defaultDatabase?: boolean;
}

type JsonRow = Record<string, unknown>;

export class SchemaDriftError extends Error {
  override name = "SchemaDriftError";
}

/** The server refused a query (syntax, unknown table...): `code` is ClickHouse's error number, e.g. "60". */
export class ClickHouseQueryError extends Error {
  override readonly name = "ClickHouseQueryError";
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A row value that does not fit its column (thrown by write*() and rowToClickHouse). */
export class RowFitError extends TypeError {
  override name = "RowFitError";
}

const TABLE_BY_NAME = new Map(TABLES.map((t) => [t.name, t]));

function tableDef(name: string): TableDef {
  const def = TABLE_BY_NAME.get(name);
  if (!def) throw new Error(`unknown table ${name}`);
  return def;
}

/**
 * A server's refusal as a ClickHouseQueryError; anything else (network) unchanged. The client recognises only
 * current servers' `Code: 47. DB::Exception: ...`; 18.16 says `Code: 47, e.displayText() = DB::Exception: ...,
 * e.what() = DB::Exception`, which reaches us as a plain Error.
 */
function asQueryError(err: unknown): unknown {
  if (err instanceof ClickHouseError)
    return new ClickHouseQueryError(err.message.trim(), err.code, { cause: err });
  const old = /^Code: (\d+), e\.displayText\(\) = ([\s\S]*?)(?:, e\.what\(\) = [\w:]+)?\s*$/.exec(
    err instanceof Error ? err.message : "",
  );
  if (old) return new ClickHouseQueryError(old[2]!.trim(), old[1]!, { cause: err });
  return err;
}

/** A JSON value of a column as ClickHouse's JSONEachRow input wants it. */
function valueToClickHouse(c: ColumnType, v: unknown): unknown {
  if (v === null) return null;
  switch (c.kind) {
    case "nullable":
      return valueToClickHouse(c.of, v);
    case "array":
      return (v as unknown[]).map((x) => valueToClickHouse(c.of, x));
    case "datetime":
      return toClickHouseDateTime(v as string);
    case "bool":
      return v ? 1 : 0;
    case "json":
      return wellFormed(JSON.stringify(v));
    case "string":
    case "enum":
      return wellFormed(v as string);
    default:
      return v;
  }
}

/**
 * Check a row against a table spec and convert it for JSONEachRow (only the spec's columns, in order). Throws
 * a RowFitError naming the first column whose value does not fit.
 */
export function rowToClickHouse(spec: TableSpec, row: object, table = "row"): JsonRow {
  const src = row as JsonRow;
  const out: JsonRow = {};
  for (const [name, column] of Object.entries(spec)) {
    const v = src[name];
    if (!valueFits(column.type, v)) {
      throw new RowFitError(
        `${table}: column ${name} does not fit its type (${column.type.kind}): ${JSON.stringify(v)}`,
      );
    }
    out[name] = valueToClickHouse(column.type, v);
  }
  return out;
}

function valueFromClickHouse(c: ColumnType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (c.kind) {
    case "nullable":
      return valueFromClickHouse(c.of, v);
    case "array":
      return (v as unknown[]).map((x) => valueFromClickHouse(c.of, x));
    case "datetime":
      return fromClickHouseDateTime(String(v));
    case "bool":
      return Number(v) !== 0;
    case "json":
      return JSON.parse(String(v));
    case "uint8":
    case "uint16":
    case "uint32":
      return Number(v);
    default:
      return v;
  }
}

/** Rows as read from ClickHouse (JSONEachRow output) back to our JSON rows (spec columns, spec order). */
export function rowsFromClickHouse<R = JsonRow>(spec: TableSpec, rows: readonly JsonRow[]): R[] {
  return rows.map((r) => {
    const out: JsonRow = {};
    for (const [name, column] of Object.entries(spec)) out[name] = valueFromClickHouse(column.type, r[name]);
    return out as R;
  });
}

/**
 * A JSON row as it will read back from ClickHouse: datetimes truncated to the second (and clamped to the
 * DateTime range), lone surrogates replaced. Compare rows read back with this, not with the original.
 */
export function asStoredInClickHouse<R extends object>(spec: TableSpec, row: R): R {
  return rowsFromClickHouse<R>(spec, [rowToClickHouse(spec, row)])[0]!;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Connection-level failures where a second attempt on a fresh socket may well succeed. */
function isConnectionReset(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === "ECONNRESET" || e?.code === "EPIPE" || /socket hang up/i.test(e?.message ?? "");
}

export class ClickHouseStore implements RowSink {
  readonly database: string;
  /** The server's URL without credentials, for messages. */
  readonly url: string;
  readonly batchRows: number;
  readonly flushIntervalMs: number;
  readonly maxPendingRows: number;
  private readonly client: ClickHouseClient;
  private readonly wantLowCardinality: boolean;
  private ddlOptions: DdlOptions = {};
  /** Buffered rows per table, already converted for JSONEachRow. Flushed in this order: data before scans. */
  private readonly buffers = new Map<string, JsonRow[]>([
    ["hosts", []],
    ["domains", []],
    ["scans", []],
  ]);
  private flushChain: Promise<void> = Promise.resolve();
  /** Flushes queued or running: a size-triggered flush is not queued behind another one. */
  private flushesPending = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The last background (timer or size-triggered) flush error, cleared by a successful flush. */
  lastError: Error | null = null;
  /** Failed flushes so far (their unsent rows stay buffered and are sent again): the write-retry metric. */
  failedFlushes = 0;

  constructor(opts: ClickHouseStoreOptions) {
    this.database = opts.database ?? "mxsurvey";
    this.url = redactUrl(opts.url);
    quoteIdentifier(this.database); // validate early
    this.batchRows = Math.max(1, opts.batchRows ?? 5000);
    this.flushIntervalMs = Math.max(1, opts.flushIntervalMs ?? 1000);
    this.maxPendingRows = Math.max(this.batchRows, opts.maxPendingRows ?? 20 * this.batchRows);
    this.wantLowCardinality = opts.lowCardinality === true;
    this.client = createClient({
      url: opts.url,
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.defaultDatabase === true ? { database: this.database } : {}),
      request_timeout: opts.requestTimeoutMs ?? 30_000,
      // Plain HTTP bodies: no enable_http_compression setting on the URL (18.16 has it, but nothing is gained
      // on loopback and it is one setting less to depend on).
      compression: { request: false, response: false },
      // We report failures ourselves (flush rejects); the client would also print each one to the console.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  private qualified(table: string): string {
    return `${quoteIdentifier(this.database)}.${quoteIdentifier(table)}`;
  }

  // --- reads and DDL -------------------------------------------------------------------------------------

  /**
   * Run a read query; rows as JSON objects (JSONEachRow; note 64-bit integers arrive as strings). A server out
   * of reach is a ServiceUnavailableError.
   */
  async query<T = JsonRow>(sql: string): Promise<T[]> {
    try {
      const rs = await this.client.query({ query: sql, format: "JSONEachRow" });
      return await rs.json<T>();
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  /**
   * Run a read query of anyone's SQL (an analysis query) and keep its columns' names, order and types, empty
   * results included (JSONCompact: 18.16 and current releases). A query the server refuses is a
   * ClickHouseQueryError with the server's message; a server out of reach a ServiceUnavailableError.
   */
  async queryTable(sql: string): Promise<QueryResult> {
    try {
      const rs = await this.client.query({ query: sql, format: "JSONCompact" });
      const body = await rs.json<unknown[]>();
      return { columns: body.meta?.map((m) => ({ name: m.name, type: m.type })) ?? [], rows: body.data };
    } catch (err) {
      throw clickHouseUnavailable(this.url, err) ?? asQueryError(err);
    }
  }

  /** Run a statement that returns no rows (DDL). A server out of reach is a ServiceUnavailableError. */
  async command(sql: string): Promise<void> {
    try {
      await this.client.command({ query: sql });
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  async ping(): Promise<boolean> {
    const r = await this.client.ping();
    return r.success;
  }

  /** The client's error as a ServiceUnavailableError when it means the server cannot be used, else as is. */
  private unavailable(err: unknown): unknown {
    return clickHouseUnavailable(this.url, err) ?? err;
  }

  async serverVersion(): Promise<string> {
    const [row] = await this.query<{ v: string }>("SELECT version() AS v");
    return row?.v ?? "";
  }

  /**
   * Can enum columns be LowCardinality(String) on this server without experimental settings? 18.16 has the
   * type but refuses it in tables unless allow_experimental_low_cardinality_type = 1; later releases dropped
   * that setting (or keep it at 1).
   */
  async supportsLowCardinality(): Promise<boolean> {
    const families = await this.query<{ n: string }>(
      "SELECT count() AS n FROM system.data_type_families WHERE name = 'LowCardinality'",
    ).catch(() => [{ n: "0" }]);
    if (Number(families[0]?.n ?? 0) === 0) return false;
    const setting = await this.query<{ value: string }>(
      "SELECT value FROM system.settings WHERE name = 'allow_experimental_low_cardinality_type'",
    );
    return setting.length === 0 || setting[0]!.value === "1";
  }

  /** DESCRIBE TABLE: the live columns and types. */
  async describe(table: string): Promise<ColumnDescription[]> {
    const rows = await this.query<{ name: string; type: string }>(`DESCRIBE TABLE ${this.qualified(table)}`);
    return rows.map((r) => ({ name: r.name, type: r.type }));
  }

  /**
   * Create the database and the tables when missing, then check every table's columns against the spec.
   * Throws SchemaDriftError naming each differing column when an existing table has drifted.
   */
  async migrate(): Promise<void> {
    this.ddlOptions = { lowCardinality: this.wantLowCardinality && (await this.supportsLowCardinality()) };
    await this.command(createDatabaseSql(this.database));
    for (const def of TABLES) await this.command(createTableSql(def, this.database, this.ddlOptions));
    const problems: string[] = [];
    for (const def of TABLES) {
      const drift = columnDrift(expectedColumns(def, this.ddlOptions), await this.describe(def.name));
      for (const p of drift) problems.push(`${this.database}.${def.name}: ${p}`);
    }
    if (problems.length > 0) {
      throw new SchemaDriftError(
        `existing ClickHouse tables differ from mxsurvey's schema (queries/schema.sql):\n  ${problems.join("\n  ")}`,
      );
    }
  }

  /** The rows of one scan in a table, deduplicated (FINAL), as our JSON rows, ordered by the sorting key. */
  async readRows<R = JsonRow>(table: "hosts" | "domains" | "scans", scanId: string): Promise<R[]> {
    const def = tableDef(table);
    const cols = Object.keys(def.columns).map(quoteIdentifier).join(", ");
    const order = def.orderBy.map(quoteIdentifier).join(", ");
    const rows = await this.query(
      `SELECT ${cols} FROM ${this.qualified(table)} FINAL WHERE scan_id = ${quoteString(scanId)} ORDER BY ${order}`,
    );
    return rowsFromClickHouse<R>(def.columns, rows);
  }

  // --- writes --------------------------------------------------------------------------------------------

  get pendingRows(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.length;
    return n;
  }

  async writeHosts(rows: readonly ScanHostRow[]): Promise<void> {
    await this.write("hosts", rows);
  }

  async writeDomains(rows: readonly ScanDomainRow[]): Promise<void> {
    await this.write("domains", rows);
  }

  async writeScan(row: ScanRow): Promise<void> {
    await this.write("scans", [row]);
  }

  /** Buffer rows of a table (converted and checked now, all or none). */
  async write(table: "hosts" | "domains" | "scans", rows: readonly object[]): Promise<void> {
    if (this.closed) throw new Error("ClickHouseStore is closed");
    const def = tableDef(table);
    const converted = rows.map((r) => rowToClickHouse(def.columns, r, `${table} row`));
    const buffer = this.buffers.get(table)!;
    for (const r of converted) buffer.push(r);
    if (buffer.length >= this.batchRows && this.flushesPending === 0) {
      this.flush().catch((err: unknown) => this.noteBackgroundError(err));
    } else {
      this.armTimer();
    }
    // Back-pressure: above the limit, wait until the server took the backlog (retrying while it is down).
    let delay = 250;
    while (this.pendingRows >= this.maxPendingRows) {
      try {
        await this.flush();
      } catch (err) {
        this.noteBackgroundError(err);
        await sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private noteBackgroundError(err: unknown): void {
    this.lastError = err instanceof Error ? err : new Error(String(err));
    this.armTimer();
  }

  private armTimer(): void {
    if (this.timer || this.closed || this.pendingRows === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((err: unknown) => this.noteBackgroundError(err));
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  /**
   * Send every row buffered so far; resolves when the server accepted all of them. On failure it rejects and
   * the unsent rows stay buffered (rows accepted before the failure are not sent again). Flushes run one at a
   * time.
   */
  flush(): Promise<void> {
    this.flushesPending++;
    const run = this.flushChain.then(() => this.flushNow()).finally(() => this.flushesPending--);
    this.flushChain = run.catch(() => {});
    return run;
  }

  private async flushNow(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    try {
      for (const [table, buffer] of this.buffers) {
        // Only the rows present now: rows written meanwhile go with the next flush.
        let remaining = buffer.length;
        while (remaining > 0) {
          const batch = buffer.slice(0, Math.min(remaining, this.batchRows));
          await this.insert(table, batch);
          buffer.splice(0, batch.length);
          remaining -= batch.length;
        }
      }
      this.lastError = null;
    } catch (err) {
      this.failedFlushes++;
      this.armTimer();
      const e = err instanceof Error ? err : new Error(String(err));
      throw new Error(`ClickHouse insert failed, ${this.pendingRows} rows kept for retry: ${e.message}`, {
        cause: e,
      });
    }
    this.armTimer();
  }

  private async insert(table: string, values: JsonRow[]): Promise<void> {
    const def = tableDef(table);
    const params = {
      table: this.qualified(table),
      values,
      format: "JSONEachRow" as const,
      columns: Object.keys(def.columns).map(quoteIdentifier) as [string, ...string[]],
    };
    try {
      await this.client.insert(params);
    } catch (err) {
      // A pooled keep-alive socket the server closed (e.g. it restarted): one more try on a fresh one.
      if (!isConnectionReset(err)) throw err;
      await this.client.insert(params);
    }
  }

  /**
   * Flush, then release the connection pool. When the flush fails, close rejects and the store stays open
   * (with its rows buffered), so the caller can retry close() later.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.client.close();
  }
}
