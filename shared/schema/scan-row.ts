/**
 * The scan row: one per survey run — its parameters, list source, counts, rejected input lines, timings and the
 * version that ran it. Researchers cite `list_source` / `list_id`.
 */

import { col, type RowOf, t } from "./columns.js";

export const SCAN_STATES = ["running", "complete", "failed"] as const;

export const SCAN_COLUMNS = {
  scan_id: col(t.string(), "scan identifier, YYYYMMDDTHHMMSSZ-xxxxxx"),
  scan_started_at: col(t.datetime(), "when the scan started"),
  finished_at: col(t.nullable(t.datetime()), "when the last row was written (null while running)"),
  state: col(t.enum(SCAN_STATES), "running, complete or failed"),
  failure_reason: col(
    t.nullable(t.string()),
    "why the scan failed (e.g. no DNS resolver answered); null unless state is failed",
  ),
  list_source: col(t.string(), "where the domain list came from (--list-source, e.g. tranco)"),
  list_id: col(t.string(), "the list's own identifier (--list-id, e.g. a Tranco list ID)"),
  label: col(
    t.string(),
    "the series this scan belongs to (--label, e.g. weekly-tranco-1m): trends and `db prune` select by it; empty when not given",
  ),
  input_file: col(t.string(), "the --domains argument"),
  params: col(
    t.json(),
    "every option that changes what the scan measures, by its flag name, as given or defaulted (depth, timeouts, ports, resolvers, CA files, --top, ...); JSON text in ClickHouse",
  ),
  lines_read: col(t.uint32(), "input lines read"),
  domains: col(t.uint32(), "valid unique domains scanned"),
  duplicates: col(t.uint32(), "valid lines that repeated an earlier domain"),
  rejected: col(t.uint32(), "lines rejected (see rejected_lines)"),
  rejected_lines: col(t.array(t.string()), "every rejected line as `LINE<TAB>REASON<TAB>TEXT`"),
  unique_mx_hosts: col(t.uint32(), "distinct MX host names over all domains"),
  unique_ips: col(t.uint32(), "distinct addresses over all MX hosts"),
  host_jobs: col(t.uint32(), "probe jobs: distinct (MX host, IP) pairs"),
  probe_version: col(t.string(), "mxsurvey version of the coordinator"),
} as const;

export type ScanRow = RowOf<typeof SCAN_COLUMNS>;
