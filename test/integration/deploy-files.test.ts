/**
 * The deployment files are checked by the tools that run them: the systemd units by `systemd-analyze verify`
 * (Debian's systemd, installed by the test setup when missing), with every warning an error; the Compose file by
 * `docker-compose config` (Debian's docker-compose). Every mxsurvey flag a file uses must be one the CLI knows.
 */

import { execFile } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { projectRoot } from "../tools/project-root.js";

const SYSTEMD = join(projectRoot(), "deploy", "systemd");
const COMPOSE = join(projectRoot(), "deploy", "compose");

const tmp = mkdtempSync(join(tmpdir(), "mxsurvey-deploy-"));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(cmd, args, { timeout: 600_000, ...opts }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Install a Debian package when `binary` is missing (once). */
async function ensure(binary: string, pkg: string): Promise<void> {
  if (existsSync(binary)) return;
  const up = await run("apt-get", ["update"]);
  expect(up.code, up.stderr).toBe(0);
  const r = await run("apt-get", ["install", "-y", "--no-install-recommends", pkg], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  expect(r.code, r.stderr).toBe(0);
  expect(existsSync(binary), `${pkg} installed no ${binary}`).toBe(true);
}

/**
 * The mxsurvey flags used in a text, per command: `mxsurvey worker --a --b` (units) or `command: worker --a`
 * (Compose), one command per line.
 */
function flagsUsed(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of text.matchAll(/(?:mxsurvey\s+|command:\s+)(scan|worker|db prune)\b([^\n]*)/g)) {
    const cmd = m[1]!;
    const set = out.get(cmd) ?? new Set<string>();
    for (const f of m[2]!.matchAll(/--[a-z][a-z0-9-]*/g)) set.add(f[0]);
    out.set(cmd, set);
  }
  return out;
}

async function expectKnownFlags(text: string) {
  const used = flagsUsed(text);
  expect(used.size).toBeGreaterThan(0);
  for (const [cmd, flags] of used) {
    const help = await runCli([...cmd.split(" "), "--help"]);
    for (const f of flags) expect(help.stdout, `${cmd} ${f}`).toMatch(new RegExp(`\\s${f}\\b`));
  }
}

describe("deploy files", () => {
  it("systemd - the units pass systemd-analyze verify without a warning", async () => {
    await ensure("/usr/bin/systemd-analyze", "systemd");
    // verify wants the ExecStart binary to exist: a stand-in at a temporary path.
    const bin = join(tmp, "mxsurvey");
    writeFileSync(bin, "#!/bin/sh\nexit 0\n");
    chmodSync(bin, 0o755);
    const units = readdirSync(SYSTEMD).filter((f) => /\.(service|timer)$/.test(f));
    expect(units.sort()).toEqual(["mxsurvey-scan.service", "mxsurvey-scan.timer", "mxsurvey-worker.service"]);
    for (const u of units) {
      const text = readFileSync(join(SYSTEMD, u), "utf8").replaceAll("/usr/local/bin/mxsurvey", bin);
      writeFileSync(join(tmp, u), text);
    }
    const r = await run("systemd-analyze", ["verify", ...units.map((u) => join(tmp, u))]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, 900_000);

  it("systemd - a broken unit is caught (the check can fail)", async () => {
    await ensure("/usr/bin/systemd-analyze", "systemd");
    const broken = join(tmp, "broken.timer");
    copyFileSync(join(SYSTEMD, "mxsurvey-scan.timer"), broken);
    writeFileSync(broken, readFileSync(broken, "utf8").replace(/^OnCalendar=.*$/m, "OnCalendar=Mon 99:00"));
    const r = await run("systemd-analyze", ["verify", broken]);
    expect(r.stderr).toMatch(/calendar/);
  }, 900_000);

  it("systemd - every mxsurvey flag the units use exists", async () => {
    await expectKnownFlags(
      readdirSync(SYSTEMD)
        .map((f) => readFileSync(join(SYSTEMD, f), "utf8"))
        .join("\n"),
    );
  }, 60_000);

  it("compose - docker-compose config accepts the file with the example settings", async () => {
    await ensure("/usr/bin/docker-compose", "docker-compose");
    const r = await run(
      "docker-compose",
      ["-f", "compose.yaml", "--env-file", ".env.example", "config", "-q"],
      {
        cwd: COMPOSE,
      },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, 900_000);

  it("compose - a missing password is refused (the check can fail)", async () => {
    await ensure("/usr/bin/docker-compose", "docker-compose");
    const env = join(tmp, "no-password.env");
    writeFileSync(
      env,
      readFileSync(join(COMPOSE, ".env.example"), "utf8").replace(/^NATS_PASSWORD=.*$/m, "NATS_PASSWORD="),
    );
    const r = await run("docker-compose", ["-f", "compose.yaml", "--env-file", env, "config", "-q"], {
      cwd: COMPOSE,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("set NATS_PASSWORD in .env");
  }, 900_000);

  it("compose - every mxsurvey flag the Compose file uses exists; Prometheus's config passes promtool", async () => {
    await expectKnownFlags(readFileSync(join(COMPOSE, "compose.yaml"), "utf8"));
    const promtool = ["/usr/bin/promtool", "/usr/sbin/promtool"].find((p) => existsSync(p));
    if (!promtool) await ensure("/usr/bin/promtool", "prometheus");
    const r = await run(promtool ?? "/usr/bin/promtool", [
      "check",
      "config",
      join(COMPOSE, "prometheus.yml"),
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
  }, 900_000);
});
