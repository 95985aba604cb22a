/** `mxsurvey scan`'s options (kept apart from the command so that parsing them loads no scan code). */

import { cpus } from "node:os";
import type { Argv } from "yargs";
import { type PolicyArgs, type ProbeArgs, policyOptions, probeSettingsOptions } from "../options.js";
import { clickhouseOptions, type DbArgs } from "./db-options.js";
import { type FleetArgs, fleetOptions } from "./fleet-options.js";
import { type NatsArgs, natsOptions } from "./nats-options.js";
import { ingestOptions } from "./scan-dry-run.js";

export function scanOptions<T>(y: Argv<T>) {
  return fleetOptions(natsOptions(clickhouseOptions(policyOptions(probeSettingsOptions(ingestOptions(y))))))
    .option("dry-run", {
      type: "boolean",
      default: false,
      description: "read, normalize and dedupe the list; print counts and rejected lines; no DNS",
    })
    .option("out", {
      type: "string",
      description:
        "directory for hosts.jsonl, domains.jsonl, scan.json (default ./scans/<scan_id>/ without --clickhouse)",
    })
    .option("resume", { type: "string", description: "continue the scan SCAN_ID whose coordinator died" })
    .option("dns-concurrency", {
      type: "number",
      default: 64,
      description: "MX discoveries in flight at once, and the most DNS queries in flight per resolver",
    })
    .option("threads", {
      type: "number",
      default: cpus().length,
      description: "probe threads (embedded mode)",
    })
    .option("concurrency", {
      type: "number",
      default: 64,
      description: "probes in flight per thread (embedded mode)",
    })
    .option("fleet-concurrency", {
      type: "number",
      default: 256,
      description: "jobs in flight across all workers (NATS max-ack-pending)",
    })
    .option("job-ack-wait", {
      type: "number",
      default: 60,
      description: "seconds a worker may hold a job without a heartbeat before it is redelivered (NATS)",
    })
    .option("label", {
      type: "string",
      default: "",
      description:
        "the series this scan belongs to (e.g. weekly-tranco-1m); recorded in the scan row for trends and db prune",
    })
    .option("quiet", { type: "boolean", default: false, description: "no progress output" });
}

export interface ScanArgs extends ProbeArgs, PolicyArgs, DbArgs, NatsArgs, FleetArgs {
  domains?: string | undefined;
  column?: string | undefined;
  top?: number | undefined;
  format?: string | undefined;
  "list-source": string;
  "list-id": string;
  label: string;
  "dry-run": boolean;
  out?: string | undefined;
  resume?: string | undefined;
  "dns-concurrency": number;
  threads: number;
  concurrency: number;
  "fleet-concurrency": number;
  "job-ack-wait": number;
  quiet: boolean;
}
