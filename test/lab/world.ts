/**
 * The lab world: a small simulated internet on loopback. One authoritative DNS server (127.0.0.1, an ephemeral
 * port) answers for every lab domain; every simulated MX host is an SMTP server on its own 127.0.x.y address,
 * all on one shared port (the `--smtp-port` the checks use). Certificates come from a lab CA made at start-up,
 * whose PEM is written to a temporary file for `--ca-file`.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LabDns, type LabDnsName, type LabZone, startLabDns } from "./dns-server.js";
import { createLabCa, issueLeaf, type LabCa } from "./pki.js";
import { LAB_CASES, type LabCase, type LabHost } from "./profiles.js";
import { type LabSmtpServer, startSmtpServer } from "./smtp-server.js";

export const LAB_SUFFIX = "lab.test";

export interface LabHostInfo {
  caseName: string;
  key: string;
  hostname: string;
  ip: string;
  server: LabSmtpServer | null;
}

export interface LabWorld {
  dns: LabDns;
  smtpPort: number;
  ca: LabCa;
  caFile: string;
  cases: LabCase[];
  hosts: LabHostInfo[];
  domainOf(c: LabCase): string;
  /** The CLI flags that point mxsurvey at this lab. */
  cliArgs(): string[];
  close(): Promise<void>;
}

export function domainOf(c: LabCase): string {
  return `${c.name}.${LAB_SUFFIX}`;
}

function hostNameOf(key: string, domain: string): string {
  return key === "@" ? domain : `${key}.${domain}`;
}

/** The n-th lab host address: 127.0.1.1, 127.0.1.2, ... 127.0.1.254, 127.0.2.1, ... */
export function labAddress(n: number, base = 1): string {
  return `127.0.${base + Math.floor(n / 254)}.${(n % 254) + 1}`;
}

function merge(zone: LabZone, name: string, add: LabDnsName): void {
  zone[name] = { ...(zone[name] ?? {}), ...add };
}

async function startAll(
  specs: { ip: string; host: LabHost; hostname: string; ca: LabCa }[],
  port: number,
): Promise<LabSmtpServer[]> {
  const started: LabSmtpServer[] = [];
  try {
    for (const s of specs) {
      const { tlsVersions, ...behaviour } = s.host.behaviour;
      const needsTls = (behaviour.starttls ?? "offer") !== "none" && !behaviour.tlsFailure;
      const leaf = needsTls
        ? await issueLeaf(s.ca, { ...s.host.cert, names: s.host.cert?.names ?? [s.hostname] })
        : null;
      started.push(
        await startSmtpServer({
          host: s.ip,
          port,
          behaviour: {
            hostname: s.hostname,
            ...behaviour,
            // A fake TLS responder sends the lab certificates too (in the clear, before TLS 1.3).
            ...(leaf && behaviour.tlsResponder && !behaviour.tlsResponder.certificates
              ? { tlsResponder: { ...behaviour.tlsResponder, certificates: [leaf.certDer, s.ca.certDer] } }
              : {}),
            ...(leaf
              ? {
                  tls: {
                    key: leaf.keyPem,
                    cert: leaf.chainPem,
                    ...(tlsVersions?.min ? { minVersion: tlsVersions.min } : {}),
                    ...(tlsVersions?.max ? { maxVersion: tlsVersions.max } : {}),
                  },
                }
              : {}),
          },
        }),
      );
    }
    return started;
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
}

export async function startLabWorld(opts: { cases?: LabCase[]; smtpPort?: number } = {}): Promise<LabWorld> {
  const cases = opts.cases ?? LAB_CASES;
  const ca = await createLabCa();
  const dir = mkdtempSync(join(tmpdir(), "mxsurvey-lab-"));
  const caFile = join(dir, "lab-ca.pem");
  writeFileSync(caFile, ca.certPem);

  const zone: LabZone = {};
  const hosts: LabHostInfo[] = [];
  const specs: { ip: string; host: LabHost; hostname: string; ca: LabCa; info: LabHostInfo }[] = [];
  let n = 0;
  for (const c of cases) {
    const domain = domainOf(c);
    if (c.absent) continue;
    const mx = c.mx ?? [{ preference: 10, host: "mx" }];
    merge(
      zone,
      domain,
      mx.length > 0
        ? { MX: mx.map((m) => ({ preference: m.preference, exchange: hostNameOf(m.host, domain) })) }
        : {},
    );
    for (const [key, host] of Object.entries(c.hosts ?? {})) {
      const hostname = hostNameOf(key, domain);
      const ip = labAddress(n++);
      merge(zone, hostname, { A: [ip] });
      const info: LabHostInfo = { caseName: c.name, key, hostname, ip, server: null };
      hosts.push(info);
      if (!host.noServer) specs.push({ ip, host, hostname, ca, info });
    }
    for (const [rel, entry] of Object.entries(c.zone ?? {}))
      merge(zone, rel === "@" ? domain : `${rel}.${domain}`, entry);
  }

  const dns = await startLabDns({ zone });
  let servers: LabSmtpServer[] | null = null;
  let port = opts.smtpPort ?? 0;
  for (let attempt = 0; attempt < 8 && servers === null; attempt++) {
    const tryPort = opts.smtpPort ?? 20_000 + Math.floor(Math.random() * 40_000);
    try {
      servers = await startAll(specs, tryPort);
      port = tryPort;
    } catch (err) {
      if (opts.smtpPort !== undefined || (err as { code?: string }).code !== "EADDRINUSE") {
        await dns.close();
        throw err;
      }
    }
  }
  if (servers === null) throw new Error("lab: no free SMTP port after 8 attempts");
  specs.forEach((s, i) => {
    s.info.server = servers[i] ?? null;
  });

  return {
    dns,
    smtpPort: port,
    ca,
    caFile,
    cases,
    hosts,
    domainOf,
    cliArgs: () => [
      "--resolver",
      dns.address,
      "--ca-file",
      caFile,
      "--allow-private-targets",
      "--smtp-port",
      String(port),
    ],
    close: async () => {
      await Promise.all((servers ?? []).map((s) => s.close()));
      await dns.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
