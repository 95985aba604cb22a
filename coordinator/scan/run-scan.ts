/**
 * One survey, either transport: plan (MX discovery of every domain, saved in chunks for --resume), dedupe into
 * one job per unique (MX host, IP), publish the jobs, collect every result into the sinks (acking a result only
 * once the sinks hold it), then build the domain rows from the highest-priority MX hosts' rows, and the scan row.
 *
 * Resume: the saved plan is loaded and only missing domains are planned again; jobs that already have a result
 * or are still queued are not published again, so no target is probed twice; every stored result is replayed so
 * the domain verdicts can be computed.
 *
 * Failure: when the resolvers answered not one MX lookup (resolver-health.ts), nothing was measured; the scan row
 * is written with state `failed` and its `failure_reason`, no domain rows, and runScan throws NoResolverError.
 */

import type { DnsQuerier } from "../../shared/dns/cache.js";
import type { ResolverStats } from "../../shared/dns/client.js";
import type { MxDiscoveryOptions } from "../../shared/dns/mx.js";
import { buildDomainRow, unresolvedHostRow } from "../../shared/domain-result.js";
import { type HostResult, type JobIdentity, jobKey, type ProbeParams } from "../../shared/jobs.js";
import type { PolicyList } from "../../shared/policy/policy-list.js";
import { failedJobRow } from "../../shared/rows.js";
import type { JsonObject } from "../../shared/schema/columns.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import type { ScanDomainRow, ScanHostRow } from "../../shared/schema/tables.js";
import type { RowSink } from "../../shared/store/types.js";
import type { CoordinatorTransport, ResultDelivery } from "../../shared/transport/types.js";
import { PROBE_VERSION } from "../../shared/version.js";
import type { PolicyFetchContext } from "../../worker/api.js";
import { type RejectedLine, rejectedLinesColumn } from "../ingest/read-list.js";
import { NoResolverError } from "../options.js";
import { type DomainPlan, dedupe, type PlanItem, planDomains } from "./plan.js";
import type { Progress } from "./progress.js";
import { resolverHealth } from "./resolver-health.js";
import { type SurveySummary, summarize } from "./summary.js";

export interface IngestFacts {
  domains: string[];
  /** Each domain's list rank, aligned with `domains`; null when the list has no ranks. */
  ranks: number[] | null;
  lines_read: number;
  duplicates: number;
  rejected: RejectedLine[];
}

export interface ScanSpec {
  scan_id: string;
  scan_started_at: string;
  resume: boolean;
  ingest: IngestFacts;
  list_source: string;
  list_id: string;
  label: string;
  input_file: string;
  /** The scan's parameters as saved with it (coordinator/scan/params.ts). */
  params: JsonObject;
  port: number;
  dns: DnsQuerier;
  mx: MxDiscoveryOptions;
  dnsConcurrency: number;
  transport: CoordinatorTransport;
  sinks: RowSink[];
  progress: Progress;
  /** The measurement parameters every job carries, so every worker measures alike. */
  probe: ProbeParams;
  /** MTA-STS / TLS-RPT per domain (null: not checked) and the --policy-list (null: none). */
  policies?: PolicyFetchContext | null;
  policyList?: PolicyList | null;
  /** Rows per sink write; results are acked after each write is durable. */
  batchRows?: number;
  batchMs?: number;
  /** Each resolver's attempts and unanswered ones so far (the summary counts a partial loss). */
  resolverStats?: () => readonly ResolverStats[];
  /** Called with a hook the caller wires to the transport's exhausted-job advisories (NATS). */
  watchExhausted?: (onExhausted: (job: JobIdentity) => Promise<void>) => Promise<() => void>;
}

export interface ScanOutcome {
  scan: ScanRow;
  summary: SurveySummary;
}

const PLAN_CHUNK = 500;

/** The fields of a host row the domain verdict needs; the heavy evidence stays in the sinks only. */
function verdictSubset(r: HostRow): HostRow {
  return {
    ...r,
    smtp_banner: null,
    ehlo_raw: null,
    ehlo_extensions: [],
    ehlo_tls_extensions: [],
    cert_chain_sha256: [],
    failure_detail: null,
  };
}

