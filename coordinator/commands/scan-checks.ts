/**
 * What `mxsurvey scan` refuses before it creates a file or opens a connection: every option value (the same
 * checks the scan runs later, all of them up front), and a list without a single valid domain. Each refusal is
 * a UsageError (exit 2).
 */

import { escapeText, type IngestResult } from "../ingest/index.js";
import {
  dnsClientOptions,
  httpsPort,
  loadPolicyList,
  mxOptions,
  positiveInt,
  probeSettings,
  seconds,
  UsageError,
} from "../options.js";
import { storeFromArgs } from "./db.js";
import { domainsPath, readListOptions } from "./scan-dry-run.js";
import type { ScanArgs } from "./scan-options.js";

/** Upper bounds of scan's integer options. */
export const SCAN_LIMITS = {
  "dns-concurrency": 10_000,
  threads: 256,
  concurrency: 10_000,
  "fleet-concurrency": 1_000_000,
} as const;

/** Check every option of a scan; opens nothing, writes nothing (the policy list and CA files are read). */
export async function checkScanOptions(args: ScanArgs): Promise<void> {
  probeSettings(args);
  dnsClientOptions(args);
  mxOptions(args);
  for (const name of Object.keys(SCAN_LIMITS) as (keyof typeof SCAN_LIMITS)[])
    positiveInt(name, args[name], SCAN_LIMITS[name]);
  seconds("job-ack-wait", args["job-ack-wait"]);
  if (args.policies) httpsPort(args);
  loadPolicyList(args);
  readListOptions(args);
  if (args.resume === undefined) domainsPath(args);
  else if (args.domains === "-") throw new UsageError("a scan of standard input cannot be resumed");
  // The ClickHouse URL and database name; the store's client connects only when used.
  if (args.clickhouse !== undefined) await storeFromArgs(args).close();
}

/** A list without a valid domain is refused: a scan of nothing would read as a complete survey. */
export function requireDomains(input: string, ingest: IngestResult): void {
  if (ingest.domains.length > 0) return;
  const c = ingest.counts;
  const first = ingest.rejected
    .slice(0, 3)
    .map((r) => `line ${r.line}: ${r.reason}: ${escapeText(r.text)}`)
    .join("; ");
  throw new UsageError(
    `no valid domain in ${input === "-" ? "standard input" : input} (${c.lines_read} lines read, ${c.rejected} rejected${
      first ? `: ${first}${c.rejected > 3 ? "; ..." : ""}` : ""
    }); nothing to scan`,
  );
}
