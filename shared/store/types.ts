/**
 * Where rows land. The JSONL sink (embedded default) and the ClickHouse sink implement the same interface; a
 * scan may write to both. `flush` resolves once every row written so far is durable; writes are batched.
 */

import type { ScanRow } from "../schema/scan-row.js";
import type { ScanDomainRow, ScanHostRow } from "../schema/tables.js";

export interface RowSink {
  writeHosts(rows: readonly ScanHostRow[]): Promise<void>;
  writeDomains(rows: readonly ScanDomainRow[]): Promise<void>;
  writeScan(row: ScanRow): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}
