/**
 * NATS or ClickHouse out of reach is one named error (ServiceUnavailableError) with one exit status, 4, in every
 * command that talks to them — scan, worker, status, db — with a one-line message naming the service and its
 * URL, no stack trace, and no scan directory left behind. The services are loopback ports nothing listens on.
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type NatsInstance, startNats } from "../helpers/nats.js";

const SERVICE_UNAVAILABLE = 4;

let dir: string;
let closedPort: number;

/** A loopback TCP port nothing listens on (bound once by us, then closed). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, "127.0.0.1", () => res()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mxsurvey-service-errors-"));
  closedPort = await freePort();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh working directory holding only list.txt (a scan without --out writes ./scans/<id>/ there). */
function freshCwd(): string {
  const cwd = join(dir, `cwd-${Math.random().toString(36).slice(2)}`);
  mkdirSync(cwd);
  writeFileSync(join(cwd, "list.txt"), "valid.lab.test\n");
  return cwd;
}

// No DNS is reached in these runs: the service check comes before any query (the resolver is a closed port).
const probeArgs = () => ["--resolver", `127.0.0.1:${closedPort}`, "--ehlo-name", "t.mxsurvey.test"];
const nats = () => `nats://127.0.0.1:${closedPort}`;
const clickhouse = () => `http://127.0.0.1:${closedPort}`;

describe("unreachable services", () => {
  it.each([
    [
      "scan --nats",
      () => ["scan", "--domains", "list.txt", "--nats", nats(), "--quiet", ...probeArgs()],
      "NATS",
    ],
    [
      "scan --nats --out",
      () => ["scan", "--domains", "list.txt", "--nats", nats(), "--out", "o", "--quiet", ...probeArgs()],
      "NATS",
    ],
    [
      "scan --clickhouse",
      () => ["scan", "--domains", "list.txt", "--clickhouse", clickhouse(), "--quiet", ...probeArgs()],
      "ClickHouse",
    ],
    [
      "scan --clickhouse --out",
      () => [
        "scan",
        "--domains",
        "list.txt",
        "--clickhouse",
        clickhouse(),
        "--out",
        "o",
        "--quiet",
        ...probeArgs(),
      ],
      "ClickHouse",
    ],
    [
      "scan --nats --clickhouse",
      () => [
        "scan",
        "--domains",
        "list.txt",
        "--nats",
        nats(),
        "--clickhouse",
        clickhouse(),
        "--quiet",
        ...probeArgs(),
      ],
      "NATS",
    ],
    ["worker", () => ["worker", "--nats", nats(), "--quiet", "--allow-private-targets"], "NATS"],
    ["status", () => ["status", "--nats", nats()], "NATS"],
    ["status SCAN_ID", () => ["status", "20260101T000000Z-abcdef", "--nats", nats()], "NATS"],
    ["db migrate", () => ["db", "migrate", "--clickhouse", clickhouse()], "ClickHouse"],
    ["db load", () => ["db", "load", "scan-dir", "--clickhouse", clickhouse()], "ClickHouse"],
  ])(
    "%s - exit 4, one line naming the service and URL, nothing left behind",
    async (_what, argv, service) => {
      const cwd = freshCwd();
      const a = argv();
      if (a[0] === "db" && a[1] === "load") {
        // A real (tiny) scan directory, so that the load gets as far as ClickHouse.
        mkdirSync(join(cwd, "scan-dir"));
        writeFileSync(
          join(cwd, "scan-dir", "scan.json"),
          JSON.stringify({ scan_id: "20260101T000000Z-abcdef", scan_started_at: "2026-01-01T00:00:00.000Z" }),
        );
      }
      const before = readdirSync(cwd).sort();
      const r = await runCli(a, { cwd, timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(SERVICE_UNAVAILABLE);
      const lines = r.stderr.trim().split("\n");
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^mxsurvey: /);
      expect(lines[0]).toContain(service);
      expect(lines[0]).toContain(`127.0.0.1:${closedPort}`);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(r.stdout).toBe("");
      expect(readdirSync(cwd).sort()).toEqual(before);
    },
  );
});

describe("a reachable NATS, the rest not", () => {
  let natsServer: NatsInstance;
  beforeAll(async () => {
    natsServer = await startNats();
  }, 120_000);
  afterAll(async () => {
    await natsServer?.stop();
  });

  it("scan --nats (up) --clickhouse (down) - exit 4 naming ClickHouse, the NATS connection closed, nothing left behind", async () => {
    const cwd = freshCwd();
    const r = await runCli(
      [
        "scan",
        "--domains",
        "list.txt",
        "--nats",
        natsServer.url,
        "--clickhouse",
        clickhouse(),
        "--quiet",
        ...probeArgs(),
      ],
      { cwd, timeoutMs: 30_000 },
    );
    expect(r.code, r.stderr).toBe(SERVICE_UNAVAILABLE);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`ClickHouse at http://127.0.0.1:${closedPort}`);
    expect(readdirSync(cwd)).toEqual(["list.txt"]);
  });

  it("scan --nats (up) with a list without a valid domain - exit 2, the NATS connection closed, no directory", async () => {
    const cwd = freshCwd();
    writeFileSync(join(cwd, "list.txt"), "192.0.2.1\n");
    const r = await runCli(
      ["scan", "--domains", "list.txt", "--nats", natsServer.url, "--out", "o", "--quiet", ...probeArgs()],
      { cwd, timeoutMs: 30_000 },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no valid domain in list\.txt/);
    expect(readdirSync(cwd)).toEqual(["list.txt"]);
  });
});
