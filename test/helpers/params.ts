/** Probe parameters for tests that call the probe directly (a scan's jobs carry the scan's). */

import type { ProbeParams } from "../../shared/jobs.js";

export function labProbeParams(over: Partial<ProbeParams> = {}): ProbeParams {
  return {
    ehloName: "lab.mxsurvey.test",
    connectTimeoutMs: 2000,
    smtpTimeoutMs: 2500,
    tlsTimeoutMs: 3000,
    hostDeadlineMs: 20_000,
    depth: "basic",
    perHostDelayMs: 0,
    ...over,
  };
}
