/**
 * `npm run bench -- probe`: what one basic probe costs against a bare STARTTLS client (issue 12, scope 3). A
 * generated lab of HOSTS hosts (default 2,000), every one 'valid' — its own SMTP server, its own leaf
 * certificate (RSA 2048) from the lab CA — runs in a process of its own (test/bench/lib/probe-lab.ts). In this
 * process, rounds alternate (ABBA) between:
 *   - ours: the real probe (probeSmtpStarttls, basic depth, the lab CA as the worker's extra root) through the
 *     real piscina pool (createProbePool), one job per host through the job contract;
 *   - bare: test/bench/lib/bare-probe.ts (connect, greeting, EHLO, STARTTLS, handshake, getPeerCertificate(),
 *     QUIT) on the same targets with the same threads × concurrency.
 * Each round of ours gets a fresh pool, and bare fresh threads; both are first warmed on the same WARM hosts
 * outside the measured set (default 400, uncounted), so both are measured in the steady state a long survey
 * runs in (JIT-compiled), and every measured certificate is new to our threads (no cache hit a survey of
 * distinct certificates would not get).
 * Figures: probes/s, this process's CPU ms per probe for ours (the probing threads plus the main thread moving
 * jobs and rows), the bare threads' own CPU ms per probe, the lab process's CPU ms per probe (the servers' side
 * of the same probes) — medians over the rounds — and ours/bare: the median over rounds of the ratio of each
 * round's two adjacent runs. On a shared 2-core machine, read the ratio of one run, not the absolute rates.
 * Target: ours ≥ 0.70× bare in probes/s.
 */

import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ProbeJob } from "../../shared/jobs.js";
import { createProbePool } from "../../worker/api.js";
import { labProbeParams } from "../helpers/params.js";
import { runBareProbes, threadCpuMs } from "./lib/bare-probe.js";
import type { LabMessage } from "./lib/probe-lab.js";
import type { BenchResult } from "./run.js";

const HOSTS = Number(process.env["BENCH_HOSTS"] ?? 2000);
/** Hosts outside the measured set that each round warms its client on (split over its threads, uncounted). */
const WARM = Number(process.env["BENCH_WARM"] ?? 400);
const THREADS = Number(process.env["BENCH_THREADS"] ?? 2);
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 32);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 4);
const TARGET = 0.7;

interface Lab {
  child: ChildProcess;
  hosts: { hostname: string; ip: string }[];
  port: number;
  caPem: string;
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

async function startLab(hosts: number): Promise<Lab> {
  const child = fork(fileURLToPath(new URL("./lib/probe-lab.js", import.meta.url)), [String(hosts)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await new Promise<Extract<LabMessage, { kind: "ready" }>>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`lab exited with ${code}`)));
    child.once("message", (m: LabMessage) => (m.kind === "ready" ? resolve(m) : reject(new Error("lab"))));
  });
  child.removeAllListeners("exit");
  return {
    child,
    hosts: ready.hosts,
    port: ready.port,
    caPem: ready.caPem,
    cpuMs: () =>
      new Promise<number>((resolve) => {
        child.once("message", (m: LabMessage) => {
          if (m.kind === "cpu") resolve((m.userUs + m.systemUs) / 1000);
        });
        child.send("cpu");
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.send("close");
      }),
  };
}

