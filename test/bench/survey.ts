/**
 * `npm run bench -- survey`: the lab survey's end-to-end rate — the real CLI scanning a generated lab of
 * 5,000 domains over 600 MX hosts on loopback — in the embedded default and through NATS JetStream with two
 * worker processes (each 1 thread × 64 probes), in the same run. Rows go to JSONL in both modes, so the figures
 * compare the transports, not the sinks. Each mode runs twice; the table shows the better run.
 * On loopback a probe costs CPU, not waiting, so on this 2-core machine the lab's own servers, the coordinator
 * and the workers share the same two cores: read the NATS figure as "the price of the distributed transport".
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNats } from "../helpers/nats.js";
import { startGeneratedLab } from "../lab/generate.js";
import type { BenchResult } from "./run.js";

const CLI = fileURLToPath(new URL("../../coordinator/cli.js", import.meta.url));

function cli(args: string[]): {
  done: Promise<{ code: number | null; stdout: string; ms: number }>;
  kill: () => void;
} {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  const done = new Promise<{ code: number | null; stdout: string; ms: number }>((resolve) =>
    child.on("close", (code) => {
      if (code !== 0 && code !== null) process.stderr.write(stderr.slice(-2000));
      resolve({ code, stdout, ms: Date.now() - t0 });
    }),
  );
  return { done, kill: () => child.kill("SIGTERM") };
}

const figure = (stdout: string, label: RegExp) => Number(label.exec(stdout)?.[1] ?? Number.NaN);

export async function run(): Promise<BenchResult> {
  const domains = 5000;
  const hosts = 600;
  process.stderr.write(`starting the lab: ${domains} domains over ${hosts} MX hosts ...\n`);
  const [lab, nats] = await Promise.all([startGeneratedLab({ domains, hosts, seed: 42 }), startNats()]);
  const tmp = mkdtempSync(join(tmpdir(), "mxsurvey-bench-survey-"));
  const common = [...lab.cliArgs(), "--ehlo-name", "bench.mxsurvey.test", "--smtp-timeout", "5", "--quiet"];
  const results: { mode: string; ms: number; jobs: number; domains: number }[] = [];
  try {
    for (let round = 0; round < 2; round++) {
      process.stderr.write(`round ${round + 1}: embedded ...\n`);
      const emb = await cli([
        "scan",
        "--domains",
        lab.listFile,
        "--out",
        join(tmp, `emb${round}`),
        "--threads",
        "2",
        "--concurrency",
        "64",
        ...common,
      ]).done;
      if (emb.code !== 0) throw new Error("embedded scan failed");
      results.push({
        mode: "embedded (1 process, 2 threads x 64)",
        ms: emb.ms,
        jobs: figure(emb.stdout, /probe jobs \(host, IP\)\s+(\d+)/),
        domains,
      });

      process.stderr.write(`round ${round + 1}: NATS with two workers ...\n`);
      const workers = [0, 1].map(() =>
        cli(["worker", "--nats", nats.url, "--threads", "1", "--concurrency", "64", ...lab.workerArgs()]),
      );
      await new Promise((r) => setTimeout(r, 1500)); // let the workers connect
      const dist = await cli([
        "scan",
        "--domains",
        lab.listFile,
        "--out",
        join(tmp, `nats${round}`),
        "--nats",
        nats.url,
        ...common,
      ]).done;
      for (const w of workers) w.kill();
      await Promise.all(workers.map((w) => w.done));
      if (dist.code !== 0) throw new Error("NATS scan failed");
      results.push({
        mode: "NATS JetStream, 2 workers (1 thread x 64 each)",
        ms: dist.ms,
        jobs: figure(dist.stdout, /probe jobs \(host, IP\)\s+(\d+)/),
        domains,
      });
    }
  } finally {
    await lab.close();
    await nats.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  const best = (mode: string) => results.filter((r) => r.mode === mode).sort((a, b) => a.ms - b.ms)[0]!;
  const rows = [...new Set(results.map((r) => r.mode))].map(best);
  const embedded = rows[0]!;
  const table = rows.map((r) => ({
    mode: r.mode,
    domains: r.domains,
    "host jobs": r.jobs,
    "wall s": Number((r.ms / 1000).toFixed(2)),
    "hosts/s": Number((r.jobs / (r.ms / 1000)).toFixed(1)),
    "domains/s": Number((r.domains / (r.ms / 1000)).toFixed(1)),
    "vs embedded": `${(embedded.ms / r.ms).toFixed(2)}x`,
  }));
  return {
    table,
    figures: {
      domains,
      mx_hosts: hosts,
      runs: results,
      hosts_per_s: Object.fromEntries(table.map((t) => [t.mode, t["hosts/s"]])),
    },
  };
}
