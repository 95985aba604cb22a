/**
 * Child process of the ingest benchmark: `node ingest-child.js FILE [FORMAT]` ingests FILE once and prints one
 * JSON line — wall time, counts, and peak RSS (VmHWM from /proc/self/status, the kernel's high-water mark, plus
 * process.memoryUsage().rss sampled every 50 ms as a cross-check where /proc is missing).
 */

import { readFileSync } from "node:fs";
import { ingestDomains } from "../../../coordinator/ingest/index.js";

function procStatusKb(field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function main() {
  const [file, format] = process.argv.slice(2);
  if (!file) throw new Error("usage: ingest-child FILE [FORMAT]");
  const baseline = procStatusKb("VmHWM") ?? process.memoryUsage().rss;
  let sampledPeak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
  }, 50);
  const t0 = performance.now();
  const r = await ingestDomains(file, { format: (format ?? "auto") as "auto" });
  const wallMs = performance.now() - t0;
  clearInterval(timer);
  sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
  const mem = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({
      wall_ms: wallMs,
      format: r.format,
      counts: r.counts,
      first_domains: r.domains.slice(0, 3),
      rejected_reasons: r.rejected.reduce<Record<string, number>>((acc, x) => {
        acc[x.reason] = (acc[x.reason] ?? 0) + 1;
        return acc;
      }, {}),
      baseline_rss: baseline,
      peak_rss_vmhwm: procStatusKb("VmHWM"),
      peak_rss_sampled: sampledPeak,
      heap_used_end: mem.heapUsed,
    })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
