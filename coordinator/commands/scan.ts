/**
 * `mxsurvey scan --domains FILE`: the survey. Without --nats it runs the embedded default — the same pipeline in
 * one process (memory transport, the same piscina pool) writing hosts.jsonl, domains.jsonl and scan.json into
 * --out (default ./scans/<scan_id>/), and ClickHouse too with --clickhouse. With --nats the coordinator
 * publishes jobs for any number of `mxsurvey worker` processes and sinks their results into ClickHouse.
 * Summary on stdout; progress and logs on stderr.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CachingDns } from "../../shared/dns/cache.js";
import { DnsClient } from "../../shared/dns/client.js";
import { type HostResult, newScanId, SCAN_ID_RE } from "../../shared/jobs.js";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import type { ScanHostRow } from "../../shared/schema/tables.js";
import { JsonlSink, streamJsonl } from "../../shared/store/jsonl.js";
import type { RowSink } from "../../shared/store/types.js";
import { MemoryTransport } from "../../shared/transport/memory.js";
import { NatsCoordinatorTransport } from "../../shared/transport/nats.js";
import type { CoordinatorTransport } from "../../shared/transport/types.js";
import { createProbePool, runWorkerLoop } from "../../worker/api.js";
import { policyContext } from "../deps.js";
import { scanFleet } from "../fleet/scan-fleet.js";
import { ListFileSource } from "../ingest/domain-source.js";
import {
  dnsClientOptions,
  loadPolicyList,
  mxOptions,
  positiveInt,
  probeParams,
  UsageError,
  workerSettings,
} from "../options.js";
import { paramsColumn, restoreScanParams, savedParams, savedParamsOf, scanParamsOf } from "../scan/params.js";
import { runScan } from "../scan/run-scan.js";
import { checkScanDir } from "../scan/scan-dir.js";
import { renderSummary } from "../scan/summary.js";
import { storeFromArgs } from "./db.js";
import { connectNatsService } from "./nats-connect.js";
import { checkScanOptions, requireDomains, SCAN_LIMITS } from "./scan-checks.js";
import { readListOptions, runScanDryRun } from "./scan-dry-run.js";
import type { ScanArgs } from "./scan-options.js";

/** Answers (and per-host results) the scan's DNS cache keeps. */
const SCAN_DNS_CACHE_ENTRIES = 20_000;

function hostResultFromRow(r: ScanHostRow): HostResult | null {
  if (r.ip === null) return null;
  const { scan_id, scan_started_at, ...row } = r;
  return {
    job: { scan_id, scan_started_at, hostname: r.hostname, ip: r.ip, port: r.port },
    row,
    worker: "",
    attempt: 0,
  };
}

/**
 * The row sinks: ClickHouse is reached (and migrated) before the directory is made, so a server out of reach
 * leaves nothing behind.
 */
async function openSinks(args: ScanArgs, outDir: string | null): Promise<RowSink[]> {
  const store = args.clickhouse ? storeFromArgs(args) : null;
  if (store) {
    try {
      await store.migrate();
    } catch (err) {
      await store.close().catch(() => {});
      throw err;
    }
  }
  const sinks: RowSink[] = [];
  if (outDir) sinks.push(new JsonlSink(outDir));
  if (store) sinks.push(store);
  if (sinks.length === 0) throw new UsageError("nowhere to write rows: give --out or --clickhouse");
  return sinks;
}

/**
 * `given(flag)`: whether the user typed the option (not its default): on --resume, options not given are
 * restored from the scan's saved parameters, and a given one must agree with them.
 */
