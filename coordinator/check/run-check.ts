/**
 * `check` and `probe` orchestration for a handful of domains or targets: MX discovery, then every (MX host, IP)
 * probed in-process with bounded concurrency, then the domain verdict. Within one `check` invocation the domains
 * share work as `scan` shares it (CheckRun): each (MX host, IP) is probed once and its row reused by every domain
 * that names it. The survey pipeline (scan) reuses the same discovery, probe and row builders at scale.
 */

import { isIP, isIPv6 } from "node:net";
import { type DaneLookup, daneTimedOut, lookupDane } from "../../shared/dane/lookup.js";
import { CachingDns, type DnsQuerier } from "../../shared/dns/cache.js";
import type { DnsClient } from "../../shared/dns/client.js";
import { discoverMx, type MxDiscovery, type MxDiscoveryOptions, resolveHost } from "../../shared/dns/mx.js";
import type { DnsAnswer, DnsRecordType } from "../../shared/dns/types.js";
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

/** A counting semaphore: at most `limit` holders at once, served in arrival order. */
class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.used >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.used++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.used--;
    }
  }
}

/** A DNS querier that remembers whether any resolver answered any query (rcode other than TIMEOUT). */
class AnswerWatch implements DnsQuerier {
  answered = false;
  constructor(private readonly inner: DnsQuerier) {}
  async query(name: string, type: DnsRecordType): Promise<DnsAnswer> {
    const a = await this.inner.query(name, type);
    if (a.rcode !== "TIMEOUT") this.answered = true;
    return a;
  }
}

/** Domains in progress at once in one check: MX discovery is cheap, probes are bounded by --concurrency. */
export const DOMAIN_LANES = 64;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One `check` invocation's shared work, as `scan` shares it: every DNS question is asked once (CachingDns), each
 * unique (MX host, IP, port) is probed — and inventoried — once, and its row is reused by every domain that names
 * the host. Probes of one IP run one at a time with --per-host-delay between them (so two host names on one
 * address never inventory it at once); at most `concurrency` probes are in flight overall.
 */
export class CheckRun {
  private readonly dns: AnswerWatch;
  private readonly policies: PolicyFetchContext | null;
  private readonly rows = new Map<string, Promise<HostRow>>();
  private readonly ipTail = new Map<string, Promise<void>>();
  /** When the last probe of each IP ended (ms since the epoch). */
  private readonly ipEnded = new Map<string, number>();
  private readonly slots: Slots;
  /** Probes started so far: one per unique (host, IP, port). */
  probesStarted = 0;
  probesDone = 0;

  constructor(private readonly deps: CheckDeps) {
    this.dns = new AnswerWatch(new CachingDns(deps.dns));
    this.policies = deps.policies ? { ...deps.policies, dns: this.dns } : null;
    this.slots = new Slots(Math.max(1, deps.concurrency));
  }

  /** Whether any resolver answered any query of this run so far. */
  get dnsAnswered(): boolean {
    return this.dns.answered;
  }

  /** The row of one (host, IP, port): probed on first request, shared afterwards. */
  private probe(job: SmtpProbeJob): Promise<HostRow> {
    const key = `${job.hostname}|${job.ip}|${job.port}`;
    let row = this.rows.get(key);
    if (!row) {
      this.probesStarted++;
      row = this.onIp(job.ip, () => this.slots.run(() => probeSmtpStarttls(job, this.deps.probe))).finally(
        () => {
          this.probesDone++;
        },
      );
      this.rows.set(key, row);
    }
    return row;
  }

  /** Run `fn` after every earlier probe of this IP, at least --per-host-delay after the last one ended. */
  private onIp<T>(ip: string, fn: () => Promise<T>): Promise<T> {
    const before = this.ipTail.get(ip);
    const run = (async () => {
      if (before) await before;
      const ended = this.ipEnded.get(ip);
      const wait = ended === undefined ? 0 : ended + this.deps.params.perHostDelayMs - Date.now();
      if (wait > 0) await sleep(wait);
      try {
        return await fn();
      } finally {
        this.ipEnded.set(ip, Date.now());
      }
    })();
    const tail = run.then(
      () => {},
      () => {},
    );
    this.ipTail.set(ip, tail);
    void tail.then(() => {
      if (this.ipTail.get(ip) === tail) this.ipTail.delete(ip);
    });
    return run;
  }

  /** Check every domain, at most `lanes` at once, started in the order given; the promises in that order. */
  checkDomains(domains: readonly string[], lanes = DOMAIN_LANES): Promise<DomainResult>[] {
    const slots = new Slots(lanes);
    return domains.map((d) => slots.run(() => this.checkDomain(d)));
  }

  async checkDomain(domain: string): Promise<DomainResult> {
    const checkedAt = new Date();
    const t0 = Date.now();
    const policiesSeen = this.policies ? probeDomainPolicies(domain, this.policies) : Promise.resolve(null);
    const d = await discoverMx(this.dns, domain, this.deps.mx);
    await attachDane(this.dns, d, this.deps.mx.ipv6);
    const port = this.deps.port;
    const hosts = await Promise.all(
      d.hosts.flatMap((h) =>
        h.addresses.length === 0
          ? [Promise.resolve(unresolvedHostRow(h, port, new Date()))]
          : h.addresses.map(async (ip) => {
              const shared = await this.probe({
                hostname: h.hostname,
                ip,
                port,
                dane: h.dane ?? null,
                probe: this.deps.params,
              });
              // A copy per domain: the DNS facts are this domain's discovery's.
              return { ...shared, hostname_cnames: h.cnames, dns_rcode: h.rcode };
            }),
      ),
    );
    const seen = await policiesSeen;
    // A domain that takes no mail (null MX, no MX) has no MX hosts a policy could be about.
    const facts = d.kind === "mx" || d.kind === "implicit" ? seen : null;
    return {
      domain: buildDomainRow(d, hosts, checkedAt, Date.now() - t0, {
        facts,
        list: this.deps.policyList ?? null,
      }),
      hosts,
    };
  }
}

/** Check one domain on its own (no work shared with other domains). */
export function checkDomain(domain: string, deps: CheckDeps): Promise<DomainResult> {
  return new CheckRun(deps).checkDomain(domain);
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