interface Round {
  client: "ours" | "bare";
  round: number;
  probes: number;
  ok: number;
  wallMs: number;
  cpuMs: number;
  /** This process's main thread alone (ours: piscina's dispatch and the rows coming back); null off Linux. */
  mainCpuMs: number | null;
  labCpuMs: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function oursRound(lab: Lab, round: number): Promise<Round> {
  const job = (h: { hostname: string; ip: string }): ProbeJob => ({
    hostname: h.hostname,
    ip: h.ip,
    port: lab.port,
    dane: null,
    probe: labProbeParams({ ehloName: "bench.mxsurvey.test", depth: "basic" }),
  });
  const pool = createProbePool(
    { allowPrivateTargets: true, caPem: [lab.caPem] },
    { threads: THREADS, concurrency: CONCURRENCY },
  );
  try {
    // Warm-up: start every thread, load its modules and let the JIT compile, on hosts outside the measured set.
    await Promise.all(lab.hosts.slice(HOSTS, HOSTS + WARM).map((h) => pool.run(job(h))));
    const measured = lab.hosts.slice(0, HOSTS);
    const lab0 = await lab.cpuMs();
    const cpu0 = cpuNow();
    const main0 = threadCpuMs();
    const t0 = performance.now();
    const rows = await Promise.all(measured.map((h) => pool.run(job(h))));
    const wallMs = performance.now() - t0;
    const cpuMs = cpuNow() - cpu0;
    const main1 = threadCpuMs();
    const mainCpuMs = main0 !== null && main1 !== null ? main1 - main0 : null;
    const labCpuMs = (await lab.cpuMs()) - lab0;
    const ok = rows.filter(({ row: r }) => r.starttls_ok === true && r.cert_trusted === true).length;
    return { client: "ours", round, probes: rows.length, ok, wallMs, cpuMs, mainCpuMs, labCpuMs };
  } finally {
    await pool.destroy();
  }
}

async function bareRound(lab: Lab, round: number): Promise<Round> {
  const targets = lab.hosts.slice(0, HOSTS).map((h) => ({ ip: h.ip, port: lab.port, hostname: h.hostname }));
  // r.cpuMs: the probe threads' own CPU from the start signal on (start-up and warm-up not counted); this
  // process's main thread only waits meanwhile.
  const warmup = lab.hosts
    .slice(HOSTS, HOSTS + WARM)
    .map((h) => ({ ip: h.ip, port: lab.port, hostname: h.hostname }));
  let lab0 = 0;
  const r = await runBareProbes(targets, {
    threads: THREADS,
    concurrency: CONCURRENCY,
    warmup,
    onReady: async () => {
      lab0 = await lab.cpuMs();
    },
  });
  const labCpuMs = (await lab.cpuMs()) - lab0;
  return {
    client: "bare",
    round,
    probes: r.probes,
    ok: r.ok,
    wallMs: r.wallMs,
    cpuMs: r.cpuMs,
    mainCpuMs: null,
    labCpuMs,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function run(): Promise<BenchResult> {
  process.stderr.write(`starting the lab: ${HOSTS + WARM} hosts, each its own certificate ...\n`);
  const lab = await startLab(HOSTS + WARM);
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? (["ours", "bare"] as const) : (["bare", "ours"] as const);
      for (const client of order) {
        const r = client === "ours" ? await oursRound(lab, i) : await bareRound(lab, i);
        process.stderr.write(
          `round ${i + 1} ${client}: ${r.probes} probes (${r.ok} ok) in ${(r.wallMs / 1000).toFixed(2)} s, ` +
            `${((r.probes * 1000) / r.wallMs).toFixed(0)}/s, ${(r.cpuMs / r.probes).toFixed(2)} ms CPU/probe, ` +
            `lab ${(r.labCpuMs / r.probes).toFixed(2)} ms/probe\n`,
        );
        rounds.push(r);
      }
    }
  } finally {
    await lab.close();
  }
  const summary = (client: "ours" | "bare") => {
    const rs = rounds.filter((r) => r.client === client);
    return {
      probesPerS: median(rs.map((r) => (r.probes * 1000) / r.wallMs)),
      cpuMsPerProbe: median(rs.map((r) => r.cpuMs / r.probes)),
      /** The probe threads alone: ours' process CPU less its main thread (bare's figure is its threads'). */
      threadCpuMsPerProbe: median(rs.map((r) => (r.cpuMs - (r.mainCpuMs ?? 0)) / r.probes)),
      labCpuMsPerProbe: median(rs.map((r) => r.labCpuMs / r.probes)),
      okShare: rs.reduce((a, r) => a + r.ok, 0) / rs.reduce((a, r) => a + r.probes, 0),
    };
  };
  const ours = summary("ours");
  const bare = summary("bare");
  // The verdict compares each round's two adjacent runs (the machine's load drifts between rounds), then takes
  // the median of those ratios.
  const pairRatios = Array.from({ length: ROUNDS }, (_, i) => {
    const o = rounds.find((r) => r.client === "ours" && r.round === i)!;
    const b = rounds.find((r) => r.client === "bare" && r.round === i)!;
    return Number((o.probes / o.wallMs / (b.probes / b.wallMs)).toFixed(3));
  });
  const ratio = median(pairRatios);
  const ratioOfMedians = ours.probesPerS / bare.probesPerS;
  const row = (name: string, s: typeof ours, vs: string) => ({
    client: name,
    "probes/s": Number(s.probesPerS.toFixed(1)),
    "CPU ms/probe": Number(s.cpuMsPerProbe.toFixed(2)),
    "of it probe threads": Number(s.threadCpuMsPerProbe.toFixed(2)),
    "lab CPU ms/probe": Number(s.labCpuMsPerProbe.toFixed(2)),
    "ok %": Number((s.okShare * 100).toFixed(1)),
    "vs bare": vs,
  });
  const table = [
    row(`ours: probe through the pool (${THREADS} threads x ${CONCURRENCY})`, ours, `${ratio.toFixed(2)}x`),
    row(`bare STARTTLS client (${THREADS} threads x ${CONCURRENCY})`, bare, "1.00x"),
    {
      client: `target: ours >= ${TARGET.toFixed(2)}x bare probes/s`,
      "vs bare": ratio >= TARGET ? "PASS" : "FAIL",
    },
  ];
  return {
    table,
    figures: {
      hosts: HOSTS,
      lab: "every host 'valid': its own SMTP server and its own RSA-2048 leaf from the lab CA",
      threads: THREADS,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      ours,
      bare,
      ratio_probes_per_s: Number(ratio.toFixed(3)),
      pair_ratios: pairRatios,
      ratio_of_median_rates: Number(ratioOfMedians.toFixed(3)),
      cpu_ratio_ours_over_bare: Number((ours.cpuMsPerProbe / bare.cpuMsPerProbe).toFixed(3)),
      warmup_hosts: WARM,
      target: TARGET,
      pass: ratio >= TARGET,
      runs: rounds,
    },
  };
}
