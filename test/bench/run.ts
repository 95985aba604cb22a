/**
 * Benchmark runner: `npm run bench -- NAME` builds, then runs test/bench/NAME.ts's exported `run()` (compiled to
 * dist/test/bench/NAME.js), prints its table, and writes test/bench/results/NAME.json with its figures, the
 * machine and the date. An unknown or missing NAME lists the benchmarks and exits 2. A benchmark measures and
 * reports (PASS/FAIL against its targets in the table); it does not fail the process.
 */

import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export type BenchRow = Record<string, string | number>;

export interface BenchResult {
  table: BenchRow[];
  figures: Record<string, unknown>;
}

const here = dirname(fileURLToPath(import.meta.url)); // dist/test/bench
const repoRoot = join(here, "..", "..", "..");
const resultsDir = join(repoRoot, "test", "bench", "results");

export function availableBenchmarks(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith(".js") && f !== "run.js")
    .map((f) => f.slice(0, -".js".length))
    .sort();
}

/** Aligned text table: numbers right-aligned, text left-aligned. */
export function formatTable(rows: BenchRow[]): string {
  if (rows.length === 0) return "(no rows)\n";
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined) => (v === undefined ? "" : String(v));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const numeric = cols.map((c) => rows.every((r) => r[c] === undefined || typeof r[c] === "number"));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(width[i]!) : s.padEnd(width[i]!));
  const line = (vals: string[]) => vals.map(pad).join("  ").trimEnd();
  return [
    line(cols),
    line(width.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(cols.map((c) => cell(r[c])))),
  ].join("\n");
}

export function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    model: cpus[0]?.model ?? "unknown",
    totalmem: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  const names = availableBenchmarks();
  if (name === undefined || !names.includes(name)) {
    process.stderr.write(
      `${name === undefined ? "give a benchmark name" : `unknown benchmark ${JSON.stringify(name)}`}\n` +
        `usage: npm run bench -- NAME\navailable: ${names.join(", ") || "(none)"}\n`,
    );
    return 2;
  }
  const mod = (await import(pathToFileURL(join(here, `${name}.js`)).href)) as {
    run?: () => Promise<BenchResult>;
  };
  if (typeof mod.run !== "function") {
    process.stderr.write(`test/bench/${name}.ts does not export run()\n`);
    return 2;
  }
  const started = Date.now();
  const result = await mod.run();
  process.stdout.write(
    `\n${name} — ${machine().cores} cores, ${machine().model}, node ${process.version}\n\n`,
  );
  process.stdout.write(`${formatTable(result.table)}\n`);
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name}.json`);
  const record = {
    benchmark: name,
    date: new Date().toISOString(),
    duration_s: (Date.now() - started) / 1000,
    machine: machine(),
    figures: result.figures,
    table: result.table,
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`\nfigures written to ${file}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
