/**
 * The embedded default's transport: the same interfaces as NATS JetStream, in memory, for one process.
 * Publishing is idempotent by job key; a given-back job goes to the back of the queue. A result is held only
 * until the coordinator takes it (the rows live in the sinks, not here), so memory does not grow with the scan:
 * what stays is one key per job. A resumed embedded scan seeds it with the results already on disk, which
 * `results()` yields first. With a plan file the plan lives only in that file and is read back line by line.
 */

import { createReadStream } from "node:fs";
import { appendFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { type HostJob, type HostResult, jobKey, parseHostJob } from "../jobs.js";
import type { CoordinatorTransport, JobDelivery, ResultDelivery, WorkerTransport } from "./types.js";

export class MemoryTransport implements CoordinatorTransport, WorkerTransport {
  private readonly queue: { job: HostJob; attempt: number }[] = [];
  private readonly known = new Set<string>();
  private readonly pending = new Set<string>();
  /** Keys of jobs with a result (seeded or completed). */
  private readonly done = new Set<string>();
  /** Results not yet taken by `results()`. */
  private resultQueue: HostResult[] = [];
  private seed: (() => AsyncIterable<HostResult>) | null;
  private readonly plans = new Map<string, Map<number, readonly unknown[]>>();
  private stopped = false;
  private wakeJobs: (() => void) | null = null;
  private readonly wakeResults = new Set<() => void>();

  private readonly maxAttempts: number;
  private readonly planFile: string | null;

  /**
   * `seedResults`: results already stored by an earlier run of this scan (resume), read when the transport is
   * set up and again when `results()` replays them; `planFile`: keep the plan in a JSONL file (one
   * `{scan_id, seq, chunk}` per line) so an embedded scan can be resumed after the process died.
   */
  constructor(
    opts: {
      maxAttempts?: number;
      seedResults?: readonly HostResult[] | (() => AsyncIterable<HostResult>);
      planFile?: string;
    } = {},
  ) {
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.planFile = opts.planFile ?? null;
    const seed = opts.seedResults;
    this.seed =
      seed === undefined
        ? null
        : typeof seed === "function"
          ? seed
          : async function* () {
              yield* seed;
            };
  }

  private seeded = false;

  async setup(): Promise<void> {
    if (this.seeded || !this.seed) return;
    this.seeded = true;
    for await (const r of this.seed()) {
      const key = jobKey(r.job);
      this.known.add(key);
      this.done.add(key);
    }
  }

  async publishJobs(jobs: Iterable<HostJob>): Promise<{ published: number; duplicates: number }> {
    let published = 0;
    let duplicates = 0;
    for (const j of jobs) {
      // The same validation as a NATS job: the embedded scan keeps the contract the distributed one does.
      const parsed = parseHostJob(j);
      if (!parsed.ok) throw new RangeError(`invalid job for ${j.hostname} ${j.ip}: ${parsed.error}`);
      const job = parsed.job;
      const key = jobKey(job);
      if (this.known.has(key)) {
        duplicates++;
        continue;
      }
      this.known.add(key);
      this.pending.add(key);
      this.queue.push({ job, attempt: 1 });
      published++;
    }
    this.signalJobs();
    return { published, duplicates };
  }

  async doneJobKeys(scanId: string): Promise<Set<string>> {
    await this.setup();
    return new Set([...this.done].filter((k) => k.startsWith(`${scanId}.`)));
  }

  async pendingJobKeys(scanId: string): Promise<Set<string>> {
    return new Set([...this.pending].filter((k) => k.startsWith(`${scanId}.`)));
  }

  private signalJobs(): void {
    const w = this.wakeJobs;
    this.wakeJobs = null;
    w?.();
  }

  private signalResults(): void {
    for (const w of this.wakeResults) w();
    this.wakeResults.clear();
  }

  async *jobs(maxInFlight: number): AsyncIterable<JobDelivery> {
    let inFlight = 0;
    const released = () => {
      inFlight--;
      this.signalJobs();
    };
    while (!this.stopped) {
      const next = inFlight < maxInFlight ? this.queue.shift() : undefined;
      if (!next) {
        await new Promise<void>((resolve) => {
          this.wakeJobs = resolve;
        });
        continue;
      }
      inFlight++;
      const key = jobKey(next.job);
      let settled = false;
      const settle = () => {
        if (settled) throw new Error(`job ${key} settled twice`);
        settled = true;
        released();
      };
      yield {
        job: next.job,
        attempt: next.attempt,
        lastAttempt: next.attempt >= this.maxAttempts,
        working: () => {},
        complete: async (result) => {
          settle();
          this.pending.delete(key);
          this.done.add(key);
          this.resultQueue.push(result);
          this.signalResults();
        },
        giveBack: async () => {
          settle();
          this.queue.push({ job: next.job, attempt: next.attempt + 1 });
        },
      };
    }
  }

  async publishResult(result: HostResult): Promise<{ duplicate: boolean }> {
    const key = jobKey(result.job);
    if (this.done.has(key)) return { duplicate: true };
    this.pending.delete(key);
    this.done.add(key);
    this.resultQueue.push(result);
    this.signalResults();
    return { duplicate: false };
  }

  /** The seeded results, then each new result once: one consumer (the scan's coordinator) takes them. */
  async *results(scanId: string): AsyncIterable<ResultDelivery> {
    if (this.seed) {
      for await (const r of this.seed()) {
        if (this.stopped) return;
        if (r.job.scan_id === scanId) yield { result: r, ack: async () => {} };
      }
    }
    while (!this.stopped) {
      if (this.resultQueue.length === 0) {
        await new Promise<void>((resolve) => this.wakeResults.add(resolve));
        continue;
      }
      const taken = this.resultQueue;
      this.resultQueue = [];
      for (const r of taken) if (r.job.scan_id === scanId) yield { result: r, ack: async () => {} };
    }
  }

  async savePlan(scanId: string, chunk: readonly unknown[], seq: number): Promise<void> {
    if (this.planFile) {
      await appendFile(this.planFile, `${JSON.stringify({ scan_id: scanId, seq, chunk })}\n`);
      return;
    }
    let m = this.plans.get(scanId);
    if (!m) {
      m = new Map();
      this.plans.set(scanId, m);
    }
    m.set(seq, chunk);
  }

  /** The plan's chunks in `seq` order; a chunk saved twice (same seq) is read once. */
  async *loadPlan(scanId: string): AsyncIterable<unknown> {
    if (!this.planFile) {
      const m = this.plans.get(scanId);
      if (!m) return;
      for (const seq of [...m.keys()].sort((a, b) => a - b)) yield* m.get(seq) ?? [];
      return;
    }
    // Chunks are appended in seq order, except that a resumed run starts again after the last seq it read:
    // a line whose seq was seen already is skipped, so the file is read once, line by line.
    const seen = new Set<number>();
    let lines: AsyncIterable<string>;
    try {
      lines = createInterface({ input: createReadStream(this.planFile), crlfDelay: Infinity });
      for await (const line of lines) {
        if (line.trim() === "") continue;
        let rec: { scan_id: string; seq: number; chunk: unknown[] };
        try {
          rec = JSON.parse(line);
        } catch {
          continue; // a line cut short when the process died: that chunk is re-planned
        }
        if (rec.scan_id !== scanId || seen.has(rec.seq)) continue;
        seen.add(rec.seq);
        yield* rec.chunk;
      }
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signalJobs();
    this.signalResults();
  }

  async close(): Promise<void> {
    await this.stop();
  }
}
