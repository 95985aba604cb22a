/**
 * The probe thread pool (piscina), set up for I/O-bound tasks that hold sockets: a fixed number of threads,
 * each running many probes at once (`concurrentTasksPerWorker`), no task-level abort (the probe's own deadlines
 * end every task). The main thread never probes; it only moves jobs and results.
 */

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { HostRow } from "../shared/schema/host-row.js";
import type { ProbeSettings } from "../shared/settings.js";
import type { SmtpProbeJob } from "./probes/smtp-starttls.js";
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
  run(job: SmtpProbeJob): Promise<HostRow>;
  readonly capacity: number;
  destroy(): Promise<void>;
}

export function createProbePool(settings: ProbeSettings, opts: PoolOptions): ProbePool {
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
    run: (job) =>
      pool.run({
        hostname: job.hostname,
        ip: job.ip,
        port: job.port,
        dane: job.dane ?? null,
        ...(job.depth ? { depth: job.depth } : {}),
      }) as Promise<HostRow>,
    destroy: () => pool.destroy(),
  };
}
