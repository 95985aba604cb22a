/**
 * A private NATS server with JetStream for a test file, through deploy/local/nats.sh: installed with apt-get
 * when missing (first run only), started in a fresh temporary state dir on a free loopback port. `stop()` stops
 * it and removes the state dir.
 *
 * MXSURVEY_NATS_URL=nats://host:port uses that server instead (nothing installed or started; `stop` is a no-op).
 * Tests then isolate themselves by namespace (natsNames(ns)). A request for authentication (user/password or
 * token) always starts a private server: an outside server's auth settings are not ours to choose.
 */

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../tools/project-root.js";

export const NATS_SCRIPT = join(projectRoot(), "deploy", "local", "nats.sh");

export interface NatsInstance {
  url: string;
  /** True when this is MXSURVEY_NATS_URL's server (not started by us). */
  external: boolean;
  /** Stop the server and delete its state (no-op for MXSURVEY_NATS_URL). */
  stop(): Promise<void>;
}

export interface StartNatsOptions {
  user?: string;
  password?: string;
  token?: string;
}

function script(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("bash", [NATS_SCRIPT, ...args], { timeout: timeoutMs, env }, (err, stdout, stderr) => {
      if (err) {
        reject(
          new Error(
            `deploy/local/nats.sh ${args.join(" ")} failed (${err.message.split("\n")[0]}):\n${stderr}`,
          ),
        );
      } else resolve(stdout);
    });
  });
}

let installing: Promise<void> | null = null;

/** `nats.sh install` once per process (a no-op when nats-server is present). */
export function ensureNatsInstalled(): Promise<void> {
  installing ??= script(["install"], process.env, 10 * 60_000).then(
    () => {},
    (err: Error) => {
      throw new Error(
        `could not install nats-server (bash deploy/local/nats.sh install). Install it by hand, or set MXSURVEY_NATS_URL to a running server with JetStream.\n${err.message}`,
      );
    },
  );
  return installing;
}

export async function startNats(opts: StartNatsOptions = {}): Promise<NatsInstance> {
  const wantsAuth = opts.user !== undefined || opts.password !== undefined || opts.token !== undefined;
  const outside = process.env["MXSURVEY_NATS_URL"];
  if (outside && !wantsAuth) return { url: outside, external: true, stop: async () => {} };

  await ensureNatsInstalled();
  const dir = mkdtempSync(join(tmpdir(), "mxsurvey-nats-"));
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env["NATS_USER"];
  delete env["NATS_PASSWORD"];
  delete env["NATS_TOKEN"];
  if (opts.user !== undefined) env["NATS_USER"] = opts.user;
  if (opts.password !== undefined) env["NATS_PASSWORD"] = opts.password;
  if (opts.token !== undefined) env["NATS_TOKEN"] = opts.token;
  let out: string;
  try {
    out = await script(["start", dir], env, 60_000);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = /^NATS_URL=(\S+)$/m.exec(out)?.[1];
  if (!url) {
    await script(["stop", dir], process.env, 30_000).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`deploy/local/nats.sh start printed no NATS_URL:\n${out}`);
  }
  let stopped = false;
  return {
    url,
    external: false,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await script(["stop", dir], process.env, 30_000);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
