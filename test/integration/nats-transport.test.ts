/**
 * The NATS JetStream transport against a real nats-server (Debian's 2.9.x, started by deploy/local/nats.sh via
 * test/helpers/nats.ts, or MXSURVEY_NATS_URL). Every test works in its own namespace (natsNames(ns)), so tests
 * never see each other's streams; timing-dependent tests use ack waits of a second or two and poll with
 * deadlines instead of sleeping a fixed time.
 */

import { headers } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type HostJob,
  type HostResult,
  type JobIdentity,
  jobIdentity,
  jobKey,
  newScanId,
} from "../../shared/jobs.js";
import { failedJobRow } from "../../shared/rows.js";
import {
  natsNames,
  PLAN_PART_HEADER,
  PLAN_PARTS_HEADER,
  PLAN_SEQ_HEADER,
} from "../../shared/transport/names.js";
import {
  connectNats,
  type NatsClient,
  NatsConnectError,
  type NatsCoordinatorOptions,
  NatsCoordinatorTransport,
  type NatsWorkerOptions,
  NatsWorkerTransport,
} from "../../shared/transport/nats.js";
import type { JobDelivery, ResultDelivery } from "../../shared/transport/types.js";
import { jobsWithEveryField } from "../helpers/jobs.js";
import { type NatsInstance, startNats } from "../helpers/nats.js";

let server: NatsInstance;
const clients: NatsClient[] = [];
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startNats();
}, 120_000);

afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f().catch(() => {});
  for (const c of clients.splice(0)) await c.close().catch(() => {});
});

afterAll(async () => {
  await server?.stop();
}, 60_000);

let nsCounter = 0;
/** A fresh namespace whose streams are deleted after the test. */
function namespace(): string {
  const ns = `t${process.pid}_${++nsCounter}_${Math.random().toString(36).slice(2, 6)}`;
  cleanups.push(async () => {
    const c = await connectNats({ url: server.url, name: "cleanup" });
    const n = natsNames(ns);
    for (const s of [n.jobsStream, n.resultsStream, n.plansStream, n.exhaustedStream]) {
      await c.jsm.streams.delete(s).catch(() => {});
    }
    await c.close();
  });
  return ns;
}

async function client(name = "test"): Promise<NatsClient> {
  const c = await connectNats({ url: server.url, name });
  clients.push(c);
  return c;
}

async function coordinator(ns: string, opts: NatsCoordinatorOptions = {}): Promise<NatsCoordinatorTransport> {
  const t = new NatsCoordinatorTransport(await client("coordinator"), { namespace: ns, ...opts });
  cleanups.push(() => t.stop());
  return t;
}

async function worker(ns: string, opts: NatsWorkerOptions = {}): Promise<NatsWorkerTransport> {
  const t = new NatsWorkerTransport(await client("worker"), {
    namespace: ns,
    fetchExpiresMs: 1_000,
    ...opts,
  });
  cleanups.push(() => t.stop());
  return t;
}

const makeJobs = jobsWithEveryField;

