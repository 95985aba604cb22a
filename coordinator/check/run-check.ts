/**
 * `check` and `probe` orchestration for a handful of domains or targets: MX discovery, then every (MX host, IP)
 * probed in-process with bounded concurrency, then the domain verdict. The survey pipeline (scan) reuses the
 * same discovery, probe and row builders at scale.
 */

import { isIP, isIPv6 } from "node:net";
import { lookupDane } from "../../shared/dane/lookup.js";
import type { DnsQuerier } from "../../shared/dns/cache.js";
import type { DnsClient } from "../../shared/dns/client.js";
import { discoverMx, type MxDiscovery, type MxDiscoveryOptions, resolveHost } from "../../shared/dns/mx.js";
import { buildDomainRow, unresolvedHostRow } from "../../shared/domain-result.js";
import type { PolicyList } from "../../shared/policy/policy-list.js";
import type { DomainRow } from "../../shared/schema/domain-row.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import type { ProbeParams } from "../../shared/settings.js";
import type { PolicyFetchContext, ProbeContext, SmtpProbeJob } from "../../worker/api.js";
import { probeDomainPolicies, probeSmtpStarttls } from "../../worker/api.js";

export interface DomainResult {
  domain: DomainRow;
  hosts: HostRow[];
}

export interface CheckDeps {
  dns: DnsClient;
  mx: MxDiscoveryOptions;
  probe: ProbeContext;
  /** The measurement parameters every probe of this run applies. */
  params: ProbeParams;
  /** The SMTP port of MX hosts (--smtp-port). */
  port: number;
  /** At most this many probes at once. */
  concurrency: number;
  /** MTA-STS / TLS-RPT checks per domain; null: not checked. */
  policies?: PolicyFetchContext | null;
  policyList?: PolicyList | null;
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return out;
}

/**
 * Look up each MX host's TLSA records (RFC 7672) beside its addresses. Host-level and MX-independent (the MX
 * answer's DNSSEC state is applied per domain), so one lookup serves every domain that shares the host.
 */
export async function attachDane(dns: DnsQuerier, d: MxDiscovery, ipv6: boolean): Promise<void> {
  await Promise.all(
    d.hosts.map(async (h) => {
      if (!h.ipLiteral && h.addresses.length > 0) h.dane = await lookupDane(dns, h.hostname, null, { ipv6 });
    }),
  );
}

export async function checkDomain(domain: string, deps: CheckDeps): Promise<DomainResult> {
  const checkedAt = new Date();
  const t0 = Date.now();
  const policiesSeen = deps.policies ? probeDomainPolicies(domain, deps.policies) : Promise.resolve(null);
  const d = await discoverMx(deps.dns, domain, deps.mx);
  await attachDane(deps.dns, d, deps.mx.ipv6);
  const port = deps.port;
  type Task =
    | { kind: "probe"; job: SmtpProbeJob; cnames: string[]; rcode: string }
    | { kind: "row"; row: HostRow };
  const tasks: Task[] = [];
  for (const h of d.hosts) {
    if (h.addresses.length === 0) {
      tasks.push({ kind: "row", row: unresolvedHostRow(h, port, new Date()) });
      continue;
    }
    for (const ip of h.addresses) {
      tasks.push({
        kind: "probe",
        job: { hostname: h.hostname, ip, port, dane: h.dane ?? null, probe: deps.params },
        cnames: h.cnames,
        rcode: h.rcode,
      });
    }
  }
  const hosts = await mapLimit(tasks, deps.concurrency, async (t) => {
    if (t.kind === "row") return t.row;
    const row = await probeSmtpStarttls(t.job, deps.probe);
    row.hostname_cnames = t.cnames;
    row.dns_rcode = t.rcode;
    return row;
  });
  const seen = await policiesSeen;
  // A domain that takes no mail (null MX, no MX) has no MX hosts a policy could be about.
  const facts = d.kind === "mx" || d.kind === "implicit" ? seen : null;
  return {
    domain: buildDomainRow(d, hosts, checkedAt, Date.now() - t0, { facts, list: deps.policyList ?? null }),
    hosts,
  };
}

export interface ProbeTarget {
  host: string;
  port: number;
}

/** `probe` targets: an address is probed as is; a name is resolved (A, AAAA with ipv6) and each address probed. */
export async function probeTarget(target: ProbeTarget, deps: CheckDeps): Promise<HostRow[]> {
  const probe = deps.probe;
  if (isIP(target.host)) {
    return [
      await probeSmtpStarttls(
        { hostname: target.host, ip: target.host, port: target.port, dane: null, probe: deps.params },
        probe,
      ),
    ];
  }
  const h = await resolveHost(deps.dns, target.host, deps.mx);
  const dane =
    h.addresses.length > 0 ? await lookupDane(deps.dns, target.host, null, { ipv6: deps.mx.ipv6 }) : null;
  if (h.addresses.length === 0) {
    return [unresolvedHostRow({ ...h, preference: 0, ipLiteral: false }, target.port, new Date())];
  }
  return mapLimit(h.addresses, deps.concurrency, async (ip) => {
    const row = await probeSmtpStarttls(
      { hostname: target.host, ip, port: target.port, dane, probe: deps.params },
      probe,
    );
    row.hostname_cnames = h.cnames;
    row.dns_rcode = h.rcode;
    return row;
  });
}

/** Parse a `probe` target: `host`, `ip`, `host:port`, `[ipv6]:port`, or a bare IPv6 address. */
export function parseProbeTarget(spec: string, defaultPort: number): ProbeTarget | { error: string } {
  const s = spec.trim();
  const bad = (why: string) => ({ error: `${why} in target ${JSON.stringify(spec)}` });
  let host: string;
  let port = defaultPort;
  if (s.startsWith("[")) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(s);
    if (!m || !isIPv6(m[1] ?? "")) return bad("bad [IPv6] address");
    host = m[1]!;
    if (m[2] !== undefined) {
      if (!/^\d+$/.test(m[2])) return bad("bad port");
      port = Number(m[2]);
    }
  } else if ((s.match(/:/g) ?? []).length > 1) {
    if (!isIPv6(s)) return bad("bad address (IPv6 with a port needs brackets: [addr]:port)");
    host = s;
  } else {
    const [h = "", p] = s.split(":");
    host = h;
    if (p !== undefined) {
      if (!/^\d+$/.test(p)) return bad("bad port");
      port = Number(p);
    }
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) return bad("bad port");
  host = host.toLowerCase().replace(/\.$/, "");
  if (host === "") return bad("empty host");
  return { host, port };
}
