/**
 * `npm run bench -- scale`: the survey at Tranco size on one machine. For 100,000 and 1,000,000 domains
 * (`MXSURVEY_SCALE_SIZES=20000,100000` to choose others), in one run each:
 *  1. the scale lab (test/bench/lib/scale-world.ts: a few providers' MX host names serve most domains, a long
 *     tail of self-hosted ones on shared-hosting IPs, each host name with its own certificate; some domains
 *     without MX, null MX, nonexistent, some MTA-STS/TLS-RPT records) starts in a process of its own;
 *  2. the real CLI scans it embedded end to end (`scan --policies`, basic depth), its peak RSS read by the
 *     kernel (`/usr/bin/time`'s maximum resident set size), its phases from the summary;
 *  3. a bare DNS client asks the lab's DNS server exactly the questions the scan asked (logged by the server),
 *     at the scan's DNS concurrency;
 *  4. a bare STARTTLS client probes exactly the (host, IP) jobs the scan probed, with the scan's threads and
 *     probes per thread.
 * The targets: peak RSS < 1.5 GB at 1M and at most 1.5x the RSS at 100k; end to end at most 1.3x (bare DNS +
 * bare probes); discovery at >= 0.7x the bare client's queries/s; probes at >= 0.7x the bare client's probes/s.
 * Discovery overlaps probing in the scan (jobs are published as plans are saved): its queries/s is measured
 * while the probes share the machine, the bare clients' each alone — the comparison is strict for the scan.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ScanHostRow } from "../../shared/schema/tables.js";
import { streamJsonl } from "../../shared/store/jsonl.js";
import { runBareDns } from "./lib/bare-dns.js";
import { runBareProbes } from "./lib/bare-probe.js";
import { ScaleLab } from "./lib/scale-lab.js";
import type { ScaleLabInfo } from "./lib/scale-lab-child.js";
import type { BenchResult, BenchRow } from "./run.js";

const CLI = fileURLToPath(new URL("../../coordinator/cli.js", import.meta.url));
const THREADS = 2;
const PER_THREAD = 64;
/** The scan's default --dns-concurrency. */
const DNS_CONCURRENCY = 64;

interface ScanRun {
  wall_s: number;
  peak_rss_mb: number;
  cpu_s: number;
  jobs: number;
  phases: Record<string, number>;
}

/** The CLI under /usr/bin/time: the kernel's peak RSS and CPU of the whole process (probe threads included). */
async function runScan(lab: ScaleLabInfo, out: string): Promise<ScanRun> {
  const timeFile = join(out, "..", `time-${Date.now()}.txt`);
  const args = [
    "-f",
    "%M %U %S %e",
    "-o",
    timeFile,
    process.execPath,
    CLI,
    "scan",
    "--domains",
    lab.listFile,
    "--out",
    out,
    "--resolver",
    lab.resolver,
    "--ca-file",
    lab.caFile,
    "--allow-private-targets",
    "--smtp-port",
    String(lab.smtpPort),
    "--ehlo-name",
    "bench.mxsurvey.test",
    "--policies",
    "--threads",
    String(THREADS),
    "--concurrency",
    String(PER_THREAD),
    "--dns-concurrency",
    String(DNS_CONCURRENCY),
    "--quiet",
  ];
  const child = spawn("/usr/bin/time", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  const code = await new Promise<number | null>((r) => child.on("close", r));
  if (code !== 0) throw new Error(`scan failed (${code}): ${stderr.slice(-2000)}`);
  const [rssKb, user, sys, wall] = readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-4).map(Number);
  const phases: Record<string, number> = {};
  const m =
    /planning ([\d.]+) s \(cpu ([\d.]+) s\), probes ([\d.]+) s \(([\d.]+) s after planning\), verdicts ([\d.]+) s \(cpu ([\d.]+) s\)/.exec(
      stdout,
    );
  if (m) {
    phases.plan_s = Number(m[1]);
    phases.plan_cpu_s = Number(m[2]);
    phases.probe_s = Number(m[3]);
    phases.probe_after_plan_s = Number(m[4]);
    phases.verdicts_s = Number(m[5]);
    phases.verdicts_cpu_s = Number(m[6]);
  }
  return {
    wall_s: wall!,
    peak_rss_mb: rssKb! / 1024,
    cpu_s: user! + sys!,
    jobs: Number(/probe jobs \(host, IP\)\s+(\d+)/.exec(stdout)?.[1] ?? Number.NaN),
    phases,
  };
}

async function targetsOf(
  out: string,
  port: number,
): Promise<{ ip: string; port: number; hostname: string }[]> {
  const targets: { ip: string; port: number; hostname: string }[] = [];
  for await (const r of streamJsonl<ScanHostRow>(join(out, "hosts.jsonl")))
    if (r.ip !== null) targets.push({ ip: r.ip, port, hostname: r.hostname });
  return targets;
}

const r1 = (n: number) => Math.round(n * 10) / 10;
const r2 = (n: number) => Math.round(n * 100) / 100;

