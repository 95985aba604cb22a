/**
 * `npm run demo`: start the lab (a small simulated internet on loopback) and check every lab domain with the
 * real command line, exactly as a user would type it; then print the verdict of each domain beside what the
 * lab case expects.
 */

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
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

async function main(): Promise<void> {
  process.stderr.write(
    "Starting the lab: DNS on 127.0.0.1, one SMTP server per simulated MX host on 127.0.1.x ...\n",
  );
  const lab = await startLabWorld();
  try {
    const domains = lab.cases.map((c) => lab.domainOf(c));
    const args = [
      "check",
      ...domains,
      ...lab.cliArgs(),
      "--smtp-timeout",
      "3",
      "--ehlo-name",
      "demo.mxsurvey.test",
    ];
    process.stderr.write(`\n$ mxsurvey ${args.join(" ")}\n\n`);
    const text = await run(args, true);
    if (text.code !== 0) throw new Error(`mxsurvey check exited ${text.code}`);
    const json = await run([...args, "--json"], false);
    const rows = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { domain: { domain: string; status: string } });
    console.log("Verdicts of the lab domains (got / the lab case expects):\n");
    let agree = 0;
    for (const c of lab.cases) {
      const got = rows.find((r) => r.domain.domain === lab.domainOf(c))?.domain.status ?? "(missing)";
      const same = got === c.expect.domain;
      if (same) agree++;
      console.log(
        `  ${same ? "✓" : "✗"} ${lab.domainOf(c).padEnd(32)} ${got.padEnd(14)} ${same ? "" : `expected ${c.expect.domain}  `}${c.why}`,
      );
    }
    console.log(`\n${agree} of ${lab.cases.length} lab domains got the verdict their case expects.`);
    if (agree !== lab.cases.length) process.exitCode = 1;
  } finally {
    await lab.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
