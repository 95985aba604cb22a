/**
 * The worker's public surface: the one module coordinator/ may import (enforced by lint). Everything the
 * single-domain commands need to run probes in-process; the distributed worker runs the same functions in
 * its thread pool.
 */

export { createHttpsSecureContext } from "./net/https-fetch.js";
export { createProbeSecureContext } from "./net/tls-client.js";
export { createProbePool, type PoolOptions, type ProbePool } from "./pool.js";
export { probeDomainPolicies } from "./probes/domain-policies.js";
export {
  DEFAULT_POLICY_FETCH_SETTINGS,
  type PolicyFetchContext,
  type PolicyFetchSettings,
} from "./probes/mta-sts-fetch.js";
export { type ProbeContext, probeSmtpStarttls, type SmtpProbeJob } from "./probes/smtp-starttls.js";
export { runWorkerLoop, WORKER_NAME, type WorkerLoopOptions } from "./run-worker.js";
