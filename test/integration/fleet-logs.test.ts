/**
 * Logs of a fleet: a distributed lab scan whose NATS server wants a user and password and whose ClickHouse
 * server wants a password; the coordinator and a worker log in JSON (one object per line, known event names)
 * and no secret appears in any line of either process, in either format — also when the NATS URL itself
 * carries the credentials.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOG_EVENTS } from "../../shared/log.js";
import { runCli } from "../helpers/cli.js";
import { type ClickHouseInstance, startClickHouse } from "../helpers/clickhouse.js";
import { type NatsInstance, startNats } from "../helpers/nats.js";
import { type Proc, startCli } from "../helpers/procs.js";
import { type GeneratedLab, startGeneratedLab } from "../lab/generate.js";

const NATS_USER = "mxfleet";
const NATS_PASSWORD = "natsPw-Zq81xT";
const CH_PASSWORD = "chPw-Kd92mW";

let nats: NatsInstance;
let ch: ClickHouseInstance;
let lab: GeneratedLab;
const procs: Proc[] = [];

beforeAll(async () => {
  [nats, ch, lab] = await Promise.all([
    startNats({ user: NATS_USER, password: NATS_PASSWORD }),
    startClickHouse({ password: CH_PASSWORD }),
    startGeneratedLab({ domains: 60, hosts: 15, seed: 1516, addressBase: 160 }),
  ]);
}, 600_000);

afterAll(async () => {
  for (const p of procs) p.kill("SIGKILL");
  await lab?.close();
  await ch?.stop();
  await nats?.stop();
}, 120_000);

const natsAuth = () => ["--nats", nats.url, "--nats-user", NATS_USER, "--nats-password", NATS_PASSWORD];

function expectNoSecret(lines: string[]) {
  const leaks = lines.filter((l) => l.includes(NATS_PASSWORD) || l.includes(CH_PASSWORD));
  expect(leaks).toEqual([]);
}

describe("fleet logs", () => {
  it("logs - JSON lines with known events, and no NATS or ClickHouse password in any line", async () => {
    const w = startCli(
      [
        "worker",
        ...natsAuth(),
        "--threads",
        "1",
        "--concurrency",
        "8",
        "--log-format",
        "json",
        ...lab.workerArgs(),
      ],
      { maxMs: 300_000 },
    );
    procs.push(w);
    await w.waitFor(/"event":"worker_started"/, 60_000);
    const scan = await runCli(
      [
        "scan",
        "--domains",
        lab.listFile,
        ...natsAuth(),
        "--clickhouse",
        ch.url,
        "--clickhouse-password",
        CH_PASSWORD,
        "--log-format",
        "json",
        ...lab.cliArgs(),
        "--smtp-timeout",
        "5",
      ],
      { timeoutMs: 300_000 },
    );
    expect(scan.code, scan.stderr).toBe(0);
    w.kill("SIGTERM");
    expect(await w.exited).toBe(0);

    const lines = [...scan.stderr.split("\n"), ...w.stderr().split("\n")].filter((l) => l !== "");
    expectNoSecret([...lines, scan.stdout]);
    const events = lines.map((l) => JSON.parse(l) as { event: string; level: string; component: string });
    const unknown = events.filter((e) => !(LOG_EVENTS as readonly string[]).includes(e.event));
    expect(unknown).toEqual([]);
    const names = new Set(events.map((e) => e.event));
    for (const e of ["worker_started", "worker_stopping", "worker_stopped", "scan_stage", "scan_progress"])
      expect(names, e).toContain(e);
    expect(new Set(events.map((e) => e.component.split(" ")[0]))).toEqual(new Set(["scan", "worker"]));
  }, 600_000);

  it("logs - text lines name the same events, without the password", async () => {
    const w = startCli(["worker", ...natsAuth(), "--threads", "1", ...lab.workerArgs()], { maxMs: 120_000 });
    procs.push(w);
    const m = await w.waitFor(/^\[worker [^\]]+\] worker_started: connected to (\S+);/m, 60_000);
    expect(m[1]).toBe(nats.url);
    w.kill("SIGTERM");
    expect(await w.exited).toBe(0);
    expect(w.stderr()).toMatch(/\] worker_stopping: SIGTERM: no new jobs/);
    expect(w.stderr()).toMatch(/\] worker_stopped: stopping after 0 jobs/);
    expectNoSecret(w.stderr().split("\n"));
  }, 180_000);

  it("logs - credentials inside the NATS URL are not repeated in the refusal", async () => {
    // nats.js takes credentials from the options, not the URL: the server refuses, and the line must not show them.
    const withCreds = nats.url.replace("nats://", `nats://${NATS_USER}:${NATS_PASSWORD}@`);
    const r = await runCli(["worker", "--nats", withCreds, ...lab.workerArgs()]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^mxsurvey: cannot connect to NATS at nats:\/\/\*\*\*@127\./);
    expectNoSecret(r.stderr.split("\n"));
  }, 60_000);
});
