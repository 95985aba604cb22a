/**
 * The embedded default's transport: the same interfaces as NATS JetStream, in memory, for one process.
 * Publishing is idempotent by job key; a given-back job goes to the back of the queue; results are kept so
 * `results()` can replay them from the start. A resumed embedded scan seeds it with the results already on disk.
 */

import { appendFile, readFile } from "node:fs/promises";
import { type HostJob, type HostResult, jobKey, parseHostJob } from "../jobs.js";
import type { CoordinatorTransport, JobDelivery, ResultDelivery, WorkerTransport } from "./types.js";

export class MemoryTransport implements CoordinatorTransport, WorkerTransport {
  private readonly queue: { job: HostJob; attempt: number }[] = [];
  private readonly known = new Set<string>();
  private readonly pending = new Set<string>();
  private readonly resultLog: HostResult[] = [];
  private readonly plans = new Map<string, Map<number, readonly unknown[]>>();
  private stopped = false;
  private wakeJobs: (() => void) | null = null;
  private readonly wakeResults = new Set<() => void>();

  private readonly maxAttempts: number;
  private readonly planFile: string | null;

  /**
   * `seedResults`: results already stored by an earlier run of this scan (resume); `planFile`: keep the plan in
   * a JSONL file (one `{seq, chunk}` per line) so an embedded scan can be resumed after the process died.
   */
  constructor(opts: { maxAttempts?: number; seedResults?: readonly HostResult[]; planFile?: string } = {}) {
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.planFile = opts.planFile ?? null;
    for (const r of opts.seedResults ?? []) {
      this.resultLog.push(r);
      this.known.add(jobKey(r.job));
    }
  }

  async setup(): Promise<void> {}

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
    return new Set(this.resultLog.filter((r) => r.job.scan_id === scanId).map((r) => jobKey(r.job)));
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
          this.resultLog.push(result);
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
    if (this.resultLog.some((r) => jobKey(r.job) === key)) return { duplicate: true };
    this.pending.delete(key);
    this.resultLog.push(result);
    this.signalResults();
    return { duplicate: false };
  }

  async *results(scanId: string): AsyncIterable<ResultDelivery> {
    let i = 0;
    while (!this.stopped) {
      const r = this.resultLog[i];
      if (!r) {
        await new Promise<void>((resolve) => this.wakeResults.add(resolve));
        continue;
      }
      i++;
      if (r.job.scan_id === scanId) yield { result: r, ack: async () => {} };
    }
  }

  async savePlan(scanId: string, chunk: readonly unknown[], seq: number): Promise<void> {
    if (this.planFile)
      await appendFile(this.planFile, `${JSON.stringify({ scan_id: scanId, seq, chunk })}\n`);
    let m = this.plans.get(scanId);
    if (!m) {
      m = new Map();
      this.plans.set(scanId, m);
    }
    m.set(seq, chunk);
  }

  async *loadPlan(scanId: string): AsyncIterable<unknown> {
    if (this.planFile && !this.plans.has(scanId)) {
      const text = await readFile(this.planFile, "utf8").catch(() => "");
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        let rec: { scan_id: string; seq: number; chunk: unknown[] };
        try {
          rec = JSON.parse(line);
        } catch {
          continue; // a line cut short when the process died: that chunk is re-planned
        }
        if (rec.scan_id !== scanId) continue;
        let m = this.plans.get(scanId);
        if (!m) {
          m = new Map();
          this.plans.set(scanId, m);
        }
        m.set(rec.seq, rec.chunk);
      }
    }
    const m = this.plans.get(scanId);
    if (!m) return;
    for (const seq of [...m.keys()].sort((a, b) => a - b)) yield* m.get(seq) ?? [];
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
