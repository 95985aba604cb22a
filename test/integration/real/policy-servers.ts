/**
 * The extra real servers of the real-policies integration test, beside NSD and Postfix (servers.ts): unbound
 * (a validating resolver that trusts only our zone's key), nginx (the MTA-STS policy host), and ldns signing
 * the zone. Installed from Debian's packages when absent (install-policy-deps.sh), run from the run directory
 * on 127.0.6.x addresses and random ports, stopped by process group (and by stopRunDir after a crash).
 */

import { readFileSync } from "node:fs";
import * as net from "node:net";
import { join } from "node:path";
import {
  describeRun,
  digAnswers,
  type ForegroundServer,
  REAL_DIR,
  type RealDns,
  run,
  startForeground,
} from "./servers.js";

/** Installs unbound, nginx, ldnsutils and curl when absent (install-policy-deps.sh). */
export async function installPolicyDeps(): Promise<{ ok: boolean; message: string; ms: number }> {
  const r = await run("bash", [join(REAL_DIR, "install-policy-deps.sh")], { timeoutMs: 540_000 });
  return {
    ok: r.code === 0,
    message: r.code === 0 ? r.stdout.trim() : describeRun("install-policy-deps.sh", r),
    ms: r.ms,
  };
}

export interface SignedZone {
  /** The signed zone file (DNSKEY, RRSIG, NSEC added). */
  file: string;
  /** The file holding the KSK's DS record: the resolver's trust anchor. */
  trustAnchorFile: string;
  /** The DS record, presentation form. */
  ds: string;
}

/** Signs ZONE_FILE with a fresh KSK and ZSK in DIR (sign-zone.sh: ldns-keygen, ldns-signzone). */
export async function signZone(dir: string, zone: string, zoneFile: string): Promise<SignedZone> {
  const r = await run("bash", [join(REAL_DIR, "sign-zone.sh"), dir, zone, zoneFile], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(describeRun(`sign-zone.sh ${zone}`, r));
  const trustAnchorFile = join(dir, "trust-anchor.ds");
  return {
    file: `${zoneFile}.signed`,
    trustAnchorFile,
    ds: readFileSync(trustAnchorFile, "utf8").trim(),
  };
}

/**
 * Starts unbound on ADDR and a free port (start-unbound.sh) in DIR: stub zones to the authoritative server,
 * the trust anchor for SIGNED_ZONE, domain-insecure for the unsigned zones. Resolves once it answers the
 * signed zone's SOA (which it can only do after validating its DNSKEY RRset against the trust anchor).
 */
export async function startUnbound(opts: {
  dir: string;
  address: string;
  auth: RealDns;
  trustAnchorFile: string;
  signedZone: string;
  unsignedZones: string[];
}): Promise<RealDns> {
  const server = await startForeground({
    what: "unbound",
    dir: opts.dir,
    address: opts.address,
    command: (port) => ({
      script: "start-unbound.sh",
      args: [
        opts.dir,
        opts.address,
        String(port),
        opts.auth.address,
        String(opts.auth.port),
        opts.trustAnchorFile,
        opts.signedZone,
        ...opts.unsignedZones,
      ],
    }),
    ready: (port) => digAnswers(opts.address, port, opts.signedZone, "SOA"),
    logs: ["unbound.log"],
  });
  return { ...server, resolver: `${opts.address}:${server.port}` };
}

function tcpOpen(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.on("connect", () => done(true));
    s.on("error", () => done(false));
  });
}

/**
 * Starts nginx on ADDR and a free port (start-nginx.sh) in DIR: HTTPS for SERVER_NAME with the chain and key,
 * the files of WEBROOT. Resolves once the port accepts connections.
 */
export function startNginx(opts: {
  dir: string;
  address: string;
  serverName: string;
  chainFile: string;
  keyFile: string;
  webroot: string;
}): Promise<ForegroundServer> {
  return startForeground({
    what: "nginx",
    dir: opts.dir,
    address: opts.address,
    command: (port) => ({
      script: "start-nginx.sh",
      args: [
        opts.dir,
        opts.address,
        String(port),
        opts.serverName,
        opts.chainFile,
        opts.keyFile,
        opts.webroot,
      ],
    }),
    ready: (port) => tcpOpen(opts.address, port),
    logs: ["error.log"],
  });
}
