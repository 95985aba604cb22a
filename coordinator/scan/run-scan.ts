/**
 * One survey, either transport, as a stream in four phases:
 * 1. plan — discovery of every domain (coordinator/discovery), saved in chunks through the transport; each
 *    saved chunk's new (MX host, IP) jobs are published at once, so probing starts while planning goes on;
 * 2. publish — inside the plan phase: one job per unique (MX host, IP), never one already done or queued;
 * 3. collect — from the start, every result goes to the sinks (acked only once the sinks hold it) and leaves
 *    behind only its compact verdict record (verdict-store.ts);
 * 4. finish — the saved plan is read back chunk by chunk and each domain's row built from its highest-priority
 *    MX hosts' verdict records, then the scan row.
 * Memory holds a constant per unique (MX host, IP) and per unique MX host name, not per domain: plans live in
 * the plan file (embedded) or the plan stream (NATS), rows in the sinks.
 *
 * Resume: the saved plan is read once — its domains are not planned again and its jobs are published unless
 * already done or queued (no target is probed twice) — and every stored result is replayed for the verdicts.
 *
 * Failure: when the resolvers answered not one MX lookup (resolver-health.ts), nothing was measured; the scan row
 * is written with state `failed` and its `failure_reason`, no domain rows, and runScan throws NoResolverError.
 */

import type { DnsQuerier } from "../../shared/dns/cache.js";
import type { ResolverStats } from "../../shared/dns/client.js";
import type { MxDiscoveryOptions } from "../../shared/dns/mx.js";
import { buildDomainRow, unresolvedHostRow } from "../../shared/domain-result.js";
import { type HostJob, type JobIdentity, jobKey, type ProbeParams } from "../../shared/jobs.js";
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
import type { DomainSource } from "../ingest/domain-source.js";
import { rejectedLinesColumn } from "../ingest/read-list.js";
import { NoResolverError } from "../options.js";
import { ListOrder } from "./list-order.js";
import { type DomainPlan, JobIndex, type PlanItem, planDomains } from "./plan.js";
import type { Progress } from "./progress.js";
import { ResolverHealthTally } from "./resolver-health.js";
import { type ScanPhases, SummaryTally, type SurveySummary } from "./summary.js";
import { VerdictStore } from "./verdict-store.js";

export interface ScanSpec {
  scan_id: string;
  scan_started_at: string;
  resume: boolean;
  /** The list, read as the scan plans (counts known once planning has read it all). */
  ingest: DomainSource;
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
  /** Domains per saved plan chunk (its jobs are published once it is saved). */
  planChunk?: number;
  /** Each resolver's attempts and unanswered ones so far (the summary counts a partial loss). */
  resolverStats?: () => readonly ResolverStats[];
  /** Told of each job that ran out of deliveries (it becomes a `job_failed` row), e.g. for a metric. */
  onExhausted?: (job: JobIdentity) => void;
}

export interface ScanOutcome {
  scan: ScanRow;
  summary: SurveySummary;
}

const PLAN_CHUNK = 500;
const DOMAIN_BATCH = 5000;
/**
 * Plans are saved as discoveries finish, a little out of list order (a slow domain finishes after faster ones
 * started later); the verdict pass puts them back in list order through a window of at most this many plans.
 */
const REORDER_WINDOW = 20_000;

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

/** Wall time and this process's CPU time (user + system) at a moment, for the phase figures. */
function clock(): { wall: number; cpu: number } {
  const c = process.cpuUsage();
  return { wall: Date.now(), cpu: (c.user + c.system) / 1000 };
}

