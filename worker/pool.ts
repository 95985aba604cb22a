/**
 * The probe thread pool (piscina), set up for I/O-bound tasks that hold sockets: a fixed number of threads,
 * each running many probes at once (`concurrentTasksPerWorker`), no task-level abort (the probe's own deadlines
 * end every task). The main thread never probes; it only moves jobs and results.
 */

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { ProbeJob } from "../shared/jobs.js";
import type { ProbeTaskResult } from "../shared/probe-task.js";
import type { WorkerSettings } from "../shared/settings.js";
import type { TaskData } from "./task.js";

/** The compiled task file: next to this module in dist/, or dist/worker/task.js when running from sources. */
function taskFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".js")) return join(dirname(here), "task.js");
  const compiled = join(dirname(here), "..", "dist", "worker", "task.js");
  if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run 'npm run build'`);
  return compiled;
}

export interface PoolOptions {
  threads: number;
  /** Probes in flight per thread. */
  concurrency: number;
}

export interface ProbePool {
  /**
   * Probe one job in a thread. The job crosses as it is (structured clone) and is validated in the thread; the
   * host row comes back with what the thread measured around it (bytes read).
   */
  run(job: ProbeJob): Promise<ProbeTaskResult>;
  readonly capacity: number;
  destroy(): Promise<void>;
}

export function createProbePool(settings: WorkerSettings, opts: PoolOptions): ProbePool {
  const data: TaskData = { settings };
  const pool = new Piscina({
    filename: taskFile(),
    minThreads: opts.threads,
    maxThreads: opts.threads,
    concurrentTasksPerWorker: opts.concurrency,
    idleTimeout: 60_000,
    workerData: data,
  });
  return {
    capacity: opts.threads * opts.concurrency,
    run: (job) => pool.run(job) as Promise<ProbeTaskResult>,
    destroy: () => pool.destroy(),
  };
}
