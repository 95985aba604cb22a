/**
 * The distributed transport over NATS JetStream — the one module that imports the NATS client (nats.js v2).
 * Names and timing defaults live in ./names.ts; the interfaces in ./types.ts.
 *
 * - Jobs: work-queue stream, one message per job on `mxsurvey.jobs.<jobKey>`, msg id = jobKey (publishing a job
 *   twice within the duplicate window is a no-op). One durable pull consumer shared by every worker; a worker
 *   pulls only as many messages as it has free slots, heartbeats (`+WPI`) the jobs it holds, publishes each
 *   result and awaits its PubAck before it acks the job with a confirmed ack (double ack).
 * - Results: limits stream, `mxsurvey.results.<scan_id>`, msg id = jobKey (a redelivered job's second result is
 *   dropped as a duplicate). The coordinator reads a scan's results with an ordered consumer from the first.
 * - Plans: limits stream, `mxsurvey.plans.<scan_id>`, chunks as JSON arrays.
 * - Exhausted jobs: the server's max-deliveries advisory is captured by a stream (so none is lost while no
 *   coordinator runs); watchExhaustedJobs() turns each into a callback with the job, then deletes the job.
 *
 * Checked against nats-server 2.9.10 (Debian 12): pull requests with batch/expires/idle_heartbeat, consumer
 * backoff (2.9 forces ack_wait = backoff[0]), max_ack_pending, duplicate_window, paged subjects_filter stream
 * info (100 000 subjects a page), consumer create-or-update by name, advisories captured into a stream.
 */

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import {
  AckPolicy,
  type ConnectionOptions,
  type Consumer,
  type ConsumerConfig,
  type ConsumerMessages,
  connect,
  credsAuthenticator,
  DeliverPolicy,
  DiscardPolicy,
  headers,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type MsgHdrs,
  type NatsConnection,
  nanos,
  type PubAck,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "nats";
import {
  type HostJob,
  type HostResult,
  type JobIdentity,
  jobKey,
  parseHostJob,
  parseJobIdentity,
  SCAN_ID_RE,
} from "../jobs.js";
import { failedJobRow } from "../rows.js";
import {
  ACK_WAIT_MS,
  BACKOFF_MS,
  EXHAUSTED_MAX_AGE_MS,
  FETCH_EXPIRES_MS,
  FETCH_IDLE_HEARTBEAT_MS,
  FLEET_CONCURRENCY,
  JOBS_DUPLICATE_WINDOW_MS,
  MAX_DELIVER,
  MAX_HOLD_MS,
  MAX_WAITING_PULLS,
  type NatsNames,
  natsNames,
  PLAN_PART_HEADER,
  PLAN_PARTS_HEADER,
  PLAN_SEQ_HEADER,
  PLANS_DUPLICATE_WINDOW_MS,
  PLANS_MAX_AGE_MS,
  PUBLISH_ATTEMPTS,
  PUBLISH_TIMEOUT_MS,
  PUBLISH_WINDOW,
  RESULTS_DUPLICATE_WINDOW_MS,
  RESULTS_MAX_AGE_MS,
} from "./names.js";
import type { CoordinatorTransport, JobDelivery, ResultDelivery, WorkerTransport } from "./types.js";

/* ------------------------------------------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------------------------------------------- */

/** Connecting failed: `code` is the client's code (CONNECTION_REFUSED, AUTHORIZATION_VIOLATION, ...). */
export class NatsConnectError extends Error {
  override readonly name = "NatsConnectError";
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A JetStream operation failed (setup, publish, ack): the message says what, `cause` the client's error. */
export class NatsTransportError extends Error {
  override readonly name = "NatsTransportError";
}

interface ApiErrorLike {
  code?: number;
  err_code?: number;
  description?: string;
}

function apiError(err: unknown): ApiErrorLike | undefined {
  return (err as { api_error?: ApiErrorLike } | null)?.api_error;
}

function errCode(err: unknown): string {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === "string" || typeof c === "number" ? String(c) : "";
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** JetStream API error codes (nats-server's errors.json) this module reacts to. */
const JS_ERR = {
  streamNotFound: 10059,
  consumerNotFound: 10014,
  streamNameInUse: 10058,
  noMessageFound: 10037,
  noMessageFoundDelete: 10057,
} as const;

function isApiErr(err: unknown, ...codes: number[]): boolean {
  const e = apiError(err);
  return e?.err_code !== undefined && codes.includes(e.err_code);
}

function isNoMessage(err: unknown): boolean {
  return (
    isApiErr(err, JS_ERR.noMessageFound, JS_ERR.noMessageFoundDelete) ||
    /no message found/i.test(errMessage(err))
  );
}

/* ------------------------------------------------------------------------------------------------------------
 * Connection
 * ---------------------------------------------------------------------------------------------------------- */

export interface NatsConnectOptions {
  /** `nats://host:port` (or several, comma separated or as an array, for a cluster). */
  url: string | string[];
  user?: string;
  password?: string;
  token?: string;
  /** A NATS credentials file (user JWT + nkey seed), as `nsc` writes it. */
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Client name shown in the server's connection list. */
  name?: string;
  /** Milliseconds to establish the first connection (default 10 s). */
  timeoutMs?: number;
}

/** A connection with its JetStream handles. Transports take one and close it on close(). */
export class NatsClient {
  readonly js: JetStreamClient;
  constructor(
    /** The underlying nats.js connection (for this module; other modules must not need it). */
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
  ) {
    this.js = nc.jetstream({ timeout: PUBLISH_TIMEOUT_MS });
  }

  /** The server's version, e.g. "2.9.10". */
  get serverVersion(): string {
    return this.nc.info?.version ?? "unknown";
  }

  /** The server's max_payload in bytes. */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  /** Flush and close (pending acks and publishes go out first). Idempotent. */
  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close().catch(() => {});
    }
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

const CONNECT_HINTS: Record<string, string> = {
  CONNECTION_REFUSED: "nothing listens there (is nats-server running? deploy/local/nats.sh start)",
  AUTHORIZATION_VIOLATION: "the server refused the credentials (user/password, token or creds file)",
  AUTHENTICATION_EXPIRED: "the credentials have expired",
  TIMEOUT: "no answer in time",
  DISCONNECT: "the connection was closed during the handshake",
};

/**
 * Connect to NATS and check that JetStream answers. Fails fast (no retry loop on the first connection) with a
 * NatsConnectError naming the server, the code and a hint; once connected, the client reconnects forever.
 */
export async function connectNats(opts: NatsConnectOptions): Promise<NatsClient> {
  const servers = Array.isArray(opts.url) ? opts.url : opts.url.split(",").map((s) => s.trim());
  const where = servers.map(redactUrl).join(", ");
  const co: ConnectionOptions = {
    servers,
    name: opts.name ?? "mxsurvey",
    timeout: opts.timeoutMs ?? 10_000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    pingInterval: 20_000,
  };
  if (opts.token !== undefined && (opts.user !== undefined || opts.password !== undefined)) {
    throw new NatsConnectError(`NATS: give either a token or a user and password, not both`, "BAD_OPTIONS");
  }
  if (opts.user !== undefined) co.user = opts.user;
  if (opts.password !== undefined) co.pass = opts.password;
  if (opts.token !== undefined) co.token = opts.token;
  if (opts.credsFile !== undefined) {
    let creds: Uint8Array;
    try {
      creds = readFileSync(opts.credsFile);
    } catch (err) {
      throw new NatsConnectError(
        `NATS credentials file ${opts.credsFile}: ${errMessage(err)}`,
        "CREDS_FILE",
        {
          cause: err,
        },
      );
    }
    co.authenticator = credsAuthenticator(creds);
  }
  if (opts.tls) {
    const tls: NonNullable<ConnectionOptions["tls"]> = {};
    for (const k of ["caFile", "certFile", "keyFile"] as const) {
      const f = opts.tls[k];
      if (f === undefined) continue;
      try {
        readFileSync(f);
      } catch (err) {
        throw new NatsConnectError(`NATS TLS ${k} ${f}: ${errMessage(err)}`, "TLS_FILE", { cause: err });
      }
      tls[k] = f;
    }
    co.tls = tls;
  }
  let nc: NatsConnection;
  try {
    nc = await connect(co);
  } catch (err) {
    const code = errCode(err) || "CONNECT_FAILED";
    const hint = CONNECT_HINTS[code];
    throw new NatsConnectError(
      `cannot connect to NATS at ${where}: ${code}${hint ? ` — ${hint}` : ""} (${errMessage(err)})`,
      code,
      { cause: err },
    );
  }
  try {
    const jsm = await nc.jetstreamManager({ timeout: PUBLISH_TIMEOUT_MS });
    return new NatsClient(nc, jsm);
  } catch (err) {
    await nc.close().catch(() => {});
    throw new NatsConnectError(
      `NATS at ${where} has no JetStream (start nats-server with -js / a jetstream block): ${errMessage(err)}`,
      "JETSTREAM_UNAVAILABLE",
      { cause: err },
    );
  }
}

/* ------------------------------------------------------------------------------------------------------------
 * Payloads
 * ---------------------------------------------------------------------------------------------------------- */

const te = new TextEncoder();
const td = new TextDecoder();

function encodeJson(v: unknown): Uint8Array {
  return te.encode(JSON.stringify(v));
}

function parseHostResult(data: Uint8Array): HostResult | null {
  let v: unknown;
  try {
    v = JSON.parse(td.decode(data));
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  const job = parseJobIdentity(o.job);
  if (!job || typeof o.row !== "object" || o.row === null) return null;
  return v as HostResult;
}

/* ------------------------------------------------------------------------------------------------------------
 * Small async helpers
 * ---------------------------------------------------------------------------------------------------------- */

/** Wake-up signal: wait() resolves on the next notify() (or after `ms`). */
class Signal {
  private waiters: (() => void)[] = [];
  notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  wait(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
      if (ms !== undefined) timer = setTimeout(done, ms);
    });
  }
}

/** Header carrying a message's msg id (set by the publish option msgID). */
const MSG_ID_HEADER = "Nats-Msg-Id";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Publish and await the PubAck, retrying with the same msg id (so a retry of a publish that did land is a
 * duplicate, not a second message). A publish the server rejects (400: wrong stream...) is not retried.
 */
async function publishDurable(
  js: JetStreamClient,
  subject: string,
  data: Uint8Array,
  opts: { msgID: string; stream: string; headers?: MsgHdrs; timeoutMs: number; attempts: number },
): Promise<PubAck> {
  let last: unknown;
  for (let i = 0; i < opts.attempts; i++) {
    try {
      const po: NonNullable<Parameters<JetStreamClient["publish"]>[2]> = {
        msgID: opts.msgID,
        timeout: opts.timeoutMs,
        expect: { streamName: opts.stream },
      };
      if (opts.headers) po.headers = opts.headers;
      return await js.publish(subject, data, po);
    } catch (err) {
      last = err;
      const code = errCode(err);
      if (code === "400" || code === "CONNECTION_CLOSED" || code === "BAD_SUBJECT") break;
      if (i + 1 < opts.attempts) await sleep(Math.min(250 * 2 ** i, 4_000));
    }
  }
  throw new NatsTransportError(
    `publish to ${subject} (stream ${opts.stream}) failed: ${errMessage(last)}${errCode(last) ? ` [${errCode(last)}]` : ""}`,
    { cause: last },
  );
}

const ms = (ns: number | undefined): number | undefined => (ns === undefined ? undefined : ns / 1e6);

/* ------------------------------------------------------------------------------------------------------------
 * Worker transport
 * ---------------------------------------------------------------------------------------------------------- */

export interface NatsWorkerOptions {
  /** Names of natsNames(namespace); "" (default) is production's. */
  namespace?: string;
  /** Lifetime of one pull request (default FETCH_EXPIRES_MS; at least 1000, a nats.js rule). */
  fetchExpiresMs?: number;
  /**
   * In-progress heartbeat interval for held jobs. Default: a third of the shortest ack deadline in the
   * consumer's configuration (ack_wait and backoff), read from the server. 0 turns automatic heartbeats off
   * (the holder must call working() itself).
   */
  heartbeatMs?: number;
  /** Stop heartbeating a job held this long (default MAX_HOLD_MS) so a wedged job is redelivered. */
  maxHoldMs?: number;
  /** PubAck / ack confirmation timeout (default PUBLISH_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Non-fatal problems (a malformed job, a failed pull, a consumer not yet created). Default: console.error. */
  onError?: (err: Error) => void;
}

interface ConsumerSettings {
  maxDeliver: number;
  heartbeatMs: number;
}

/**
 * Jobs waiting in the work queue for any worker: the shared consumer's pending count (not yet delivered), or
 * null while the consumer does not exist or the server does not answer (for the queue-depth metric).
 */
async function consumerPending(client: NatsClient, names: NatsNames): Promise<number | null> {
  try {
    return (await client.jsm.consumers.info(names.jobsStream, names.workersConsumer)).num_pending;
  } catch {
    return null;
  }
}

/**
 * Workers' side: pulls jobs from the shared durable consumer, never more than `maxInFlight` unacknowledged in
 * this process (the consumer's max_ack_pending caps the whole fleet).
 */
export class NatsWorkerTransport implements WorkerTransport {
  private readonly names: NatsNames;
  private readonly onError: (err: Error) => void;
  private readonly signal = new Signal();
  /** Notified only by stop(): interrupts back-off waits. */
  private readonly stopSignal = new Signal();
  private stopped = false;
  private running = false;
  /** Deliveries pulled (and heartbeating) but not yet handed out; given back on stop. */
  private readonly buffer: JobDelivery[] = [];
  private settings: ConsumerSettings = { maxDeliver: MAX_DELIVER, heartbeatMs: ACK_WAIT_MS / 3 };
  private readonly fetchTasks = new Set<Promise<void>>();
  private held = 0;
  private reserved = 0;

  constructor(
    private readonly client: NatsClient,
    private readonly opts: NatsWorkerOptions = {},
  ) {
    this.names = natsNames(opts.namespace ?? "");
    this.onError = opts.onError ?? ((err) => console.error(`mxsurvey nats worker: ${err.message}`));
    if (opts.fetchExpiresMs !== undefined && opts.fetchExpiresMs < 1_000) {
      throw new RangeError("fetchExpiresMs must be >= 1000");
    }
  }

  /** Jobs waiting in the work queue for any worker, or null when unknown (see consumerPending). */
  queuePending(): Promise<number | null> {
    return consumerPending(this.client, this.names);
  }

  /** Jobs held by this process right now (pulled and not yet completed or given back). */
  get inFlight(): number {
    return this.held;
  }

  async *jobs(maxInFlight: number): AsyncGenerator<JobDelivery> {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError("maxInFlight must be >= 1");
    if (this.running) throw new Error("jobs() is already running on this transport");
    this.running = true;
    try {
      const consumer = await this.openConsumer();
      if (!consumer) return;
      this.settings = await this.readSettings(consumer);
      let settingsAt = Date.now();
      const pump = this.pump(consumer, maxInFlight);
      try {
        while (true) {
          const d = this.buffer.shift();
          if (d) {
            yield d;
            continue;
          }
          if (this.stopped) break;
          if (Date.now() - settingsAt > 60_000) {
            // The coordinator may have changed the consumer (ack wait, max deliver) since.
            settingsAt = Date.now();
            this.readSettings(consumer)
              .then((s) => {
                this.settings = s;
              })
              .catch(() => {});
          }
          await this.signal.wait();
        }
      } finally {
        // The caller broke out of the loop: that is a stop.
        this.stopped = true;
        await this.giveBackBuffered();
        this.signal.notify();
        this.stopSignal.notify();
        await pump;
      }
    } finally {
      this.running = false;
    }
  }

  /** Keep pull requests outstanding for the free slots (free = maxInFlight - held - requested). */
  private async pump(consumer: Consumer, maxInFlight: number): Promise<void> {
    const expires = this.opts.fetchExpiresMs ?? FETCH_EXPIRES_MS;
    const idleHeartbeat = Math.min(FETCH_IDLE_HEARTBEAT_MS, Math.floor(expires / 2));
    // A new pull while another is outstanding only for a sizeable batch: slots freed one at a time during a
    // pull are picked up when it ends (it ends as soon as it is filled, or after `expires`).
    const batchThreshold = Math.max(1, Math.ceil(maxInFlight / 4));
    while (!this.stopped) {
      const free = maxInFlight - this.held - this.reserved;
      const threshold = this.fetchTasks.size === 0 ? 1 : batchThreshold;
      if (free >= threshold) {
        const task = this.fetchInto(consumer, free, expires, idleHeartbeat);
        this.fetchTasks.add(task);
        void task.finally(() => {
          this.fetchTasks.delete(task);
          this.signal.notify();
        });
        continue;
      }
      await this.signal.wait();
    }
    await Promise.all([...this.fetchTasks]);
  }

  private async fetchInto(
    consumer: Consumer,
    n: number,
    expires: number,
    idleHeartbeat: number,
  ): Promise<void> {
    this.reserved += n;
    let got = 0;
    try {
      const it = await consumer.fetch({ max_messages: n, expires, idle_heartbeat: idleHeartbeat });
      for await (const m of it) {
        got++;
        this.reserved--;
        this.held++;
        if (this.stopped) {
          this.nakQuietly(m);
          this.held--;
          continue;
        }
        // The delivery (and its heartbeat) starts now, not when the caller gets to it.
        const d = this.delivery(m, this.settings);
        if (d) {
          this.buffer.push(d);
          this.signal.notify();
        }
      }
    } catch (err) {
      this.onError(
        new NatsTransportError(`pull from ${this.names.workersConsumer} failed: ${errMessage(err)}`),
      );
      if (this.client.nc.isClosed()) {
        // Nothing more will come: end jobs().
        this.stopped = true;
        this.signal.notify();
      } else if (!this.stopped) {
        // Keep the reservation while backing off, so the pump does not spin on a failing pull.
        await this.stopSignal.wait(2_000);
      }
    } finally {
      this.reserved -= n - got;
    }
  }

  private async openConsumer(): Promise<Consumer | null> {
    let reported = false;
    while (!this.stopped) {
      try {
        return await this.client.js.consumers.get(this.names.jobsStream, this.names.workersConsumer);
      } catch (err) {
        if (this.client.nc.isClosed()) throw err;
        if (!reported) {
          reported = true;
          this.onError(
            new NatsTransportError(
              `waiting for consumer ${this.names.workersConsumer} on ${this.names.jobsStream} (has the coordinator run setup?): ${errMessage(err)}`,
            ),
          );
        }
        await this.stopSignal.wait(2_000);
      }
    }
    return null;
  }

  private async readSettings(consumer: Consumer): Promise<ConsumerSettings> {
    const ci = await consumer.info();
    const deadlines = [
      ms(ci.config.ack_wait) ?? ACK_WAIT_MS,
      ...(ci.config.backoff ?? []).map((ns) => ns / 1e6),
    ];
    const heartbeatMs = this.opts.heartbeatMs ?? Math.max(100, Math.floor(Math.min(...deadlines) / 3));
    return { maxDeliver: ci.config.max_deliver ?? -1, heartbeatMs };
  }

  private nakQuietly(m: JsMsg): void {
    try {
      m.nak();
    } catch {
      // connection closed: the job comes back after its ack wait
    }
  }

  private async giveBackBuffered(): Promise<void> {
    const pending = this.buffer.splice(0);
    await Promise.all(pending.map((d) => d.giveBack().catch(() => {})));
  }

  /** A worker that cannot read a job (e.g. a version older than the coordinator's) records why, as a row. */
  private async storeInvalidJobRow(job: JobIdentity, key: string, why: string): Promise<void> {
    const row = failedJobRow(job, "job_failed", `the job did not validate in this worker: ${why}`);
    const result: HostResult = { job, row, worker: `${hostname()}:${process.pid}`, attempt: 0 };
    await publishDurable(this.client.js, this.names.resultsSubject(job.scan_id), encodeJson(result), {
      msgID: key,
      stream: this.names.resultsStream,
      timeoutMs: this.opts.timeoutMs ?? PUBLISH_TIMEOUT_MS,
      attempts: PUBLISH_ATTEMPTS,
    });
  }

  private release(): void {
    this.held--;
    this.signal.notify();
  }

  private delivery(m: JsMsg, settings: ConsumerSettings): JobDelivery | null {
    const parsed = parseHostJob(m.data);
    const key = this.names.jobKeyOfSubject(m.subject);
    const identity = parseJobIdentity(m.data);
    if (!parsed.ok || key === null || jobKey(parsed.job) !== key) {
      const why = parsed.ok ? "its key does not match its subject" : parsed.error;
      this.onError(new NatsTransportError(`invalid job on ${m.subject} (stream seq ${m.seq}): ${why}`));
      // A job whose identity can be read gets a job_failed row (so its scan does not wait for it forever).
      const stored =
        identity && key !== null && jobKey(identity) === key
          ? this.storeInvalidJobRow(identity, key, why)
          : Promise.resolve();
      void stored
        .catch((err) =>
          this.onError(new NatsTransportError(`storing the row of invalid job ${key}`, { cause: err })),
        )
        .finally(() => {
          try {
            m.term();
          } catch {
            // ignored
          }
          this.release();
        });
      return null;
    }
    const job = parsed.job;
    const attempt = m.info.redeliveryCount;
    const { client, names } = this;
    const timeoutMs = this.opts.timeoutMs ?? PUBLISH_TIMEOUT_MS;
    let settled = false;
    let busy = false;
    let heartbeat: NodeJS.Timeout | undefined;
    const stopHeartbeat = () => {
      if (heartbeat) clearInterval(heartbeat);
      heartbeat = undefined;
    };
    if (settings.heartbeatMs > 0) {
      const since = Date.now();
      const maxHold = this.opts.maxHoldMs ?? MAX_HOLD_MS;
      heartbeat = setInterval(() => {
        if (Date.now() - since > maxHold || client.nc.isClosed()) {
          stopHeartbeat();
          return;
        }
        try {
          m.working();
        } catch {
          // disconnected: the next beat may get through
        }
      }, settings.heartbeatMs);
    }
    return {
      job,
      attempt,
      lastAttempt: settings.maxDeliver > 0 && attempt >= settings.maxDeliver,
      working: () => {
        if (settled) return;
        try {
          m.working();
        } catch {
          // disconnected: the automatic heartbeat or the next call may get through
        }
      },
      complete: async (result: HostResult) => {
        if (settled) throw new Error(`job ${key}: already completed or given back`);
        if (busy) throw new Error(`job ${key}: complete() is already running`);
        if (jobKey(result.job) !== key)
          throw new RangeError(`job ${key}: result is for job ${jobKey(result.job)}`);
        busy = true;
        try {
          await publishDurable(client.js, names.resultsSubject(job.scan_id), encodeJson(result), {
            msgID: key,
            stream: names.resultsStream,
            timeoutMs,
            attempts: PUBLISH_ATTEMPTS,
          });
        } catch (err) {
          // Still held (and heartbeating): the caller may retry complete() or give the job back.
          busy = false;
          throw err;
        }
        settled = true;
        stopHeartbeat();
        try {
          await m.ackAck({ timeout: timeoutMs });
        } catch (err) {
          throw new NatsTransportError(
            `job ${key}: result stored, but the ack was not confirmed (${errMessage(err)}); if the job is redelivered its second result is dropped as a duplicate`,
            { cause: err },
          );
        } finally {
          this.release();
        }
      },
      giveBack: async () => {
        if (settled) return;
        if (busy) throw new Error(`job ${key}: complete() is running`);
        settled = true;
        stopHeartbeat();
        this.nakQuietly(m);
        this.release();
        await client.nc.flush().catch(() => {});
      },
    };
  }

  /**
   * Stop pulling. Resolves once no pull request is outstanding (at most fetchExpiresMs): messages arriving
   * meanwhile, and pulled messages not yet handed out, are given back. Handed-out deliveries stay valid.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.giveBackBuffered();
    this.signal.notify();
    this.stopSignal.notify();
    await Promise.all([...this.fetchTasks]);
    await this.client.nc.flush().catch(() => {});
  }

  /** stop(), then flush and close the connection (held deliveries can no longer be acked). */
  async close(): Promise<void> {
    await this.stop();
    await this.client.close();
  }
}

/* ------------------------------------------------------------------------------------------------------------
 * Coordinator transport
 * ---------------------------------------------------------------------------------------------------------- */

export interface NatsCoordinatorOptions {
  namespace?: string;
  /**
   * Ack deadline of a job delivery (default ACK_WAIT_MS). With a backoff, the server uses backoffMs[0] as the
   * ack wait, so the two must agree. Giving ackWaitMs without backoffMs means no backoff.
   */
  ackWaitMs?: number;
  /** Ack deadline per delivery (default BACKOFF_MS when ackWaitMs is not given either). Each >= ackWaitMs. */
  backoffMs?: readonly number[];
  /** Deliveries per job, the first included (default MAX_DELIVER); > backoffMs.length. */
  maxDeliver?: number;
  /** The fleet's total probe concurrency: the consumer's max_ack_pending (default FLEET_CONCURRENCY). */
  fleetConcurrency?: number;
  /** Stream replicas (1 for a single server; 3 on a cluster). */
  replicas?: number;
  jobsDuplicateWindowMs?: number;
  resultsDuplicateWindowMs?: number;
  resultsMaxAgeMs?: number;
  /** Publishes in flight at once in publishJobs (default PUBLISH_WINDOW). */
  publishWindow?: number;
  timeoutMs?: number;
  onError?: (err: Error) => void;
}

interface Stoppable {
  stop(): void;
}

/** Coordinator's side: streams and consumers, job publishing, results, plans, exhausted jobs. */
export class NatsCoordinatorTransport implements CoordinatorTransport {
  readonly names: NatsNames;
  private readonly onError: (err: Error) => void;
  private readonly ackWaitMs: number;
  private readonly backoffMs: readonly number[];
  private readonly maxDeliver: number;
  private readonly timeoutMs: number;
  private stopped = false;
  private readonly active = new Set<Stoppable>();
  private readonly watchers = new Set<() => Promise<void>>();

  constructor(
    private readonly client: NatsClient,
    private readonly opts: NatsCoordinatorOptions = {},
  ) {
    this.names = natsNames(opts.namespace ?? "");
    this.onError = opts.onError ?? ((err) => console.error(`mxsurvey nats coordinator: ${err.message}`));
    this.timeoutMs = opts.timeoutMs ?? PUBLISH_TIMEOUT_MS;
    this.ackWaitMs = opts.ackWaitMs ?? ACK_WAIT_MS;
    this.backoffMs = opts.backoffMs ?? (opts.ackWaitMs === undefined ? BACKOFF_MS : []);
    this.maxDeliver = opts.maxDeliver ?? MAX_DELIVER;
    if (!(this.ackWaitMs >= 1)) throw new RangeError("ackWaitMs must be >= 1");
    if (this.backoffMs.length > 0) {
      if (this.backoffMs[0] !== this.ackWaitMs) {
        throw new RangeError(`backoffMs[0] (${this.backoffMs[0]}) must equal ackWaitMs (${this.ackWaitMs})`);
      }
      if (this.backoffMs.some((b) => b < this.ackWaitMs))
        throw new RangeError("every backoffMs entry must be >= ackWaitMs");
      if (this.maxDeliver !== -1 && this.maxDeliver <= this.backoffMs.length) {
        throw new RangeError("maxDeliver must be > backoffMs.length (server rule)");
      }
    }
    if (this.maxDeliver === 0 || this.maxDeliver < -1)
      throw new RangeError("maxDeliver must be >= 1 (or -1)");
  }

  /** Jobs waiting in the work queue for any worker, or null when unknown (see consumerPending). */
  queuePending(): Promise<number | null> {
    return consumerPending(this.client, this.names);
  }

  private get jsm(): JetStreamManager {
    return this.client.jsm;
  }

  /** Create or update the streams and consumers (idempotent; safe to run from several coordinators). */
  async setup(): Promise<void> {
    const n = this.names;
    const replicas = this.opts.replicas ?? 1;
    await this.ensureStream({
      name: n.jobsStream,
      description: "mxsurvey host jobs (work queue)",
      subjects: [n.jobsSubjects],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      duplicate_window: nanos(this.opts.jobsDuplicateWindowMs ?? JOBS_DUPLICATE_WINDOW_MS),
      num_replicas: replicas,
    });
    await this.ensureStream({
      name: n.resultsStream,
      description: "mxsurvey probe results (msg id = job key)",
      subjects: [n.resultsSubjects],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(this.opts.resultsMaxAgeMs ?? RESULTS_MAX_AGE_MS),
      duplicate_window: nanos(this.opts.resultsDuplicateWindowMs ?? RESULTS_DUPLICATE_WINDOW_MS),
      num_replicas: replicas,
    });
    await this.ensureStream({
      name: n.plansStream,
      description: "mxsurvey saved scan plans",
      subjects: [n.plansSubjects],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(PLANS_MAX_AGE_MS),
      duplicate_window: nanos(PLANS_DUPLICATE_WINDOW_MS),
      num_replicas: replicas,
    });
    await this.ensureStream({
      name: n.exhaustedStream,
      description: "max-deliveries advisories of the mxsurvey job consumer, until handled",
      subjects: [n.maxDeliveriesAdvisory],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(EXHAUSTED_MAX_AGE_MS),
      num_replicas: replicas,
    });
    await this.ensureConsumer(n.jobsStream, {
      durable_name: n.workersConsumer,
      description: "mxsurvey workers (shared by the whole fleet)",
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      filter_subject: n.jobsSubjects,
      ack_wait: nanos(this.ackWaitMs),
      backoff: this.backoffMs.map((b) => nanos(b)),
      max_deliver: this.maxDeliver,
      max_ack_pending: this.opts.fleetConcurrency ?? FLEET_CONCURRENCY,
      max_waiting: MAX_WAITING_PULLS,
    });
    await this.ensureConsumer(n.exhaustedStream, {
      durable_name: n.exhaustedConsumer,
      description: "mxsurvey coordinator: jobs that exhausted their deliveries",
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      ack_wait: nanos(60_000),
      max_deliver: -1,
      max_ack_pending: 64,
    });
  }

  private async ensureStream(cfg: Partial<StreamConfig> & { name: string }): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let existing: StreamConfig;
      try {
        existing = (await this.jsm.streams.info(cfg.name)).config;
      } catch (err) {
        if (!isApiErr(err, JS_ERR.streamNotFound)) throw this.setupError(`stream ${cfg.name}: info`, err);
        try {
          await this.jsm.streams.add(cfg);
          return;
        } catch (addErr) {
          // Another coordinator created it meanwhile: compare with what it made.
          if (attempt === 0 && isApiErr(addErr, JS_ERR.streamNameInUse)) continue;
          throw this.setupError(`stream ${cfg.name}: create`, addErr);
        }
      }
      if (existing.retention !== cfg.retention || existing.storage !== cfg.storage) {
        throw new NatsTransportError(
          `stream ${cfg.name} exists with retention ${existing.retention}/storage ${existing.storage}, not ${cfg.retention}/${cfg.storage}; these cannot be changed: delete it or use another namespace`,
        );
      }
      const same =
        JSON.stringify([...(existing.subjects ?? [])].sort()) ===
          JSON.stringify([...(cfg.subjects ?? [])].sort()) &&
        (cfg.duplicate_window === undefined || existing.duplicate_window === cfg.duplicate_window) &&
        (cfg.max_age === undefined || existing.max_age === cfg.max_age) &&
        (cfg.num_replicas === undefined || existing.num_replicas === cfg.num_replicas) &&
        (cfg.description === undefined || existing.description === cfg.description);
      if (same) return;
      try {
        await this.jsm.streams.update(cfg.name, { ...existing, ...cfg });
        return;
      } catch (err) {
        throw this.setupError(`stream ${cfg.name}: update`, err);
      }
    }
  }

  private async ensureConsumer(stream: string, cfg: Partial<ConsumerConfig> & { durable_name: string }) {
    let existing: ConsumerConfig;
    try {
      existing = (await this.jsm.consumers.info(stream, cfg.durable_name)).config;
    } catch (err) {
      if (!isApiErr(err, JS_ERR.consumerNotFound))
        throw this.setupError(`consumer ${cfg.durable_name}: info`, err);
      try {
        await this.jsm.consumers.add(stream, cfg);
        return;
      } catch (addErr) {
        throw this.setupError(`consumer ${cfg.durable_name} on ${stream}: create`, addErr);
      }
    }
    if ((existing.filter_subject ?? "") !== (cfg.filter_subject ?? "")) {
      throw new NatsTransportError(
        `consumer ${cfg.durable_name} on ${stream} filters ${existing.filter_subject}, not ${cfg.filter_subject}: delete it`,
      );
    }
    const editable = ["ack_wait", "max_deliver", "max_ack_pending", "description"] as const;
    const changed =
      editable.some((k) => cfg[k] !== undefined && existing[k] !== cfg[k]) ||
      JSON.stringify(existing.backoff ?? []) !== JSON.stringify(cfg.backoff ?? []);
    if (!changed) return;
    const update: Partial<ConsumerConfig> = { backoff: cfg.backoff ?? [] };
    for (const k of editable) if (cfg[k] !== undefined) Object.assign(update, { [k]: cfg[k] });
    try {
      await this.jsm.consumers.update(stream, cfg.durable_name, update);
    } catch (err) {
      throw this.setupError(`consumer ${cfg.durable_name} on ${stream}: update`, err);
    }
  }

  private setupError(what: string, err: unknown): NatsTransportError {
    const api = apiError(err);
    const detail = api ? `${api.description} (err_code ${api.err_code})` : errMessage(err);
    return new NatsTransportError(`NATS setup, ${what}: ${detail}`, { cause: err });
  }

  /**
   * Publish jobs with msg id = jobKey, pipelined (at most `publishWindow` PubAcks outstanding). `published`
   * counts new messages, `duplicates` the PubAcks flagged duplicate (already queued within the window).
   */
  async publishJobs(jobs: Iterable<HostJob>): Promise<{ published: number; duplicates: number }> {
    const window = Math.max(1, this.opts.publishWindow ?? PUBLISH_WINDOW);
    // A counter and one waiter (not Promise.race over the in-flight set, which is O(window) per publish).
    let inflight = 0;
    let wake: (() => void) | null = null;
    const slotFreed = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      });
    let published = 0;
    let duplicates = 0;
    let failure: unknown;
    for (const j of jobs) {
      if (failure !== undefined) break;
      const parsed = parseHostJob(j);
      if (!parsed.ok) {
        failure = new RangeError(`invalid job for ${j.hostname} ${j.ip}: ${parsed.error}`);
        break;
      }
      const job = parsed.job;
      const key = jobKey(job);
      inflight++;
      publishDurable(this.client.js, this.names.jobSubject(key), encodeJson(job), {
        msgID: key,
        stream: this.names.jobsStream,
        timeoutMs: this.timeoutMs,
        attempts: PUBLISH_ATTEMPTS,
      })
        .then(
          (pa) => {
            if (pa.duplicate) duplicates++;
            else published++;
          },
          (err) => {
            failure ??= err;
          },
        )
        .finally(() => {
          inflight--;
          const w = wake;
          wake = null;
          w?.();
        });
      while (inflight >= window) await slotFreed();
    }
    while (inflight > 0) await slotFreed();
    if (failure !== undefined) throw failure;
    return { published, duplicates };
  }

  /**
   * Keys of the scan's jobs that have a result in the RESULTS stream: the msg ids (= jobKey) of the scan's
   * results, read with a headers-only ordered consumer up to the last one stored now.
   */
  async doneJobKeys(scanId: string): Promise<Set<string>> {
    const keys = new Set<string>();
    const subject = this.names.resultsSubject(scanId);
    let lastSeq: number;
    try {
      lastSeq = (await this.jsm.streams.getMessage(this.names.resultsStream, { last_by_subj: subject })).seq;
    } catch (err) {
      if (isNoMessage(err)) return keys;
      throw new NatsTransportError(`done jobs of ${scanId}: ${errMessage(err)}`, { cause: err });
    }
    const oc = await this.client.js.consumers.get(this.names.resultsStream, {
      filterSubjects: subject,
      headers_only: true,
    });
    const it = await oc.consume({ max_messages: 10_000, expires: 30_000 });
    try {
      for await (const m of it) {
        const id = m.headers?.get(MSG_ID_HEADER);
        if (id) keys.add(id);
        if (m.seq >= lastSeq) break;
      }
    } finally {
      it.stop();
      await oc.delete().catch(() => {});
    }
    return keys;
  }

  /**
   * Keys of the scan's jobs still in the work queue: queued, in flight, or exhausted and not yet handled by
   * watchExhaustedJobs. Stream info with subjects_filter (nats.js pages through 100 000 subjects a page).
   */
  async pendingJobKeys(scanId: string): Promise<Set<string>> {
    const filter = this.names.scanJobsFilter(scanId);
    let si: Awaited<ReturnType<JetStreamManager["streams"]["info"]>>;
    try {
      si = await this.jsm.streams.info(this.names.jobsStream, { subjects_filter: filter });
    } catch (err) {
      throw new NatsTransportError(`pending jobs of ${scanId}: ${errMessage(err)}`, { cause: err });
    }
    const keys = new Set<string>();
    for (const subject of Object.keys(si.state.subjects ?? {})) {
      const key = this.names.jobKeyOfSubject(subject);
      if (key !== null) keys.add(key);
    }
    return keys;
  }

  /**
   * The scan's results from the first ever published, then live ones, until stop() (an ordered consumer: no
   * server-side state to clean up, replayed in full by every call). `ack()` resolves at once: results are
   * kept by the stream's limits, not by acks; the sink must be idempotent by job key anyway.
   */
  async *results(scanId: string): AsyncGenerator<ResultDelivery> {
    const subject = this.names.resultsSubject(scanId);
    if (this.stopped) return;
    const oc = await this.client.js.consumers.get(this.names.resultsStream, { filterSubjects: subject });
    const it = await oc.consume({ max_messages: 1_000, expires: 30_000 });
    const handle = { stop: () => it.stop() };
    this.active.add(handle);
    try {
      if (this.stopped) return;
      for await (const m of it) {
        const result = parseHostResult(m.data);
        if (!result) {
          this.onError(
            new NatsTransportError(`malformed result on ${m.subject} (stream seq ${m.seq}): skipped`),
          );
          continue;
        }
        yield { result, ack: () => Promise.resolve() };
      }
    } finally {
      this.active.delete(handle);
      it.stop();
      await oc.delete().catch(() => {});
    }
  }

  /**
   * Publish a result on the coordinator's behalf (e.g. the `job_failed` row of an exhausted job), with
   * msg id = jobKey like a worker's: if a late worker's result got there first, this one is the duplicate.
   */
  async publishResult(result: HostResult): Promise<{ duplicate: boolean }> {
    const key = jobKey(result.job);
    const pa = await publishDurable(
      this.client.js,
      this.names.resultsSubject(result.job.scan_id),
      encodeJson(result),
      {
        msgID: key,
        stream: this.names.resultsStream,
        timeoutMs: this.timeoutMs,
        attempts: PUBLISH_ATTEMPTS,
      },
    );
    return { duplicate: pa.duplicate };
  }

  /**
   * Save one plan chunk. A chunk larger than the server's max_payload is split into parts (headers say
   * seq / part / parts); msg id = scan, seq and part, so saving the same chunk again within the duplicate
   * window is a no-op, and a later re-save is skipped by loadPlan (dedupe by seq).
   */
  async savePlan(scanId: string, chunk: readonly unknown[], seq: number): Promise<void> {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`plan chunk seq must be an integer >= 0`);
    const subject = this.names.plansSubject(scanId);
    const budget = this.client.maxPayload - 8 * 1024;
    const parts: string[][] = [[]];
    let size = 2;
    for (const item of chunk) {
      const s = JSON.stringify(item) ?? "null";
      const len = Buffer.byteLength(s) + 1;
      if (len + 2 > budget)
        throw new RangeError(`plan item of ${len} bytes exceeds the server's max_payload`);
      if (size + len > budget) {
        parts.push([]);
        size = 2;
      }
      parts[parts.length - 1]!.push(s);
      size += len;
    }
    for (let i = 0; i < parts.length; i++) {
      const h = headers();
      h.set(PLAN_SEQ_HEADER, String(seq));
      h.set(PLAN_PART_HEADER, String(i));
      h.set(PLAN_PARTS_HEADER, String(parts.length));
      await publishDurable(this.client.js, subject, te.encode(`[${parts[i]!.join(",")}]`), {
        msgID: `plan.${scanId}.${seq}.${i}.${parts.length}`,
        stream: this.names.plansStream,
        headers: h,
        timeoutMs: this.timeoutMs,
        attempts: PUBLISH_ATTEMPTS,
      });
    }
  }

  /** Every scan with a saved plan, oldest first (scan ids sort by time). [] before setup. */
  async listScans(): Promise<string[]> {
    const prefix = this.names.plansSubjects.slice(0, -1);
    let si: Awaited<ReturnType<JetStreamManager["streams"]["info"]>>;
    try {
      si = await this.jsm.streams.info(this.names.plansStream, { subjects_filter: this.names.plansSubjects });
    } catch (err) {
      if (isApiErr(err, JS_ERR.streamNotFound)) return [];
      throw new NatsTransportError(`list scans: ${errMessage(err)}`, { cause: err });
    }
    return Object.keys(si.state.subjects ?? {})
      .filter((s) => s.startsWith(prefix))
      .map((s) => s.slice(prefix.length))
      .filter((id) => SCAN_ID_RE.test(id))
      .sort();
  }

  /** The items of every saved chunk of the scan's plan, chunk by chunk in saving order, each seq once. */
  async *loadPlan(scanId: string): AsyncGenerator<unknown> {
    const subject = this.names.plansSubject(scanId);
    let lastSeq: number;
    try {
      lastSeq = (await this.jsm.streams.getMessage(this.names.plansStream, { last_by_subj: subject })).seq;
    } catch (err) {
      if (isNoMessage(err)) return;
      throw new NatsTransportError(`load plan of ${scanId}: ${errMessage(err)}`, { cause: err });
    }
    const oc = await this.client.js.consumers.get(this.names.plansStream, { filterSubjects: subject });
    const it = await oc.consume({ max_messages: 64, expires: 30_000 });
    const done = new Set<number>();
    const partial = new Map<string, (unknown[] | undefined)[]>();
    try {
      for await (const m of it) {
        const seq = Number(m.headers?.get(PLAN_SEQ_HEADER) ?? Number.NaN);
        const part = Number(m.headers?.get(PLAN_PART_HEADER) ?? 0);
        const parts = Number(m.headers?.get(PLAN_PARTS_HEADER) ?? 1);
        if (Number.isInteger(seq) && !done.has(seq) && part >= 0 && part < parts) {
          let items: unknown;
          try {
            items = JSON.parse(td.decode(m.data));
          } catch {
            items = undefined;
          }
          if (Array.isArray(items)) {
            const k = `${seq}/${parts}`;
            const got = partial.get(k) ?? new Array<unknown[] | undefined>(parts).fill(undefined);
            got[part] = items;
            partial.set(k, got);
            if (got.every((g) => g !== undefined)) {
              done.add(seq);
              for (const key of [...partial.keys()]) if (key.startsWith(`${seq}/`)) partial.delete(key);
              for (const g of got) yield* g!;
            }
          } else {
            this.onError(
              new NatsTransportError(`malformed plan chunk on ${m.subject} (stream seq ${m.seq})`),
            );
          }
        }
        if (m.seq >= lastSeq) break;
      }
    } finally {
      it.stop();
      await oc.delete().catch(() => {});
    }
  }

  /**
   * Turn jobs that exhausted their deliveries into callbacks. The server's max-deliveries advisory for the
   * workers' consumer is captured by the EXHAUSTED stream (set up by setup()), so advisories raised while no
   * coordinator runs wait there. For each: fetch the job by stream sequence, call `onExhausted(job)`, delete
   * the job from the work queue, ack the advisory. A failing callback is retried later (the callback must be
   * idempotent, e.g. publishResult with msg id = jobKey). Note that the server raises the advisory lazily:
   * when the last delivery's deadline has passed *and* a worker pulls. Returns the function that stops
   * watching (resolves once the callback in progress, if any, has finished).
   */
  async watchExhaustedJobs(onExhausted: (job: JobIdentity) => Promise<void>): Promise<() => Promise<void>> {
    const n = this.names;
    const consumer = await this.client.js.consumers.get(n.exhaustedStream, n.exhaustedConsumer);
    const it: ConsumerMessages = await consumer.consume({ max_messages: 16, expires: 30_000 });
    const loop = (async () => {
      for await (const m of it) {
        try {
          await this.handleAdvisory(m, onExhausted);
        } catch (err) {
          this.onError(new NatsTransportError(`exhausted job advisory ${m.seq}: ${errMessage(err)}`));
          try {
            m.nak(5_000);
          } catch {
            // connection closed: redelivered after the ack wait
          }
        }
      }
    })().catch((err) => {
      this.onError(
        new NatsTransportError(`exhausted-jobs watcher stopped: ${errMessage(err)}`, { cause: err }),
      );
    });
    const unwatch = async () => {
      this.watchers.delete(unwatch);
      it.stop();
      await loop;
    };
    this.watchers.add(unwatch);
    return unwatch;
  }

  private async handleAdvisory(m: JsMsg, onExhausted: (job: JobIdentity) => Promise<void>): Promise<void> {
    const jobs = this.names.jobsStream;
    let adv: { stream?: unknown; stream_seq?: unknown };
    try {
      adv = JSON.parse(td.decode(m.data));
    } catch {
      adv = {};
    }
    if (adv.stream !== jobs || typeof adv.stream_seq !== "number") {
      this.onError(
        new NatsTransportError(`unexpected advisory on ${m.subject}: ${td.decode(m.data).slice(0, 200)}`),
      );
      m.term();
      return;
    }
    const seq = adv.stream_seq;
    let data: Uint8Array;
    try {
      data = (await this.jsm.streams.getMessage(jobs, { seq })).data;
    } catch (err) {
      // Gone already: acked by a late worker, or handled before (a redelivered advisory).
      if (isNoMessage(err)) {
        await m.ackAck();
        return;
      }
      throw err;
    }
    const parsed = parseHostJob(data);
    const job = parsed.ok ? parsed.job : parseJobIdentity(data);
    if (job) await onExhausted(job);
    else this.onError(new NatsTransportError(`exhausted message ${seq} in ${jobs} is not a job: deleted`));
    try {
      await this.jsm.streams.deleteMessage(jobs, seq);
    } catch (err) {
      if (!isNoMessage(err)) throw err;
    }
    await m.ackAck();
  }

  /** Stop results() iterators and exhausted-job watchers. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const a of this.active) a.stop();
    await Promise.all([...this.watchers].map((unwatch) => unwatch()));
  }

  async close(): Promise<void> {
    await this.stop();
    await this.client.close();
  }
}
