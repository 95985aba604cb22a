/**
 * The policy world: every domain-policy case (MTA-STS, TLS-RPT: test/lab/policy-lab.ts) and every DANE case
 * (TLSA under DNSSEC, as a validating resolver answers: test/lab/dane-cases.ts) behind one lab DNS server,
 * with their SMTP and HTTPS servers and one lab CA. The demo's policy part runs `check --depth full` on it; the
 * survey-integrity test scans all of it embedded and distributed and compares every column.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDaneLab, type DaneLab } from "./dane-cases.js";
import { type LabDns, startLabDns } from "./dns-server.js";
import { createLabCa } from "./pki.js";
import { type PolicyLab, startPolicyLab } from "./policy-lab.js";
import { type LabSmtpServer, startSmtpServer } from "./smtp-server.js";

export interface PolicyWorld {
  dns: LabDns;
  policies: PolicyLab;
  dane: DaneLab;
  /** Every SMTP server of the world (the policy cases' MX hosts and the DANE hosts). */
  smtpServers: LabSmtpServer[];
  caFile: string;
  /** A list file with every domain of the world, one a line. */
  listFile: string;
  domains: string[];
  /** The flags that point check and scan at this world. */
  cliArgs(): string[];
  /** The flags a `worker` takes for this world (its own settings). */
  workerArgs(): string[];
  close(): Promise<void>;
}

export async function startPolicyWorld(): Promise<PolicyWorld> {
  const ca = await createLabCa();
  const dir = mkdtempSync(join(tmpdir(), "mxsurvey-policy-world-"));
  const caFile = join(dir, "lab-ca.pem");
  writeFileSync(caFile, ca.certPem);
  const policies = await startPolicyLab({ ca });
  const dane = await buildDaneLab(ca, { address: (n) => `127.0.72.${n + 1}` });
  const daneServers = await Promise.all(
    dane.hosts.map((h) => startSmtpServer({ host: h.ip, port: policies.smtpPort, behaviour: h.behaviour })),
  );
  const dns = await startLabDns({ zone: { ...policies.zone, ...dane.zone } });
  const domains = [
    ...new Set([...policies.cases.map((c) => policies.domainOf(c)), ...dane.cases.map((c) => c.domain)]),
  ];
  const listFile = join(dir, "domains.txt");
  writeFileSync(listFile, `${domains.join("\n")}\n`);
  return {
    dns,
    policies,
    dane,
    smtpServers: [...policies.smtpServers, ...daneServers],
    caFile,
    listFile,
    domains,
    cliArgs: () => [
      "--resolver",
      dns.address,
      "--ca-file",
      caFile,
      "--allow-private-targets",
      "--smtp-port",
      String(policies.smtpPort),
      "--https-port",
      String(policies.httpsPort),
    ],
    workerArgs: () => ["--ca-file", caFile, "--allow-private-targets"],
    close: async () => {
      await Promise.all(daneServers.map((s) => s.close()));
      await policies.close();
      await dns.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