export async function runScan(spec: ScanSpec): Promise<ScanOutcome> {
  const start = clock();
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
    lines_read: 0,
    domains: 0,
    duplicates: 0,
    rejected: 0,
    rejected_lines: [],
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
  const countIngest = () => {
    const f = spec.ingest.facts();
    scanRow.lines_read = f.lines_read;
    scanRow.domains = f.domains;
    scanRow.duplicates = f.duplicates;
    scanRow.rejected = f.rejected.length;
    scanRow.rejected_lines = rejectedLinesColumn(f.rejected);
  };
  countIngest();
  await writeAll("writing the scan row", (s) => s.writeScan(scanRow));

  const index = new JobIndex(scanKey, spec.port, spec.probe);
  const verdicts = new VerdictStore();
  const tally = new SummaryTally();
  const health = new ResolverHealthTally();
  /**
   * Results received for targets of the index. Each target is counted once: when its result arrives if it is
   * indexed by then, else when it is indexed (its result came first, e.g. replayed on resume).
   */
  let received = 0;
  const countIfDone = (jobs: readonly HostJob[]) => {
    for (const j of jobs) if (verdicts.has(j.hostname, j.ip)) received++;
  };
  const unresolvedRows = (hosts: ReturnType<JobIndex["add"]>["unresolved"]) =>
    hosts.map((h) => {
      const row = unresolvedHostRow(h, spec.port, new Date());
      verdicts.add(row);
      tally.addHost(row.hostname, row.status);
      return { ...scanKey, ...row };
    });

  // 1. Resume: read the saved plan once — which domains are planned, and their jobs.
  let seq = 0;
  let planned: Set<string> | null = null;
  let done = new Set<string>();
  let queued = new Set<string>();
  const replayed: HostJob[] = [];
  const replayedUnresolved: ScanHostRow[] = [];
  if (spec.resume) {
    planned = new Set();
    for await (const item of transport.loadPlan(spec.scan_id)) {
      seq++;
      const it = item as PlanItem;
      if (it.kind !== "domain") continue;
      planned.add(it.plan.domain);
      health.add(it.plan.discovery);
      const fresh = index.add(it.plan);
      countIfDone(fresh.jobs);
      replayed.push(...fresh.jobs);
      replayedUnresolved.push(...unresolvedRows(fresh.unresolved));
    }
    done = await transport.doneJobKeys(spec.scan_id);
    queued = await transport.pendingJobKeys(spec.scan_id);
  } else {
    await transport.savePlan(
      spec.scan_id,
      [{ kind: "header", ...scanKey, scan: { ...scanRow } } satisfies PlanItem],
      seq++,
    );
  }

  // 3. Collect, from the start: results are written as they come, batched, acked once durable.
  let planningDone = false;
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
  const complete = () => planningDone && received >= index.jobs;
  let probeStarted: number | null = null;
  const onResult = async (d: ResultDelivery) => {
    const r = d.result;
    probeStarted ??= Date.now();
    const facts = index.factsOf(r.row.hostname);
    if (facts) {
      r.row.hostname_cnames = facts.cnames;
      r.row.dns_rcode = facts.rcode;
    }
    batch.push(d);
    if (verdicts.add(r.row)) {
      tally.addHost(r.row.hostname, r.row.status);
      if (index.has(r.row.hostname, r.row.ip)) {
        received++;
        if (planningDone) progress.tick(r.row.status);
      }
    }
    if (batch.length >= (spec.batchRows ?? 500)) await schedule();
    if (complete()) finish();
  };
  const timer = setInterval(() => void schedule(), spec.batchMs ?? 1000);
  const stopWatching = transport.watchExhaustedJobs
    ? await transport.watchExhaustedJobs(async (job) => {
        spec.onExhausted?.(job);
        // Stored like any result (durable, idempotent by job key): a late worker result cannot double it.
        const row = failedJobRow(job, "job_failed", "the job exhausted its deliveries without a result");
        await retrying("storing a job_failed row", progress, () =>
          transport.publishResult({ job, row, worker: "coordinator", attempt: 0 }),
        );
      })
    : null;
  const unwatch = () => void stopWatching?.().catch(() => {});
  const consuming = (async () => {
    for await (const d of transport.results(spec.scan_id)) {
      await onResult(d);
      if (complete()) break;
    }
  })();
  consuming.catch(() => {});

  // 2. Publish what is neither done nor still queued.
  const publish = async (jobs: readonly HostJob[]) => {
    const fresh = jobs.filter((j) => {
      const k = jobKey(j);
      return !done.has(k) && !queued.has(k);
    });
    if (fresh.length > 0) await retrying("publishing jobs", progress, () => transport.publishJobs(fresh));
  };
  if (spec.resume) {
    await writeAll("writing host rows", (s) => s.writeHosts(replayedUnresolved));
    await publish(replayed);
    progress.log(
      `resuming ${spec.scan_id}: ${planned?.size ?? 0} domains planned before, ${done.size} jobs done, ${queued.size} queued`,
    );
    replayed.length = 0;
  }

  // 1. Plan the rest; each saved chunk's new jobs are published at once.
  // Positions and ranks in list order; `inFlight` holds only the domains being planned right now.
  const inFlight = new Map<string, { index: number; rank: number | null }>();
  const names = (async function* () {
    let position = 0;
    for await (const e of spec.ingest.entries()) {
      const i = position++;
      if (planned?.has(e.domain)) continue;
      inFlight.set(e.domain, { index: i, rank: e.rank });
      yield e.domain;
    }
  })();
  progress.start("resolve", spec.ingest.expected ?? 0);
  progress.tick(undefined, planned?.size ?? 0);
  let chunk: PlanItem[] = [];
  let chunkJobs: HostJob[] = [];
  let chunkUnresolved: ScanHostRow[] = [];
  const planChunk = spec.planChunk ?? PLAN_CHUNK;
  let saving: Promise<void> = Promise.resolve();
  const saveChunk = () => {
    if (chunk.length === 0) return saving;
    const c = chunk;
    const jobs = chunkJobs;
    const unresolved = chunkUnresolved;
    const s = seq++;
    chunk = [];
    chunkJobs = [];
    chunkUnresolved = [];
    // In order: the plan chunk is durable before its jobs are published, so a crash in between loses nothing.
    saving = saving.then(async () => {
      await retrying("saving the plan", progress, () => transport.savePlan(spec.scan_id, c, s));
      if (unresolved.length > 0) await writeAll("writing host rows", (sk) => sk.writeHosts(unresolved));
      await publish(jobs);
    });
    return saving;
  };
  const discovered = clock();
  await planDomains(
    names,
    spec.dns,
    spec.mx,
    spec.dnsConcurrency,
    async (p) => {
      const at = inFlight.get(p.domain);
      inFlight.delete(p.domain);
      p.rank = at?.rank ?? null;
      if (at) p.index = at.index;
      health.add(p.discovery);
      const fresh = index.add(p);
      countIfDone(fresh.jobs);
      chunkJobs.push(...fresh.jobs);
      chunkUnresolved.push(...unresolvedRows(fresh.unresolved));
      chunk.push({ kind: "domain", plan: p });
      // "null" alone on a progress line reads as a glitch; it is a null MX (RFC 7505).
      progress.tick(p.discovery.kind === "null" ? "null_mx" : p.discovery.kind);
      if (chunk.length >= planChunk) await saveChunk();
    },
    spec.policies ?? null,
  );
  await saveChunk();
  progress.stop();
  const planEnd = clock();
  countIngest();

  const dnsHealth = health.result((spec.resolverStats?.() ?? []).map((r) => r.resolver));
  if (dnsHealth.failure !== null) {
    // Not one answer: the scan measured nothing. It is recorded as failed, with no domain rows.
    clearInterval(timer);
    unwatch();
    await transport.stop();
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
  scanRow.unique_mx_hosts = index.uniqueHosts;
  scanRow.unique_ips = index.uniqueIps;
  scanRow.host_jobs = index.jobs;
  await writeAll("writing the scan row", (s) => s.writeScan(scanRow));

  // 3. Wait for every job's result.
  planningDone = true;
  progress.start("probe", index.jobs);
  progress.tick(undefined, received);
  if (complete()) finish();
  await Promise.race([allIn, consuming]);
  clearInterval(timer);
  unwatch();
  await schedule();
  progress.stop();
  if (received < index.jobs) throw new Error(`results ended early: ${received} of ${index.jobs}`);
  const probeEnd = clock();

  // 4. Domain rows: the plan read back chunk by chunk, each domain's rows from the verdict records.
  const rowsOf = (p: DomainPlan): HostRow[] =>
    p.discovery.hosts.flatMap((h) => {
      if (h.addresses.length === 0) {
        const u = verdicts.get(h.hostname, null);
        return u ? [u] : [];
      }
      return h.addresses.flatMap((ip) => {
        const r = verdicts.get(h.hostname, ip);
        return r ? [r] : [];
      });
    });
  let domainRows: ScanDomainRow[] = [];
  let domains = 0;
  const writeDomains = async () => {
    const rows = domainRows;
    domainRows = [];
    if (rows.length > 0) await writeAll("writing domain rows", (s) => s.writeDomains(rows));
  };
  const emit = async (p: DomainPlan) => {
    const row: ScanDomainRow = {
      ...scanKey,
      ...buildDomainRow(
        p.discovery,
        rowsOf(p),
        new Date(p.checked_at),
        p.duration_ms,
        { facts: p.policies ?? null, list: spec.policyList ?? null },
        p.rank ?? null, // a plan saved by an older version has none
      ),
    };
    tally.addDomain(row.status, row.grade);
    domains++;
    domainRows.push(row);
    progress.tick();
    if (domainRows.length >= DOMAIN_BATCH) await writeDomains();
  };
  progress.start("verdicts", scanRow.domains);
  const order = new ListOrder<DomainPlan>(REORDER_WINDOW);
  for await (const item of transport.loadPlan(spec.scan_id)) {
    const it = item as PlanItem;
    if (it.kind !== "domain") continue;
    for (const p of order.add(it.plan.index, it.plan)) await emit(p);
  }
  for (const p of order.drain()) await emit(p);
  await writeDomains();
  progress.stop();
  scanRow.state = "complete";
  scanRow.finished_at = new Date().toISOString();
  await writeAll("writing the scan row", (s) => s.writeScan(scanRow));
  await transport.stop();
  await consuming.catch(() => {});
  const end = clock();

  const phases: ScanPhases = {
    plan_s: (planEnd.wall - discovered.wall) / 1000,
    plan_cpu_s: (planEnd.cpu - discovered.cpu) / 1000,
    probe_s: (probeEnd.wall - (probeStarted ?? planEnd.wall)) / 1000,
    probe_wait_s: (probeEnd.wall - planEnd.wall) / 1000,
    probe_wait_cpu_s: (probeEnd.cpu - planEnd.cpu) / 1000,
    verdicts_s: (end.wall - probeEnd.wall) / 1000,
    verdicts_cpu_s: (end.cpu - probeEnd.cpu) / 1000,
    cpu_s: (end.cpu - start.cpu) / 1000,
  };
  const summary = tally.summary({
    domains,
    rejected: scanRow.rejected,
    duplicates: scanRow.duplicates,
    unique_mx_hosts: index.uniqueHosts,
    unique_ips: index.uniqueIps,
    host_jobs: index.jobs,
    mx_lookups_unanswered: dnsHealth.unanswered,
    resolvers_unanswered: (spec.resolverStats?.() ?? []).filter((r) => r.unanswered > 0),
    duration_s: (end.wall - start.wall) / 1000,
    phases,
  });
  return { scan: scanRow, summary };
}
