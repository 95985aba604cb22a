/**
 * Prometheus metrics of a `worker` or a `scan` (prom-client, main thread only). Probes run in piscina threads,
 * which never see this module: the main thread counts each probe from the HostRow the thread returns (status,
 * failure, duration_ms, connect_ms, tls_ms, connections_used) and the bytes read the thread reports beside it
 * (shared/probe-task.ts), and counts jobs where it moves them.
 *
 * Naming follows Prometheus conventions: the `mxsurvey_` prefix, units in names (`_seconds`), `_total` on
 * counters. Label values are bounded: statuses and failures come from the closed vocabularies (anything else is
 * `other`), DNS rcodes from DNS_RCODES, tables from the three table names. No host name or address is a label.
 */

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { DnsQuerier } from "./dns/cache.js";
import { DNS_RCODES, type DnsRecordType } from "./dns/types.js";
import { FAILURES } from "./failures.js";
import type { ProbeTaskResult } from "./probe-task.js";
import type { HostRow } from "./schema/host-row.js";
import { HOST_STATUSES } from "./status.js";
import type { RowSink } from "./store/types.js";
import type { JobDelivery, WorkerTransport } from "./transport/types.js";

const STATUS_LABELS: ReadonlySet<string> = new Set(HOST_STATUSES);
const FAILURE_LABELS: ReadonlySet<string> = new Set(FAILURES);
const RCODE_LABELS: ReadonlySet<string> = new Set(DNS_RCODES);

/** A label value from a closed vocabulary, or `other` (so a label never carries free text). */
function bounded(value: string | null | undefined, vocabulary: ReadonlySet<string>, none = "none"): string {
  if (value === null || value === undefined) return none;
  return vocabulary.has(value) ? value : "other";
}

/** Probe durations: from 10 ms to 2 minutes (the probe deadline is well under that). */
const PROBE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

export type MetricsRole = "worker" | "scan";

export class Metrics {
  readonly registry = new Registry();
  readonly probesInFlight: Gauge;
  readonly probesFinished: Counter<"status" | "failure">;
  readonly probeDuration: Histogram<"status">;
  readonly probePhaseDuration: Histogram<"phase">;
  readonly connectionsOpened: Counter;
  readonly probeBytesRead: Counter;
  readonly jobsPulled: Counter;
  readonly jobsAcked: Counter;
  readonly jobsRedelivered: Counter;
  readonly jobsGivenBack: Counter;
  readonly jobsExhausted: Counter;
  readonly jobsFailed: Counter;
  readonly resultsWritten: Counter<"sink" | "table">;
  readonly writeRetries: Counter;
  readonly dnsQueries: Counter<"rcode">;
  private queueDepth: (() => Promise<number | null>) | null = null;
  private readonly retriesTotal: (() => number)[] = [];
  private retriesSeen = 0;

