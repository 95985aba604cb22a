/**
 * Probe settings, split by who owns them:
 *  - WorkerSettings belong to the process that connects (a `worker`, or `check` itself): the target-address
 *    policy and the trust roots. They are never job fields, so whoever can publish a job can neither widen the
 *    target policy nor add a trust root.
 *  - ProbeParams are the scan's measurement parameters (depth, EHLO name, timeouts, per-host delay). They
 *    travel in every job (shared/jobs.ts), so every worker of a scan measures exactly alike.
 * Defaults are generous enough for greeting delays such as Postfix postscreen's (6 s by default) and RFC 5321
 * §4.5.3.2's patient timeouts.
 */

import type { ProbeParams } from "./jobs.js";

export type { ProbeParams } from "./jobs.js";

export interface WorkerSettings {
  allowPrivateTargets: boolean;
  /** Extra trust roots (PEM), on top of Node's bundled Mozilla roots. */
  caPem: string[];
}

/** Everything one probe applies: the worker's own settings and the scan's parameters from the job. */
export type ProbeSettings = WorkerSettings & ProbeParams;

export const PROBE_DEPTHS = ["basic", "versions", "full"] as const;
export type ProbeDepth = (typeof PROBE_DEPTHS)[number];

export const DEFAULT_SMTP_PORT = 25;

export const DEFAULT_PROBE_PARAMS: Omit<ProbeParams, "ehloName"> = {
  connectTimeoutMs: 10_000,
  smtpTimeoutMs: 30_000,
  tlsTimeoutMs: 20_000,
  hostDeadlineMs: 120_000,
  depth: "basic",
  perHostDelayMs: 250,
};

/** Bounds of the parameters, checked on the command line and again on every job a worker receives. */
export const PROBE_PARAM_LIMITS = {
  /** Each timeout and the host deadline: (0, 3600] seconds. */
  maxTimeoutMs: 3_600_000,
  /** --per-host-delay: [0, 60] seconds. */
  maxPerHostDelayMs: 60_000,
} as const;
