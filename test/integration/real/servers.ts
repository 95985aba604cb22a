/**
 * Real servers for the real-servers integration test: NSD (authoritative DNS) and Postfix, installed from Debian's
 * packages when absent and run from a private temporary directory on 127.0.5.x addresses and random ports.
 * The shell scripts beside this file do the server-specific work; this module runs them with time limits,
 * picks ports, retries on a port clash and cleans up (also after a previous run that crashed).
 */

import { type SpawnOptions, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** test/integration/real: the scripts. */
export const REAL_DIR = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const REPO_ROOT = join(REAL_DIR, "..", "..", "..");

const TEMP_PREFIX = "mxsurvey-real-";

export interface RunResult {
  /** Exit code; null when killed (time limit) or not started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
  timedOut: boolean;
  /** Why the command could not start (ENOENT...). */
  error: string | null;
  ms: number;
}

export interface RunOptions {
  timeoutMs: number;
  /** Written to stdin, which is then closed (stdin is /dev/null without it). */
  input?: string | Buffer;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to its end or its time limit (then SIGKILL to it and its process group); never rejects. */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const spawnOpts: SpawnOptions = {
      cwd: opts.cwd ?? REPO_ROOT,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      detached: true,
    };
    const child = spawn(cmd, args, spawnOpts);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: string | null = null;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, "SIGKILL");
    }, opts.timeoutMs);
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => {
      spawnError = e.message;
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on("error", () => {});
      child.stdin.end(opts.input);
    }
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code,
        signal,
        stdout: stdoutBytes.toString("utf8"),
        stdoutBytes,
        stderr: Buffer.concat(err).toString("utf8"),
        timedOut,
        error: spawnError,
        ms: Date.now() - started,
      });
    });
  });
}

/** Signals a process group led by pid (the children run detached), or the process alone. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function describeRun(what: string, r: RunResult): string {
  const how = r.error
    ? `could not start: ${r.error}`
    : r.timedOut
      ? `timed out after ${r.ms} ms`
      : `exited ${r.code ?? r.signal}`;
  const tail = (s: string) => s.trim().split("\n").slice(-25).join("\n");
  return `${what} ${how}\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`;
}

/** Installs postfix, nsd, dig and openssl from Debian's packages when absent (install-deps.sh). */
export async function installDeps(): Promise<{ ok: boolean; message: string; ms: number }> {
  const r = await run("bash", [join(REAL_DIR, "install-deps.sh")], { timeoutMs: 540_000 });
  return {
    ok: r.code === 0,
    message: r.code === 0 ? r.stdout.trim() : describeRun("install-deps.sh", r),
    ms: r.ms,
  };
}

/** `npm run build` when dist/coordinator/cli.js is missing; the path of the CLI. */
export async function ensureBuilt(): Promise<string> {
  const cli = join(REPO_ROOT, "dist", "coordinator", "cli.js");
  if (!existsSync(cli)) {
    const r = await run("npm", ["run", "build"], { timeoutMs: 300_000 });
    if (r.code !== 0 || !existsSync(cli)) throw new Error(describeRun("npm run build", r));
  }
  return cli;
}

function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 40_000);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** A private temporary directory for one run, marked with this process's pid (see cleanupLeftovers). */
export function makeRunDir(): string {
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  // Postfix's daemons run as the postfix user and must reach DIR/postfix.
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, "owner.pid"), `${process.pid}\n`);
  return dir;
}

/**
 * Stops the servers of earlier runs that died without cleaning up (their owner process is gone) and removes
 * their directories. Directories whose owner still runs belong to a concurrent run and are left alone.
 */
export async function cleanupLeftovers(): Promise<string[]> {
  const cleaned: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    try {
      if (!statSync(dir).isDirectory()) continue;
    } catch {
      continue;
    }
    const owner = readPid(join(dir, "owner.pid"));
    if (owner !== null && alive(owner)) continue;
    await stopRunDir(dir);
    cleaned.push(dir);
  }
  return cleaned;
}

