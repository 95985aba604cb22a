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
    hostname,
    addresses: uniq,
    cnames: main.cnameChain,
    rcode: main.rcode,
    ad: main.ad && (aaaa === null || useAaaa || aaaa.ad || aaaa.records.length === 0),
    failure,
    detail,
  };
}

export async function discoverMx(
  dns: DnsQuerier,
  domain: string,
  opts: MxDiscoveryOptions = DEFAULT_MX_OPTIONS,
): Promise<MxDiscovery> {
  const mx = await dns.query(domain, "MX");
  const base = { domain, rcode: mx.rcode, ad: mx.ad, truncated: false, hosts: [] as MxHost[] };
  const fail = rcodeFailure(mx);
  if (mx.rcode === "NXDOMAIN")
    return { ...base, kind: "none", failure: "dns_nxdomain", detail: "no such domain" };
  if (fail) return { ...base, kind: "error", failure: fail, detail: mx.detail ?? `MX lookup: ${mx.rcode}` };

  const records = mx.records.flatMap((r) => (r.type === "MX" ? [r.data] : []));
  if (records.length === 1 && records[0]!.exchange === "") {
    return { ...base, kind: "null", failure: null, detail: "null MX (RFC 7505): the domain accepts no mail" };
  }
  const targets = records.filter((r) => r.exchange !== "");
  if (targets.length === 0) {
    const implicit = await resolveHost(dns, domain, opts);
    if (implicit.addresses.length === 0) {
      return {
        ...base,
        kind: "none",
        failure: implicit.failure,
        detail: `no MX and no address: ${implicit.detail}`,
      };
    }
    return {
      ...base,
      kind: "implicit",
      failure: null,
      detail: null,
      hosts: [{ ...implicit, preference: 0, ipLiteral: false }],
    };
  }

  const sorted = [...targets].sort(
    (x, y) => x.preference - y.preference || x.exchange.localeCompare(y.exchange),
  );
  const seen = new Set<string>();
  const unique = sorted.filter((r) => !seen.has(r.exchange) && seen.add(r.exchange));
  const kept = unique.slice(0, opts.maxMx);
  const hosts = await Promise.all(
    kept.map(async (r): Promise<MxHost> => {
      const literal = r.exchange.replace(/^\[|\]$/g, "");
      if (isIP(literal)) {
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
      return { ...(await resolveHost(dns, r.exchange, opts)), preference: r.preference, ipLiteral: false };
    }),
  );
  return { ...base, kind: "mx", failure: null, detail: null, truncated: unique.length > kept.length, hosts };
}
