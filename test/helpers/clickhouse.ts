/**
 * A private ClickHouse server for a test file, through deploy/local/clickhouse.sh: installed with apt-get when
 * missing (first run only; takes a while), started in a fresh temporary state dir on free loopback ports.
 * `stopServer()` / `startServer()` stop and restart the same instance — same port, same data — to simulate an
 * outage; `stop()` stops it and removes the state dir.
 *
 * MXSURVEY_CLICKHOUSE_URL=http://host:port uses that server instead (nothing is installed or started; `stop`
 * is a no-op, and stopServer/startServer throw: an outside server is not ours to stop).
 */

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../tools/project-root.js";

export const CLICKHOUSE_SCRIPT = join(projectRoot(), "deploy", "local", "clickhouse.sh");

export interface ClickHouseInstance {
  url: string;
  /** Stop the server and delete its state (no-op for MXSURVEY_CLICKHOUSE_URL). */
  stop(): Promise<void>;
  /** Stop the server, keeping its data and port. */
  stopServer(): Promise<void>;
  /** Start it again after stopServer, on the same port with the same data. */
  startServer(): Promise<void>;
}

function script(
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      [CLICKHOUSE_SCRIPT, ...args],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new Error(
              `deploy/local/clickhouse.sh ${args.join(" ")} failed (${err.message.split("\n")[0]}):\n${stderr}`,
            ),
          );
        } else resolve({ stdout, stderr });
      },
    );
  });
}

const SERVER_BINARIES = ["/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server", "/usr/bin/clickhouse"];

let installing: Promise<void> | null = null;

/** Install ClickHouse with the deploy script when no server binary is present (once per process). */
export function ensureClickHouseInstalled(): Promise<void> {
  installing ??= (async () => {
    if (SERVER_BINARIES.some((p) => existsSync(p))) return;
    console.warn(
      "test/helpers/clickhouse: ClickHouse is not installed; installing it with apt-get (may take minutes)",
    );
    try {
      await script(["install"], 15 * 60_000);
    } catch (err) {
      throw new Error(
        `could not install ClickHouse (bash deploy/local/clickhouse.sh install). Install clickhouse-server by hand, or set MXSURVEY_CLICKHOUSE_URL to a running server.\n${(err as Error).message}`,
      );
    }
  })();
  return installing;
}

const live = new Set<string>();
let exitHookInstalled = false;

/** If the test process dies without calling stop(), do not leave servers behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const state of live) {
      try {
        const pid = Number(readFileSync(join(state, "clickhouse.pid"), "utf8").trim());
        if (pid > 0) process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  });
}

function parseUrl(stdout: string): string {
  const m = /^CLICKHOUSE_URL=(\S+)$/m.exec(stdout);
  if (!m) throw new Error(`deploy/local/clickhouse.sh start printed no CLICKHOUSE_URL:\n${stdout}`);
  return m[1]!;
}

/**
 * `password`: user "default" needs it (CLICKHOUSE_PASSWORD of the script); always a private server, since an
 * outside server's users are not ours to choose.
 */
export async function startClickHouse(opts: { password?: string } = {}): Promise<ClickHouseInstance> {
  const external = opts.password === undefined ? process.env["MXSURVEY_CLICKHOUSE_URL"] : undefined;
  const env =
    opts.password === undefined ? process.env : { ...process.env, CLICKHOUSE_PASSWORD: opts.password };
  if (external) {
    const outside = async () => {
      throw new Error("MXSURVEY_CLICKHOUSE_URL is set: the server is not ours to stop or start");
    };
    return { url: external, stop: async () => {}, stopServer: outside, startServer: outside };
  }
  await ensureClickHouseInstalled();
  const state = mkdtempSync(join(tmpdir(), "mxsurvey-clickhouse-"));
  installExitHook();
  live.add(state);
  let url: string;
  try {
    url = parseUrl((await script(["start", state], 120_000, env)).stdout);
  } catch (err) {
    live.delete(state);
    await script(["stop", state], 60_000).catch(() => {});
    rmSync(state, { recursive: true, force: true });
    throw err;
  }
  // "HTTP_PORT TCP_PORT", written by the script: a restart asks for exactly these (and fails if taken).
  const ports = readFileSync(join(state, "ports"), "utf8").trim().split(/\s+/);
  return {
    url,
    async stopServer() {
      await script(["stop", state], 60_000);
    },
    async startServer() {
      const again = parseUrl((await script(["start", state, ...ports], 120_000, env)).stdout);
      if (again !== url) throw new Error(`restarted on ${again}, not ${url}`);
    },
    async stop() {
      try {
        await script(["stop", state], 60_000);
      } finally {
        live.delete(state);
        rmSync(state, { recursive: true, force: true });
      }
    },
  };
}
