/**
 * Report benchmark (`npm run bench -- report`): `mxsurvey report` embedded (chDB) on a real 100,000-domain scan
 * directory, in a fresh child process: wall time (loading the JSONL into chDB, every query of the report, the
 * charts, the files) and peak RSS (VmHWM).
 *
 * The scan: the scale lab of `npm run bench -- scale` (test/bench/lib/scale-world.ts: 100,000 domains, 5,000
 * MX host names on shared-hosting IPs, a few providers serving most domains) scanned for real by the CLI,
 * embedded, at `--depth versions` (so the report has grades) with `--policies`.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../helpers/cli.js";
import { ScaleLab } from "./lib/scale-lab.js";
import type { BenchResult } from "./run.js";

const DOMAINS = Number(process.env.MXSURVEY_REPORT_DOMAINS ?? 100_000);

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, "lib", "report-child.js");
const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;

export async function run(): Promise<BenchResult> {
  const tmp = mkdtempSync(join(tmpdir(), "mxsurvey-bench-report-"));
  try {
    const lab = await ScaleLab.start(DOMAINS);
    const big = join(tmp, "scan");
    const scanStarted = performance.now();
    try {
      const r = await runCli(
        [
          "scan",
          "--domains",
          lab.info.listFile,
          "--out",
          big,
          "--quiet",
          "--depth",
          "versions",
          "--policies",
          "--resolver",
          lab.info.resolver,
          "--ca-file",
          lab.info.caFile,
          "--allow-private-targets",
          "--smtp-port",
          String(lab.info.smtpPort),
          "--ehlo-name",
          "bench.mxsurvey.test",
        ],
        { timeoutMs: 1_800_000 },
      );
      if (r.code !== 0) throw new Error(`the scan failed: ${r.stderr}`);
    } finally {
      await lab.stop();
    }
    const scanMs = performance.now() - scanStarted;

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
          measure: `scan of the scale lab (${DOMAINS} domains, --depth versions --policies)`,
          value: `${(scanMs / 1000).toFixed(1)} s`,
        },
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
        synthetic: false,
        domains: DOMAINS,
        scan_ms: scanMs,
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
