/**
 * The benchmarks' handle on the scale lab (scale-lab-child.ts), which runs in a process of its own so that a
 * benchmark measures the scanner apart from the lab.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ScaleLabInfo } from "./scale-lab-child.js";

const LAB = fileURLToPath(new URL("./scale-lab-child.js", import.meta.url));

/** The scale lab running in its own process (scale-lab-child.ts). */
export class ScaleLab {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: AsyncIterator<string>,
    readonly info: ScaleLabInfo,
  ) {}

  static async start(domains: number): Promise<ScaleLab> {
    const child = spawn(process.execPath, [LAB, String(domains)], { stdio: ["pipe", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error("the scale lab did not start");
    return new ScaleLab(child, lines, JSON.parse(first.value) as ScaleLabInfo);
  }

  /** The questions the lab's DNS server answered since the last call. */
  async questions(): Promise<{ name: string; type: string }[]> {
    const file = join(this.info.dir, `questions-${Date.now()}.txt`);
    this.child.stdin!.write(`questions ${file}\n`);
    await this.lines.next();
    const out: { name: string; type: string }[] = [];
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const sp = line.indexOf(" ");
      if (sp > 0) out.push({ type: line.slice(0, sp), name: line.slice(sp + 1) });
    }
    rmSync(file, { force: true });
    return out;
  }

  async stop(): Promise<void> {
    this.child.stdin!.end("quit\n");
    await new Promise((r) => this.child.once("exit", r));
  }
}
