/**
 * A generated lab internet for surveys: N mail domains over M MX hosts with realistic sharing and a realistic
 * mix of behaviours. A few providers host most domains (a Zipf-like popularity over hosts), the rest is a long
 * tail of self-hosted servers. About 20% of hosts lack STARTTLS and about a third of STARTTLS hosts present an
 * invalid certificate, as EFF measured on the Alexa top 1000 in 2018; a few hosts refuse connections or greet
 * with 554, and a few domains have null MX, no MX (implicit) or do not exist. Deterministic for a seed.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LabDns, type LabZone, startLabDns } from "./dns-server.js";
import { createLabCa, issueLeaf, type LabCa, type LeafSpec } from "./pki.js";
import { type LabSmtpServer, type SmtpBehaviour, startSmtpServer } from "./smtp-server.js";

export const GEN_SUFFIX = "gen.lab.test";

export type GenBehaviour =
  | "valid"
  | "no_starttls"
  | "expired"
  | "self_signed"
  | "wrong_name"
  | "refused"
  | "greet_554"
  | "tls10_only";

export interface GenHost {
  hostname: string;
  ip: string;
  behaviour: GenBehaviour;
}

export interface GenOptions {
  domains: number;
  hosts: number;
  seed?: number;
  /** Second octet base for addresses: 127.<base+i/254>.<...>. */
  addressBase?: number;
  smtpPort?: number;
  /** Every host waits this long before greeting (to stretch a survey for tests that act mid-scan). */
  greetDelayMs?: number;
  /** false: start only the DNS server (no SMTP servers, no leaf certificates), e.g. for DNS benchmarks. */
  smtp?: boolean;
  /** Every host behaves so (benchmarks of one kind of probe); default: the mix described above. */
  behaviour?: GenBehaviour;
}

export interface GeneratedLab {
  dns: LabDns;
  smtpPort: number;
  ca: LabCa;
  caFile: string;
  /** A Tranco-format list (`rank,domain`) of every generated domain. */
  listFile: string;
  domains: string[];
  hosts: GenHost[];
  servers: LabSmtpServer[];
  cliArgs(): string[];
  /** The flags a `worker` takes for this lab (its own settings: the lab CA, private targets allowed). */
  workerArgs(): string[];
  /**
   * Change what a host does, between two scans: its server is stopped and, unless the new behaviour is
   * `refused`, started again on the same address and port with the new one (a fresh certificate when it has TLS).
   */
  setBehaviour(hostname: string, behaviour: GenBehaviour): Promise<void>;
  close(): Promise<void>;
}

/** mulberry32: a tiny seeded PRNG, so a lab is the same every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The behaviour mix: ~20% no STARTTLS; of STARTTLS hosts ~1/3 invalid certificates; a few broken ones. */
function pickBehaviour(r: number): GenBehaviour {
  if (r < 0.2) return "no_starttls";
  if (r < 0.23) return "refused";
  if (r < 0.25) return "greet_554";
  if (r < 0.35) return "self_signed";
  if (r < 0.43) return "wrong_name";
  if (r < 0.5) return "expired";
  if (r < 0.52) return "tls10_only";
  return "valid";
}

