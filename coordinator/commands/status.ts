/**
 * `mxsurvey status [SCAN_ID] --nats URL`: a running (or finished) distributed scan's progress, read from
 * JetStream: the scan's saved plan (domains, unique hosts, jobs), results stored, jobs still queued or in flight.
 * Without SCAN_ID: every scan with a saved plan.
 */

import { jobKey, SCAN_ID_RE } from "../../shared/jobs.js";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import { DEFAULT_SMTP_PORT } from "../../shared/settings.js";
import { NatsCoordinatorTransport } from "../../shared/transport/nats.js";
import { UsageError } from "../options.js";
import { savedParamsOf } from "../scan/params.js";
import type { DomainPlan, PlanItem } from "../scan/plan.js";
import { connectNatsService } from "./nats-connect.js";
import type { StatusArgs } from "./status-options.js";

export interface ScanStatus {
  scan_id: string;
  state: string;
  scan_started_at: string | null;
  list_source: string | null;
  domains_planned: number;
  domains_total: number | null;
  host_jobs: number;
  results: number;
  queued_or_in_flight: number;
}

async function statusOf(t: NatsCoordinatorTransport, scanId: string): Promise<ScanStatus> {
  let scan: ScanRow | null = null;
  const plans: DomainPlan[] = [];
  for await (const item of t.loadPlan(scanId)) {
    const it = item as PlanItem;
    if (it.kind === "header") scan = it.scan;
    else if (it.kind === "domain") plans.push(it.plan);
  }
  if (!scan) throw new UsageError(`no scan ${scanId} in NATS (no saved plan)`);
  // A job's key is its (host, ip, port): the plan and the saved port are all it takes.
  const port = savedParamsOf(scan)["smtp-port"] ?? DEFAULT_SMTP_PORT;
  const keys = new Set(
    plans.flatMap((p) =>
      p.discovery.hosts.flatMap((h) =>
        h.addresses.map((ip) => jobKey({ scan_id: scanId, hostname: h.hostname, ip, port })),
      ),
    ),
  );
  const done = [...(await t.doneJobKeys(scanId))].filter((k) => keys.has(k)).length;
  const pending = (await t.pendingJobKeys(scanId)).size;
  const planned = plans.length;
  const state =
    planned < scan.domains
      ? "planning"
      : done >= keys.size
        ? "probes done"
        : pending > 0
          ? "probing"
          : "waiting for a coordinator";
  return {
    scan_id: scanId,
    state,
    scan_started_at: scan.scan_started_at,
    list_source: `${scan.list_source}${scan.list_id ? ` ${scan.list_id}` : ""}`,
    domains_planned: planned,
    domains_total: scan.domains,
    host_jobs: keys.size,
    results: done,
    queued_or_in_flight: pending,
  };
}

export async function runStatusCommand(args: StatusArgs, out: NodeJS.WritableStream): Promise<void> {
  if (args.scan_id !== undefined && !SCAN_ID_RE.test(args.scan_id))
    throw new UsageError(`${JSON.stringify(args.scan_id)} is not a scan id`);
  const nc = await connectNatsService(args, "mxsurvey-status");
  const t = new NatsCoordinatorTransport(nc);
  try {
    const ids = args.scan_id ? [args.scan_id] : await t.listScans();
    const rows: ScanStatus[] = [];
    for (const id of ids) rows.push(await statusOf(t, id));
    if (args.json) {
      for (const r of rows) out.write(`${JSON.stringify(r)}\n`);
      return;
    }
    if (rows.length === 0) out.write("no scans\n");
    for (const r of rows) {
      const pct = r.host_jobs === 0 ? 100 : Math.floor((100 * r.results) / r.host_jobs);
      out.write(
        `${r.scan_id}  ${r.state}  started ${r.scan_started_at}  list ${r.list_source}\n` +
          `  domains planned ${r.domains_planned}/${r.domains_total}  jobs ${r.results}/${r.host_jobs} done (${pct}%)  ${r.queued_or_in_flight} queued or in flight\n`,
      );
    }
  } finally {
    await t.close();
    await nc.close();
  }
}
