/**
 * Discovery, the phase `check` and `scan` share: a domain's MX hosts with their addresses (shared/dns/mx.ts),
 * each host's TLSA records (DANE, RFC 7672) and the domain's MTA-STS / TLS-RPT records and policy. No probing
 * here: what discovery finds is what the probes are planned from.
 */

import { type DaneLookup, daneTimedOut, lookupDane } from "../../shared/dane/lookup.js";
import type { DnsQuerier } from "../../shared/dns/cache.js";
import { discoverMx, type MxDiscovery, type MxDiscoveryOptions } from "../../shared/dns/mx.js";
import type { DomainPolicyFacts } from "../../shared/policy/domain-policy-facts.js";
import { type PolicyFetchContext, probeDomainPolicies } from "../../worker/api.js";

/**
 * Look up each MX host's TLSA records (RFC 7672) beside its addresses. Host-level and MX-independent (the MX
 * answer's DNSSEC state is applied per domain), so one lookup serves every domain that shares the host.
 */
export async function attachDane(dns: DnsQuerier, d: MxDiscovery, ipv6: boolean): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const h of d.hosts) {
    if (h.ipLiteral || h.addresses.length === 0) continue;
    pending.push(
      hostDane(dns, h.hostname, ipv6).then((l) => {
        h.dane = l;
      }),
    );
  }
  if (pending.length === 1) await pending[0];
  else if (pending.length > 1) await Promise.all(pending);
}

/** One host's DANE lookup, computed once for all the domains naming it when the querier keeps results. */
function hostDane(dns: DnsQuerier, hostname: string, ipv6: boolean): Promise<DaneLookup> {
  const look = () => lookupDane(dns, hostname, null, { ipv6 });
  if (!dns.derive) return look();
  return dns.derive(`dane ${ipv6 ? "4+6" : "4"} ${hostname}`, look, (l) => !daneTimedOut(l));
}

export interface DomainDiscovery {
  discovery: MxDiscovery;
  /** MTA-STS and TLS-RPT; null: not checked, or the domain takes no mail (no MX host a policy could be about). */
  policies: DomainPolicyFacts | null;
  checked_at: string;
  duration_ms: number;
}

/** Everything discovery knows of one domain; the policy fetch runs beside the MX look-ups. */
export async function discoverDomain(
  dns: DnsQuerier,
  domain: string,
  mx: MxDiscoveryOptions,
  policies: PolicyFetchContext | null = null,
): Promise<DomainDiscovery> {
  const at = new Date();
  const t0 = Date.now();
  const seen = policies ? probeDomainPolicies(domain, policies) : Promise.resolve(null);
  const discovery = await discoverMx(dns, domain, mx);
  await attachDane(dns, discovery, mx.ipv6);
  const facts = await seen;
  return {
    discovery,
    policies: discovery.kind === "mx" || discovery.kind === "implicit" ? facts : null,
    checked_at: at.toISOString(),
    duration_ms: Date.now() - t0,
  };
}
