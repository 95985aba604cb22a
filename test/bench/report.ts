/**
 * Report benchmark (`npm run bench -- report`): `mxsurvey report` embedded (chDB) on a 100,000-domain scan
 * directory, in a fresh child process: wall time (loading the JSONL into chDB, every query of the report, the
 * charts, the files) and peak RSS (VmHWM).
 *
 * The 100,000-domain scan is SYNTHETIC, made from a real one: a generated lab of 2,000 domains over 70 MX hosts
 * is scanned for real (`scan --depth versions`, some 25 s here), then its rows are copied 50 times with every
 * name renamed per copy (domain dN becomes d(N + 2000k), host H.gen.lab.test becomes H.ck.gen.lab.test, the
 * address's second octet moves by k, the rank by 2000k), so the directory holds 100,000 distinct domains and
 * 8,850 MX host names (3,500 of them with an address), with the real scan's mix of outcomes. A real
 * 100,000-domain lab scan would take 10 minutes or more on this shared 2-core machine (an estimate from the
 * 2,000-domain scan's 12 s and the 10,000-domain scan of test/integration/report.test.ts, about two minutes),
 * too long for a benchmark run; the report's cost depends on the rows, not on how they were measured.
 */

import { spawnSync } from "node:child_process";
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { runCli } from "../helpers/cli.js";
import { GEN_SUFFIX, startGeneratedLab } from "../lab/generate.js";
import type { BenchResult } from "./run.js";

const REAL_DOMAINS = 2000;
const REAL_HOSTS = 70;
const COPIES = 50;

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, "lib", "report-child.js");
const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;

const NAME = new RegExp(`\\b([a-z0-9-]+(?:\\.[a-z0-9-]+)*)\\.${GEN_SUFFIX.replace(/\./g, "\\.")}\\b`, "g");

/** One row's JSON text as copy k: names, ranks and addresses moved so that copies never collide. */
function copyLine(line: string, k: number): string {
  if (k === 0) return line;
  return line
    .replace(NAME, (_m, name: string) => {
      const d = /^d(\d+)$/.exec(name);
      return d ? `d${Number(d[1]) + k * REAL_DOMAINS}.${GEN_SUFFIX}` : `${name}.c${k}.${GEN_SUFFIX}`;
    })
    .replace(/"rank":(\d+)/, (_m, r: string) => `"rank":${Number(r) + k * REAL_DOMAINS}`)
    .replace(
      /"127\.(\d+)\.(\d+)\.(\d+)"/g,
      (_m, a: string, b: string, c: string) => `"127.${Number(a) + k}.${b}.${c}"`,
    );
}

async function multiply(src: string, dst: string, file: string): Promise<number> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(join(src, file)) })) {
    if (line.trim() !== "") lines.push(line);
  }
  const out = createWriteStream(join(dst, file));
  for (let k = 0; k < COPIES; k++) {
    for (const line of lines) {
      if (!out.write(`${copyLine(line, k)}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return lines.length * COPIES;
}

export async function run(): Promise<BenchResult> {
  const tmp = mkdtempSync(join(tmpdir(), "mxsurvey-bench-report-"));
  try {
    const lab = await startGeneratedLab({ domains: REAL_DOMAINS, hosts: REAL_HOSTS, seed: 100 });
    const real = join(tmp, "real");
    const scanStarted = performance.now();
    try {
      const r = await runCli(
        [
          "scan",
          "--domains",
          lab.listFile,
          "--out",
          real,
          "--quiet",
          "--depth",
          "versions",
          ...lab.cliArgs(),
        ],
        { timeoutMs: 900_000 },
      );
      if (r.code !== 0) throw new Error(`the real scan failed: ${r.stderr}`);
    } finally {
      await lab.close();
    }
    const scanMs = performance.now() - scanStarted;

    const big = join(tmp, "synthetic-100k");
    mkdirSync(big);
    const domains = await multiply(real, big, "domains.jsonl");
    const hosts = await multiply(real, big, "hosts.jsonl");
    const scan = JSON.parse(readFileSync(join(real, "scan.json"), "utf8")) as Record<
      string,
      number | unknown
    >;
    for (const k of ["lines_read", "domains", "unique_mx_hosts", "unique_ips", "host_jobs"]) {
      scan[k] = Number(scan[k]) * COPIES;
    }
    writeFileSync(join(big, "scan.json"), `${JSON.stringify(scan, null, 2)}\n`);

    const out = join(tmp, "report");
    const child = spawnSync(process.execPath, [CHILD, big, out], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (child.status !== 0) throw new Error(`report child failed (${child.status}): ${child.stderr}`);
    const rep = JSON.parse(child.stdout) as {
      wall_ms: number;
      files: number;
      headline: Record<string, number> | null;
      peak_rss: number | null;
    };
    return {
      table: [
        {
          measure: "real lab scan (2,000 domains, --depth versions)",
          value: `${(scanMs / 1000).toFixed(1)} s`,
        },
        { measure: "synthetic scan: domain rows / host rows", value: `${domains} / ${hosts}` },
        {
          measure: "report (chDB load + queries + charts + files): wall",
          value: `${(rep.wall_ms / 1000).toFixed(1)} s`,
        },
        {
          measure: "report: peak RSS (VmHWM)",
          value: rep.peak_rss === null ? "n/a" : `${mb(rep.peak_rss)} MB`,
        },
        { measure: "report: files written", value: rep.files },
        {
          measure: "report headline: domains / unique MX hosts / unique IPs",
          value: `${rep.headline?.["domains"]} / ${rep.headline?.["unique_mx_hosts"]} / ${rep.headline?.["unique_ips"]}`,
        },
      ],
      figures: {
        synthetic: true,
        real_domains: REAL_DOMAINS,
        copies: COPIES,
        domain_rows: domains,
        host_rows: hosts,
        real_scan_ms: scanMs,
        report_wall_ms: rep.wall_ms,
        report_peak_rss: rep.peak_rss,
        report_files: rep.files,
        headline: rep.headline,
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
