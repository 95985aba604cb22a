/**
 * The job contract (shared/jobs.ts): one definition, one validator, every boundary.
 *  - the validator accepts a job with every field and refuses each kind of damage, naming the field;
 *  - a job with every field (a DANE lookup with every nullable part set, the scan's measurement parameters)
 *    makes the same round trip through the memory transport and through real NATS JetStream, unchanged;
 *  - it crosses the piscina thread boundary unchanged (a real Piscina pool, the task's own validator);
 *  - a NATS job a worker cannot validate (e.g. sent by a coordinator of another version) becomes a job_failed
 *    row naming the field, instead of leaving its scan waiting for it forever.
 */

import { join } from "node:path";
import { Piscina } from "piscina";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type HostJob,
  jobIdentity,
  jobKey,
  newScanId,
  parseHostJob,
  parseProbeJob,
  probeJobOf,
} from "../../shared/jobs.js";
import { failedJobRow } from "../../shared/rows.js";
import { MemoryTransport } from "../../shared/transport/memory.js";
import { natsNames } from "../../shared/transport/names.js";
import {
  connectNats,
  type NatsClient,
  NatsCoordinatorTransport,
  NatsWorkerTransport,
} from "../../shared/transport/nats.js";
import type { CoordinatorTransport, JobDelivery, WorkerTransport } from "../../shared/transport/types.js";
import { jobsWithEveryField } from "../helpers/jobs.js";
import { type NatsInstance, startNats } from "../helpers/nats.js";
import { projectRoot } from "../tools/project-root.js";

let server: NatsInstance;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await startNats();
}, 120_000);

afterEach(async () => {
  for (const f of closers.splice(0).reverse()) await f().catch(() => {});
});

afterAll(async () => {
  await server?.stop();
}, 60_000);

const job = (): HostJob => jobsWithEveryField(newScanId(), 1)[0]!;