export async function startGeneratedLab(opts: GenOptions): Promise<GeneratedLab> {
  const rand = rng(opts.seed ?? 2018);
  const base = opts.addressBase ?? 100;
  const hosts: GenHost[] = [];
  for (let i = 0; i < opts.hosts; i++) {
    // The first hosts are the big providers: keep them healthy-ish like real large providers.
    const behaviour: GenBehaviour =
      opts.behaviour ??
      (i < 3 ? "valid" : i < 5 ? (i === 3 ? "wrong_name" : "no_starttls") : pickBehaviour(rand()));
    hosts.push({
      hostname: i < 10 ? `mx${i}.provider${i}.${GEN_SUFFIX}` : `mail.host${i}.${GEN_SUFFIX}`,
      ip: `127.${base + Math.floor(i / 254)}.${(i % 254) + 1}.1`,
      behaviour,
    });
  }
  // Popularity: Zipf-like weights 1/(rank^1.1) over hosts.
  const weights = hosts.map((_, i) => 1 / (i + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((acc, w, i) => {
    cumulative[i] = (acc + w) / total;
    return acc + w;
  }, 0);
  const pickHost = (): GenHost => {
    const r = rand();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 1) < r) lo = mid + 1;
      else hi = mid;
    }
    return hosts[lo]!;
  };

  const zone: LabZone = {};
  for (const h of hosts) zone[h.hostname] = { A: [h.ip] };
  const domains: string[] = [];
  for (let i = 0; i < opts.domains; i++) {
    const domain = `d${i + 1}.${GEN_SUFFIX}`;
    domains.push(domain);
    const r = rand();
    if (r < 0.01) continue; // NXDOMAIN
    if (r < 0.02) {
      zone[domain] = { MX: [{ preference: 0, exchange: "" }] }; // null MX
      continue;
    }
    const primary = pickHost();
    const mx = [{ preference: 10, exchange: primary.hostname }];
    if (rand() < 0.3) {
      const backup = pickHost();
      if (backup !== primary) mx.push({ preference: 20, exchange: backup.hostname });
    }
    if (rand() < 0.05) mx.push({ preference: 10, exchange: `ghost${i}.${GEN_SUFFIX}` }); // an MX host that does not resolve
    zone[domain] = { MX: mx };
  }

  const ca = await createLabCa();
  const dir = mkdtempSync(join(tmpdir(), "mxsurvey-gen-"));
  const caFile = join(dir, "lab-ca.pem");
  writeFileSync(caFile, ca.certPem);
  const listFile = join(dir, "domains.csv");
  writeFileSync(listFile, domains.map((d, i) => `${i + 1},${d}\n`).join(""));

  const behaviourOf = async (h: GenHost): Promise<SmtpBehaviour | null> => {
    const b = await baseBehaviourOf(h);
    return b && opts.greetDelayMs
      ? { ...b, greeting: { ...(b.greeting ?? {}), delayMs: opts.greetDelayMs } }
      : b;
  };
  const baseBehaviourOf = async (h: GenHost): Promise<SmtpBehaviour | null> => {
    const leaf = async (spec: Partial<LeafSpec> = {}) => {
      const l = await issueLeaf(ca, { names: [h.hostname], ...spec });
      return { key: l.keyPem, cert: l.chainPem };
    };
    const day = 86_400_000;
    switch (h.behaviour) {
      case "refused":
        return null;
      case "no_starttls":
        return { hostname: h.hostname, starttls: "none" };
      case "greet_554":
        return { hostname: h.hostname, greeting: { code: 554 }, starttls: "none" };
      case "valid":
        return { hostname: h.hostname, tls: await leaf() };
      case "tls10_only":
        return { hostname: h.hostname, tls: { ...(await leaf()), minVersion: "TLSv1", maxVersion: "TLSv1" } };
      case "expired":
        return {
          hostname: h.hostname,
          tls: await leaf({
            notBefore: new Date(Date.now() - 400 * day),
            notAfter: new Date(Date.now() - 10 * day),
          }),
        };
      case "self_signed":
        return { hostname: h.hostname, tls: await leaf({ issuer: "self" }) };
      case "wrong_name":
        return { hostname: h.hostname, tls: await leaf({ names: ["other.example.test"] }) };
    }
  };
  const smtp = opts.smtp !== false;
  const behaviours = smtp ? await Promise.all(hosts.map(behaviourOf)) : [];

  const dns = await startLabDns({ zone });
  let servers: LabSmtpServer[] = [];
  /** The running server of each host (none for a refusing host). */
  const serverOf = new Map<string, LabSmtpServer>();
  let port = 0;
  for (let attempt = 0; smtp && attempt < 8; attempt++) {
    port = opts.smtpPort ?? 20_000 + Math.floor(Math.random() * 40_000);
    const started: LabSmtpServer[] = [];
    try {
      for (let i = 0; i < hosts.length; i++) {
        const b = behaviours[i];
        if (b) {
          const server = await startSmtpServer({ host: hosts[i]!.ip, port, behaviour: b });
          started.push(server);
          serverOf.set(hosts[i]!.hostname, server);
        }
      }
      servers = started;
      break;
    } catch (err) {
      await Promise.all(started.map((s) => s.close()));
      serverOf.clear();
      if (opts.smtpPort !== undefined || (err as { code?: string }).code !== "EADDRINUSE" || attempt === 7) {
        await dns.close();
        throw err;
      }
    }
  }
  return {
    dns,
    smtpPort: port,
    ca,
    caFile,
    listFile,
    domains,
    hosts,
    servers,
    cliArgs: () => [
      "--resolver",
      dns.address,
      "--ca-file",
      caFile,
      "--allow-private-targets",
      "--smtp-port",
      String(port),
    ],
    workerArgs: () => ["--ca-file", caFile, "--allow-private-targets"],
    setBehaviour: async (hostname, behaviour) => {
      const h = hosts.find((x) => x.hostname === hostname);
      if (!h) throw new Error(`no generated host ${hostname}`);
      const old = serverOf.get(hostname);
      if (old) {
        await old.close();
        serverOf.delete(hostname);
        servers = servers.filter((s) => s !== old);
      }
      h.behaviour = behaviour;
      const b = await behaviourOf(h);
      if (b) {
        const server = await startSmtpServer({ host: h.ip, port, behaviour: b });
        serverOf.set(hostname, server);
        servers.push(server);
      }
    },
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
      await dns.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
