/**
 * A bare STARTTLS probe client: the yardstick for what one probe must cost. For each target: TCP connect, read
 * the greeting, EHLO, STARTTLS, TLS handshake (rejectUnauthorized false, SNI = the host name, the peer
 * certificate read as any client would, getPeerCertificate()), QUIT, close. No parsing beyond the reply codes,
 * no rows, no records kept.
 *
 * runBareProbes runs the targets in `threads` worker threads, each with `concurrency` probes in flight, so it
 * gets what a piscina pool of threads × concurrency gets. The threads take targets from one shared counter
 * (Atomics), so none idles while another has a backlog. The clock starts once every thread has loaded and
 * says so: thread start-up is not counted. With `opts.warmup` (optional), every thread first probes its share
 * of those targets, uncounted, so the figures are the steady state's (JIT-compiled), as a long survey sees. `cpuMs` is the CPU time of the probe threads alone (Linux
 * /proc/thread-self/stat, 10 ms ticks), so a lab in the same process is not counted; elsewhere it falls back
 * to the whole process's CPU time.
 *
 * This one file is both the coordinator module and the thread script (the thread runs it with workerData.bare).
 */

import { readFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

export interface BareTarget {
  ip: string;
  port: number;
  hostname: string;
}

export interface BareResult {
  probes: number;
  ok: number;
  wallMs: number;
  cpuMs: number;
}

interface ThreadData {
  bare: true;
  targets: BareTarget[];
  warmup: BareTarget[];
  concurrency: number;
  counter: SharedArrayBuffer;
}

type FromThread = { kind: "ready" } | { kind: "done"; probes: number; ok: number; cpuMs: number | null };

const STEP_TIMEOUT_MS = 10_000;

/** This thread's CPU time in ms (user + system), or null where /proc/thread-self is not there. */
export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "latin1");
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime + stime) ? ((utime + stime) * 1000) / 100 : null; // USER_HZ = 100
  } catch {
    return null;
  }
}

/** Reads complete SMTP replies (the last line has a space after the code) off a socket. */
function replyReader(socket: Socket | import("node:tls").TLSSocket) {
  let buf = "";
  let waiter: ((code: number) => void) | null = null;
  const tryReply = () => {
    if (!waiter) return;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf("\n", start);
      if (nl < 0) return;
      const line = buf.slice(start, nl);
      start = nl + 1;
      if (line.length >= 4 && line[3] === " ") {
        buf = buf.slice(start);
        const w = waiter;
        waiter = null;
        w(Number(line.slice(0, 3)));
        return;
      }
    }
  };
  const onData = (b: Buffer) => {
    buf += b.toString("latin1");
    tryReply();
  };
  socket.on("data", onData);
  return {
    next: () =>
      new Promise<number>((resolve) => {
        waiter = resolve;
        tryReply();
      }),
    off: () => socket.off("data", onData),
  };
}

/** One bare probe; true when the handshake completed. Never throws. */
function bareProbe(t: BareTarget): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let done = false;
    const raw = netConnect({ host: t.ip, port: t.port });
    let tlsSock: import("node:tls").TLSSocket | null = null;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      tlsSock?.destroy();
      raw.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), STEP_TIMEOUT_MS);
    raw.on("error", () => finish(false));
    raw.on("close", () => finish(false));
    raw.once("connect", async () => {
      const plain = replyReader(raw);
      if ((await plain.next()) !== 220) return finish(false);
      raw.write("EHLO bare.mxsurvey.test\r\n");
      if ((await plain.next()) !== 250) return finish(false);
      raw.write("STARTTLS\r\n");
      if ((await plain.next()) !== 220) return finish(false);
      plain.off();
      const s = tlsConnect({ socket: raw, servername: t.hostname, rejectUnauthorized: false });
      tlsSock = s;
      s.on("error", () => finish(false));
      s.once("secureConnect", async () => {
        const cert = s.getPeerCertificate();
        if (!cert?.raw) return finish(false);
        const secure = replyReader(s);
        s.write("QUIT\r\n");
        await secure.next();
        finish(true);
      });
    });
  });
}

async function threadMain(data: ThreadData): Promise<void> {
  const port = parentPort!;
  const counter = new Int32Array(data.counter);
  const go = new Promise<void>((resolve) => port.once("message", () => resolve()));
  let w = 0;
  const warmLane = async () => {
    for (let t = data.warmup[w++]; t; t = data.warmup[w++]) await bareProbe(t);
  };
  await Promise.all(Array.from({ length: data.concurrency }, warmLane));
  port.postMessage({ kind: "ready" } satisfies FromThread);
  await go;
  const cpu0 = threadCpuMs();
  let probes = 0;
  let ok = 0;
  const lane = async () => {
    for (;;) {
      const i = Atomics.add(counter, 0, 1);
      const t = data.targets[i];
      if (!t) return;
      probes++;
      if (await bareProbe(t)) ok++;
    }
  };
  await Promise.all(Array.from({ length: data.concurrency }, lane));
  const cpu1 = threadCpuMs();
  port.postMessage({
    kind: "done",
    probes,
    ok,
    cpuMs: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
  } satisfies FromThread);
}

if (!isMainThread && (workerData as Partial<ThreadData> | null)?.bare === true) {
  void threadMain(workerData as ThreadData);
}

/** Probe every target once with threads × concurrency bare clients; see the module comment for the figures. */
export async function runBareProbes(
  targets: { ip: string; port: number; hostname: string }[],
  opts: {
    threads: number;
    concurrency: number;
    /** Optional: probed first by the threads (each its share), not counted: see the module comment. */
    warmup?: { ip: string; port: number; hostname: string }[];
    /** Optional: awaited once every thread is ready, just before the clock starts (to read other counters). */
    onReady?: () => unknown;
  },
): Promise<{ probes: number; ok: number; wallMs: number; cpuMs: number }> {
  const counter = new SharedArrayBuffer(4);
  const file = fileURLToPath(import.meta.url);
  const workers = Array.from(
    { length: opts.threads },
    (_, i) =>
      new Worker(file, {
        workerData: {
          bare: true,
          targets,
          warmup: (opts.warmup ?? []).filter((_, j) => j % opts.threads === i),
          concurrency: opts.concurrency,
          counter,
        } satisfies ThreadData,
      }),
  );
  try {
    const messages = workers.map((w) => {
      const ready = new Promise<void>((resolve, reject) => {
        w.once("error", reject);
        w.once("message", (m: FromThread) =>
          m.kind === "ready" ? resolve() : reject(new Error("no ready")),
        );
      });
      return ready;
    });
    await Promise.all(messages);
    const finished = workers.map(
      (w) =>
        new Promise<Extract<FromThread, { kind: "done" }>>((resolve, reject) => {
          w.once("error", reject);
          w.once("message", (m: FromThread) =>
            m.kind === "done" ? resolve(m) : reject(new Error("no done")),
          );
        }),
    );
    await opts.onReady?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const w of workers) w.postMessage("go");
    const results = await Promise.all(finished);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const threadCpu = results.every((r) => r.cpuMs !== null)
      ? results.reduce((a, r) => a + (r.cpuMs ?? 0), 0)
      : (cpu.user + cpu.system) / 1000;
    return {
      probes: results.reduce((a, r) => a + r.probes, 0),
      ok: results.reduce((a, r) => a + r.ok, 0),
      wallMs,
      cpuMs: threadCpu,
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
