/**
 * MX discovery for a mail domain (RFC 5321 §5.1, RFC 7505):
 * - MX records in preference order (ties by name, for stable output), duplicates removed, at most `maxMx`;
 * - null MX (a single `0 .`) means the domain accepts no mail: kind "null", a verdict of its own;
 * - no MX records → the implicit MX: the domain's own A (and AAAA) records, kind "implicit";
 * - NXDOMAIN, or neither MX nor address records → kind "none"; SERVFAIL, REFUSED, timeouts → kind "error";
 * - an MX target that is an IP literal is flagged and not resolved; CNAME'd targets are noted;
 * - every MX host is resolved (A; AAAA too with `ipv6`), keeping at most `ipsPerHost` addresses; a host that
 *   does not resolve keeps its DNS failure so it still gets a host row.
 */

import { isIP } from "node:net";
import type { DaneLookup } from "../dane/lookup.js";
import type { Failure } from "../failures.js";
import type { MxKind } from "../schema/domain-row.js";
import type { DnsQuerier } from "./cache.js";
import type { DnsAnswer, DnsRcode } from "./types.js";

export interface MxDiscoveryOptions {
  maxMx: number;
  ipsPerHost: number;
  ipv6: boolean;
}

export const DEFAULT_MX_OPTIONS: MxDiscoveryOptions = { maxMx: 10, ipsPerHost: 8, ipv6: false };

export interface ResolvedHost {
  hostname: string;
  addresses: string[];
  cnames: string[];
  /** rcode of the A lookup (or of AAAA when only that one answered). */
  rcode: DnsRcode;
  ad: boolean;
  failure: Failure | null;
  detail: string | null;
}

export interface MxHost extends ResolvedHost {
  preference: number;
  ipLiteral: boolean;
  /** TLSA lookup for the host (filled by the caller, see shared/dane/lookup.ts); absent when not looked up. */
  dane?: DaneLookup;
}

export interface MxDiscovery {
  domain: string;
  kind: MxKind;
  rcode: DnsRcode;
  ad: boolean;
  failure: Failure | null;
  detail: string | null;
  truncated: boolean;
  hosts: MxHost[];
}

/** A DNS answer's rcode as a failure name, or null when the answer is usable. */
export function rcodeFailure(a: DnsAnswer): Failure | null {
  if (a.cnameLoop) return "dns_cname_loop";
  switch (a.rcode) {
    case "NOERROR":
      return null;
    case "NXDOMAIN":
      return "dns_nxdomain";
    case "SERVFAIL":
      return "dns_servfail";
    case "REFUSED":
      return "dns_refused";
    case "TIMEOUT":
      return "dns_timeout";
    default:
      return "dns_error";
  }
}

/** Resolve one host name to its addresses (A, and AAAA when asked). */
export async function resolveHost(
  dns: DnsQuerier,
  hostname: string,
  opts: MxDiscoveryOptions,
): Promise<ResolvedHost> {
  return (await resolveHostAnswers(dns, hostname, opts)).host;
}

/**
 * `resolveHost`, computed once for every domain that names the host when the querier keeps derived results
 * (CachingDns); not kept when a lookup timed out, so the next domain asks again as it would have.
 */
function resolveHostShared(
  dns: DnsQuerier,
  hostname: string,
  opts: MxDiscoveryOptions,
): Promise<ResolvedHost> {
  if (!dns.derive) return resolveHost(dns, hostname, opts);
  return dns
    .derive(
      `host ${opts.ipv6 ? "4+6" : "4"} ${opts.ipsPerHost} ${hostname}`,
      () => resolveHostAnswers(dns, hostname, opts),
      (r) => !r.timedOut,
    )
    .then((r) => r.host);
}

