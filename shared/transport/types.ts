/**
 * One pipeline, two transports. The coordinator publishes host jobs and consumes results; workers consume jobs
 * and publish results. The embedded default implements these interfaces in memory (one process); the
 * distributed mode implements them over NATS JetStream (shared/transport/nats.ts, the one module that imports
 * the NATS client). A result is published durably *before* its job is acked, so a crash loses neither.
 */

import type { HostJob, HostResult, JobIdentity } from "../jobs.js";

/** A job handed to a worker. Exactly one of complete / giveBack must be called. */
export interface JobDelivery {
  job: HostJob;
  /** 1 on first delivery. */
  attempt: number;
  /** No further redelivery will follow if this attempt fails: produce a row, whatever happens. */
  lastAttempt: boolean;
  /** Tell the queue the job is still being worked on (extends the ack deadline). */
  working(): void;
  /** Publish the result durably, then ack the job. Resolves once both are done. */
  complete(result: HostResult): Promise<void>;
  /** Return the job to the queue for another worker (graceful shutdown). */
  giveBack(): Promise<void>;
}

export interface WorkerTransport {
  /**
   * Pull jobs, at most `maxInFlight` unacknowledged at a time. The iterator ends after `stop()` (or, in the
   * embedded transport, when the queue is closed and drained).
   */
  jobs(maxInFlight: number): AsyncIterable<JobDelivery>;
  /** Stop pulling new jobs; jobs already delivered stay with their holder. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** A result handed to the coordinator / sink. `ack` once it is safely stored (e.g. in ClickHouse). */
export interface ResultDelivery {
  result: HostResult;
  ack(): Promise<void>;
}

export interface CoordinatorTransport {
  /** Create streams / consumers if missing (idempotent). */
  setup(): Promise<void>;
  /** Publish jobs; publishing the same job twice is a no-op (idempotent by job key). */
  publishJobs(jobs: Iterable<HostJob>): Promise<{ published: number; duplicates: number }>;
  /** Keys (jobKey) of this scan's jobs that already have a stored result, for --resume (no probe twice). */
  doneJobKeys(scanId: string): Promise<Set<string>>;
  /** Keys (jobKey) of this scan's jobs still queued or in flight, for --resume. */
  pendingJobKeys(scanId: string): Promise<Set<string>>;
  /**
   * Store a result the coordinator made itself (a job that exhausted its deliveries becomes a `job_failed` row),
   * idempotent by job key like a worker's result.
   */
  publishResult(result: HostResult): Promise<{ duplicate: boolean }>;
  /**
   * This scan's results, from the first one ever published (so a resumed coordinator sees them all again),
   * until `stop()`.
   */
  results(scanId: string): AsyncIterable<ResultDelivery>;
  /** Save / load the scan's plan (MX discovery of every domain) so a restarted coordinator can resume. */
  savePlan(scanId: string, chunk: readonly unknown[], seq: number): Promise<void>;
  loadPlan(scanId: string): AsyncIterable<unknown>;
  /**
   * Jobs whose deliveries ran out without a result (a queue that redelivers: NATS) reach `onExhausted`; the
   * returned function stops watching. Absent where no job can run out (the embedded queue always answers).
   */
  watchExhaustedJobs?(onExhausted: (job: JobIdentity) => Promise<void>): Promise<() => Promise<void>>;
  /** Jobs queued and not yet taken, for the queue-depth metric; null when unknown. */
  queuePending?(): Promise<number | null>;
  stop(): Promise<void>;
  close(): Promise<void>;
}
