/**
 * A piscina task for the job-contract test: it validates what crossed the thread boundary with the task's own
 * validator and sends it back, so the test can compare it with what was sent.
 */

import { parseProbeJob } from "../../shared/jobs.js";

export default function echoTask(job: unknown): unknown {
  const parsed = parseProbeJob(job);
  if (!parsed.ok) throw new TypeError(`invalid job: ${parsed.error}`);
  return { received: job, parsed: parsed.job };
}
