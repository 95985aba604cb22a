/**
 * The piscina task: one probe of one (MX host, IP) in a worker thread. The worker's own settings (target policy,
 * trust roots) arrive once per thread through `workerData`; the TLS context with its trust store is built once
 * per thread. The job arrives as plain data and is validated here, at the thread boundary, by the one job
 * validator (shared/jobs.ts): a job that does not validate is our bug, and the task throws. Many tasks run
 * concurrently in one thread (I/O-bound: they hold sockets, not the CPU). Deadlines are enforced inside the
 * probe, never by aborting the thread.
 */

import { workerData } from "node:worker_threads";
import { parseProbeJob } from "../shared/jobs.js";
import type { HostRow } from "../shared/schema/host-row.js";
import type { WorkerSettings } from "../shared/settings.js";
import { createProbeSecureContext } from "./net/tls-client.js";
import { type ProbeContext, probeSmtpStarttls } from "./probes/smtp-starttls.js";

export interface TaskData {
  settings: WorkerSettings;
}

const data = workerData as TaskData;
const ctx: ProbeContext = {
  settings: data.settings,
  secureContext: createProbeSecureContext(data.settings.caPem),
};

export default function probeTask(job: unknown): Promise<HostRow> {
  const parsed = parseProbeJob(job);
  if (!parsed.ok) throw new TypeError(`probe task: invalid job: ${parsed.error}`);
  return probeSmtpStarttls(parsed.job, ctx);
}
