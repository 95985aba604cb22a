/**
 * `npm run bench -- dns`: MX discovery's DNS cost against a bare DNS client (issue 12), in the same run, on the
 * same lab server. The lab's DNS server (a generated lab of 30,000 domains over 3,000 MX hosts, DNS only) runs
 * in a child process, so each client's CPU is its own. Each round runs:
 *  - "mxsurvey": MX discovery as `scan` plans it — planDomains over a CachingDns over a DnsClient, policies off,
 *    --dns-concurrency 64, the CLI's DNS defaults — recording every question that reached the DnsClient;
 *  - "bare": test/bench/lib/bare-dns.ts asking exactly those questions, 64 in flight.
 * Rounds alternate (mxsurvey, bare, mxsurvey, bare, ...) after one warm-up round of each (JIT, not counted);
 * the table shows each client's best round, and the figures also keep the median of the paired rounds'
 * ratios (on a shared machine single rounds swing). Target: mxsurvey at >= 0.70x the bare client's queries/s.
 */

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { planDomains } from "../../coordinator/scan/plan.js";
import { CachingDns, type DnsQuerier } from "../../shared/dns/cache.js";
import { DnsClient } from "../../shared/dns/client.js";
import { DEFAULT_MX_OPTIONS } from "../../shared/dns/mx.js";
import type { DnsAnswer, DnsRecordType } from "../../shared/dns/types.js";
import { runBareDns } from "./lib/bare-dns.js";
import type { BenchResult } from "./run.js";

const CHILD = fileURLToPath(new URL("./lib/dns-lab-child.js", import.meta.url));
const DOMAINS = Number(process.env.MXSURVEY_BENCH_DNS_DOMAINS ?? 30_000);
const HOSTS = Math.max(10, Math.round(DOMAINS / 10));
const CONCURRENCY = 64;
const ROUNDS = 3;
const TARGET = 0.7;

interface Round {
  client: "mxsurvey" | "bare";
  round: number;
  queries: number;
  answered: number;
  wallMs: number;
  cpuMs: number;
}

/** Records every question that reaches the wire client (below the cache). */
class Recorder implements DnsQuerier {
  readonly questions: { name: string; type: DnsRecordType }[] = [];
  answered = 0;
  constructor(private readonly inner: DnsQuerier) {}
  async query(name: string, type: DnsRecordType): Promise<DnsAnswer> {
    this.questions.push({ name, type });
    const a = await this.inner.query(name, type);
    if (a.rcode !== "TIMEOUT") this.answered++;
    return a;
  }
}

async function startLab(): Promise<{ host: string; port: number; domains: string[]; stop: () => void }> {
  const child = spawn(process.execPath, [CHILD, String(DOMAINS), String(HOSTS)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once("line", (l) => {
      rl.close();
      resolve(l);
    });
    child.once("exit", (code) => reject(new Error(`lab child exited with ${code}`)));
  });
  const info = JSON.parse(line) as { host: string; port: number; listFile: string };
  const domains = readFileSync(info.listFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.slice(l.indexOf(",") + 1));
  return { host: info.host, port: info.port, domains, stop: () => child.stdin!.end() };
}

