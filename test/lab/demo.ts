/**
 * `npm run demo`: start the lab (a small simulated internet on loopback) and run mxsurvey on it with the real
 * command line, exactly as a user would type it — no NATS or ClickHouse needed:
 *  1. `mxsurvey check` on one domain per lab behaviour, then the verdict of every lab domain beside what its
 *     lab case expects;
 *  2. `mxsurvey check --depth full` on domains that publish MTA-STS, TLS-RPT and DANE (good and broken), each
 *     with its grade and recommendations;
 *  3. `mxsurvey scan` (the embedded default) of a generated lab of 1,000 domains over 150 MX hosts with
 *     realistic sharing and an EFF-2018-like mix of behaviours, ending with the survey summary.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startGeneratedLab } from "./generate.js";
import { startPolicyWorld } from "./policy-world.js";
import { startLabWorld } from "./world.js";

const cli = fileURLToPath(new URL("../../coordinator/cli.js", import.meta.url));

function run(args: string[], inherit: boolean): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: ["ignore", inherit ? "inherit" : "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout?.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout }));
  });
}

const say = (s: string) => process.stdout.write(`${s}\n`);

async function checkPart(): Promise<boolean> {
  say("== 1. mxsurvey check: one lab domain per behaviour\n");
  const lab = await startLabWorld();
  try {
    const domains = lab.cases.map((c) => lab.domainOf(c));
    const common = [...lab.cliArgs(), "--smtp-timeout", "3", "--ehlo-name", "demo.mxsurvey.test"];
    const shown = ["valid.lab.test", "self-signed.lab.test", "backup-bad.lab.test"];
    say(`$ mxsurvey check ${shown.join(" ")} ${common.join(" ")}\n`);
    const text = await run(["check", ...shown, ...common], true);
    if (text.code !== 0) throw new Error(`mxsurvey check exited ${text.code}`);
    say(`$ mxsurvey check <all ${domains.length} lab domains> ${common.join(" ")} --json\n`);
    const json = await run(["check", ...domains, ...common, "--json"], false);
    if (json.code !== 0) throw new Error(`mxsurvey check exited ${json.code}`);
    const rows = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { domain: { domain: string; status: string } });
    say("Verdict of every lab domain (✓ = the verdict its lab case expects):\n");
    let agree = 0;
    for (const c of lab.cases) {
      const got = rows.find((r) => r.domain.domain === lab.domainOf(c))?.domain.status ?? "(missing)";
      const same = got === c.expect.domain;
      if (same) agree++;
      say(
        `  ${same ? "✓" : "✗"} ${lab.domainOf(c).padEnd(30)} ${got.padEnd(13)} ${same ? "" : `expected ${c.expect.domain}; `}${c.why}`,
      );
    }
    say(`\n${agree} of ${lab.cases.length} lab domains got the verdict their case expects.\n`);
    return agree === lab.cases.length;
  } finally {
    await lab.close();
  }
}

async function policyPart(): Promise<boolean> {
  say("== 2. mxsurvey check --depth full: MTA-STS, TLS-RPT and DANE, good and broken\n");
  const world = await startPolicyWorld();
  try {
    const domains = [
      "sts-enforce.lab.test",
      "sts-enforce-failing.lab.test",
      "dane-ee-311.lab.test",
      "dane-mismatch.lab.test",
    ];
    const args = [
      "check",
      ...domains,
      ...world.cliArgs(),
      "--depth",
      "full",
      "--per-host-delay",
      "0",
      "--ehlo-name",
      "demo.mxsurvey.test",
    ];
    say(`$ mxsurvey ${args.join(" ")}\n`);
    const r = await run(args, true);
    return r.code === 0;
  } finally {
    await world.close();
  }
}

async function scanPart(): Promise<boolean> {
  say("== 3. mxsurvey scan: a survey of a generated lab (embedded default: no NATS, no ClickHouse)\n");
  const lab = await startGeneratedLab({ domains: 1000, hosts: 150 });
  const out = mkdtempSync(join(tmpdir(), "mxsurvey-demo-scan-"));
  try {
    const args = [
      "scan",
      "--domains",
      lab.listFile,
      "--list-source",
      "lab",
      "--list-id",
      "demo",
      "--out",
      out,
      ...lab.cliArgs(),
      "--smtp-timeout",
      "3",
      "--ehlo-name",
      "demo.mxsurvey.test",
    ];
    say(`$ mxsurvey ${args.join(" ")}\n`);
    const r = await run(args, true);
    return r.code === 0;
  } finally {
    await lab.close();
    rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const a = await checkPart();
  const b = await policyPart();
  const c = await scanPart();
  if (!a || !b || !c) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
