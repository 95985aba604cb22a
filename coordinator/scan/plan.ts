/**
 * The scan plan: MX discovery for every domain (bounded concurrency, each unique name asked once through the
 * caching resolver), then deduplication into one probe job per unique (MX host, IP, port). MX hosts without an
 * address become host rows right away (no job): no MX host ever drops out of the statistics.
 * Plans are saved in chunks through the transport so a restarted coordinator can resume.
 */

import type { DnsQuerier } from "../../shared/dns/cache.js";
import { discoverMx, type MxDiscovery, type MxDiscoveryOptions } from "../../shared/dns/mx.js";
import { type HostJob, jobKey, type ProbeParams } from "../../shared/jobs.js";
import type { DomainPolicyFacts } from "../../shared/policy/domain-policy-facts.js";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import { type PolicyFetchContext, probeDomainPolicies } from "../../worker/api.js";
import { attachDane } from "../check/run-check.js";

export interface DomainPlan {
  domain: string;
  /** The domain's rank in the list (null: the list has none); absent in plans saved before ranks were kept. */
  rank?: number | null;
  discovery: MxDiscovery;
  /** MTA-STS and TLS-RPT as seen at planning time; null: not checked (or the domain takes no mail). */
  policies: DomainPolicyFacts | null;
  checked_at: string;
  duration_ms: number;
}

export type PlanItem =
  | { kind: "header"; scan_id: string; scan_started_at: string; scan: ScanRow }
  | { kind: "domain"; plan: DomainPlan }
  | { kind: "end"; domains: number };

export async function planDomain(
  dns: DnsQuerier,
  domain: string,
  mx: MxDiscoveryOptions,
  policies: PolicyFetchContext | null = null,
): Promise<DomainPlan> {
  const at = new Date();
  const t0 = Date.now();
  const seen = policies ? probeDomainPolicies(domain, policies) : Promise.resolve(null);
  const discovery = await discoverMx(dns, domain, mx);
  await attachDane(dns, discovery, mx.ipv6);
  const facts = await seen;
  return {
    domain,
    discovery,
    policies: discovery.kind === "mx" || discovery.kind === "implicit" ? facts : null,
    checked_at: at.toISOString(),
    duration_ms: Date.now() - t0,
  };
}

/** Plan every domain with at most `concurrency` discoveries at once; `onPlan` gets them as they finish. */
export async function planDomains(
  domains: readonly string[],
  dns: DnsQuerier,
  mx: MxDiscoveryOptions,
  concurrency: number,
  onPlan: (p: DomainPlan) => Promise<void> | void,
  policies: PolicyFetchContext | null = null,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      const d = domains[i];
      if (d === undefined) return;
      await onPlan(await planDomain(dns, d, mx, policies));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, domains.length)) }, lane));
}

export interface Dedupe {
  /** One job per unique (host, ip, port), in first-seen order. */
  jobs: HostJob[];
  uniqueHosts: number;
  uniqueIps: number;
  /** MX host names without an address: their host rows come from the plan, not from a probe. */
  unresolvedHosts: Map<string, MxDiscovery["hosts"][number]>;
}

export function dedupe(
  plans: Iterable<DomainPlan>,
  scan: { scan_id: string; scan_started_at: string },
  port: number,
  probe: ProbeParams,
): Dedupe {
  const jobs = new Map<string, HostJob>();
  const hosts = new Set<string>();
  const ips = new Set<string>();
  const unresolved = new Map<string, MxDiscovery["hosts"][number]>();
  for (const p of plans) {
    for (const h of p.discovery.hosts) {
      hosts.add(h.hostname);
      if (h.addresses.length === 0) {
        if (!unresolved.has(h.hostname)) unresolved.set(h.hostname, h);
        continue;
      }
      for (const ip of h.addresses) {
        ips.add(ip);
        const job: HostJob = { ...scan, hostname: h.hostname, ip, port, dane: h.dane ?? null, probe };
        const key = jobKey(job);
        if (!jobs.has(key)) jobs.set(key, job);
      }
    }
  }
  return {
    jobs: [...jobs.values()],
    uniqueHosts: hosts.size,
    uniqueIps: ips.size,
    unresolvedHosts: unresolved,
  };
}
