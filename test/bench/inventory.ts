/**
 * `npm run bench -- inventory`: mxsurvey's full TLS inventory against nmap's ssl-enum-ciphers and testssl.sh on
 * the same 50 lab STARTTLS hosts (Node TLS servers, a mix of eight profiles from test/lab/tls-fleet.ts, on
 * 127.0.241.x port 25 — needs root, and nmap and testssl.sh, installed from Debian's packages when missing).
 *
 * - mxsurvey: one `probe` run over the 50 targets, `--depth full --per-host-delay 0 --concurrency 50`;
 * - nmap: one run over the 50 addresses (`-Pn -n -p 25 --script ssl-enum-ciphers`), as an operator would;
 * - three rounds of the two, alternating (the lab's warm-up and noisy moments fall on both); each tool's median
 *   round by wall time is reported, every round's wall time is in the figures;
 * - testssl.sh `--starttls smtp -p -E`: ~10 s a host, so it runs on a sample of 5 hosts (5 different profiles),
 *   one after another as it is normally used, and its hosts/s is the sample's — the table says so.
 *
 * Measured per tool: wall time; CPU = user + sys of the tool's process tree (this process's cutime + cstime from
 * /proc/self/stat, diffed around the run; the tools run one at a time); the lab servers' CPU (this process's own
 * CPU over the run: the server side of every handshake) and how long its one event-loop thread was busy (serving
 * the lab, plus reading the tool's output, a small part) — the "lab-bound ceiling": no client making mxsurvey's
 * connections can finish before that thread has served them, so nmap's wall time over that busy time is the most
 * any such client could reach here; connections per host from the lab servers' counters, diffed around each
 * tool. Suites: per host, mxsurvey's versions and suites against nmap's (all 50) and testssl.sh's (the sample).
 * Targets (from the issue): ≥ 2× nmap's hosts/s, ≥ 100× testssl.sh's, the same suites, and no more connections
 * per host than nmap.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  diffViews,
  ensureCrosscheckTools,
  mxsurveyView,
  nmapArgs,
  parseNmapXml,
  parseTestsslJson,
  type RunResult,
  runTool,
  suiteCount,
  type ToolView,
  testsslArgs,
} from "../helpers/crosscheck.js";
import { FLEET_HOSTNAME, PROFILES, startFleet, type TlsProfile } from "../lab/tls-fleet.js";
import type { BenchResult, BenchRow } from "./run.js";

const CLI = fileURLToPath(new URL("../../coordinator/cli.js", import.meta.url));
const HOSTS = 50;
const TESTSSL_SAMPLE = 5;
const PREFIX = "127.0.241";
/** mxsurvey and nmap runs, alternating. */
const ROUNDS = 3;

/** A realistic mix: Node's defaults most often, then the others. */
function mix(): TlsProfile[] {
  const by = (name: string) => PROFILES.find((p) => p.name === name)!;
  return [
    "node-default",
    "tls12-aes-gcm",
    "legacy-tls10-12-cbc",
    "node-default",
    "wide-tls10-13",
    "ecdhe-chacha",
    "tls13-only",
    "node-default",
    "dhe-tls12",
    "ecdsa-tls12-13",
  ].map(by);
}

/** The round with the median wall time. */
function medianRound(rounds: Measured[]): Measured {
  return [...rounds].sort((a, b) => a.run.wallMs - b.run.wallMs)[Math.floor(rounds.length / 2)]!;
}

interface Measured {
  tool: string;
  hosts: number;
  run: RunResult;
  labCpuS: number;
  /** How long the lab's event loop (the one thread that serves every lab host) was busy during the run. */
  labBusyS: number;
  connections: number[];
}

