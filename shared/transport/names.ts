/**
 * Every NATS JetStream name mxsurvey uses — streams, subjects, consumers, advisory subjects, headers — and the
 * production timing defaults, in one module (no NATS client import here: the coordinator, the worker, deploy
 * scripts and tests can all read the names).
 *
 * Streams (default namespace):
 *
 * | stream              | subjects                              | retention  | what                                    |
 * |---------------------|---------------------------------------|------------|-----------------------------------------|
 * | MXSURVEY_JOBS       | mxsurvey.jobs.<scan_id>.<hash>        | work queue | one message per pending host job        |
 * | MXSURVEY_RESULTS    | mxsurvey.results.<scan_id>            | limits     | every result, msg id = jobKey            |
 * | MXSURVEY_PLANS      | mxsurvey.plans.<scan_id>              | limits     | the coordinator's saved plan chunks     |
 * | MXSURVEY_EXHAUSTED  | $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.MXSURVEY_JOBS.mxsurvey-workers | work queue | max-deliveries advisories, kept until handled |
 *
 * A job's subject is `mxsurvey.jobs.` + jobKey(job) (jobKey = `<scan_id>.<hash>`), so the pending jobs of one
 * scan are the subjects under `mxsurvey.jobs.<scan_id>.>` (stream info with subjects_filter). One durable pull
 * consumer, `mxsurvey-workers`, filtered on `mxsurvey.jobs.>`, is shared by every worker of the fleet (a work
 * queue stream allows only non-overlapping consumers, so nothing else may consume it).
 *
 * A namespace (`natsNames("staging")`) gives a complete, disjoint set of names — `MXSURVEY_STAGING_JOBS`,
 * `mxsurvey_staging.jobs.>`, ... — so several surveys (or test cases) can share one NATS server.
 */

import { SCAN_ID_RE } from "../jobs.js";

/* ---------------------------------------------------------------------------------------------------------
 * Timing. The worker's per-probe deadline is up to 120 s by default (DEFAULT_PROBE_SETTINGS.hostDeadlineMs).
 * A job must not be redelivered while a live worker still holds it, yet a crashed worker's jobs should come
 * back within about a minute. So the ack wait is *shorter* than the probe deadline, and the worker transport
 * sends an in-progress heartbeat (msg.working(), `+WPI`, which restarts the ack timer) every ACK_WAIT / 3 for
 * as long as it holds the job: two heartbeats can be lost or late (an event-loop stall, a reconnect) before
 * the server gives up on a live worker. Redelivery therefore means the holder died, hung past
 * MAX_HOLD_MS, or gave the job back.
 * ------------------------------------------------------------------------------------------------------- */

/** Ack deadline of a delivery without a heartbeat (also the first BACKOFF_MS entry: the server enforces that). */
export const ACK_WAIT_MS = 60_000;

/** In-progress heartbeat interval while a worker holds a job: ACK_WAIT / 3. */
export const HEARTBEAT_MS = ACK_WAIT_MS / 3;

/**
 * Ack deadline per delivery (the server's consumer `backoff`: entry i is the deadline of delivery i+1, the last
 * entry repeats). Every entry is >= ACK_WAIT_MS, so a heartbeat every HEARTBEAT_MS is always in time. Spreading
 * the redeliveries over ~18 minutes keeps a job that crashes its worker (a poison target) from taking down the
 * fleet in a burst.
 */
export const BACKOFF_MS: readonly number[] = [60_000, 120_000, 300_000, 600_000];

/**
 * Deliveries per job (the first included). Must be > BACKOFF_MS.length (server rule). A giveBack (nak) counts
 * as a delivery too, so a rolling restart costs one. The delivery with attempt === MAX_DELIVER is the last: the
 * worker must produce a row whatever happens; if it dies on it, the max-deliveries advisory turns the job into
 * a `job_failed` row.
 */
export const MAX_DELIVER = 5;

/**
 * A worker stops heartbeating a job it has held this long, so a wedged probe (a bug: the probe deadline is
 * 120 s) is eventually redelivered instead of pinned forever by a live but stuck process.
 */
export const MAX_HOLD_MS = 10 * 60_000;

/** Lifetime of one pull request; stop() waits for the outstanding ones (their late messages are given back). */
export const FETCH_EXPIRES_MS = 5_000;

/** Idle heartbeat the server sends on a waiting pull request (< FETCH_EXPIRES_MS; detects a dead link). */
export const FETCH_IDLE_HEARTBEAT_MS = 2_000;

/**
 * Fleet-wide cap on jobs held (delivered, unacked) at once: the consumer's `max_ack_pending`. Size it to the
 * fleet's total probe concurrency (workers × their maxInFlight): a lower value idles workers, a higher one
 * lets a burst of crashed workers strand more jobs until their ack wait expires.
 */
export const FLEET_CONCURRENCY = 10_000;

/** Pull requests the server queues for the shared consumer (`max_waiting`; a worker keeps 1–2 outstanding). */
export const MAX_WAITING_PULLS = 4_096;

/**
 * Publishing the same job twice within this window is a no-op (msg id = jobKey). Covers a coordinator that
 * crashes mid-publish and republishes on restart; --resume beyond it relies on pendingJobKeys and the results.
 */
export const JOBS_DUPLICATE_WINDOW_MS = 20 * 60_000;

/**
 * A redelivered job's second result (msg id = jobKey) is dropped as a duplicate within this window. It covers
 * the whole redelivery schedule: sum(BACKOFF_MS over MAX_DELIVER deliveries) ≈ 18 min + one probe deadline.
 */