function resultOf(job: HostJob, attempt = 1, worker = "test-worker"): HostResult {
  return { job: jobIdentity(job), row: failedJobRow(job, "unknown_failure", "test row"), worker, attempt };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor<T>(
  what: string,
  f: () => T | Promise<T>,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Run a worker's jobs() loop in the background, handing every delivery to `onJob`. */
function drive(w: NatsWorkerTransport, maxInFlight: number, onJob: (d: JobDelivery) => void): Promise<void> {
  return (async () => {
    for await (const d of w.jobs(maxInFlight)) onJob(d);
  })();
}

async function streamMessages(c: NatsClient, stream: string): Promise<number> {
  return (await c.jsm.streams.info(stream)).state.messages;
}

async function collectResults(
  t: NatsCoordinatorTransport,
  scanId: string,
  count: number,
  timeoutMs = 20_000,
): Promise<ResultDelivery[]> {
  const out: ResultDelivery[] = [];
  const timer = setTimeout(() => void t.stop(), timeoutMs);
  try {
    for await (const d of t.results(scanId)) {
      out.push(d);
      await d.ack();
      if (out.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

describe("NATS JetStream transport (real nats-server)", () => {
  it("setup is idempotent, applies the options, updates a changed consumer and refuses an incompatible stream", async () => {
    const ns = namespace();
    const n = natsNames(ns);
    const c1 = await coordinator(ns, { fleetConcurrency: 123 });
    await c1.setup();
    await c1.setup();
    await (await coordinator(ns, { fleetConcurrency: 123 })).setup();
    const admin = await client();
    const ci = await admin.jsm.consumers.info(n.jobsStream, n.workersConsumer);
    expect(ci.config.ack_wait).toBe(60_000 * 1e6);
    expect(ci.config.backoff).toEqual([60_000, 120_000, 300_000, 600_000].map((ms) => ms * 1e6));
    expect(ci.config.max_deliver).toBe(5);
    expect(ci.config.max_ack_pending).toBe(123);
    expect(ci.config.filter_subject).toBe(n.jobsSubjects);
    const jobs = await admin.jsm.streams.info(n.jobsStream);
    expect(jobs.config.retention).toBe("workqueue");
    expect(jobs.config.duplicate_window).toBe(20 * 60_000 * 1e6);
    const results = await admin.jsm.streams.info(n.resultsStream);
    expect(results.config.retention).toBe("limits");
    expect(results.config.max_age).toBe(30 * 24 * 3_600_000 * 1e6);
    const exhausted = await admin.jsm.streams.info(n.exhaustedStream);
    expect(exhausted.config.subjects).toEqual([n.maxDeliveriesAdvisory]);

    // Other settings: the consumer is updated in place.
    await (await coordinator(ns, { ackWaitMs: 2_000, maxDeliver: 3, fleetConcurrency: 7 })).setup();
    const ci2 = await admin.jsm.consumers.info(n.jobsStream, n.workersConsumer);
    expect(ci2.config.ack_wait).toBe(2_000 * 1e6);
    expect(ci2.config.backoff ?? []).toEqual([]);
    expect(ci2.config.max_deliver).toBe(3);
    expect(ci2.config.max_ack_pending).toBe(7);

    // A stream of our name with another retention cannot be converted: a clear error.
    const ns2 = namespace();
    const n2 = natsNames(ns2);
    await admin.jsm.streams.add({
      name: n2.plansStream,
      subjects: [n2.plansSubjects],
      retention: "workqueue" as never,
    });
    await expect((await coordinator(ns2)).setup()).rejects.toThrow(/retention workqueue.*cannot be changed/);

    // Options the server would refuse are refused up front.
    const c = await client();
    expect(() => new NatsCoordinatorTransport(c, { ackWaitMs: 1_000, backoffMs: [2_000] })).toThrow(
      /backoffMs\[0\]/,
    );
    expect(
      () => new NatsCoordinatorTransport(c, { ackWaitMs: 1_000, backoffMs: [1_000, 2_000], maxDeliver: 2 }),
    ).toThrow(/maxDeliver/);
  }, 60_000);

  it("publishing the same jobs twice: the second time all are duplicates, the stream holds each once", async () => {
    const ns = namespace();
    const c = await coordinator(ns);
    await c.setup();
    const scan = newScanId();
    const jobs = makeJobs(scan, 5_000);
    const t0 = Date.now();
    expect(await c.publishJobs(jobs)).toEqual({ published: 5_000, duplicates: 0 });
    const firstMs = Date.now() - t0;
    expect(await c.publishJobs(jobs)).toEqual({ published: 0, duplicates: 5_000 });
    // A generator works too, and a partly new batch counts both.
    function* more() {
      yield* makeJobs(scan, 10, 4_995);
    }
    expect(await c.publishJobs(more())).toEqual({ published: 5, duplicates: 5 });
    const admin = await client();
    expect(await streamMessages(admin, natsNames(ns).jobsStream)).toBe(5_005);
    expect((await c.pendingJobKeys(scan)).size).toBe(5_005);
    console.log(`publishJobs: 5000 jobs in ${firstMs} ms (${Math.round(5_000_000 / firstMs)}/s)`);
    await expect(c.publishJobs([{ ...jobs[0]!, scan_id: "not-a-scan" }])).rejects.toThrow(/invalid job/);
  }, 60_000);

  it("two workers share one consumer: each job is received exactly once, never more than maxInFlight held", async () => {
    const ns = namespace();
    const c = await coordinator(ns);
    await c.setup();
    const scan = newScanId();
    const jobs = makeJobs(scan, 60);
    await c.publishJobs(jobs);
    const wa = await worker(ns);
    const wb = await worker(ns);
    const got = { a: [] as string[], b: [] as string[] };
    const maxHeld = { a: 0, b: 0 };
    const handler = (name: "a" | "b", w: NatsWorkerTransport) => (d: JobDelivery) => {
      got[name].push(jobKey(d.job));
      maxHeld[name] = Math.max(maxHeld[name], w.inFlight);
      expect(d.attempt).toBe(1);
      expect(d.lastAttempt).toBe(false);
      void sleep(30).then(() => d.complete(resultOf(d.job, d.attempt, name)));
    };
    const runA = drive(wa, 4, handler("a", wa));
    const runB = drive(wb, 4, handler("b", wb));
    await waitFor("all jobs received", () => got.a.length + got.b.length >= jobs.length);
    await waitFor("queue drained", async () => (await c.pendingJobKeys(scan)).size === 0);
    const all = [...got.a, ...got.b];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(jobs.map(jobKey)));
    expect(got.a.length).toBeGreaterThan(0);
    expect(got.b.length).toBeGreaterThan(0);
    expect(maxHeld.a).toBeLessThanOrEqual(4);
    expect(maxHeld.b).toBeLessThanOrEqual(4);
    const results = await collectResults(c, scan, jobs.length);
    expect(new Set(results.map((r) => jobKey(r.result.job)))).toEqual(new Set(jobs.map(jobKey)));
    await wa.stop();
    await wb.stop();
    await runA;
    await runB;
  }, 60_000);

  it("complete() stores the result before it acks: results() sees it, the job leaves the queue", async () => {
    const ns = namespace();
    const n = natsNames(ns);
    const c = await coordinator(ns);
    await c.setup();
    const scan = newScanId();
    const [job] = makeJobs(scan, 1);
    await c.publishJobs([job!]);
    const w = await worker(ns);
    const it = w.jobs(1)[Symbol.asyncIterator]();
    const d = (await it.next()).value as JobDelivery;
    expect(d.job).toEqual(job);
    const admin = await client();
    expect(await streamMessages(admin, n.resultsStream)).toBe(0);
    await expect(d.complete({ ...resultOf(job!), job: makeJobs(scan, 1, 1)[0]! })).rejects.toThrow(
      /result is for job/,
    );
    await d.complete(resultOf(job!));
    // Resolved: the result is stored and the ack confirmed, so both are visible right away.
    expect(await streamMessages(admin, n.resultsStream)).toBe(1);
    expect(await streamMessages(admin, n.jobsStream)).toBe(0);
    expect((await c.pendingJobKeys(scan)).size).toBe(0);
    expect(await c.doneJobKeys(scan)).toEqual(new Set([jobKey(job!)]));
    await expect(d.complete(resultOf(job!))).rejects.toThrow(/already completed/);
    const [r] = await collectResults(c, scan, 1);
    expect(r!.result.job).toEqual(jobIdentity(job!));
    expect(r!.result.worker).toBe("test-worker");
    await w.stop();
    expect((await it.next()).done).toBe(true);
  }, 60_000);

  it("a job taken and never acked is redelivered to another worker after the ack wait", async () => {
    const ns = namespace();
    const c = await coordinator(ns, { ackWaitMs: 1_500, maxDeliver: 5 });
    await c.setup();
    const scan = newScanId();
    const [job] = makeJobs(scan, 1);
    await c.publishJobs([job!]);
    // Worker A takes it and "hangs": no heartbeats, no ack.
    const wa = await worker(ns, { heartbeatMs: 0 });
    const a = (await wa.jobs(1)[Symbol.asyncIterator]().next()).value as JobDelivery;
    const takenAt = Date.now();
    expect(a.attempt).toBe(1);
    await wa.stop();
    const wb = await worker(ns, { heartbeatMs: 0 });
    const got: JobDelivery[] = [];
    const run = drive(wb, 2, (d) => got.push(d));
    await waitFor("redelivery to worker B", () => got.length > 0);
    const waited = Date.now() - takenAt;
    expect(got[0]!.job).toEqual(job);
    expect(got[0]!.attempt).toBe(2);
    expect(got[0]!.lastAttempt).toBe(false);
    expect(waited).toBeGreaterThanOrEqual(1_200);
    await got[0]!.complete(resultOf(job!, 2));
    await wb.stop();
    await run;
    expect((await c.pendingJobKeys(scan)).size).toBe(0);
    expect(got).toHaveLength(1);
  }, 60_000);

  it("heartbeats keep a held job from being redelivered past the ack wait (working() and automatic)", async () => {
    const ns = namespace();
    const c = await coordinator(ns, { ackWaitMs: 1_500, maxDeliver: 5 });
    await c.setup();
    const scan = newScanId();
    const [manualJob, autoJob] = makeJobs(scan, 2);
    await c.publishJobs([manualJob!]);
    // Manual: automatic heartbeats off, working() every 400 ms.
    const wa = await worker(ns, { heartbeatMs: 0 });
    const a = (await wa.jobs(1)[Symbol.asyncIterator]().next()).value as JobDelivery;
    await wa.stop();
    const beat = setInterval(() => a.working(), 400);
    // Automatic: the default heartbeat (a third of the consumer's 1.5 s ack wait), no working() calls.
    await c.publishJobs([autoJob!]);
    const wauto = await worker(ns);
    const b = (await wauto.jobs(1)[Symbol.asyncIterator]().next()).value as JobDelivery;
    await wauto.stop();
    expect(b.job).toEqual(autoJob);
    // Meanwhile another worker pulls all the time: for 3 ack waits it must get nothing.
    const wc = await worker(ns, { heartbeatMs: 0 });
    const stolen: JobDelivery[] = [];
    const run = drive(wc, 4, (d) => stolen.push(d));
    await sleep(4_500);
    expect(stolen).toHaveLength(0);
    clearInterval(beat);
    await a.complete(resultOf(manualJob!));
    await b.complete(resultOf(autoJob!));
    await sleep(2_000);
    expect(stolen).toHaveLength(0);
    await wc.stop();
    await run;
    expect((await c.pendingJobKeys(scan)).size).toBe(0);
  }, 60_000);

  it("a job that exhausts its deliveries raises the advisory; watchExhaustedJobs gets the job and removes it", async () => {
    const ns = namespace();
    const n = natsNames(ns);
    const c = await coordinator(ns, { ackWaitMs: 1_000, maxDeliver: 2 });
    await c.setup();
    const scan = newScanId();
    const [job, other] = makeJobs(scan, 2);
    await c.publishJobs([job!]);
    // Two deliveries, both dropped (as by crashing workers); a worker keeps pulling, which is when the
    // server notices the exhausted job and raises the advisory.
    const w = await worker(ns, { heartbeatMs: 0 });
    const seen: JobDelivery[] = [];
    const run = drive(w, 4, (d) => seen.push(d));
    await waitFor("two deliveries", () => seen.length >= 2);
    expect(seen.map((d) => [d.attempt, d.lastAttempt])).toEqual([
      [1, false],
      [2, true],
    ]);
    const admin = await client();
    // No coordinator is watching yet: the advisory waits in the EXHAUSTED stream.
    await waitFor(
      "the advisory captured",
      async () => (await streamMessages(admin, n.exhaustedStream)) === 1,
    );
    expect(await c.pendingJobKeys(scan)).toEqual(new Set([jobKey(job!)]));
    const exhausted: JobIdentity[] = [];
    const unwatch = await c.watchExhaustedJobs(async (j) => {
      exhausted.push(j);
      await c.publishResult({
        job: j,
        row: failedJobRow(j, "job_failed", "exhausted"),
        worker: "coordinator",
        attempt: 0,
      });
    });
    await waitFor("onExhausted", () => exhausted.length === 1);
    expect(exhausted[0]).toEqual(job);
    await waitFor("the job removed", async () => (await c.pendingJobKeys(scan)).size === 0);
    await waitFor("the advisory acked", async () => (await streamMessages(admin, n.exhaustedStream)) === 0);
    const [r] = await collectResults(c, scan, 1);
    expect(r!.result.row.failure).toBe("job_failed");
    // The queue keeps working afterwards.
    await c.publishJobs([other!]);
    await waitFor("the next job", () => seen.length >= 3);
    expect(seen[2]!.job).toEqual(other);
    await seen[2]!.complete(resultOf(other!));
    await unwatch();
    await w.stop();
    await run;
    expect(exhausted).toHaveLength(1);
  }, 60_000);

  it("pendingJobKeys lists exactly the scan's jobs not yet acked (queued and in flight)", async () => {
    const ns = namespace();
    const c = await coordinator(ns);
    await c.setup();
    const scanA = newScanId(new Date(0));
    const scanB = newScanId(new Date(86_400_000));
    const jobsA = makeJobs(scanA, 6);
    const jobsB = makeJobs(scanB, 2);
    await c.publishJobs(jobsA);
    await c.publishJobs(jobsB);
    expect(await c.pendingJobKeys(scanA)).toEqual(new Set(jobsA.map(jobKey)));
    // A work queue delivers in stream order: two of scan A's jobs done, a third held.
    const w = await worker(ns);
    const it = w.jobs(1)[Symbol.asyncIterator]();
    const done: string[] = [];
    for (let i = 0; i < 2; i++) {
      const d = (await it.next()).value as JobDelivery;
      await d.complete(resultOf(d.job));
      done.push(jobKey(d.job));
    }
    const held = (await it.next()).value as JobDelivery;
    await w.stop();
    expect(held.job.scan_id).toBe(scanA);
    const pending = await c.pendingJobKeys(scanA);
    expect(pending).toEqual(new Set(jobsA.map(jobKey).filter((k) => !done.includes(k))));
    expect(pending.size).toBe(4);
    expect(pending.has(jobKey(held.job))).toBe(true);
    expect(await c.pendingJobKeys(scanB)).toEqual(new Set(jobsB.map(jobKey)));
    await held.complete(resultOf(held.job));
    expect(await c.pendingJobKeys(scanA)).toEqual(
      new Set(jobsA.map(jobKey).filter((k) => !done.includes(k) && k !== jobKey(held.job))),
    );
    expect(await c.pendingJobKeys(newScanId())).toEqual(new Set());
  }, 60_000);

  it("results() replays every result from the first for a new coordinator, then live ones; duplicates are dropped", async () => {
    const ns = namespace();
    const n = natsNames(ns);
    const c1 = await coordinator(ns);
    await c1.setup();
    const scan = newScanId();
    const jobs = makeJobs(scan, 4);
    await c1.publishJobs(jobs.slice(0, 3));
    const w = await worker(ns);
    const it = w.jobs(3)[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) {
      const d = (await it.next()).value as JobDelivery;
      await d.complete(resultOf(d.job));
    }
    const first = await collectResults(c1, scan, 3);
    expect(first).toHaveLength(3);
    await c1.close();
    // A restarted coordinator: a new connection and transport.
    const c2 = await coordinator(ns);
    const seen: string[] = [];
    const consuming = (async () => {
      for await (const d of c2.results(scan)) {
        seen.push(jobKey(d.result.job));
        await d.ack();
        if (seen.length >= 4) break;
      }
    })();
    await waitFor("the replay", () => seen.length >= 3);
    expect(new Set(seen)).toEqual(new Set(jobs.slice(0, 3).map(jobKey)));
    // Live: one more job, and a second result for an already stored job (a redelivery's) is a duplicate.
    expect(await c2.publishResult(resultOf(jobs[0]!, 2))).toEqual({ duplicate: true });
    await c2.publishJobs([jobs[3]!]);
    const d = (await it.next()).value as JobDelivery;
    await d.complete(resultOf(d.job));
    await consuming;
    expect(seen).toHaveLength(4);
    expect(new Set(seen)).toEqual(new Set(jobs.map(jobKey)));
    const admin = await client();
    expect(await streamMessages(admin, n.resultsStream)).toBe(4);
    expect(await c2.doneJobKeys(scan)).toEqual(new Set(jobs.map(jobKey)));
    expect(await c2.doneJobKeys(newScanId(new Date(0)))).toEqual(new Set());
    await w.stop();
  }, 60_000);

  it("plans: chunks saved and loaded in order, a re-saved chunk loaded once, a chunk over max_payload split", async () => {
    const ns = namespace();
    const n = natsNames(ns);
    const c = await coordinator(ns);
    expect(await c.listScans()).toEqual([]);
    await c.setup();
    const scan = newScanId();
    expect(await collect(c.loadPlan(scan))).toEqual([]);
    expect(await c.listScans()).toEqual([]);
    await c.savePlan(scan, [{ kind: "header", n: 0 }], 0);
    await c.savePlan(scan, [{ d: "a.example" }, { d: "b.example" }], 1);
    await c.savePlan(scan, [{ d: "a.example" }, { d: "b.example" }], 1); // within the window: a no-op
    // A re-save of chunk 1 after the duplicate window (a different msg id): must not be loaded twice.
    const admin = await client();
    const h = headers();
    h.set(PLAN_SEQ_HEADER, "1");
    h.set(PLAN_PART_HEADER, "0");
    h.set(PLAN_PARTS_HEADER, "1");
    await admin.js.publish(n.plansSubject(scan), JSON.stringify([{ d: "a.example" }, { d: "b.example" }]), {
      headers: h,
      msgID: "later-resave",
    });
    // 3 000 items of ~1 KB: over the 1 MB max_payload, saved in parts.
    const big = Array.from({ length: 3_000 }, (_, i) => ({ d: `big${i}.example`, pad: "x".repeat(1_000) }));
    await c.savePlan(scan, big, 2);
    await c.savePlan(scan, [{ d: "z.example" }], 3);
    expect(await streamMessages(admin, n.plansStream)).toBeGreaterThanOrEqual(6);
    const loaded = await collect(c.loadPlan(scan));
    expect(loaded).toEqual([
      { kind: "header", n: 0 },
      { d: "a.example" },
      { d: "b.example" },
      ...big,
      { d: "z.example" },
    ]);
    // Another scan's plan is separate; breaking out early is fine.
    const other = newScanId(new Date(86_400_000));
    await c.savePlan(other, [1, 2, 3], 0);
    for await (const item of c.loadPlan(other)) {
      expect(item).toBe(1);
      break;
    }
    expect(await collect(c.loadPlan(other))).toEqual([1, 2, 3]);
    expect(await c.listScans()).toEqual([other, scan].sort());
  }, 60_000);

  it("stop(): pulled but unhanded jobs go back at once; a handed-out delivery stays valid", async () => {
    const ns = namespace();
    const c = await coordinator(ns); // production ack wait (60 s): nothing here may wait for it
    await c.setup();
    const scan = newScanId();
    const jobs = makeJobs(scan, 5);
    await c.publishJobs(jobs);
    const w = await worker(ns);
    const it = w.jobs(5)[Symbol.asyncIterator]();
    const first = (await it.next()).value as JobDelivery;
    await waitFor("5 jobs pulled", () => w.inFlight === 5);
    const t0 = Date.now();
    await w.stop();
    expect(w.inFlight).toBe(1);
    expect((await it.next()).done).toBe(true);
    const w2 = await worker(ns);
    const got: JobDelivery[] = [];
    const run = drive(w2, 10, (d) => {
      got.push(d);
      void d.complete(resultOf(d.job, d.attempt));
    });
    await waitFor("the 4 given-back jobs", () => got.length >= 4, 15_000);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(got.every((d) => d.attempt === 2)).toBe(true);
    await first.complete(resultOf(first.job));
    await waitFor("queue drained", async () => (await c.pendingJobKeys(scan)).size === 0);
    expect(new Set([first, ...got].map((d) => jobKey(d.job)))).toEqual(new Set(jobs.map(jobKey)));
    await w2.stop();
    await run;
  }, 60_000);

  it("connect errors are clear: refused, and no JetStream-less surprises", async () => {
    const err = await connectNats({ url: "nats://127.0.0.1:1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsConnectError);
    expect((err as NatsConnectError).code).toBe("CONNECTION_REFUSED");
    expect((err as Error).message).toMatch(
      /cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: CONNECTION_REFUSED/,
    );
    const creds = await connectNats({ url: server.url, credsFile: "/nonexistent/x.creds" }).catch(
      (e: unknown) => e,
    );
    expect((creds as NatsConnectError).code).toBe("CREDS_FILE");
  }, 30_000);
});

describe("NATS authentication (private servers)", () => {
  const servers: NatsInstance[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  }, 60_000);

  it("user and password: the right ones connect, a wrong password fails with AUTHORIZATION_VIOLATION", async () => {
    const s = await startNats({ user: "mx", password: 'p@ss "word" \\ 1' });
    servers.push(s);
    const ok = await connectNats({ url: s.url, user: "mx", password: 'p@ss "word" \\ 1' });
    expect(ok.serverVersion).toMatch(/^2\./);
    const c = new NatsCoordinatorTransport(ok, { namespace: "auth" });
    await c.setup();
    await c.close();
    for (const bad of [{ user: "mx", password: "wrong" }, {}]) {
      const err = await connectNats({ url: s.url, ...bad }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NatsConnectError);
      expect((err as NatsConnectError).code).toBe("AUTHORIZATION_VIOLATION");
      expect((err as Error).message).toMatch(/refused the credentials/);
    }
  }, 60_000);

  it("token: the right one connects, a wrong one fails", async () => {
    const s = await startNats({ token: "s3cret-token" });
    servers.push(s);
    const ok = await connectNats({ url: s.url, token: "s3cret-token" });
    await ok.close();
    const err = await connectNats({ url: s.url, token: "nope" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsConnectError);
    expect((err as NatsConnectError).code).toBe("AUTHORIZATION_VIOLATION");
    await expect(connectNats({ url: s.url, token: "t", user: "u", password: "p" })).rejects.toThrow(
      /either a token/,
    );
  }, 60_000);
});