async function retrying<T>(what: string, progress: Progress, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const wait = Math.min(10_000, 500 * 2 ** Math.min(attempt, 5));
      progress.log(
        `${what} failed (${err instanceof Error ? err.message : String(err)}); retrying in ${wait / 1000} s`,
      );
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export async function runScan(spec: ScanSpec): Promise<ScanOutcome> {
  const t0 = Date.now();
  const { transport, sinks, progress } = spec;
  const scanKey = { scan_id: spec.scan_id, scan_started_at: spec.scan_started_at };
  await transport.setup();

  const scanRow: ScanRow = {
    scan_id: spec.scan_id,
    scan_started_at: spec.scan_started_at,
    finished_at: null,
    state: "running",
    failure_reason: null,
    list_source: spec.list_source,
    list_id: spec.list_id,
    label: spec.label,
    input_file: spec.input_file,
    params: spec.params,
    lines_read: spec.ingest.lines_read,
    domains: spec.ingest.domains.length,
    duplicates: spec.ingest.duplicates,
    rejected: spec.ingest.rejected.length,
    rejected_lines: rejectedLinesColumn(spec.ingest.rejected),
    unique_mx_hosts: 0,
    unique_ips: 0,
    host_jobs: 0,
    probe_version: PROBE_VERSION,
  };
  // Rows are handed to each sink once; only the flush is retried (a sink keeps what it could not store yet).
  const writeAll = async (what: string, fn: (s: RowSink) => Promise<void>) => {
    for (const s of sinks) await fn(s);
    await retrying(what, progress, async () => {
      for (const s of sinks) await s.flush();
    });
  };
  await writeAll("writing the scan row", (s) => s.writeScan(scanRow));

  // 1. Plan: load what an earlier run saved, discover the rest.
  const plans = new Map<string, DomainPlan>();
  let seq = 0;
  if (spec.resume) {
    for await (const item of transport.loadPlan(spec.scan_id)) {
      const it = item as PlanItem;
      if (it.kind === "domain") plans.set(it.plan.domain, it.plan);
      seq++;
    }
  } else {
    await transport.savePlan(
      spec.scan_id,
      [{ kind: "header", ...scanKey, scan: { ...scanRow } } satisfies PlanItem],
      seq++,
    );
  }
  const wanted = new Set(spec.ingest.domains);
  for (const d of plans.keys()) if (!wanted.has(d)) plans.delete(d);
  const todo = spec.ingest.domains.filter((d) => !plans.has(d));
  const { ranks } = spec.ingest;
  const rankByDomain = ranks === null ? null : new Map(spec.ingest.domains.map((d, i) => [d, ranks[i]!]));
  const rankOf = (domain: string): number | null => rankByDomain?.get(domain) ?? null;
  progress.start("resolve", spec.ingest.domains.length);
  progress.tick(undefined, plans.size);
  let chunk: PlanItem[] = [];
  const saveChunk = async () => {
    if (chunk.length === 0) return;
    const c = chunk;
    chunk = [];
    await transport.savePlan(spec.scan_id, c, seq++);
  };
  await planDomains(
    todo,
    spec.dns,
    spec.mx,
    spec.dnsConcurrency,
    async (p) => {
      p.rank = rankOf(p.domain);
      plans.set(p.domain, p);
      chunk.push({ kind: "domain", plan: p });
      // "null" alone on a progress line reads as a glitch; it is a null MX (RFC 7505).
      progress.tick(p.discovery.kind === "null" ? "null_mx" : p.discovery.kind);
      if (chunk.length >= PLAN_CHUNK) await saveChunk();
    },
    spec.policies ?? null,
  );
  await saveChunk();
  progress.stop();

  // 2. Dedupe into jobs; host rows for MX hosts without an address.
  const ordered = spec.ingest.domains.map((d) => plans.get(d)!).filter(Boolean);
  const dnsHealth = resolverHealth(
    ordered.map((p) => p.discovery),
    (spec.resolverStats?.() ?? []).map((r) => r.resolver),
  );
  if (dnsHealth.failure !== null) {
    // Not one answer: the scan measured nothing. It is recorded as failed, with no domain rows.
    scanRow.state = "failed";
    scanRow.failure_reason = dnsHealth.failure;
    scanRow.finished_at = new Date().toISOString();
    await writeAll("writing the scan row", (s) => s.writeScan(scanRow));
    throw new NoResolverError(`scan ${spec.scan_id} failed: ${dnsHealth.failure}`);
  }
  if (dnsHealth.unanswered > 0)
    progress.log(
      `${dnsHealth.unanswered} of ${dnsHealth.lookups} MX lookups got no answer from the resolvers (timeout or refused): those domains are dns_error`,
    );
  for (const r of spec.resolverStats?.() ?? [])
    if (r.unanswered > 0)
      progress.log(`resolver ${r.resolver}: ${r.unanswered} of ${r.asked} queries unanswered`);
  const dd = dedupe(ordered, scanKey, spec.port, spec.probe);
  scanRow.unique_mx_hosts = dd.uniqueHosts;
  scanRow.unique_ips = dd.uniqueIps;
  scanRow.host_jobs = dd.jobs.length;
  await writeAll("writing the scan row", (s) => s.writeScan(scanRow));
  const hostInfo = new Map<string, { cnames: string[]; rcode: string }>();
  for (const p of ordered)
    for (const h of p.discovery.hosts) hostInfo.set(h.hostname, { cnames: h.cnames, rcode: h.rcode });
  const unresolvedRows = new Map<string, HostRow>();
  for (const [name, h] of dd.unresolvedHosts)
    unresolvedRows.set(name, unresolvedHostRow(h, spec.port, new Date()));
  await writeAll("writing host rows", (s) =>
    s.writeHosts([...unresolvedRows.values()].map((r) => ({ ...scanKey, ...r }))),
  );

  // 3. Publish what is neither done nor still queued.
  const expected = new Map(dd.jobs.map((j) => [jobKey(j), j]));
  const done = spec.resume ? await transport.doneJobKeys(spec.scan_id) : new Set<string>();
  const queued = spec.resume ? await transport.pendingJobKeys(spec.scan_id) : new Set<string>();
  const toPublish = dd.jobs.filter((j) => !done.has(jobKey(j)) && !queued.has(jobKey(j)));
  if (spec.resume) {
    progress.log(
      `resuming ${spec.scan_id}: ${plans.size - todo.length} domains planned before, ${done.size} jobs done, ${queued.size} queued, ${toPublish.length} to publish`,
    );
  }
  await retrying("publishing jobs", progress, () => transport.publishJobs(toPublish));

  // 4. Collect results until every job has one.
  const rows = new Map<string, HostRow>();
  progress.start("probe", expected.size);
  let batch: ResultDelivery[] = [];
  let chain: Promise<void> = Promise.resolve();
  const flushBatch = async () => {
    if (batch.length === 0) return;
    const b = batch;
    batch = [];
    const hostRows: ScanHostRow[] = b.map((d) => ({ ...scanKey, ...d.result.row }));
    await writeAll("writing host rows", (s) => s.writeHosts(hostRows));
    for (const d of b) await d.ack();
  };
  const schedule = () => {
    chain = chain.then(flushBatch);
    return chain;
  };
  let finish: () => void = () => {};
  const allIn = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const onResult = async (d: ResultDelivery) => {
    const r: HostResult = d.result;
    const key = jobKey(r.job);
    const info = hostInfo.get(r.row.hostname);
    if (info) {
      r.row.hostname_cnames = info.cnames;
      r.row.dns_rcode = info.rcode;
    }
    batch.push(d);
    if (expected.has(key) && !rows.has(key)) {
      rows.set(key, verdictSubset(r.row));
      progress.tick(r.row.status);
    }
    if (batch.length >= (spec.batchRows ?? 500)) await schedule();
    if (rows.size >= expected.size) finish();
  };
  if (expected.size === 0) finish();
  const timer = setInterval(() => void schedule(), spec.batchMs ?? 1000);
  const unwatch = spec.watchExhausted
    ? await spec.watchExhausted(async (job) => {
        // Stored like any result (durable, idempotent by job key): a late worker result cannot double it.
        const row = failedJobRow(job, "job_failed", "the job exhausted its deliveries without a result");
        await retrying("storing a job_failed row", progress, () =>
          transport.publishResult({ job, row, worker: "coordinator", attempt: 0 }),
        );
      })
    : () => {};
  const consuming = (async () => {
    for await (const d of transport.results(spec.scan_id)) {
      await onResult(d);
      if (rows.size >= expected.size) break;
    }
  })();
  await Promise.race([allIn, consuming]);
  clearInterval(timer);
  unwatch();
  await schedule();
  progress.stop();
  if (rows.size < expected.size) throw new Error(`results ended early: ${rows.size} of ${expected.size}`);

  // 5. Domain rows, from the plan and the host rows.
  const rowsOf = (p: DomainPlan): HostRow[] =>
    p.discovery.hosts.flatMap((h) => {
      if (h.addresses.length === 0) {
        const u = unresolvedRows.get(h.hostname);
        return u ? [u] : [];
      }
      return h.addresses.flatMap((ip) => {
        const r = rows.get(jobKey({ ...scanKey, hostname: h.hostname, ip, port: spec.port }));
        return r ? [r] : [];
      });
    });
  const domainRows: ScanDomainRow[] = ordered.map((p) => ({
    ...scanKey,
    ...buildDomainRow(
      p.discovery,
      rowsOf(p),
      new Date(p.checked_at),
      p.duration_ms,
      { facts: p.policies ?? null, list: spec.policyList ?? null },
      rankOf(p.domain), // from the list read now: a plan saved by an older version has no rank
    ),
  }));
  for (let i = 0; i < domainRows.length; i += 5000) {
    const slice = domainRows.slice(i, i + 5000);
    await writeAll("writing domain rows", (s) => s.writeDomains(slice));
  }
  scanRow.state = "complete";
  scanRow.finished_at = new Date().toISOString();
  await writeAll("writing the scan row", (s) => s.writeScan(scanRow));
  await transport.stop();
  await consuming.catch(() => {});

  const summary = summarize(
    [...rows.values(), ...unresolvedRows.values()],
    domainRows.map((d) => d.status),
    domainRows.map((d) => d.grade),
    {
      domains: ordered.length,
      rejected: scanRow.rejected,
      duplicates: scanRow.duplicates,
      unique_mx_hosts: dd.uniqueHosts,
      unique_ips: dd.uniqueIps,
      host_jobs: dd.jobs.length,
      mx_lookups_unanswered: dnsHealth.unanswered,
      resolvers_unanswered: (spec.resolverStats?.() ?? []).filter((r) => r.unanswered > 0),
      duration_s: (Date.now() - t0) / 1000,
    },
  );
  return { scan: scanRow, summary };
}
