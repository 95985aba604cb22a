/**
 * The scale lab's internet, shaped like the real web's mail: a few providers' MX host names serve most domains
 * (a Zipf-like popularity over host names), a long tail of self-hosted MX hosts, shared-hosting IPs that carry
 * many host names (each with its own certificate, chosen by SNI), some domains without MX, some null MX, some
 * that do not exist, some whose backup MX does not resolve, and some publishing MTA-STS and TLS-RPT records.
 * Deterministic for a seed. One host name per 20 domains (at least 50).
 */

import type { LabZone } from "../../lab/dns-server.js";
import { rng } from "../../lab/generate.js";
import type { LeafKind } from "./fast-leaves.js";

export const SCALE_SUFFIX = "scale.lab.test";

/** What an IP does on port 25. `refused`: nothing listens there. */
export type IpBehaviour = "starttls" | "no_starttls" | "greet_554" | "refused";

export interface ScaleHost {
  hostname: string;
  ip: string;
  cert: LeafKind;
}

export interface ScaleWorld {
  zone: LabZone;
  /** `rank,domain` lines. */
  list: string;
  domains: number;
  hosts: ScaleHost[];
  ips: Map<string, IpBehaviour>;
}

const PROVIDERS = 10;
const HOSTS_PER_SHARED_IP = 25;

export function scaleWorld(domains: number, seed = 7): ScaleWorld {
  const rand = rng(seed);
  const hostCount = Math.max(50, Math.floor(domains / 20));
  const ips = new Map<string, IpBehaviour>();
  const ipOf = (i: number) => `127.${100 + Math.floor(i / 250)}.${(i % 250) + 1}.25`;
  const hosts: ScaleHost[] = [];
  let ipIndex = 0;
  let tailIp = "";
  for (let i = 0; i < hostCount; i++) {
    let ip: string;
    if (i < PROVIDERS || (i - PROVIDERS) % HOSTS_PER_SHARED_IP === 0) {
      ip = ipOf(ipIndex++);
      const r = rand();
      // Providers are healthy; the tail has EFF's 2018 mix: ~20% without STARTTLS, a few refusing or 554.
      ips.set(
        ip,
        i < PROVIDERS || r >= 0.26
          ? "starttls"
          : r < 0.2
            ? "no_starttls"
            : r < 0.23
              ? "refused"
              : "greet_554",
      );
      if (i >= PROVIDERS) tailIp = ip;
    } else {
      ip = tailIp;
    }
    const r = rand();
    const cert: LeafKind =
      i < PROVIDERS
        ? "valid"
        : r < 0.1
          ? "expired"
          : r < 0.2
            ? "self_signed"
            : r < 0.3
              ? "wrong_name"
              : "valid";
    hosts.push({
      hostname: i < PROVIDERS ? `mx.provider${i}.${SCALE_SUFFIX}` : `mail.h${i}.${SCALE_SUFFIX}`,
      ip,
      cert,
    });
  }
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < hostCount; i++) {
    total += 1 / (i + 1) ** 1.1;
    cumulative.push(total);
  }
  const pickHost = (): ScaleHost => {
    const r = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return hosts[lo]!;
  };

  const zone: LabZone = {};
  for (const h of hosts) zone[h.hostname] = { A: [h.ip] };
  const lines: string[] = [];
  for (let i = 0; i < domains; i++) {
    const domain = `d${i + 1}.${SCALE_SUFFIX}`;
    lines.push(`${i + 1},${domain}`);
    const r = rand();
    if (r < 0.01) continue; // NXDOMAIN
    if (r < 0.02) {
      zone[domain] = { MX: [{ preference: 0, exchange: "" }] }; // null MX (RFC 7505)
      continue;
    }
    if (r < 0.04) {
      zone[domain] = { TXT: ["v=spf1 -all"] }; // no MX, no address: no mail
      continue;
    }
    const primary = pickHost();
    const mx = [{ preference: 10, exchange: primary.hostname }];
    if (rand() < 0.3) {
      const backup = pickHost();
      if (backup !== primary) mx.push({ preference: 20, exchange: backup.hostname });
    }
    if (rand() < 0.02) mx.push({ preference: 30, exchange: `ghost${i}.${SCALE_SUFFIX}` }); // does not resolve
    zone[domain] = { MX: mx };
    if (rand() < 0.03) {
      zone[`_mta-sts.${domain}`] = { TXT: [`v=STSv1; id=${i}`] };
      zone[`_smtp._tls.${domain}`] = { TXT: [`v=TLSRPTv1; rua=mailto:tls@${domain}`] };
    }
  }
  return { zone, list: `${lines.join("\n")}\n`, domains, hosts, ips };
}
