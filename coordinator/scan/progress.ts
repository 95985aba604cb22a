/**
 * Scan progress on stderr: a progress bar on a TTY (stage, done/total, rate, ETA, outcome counts), a plain
 * status line every few seconds otherwise, nothing with --quiet; with `--log-format json`, log events instead
 * (scan_stage, scan_progress, scan_note) through the logger. Data never goes here.
 */

import cliProgress from "cli-progress";
import type { Logger } from "../../shared/log.js";

export type ProgressMode = "bar" | "lines" | "quiet" | "events";

export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private stage = "";
  private total = 0;
  private done = 0;
  private started = Date.now();
  private lastLine = 0;
  private counts: Record<string, number> = {};

  constructor(
    private readonly mode: ProgressMode,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly everyMs = 5000,
    private readonly logger: Logger | null = null,
  ) {}

  static auto(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
    return new Progress(quiet ? "quiet" : stream.isTTY ? "bar" : "lines", stream);
  }

  /** Progress as log events (--log-format json). */
  static events(logger: Logger, quiet: boolean, everyMs = 5000): Progress {
    return new Progress(quiet ? "quiet" : "events", process.stderr, everyMs, logger);
  }

  start(stage: string, total: number): void {
    this.finishBar();
    this.stage = stage;
    this.total = total;
    this.done = 0;
    this.counts = {};
    this.started = Date.now();
    this.lastLine = 0;
    if (this.mode === "bar") {
      this.bar = new cliProgress.SingleBar(
        {
          format: `{stage} |{bar}| {value}/{total} {rate}/s ETA {eta_formatted} {outcomes}`,
          stream: this.stream,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 200,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { stage: stage.padEnd(8), rate: "0", outcomes: "" });
    } else if (this.mode === "lines") {
      this.stream.write(`[${stage}] 0/${total}\n`);
    } else if (this.mode === "events") {
      this.logger?.event("scan_stage", { stage, total }, `${stage}: ${total} to do`);
    }
  }

  setTotal(total: number): void {
    this.total = total;
    this.bar?.setTotal(total);
  }

  tick(outcome?: string, n = 1): void {
    if (n === 0) return;
    this.done += n;
    if (outcome) this.counts[outcome] = (this.counts[outcome] ?? 0) + n;
    const secs = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = (this.done / secs).toFixed(1);
    const outcomes = Object.entries(this.counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}:${v}`)
      .join(" ");
    if (this.bar) this.bar.update(this.done, { stage: this.stage.padEnd(8), rate, outcomes });
    else if (this.mode === "lines" && Date.now() - this.lastLine >= this.everyMs) {
      this.lastLine = Date.now();
      this.stream.write(`[${this.stage}] ${this.done}/${this.total} ${rate}/s ${outcomes}\n`);
    } else if (this.mode === "events" && Date.now() - this.lastLine >= this.everyMs) {
      this.lastLine = Date.now();
      this.progressEvent(Number(rate));
    }
  }

  private progressEvent(rate: number | null): void {
    this.logger?.event("scan_progress", {
      stage: this.stage,
      done: this.done,
      total: this.total,
      ...(rate !== null ? { per_second: rate } : {}),
      outcomes: { ...this.counts },
    });
  }

  log(message: string): void {
    if (this.mode === "quiet") return;
    if (this.mode === "events") {
      this.logger?.event("scan_note", {}, message);
      return;
    }
    if (this.bar) {
      this.bar.stop();
      this.stream.write(`${message}\n`);
      this.bar.start(this.total, this.done, { stage: this.stage.padEnd(8) });
    } else this.stream.write(`${message}\n`);
  }

  private finishBar(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    } else if (this.mode === "lines" && this.stage) {
      this.stream.write(`[${this.stage}] ${this.done}/${this.total} done\n`);
    } else if (this.mode === "events" && this.stage) {
      this.progressEvent(null);
    }
  }

  stop(): void {
    this.finishBar();
    this.stage = "";
  }
}
