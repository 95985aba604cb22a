/**
 * DNS answers as plain data. The rcode and the AD flag are facts we keep: c-ares and Node's dns module hide
 * both, which is why mxsurvey speaks DNS itself (wire format by the `dns-packet` library).
 */

export const DNS_RCODES = [
  "NOERROR",
  "FORMERR",
  "SERVFAIL",
  "NXDOMAIN",
  "NOTIMP",
  "REFUSED",
  "OTHER",
  "TIMEOUT",
] as const;
/** The answer's rcode, or TIMEOUT when no resolver answered on any attempt. */
export type DnsRcode = (typeof DNS_RCODES)[number];

export type DnsRecordType = "A" | "AAAA" | "MX" | "TXT" | "TLSA" | "CNAME";

export type DnsRecord =
  | { name: string; ttl: number; type: "A"; data: string }
  | { name: string; ttl: number; type: "AAAA"; data: string }
  | { name: string; ttl: number; type: "CNAME"; data: string }
  | { name: string; ttl: number; type: "MX"; data: { preference: number; exchange: string } }
  /** TXT: the character-strings of one record, in order (join them for SPF-style records). */
  | { name: string; ttl: number; type: "TXT"; data: string[] }
  | {
      name: string;
      ttl: number;
      type: "TLSA";
      data: { usage: number; selector: number; matchingType: number; certificate: string /* hex */ };
    };

export interface DnsResolverAddress {
  host: string;
  port: number;
}

export interface DnsAnswer {
  /** The name asked for (lower case, no trailing dot). */
  name: string;
  type: DnsRecordType;
  rcode: DnsRcode;
  /** The AD (authentic data) flag of the final answer: the resolver validated it with DNSSEC. */
  ad: boolean;
  /** Records of the asked type, owned by the end of the CNAME chain. */
  records: DnsRecord[];
  /** CNAME targets followed, in order (empty when the name is not an alias). */
  cnameChain: string[];
  /** True when the CNAME chain was longer than the cap or looped. */
  cnameLoop: boolean;
  /** `host:port` of the resolver that gave the final answer, or null on timeout. */
  resolver: string | null;
  /** Whether the UDP answer was truncated and the query was repeated over TCP. */
  tcp: boolean;
  attempts: number;
  elapsedMs: number;
  /** For rcode OTHER or an undecodable answer: what we saw. */
  detail: string | null;
}
