/**
 * A real Prometheus server for tests (Debian's `prometheus` package, installed with apt-get when missing),
 * started with a temporary configuration and data directory on a free loopback port, scraping the given
 * targets every second. Queries go through its HTTP API (/api/v1/query).
 */

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BINARIES = ["/usr/bin/prometheus", "/usr/sbin/prometheus"];

function run(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: timeoutMs, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } },
      (err, _o, stderr) =>
        err ? reject(new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${stderr}`)) : resolve(),
    );
  });
}

let installing: Promise<string> | null = null;

/** The prometheus binary, installed from Debian once per process when missing. */
export function ensurePrometheusInstalled(): Promise<string> {
  installing ??= (async () => {
    const found = BINARIES.find((b) => existsSync(b));
    if (found) return found;
    await run("apt-get", ["update"], 300_000);
    await run("apt-get", ["install", "-y", "--no-install-recommends", "prometheus"], 600_000);
    const installed = BINARIES.find((b) => existsSync(b));
    if (!installed) throw new Error("apt-get install prometheus left no prometheus binary");
    return installed;
  })();
  return installing;
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface PrometheusInstance {
  url: string;
  /** An instant query; the result vector as (labels, value) pairs. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  /** Every series whose name matches `re` (a PromQL regex), with its labels. */
  series(re: string): Promise<Record<string, string>[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: string[]): Promise<PrometheusInstance> {
  const bin = await ensurePrometheusInstalled();
  const dir = mkdtempSync(join(tmpdir(), "mxsurvey-prom-"));
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 900ms",
      "scrape_configs:",
      "  - job_name: mxsurvey",
      "    static_configs:",
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(", ")}]`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = "";
  const child: ChildProcess = spawn(
    bin,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr!.on("data", (b: Buffer) => {
    log = (log + b.toString()).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${log}`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = async (path: string) => {
    const r = await fetch(`${url}${path}`);
    const body = (await r.json()) as { status: string; data: unknown; error?: string };
    if (body.status !== "success") throw new Error(`prometheus ${path}: ${body.error ?? r.status}`);
    return body.data;
  };
  return {
    url,
    async query(expr) {
      const data = (await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
        result: { metric: Record<string, string>; value: [number, string] }[];
      };
      return data.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
    },
    async series(re) {
      const match = encodeURIComponent(`{__name__=~${JSON.stringify(re)}}`);
      return (await api(`/api/v1/series?match[]=${match}`)) as Record<string, string>[];
    },
    stop,
  };
}