export const RESULTS_DUPLICATE_WINDOW_MS = 30 * 60_000;

/** Results are kept this long (a resumed coordinator replays them all from the first). */
export const RESULTS_MAX_AGE_MS = 30 * 24 * 3_600_000;

/** Plans are kept as long as results: a scan can be resumed as long as its results are there. */
export const PLANS_MAX_AGE_MS = RESULTS_MAX_AGE_MS;
export const PLANS_DUPLICATE_WINDOW_MS = 20 * 60_000;

/** Unhandled max-deliveries advisories are kept this long (the coordinator handles them when it runs). */
export const EXHAUSTED_MAX_AGE_MS = RESULTS_MAX_AGE_MS;

/** Publishes in flight at once (pipelined, each awaiting its PubAck) when publishing jobs. */
export const PUBLISH_WINDOW = 1_000;

/** PubAck timeout for one publish; a timed-out publish is retried with the same msg id (idempotent). */
export const PUBLISH_TIMEOUT_MS = 10_000;
export const PUBLISH_ATTEMPTS = 4;

/* ---------------------------------------------------------------------------------------------------------
 * Names.
 * ------------------------------------------------------------------------------------------------------- */

/** Headers of a plan chunk message (a chunk larger than max_payload is split into parts). */
export const PLAN_SEQ_HEADER = "Mxsurvey-Plan-Seq";
export const PLAN_PART_HEADER = "Mxsurvey-Plan-Part";
export const PLAN_PARTS_HEADER = "Mxsurvey-Plan-Parts";

export interface NatsNames {
  readonly namespace: string;
  readonly jobsStream: string;
  /** All job subjects (the stream's subject and the workers' consumer filter). */
  readonly jobsSubjects: string;
  readonly workersConsumer: string;
  readonly resultsStream: string;
  readonly resultsSubjects: string;
  readonly plansStream: string;
  readonly plansSubjects: string;
  /** Stream capturing the jobs consumer's max-deliveries advisories, and its consumer. */
  readonly exhaustedStream: string;
  readonly exhaustedConsumer: string;
  /** `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<jobs stream>.<workers consumer>` */
  readonly maxDeliveriesAdvisory: string;
  /** Subject of one job: prefix + jobKey. */
  jobSubject(jobKey: string): string;
  /** Filter matching every job subject of a scan. */
  scanJobsFilter(scanId: string): string;
  /** The jobKey of a job subject, or null when the subject is not a job subject of this namespace. */
  jobKeyOfSubject(subject: string): string | null;
  resultsSubject(scanId: string): string;
  plansSubject(scanId: string): string;
}

const NAMESPACE_RE = /^[a-z0-9][a-z0-9_]{0,31}$/;

/** Throws unless `scanId` is a valid scan id (it becomes a subject token). */
export function checkScanId(scanId: string): string {
  if (!SCAN_ID_RE.test(scanId)) throw new RangeError(`invalid scan id ${JSON.stringify(scanId)}`);
  return scanId;
}

/** The names of one namespace; `""` (the default) is production's. */
export function natsNames(namespace = ""): NatsNames {
  if (namespace !== "" && !NAMESPACE_RE.test(namespace)) {
    throw new RangeError(`invalid NATS namespace ${JSON.stringify(namespace)}: [a-z0-9_], at most 32`);
  }
  const S = namespace === "" ? "MXSURVEY" : `MXSURVEY_${namespace.toUpperCase()}`;
  const s = namespace === "" ? "mxsurvey" : `mxsurvey_${namespace}`;
  const consumerPrefix = namespace === "" ? "mxsurvey" : `mxsurvey-${namespace.replace(/_/g, "-")}`;
  const jobsStream = `${S}_JOBS`;
  const workersConsumer = `${consumerPrefix}-workers`;
  const jobPrefix = `${s}.jobs.`;
  // jobKey(job) = `<scan_id>.<32 hex>` (shared/jobs.ts).
  const jobKeyRe = new RegExp(`^(?:${SCAN_ID_RE.source.replace(/^\^|\$$/g, "")})\\.[0-9a-f]{32}$`);
  return {
    namespace,
    jobsStream,
    jobsSubjects: `${s}.jobs.>`,
    workersConsumer,
    resultsStream: `${S}_RESULTS`,
    resultsSubjects: `${s}.results.>`,
    plansStream: `${S}_PLANS`,
    plansSubjects: `${s}.plans.>`,
    exhaustedStream: `${S}_EXHAUSTED`,
    exhaustedConsumer: `${consumerPrefix}-exhausted`,
    maxDeliveriesAdvisory: `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${jobsStream}.${workersConsumer}`,
    jobSubject(jobKey: string): string {
      if (!jobKeyRe.test(jobKey)) throw new RangeError(`invalid job key ${JSON.stringify(jobKey)}`);
      return jobPrefix + jobKey;
    },
    scanJobsFilter: (scanId) => `${jobPrefix}${checkScanId(scanId)}.>`,
    jobKeyOfSubject(subject: string): string | null {
      if (!subject.startsWith(jobPrefix)) return null;
      const key = subject.slice(jobPrefix.length);
      return jobKeyRe.test(key) ? key : null;
    },
    resultsSubject: (scanId) => `${s}.results.${checkScanId(scanId)}`,
    plansSubject: (scanId) => `${s}.plans.${checkScanId(scanId)}`,
  };
}

/** Production's names. */
export const NATS_NAMES: NatsNames = natsNames();
