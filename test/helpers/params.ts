/** Probe parameters for tests that call the probe directly (a scan's jobs carry the scan's). */

import type { ProbeParams } from "../../shared/jobs.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import type { ProbeSettings } from "../../shared/settings.js";
import { type ProbeContext, probeSmtpStarttls } from "../../worker/api.js";

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

/**
 * Probe one target with settings written as one object (the worker's and the parameters together), as tests of
 * the probe's bounds find handy: split here into the context's worker settings and the job's parameters.
 */
export function probeWithSettings(
  target: { hostname: string; ip: string; port: number },
  ctx: Omit<ProbeContext, "settings"> & { settings: ProbeSettings },
): Promise<HostRow> {
  const { allowPrivateTargets, caPem, ...probe } = ctx.settings;
  return probeSmtpStarttls(
    { ...target, dane: null, probe },
    { ...ctx, settings: { allowPrivateTargets, caPem } },
  );
}