export async function runScanCommand(
  args: ScanArgs,
  out: NodeJS.WritableStream,
  given: (flag: string) => boolean = () => false,
): Promise<void> {
  if (args["dry-run"]) {
    await runScanDryRun(args as never, out, process.stderr);
    return;
  }
  await checkScanOptions(args);
  if (!args.resume) scanParamsOf(args);
  const fleet = scanFleet(args);
  const { progress, metrics } = fleet;
  const dnsConcurrency = positiveInt(
    "dns-concurrency",
    args["dns-concurrency"],
    SCAN_LIMITS["dns-concurrency"],
  );
  const distributed = Boolean(args.nats);
  if (args.resume !== undefined && !SCAN_ID_RE.test(args.resume))
    throw new UsageError(`--resume: ${JSON.stringify(args.resume)} is not a scan id`);
  const scanId = args.resume ?? newScanId();
  const outDir = args.out ?? (args.clickhouse && distributed ? null : join("scans", scanId));
  if (outDir) checkScanDir(outDir, args.resume ?? null);

  // What an earlier run of this scan recorded (resume): its start, input and parameters.
  let previous: ScanRow | null = null;
  let transport: CoordinatorTransport;
  /** The embedded mode's queue: this process's probe pool takes its jobs. */
  let localQueue: MemoryTransport | null = null;
  let natsClose: (() => Promise<void>) | null = null;
  if (distributed) {
    const nc = await connectNatsService(args, "mxsurvey-coordinator");
    natsClose = () => nc.close();
    const t = new NatsCoordinatorTransport(nc, {
      onError: (err) => fleet.log.event("transport_error", { error: err.message }, err.message, "warn"),
      fleetConcurrency: positiveInt(
        "fleet-concurrency",
        args["fleet-concurrency"],
        SCAN_LIMITS["fleet-concurrency"],
      ),
    });
    transport = t;
    if (args.resume) {
      for await (const item of t.loadPlan(scanId)) {
        const it = item as { kind: string; scan?: ScanRow };
        if (it.kind === "header" && it.scan) previous = it.scan;
        break;
      }
    }
  } else {
    let seed: (() => AsyncIterable<HostResult>) | undefined;
    if (args.resume) {
      if (!outDir || !existsSync(join(outDir, "scan.json")))
        throw new UsageError(`--resume ${scanId}: no ${outDir}/scan.json`);
      previous = JSON.parse(readFileSync(join(outDir, "scan.json"), "utf8")) as ScanRow;
      const hostsFile = join(outDir, "hosts.jsonl");
      // Read twice (which jobs are done; then the replay), line by line: never the whole file in memory.
      seed = async function* () {
        for await (const r of streamJsonl<ScanHostRow>(hostsFile)) {
          const result = hostResultFromRow(r);
          if (result) yield result;
        }
      };
    }
    localQueue = new MemoryTransport({
      planFile: outDir ? join(outDir, "plan.jsonl") : undefined,
      ...(seed ? { seedResults: seed } : {}),
    });
    transport = localQueue;
  }
  if (args.resume && !previous) throw new UsageError(`--resume ${scanId}: no record of that scan`);

  // The options the scan runs with: a resumed scan's saved parameters, checked against what is given now.
  let opts: ScanArgs;
  try {
    opts = previous ? restoreScanParams(scanId, savedParamsOf(previous), args, given) : args;
  } catch (err) {
    await transport.close();
    await natsClose?.();
    throw err;
  }
  const scanParams = scanParamsOf(opts);
  const probe = probeParams(opts);
  const ownSettings = workerSettings(opts);
  const input = previous?.input_file ?? args.domains;
  if (!input) throw new UsageError("give --domains FILE (or - for standard input)");
  if (args.resume && input === "-") throw new UsageError("a scan of standard input cannot be resumed");

  progress.log(`scan ${scanId}: reading ${input}`);
  // The list streams while the scan plans; only its first domain is read before anything is opened, so an
  // empty or unreadable list is refused without leaving a scan behind.
  let source: ListFileSource | null = null;
  let sinks: RowSink[];
  try {
    source = await ListFileSource.open(
      input,
      readListOptions({
        format: scanParams.format,
        column: scanParams.column ?? undefined,
        top: scanParams.top ?? undefined,
      }),
    );
    if (!(await source.first())) requireDomains(input, source.ingestResult()!);
    sinks = await openSinks(args, outDir);
  } catch (err) {
    source?.close();
    await transport.close();
    await natsClose?.();
    throw err;
  }

  // --dns-concurrency bounds the queries in flight to each resolver too (the limit adapts below it).
  const dns = new DnsClient({ ...dnsClientOptions(opts), maxInFlight: dnsConcurrency });
  // A survey's repeated questions are the popular MX hosts' (a Zipf-like share of domains): a few tens of
  // thousands of kept answers serve them, and a million-domain scan's long tail is asked about once or twice.
  const cachingDns = new CachingDns(metrics ? metrics.countDns(dns) : dns, {
    maxEntries: SCAN_DNS_CACHE_ENTRIES,
  });
  const started = previous?.scan_started_at ?? new Date().toISOString();
  const params = paramsColumn(savedParams(scanParams, distributed ? "nats" : "embedded"));

  let pool: ReturnType<typeof createProbePool> | null = null;
  let worker: Promise<void> = Promise.resolve();
  if (localQueue) {
    pool = createProbePool(ownSettings, {
      threads: positiveInt("threads", args.threads, SCAN_LIMITS.threads),
      concurrency: positiveInt("concurrency", args.concurrency, SCAN_LIMITS.concurrency),
    });
    const queue = localQueue;
    worker = runWorkerLoop(
      metrics ? metrics.instrumentTransport(queue, null) : queue,
      metrics ? metrics.instrumentPool(pool) : pool,
      { maxInFlight: pool.capacity, heartbeatMs: 10_000 },
    );
  } else if (metrics && transport.queuePending) {
    const t = transport;
    metrics.setQueueDepth(() => t.queuePending?.() ?? Promise.resolve(null));
  }
  try {
    await fleet.listen();
    const outcome = await runScan({
      scan_id: scanId,
      scan_started_at: started,
      resume: Boolean(args.resume),
      ingest: source,
      list_source: scanParams["list-source"],
      list_id: scanParams["list-id"],
      label: scanParams.label,
      input_file: input,
      params,
      port: scanParams["smtp-port"],
      dns: cachingDns,
      policies: policyContext(opts, cachingDns, ownSettings),
      policyList: loadPolicyList(opts),
      probe,
      mx: mxOptions(opts),
      dnsConcurrency,
      resolverStats: () => dns.resolverStats(),
      transport,
      sinks: fleet.countSinks(sinks),
      progress,
      onExhausted: () => metrics?.jobsExhausted.inc(),
    });
    out.write(`${renderSummary(outcome.summary, scanId, outDir)}\n`);
  } finally {
    source.close();
    await transport.stop();
    await worker;
    await pool?.destroy();
    for (const s of sinks) await s.close();
    await transport.close();
    await natsClose?.();
    dns.close();
    await fleet.close();
  }
}