async function resolveHostAnswers(
  dns: DnsQuerier,
  hostname: string,
  opts: MxDiscoveryOptions,
): Promise<{ host: ResolvedHost; timedOut: boolean }> {
  const [a, aaaa] = await Promise.all([
    dns.query(hostname, "A"),
    opts.ipv6 ? dns.query(hostname, "AAAA") : Promise.resolve(null),
  ]);
  const addresses = [
    ...a.records.flatMap((r) => (r.type === "A" ? [r.data] : [])),
    ...(aaaa?.records.flatMap((r) => (r.type === "AAAA" ? [r.data] : [])) ?? []),
  ];
  const uniq = [...new Set(addresses)].slice(0, opts.ipsPerHost);
  const useAaaa = uniq.length > 0 && a.records.length === 0 && aaaa !== null;
  const main = useAaaa && aaaa ? aaaa : a;
  let failure: Failure | null = null;
  let detail: string | null = null;
  if (uniq.length === 0) {
    failure = rcodeFailure(a) ?? (aaaa ? rcodeFailure(aaaa) : null) ?? "dns_no_address";
    detail = `A: ${a.rcode}${a.detail ? ` (${a.detail})` : ""}${aaaa ? `, AAAA: ${aaaa.rcode}` : ""}`;
  }
  return {
    host: {
      hostname,
      addresses: uniq,
      cnames: main.cnameChain,
      rcode: main.rcode,
      ad: main.ad && (aaaa === null || useAaaa || aaaa.ad || aaaa.records.length === 0),
      failure,
      detail,
    },
    timedOut: a.rcode === "TIMEOUT" || aaaa?.rcode === "TIMEOUT",
  };
}

export async function discoverMx(
  dns: DnsQuerier,
  domain: string,
  opts: MxDiscoveryOptions = DEFAULT_MX_OPTIONS,
): Promise<MxDiscovery> {
  const mx = await dns.query(domain, "MX");
  // Built whole, in one key order (no spread of a base object then overridden: that costs V8 a slow path).
  const result = (
    kind: MxKind,
    failure: Failure | null,
    detail: string | null,
    hosts: MxHost[] = [],
    truncated = false,
  ): MxDiscovery => ({ domain, rcode: mx.rcode, ad: mx.ad, truncated, hosts, kind, failure, detail });
  const fail = rcodeFailure(mx);
  if (mx.rcode === "NXDOMAIN") return result("none", "dns_nxdomain", "no such domain");
  if (fail) return result("error", fail, mx.detail ?? `MX lookup: ${mx.rcode}`);

  const records: { preference: number; exchange: string }[] = [];
  for (const r of mx.records) if (r.type === "MX") records.push(r.data);
  if (records.length === 1 && records[0]!.exchange === "") {
    return result("null", null, "null MX (RFC 7505): the domain accepts no mail");
  }
  const targets = records.filter((r) => r.exchange !== "");
  if (targets.length === 0) {
    const implicit = await resolveHostShared(dns, domain, opts);
    if (implicit.addresses.length === 0) {
      return result("none", implicit.failure, `no MX and no address: ${implicit.detail}`);
    }
    return result("implicit", null, null, [{ ...implicit, preference: 0, ipLiteral: false }]);
  }

  let unique = targets;
  if (targets.length > 1) {
    const sorted = [...targets].sort(
      (x, y) => x.preference - y.preference || x.exchange.localeCompare(y.exchange),
    );
    const seen = new Set<string>();
    unique = sorted.filter((r) => !seen.has(r.exchange) && seen.add(r.exchange));
  }
  const kept = unique.length > opts.maxMx ? unique.slice(0, opts.maxMx) : unique;
  const hostOf = (r: { preference: number; exchange: string }): MxHost | Promise<MxHost> => {
    // Only a name of digits and dots, or with a colon or brackets, can be an address literal.
    const literal = /^[\d.]+$|[:[]/.test(r.exchange) ? r.exchange.replace(/^\[|\]$/g, "") : "";
    if (literal !== "" && isIP(literal)) {
      return {
        hostname: r.exchange,
        preference: r.preference,
        ipLiteral: true,
        addresses: [],
        cnames: [],
        rcode: "NOERROR",
        ad: false,
        failure: "mx_ip_literal",
        detail: "an MX target must be a host name, not an address (RFC 5321 §5.1)",
      };
    }
    return resolveHostShared(dns, r.exchange, opts).then((h) => ({
      hostname: h.hostname,
      addresses: h.addresses,
      cnames: h.cnames,
      rcode: h.rcode,
      ad: h.ad,
      failure: h.failure,
      detail: h.detail,
      preference: r.preference,
      ipLiteral: false,
    }));
  };
  // One MX host is the common case: no Promise.all for it.
  const hosts = kept.length === 1 ? [await hostOf(kept[0]!)] : await Promise.all(kept.map(hostOf));
  return result("mx", null, null, hosts, unique.length > kept.length);
}