export async function run(): Promise<BenchResult> {
  const tools = ensureCrosscheckTools();
  if (tools.installed.length) process.stderr.write(`installed from Debian: ${tools.installed.join(", ")}\n`);
  process.stderr.write(`starting ${HOSTS} lab STARTTLS hosts on ${PREFIX}.1-${HOSTS}:25 ...\n`);
  const fleet = await startFleet({ prefix: PREFIX, count: HOSTS, profiles: mix() });
  const tmp = mkdtempSync(join(tmpdir(), "mxsurvey-bench-inventory-"));
  const caFile = join(tmp, "ca.pem");
  writeFileSync(caFile, fleet.ca.certPem);
  const key = (ip: string) => `${ip}:25`;

  async function measure(tool: string, hosts: number, go: () => Promise<RunResult>): Promise<Measured> {
    const before = fleet.connections();
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const r = await go();
    const elu = performance.eventLoopUtilization(elu0);
    const cpu = process.cpuUsage(cpu0);
    const after = fleet.connections();
    return {
      tool,
      hosts,
      run: r,
      labCpuS: (cpu.user + cpu.system) / 1e6,
      labBusyS: elu.active / 1000,
      connections: after.map((n, i) => n - before[i]!),
    };
  }

  const runMxsurvey = () =>
    runTool(process.execPath, [
      CLI,
      "probe",
      ...fleet.hosts.map((h) => `${h.ip}:${h.port}`),
      "--depth",
      "full",
      "--per-host-delay",
      "0",
      "--json",
      "--allow-private-targets",
      "--ca-file",
      caFile,
      "--ehlo-name",
      "bench.mxsurvey.test",
      "--concurrency",
      String(HOSTS),
    ]);
  const runNmap = () =>
    runTool(
      tools.nmap,
      nmapArgs(
        fleet.hosts.map((h) => h.ip),
        25,
        FLEET_HOSTNAME,
      ),
    );

  try {
    // Rounds alternate the two tools, so neither alone pays for the lab's warm-up (its first TLS handshakes) or
    // a noisy moment; each tool's median round (by wall time) is the one reported.
    const mxRounds: Measured[] = [];
    const nmRounds: Measured[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      process.stderr.write(`round ${round}/${ROUNDS}: mxsurvey probe --depth full over ${HOSTS} hosts ...\n`);
      const m = await measure("mxsurvey", HOSTS, runMxsurvey);
      if (m.run.code !== 0) throw new Error(`mxsurvey exited ${m.run.code}: ${m.run.stderr.slice(-2000)}`);
      mxRounds.push(m);
      process.stderr.write(`round ${round}/${ROUNDS}: nmap ssl-enum-ciphers over ${HOSTS} hosts ...\n`);
      const n = await measure("nmap ssl-enum-ciphers", HOSTS, runNmap);
      if (n.run.code !== 0) throw new Error(`nmap exited ${n.run.code}: ${n.run.stderr.slice(-2000)}`);
      nmRounds.push(n);
    }
    const mx = medianRound(mxRounds);
    const nm = medianRound(nmRounds);
    const mxViews = new Map<string, ToolView>();
    const mxRows = new Map<string, Record<string, unknown>>();
    for (const line of mx.run.stdout.trim().split("\n")) {
      const row = JSON.parse(line) as Record<string, unknown>;
      mxRows.set(`${row.ip}:${row.port}`, row);
      mxViews.set(`${row.ip}:${row.port}`, mxsurveyView(row));
    }
    const nmViews = parseNmapXml(nm.run.stdout);

    // One host of each of the first five distinct profiles.
    const sample: number[] = [];
    const seen = new Set<string>();
    fleet.hosts.forEach((h, i) => {
      if (sample.length < TESTSSL_SAMPLE && !seen.has(h.profile.name)) {
        seen.add(h.profile.name);
        sample.push(i);
      }
    });
    process.stderr.write(`testssl.sh -p -E on a sample of ${sample.length} hosts, one after another ...\n`);
    const tsViews = new Map<string, ToolView>();
    const ts = await measure(`testssl.sh (sample of ${sample.length})`, sample.length, async () => {
      const runs: RunResult[] = [];
      for (const i of sample) {
        const h = fleet.hosts[i]!;
        const json = join(tmp, `testssl-${h.ip}.json`);
        const r = await runTool(tools.testssl, testsslArgs(h.ip, h.port, json));
        runs.push(r);
        tsViews.set(key(h.ip), parseTestsslJson(readFileSync(json, "utf8")));
      }
      return {
        code: runs.every((r) => r.code !== null) ? 0 : 1,
        stdout: "",
        stderr: "",
        wallMs: runs.reduce((s, r) => s + r.wallMs, 0),
        cpuS: runs.reduce((s, r) => s + r.cpuS, 0),
      };
    });

    // Suites per host.
    const nmDiffs: string[] = [];
    const tsDiffs: string[] = [];
    let nmAgree = 0;
    let tsAgree = 0;
    let mxSuites = 0;
    let nmSuites = 0;
    let tsSuites = 0;
    let mxTsSuites = 0;
    let incomplete = 0;
    for (const h of fleet.hosts) {
      const k = key(h.ip);
      const m = mxViews.get(k);
      const n = nmViews.get(k);
      if (!m || !n) {
        nmDiffs.push(`${k} (${h.profile.name}): ${m ? "" : "no mxsurvey row "}${n ? "" : "no nmap output"}`);
        continue;
      }
      if (mxRows.get(k)?.ciphers_complete !== true) incomplete++;
      mxSuites += suiteCount(m);
      nmSuites += suiteCount(n);
      const d = diffViews(m, "mxsurvey", n, "nmap", ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]);
      if (d.length === 0) nmAgree++;
      else nmDiffs.push(...d.map((x) => `${k} (${h.profile.name}) ${x}`));
      const t = tsViews.get(k);
      if (t) {
        tsSuites += suiteCount(t);
        mxTsSuites += suiteCount(m);
        const dt = diffViews(m, "mxsurvey", t, "testssl.sh");
        if (dt.length === 0) tsAgree++;
        else tsDiffs.push(...dt.map((x) => `${k} (${h.profile.name}) ${x}`));
      }
    }
    for (const d of [...nmDiffs, ...tsDiffs]) process.stderr.write(`suite difference: ${d}\n`);

    const sampleConns = (m: Measured, idx: number[]) =>
      idx.reduce((s, i) => s + m.connections[i]!, 0) / idx.length;
    const all = fleet.hosts.map((_, i) => i);
    const perTool = [
      { m: mx, conns: sampleConns(mx, all), found: mxSuites, agree: "-" },
      { m: nm, conns: sampleConns(nm, all), found: nmSuites, agree: `${nmAgree}/${HOSTS}` },
      { m: ts, conns: sampleConns(ts, sample), found: tsSuites, agree: `${tsAgree}/${sample.length}` },
    ];
    const hostsPerS = (m: Measured) => m.hosts / (m.run.wallMs / 1000);
    const table: BenchRow[] = perTool.map(({ m, conns, found, agree }) => ({
      tool: m.tool,
      hosts: m.hosts,
      "wall s": Number((m.run.wallMs / 1000).toFixed(2)),
      "CPU s": Number(m.run.cpuS.toFixed(2)),
      "lab CPU s": Number(m.labCpuS.toFixed(2)),
      "lab busy s": Number(m.labBusyS.toFixed(2)),
      "hosts/s": Number(hostsPerS(m).toFixed(2)),
      "CPU ms/host": Math.round((m.run.cpuS * 1000) / m.hosts),
      "conns/host": Number(conns.toFixed(1)),
      "suites found": found,
      "same as mxsurvey": agree,
    }));

    const mxRate = hostsPerS(mx);
    const nmRate = hostsPerS(nm);
    const tsRate = hostsPerS(ts);
    const mxConnsAll = sampleConns(mx, all);
    const nmConnsAll = sampleConns(nm, all);
    const targets = [
      {
        target: "hosts/s >= 2x nmap",
        measured: `${(mxRate / nmRate).toFixed(1)}x`,
        ok: mxRate >= 2 * nmRate,
      },
      {
        target: "hosts/s >= 100x testssl.sh (sample rate)",
        measured: `${(mxRate / tsRate).toFixed(0)}x`,
        ok: mxRate >= 100 * tsRate,
      },
      {
        target: "same suites as nmap (50 hosts) and testssl.sh (sample)",
        measured: `nmap ${nmAgree}/${HOSTS}, testssl.sh ${tsAgree}/${sample.length}, mxsurvey incomplete ${incomplete}`,
        ok: nmAgree === HOSTS && tsAgree === sample.length && incomplete === 0,
      },
      {
        target: "conns/host <= nmap",
        measured: `${mxConnsAll.toFixed(1)} vs ${nmConnsAll.toFixed(1)}`,
        ok: mxConnsAll <= nmConnsAll,
      },
    ];
    for (const t of targets) {
      table.push({
        tool: `TARGET ${t.target}`,
        hosts: "",
        "same as mxsurvey": `${t.ok ? "PASS" : "FAIL"} (${t.measured})`,
      });
    }
    // The lab serves all 50 hosts from this process's one thread: a run cannot end before that thread has done
    // the server side of every connection it made. With mxsurvey's connections, even a client that cost nothing
    // could reach at most this many times nmap's hosts/s on this machine.
    const labBound = {
      lab_busy_s: mx.labBusyS,
      best_ratio_vs_nmap: nm.run.wallMs / 1000 / mx.labBusyS,
    };
    table.push({
      tool: "LIMIT lab-bound ceiling",
      hosts: "",
      "same as mxsurvey": `${labBound.best_ratio_vs_nmap.toFixed(2)}x nmap (lab thread busy ${mx.labBusyS.toFixed(2)} s for mxsurvey's connections)`,
    });

    // Per profile: connections per host of each tool (where mxsurvey's connections go).
    const byProfile = [...new Set(fleet.hosts.map((h) => h.profile.name))].map((name) => {
      const idx = all.filter((i) => fleet.hosts[i]!.profile.name === name);
      return {
        profile: name,
        hosts: idx.length,
        mxsurvey_conns: sampleConns(mx, idx),
        nmap_conns: sampleConns(nm, idx),
        mxsurvey_suites: suiteCount(mxViews.get(key(fleet.hosts[idx[0]!]!.ip))!),
      };
    });
    process.stderr.write(`\nconnections per host by profile:\n${JSON.stringify(byProfile, null, 1)}\n`);

    return {
      table,
      figures: {
        hosts: HOSTS,
        testssl_sample: sample.map((i) => ({
          ip: fleet.hosts[i]!.ip,
          profile: fleet.hosts[i]!.profile.name,
        })),
        tools: perTool.map(({ m, conns, found }) => ({
          tool: m.tool,
          hosts: m.hosts,
          wall_s: m.run.wallMs / 1000,
          cpu_s: m.run.cpuS,
          lab_cpu_s: m.labCpuS,
          lab_busy_s: m.labBusyS,
          hosts_per_s: hostsPerS(m),
          connections_per_host: conns,
          suites_found: found,
        })),
        rounds_wall_s: {
          mxsurvey: mxRounds.map((m) => m.run.wallMs / 1000),
          nmap: nmRounds.map((m) => m.run.wallMs / 1000),
        },
        mxsurvey_suites_on_sample: mxTsSuites,
        targets,
        lab_bound: labBound,
        by_profile: byProfile,
        differences: { nmap: nmDiffs, testssl: tsDiffs },
      },
    };
  } finally {
    await fleet.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
