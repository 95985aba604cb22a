/** Long-running CLI child processes for integration tests: start, watch stderr, kill, wait. */

import { type ChildProcess, spawn } from "node:child_process";
import { CLI } from "./cli.js";

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
  /** Resolve when stderr matches `re` (or reject after `timeoutMs`). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export function startCli(args: string[], opts: { maxMs?: number } = {}): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const watchers = new Set<() => void>();
  child.stdout!.on("data", (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on("data", (b: Buffer) => {
    err += b.toString();
    for (const w of watchers) w();
  });
  const guard = setTimeout(() => child.kill("SIGKILL"), opts.maxMs ?? 300_000);
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(guard);
      for (const w of watchers) w();
      resolve(code);
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = "SIGKILL") => child.kill(signal),
    waitFor: (re, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = err.match(re);
          if (m) {
            watchers.delete(check);
            clearTimeout(t);
            resolve(m);
          } else if (child.exitCode !== null) {
            watchers.delete(check);
            clearTimeout(t);
            reject(new Error(`process exited (${child.exitCode}) before ${re}: ${err.slice(-2000)}`));
          }
        };
        const t = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`timed out waiting for ${re}: ${err.slice(-2000)}`));
        }, timeoutMs);
        watchers.add(check);
        check();
      }),
  };
}
