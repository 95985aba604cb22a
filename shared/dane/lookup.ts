/**
 * The DNS side of DANE for one MX host (RFC 7672 §2.2): everything a verifier needs, as plain data that can
 * cross a thread or a queue (no Buffers, no classes).
 *
 * Steps:
 * 1. The MX answer's state is given (the caller did the MX lookup; null for a host probed directly).
 * 2. The host's address records: A (and AAAA with `ipv6`), their rcode and AD flag, the CNAME chain. With a
 *    CachingDns these are the answers MX discovery already has.
 * 3. The candidate TLSA base domains (§2.2.3): when the addresses were obtained securely through a CNAME
 *    chain, the fully expanded name first, then the MX host name; otherwise the MX host name. When the
 *    address records are insecure but the host name is a secure CNAME, the host name alone (as Postfix does).
 * 4. For each candidate, `_<port>._tcp.<base>` TLSA, following CNAMEs; when the TLSA name is an alias, each
 *    link's state is asked for separately (type CNAME at each owner, then TLSA at the end of the chain).
 *    Secure records stop the search; so does a failed lookup (SERVFAIL, timeout: RFC 7672 §2.1.1, and
 *    Postfix does not try the next name after an error); insecure records or no records (NXDOMAIN, NODATA)
 *    move on to the next candidate (§2.2.3).
 *
 * TLSA records are looked up even when the MX or address answers are insecure (a DANE client would not
 * look): a survey wants to see records that do not count. Whether they count is decided by the verifier.
 * Never throws for DNS trouble; every outcome is data.
 */

import type { DnsQuerier } from "../dns/cache.js";
import type { DnsAnswer, DnsRcode, DnsRecordType } from "../dns/types.js";
import { combineStates, type DnssecState, dnssecState } from "./dnssec.js";
import { type TlsaRecord, tlsaFromDns } from "./tlsa.js";

/** One DNS question's result, reduced to what DANE needs. */
export interface DnsStep {
  name: string;
  type: DnsRecordType;
  rcode: DnsRcode;
  ad: boolean;
  state: DnssecState;
}

export interface TlsaLookup {
  /** The candidate TLSA base domain. */
  base: string;
  /** `_25._tcp.<base>`. */
  name: string;
  rcode: DnsRcode;
  /** The AD flag of the answer (for a CNAME chain, of every link). */
  ad: boolean;
  state: DnssecState;
  /** CNAME targets followed from `name`. */
  cnames: string[];
  /** For an alias: each CNAME link, then the TLSA answer at the end of the chain; [] when `name` is no alias. */
  links: DnsStep[];
  /** Records found (the RRset at the end of the chain), in answer order. */
  records: TlsaRecord[];
  /** records: TLSA records found; none: NXDOMAIN or NODATA; error: no usable answer (SERVFAIL, timeout, ...). */
  outcome: "records" | "none" | "error";
  detail: string | null;
}

export interface DaneLookup {
  /** The MX host name as the MX record gives it (lower case, no trailing dot). */
  hostname: string;
  /** The port in the TLSA name (`_25._tcp`). */
  port: number;
  /** The MX answer that named the host; null for a host probed directly (no MX lookup involved). */
  mx: { rcode: DnsRcode; ad: boolean; state: DnssecState } | null;
  /** The host's address lookups. */
  address: {
    a: DnsStep;
    aaaa: DnsStep | null;
    /** CNAME chain followed from the host name (from the A answer, or AAAA when A had none). */
    cnames: string[];
    /** A and AAAA together (the worse of the two). */
    state: DnssecState;
    /** When the host name is an alias and its addresses are not secure: the state of its own CNAME record. */
    aliasState: DnssecState | null;
  };
  /**
   * The host's standing for DANE: `address.state`, except that an insecure address lookup behind a secure
   * CNAME at the host name counts as secure (the host name alone is then the TLSA base domain).
   */
  hostState: DnssecState;
  /** Candidate TLSA base domains in the order they are tried. */
  candidates: string[];
  /** Every TLSA lookup made, in order. */
  tried: TlsaLookup[];
  /** The lookup that decides: secure records, an error, else the first insecure records, else the last. */
  tlsa: TlsaLookup;
}

export interface DaneLookupOptions {
  /** Port of the TLSA name, default 25 (what senders use, whatever --smtp-port the probe connects to). */
  port?: number;
  /** Also ask AAAA (as MX discovery does with --ipv6). Default false. */
  ipv6?: boolean;
}

