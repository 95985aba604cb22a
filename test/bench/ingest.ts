/**
 * Ingest benchmark (`npm run bench -- ingest`): a synthetic 1,000,000-line Tranco list (see lib/tranco-gen.ts) is
 * ingested in a fresh child process — read, normalized, deduplicated — three times; the median wall time gives
 * lines/s and the kernel's high-water mark (VmHWM) the peak RSS. Targets, checked in the same run on this machine:
 * ≥ 200,000 lines/s and < 300 MB peak RSS. Also measured: the same list fully quoted with CRLF line ends (the
 * quoted-field path; no target), and normalizeDomain alone on the list's names (budget: 1,000,000 names/s).
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { normalizeDomain } from "../../coordinator/ingest/normalize.js";
import { generateTranco } from "./lib/tranco-gen.js";
import type { BenchResult, BenchRow } from "./run.js";

const LINES = 1_000_000;
const RUNS = 3;
const TARGET_LINES_PER_S = 200_000;
const TARGET_PEAK_RSS = 300 * 1024 * 1024;
const BUDGET_NORMALIZE_PER_S = 1_000_000;

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, "lib", "ingest-child.js");

interface ChildReport {
  wall_ms: number;
  format: string;
  counts: Record<string, number>;
  first_domains: string[];
  rejected_reasons: Record<string, number>;
  baseline_rss: number;
  peak_rss_vmhwm: number | null;
  peak_rss_sampled: number;
  heap_used_end: number;
}

function ingestOnce(file: string): ChildReport {
  const r = spawnSync(process.execPath, [CHILD, file, "auto"], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`ingest child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildReport;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
const int = (n: number) => Math.round(n).toLocaleString("en-US");
const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");

function measure(file: string, runs: number) {
  const reports: ChildReport[] = [];
  for (let i = 0; i < runs; i++) reports.push(ingestOnce(file));
  const wall = median(reports.map((r) => r.wall_ms));
  const peak = Math.max(...reports.map((r) => r.peak_rss_vmhwm ?? r.peak_rss_sampled));
  return { reports, wall_ms: wall, lines_per_s: LINES / (wall / 1000), peak_rss: peak };
}

function normalizeThroughput(file: string) {
  const names = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => l.slice(l.indexOf(",") + 1));
  const ascii = names.filter((n) => /^[a-z0-9.-]+$/.test(n) && !n.includes("xn--"));
  const time = (xs: string[]) => {
    let ok = 0;
    for (const x of xs) if (normalizeDomain(x).ok) ok++; // warm-up
    const t0 = performance.now();
    for (const x of xs) if (normalizeDomain(x).ok) ok--;
    const s = (performance.now() - t0) / 1000;
    if (ok !== 0) throw new Error("normalizeDomain is not deterministic");
    return xs.length / s;
  };
  return { all_per_s: time(names), ascii_per_s: time(ascii), names: names.length, ascii_names: ascii.length };
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "mxsurvey-bench-ingest-"));
  try {
    const plainFile = join(dir, "tranco-1m.csv");
    const quotedFile = join(dir, "tranco-1m-quoted-crlf.csv");
    process.stderr.write(`generating ${LINES.toLocaleString("en-US")}-line lists in ${dir} ...\n`);
    const gen = await generateTranco(plainFile, { lines: LINES, seed: 20250101 });
    const genQuoted = await generateTranco(quotedFile, { lines: LINES, seed: 20250101, quoted: true });

    process.stderr.write(`ingesting (${RUNS} runs, each in a fresh child process) ...\n`);
    const main = measure(plainFile, RUNS);
    const quoted = measure(quotedFile, RUNS);
    process.stderr.write("normalizeDomain alone ...\n");
    const norm = normalizeThroughput(plainFile);

    const c = main.reports[0]!.counts;
    const qc = quoted.reports[0]!.counts;
    const sameResult = JSON.stringify(c) === JSON.stringify(qc);
    const passSpeed = main.lines_per_s >= TARGET_LINES_PER_S;
    const passRss = main.peak_rss < TARGET_PEAK_RSS;
    const passNorm = norm.ascii_per_s >= BUDGET_NORMALIZE_PER_S;

    const table: BenchRow[] = [
      {
        measure: "ingest 1M Tranco lines: throughput (median of 3)",
        value: `${int(main.lines_per_s)} lines/s`,
        target: `>= ${int(TARGET_LINES_PER_S)} lines/s`,
        result: verdict(passSpeed),
      },
      {
        measure: "ingest 1M Tranco lines: peak RSS (VmHWM, max of 3)",
        value: `${mb(main.peak_rss)} MB`,
        target: `< ${mb(TARGET_PEAK_RSS)} MB`,
        result: verdict(passRss),
      },
      {
        measure: "ingest: wall time (median)",
        value: `${(main.wall_ms / 1000).toFixed(2)} s`,
        target: "",
        result: "",
      },
      {
        measure: "ingest: child baseline RSS before reading",
        value: `${mb(main.reports[0]!.baseline_rss)} MB`,
        target: "",
        result: "",
      },
      {
        measure: "ingest: counts",
        value: `${int(c.domains!)} domains, ${int(c.duplicates!)} duplicates, ${int(c.rejected!)} rejected`,
        target: "",
        result: "",
      },
      {
        measure: "quoted + CRLF variant: throughput (median of 3)",
        value: `${int(quoted.lines_per_s)} lines/s`,
        target: "(info)",
        result: sameResult ? "same counts" : "COUNTS DIFFER",
      },
      {
        measure: "quoted + CRLF variant: peak RSS",
        value: `${mb(quoted.peak_rss)} MB`,
        target: "(info)",
        result: "",
      },
      {
        measure: "normalizeDomain, ASCII names (fast path)",
        value: `${int(norm.ascii_per_s)} names/s`,
        target: `>= ${int(BUDGET_NORMALIZE_PER_S)} names/s`,
        result: verdict(passNorm),
      },
      {
        measure: "normalizeDomain, all names (incl. IDN, invalid)",
        value: `${int(norm.all_per_s)} names/s`,
        target: "(info)",
        result: "",
      },
    ];
    return {
      table,
      figures: {
        lines: LINES,
        generated: { plain: gen, quoted_crlf: genQuoted },
        targets: {
          lines_per_s: TARGET_LINES_PER_S,
          peak_rss_bytes: TARGET_PEAK_RSS,
          normalize_ascii_per_s: BUDGET_NORMALIZE_PER_S,
        },
        pass: { lines_per_s: passSpeed, peak_rss: passRss, normalize_ascii_per_s: passNorm },
        ingest: {
          wall_ms_median: main.wall_ms,
          lines_per_s: main.lines_per_s,
          peak_rss_bytes: main.peak_rss,
          runs: main.reports,
        },
        ingest_quoted_crlf: {
          wall_ms_median: quoted.wall_ms,
          lines_per_s: quoted.lines_per_s,
          peak_rss_bytes: quoted.peak_rss,
          same_counts_as_plain: sameResult,
          runs: quoted.reports,
        },
        normalize: norm,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
