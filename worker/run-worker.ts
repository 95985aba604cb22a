/**
 * The worker loop, the same for both transports: pull a job, run its probe in the pool (with in-progress
 * heartbeats so a long probe is not redelivered), publish the result durably, and only then ack the job.
 * A task that throws (our bug, or a dead thread) gives the job back for another try; on the last attempt it
 * becomes a row with failure `unknown_failure` instead, so no job ever vanishes.
 */

import { hostname } from "node:os";
import { type HostJob, type HostResult, jobIdentity } from "../shared/jobs.js";
import { failedJobRow } from "../shared/rows.js";
import type { JobDelivery, WorkerTransport } from "../shared/transport/types.js";
import type { ProbePool } from "./pool.js";

export interface WorkerLoopOptions {
  maxInFlight: number;
  /** How often to tell the queue a job is still in progress. */
  heartbeatMs: number;
  onResult?: (r: HostResult) => void;
  onError?: (job: HostJob, err: unknown) => void;
}

export const WORKER_NAME = `${hostname()}:${process.pid}`;

async function handle(d: JobDelivery, pool: ProbePool, opts: WorkerLoopOptions): Promise<void> {
  const hb = setInterval(() => d.working(), opts.heartbeatMs);
  let result: HostResult;
  try {
    const { row } = await pool.run(d.job);
    result = { job: jobIdentity(d.job), row, worker: WORKER_NAME, attempt: d.attempt };
  } catch (err) {
    opts.onError?.(d.job, err);
    if (!d.lastAttempt) {
      clearInterval(hb);
      await d.giveBack();
      return;
    }
    const detail = `probe task failed on attempt ${d.attempt}: ${err instanceof Error ? err.message : String(err)}`;
    result = {
      job: jobIdentity(d.job),
      row: failedJobRow(d.job, "unknown_failure", detail),
      worker: WORKER_NAME,
      attempt: d.attempt,
    };
  } finally {
    clearInterval(hb);
  }
  try {
    await d.complete(result);
    opts.onResult?.(result);
  } catch (err) {
    // The result could not be stored: leave the job to be redelivered rather than lose it.
    opts.onError?.(d.job, err);
    await d.giveBack().catch(() => {});
  }
}

/** Run until the transport stops yielding jobs; then wait for every job in flight to finish. */
export async function runWorkerLoop(
  transport: WorkerTransport,
  pool: ProbePool,
  opts: WorkerLoopOptions,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for await (const d of transport.jobs(opts.maxInFlight)) {
    const p: Promise<void> = handle(d, pool, opts).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}
