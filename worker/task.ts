/**
 * The piscina task: one probe of one (MX host, IP) in a worker thread. The worker's own settings (target policy,
 * trust roots) arrive once per thread through `workerData`; the TLS context with its trust store is built once
 * per thread. The job arrives as plain data and is validated here, at the thread boundary, by the one job
 * validator (shared/jobs.ts): a job that does not validate is our bug, and the task throws. Many tasks run
 * concurrently in one thread (I/O-bound: they hold sockets, not the CPU). Deadlines are enforced inside the
 * probe, never by aborting the thread. Every TCP connection the probe opens goes through this task's `connect`,
 * which keeps the sockets so the task can report the bytes read from them (ProbeTaskResult).
 */

import type { Socket } from "node:net";
import { workerData } from "node:worker_threads";
import { parseProbeJob } from "../shared/jobs.js";
import type { ProbeTaskResult } from "../shared/probe-task.js";
import type { WorkerSettings } from "../shared/settings.js";
import { defaultConnect } from "./net/tcp-connect.js";
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

export default async function probeTask(job: unknown): Promise<ProbeTaskResult> {
  const parsed = parseProbeJob(job);
  if (!parsed.ok) throw new TypeError(`probe task: invalid job: ${parsed.error}`);
  const sockets: Socket[] = [];
  const connect = (ip: string, port: number): Socket => {
    const socket = defaultConnect(ip, port);
    sockets.push(socket);
    return socket;
  };
  const row = await probeSmtpStarttls(parsed.job, { ...ctx, connect });
  // A socket keeps its count after it is closed, and counts the TLS records of a TLS session layered on it.
  return { row, bytes_read: sockets.reduce((n, s) => n + s.bytesRead, 0) };
}
