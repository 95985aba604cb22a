/**
 * The scan plan: discovery (coordinator/discovery/discover.ts) for every domain with bounded concurrency, each
 * unique DNS question asked once through the caching resolver, and the job index that turns the plans, as they
 * arrive, into one probe job per unique (MX host, IP, port). MX hosts without an address become host rows right
 * away (no job): no MX host ever drops out of the statistics. Plans are saved in chunks through the transport,
 * so a restarted coordinator can resume and the domain verdict pass can read them back without holding them.
 */

import type { DnsQuerier } from "../../shared/dns/cache.js";
import type { MxDiscovery, MxDiscoveryOptions, MxHost } from "../../shared/dns/mx.js";
import type { HostJob, ProbeParams } from "../../shared/jobs.js";
import type { ScanRow } from "../../shared/schema/scan-row.js";
import type { PolicyFetchContext } from "../../worker/api.js";
import { type DomainDiscovery, discoverDomain } from "../discovery/discover.js";
import { targetKey } from "./verdict-store.js";

export interface DomainPlan extends DomainDiscovery {
  domain: string;
  /** The domain's rank in the list (null: the list has none); absent in plans saved before ranks were kept. */
  rank?: number | null;
  /** The domain's position in the (deduplicated) list, from 0: domain rows are written in this order. */
  index?: number;
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
  return { domain, ...(await discoverDomain(dns, domain, mx, policies)) };
}

/**
 * Plan every domain `domains` yields, with at most `concurrency` discoveries at once; `onPlan` gets them as they
 * finish (a lane waits for its `onPlan`, so a slow consumer slows planning instead of piling plans up).
 */
export async function planDomains(
  domains: Iterable<string> | AsyncIterable<string>,
  dns: DnsQuerier,
  mx: MxDiscoveryOptions,
  concurrency: number,
  onPlan: (p: DomainPlan) => Promise<void> | void,
  policies: PolicyFetchContext | null = null,
): Promise<void> {
  // Lanes share one iterator; an async generator serves concurrent next() calls one after another.
  const it: Iterator<string> | AsyncIterator<string> =
    Symbol.asyncIterator in domains ? domains[Symbol.asyncIterator]() : domains[Symbol.iterator]();
  const lane = async () => {
    for (let next = await it.next(); !next.done; next = await it.next())
      await onPlan(await planDomain(dns, next.value, mx, policies));
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
}

/**
 * One job per unique (host, IP, port), built as plans arrive. It holds a constant per unique target (its
 * key) and per unique MX host name (its DNS facts, which every result row of that host carries), never the plans.
 */
export class JobIndex {
  private readonly targets = new Set<string>();
  private readonly hostFacts = new Map<string, { cnames: string[]; rcode: string }>();
  private readonly ips = new Set<string>();
  private readonly unresolved = new Set<string>();

  constructor(
    private readonly scan: { scan_id: string; scan_started_at: string },
    private readonly port: number,
    private readonly probe: ProbeParams,
  ) {}

  get jobs(): number {
    return this.targets.size;
  }
  get uniqueHosts(): number {
    return this.hostFacts.size;
  }
  get uniqueIps(): number {
    return this.ips.size;
  }

  /** The plan's new jobs, and its MX hosts without an address seen for the first time. */
  add(p: { discovery: MxDiscovery }): { jobs: HostJob[]; unresolved: MxHost[] } {
    const jobs: HostJob[] = [];
    const unresolved: MxHost[] = [];
    for (const h of p.discovery.hosts) {
      // The last discovery of a host name wins, as it did when the index was a map over every plan.
      this.hostFacts.set(h.hostname, { cnames: h.cnames, rcode: h.rcode });
      if (h.addresses.length === 0) {
        if (!this.unresolved.has(h.hostname)) {
          this.unresolved.add(h.hostname);
          unresolved.push(h);
        }
        continue;
      }
      for (const ip of h.addresses) {
        this.ips.add(ip);
        const key = targetKey(h.hostname, ip);
        if (this.targets.has(key)) continue;
        this.targets.add(key);
        jobs.push({
          ...this.scan,
          hostname: h.hostname,
          ip,
          port: this.port,
          dane: h.dane ?? null,
          probe: this.probe,
        });
      }
    }
    return { jobs, unresolved };
  }

  has(hostname: string, ip: string | null): boolean {
    return ip !== null && this.targets.has(targetKey(hostname, ip));
  }

  /** The DNS facts of an MX host name as discovery found them (a result row carries them). */
  factsOf(hostname: string): { cnames: string[]; rcode: string } | undefined {
    return this.hostFacts.get(hostname);
  }
}