async function measure(domains: number) {
  process.stderr.write(`scale ${domains}: starting the lab ...\n`);
  const lab = await ScaleLab.start(domains);
  const tmp = mkdtempSync(join(tmpdir(), "mxsurvey-bench-scale-"));
  try {
    process.stderr.write(
      `scale ${domains}: lab ready in ${lab.info.setup_ms} ms (${lab.info.hosts} MX host names on ${lab.info.ips} IPs); scanning ...\n`,
    );
    await lab.questions(); // nothing asked yet; clears the log
    const out = join(tmp, "scan");
    const scan = await runScan(lab.info, out);
    const questions = await lab.questions();
    process.stderr.write(
      `scale ${domains}: scan ${scan.wall_s} s, ${r1(scan.peak_rss_mb)} MB; bare DNS client, ${questions.length} questions ...\n`,
    );
    const [host, port] = [
      lab.info.resolver.slice(0, lab.info.resolver.lastIndexOf(":")),
      lab.info.resolver.slice(lab.info.resolver.lastIndexOf(":") + 1),
    ];
    const dns = await runBareDns({ host: host!, port: Number(port) }, questions, {
      concurrency: DNS_CONCURRENCY,
    });
    await lab.questions(); // the bare client's questions are not the scan's
    const targets = await targetsOf(out, lab.info.smtpPort);
    process.stderr.write(`scale ${domains}: bare probe client, ${targets.length} targets ...\n`);
    const probes = await runBareProbes(targets, { threads: THREADS, concurrency: PER_THREAD });
    const bareDnsS = dns.wallMs / 1000;
    const bareProbeS = probes.wallMs / 1000;
    const scanQps = questions.length / (scan.phases.plan_s ?? scan.wall_s);
    const bareQps = dns.queries / bareDnsS;
    const scanPps = scan.jobs / (scan.phases.probe_s ?? scan.wall_s);
    const barePps = probes.probes / bareProbeS;
    return {
      domains,
      hosts: lab.info.hosts,
      ips: lab.info.ips,
      lab_setup_s: lab.info.setup_ms / 1000,
      scan,
      questions: questions.length,
      bare_dns: dns,
      bare_probe: probes,
      ratios: {
        end_to_end_vs_bare_sum: r2(scan.wall_s / (bareDnsS + bareProbeS)),
        discovery_qps_vs_bare: r2(scanQps / bareQps),
        probes_per_s_vs_bare: r2(scanPps / barePps),
      },
      rates: {
        scan_qps: r1(scanQps),
        bare_qps: r1(bareQps),
        scan_probes_per_s: r1(scanPps),
        bare_probes_per_s: r1(barePps),
      },
    };
  } finally {
    await lab.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult> {
  const sizes = (process.env.MXSURVEY_SCALE_SIZES ?? "100000,1000000").split(",").map(Number);
  const runs = [];
  for (const n of sizes) runs.push(await measure(n));
  const table: BenchRow[] = [];
  for (const r of runs) {
    const p = r.scan.phases;
    table.push(
      {
        domains: r.domains,
        measure: "scan end to end (s)",
        value: r.scan.wall_s,
        peer: r2(r.bare_dns.wallMs / 1000 + r.bare_probe.wallMs / 1000),
        ratio: r.ratios.end_to_end_vs_bare_sum,
        target: "<= 1.30 (vs bare DNS + bare probes)",
      },
      {
        domains: r.domains,
        measure: "scan peak RSS (MB)",
        value: r1(r.scan.peak_rss_mb),
        peer: "",
        ratio: "",
        target: "< 1536 at 1M",
      },
      {
        domains: r.domains,
        measure: "scan CPU (s)",
        value: r1(r.scan.cpu_s),
        peer: r1((r.bare_dns.cpuMs + r.bare_probe.cpuMs) / 1000),
        ratio: r2(r.scan.cpu_s / ((r.bare_dns.cpuMs + r.bare_probe.cpuMs) / 1000)),
        target: "(info)",
      },
      {
        domains: r.domains,
        measure: `discovery (s, ${r.questions} queries; cpu ${p.plan_cpu_s ?? "?"} s)`,
        value: p.plan_s ?? Number.NaN,
        peer: r2(r.bare_dns.wallMs / 1000),
        ratio: "",
        target: "",
      },
      {
        domains: r.domains,
        measure: "discovery queries/s",
        value: r.rates.scan_qps,
        peer: r.rates.bare_qps,
        ratio: r.ratios.discovery_qps_vs_bare,
        target: ">= 0.70",
      },
      {
        domains: r.domains,
        measure: `probes (s, ${r.scan.jobs} jobs)`,
        value: p.probe_s ?? Number.NaN,
        peer: r2(r.bare_probe.wallMs / 1000),
        ratio: "",
        target: "",
      },
      {
        domains: r.domains,
        measure: "probes/s",
        value: r.rates.scan_probes_per_s,
        peer: r.rates.bare_probes_per_s,
        ratio: r.ratios.probes_per_s_vs_bare,
        target: ">= 0.70",
      },
      {
        domains: r.domains,
        measure: `verdict pass (s; cpu ${p.verdicts_cpu_s ?? "?"} s)`,
        value: p.verdicts_s ?? Number.NaN,
        peer: "",
        ratio: "",
        target: "",
      },
    );
  }
  if (runs.length >= 2) {
    const small = runs[0]!;
    const big = runs[runs.length - 1]!;
    table.push({
      domains: big.domains,
      measure: `peak RSS growth vs ${small.domains}`,
      value: r1(big.scan.peak_rss_mb),
      peer: r1(small.scan.peak_rss_mb),
      ratio: r2(big.scan.peak_rss_mb / small.scan.peak_rss_mb),
      target: "<= 1.50",
    });
  }
  return {
    table,
    figures: { threads: THREADS, per_thread: PER_THREAD, dns_concurrency: DNS_CONCURRENCY, runs },
  };
}
