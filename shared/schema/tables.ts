/**
 * The survey's tables: each is a column spec plus its storage layout. Host and domain rows of a scan are the
 * check's rows with the scan's key columns in front. This file is the one definition the ClickHouse DDL
 * (queries/schema.sql, generated) and the JSONL files come from.
 */

import type { RowOf } from "./columns.js";
import { col, type TableSpec, t } from "./columns.js";
import { DOMAIN_COLUMNS } from "./domain-row.js";
import { HOST_COLUMNS } from "./host-row.js";
import { SCAN_COLUMNS } from "./scan-row.js";

const SCAN_KEY = {
  scan_id: col(t.string(), "the scan this row belongs to"),
  scan_started_at: col(t.datetime(), "the scan's start; partitions a scan into one month"),
} as const;

export const SCAN_HOST_COLUMNS = { ...SCAN_KEY, ...HOST_COLUMNS } as const;
export const SCAN_DOMAIN_COLUMNS = { ...SCAN_KEY, ...DOMAIN_COLUMNS } as const;

export type ScanHostRow = RowOf<typeof SCAN_HOST_COLUMNS>;
export type ScanDomainRow = RowOf<typeof SCAN_DOMAIN_COLUMNS>;

export interface TableDef {
  name: string;
  columns: TableSpec;
  /** Sorting key = deduplication key of ReplacingMergeTree: a redelivered job replaces, never adds. */
  orderBy: string[];
  /** Partition expression over a datetime column (monthly). */
  partitionBy: string;
  doc: string;
}

export const TABLES: readonly TableDef[] = [
  {
    name: "hosts",
    columns: SCAN_HOST_COLUMNS,
    orderBy: ["scan_id", "hostname", "ip", "port"],
    partitionBy: "toYYYYMM(scan_started_at)",
    doc: "one row per (scan, MX host, IP)",
  },
  {
    name: "domains",
    columns: SCAN_DOMAIN_COLUMNS,
    orderBy: ["scan_id", "domain"],
    partitionBy: "toYYYYMM(scan_started_at)",
    doc: "one row per (scan, mail domain)",
  },
  {
    name: "scans",
    columns: SCAN_COLUMNS,
    orderBy: ["scan_id"],
    partitionBy: "toYYYYMM(scan_started_at)",
    doc: "one row per scan (re-written as the scan progresses; the latest wins)",
  },
];
