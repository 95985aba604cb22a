/**
 * The piscina task: one probe of one (MX host, IP) in a worker thread. Settings arrive once per thread through
 * `workerData` (worker settings, never job fields); the TLS context with its trust store is built once per
 * thread. Many tasks run concurrently in one thread (I/O-bound: they hold sockets, not the CPU). Deadlines are
 * enforced inside the probe, never by aborting the thread. Input and output are plain data.
 */

import { workerData } from "node:worker_threads";
import type { HostRow } from "../shared/schema/host-row.js";
import type { ProbeSettings } from "../shared/settings.js";
import { createProbeSecureContext } from "./net/tls-client.js";
import { type ProbeContext, probeSmtpStarttls, type SmtpProbeJob } from "./probes/smtp-starttls.js";

export interface TaskData {
  settings: ProbeSettings;
}

const data = workerData as TaskData;
const ctx: ProbeContext = {
  settings: data.settings,
  secureContext: createProbeSecureContext(data.settings.caPem),
};

export default function probeTask(job: SmtpProbeJob): Promise<HostRow> {
  return probeSmtpStarttls(
    {
      hostname: job.hostname,
      ip: job.ip,
      port: job.port,
      dane: job.dane ?? null,
      ...(job.depth ? { depth: job.depth } : {}),
    },
    ctx,
  );
}