async function mxsurveyRound(
  resolver: { host: string; port: number },
  domains: string[],
): Promise<{ cost: Omit<Round, "client" | "round">; questions: Recorder["questions"] }> {
  // As scan builds it: the CLI defaults, --dns-concurrency as the in-flight bound.
  const client = new DnsClient({
    resolvers: [resolver],
    timeoutMs: 3000,
    retries: 2,
    maxInFlight: CONCURRENCY,
  });
  const recorder = new Recorder(client);
  const dns = new CachingDns(recorder);
  let planned = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await planDomains(domains, dns, DEFAULT_MX_OPTIONS, CONCURRENCY, () => {
    planned++;
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  client.close();
  if (planned !== domains.length) throw new Error(`planned ${planned} of ${domains.length} domains`);
  return {
    cost: {
      queries: recorder.questions.length,
      answered: recorder.answered,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
    },
    questions: recorder.questions,
  };
}

export async function run(): Promise<BenchResult> {
  process.stderr.write(`starting the lab's DNS server: ${DOMAINS} domains over ${HOSTS} MX hosts ...\n`);
  const lab = await startLab();
  const resolver = { host: lab.host, port: lab.port };
  const rounds: Round[] = [];
  let questions: { name: string; type: string }[] = [];
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const m = await mxsurveyRound(resolver, lab.domains);
      if (questions.length === 0) questions = m.questions;
      if (round === 0) {
        await runBareDns(resolver, questions, { concurrency: CONCURRENCY });
        process.stderr.write("warm-up round done\n");
        continue;
      }
      rounds.push({ client: "mxsurvey", round, ...m.cost });
      process.stderr.write(
        `round ${round}: mxsurvey ${m.cost.queries} queries in ${m.cost.wallMs.toFixed(0)} ms\n`,
      );
      const b = await runBareDns(resolver, questions, { concurrency: CONCURRENCY });
      rounds.push({ client: "bare", round, ...b });
      process.stderr.write(`round ${round}: bare ${b.queries} queries in ${b.wallMs.toFixed(0)} ms\n`);
    }
  } finally {
    lab.stop();
  }
  const qps = (r: Round) => r.queries / (r.wallMs / 1000);
  const cpuUs = (r: Round) => (r.cpuMs * 1000) / r.queries;
  const best = (c: Round["client"]) =>
    rounds.filter((r) => r.client === c).sort((a, b) => qps(b) - qps(a))[0]!;
  const mx = best("mxsurvey");
  const bare = best("bare");
  const ratio = qps(mx) / qps(bare);
  const paired = Array.from({ length: ROUNDS }, (_, i) => {
    const m = rounds.find((r) => r.client === "mxsurvey" && r.round === i + 1)!;
    const b = rounds.find((r) => r.client === "bare" && r.round === i + 1)!;
    return qps(m) / qps(b);
  }).sort((a, b) => a - b);
  const medianRatio = paired[Math.floor(paired.length / 2)]!;
  const row = (label: string, r: Round) => ({
    client: label,
    queries: r.queries,
    answered: r.answered,
    "wall s": Number((r.wallMs / 1000).toFixed(2)),
    "queries/s": Math.round(qps(r)),
    "CPU us/query": Number(cpuUs(r).toFixed(1)),
    "vs bare": `${(qps(r) / qps(bare)).toFixed(2)}x`,
  });
  const table = [
    row(`mxsurvey MX discovery (${DOMAINS} domains, 64 lanes)`, mx),
    row("bare DNS client (same questions, 64 in flight)", bare),
    { client: `median of the ${ROUNDS} paired rounds' ratios`, "vs bare": `${medianRatio.toFixed(2)}x` },
    {
      client: `target: mxsurvey >= ${TARGET.toFixed(2)}x bare queries/s (best rounds)`,
      "vs bare": ratio >= TARGET ? "PASS" : "FAIL",
    },
  ];
  return {
    table,
    figures: {
      domains: DOMAINS,
      mx_hosts: HOSTS,
      concurrency: CONCURRENCY,
      queries: mx.queries,
      mxsurvey_qps: Math.round(qps(mx)),
      bare_qps: Math.round(qps(bare)),
      qps_ratio: Number(ratio.toFixed(3)),
      qps_ratio_paired_median: Number(medianRatio.toFixed(3)),
      qps_ratio_paired: paired.map((r) => Number(r.toFixed(3))),
      mxsurvey_cpu_us_per_query: Number(cpuUs(mx).toFixed(1)),
      bare_cpu_us_per_query: Number(cpuUs(bare).toFixed(1)),
      cpu_ratio: Number((cpuUs(mx) / cpuUs(bare)).toFixed(2)),
      target_ratio: TARGET,
      pass: ratio >= TARGET,
      rounds: rounds.map((r) => ({ ...r, wallMs: Math.round(r.wallMs), cpuMs: Math.round(r.cpuMs) })),
    },
  };
}
