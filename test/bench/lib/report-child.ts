/**
 * One `mxsurvey report` in a fresh process, for test/bench/report.ts: argv is SCAN_DIR OUT_DIR. Prints JSON: wall
 * time, the report's file count and headline, and the kernel's high-water mark of this process's RSS (VmHWM:
 * chDB runs inside it, so its memory counts).
 */

import { readFileSync } from "node:fs";
import { runReport } from "../../../coordinator/commands/report.js";

const [dir, out] = process.argv.slice(2);
const started = performance.now();
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const result = await runReport({ "scan-dir": [dir!], out: out!, database: "mxsurvey" }, sink, process.stderr);
const wall_ms = performance.now() - started;
const status = readFileSync("/proc/self/status", "utf8");
const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
process.stdout.write(
  `${JSON.stringify({
    wall_ms,
    files: result.files.length,
    headline: result.tables["headline"]?.[0] ?? null,
    peak_rss: hwm ? Number(hwm[1]) * 1024 : null,
  })}\n`,
);