/** Runs every stop step, even after one fails; then throws the first failure, if any. */
export async function runStops(steps: readonly (() => unknown)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const stop of steps) {
    try {
      await stop();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
}

/** Stops whatever runs from DIR (Postfix, NSD, unbound, nginx) and removes DIR. */
export async function stopRunDir(dir: string): Promise<void> {
  const pfDir = join(dir, "postfix");
  if (existsSync(join(pfDir, "etc", "main.cf"))) {
    await run("bash", [join(REAL_DIR, "stop-postfix.sh"), pfDir], { timeoutMs: 60_000 });
  }
  // Foreground servers started by the start-*.sh scripts: each is the leader of its own process group.
  for (const [sub, pidFile] of [
    ["nsd", "nsd.pid"],
    ["unbound", "unbound.pid"],
    ["nginx", "nginx.pid"],
  ] as const) {
    const pid = readPid(join(dir, sub, pidFile));
    if (pid !== null && cmdline(pid).includes(join(dir, sub))) killGroup(pid, "SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
}

export interface RealDns {
  address: string;
  port: number;
  /** `ADDR:PORT`, for --resolver. */
  resolver: string;
  stop(): Promise<void>;
}

/** A server run in the foreground by one of the start-*.sh scripts (it execs the server). */
export interface ForegroundServer {
  address: string;
  port: number;
  stop(): Promise<void>;
}

export interface ForegroundSpec {
  /** For messages: "NSD", "unbound", "nginx". */
  what: string;
  /** The server's own directory: emptied and recreated before each attempt. */
  dir: string;
  address: string;
  /** Run before each attempt, after DIR was recreated (write zone files, ...). */
  prepare?: () => void;
  /** The script and its arguments for a port. */
  command: (port: number) => { script: string; args: string[] };
  /** Does the server answer on this port yet? */
  ready: (port: number) => Promise<boolean>;
  /** Files under DIR whose text explains a failure (logs). */
  logs: string[];
  /** How long to wait for `ready`, default 15 s. */
  startMs?: number;
}

/**
 * Starts a foreground server on ADDR and a random port (retried on another port when the failure looks like a
 * port clash) and resolves once `ready` says it answers. `stop` signals the script's process group (the
 * server, which the script became by exec, and its children): SIGTERM, then SIGKILL after 5 s.
 */
export async function startForeground(spec: ForegroundSpec): Promise<ForegroundServer> {
  let lastError = "";
  for (let attempt = 1; attempt <= 6; attempt++) {
    rmSync(spec.dir, { recursive: true, force: true });
    mkdirSync(spec.dir, { recursive: true });
    spec.prepare?.();
    const port = randomPort();
    const { script, args } = spec.command(port);
    const child = spawn("bash", [join(REAL_DIR, script), ...args], {
      cwd: spec.dir,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout?.on("data", (b: Buffer) => {
      output += b.toString();
    });
    child.stderr?.on("data", (b: Buffer) => {
      output += b.toString();
    });
    let exited = false;
    const exitedPromise = new Promise<void>((resolve) => {
      child.on("close", () => {
        exited = true;
        resolve();
      });
      child.on("error", (e) => {
        output += `spawn error: ${e.message}\n`;
      });
    });
    const stop = async () => {
      if (exited) return;
      killGroup(child.pid, "SIGTERM");
      const done = await Promise.race([
        exitedPromise.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
      ]);
      if (!done) {
        killGroup(child.pid, "SIGKILL");
        await Promise.race([exitedPromise, new Promise((r) => setTimeout(r, 2000))]);
      }
    };
    const deadline = Date.now() + (spec.startMs ?? 15_000);
    while (!exited && Date.now() < deadline) {
      if (await spec.ready(port)) return { address: spec.address, port, stop };
      await new Promise((r) => setTimeout(r, 200));
    }
    await stop();
    let log = "";
    for (const file of spec.logs) {
      try {
        log += `--- ${file} ---\n${readFileSync(join(spec.dir, file), "utf8").split("\n").slice(-30).join("\n")}\n`;
      } catch {
        // no log yet
      }
    }
    lastError = `${spec.what} on ${spec.address}:${port} did not answer (attempt ${attempt}):\n${output}\n${log}`;
    // A port clash shows as "can't bind" / "address already in use"; anything else will not be cured by another port.
    if (!/bind|address already in use/i.test(output + log)) break;
  }
  throw new Error(lastError);
}

/** Does a DNS server at ADDR:PORT answer NAME TYPE with at least one record (dig +short)? */
export async function digAnswers(
  address: string,
  port: number,
  name: string,
  type: string,
): Promise<boolean> {
  const q = await run(
    "dig",
    [`@${address}`, "-p", String(port), name, type, "+short", "+time=1", "+tries=1"],
    {
      timeoutMs: 5000,
    },
  );
  return q.code === 0 && q.stdout.trim() !== "";
}

/** A zone NSD serves: its text (written into NSD's directory) or a file prepared elsewhere (a signed zone). */
export type NsdZone = { name: string; text: string } | { name: string; file: string };

/**
 * Starts NSD on ADDR and a free port, serving the zones, from DIR (start-nsd.sh); resolves once it answers
 * the first zone's SOA over UDP.
 */
export async function startNsdZones(dir: string, address: string, zones: NsdZone[]): Promise<RealDns> {
  if (zones.length === 0) throw new Error("startNsdZones: no zone");
  const files = zones.map((z) => ("file" in z ? z.file : join(dir, `${z.name}.zone`)));
  const server = await startForeground({
    what: "NSD",
    dir,
    address,
    prepare: () => {
      zones.forEach((z, i) => {
        if ("text" in z) writeFileSync(files[i]!, z.text);
      });
    },
    command: (port) => ({
      script: "start-nsd.sh",
      args: [dir, address, String(port), ...zones.flatMap((z, i) => [z.name, files[i]!])],
    }),
    ready: (port) => digAnswers(address, port, zones[0]!.name, "SOA"),
    logs: ["nsd.log"],
  });
  return { ...server, resolver: `${address}:${server.port}` };
}

/**
 * Starts NSD on ADDR and a free port, serving ZONE from ZONE_TEXT, from DIR (start-nsd.sh); resolves once it
 * answers the zone's SOA over UDP.
 */
export function startNsd(dir: string, address: string, zone: string, zoneText: string): Promise<RealDns> {
  return startNsdZones(dir, address, [{ name: zone, text: zoneText }]);
}

export interface RealPostfix {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts the private Postfix instance (start-postfix.sh) in DIR on a free port; with leafOnlyFile, also the
 * listener on 127.0.5.4 that sends the leaf without its CA.
 */
export async function startPostfix(
  dir: string,
  chainFile: string,
  keyFile: string,
  leafOnlyFile?: string,
  /** Instead of the 127.0.5.x layout: these listeners, each greeting as its name (LISTENERS of the script). */
  listeners?: { ip: string; name: string }[],
): Promise<RealPostfix> {
  let lastError = "";
  const env =
    listeners === undefined
      ? process.env
      : { ...process.env, LISTENERS: listeners.map((l) => `${l.ip}=${l.name}`).join(" ") };
  for (let attempt = 1; attempt <= 6; attempt++) {
    const port = randomPort();
    const args = [join(REAL_DIR, "start-postfix.sh"), dir, String(port), chainFile, keyFile];
    if (leafOnlyFile !== undefined) args.push(leafOnlyFile);
    const r = await run("bash", args, { timeoutMs: 90_000, env });
    if (r.code === 0) {
      return {
        port,
        dir,
        stop: async () => {
          const s = await run("bash", [join(REAL_DIR, "stop-postfix.sh"), dir], { timeoutMs: 60_000 });
          if (s.code !== 0) throw new Error(describeRun("stop-postfix.sh", s));
        },
      };
    }
    await run("bash", [join(REAL_DIR, "stop-postfix.sh"), dir], { timeoutMs: 60_000 });
    let log = "";
    try {
      log = readFileSync(join(dir, "log", "maillog"), "utf8")
        .split("\n")
        .slice(-20)
        .join("\n");
    } catch {
      // no log
    }
    lastError = `${describeRun(`start-postfix.sh (port ${port}, attempt ${attempt})`, r)}\n--- maillog ---\n${log}`;
    if (!/address already in use|bind/i.test(r.stdout + r.stderr + log)) break;
  }
  throw new Error(lastError);
}
