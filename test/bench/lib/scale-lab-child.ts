/**
 * The scale lab in a process of its own, so the benchmark measures the scanner's memory and CPU apart from the
 * lab's: `node scale-lab-child.js DOMAINS [SEED]` builds the world (test/bench/lib/scale-world.ts), issues a
 * certificate per host name, starts the lab DNS (recording every question) and the SMTP listeners, writes the
 * list and the CA into a temporary directory and prints one JSON line describing it. Then it reads commands
 * on stdin: `questions FILE` writes the questions asked so far (one `TYPE NAME` per line) and clears the log,
 * `quit` stops it.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startLabDns } from "../../lab/dns-server.js";
import { leafFactory } from "./fast-leaves.js";
import { type ScaleSmtpSite, startScaleSmtp } from "./scale-smtp.js";
import { scaleWorld } from "./scale-world.js";

export interface ScaleLabInfo {
  dir: string;
  listFile: string;
  caFile: string;
  resolver: string;
  smtpPort: number;
  domains: number;
  hosts: number;
  ips: number;
  setup_ms: number;
}

async function main() {
  const t0 = Date.now();
  const domains = Number(process.argv[2] ?? "1000");
  const seed = Number(process.argv[3] ?? "7");
  const world = scaleWorld(domains, seed);
  const leaves = await leafFactory();
  const sites = new Map<string, ScaleSmtpSite>();
  for (const h of world.hosts) {
    let site = sites.get(h.ip);
    if (!site) {
      site = { ip: h.ip, behaviour: world.ips.get(h.ip)!, certs: new Map(), defaultName: h.hostname };
      sites.set(h.ip, site);
    }
    if (site.behaviour === "starttls") site.certs.set(h.hostname, leaves.leaf(h.hostname, h.cert));
  }
  const dir = mkdtempSync(join(tmpdir(), "mxsurvey-scale-lab-"));
  const listFile = join(dir, "tranco.csv");
  writeFileSync(listFile, world.list);
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, leaves.ca.certPem);
  let questions: string[] = [];
  const dns = await startLabDns({
    zone: world.zone,
    onQuestion: (name, type) => questions.push(`${type} ${name}`),
  });
  const smtp = await startScaleSmtp([...sites.values()], leaves.keyPem);
  const info: ScaleLabInfo = {
    dir,
    listFile,
    caFile,
    resolver: dns.address,
    smtpPort: smtp.port,
    domains,
    hosts: world.hosts.length,
    ips: sites.size,
    setup_ms: Date.now() - t0,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const quit = async () => {
    await smtp.close();
    await dns.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.stdin.on("end", () => void quit());
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.trim().split(/\s+/, 2);
    if (cmd === "questions" && arg) {
      writeFileSync(arg, questions.length > 0 ? `${questions.join("\n")}\n` : "");
      process.stdout.write(`${JSON.stringify({ questions: questions.length })}\n`);
      questions = [];
    } else if (cmd === "quit") await quit();
  }
}

main().catch((err) => {
  process.stderr.write(`scale lab: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