function step(a: DnsAnswer): DnsStep {
  return { name: a.name, type: a.type, rcode: a.rcode, ad: a.ad, state: dnssecState(a) };
}

function lookupFailed(a: DnsAnswer): boolean {
  return a.cnameLoop || (a.rcode !== "NOERROR" && a.rcode !== "NXDOMAIN");
}

/** TLSA records at `_<port>._tcp.<base>`, with the state of each CNAME link when the name is an alias. */
export async function lookupTlsa(dns: DnsQuerier, base: string, port = 25): Promise<TlsaLookup> {
  const name = `_${port}._tcp.${base}`;
  const answer = await dns.query(name, "TLSA");
  const records = tlsaFromDns(answer.records);
  const links: DnsStep[] = [];
  if (answer.cnameChain.length > 0 && !answer.cnameLoop) {
    const owners = [name, ...answer.cnameChain.slice(0, -1)];
    const cnames = await Promise.all(owners.map((o) => dns.query(o, "CNAME")));
    const end = await dns.query(answer.cnameChain[answer.cnameChain.length - 1]!, "TLSA");
    links.push(...cnames.map(step), step(end));
  }
  const failed = lookupFailed(answer);
  let detail: string | null = answer.detail;
  if (answer.cnameLoop) detail = `CNAME chain from ${name} loops or is too long`;
  else if (failed) detail ??= `TLSA lookup: ${answer.rcode}`;
  return {
    base,
    name,
    rcode: answer.rcode,
    ad: answer.ad,
    state: dnssecState(answer),
    cnames: answer.cnameChain,
    links,
    records,
    outcome: failed ? "error" : records.length > 0 ? "records" : "none",
    detail,
  };
}

/** Whether any lookup behind `l` timed out (a result not to keep: the next asker should try again). */
export function daneTimedOut(l: DaneLookup): boolean {
  return (
    l.address.a.rcode === "TIMEOUT" ||
    l.address.aaaa?.rcode === "TIMEOUT" ||
    l.tried.some((t) => t.rcode === "TIMEOUT" || t.links.some((s) => s.rcode === "TIMEOUT"))
  );
}

/**
 * DANE's DNS facts for one MX host. `mx` is the MX answer that named the host (`MxDiscovery.rcode` and
 * `.ad`), or null for a host probed directly. `hostname` must be a DNS name (MX discovery never probes
 * IP-literal targets).
 */
export async function lookupDane(
  dns: DnsQuerier,
  hostname: string,
  mx: { rcode: DnsRcode; ad: boolean } | null,
  opts: DaneLookupOptions = {},
): Promise<DaneLookup> {
  const port = opts.port ?? 25;
  const host = hostname.toLowerCase().replace(/\.$/, "");
  const [a, aaaa] = await Promise.all([
    dns.query(host, "A"),
    opts.ipv6 ? dns.query(host, "AAAA") : Promise.resolve(null),
  ]);
  const addrAnswers = aaaa ? [a, aaaa] : [a];
  const addressState = combineStates(addrAnswers.map((x) => dnssecState(x)))!;
  const main = a.records.length === 0 && aaaa && aaaa.records.length > 0 ? aaaa : a;
  const cnames = main.cnameChain;

  let aliasState: DnssecState | null = null;
  if (cnames.length > 0 && addressState === "insecure") {
    aliasState = dnssecState(await dns.query(host, "CNAME"));
  }
  const hostState: DnssecState = aliasState === "secure" ? "secure" : addressState;
  const expanded = cnames[cnames.length - 1];
  const candidates =
    addressState === "secure" && expanded !== undefined && expanded !== host ? [expanded, host] : [host];

  const tried: TlsaLookup[] = [];
  let decisive: TlsaLookup | null = null;
  for (const base of candidates) {
    const l = await lookupTlsa(dns, base, port);
    tried.push(l);
    if (l.outcome === "error" || (l.outcome === "records" && l.state === "secure")) {
      decisive = l;
      break;
    }
  }
  decisive ??= tried.find((l) => l.outcome === "records") ?? tried[tried.length - 1]!;

  return {
    hostname: host,
    port,
    mx: mx ? { rcode: mx.rcode, ad: mx.ad, state: dnssecState(mx) } : null,
    address: {
      a: step(a),
      aaaa: aaaa ? step(aaaa) : null,
      cnames,
      state: addressState,
      aliasState,
    },
    hostState,
    candidates,
    tried,
    tlsa: decisive,
  };
}
