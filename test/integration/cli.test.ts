/**
 * The command line as a user runs it (the built dist/coordinator/cli.js) against the lab: JSON lines, the
 * target-address policy (and proof that no TCP connection was made), EHLO-name refusal before any network
 * traffic, a dead resolver, deadlines, exit codes.
 */

import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainRow } from "../../shared/schema/domain-row.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { runCli } from "../helpers/cli.js";
import { LAB_CASES } from "../lab/profiles.js";
import { type LabWorld, startLabWorld } from "../lab/world.js";

let lab: LabWorld;
const pick = (...names: string[]) => LAB_CASES.filter((c) => names.includes(c.name));

beforeAll(async () => {
  lab = await startLabWorld({ cases: pick("valid", "no-starttls", "never-greets", "drip", "backup-bad") });
}, 60_000);
afterAll(async () => {
  await lab?.close();
});

const connectionsTo = (caseName: string) =>
  lab.hosts.filter((h) => h.caseName === caseName).reduce((n, h) => n + (h.server?.connections ?? 0), 0);

function parseLines(stdout: string): { domain: DomainRow; hosts: HostRow[] }[] {
  return stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

describe("cli check", () => {
  it("cli - --json prints one {domain, hosts} object per domain, in the order given", async () => {
    const r = await runCli([
      "check",
      "backup-bad.lab.test",
      "valid.lab.test",
      ...lab.cliArgs(),
      "--json",
      "--ehlo-name",
      "t.mxsurvey.test",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    expect(lines.map((l) => l.domain.domain)).toEqual(["backup-bad.lab.test", "valid.lab.test"]);
    expect(lines[0]!.hosts.map((h) => [h.hostname, h.status])).toEqual([
      ["mx.backup-bad.lab.test", "ok"],
      ["backup.backup-bad.lab.test", "no_starttls"],
    ]);
    expect(lines[1]!.domain.status).toBe("valid");
  });

  it("cli - text output marks each check and names the verdict", async () => {
    const r = await runCli([
      "check",
      "no-starttls.lab.test",
      ...lab.cliArgs(),
      "--ehlo-name",
      "t.mxsurvey.test",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no-starttls.lab.test  ✗ no_starttls");
    expect(r.stdout).toMatch(/✗ STARTTLS\s+not offered/);
    expect(r.stdout).not.toContain("\x1b["); // not a TTY: no colour
  });

  it("cli - without --allow-private-targets a loopback MX is blocked_address and never contacted", async () => {
    const before = connectionsTo("valid");
    const args = lab.cliArgs().filter((a) => a !== "--allow-private-targets");
    const r = await runCli(["check", "valid.lab.test", ...args, "--json", "--ehlo-name", "t.mxsurvey.test"]);
    expect(r.code).toBe(0);
    const [line] = parseLines(r.stdout);
    expect(line!.hosts).toHaveLength(1);
    expect(line!.hosts[0]).toMatchObject({
      failure: "blocked_address",
      failure_phase: "connect",
      status: "blocked",
      connect_ms: null,
    });
    expect(line!.domain.status).toBe("blocked");
    // Give a stray connection time to arrive, then prove none did.
    await new Promise((res) => setTimeout(res, 200));
    expect(connectionsTo("valid")).toBe(before);
  });

  it.each([
    ["CR LF", "mx.example\r\nMAIL FROM:<a@b>"],
    ["LF", "mx.example\nRSET"],
    ["CR", "mx.example\rX"],
    ["bad characters", "mx_example!"],
  ])("cli - --ehlo-name with %s is refused before any connection", async (_what, name) => {
    const conns = lab.hosts.reduce((n, h) => n + (h.server?.connections ?? 0), 0);
    const queries = lab.dns.queries;
    const r = await runCli(["check", "valid.lab.test", ...lab.cliArgs(), "--ehlo-name", name]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/--ehlo-name/);
    if (/[\r\n]/.test(name)) expect(r.stderr).toMatch(/CR or LF/);
    expect(lab.dns.queries).toBe(queries);
    expect(lab.hosts.reduce((n, h) => n + (h.server?.connections ?? 0), 0)).toBe(conns);
  });

  it("cli - a resolver that never answers: exit 3 with a clear message within the DNS budget", async () => {
    const silent: UdpSocket = createSocket("udp4");
    await new Promise<void>((res) => silent.bind(0, "127.0.0.1", () => res()));
    try {
      const port = silent.address().port;
      const r = await runCli(
        [
          "check",
          "valid.lab.test",
          "--resolver",
          `127.0.0.1:${port}`,
          "--dns-timeout",
          "0.5",
          "--dns-retries",
          "1",
          "--ehlo-name",
          "t.mxsurvey.test",
        ],
        { timeoutMs: 20_000 },
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/no DNS resolver answered/);
      // 2 attempts x 0.5 s, plus Node start-up; far below the 20 s kill.
      expect(r.ms).toBeLessThan(6_000);
    } finally {
      silent.close();
    }
  });

  it("cli - a server that never greets ends with banner_timeout at --smtp-timeout", async () => {
    const r = await runCli([
      "check",
      "never-greets.lab.test",
      ...lab.cliArgs(),
      "--smtp-timeout",
      "1",
      "--json",
      "--ehlo-name",
      "t.mxsurvey.test",
    ]);
    const h = parseLines(r.stdout)[0]!.hosts[0]!;
    expect([h.failure, h.failure_phase]).toEqual(["banner_timeout", "banner"]);
    expect(h.duration_ms).toBeGreaterThanOrEqual(1000);
    expect(h.duration_ms).toBeLessThan(2500);
  });

  it("cli - a drip of one byte per second ends with partial_reply_timeout at --smtp-timeout", async () => {
    const r = await runCli([
      "check",
      "drip.lab.test",
      ...lab.cliArgs(),
      "--smtp-timeout",
      "2.5",
      "--json",
      "--ehlo-name",
      "t.mxsurvey.test",
    ]);
    const h = parseLines(r.stdout)[0]!.hosts[0]!;
    expect([h.failure, h.failure_phase]).toEqual(["partial_reply_timeout", "banner"]);
    expect(h.duration_ms).toBeGreaterThanOrEqual(2500);
    expect(h.duration_ms).toBeLessThan(4000);
  });

  it("cli - the per-host deadline cuts a phase short with deadline_exceeded", async () => {
    const r = await runCli([
      "check",
      "drip.lab.test",
      ...lab.cliArgs(),
      "--smtp-timeout",
      "30",
      "--host-deadline",
      "1.5",
      "--json",
      "--ehlo-name",
      "t.mxsurvey.test",
    ]);
    const h = parseLines(r.stdout)[0]!.hosts[0]!;
    expect([h.failure, h.failure_phase]).toEqual(["deadline_exceeded", "banner"]);
    expect(h.duration_ms).toBeLessThan(3000);
  });

  it.each([
    [["check"], /give at least one domain/],
    [["db"], /give a db action/],
    [["db", "load"], /give the scan directory/],
    [["check", "a..b"], /empty_label/],
    [["check", "x.test", "--resolver", "not-an-ip"], /resolver/i],
    [["check", "x.test", "--smtp-timeout", "-1", "--resolver", "127.0.0.1:1"], /--smtp-timeout/],
    [["probe", "host:notaport", "--resolver", "127.0.0.1:1"], /bad port/],
    [["frobnicate"], /Unknown argument|give a command/],
  ])("cli - bad usage %j exits 2 with a message", async (args, message) => {
    const probing = args[0] === "check" || args[0] === "probe";
    const r = await runCli(probing ? [...args, "--ehlo-name", "t.mxsurvey.test"] : args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("cli probe", () => {
  it("probe - host:port probes a server directly and prints its host row", async () => {
    const mx = lab.hosts.find((h) => h.caseName === "valid")!;
    const r = await runCli([
      "probe",
      `${mx.ip}:${lab.smtpPort}`,
      ...lab.cliArgs(),
      "--json",
      "--ehlo-name",
      "t.mxsurvey.test",
    ]);
    expect(r.code).toBe(0);
    const row = JSON.parse(r.stdout.trim()) as HostRow;
    // By address there is no name to match: the certificate is trusted but does not name the IP.
    expect(row).toMatchObject({
      ip: mx.ip,
      port: lab.smtpPort,
      starttls_ok: true,
      cert_trusted: true,
      cert_name_matches_mx: false,
    });
  });

  it("probe - a host name is resolved and its certificate checked against it", async () => {
    const mx = lab.hosts.find((h) => h.caseName === "valid")!;
    const r = await runCli([
      "probe",
      `${mx.hostname}:${lab.smtpPort}`,
      ...lab.cliArgs(),
      "--json",
      "--ehlo-name",
      "t.mxsurvey.test",
    ]);
    const row = JSON.parse(r.stdout.trim()) as HostRow;
    expect(row).toMatchObject({ hostname: mx.hostname, ip: mx.ip, status: "ok" });
  });
});
