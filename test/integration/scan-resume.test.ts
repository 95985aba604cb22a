/**
 * A scan's parameters are part of the scan (the real CLI, embedded, on a generated lab):
 *  - they are saved in scan.json as a JSON object, by flag name, when the scan starts;
 *  - a `--depth versions` scan interrupted with Ctrl-C (SIGINT) and resumed without repeating `--depth` (or
 *    any other option) finishes at depth versions, with the saved EHLO name and timeouts;
 *  - an option given again with another value is refused (exit 2), naming each difference, and nothing in the
 *    scan's files changes; the same value given again is accepted;
 *  - `--resume ID` without `--out` finds the scan in ./scans/ID, and the resume of a finished scan re-prints
 *    its summary.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import type { ScanHostRow } from "../../shared/schema/tables.js";
import { readJsonl } from "../../shared/store/jsonl.js";
import { runCli } from "../helpers/cli.js";
import { startCli } from "../helpers/procs.js";
import { type GeneratedLab, startGeneratedLab } from "../lab/generate.js";

let lab: GeneratedLab;
let tmp: string;

beforeAll(async () => {
  lab = await startGeneratedLab({ domains: 200, hosts: 40, seed: 5, greetDelayMs: 400 });
  tmp = mkdtempSync(join(tmpdir(), "mxsurvey-resume-"));
}, 60_000);

afterAll(async () => {
  await lab?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const files = (dir: string) =>
  ["scan.json", "hosts.jsonl", "domains.jsonl", "plan.jsonl"].map((f) => {
    try {
      return readFileSync(join(dir, f), "utf8");
    } catch {
      return null;
    }
  });
const scanJson = (dir: string) => JSON.parse(readFileSync(join(dir, "scan.json"), "utf8")) as ScanRow;

describe("scan parameters", () => {
  it("resume - a --depth versions scan interrupted and resumed without its options keeps every saved parameter", async () => {
    const dir = join(tmp, "versions");
    const first = startCli(
      [
        "scan",
        "--domains",
        lab.listFile,
        "--out",
        dir,
        ...lab.cliArgs(),
        "--depth",
        "versions",
        "--per-host-delay",
        "0",
        "--ehlo-name",
        "resume.mxsurvey.test",
        "--smtp-timeout",
        "7",
        "--threads",
        "1",
        "--concurrency",
        "4",
      ],
      { maxMs: 300_000 },
    );
    const m = await first.waitFor(/scan (\d{8}T\d{6}Z-[0-9a-f]{6})/, 60_000);
    await first.waitFor(/\[probe\] [1-9]\d*\//, 120_000);
    first.kill("SIGINT");
    await first.exited;
    const scanId = m[1]!;
    const saved = scanJson(dir);
    expect(saved.state).toBe("running");
    // Saved as JSON, by flag name, not as a JSON string inside JSON.
    expect(saved.params).toMatchObject({
      depth: "versions",
      "ehlo-name": "resume.mxsurvey.test",
      "smtp-timeout": 7,
      "per-host-delay": 0,
      resolver: [lab.dns.address],
      "smtp-port": lab.smtpPort,
      "allow-private-targets": true,
      mode: "embedded",
    });
    const before = readJsonl<ScanHostRow>(join(dir, "hosts.jsonl")).filter((h) => h.ip !== null);

    // Resumed with no measurement option at all (the lab's resolver, CA and port are restored too).
    const second = await runCli(["scan", "--resume", scanId, "--out", dir, "--quiet"], {
      timeoutMs: 300_000,
    });
    expect(second.code, second.stderr).toBe(0);
    const hosts = readJsonl<ScanHostRow>(join(dir, "hosts.jsonl")).filter((h) => h.ip !== null);
    expect(before.length, "the first run was interrupted mid-scan").toBeLessThan(hosts.length);
    expect(hosts.length).toBeGreaterThan(30);
    const depths = new Map<string, number>();
    for (const h of hosts) depths.set(h.inventory_depth, (depths.get(h.inventory_depth) ?? 0) + 1);
    expect(Object.fromEntries(depths)).toEqual({ versions: hosts.length });
    expect(hosts.filter((h) => h.tls12 !== null).length).toBeGreaterThan(10);
    const after = scanJson(dir);
    expect(after.state).toBe("complete");
    expect(after.params).toEqual(saved.params);
  }, 400_000);

  it("resume - an option given again with another value is refused, naming each difference; the files stay as they were", async () => {
    const dir = join(tmp, "versions");
    const scanId = scanJson(dir).scan_id;
    const untouched = files(dir);
    const r = await runCli([
      "scan",
      "--resume",
      scanId,
      "--out",
      dir,
      "--depth",
      "full",
      "--smtp-timeout",
      "9",
      "--ehlo-name",
      "resume.mxsurvey.test", // the same value: no difference
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("--depth: the scan has versions, given full");
    expect(r.stderr).toContain("--smtp-timeout: the scan has 7, given 9");
    expect(r.stderr).not.toContain("--ehlo-name:");
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(files(dir)).toEqual(untouched);
  });

  it("resume - the same values given again are accepted; a finished scan's resume re-prints its summary", async () => {
    const dir = join(tmp, "versions");
    const scanId = scanJson(dir).scan_id;
    const r = await runCli(["scan", "--resume", scanId, "--out", dir, "--depth", "versions", "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Scan ${scanId}`);
    expect(r.stdout).toMatch(/probe jobs \(host, IP\)\s+\d+/);
  });

  it("resume - --resume ID without --out finds the scan in ./scans/ID", async () => {
    const cwd = mkdtempSync(join(tmp, "cwd-"));
    const first = await runCli(
      [
        "scan",
        "--domains",
        lab.listFile,
        "--top",
        "20",
        ...lab.cliArgs(),
        "--ehlo-name",
        "cwd.mxsurvey.test",
        "--quiet",
      ],
      { cwd, timeoutMs: 200_000 },
    );
    expect(first.code, first.stderr).toBe(0);
    const scanId = /^Scan (\S+)/m.exec(first.stdout)?.[1] ?? "";
    expect(scanJson(join(cwd, "scans", scanId)).params).toMatchObject({ top: 20 });
    const again = await runCli(["scan", "--resume", scanId, "--quiet"], { cwd });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Scan ${scanId}`);
  }, 300_000);
});