  constructor(role: MetricsRole) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({ register: this.registry, prefix: "mxsurvey_" });
    this.probesInFlight = new Gauge({
      name: "mxsurvey_probes_in_flight",
      help: "probe tasks handed to the thread pool and not yet returned",
      registers,
    });
    this.probesFinished = new Counter({
      name: "mxsurvey_probes_finished_total",
      help: "probes finished, by host status and failure (none when the probe saw no failure)",
      labelNames: ["status", "failure"],
      registers,
    });
    this.probeDuration = new Histogram({
      name: "mxsurvey_probe_duration_seconds",
      help: "whole probe of one (host, ip), by host status",
      labelNames: ["status"],
      buckets: PROBE_BUCKETS,
      registers,
    });
    this.probePhaseDuration = new Histogram({
      name: "mxsurvey_probe_phase_duration_seconds",
      help: "time of one probe phase: connect (TCP) or tls_handshake, when the probe got that far",
      labelNames: ["phase"],
      buckets: PROBE_BUCKETS,
      registers,
    });
    this.connectionsOpened = new Counter({
      name: "mxsurvey_connections_opened_total",
      help: "TCP connections the probes opened to mail servers",
      registers,
    });
    this.probeBytesRead = new Counter({
      name: "mxsurvey_probe_bytes_read_total",
      help: "bytes the probes read from mail servers' TCP connections (TLS records included, before decryption)",
      registers,
    });
    this.jobsPulled = new Counter({
      name: "mxsurvey_jobs_pulled_total",
      help: "job deliveries taken from the queue (redeliveries included)",
      registers,
    });
    this.jobsAcked = new Counter({
      name: "mxsurvey_jobs_acked_total",
      help: "jobs whose result was stored and which were then acknowledged",
      registers,
    });
    this.jobsRedelivered = new Counter({
      name: "mxsurvey_jobs_redelivered_total",
      help: "job deliveries that were not the job's first (attempt > 1)",
      registers,
    });
    this.jobsGivenBack = new Counter({
      name: "mxsurvey_jobs_given_back_total",
      help: "jobs returned to the queue for another try (task error or shutdown)",
      registers,
    });
    this.jobsExhausted = new Counter({
      name: "mxsurvey_jobs_exhausted_total",
      help: "jobs that used up their deliveries and were stored as job_failed rows by the coordinator",
      registers,
    });
    this.jobsFailed = new Counter({
      name: "mxsurvey_probe_task_errors_total",
      help: "probe tasks that threw (a bug in mxsurvey or a dead thread), counted per attempt",
      registers,
    });
    this.resultsWritten = new Counter({
      name: "mxsurvey_results_written_total",
      help: "rows written durably, by sink (nats: results a worker published; jsonl, clickhouse: a scan's rows)",
      labelNames: ["sink", "table"],
      registers,
    });
    this.writeRetries = new Counter({
      name: "mxsurvey_result_write_retries_total",
      help: "failed writes of rows that were kept and retried (ClickHouse inserts)",
      registers,
      collect: () => {
        const now = this.retriesTotal.reduce((sum, f) => sum + f(), 0);
        if (now > this.retriesSeen) this.writeRetries.inc(now - this.retriesSeen);
        this.retriesSeen = now;
      },
    });
    this.dnsQueries = new Counter({
      name: "mxsurvey_dns_queries_total",
      help: "DNS queries the main thread sent (MX discovery, policies), by rcode of the answer",
      labelNames: ["rcode"],
      registers,
    });
    const self = this;
    new Gauge({
      name: "mxsurvey_queue_pending_jobs",
      help: "jobs waiting in the JetStream work queue for any worker (consumer pending), when known",
      registers,
      async collect() {
        const n = self.queueDepth ? await self.queueDepth().catch(() => null) : null;
        if (n !== null) this.set(n);
      },
    });
  }

  /**
   * Count write retries from a running total kept by the writer (the ClickHouse store counts its failed
   * inserts, whose rows it keeps and sends again).
   */
  watchWriteRetries(total: () => number): void {
    this.retriesTotal.push(total);
  }

  /** Where the queue depth comes from (the NATS transport); without one the gauge stays absent. */
  setQueueDepth(fn: () => Promise<number | null>): void {
    this.queueDepth = fn;
  }

  /** Count one finished probe from the row its thread returned. */
  observeHostRow(
    row: Pick<HostRow, "status" | "failure" | "duration_ms" | "connections_used"> & Partial<HostRow>,
  ): void {
    const status = bounded(row.status, STATUS_LABELS);
    this.probesFinished.inc({ status, failure: bounded(row.failure, FAILURE_LABELS) });
    this.probeDuration.observe({ status }, row.duration_ms / 1000);
    if (typeof row.connect_ms === "number")
      this.probePhaseDuration.observe({ phase: "connect" }, row.connect_ms / 1000);
    if (typeof row.tls_ms === "number")
      this.probePhaseDuration.observe({ phase: "tls_handshake" }, row.tls_ms / 1000);
    if (row.connections_used > 0) this.connectionsOpened.inc(row.connections_used);
  }

  /**
   * A pool whose probes are counted: in flight while the thread holds them, then by the row returned and the
   * bytes the thread read.
   */
  instrumentPool<J, P extends { run(job: J): Promise<ProbeTaskResult> }>(pool: P): P {
    const run = async (job: J): Promise<ProbeTaskResult> => {
      this.probesInFlight.inc();
      try {
        const result = await pool.run(job);
        this.observeHostRow(result.row);
        if (result.bytes_read > 0) this.probeBytesRead.inc(result.bytes_read);
        return result;
      } catch (err) {
        this.jobsFailed.inc();
        throw err;
      } finally {
        this.probesInFlight.dec();
      }
    };
    return new Proxy(pool, {
      get: (target, prop, receiver) => (prop === "run" ? run : Reflect.get(target, prop, receiver)),
    });
  }

  /**
   * A worker transport whose deliveries are counted: pulled, redelivered, acked (after the result is stored),
   * given back. With `resultSink` (nats: the result was published durably) each completed job also counts as
   * a host row written there.
   */
  instrumentTransport<T extends WorkerTransport>(transport: T, resultSink: "nats" | null): T {
    const jobs = (maxInFlight: number): AsyncIterable<JobDelivery> => {
      const inner = transport.jobs(maxInFlight);
      const m = this;
      return {
        async *[Symbol.asyncIterator]() {
          for await (const d of inner) {
            m.jobsPulled.inc();
            if (d.attempt > 1) m.jobsRedelivered.inc();
            yield {
              ...d,
              working: () => d.working(),
              complete: async (result) => {
                await d.complete(result);
                if (resultSink) m.resultsWritten.inc({ sink: resultSink, table: "hosts" });
                m.jobsAcked.inc();
              },
              giveBack: async () => {
                await d.giveBack();
                m.jobsGivenBack.inc();
              },
            };
          }
        },
      };
    };
    return new Proxy(transport, {
      get: (target, prop, receiver) => (prop === "jobs" ? jobs : Reflect.get(target, prop, receiver)),
    });
  }

  /** A sink whose written rows are counted by table; `name` is the sink label (jsonl, clickhouse). */
  instrumentSink(sink: RowSink, name: "jsonl" | "clickhouse"): RowSink {
    return {
      writeHosts: async (rows) => {
        await sink.writeHosts(rows);
        this.resultsWritten.inc({ sink: name, table: "hosts" }, rows.length);
      },
      writeDomains: async (rows) => {
        await sink.writeDomains(rows);
        this.resultsWritten.inc({ sink: name, table: "domains" }, rows.length);
      },
      writeScan: async (row) => {
        await sink.writeScan(row);
        this.resultsWritten.inc({ sink: name, table: "scans" });
      },
      flush: () => sink.flush(),
      close: () => sink.close(),
    };
  }

  /** A DNS querier whose answers are counted by rcode. */
  countDns<Q extends DnsQuerier>(dns: Q): DnsQuerier {
    return {
      query: async (name: string, type: DnsRecordType) => {
        const a = await dns.query(name, type);
        this.dnsQueries.inc({ rcode: bounded(a.rcode, RCODE_LABELS) });
        return a;
      },
    };
  }
}