describe("job contract - the validator", () => {
  it("job - a job with every field is accepted as it is", () => {
    const j = job();
    expect(parseHostJob(j)).toEqual({ ok: true, job: j });
    expect(parseHostJob(new TextEncoder().encode(JSON.stringify(j)))).toEqual({ ok: true, job: j });
    expect(parseProbeJob(j)).toEqual({ ok: true, job: probeJobOf(j) });
  });

  const damaged: [string, (j: Record<string, unknown>) => void, RegExp][] = [
    ["no dane", (j) => delete j.dane, /^dane: /],
    ["no probe parameters", (j) => delete j.probe, /^probe: /],
    ["no depth", (j) => delete (j.probe as Record<string, unknown>).depth, /^probe\.depth: /],
    ["an unknown depth", (j) => ((j.probe as Record<string, unknown>).depth = "deep"), /^probe\.depth: /],
    ["an unknown field", (j) => (j.priority = 1), /priority/],
    ["an unknown DANE field", (j) => ((j.dane as Record<string, unknown>).extra = true), /^dane: .*extra/],
    [
      "an EHLO name that injects a command",
      (j) => ((j.probe as Record<string, unknown>).ehloName = "x\r\nRCPT TO:<a@b>"),
      /^probe\.ehloName: not a valid EHLO name/,
    ],
    [
      "a timeout over an hour",
      (j) => ((j.probe as Record<string, unknown>).hostDeadlineMs = 3_600_001),
      /hostDeadlineMs/,
    ],
    ["port 0", (j) => (j.port = 0), /^port: /],
    ["an address that is no IP", (j) => (j.ip = "mx.example.test"), /^ip: /],
    ["a bad scan id", (j) => (j.scan_id = "x' OR 1=1"), /^scan_id: /],
    [
      "a DANE state outside the vocabulary",
      (j) => ((j.dane as { hostState: string }).hostState = "fine"),
      /hostState/,
    ],
  ];
  it.each(damaged)("job - %s is refused, naming the field", (_name, damage, message) => {
    const j = structuredClone(job()) as unknown as Record<string, unknown>;
    damage(j);
    const r = parseHostJob(j);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it("job - bytes that are not JSON are refused", () => {
    expect(parseHostJob(new TextEncoder().encode("{not json"))).toEqual({ ok: false, error: "not JSON" });
  });
});

/** Publish jobs on one side, receive them on the other, complete them, read the results back. */
async function roundTrip(coordinator: CoordinatorTransport, worker: WorkerTransport, jobs: HostJob[]) {
  await coordinator.setup();
  await coordinator.publishJobs(jobs);
  const got: JobDelivery[] = [];
  const it = worker.jobs(jobs.length)[Symbol.asyncIterator]();
  while (got.length < jobs.length) got.push((await it.next()).value as JobDelivery);
  for (const d of got) {
    await d.complete({
      job: jobIdentity(d.job),
      row: failedJobRow(d.job, "unknown_failure", "round trip"),
      worker: "contract-test",
      attempt: d.attempt,
    });
  }
  const results = [];
  for await (const r of coordinator.results(jobs[0]!.scan_id)) {
    results.push(r.result);
    await r.ack();
    if (results.length === jobs.length) break;
  }
  return { received: got.map((d) => d.job), results };
}

describe("job contract - transports", () => {
  const check = async (coordinator: CoordinatorTransport, worker: WorkerTransport) => {
    const jobs = jobsWithEveryField(newScanId(), 3);
    const { received, results } = await roundTrip(coordinator, worker, jobs);
    const byKey = new Map(received.map((j) => [jobKey(j), j]));
    for (const j of jobs) expect(byKey.get(jobKey(j))).toEqual(j);
    expect(results.map((r) => r.job).sort((a, b) => jobKey(a).localeCompare(jobKey(b)))).toEqual(
      jobs.map(jobIdentity).sort((a, b) => jobKey(a).localeCompare(jobKey(b))),
    );
  };

  it("transport - memory: a job with every field arrives unchanged", async () => {
    const t = new MemoryTransport();
    closers.push(() => t.close());
    await check(t, t);
  });

  it("transport - NATS JetStream: a job with every field arrives unchanged", async () => {
    const ns = `contract${process.pid}${Math.random().toString(36).slice(2, 6)}`;
    const c = new NatsCoordinatorTransport(await connectNats({ url: server.url, name: "c" }), {
      namespace: ns,
    });
    const w = new NatsWorkerTransport(await connectNats({ url: server.url, name: "w" }), { namespace: ns });
    closers.push(
      () => c.close(),
      () => w.close(),
    );
    await check(c, w);
  }, 60_000);

  it("transport - NATS: a job this worker cannot validate becomes a job_failed row naming the field", async () => {
    const ns = `contract${process.pid}${Math.random().toString(36).slice(2, 6)}`;
    const admin: NatsClient = await connectNats({ url: server.url, name: "admin" });
    const c = new NatsCoordinatorTransport(await connectNats({ url: server.url, name: "c" }), {
      namespace: ns,
    });
    const errors: string[] = [];
    const w = new NatsWorkerTransport(await connectNats({ url: server.url, name: "w" }), {
      namespace: ns,
      onError: (e) => errors.push(e.message),
    });
    closers.push(
      () => c.close(),
      () => w.close(),
      () => admin.close(),
    );
    await c.setup();
    const j = job();
    // As a coordinator of another version would send it: a field this worker does not know.
    const key = jobKey(j);
    await admin.js.publish(
      natsNames(ns).jobSubject(key),
      new TextEncoder().encode(JSON.stringify({ ...j, speed: 9 })),
      {
        msgID: key,
      },
    );
    const pulling = (async () => {
      for await (const _d of w.jobs(1)) throw new Error("an invalid job was handed to the probe");
    })();
    for await (const r of c.results(j.scan_id)) {
      expect(r.result.job).toEqual(jobIdentity(j));
      expect(r.result.row).toMatchObject({
        failure: "job_failed",
        failure_phase: "job",
        hostname: j.hostname,
      });
      expect(r.result.row.failure_detail).toMatch(/did not validate in this worker: .*speed/);
      break;
    }
    await w.stop();
    await pulling;
    expect(errors.join("\n")).toMatch(/invalid job/);
  }, 60_000);
});

describe("job contract - the piscina thread boundary", () => {
  it("piscina - a job with every field reaches the task unchanged and passes its validator", async () => {
    const pool = new Piscina({
      // Piscina runs plain JavaScript: the compiled fixture (npm test builds dist/ first).
      filename: join(projectRoot(), "dist", "test", "helpers", "echo-task.js"),
      minThreads: 1,
      maxThreads: 1,
    });
    closers.push(() => pool.destroy());
    const j = job();
    const back = (await pool.run(j)) as { received: unknown; parsed: unknown };
    expect(back.received).toEqual(j);
    expect(back.parsed).toEqual(probeJobOf(j));
  });
});
