/**
 * mxsurvey's DNS client: one question in, one typed `DnsAnswer` out, keeping the facts the system resolver
 * hides (rcode, the AD flag, truncation). Wire format by `dns-packet`; transport by node:dgram and node:net.
 *
 * Follows RFC 1035 (messages; UDP, then TCP with a 2-byte length prefix), RFC 6891 (EDNS0 OPT record
 * advertising our UDP payload size), RFC 3225 (the DO bit, so a validating resolver reports AD), RFC 7766
 * (repeat a truncated UDP answer over TCP) and RFC 6604 (the rcode of a CNAME chain is that of its last name).
 *
 * `query` never throws for network or DNS trouble: every outcome is an answer (rcode TIMEOUT when nobody
 * answered). UDP goes over a few long-lived connected sockets per resolver (udp-pool.ts: many queries in
 * flight per socket, each with a random 16-bit id and its question checked, RFC 5452; a socket is replaced
 * after some hundreds of queries or on error, so the source port still varies), unref'd so they never keep
 * the process alive; `close()` closes them. Queries in flight to one resolver are capped by an AIMD limit
 * (limiter.ts) that backs off on bursts of SERVFAIL, REFUSED and timeouts.
 */

import net from "node:net";
import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type StringAnswer } from "dns-packet";
import { AimdLimiter } from "./limiter.js";
import type { DnsAnswer, DnsRcode, DnsRecord, DnsRecordType, DnsResolverAddress } from "./types.js";
import { UdpPool, type UdpTicket } from "./udp-pool.js";
import { encodeQuery } from "./wire.js";

export interface DnsClientOptions {
  resolvers: DnsResolverAddress[];
  /** Per attempt (the UDP wait plus, after truncation, the TCP exchange). */
  timeoutMs: number;
  /** Extra attempts after the first; attempt k goes to resolver k % resolvers.length. */
  retries: number;
  /** EDNS0 UDP payload size we advertise (default 1232, the DNS Flag Day 2020 value). */
  udpPayloadSize?: number;
  /**
   * Most queries in flight to one resolver (default 256; scan passes --dns-concurrency). The actual limit
   * adapts below it: halved on bursts of SERVFAIL/REFUSED/timeouts, grown back as answers come.
   */
  maxInFlight?: number;
  /** UDP sockets kept open per resolver, each carrying many queries (default 4). */
  socketsPerResolver?: number;
  /** Queries sent on one UDP socket before it is replaced by one on a fresh source port (default 512). */
  maxQueriesPerSocket?: number;
  /** Most CNAME targets followed before the answer is flagged `cnameLoop` (default 8). */
  maxCnameChain?: number;
}

const DEFAULT_UDP_PAYLOAD_SIZE = 1232;
const DEFAULT_MAX_CNAME_CHAIN = 8;
const DEFAULT_MAX_IN_FLIGHT = 256;
const DEFAULT_SOCKETS_PER_RESOLVER = 4;
const DEFAULT_MAX_QUERIES_PER_SOCKET = 512;

/** Bad user input (a resolver spec); the CLI reports it as a usage error. */
export class ResolverSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** `host:port`, with IPv6 hosts in brackets (the form `parseResolver` reads back). */
export function formatResolver(r: DnsResolverAddress): string {
  return r.host.includes(":") ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`;
}

/**
 * Parse `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare `IPv6` (default port 53). Host names are refused: the
 * resolver must be reachable without DNS.
 */
export function parseResolver(spec: string): DnsResolverAddress {
  const s = spec.trim();
  const bad = (why: string): never => {
    throw new ResolverSpecError(
      `invalid resolver "${spec}": ${why} (expected IP, IP:PORT, [IPv6]:PORT or IPv6, e.g. 127.0.0.1:53)`,
    );
  };
  let host: string;
  let portText: string | undefined;
  if (s.startsWith("[")) {
    const m = /^\[([^\]]+)\](?::([^:]*))?$/.exec(s);
    if (!m) return bad("malformed bracketed address");
    host = m[1]!;
    portText = m[2];
    if (net.isIP(host) !== 6) return bad("only an IPv6 address goes in brackets");
  } else if (net.isIP(s) !== 0) {
    host = s;
  } else {
    const m = /^([^:]+):([^:]*)$/.exec(s);
    if (!m) return bad(s === "" ? "empty" : "not an IP address");
    host = m[1]!;
    portText = m[2];
    if (net.isIP(host) !== 4) return bad("not an IP address");
  }
  let port = 53;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText)) return bad("port must be a number");
    port = Number(portText);
    if (port < 1 || port > 65535) return bad("port out of range 1-65535");
  }
  return { host, port };
}

/**
 * The `nameserver` lines of a resolv.conf's contents, in order, without duplicates (port 53, as glibc does).
 * Lines starting with `#` or `;` are comments, and so is anything after one on a line; lines whose address
 * is not an IP literal are skipped, as the C library skips them.
 */
export function readSystemResolvers(text: string): DnsResolverAddress[] {
  const out: DnsResolverAddress[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, "").trim();
    const [keyword, address] = line.split(/\s+/);
    if (keyword !== "nameserver" || address === undefined || net.isIP(address) === 0) continue;
    const r = { host: address, port: 53 };
    const key = formatResolver(r);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

/** Lower case (ASCII only: DNS case-insensitivity is ASCII), one trailing dot removed; the root is "". */
export function normalizeDnsName(name: string): string {
  const lower = /[A-Z]/.test(name) ? name.replace(/[A-Z]+/g, (c) => c.toLowerCase()) : name;
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

function nameProblem(name: string): string | null {
  if (name === "") return null; // the root
  // ASCII (every name but an unconverted IDN): one char, one byte; no Buffer or split needed.
  if (/^[\x00-\x7f]*$/.test(name)) {
    if (name.length > 253) return "name longer than 253 bytes";
    let start = 0;
    for (let i = 0; i <= name.length; i++) {
      if (i < name.length && name.charCodeAt(i) !== 46) continue;
      if (i === start) return "empty label";
      if (i - start > 63) return "label longer than 63 bytes";
      start = i + 1;
    }
    return null;
  }
  if (Buffer.byteLength(name) > 253) return "name longer than 253 bytes";
  for (const label of name.split(".")) {
    if (label.length === 0) return "empty label";
    if (Buffer.byteLength(label) > 63) return "label longer than 63 bytes";
  }
  return null;
}

const RCODE_NAMES: Record<number, string> = {
  6: "YXDOMAIN",
  7: "YXRRSET",
  8: "NXRRSET",
  9: "NOTAUTH",
  10: "NOTZONE",
  16: "BADVERS",
};

/** The full rcode (the header's 4 bits plus the OPT record's extended bits, RFC 6891 §6.1.3). */
function mapRcode(packet: DecodedPacket): { rcode: DnsRcode; detail: string | null } {
  const opt = (packet.additionals ?? []).find((a): a is OptAnswer => a.type === "OPT");
  const full = ((opt?.extendedRcode ?? 0) << 4) | ((packet.flags ?? 0) & 0xf);
  switch (full) {
    case 0:
      return { rcode: "NOERROR", detail: null };
    case 1:
      return { rcode: "FORMERR", detail: null };
    case 2:
      return { rcode: "SERVFAIL", detail: null };
    case 3:
      return { rcode: "NXDOMAIN", detail: null };
    case 4:
      return { rcode: "NOTIMP", detail: null };
    case 5:
      return { rcode: "REFUSED", detail: null };
    default:
      return { rcode: "OTHER", detail: `rcode ${full}${RCODE_NAMES[full] ? ` (${RCODE_NAMES[full]})` : ""}` };
  }
}

/** One record of the answer section as our typed record, or null for other types/classes. */
function toRecord(a: Answer, type: DnsRecordType): DnsRecord | null {
  if (a.type !== type || ("class" in a && a.class !== undefined && a.class !== "IN")) return null;
  const name = normalizeDnsName(a.name);
  const ttl = "ttl" in a && typeof a.ttl === "number" ? a.ttl : 0;
  switch (a.type) {
    case "A":
    case "AAAA":
      return typeof a.data === "string" ? { name, ttl, type: a.type, data: a.data } : null;
    case "CNAME":
      return typeof a.data === "string" ? { name, ttl, type: "CNAME", data: normalizeDnsName(a.data) } : null;
    case "MX":
      // The null MX (RFC 7505) target is the root, which dns-packet decodes as "."; it comes out as "".
      return {
        name,
        ttl,
        type: "MX",
        data: { preference: a.data.preference ?? 0, exchange: normalizeDnsName(a.data.exchange) },
      };
    case "TXT": {
      // Character-strings are bytes, not text: latin1 maps each byte to one char, so nothing is lost and
      // ASCII (SPF, MTA-STS, TLS-RPT) reads as itself.
      const parts = Array.isArray(a.data) ? a.data : [a.data];
      return {
        name,
        ttl,
        type: "TXT",
        data: parts.map((p) => (typeof p === "string" ? p : Buffer.from(p).toString("latin1"))),
      };
    }
    case "TLSA":
      return {
        name,
        ttl,
        type: "TLSA",
        data: {
          usage: a.data.usage,
          selector: a.data.selector,
          matchingType: a.data.matchingType,
          certificate: Buffer.from(a.data.certificate).toString("hex"),
        },
      };
    default:
      return null;
  }
}

type AttemptResult =
  | { kind: "answer"; packet: DecodedPacket; tcp: boolean; resolver: string }
  /**
   * No usable answer: timeout, network error, or (undecodable: true) an answer we could not read; unsent: the
   * query never left (no slot under the resolver's in-flight limit in time, or the client closed).
   */
  | { kind: "failed"; undecodable: boolean; unsent?: boolean; detail: string; resolver: string };

type Checked =
  | { kind: "ignore" }
  | { kind: "undecodable"; detail: string }
  | { kind: "ok"; packet: DecodedPacket };

/** The result of asking one name (with retries), before any CNAME chasing. */
interface Lookup {
  rcode: DnsRcode;
  packet: DecodedPacket | null;
  resolver: string | null;
  tcp: boolean;
  attempts: number;
  detail: string | null;
}

/** One resolver's record so far: attempts sent to it, and how many got no usable answer. */
export interface ResolverStats {
  resolver: string;
  asked: number;
  /** Timeouts, network errors, undecodable answers and REFUSED: the resolver did not serve the query. */
  unanswered: number;
  /** Queries allowed in flight to it now (adaptive: halved on bursts of SERVFAIL/REFUSED/timeouts). */
  limit: number;
  /** The lowest that limit has been. */
  lowest_limit: number;
}

/** One resolver's transport: its UDP sockets and its in-flight limit. */
interface ResolverState {
  label: string;
  pool: UdpPool;
  limiter: AimdLimiter;
}

export class DnsClient {
  private readonly resolvers: DnsResolverAddress[];
  private readonly stats = new Map<string, { resolver: string; asked: number; unanswered: number }>();
  private readonly perResolver = new Map<string, ResolverState>();
  private readonly maxInFlight: number;
  private readonly socketsPerResolver: number;
  private readonly maxQueriesPerSocket: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly udpPayloadSize: number;
  private readonly maxCnameChain: number;
  /** Cancel functions of in-flight attempts, so `close()` can end them. */
  private readonly inFlight = new Set<() => void>();
  private closed = false;

  constructor(opts: DnsClientOptions) {
    if (!Array.isArray(opts.resolvers) || opts.resolvers.length === 0) {
      throw new Error("DnsClient: at least one resolver is required");
    }
    for (const r of opts.resolvers) {
      if (net.isIP(r.host) === 0 || !Number.isInteger(r.port) || r.port < 1 || r.port > 65535) {
        throw new Error(`DnsClient: invalid resolver ${JSON.stringify(r)}`);
      }
    }
    if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) {
      throw new Error(`DnsClient: timeoutMs must be > 0, got ${opts.timeoutMs}`);
    }
    if (!Number.isInteger(opts.retries) || opts.retries < 0) {
      throw new Error(`DnsClient: retries must be an integer >= 0, got ${opts.retries}`);
    }
    const payload = opts.udpPayloadSize ?? DEFAULT_UDP_PAYLOAD_SIZE;
    if (!Number.isInteger(payload) || payload < 512 || payload > 65535) {
      throw new Error(`DnsClient: udpPayloadSize must be 512-65535, got ${payload}`);
    }
    const maxChain = opts.maxCnameChain ?? DEFAULT_MAX_CNAME_CHAIN;
    if (!Number.isInteger(maxChain) || maxChain < 0) {
      throw new Error(`DnsClient: maxCnameChain must be an integer >= 0, got ${maxChain}`);
    }
    const positive = (what: string, v: number | undefined, dflt: number): number => {
      const n = v ?? dflt;
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`DnsClient: ${what} must be an integer >= 1, got ${n}`);
      return n;
    };
    this.maxInFlight = positive("maxInFlight", opts.maxInFlight, DEFAULT_MAX_IN_FLIGHT);
    this.socketsPerResolver = positive(
      "socketsPerResolver",
      opts.socketsPerResolver,
      DEFAULT_SOCKETS_PER_RESOLVER,
    );
    this.maxQueriesPerSocket = positive(
      "maxQueriesPerSocket",
      opts.maxQueriesPerSocket,
      DEFAULT_MAX_QUERIES_PER_SOCKET,
    );
    this.resolvers = opts.resolvers.map((r) => ({ host: r.host, port: r.port }));
    this.timeoutMs = opts.timeoutMs;
    this.retries = opts.retries;
    this.udpPayloadSize = payload;
    this.maxCnameChain = maxChain;
  }

  /**
   * Ask `name` for records of `type`, following CNAMEs. The whole call (including any query for a CNAME
   * target the resolver did not chase) is bounded by (retries + 1) * timeoutMs.
   */
  async query(rawName: string, type: DnsRecordType): Promise<DnsAnswer> {
    const start = performance.now();
    const name = normalizeDnsName(rawName);
    const chain: string[] = [];
    let attempts = 0;
    let tcp = false;
    let ad = true;
    const answer = (
      l: Pick<Lookup, "rcode" | "resolver" | "detail">,
      records: DnsRecord[],
      cnameLoop: boolean,
      adFlag: boolean,
    ): DnsAnswer => ({
      name,
      type,
      rcode: l.rcode,
      ad: adFlag,
      records,
      cnameChain: chain,
      cnameLoop,
      resolver: l.resolver,
      tcp,
      attempts,
      elapsedMs: Math.round(performance.now() - start),
      detail: l.detail,
    });

    const problem = nameProblem(name);
    if (problem)
      return answer({ rcode: "OTHER", resolver: null, detail: `invalid name: ${problem}` }, [], false, false);
    if (this.closed)
      return answer({ rcode: "TIMEOUT", resolver: null, detail: "client closed" }, [], false, false);

    const deadline = start + (this.retries + 1) * this.timeoutMs;
    const seen = new Set<string>([name]);
    let current = name;
    for (;;) {
      const l = await this.lookup(current, type, deadline);
      attempts += l.attempts;
      tcp ||= l.tcp;
      if (!l.packet) return answer(l, [], false, false);
      ad &&= l.packet.flag_ad;
      const answers = l.packet.answers ?? [];
      const recordsOf = (owner: string): DnsRecord[] => {
        const out: DnsRecord[] = [];
        for (const a of answers) {
          const r = toRecord(a, type);
          if (r && r.name === owner) out.push(r);
        }
        return out;
      };
      if (type === "CNAME") return answer(l, recordsOf(current), false, ad);

      let owner = current;
      for (;;) {
        const cname = answers.find(
          (a): a is StringAnswer => a.type === "CNAME" && normalizeDnsName(a.name) === owner,
        );
        if (!cname || typeof cname.data !== "string") break;
        const target = normalizeDnsName(cname.data);
        if (seen.has(target) || chain.length >= this.maxCnameChain) return answer(l, [], true, ad);
        seen.add(target);
        chain.push(target);
        owner = target;
      }
      const records = recordsOf(owner);
      // The resolver stopped at a CNAME target without its records: ask for the target ourselves.
      if (records.length === 0 && l.rcode === "NOERROR" && owner !== current) {
        current = owner;
        continue;
      }
      return answer(l, records, false, ad);
    }
  }

  /** Every resolver asked so far, with its attempts and the unanswered ones (a scan counts a partial loss). */
  resolverStats(): ResolverStats[] {
    return [...this.stats.values()].map((s) => {
      const l = this.perResolver.get(s.resolver)?.limiter;
      return { ...s, limit: l?.limit ?? this.maxInFlight, lowest_limit: l?.lowestLimit ?? this.maxInFlight };
    });
  }

  private count(resolver: DnsResolverAddress, unanswered: boolean): void {
    const key = formatResolver(resolver);
    let s = this.stats.get(key);
    if (!s) {
      s = { resolver: key, asked: 0, unanswered: 0 };
      this.stats.set(key, s);
    }
    s.asked++;
    if (unanswered) s.unanswered++;
  }

  /** End in-flight attempts (their queries resolve promptly) and refuse new ones. */
  close(): void {
    this.closed = true;
    for (const cancel of [...this.inFlight]) cancel();
    for (const r of this.perResolver.values()) {
      r.limiter.cancelAll();
      r.pool.close();
    }
  }

  /** One name, with retries across resolvers; SERVFAIL/REFUSED are retried, other rcodes are final. */
  private async lookup(name: string, type: DnsRecordType, deadline: number): Promise<Lookup> {
    let attempts = 0;
    let retryable: Lookup | null = null;
    let undecodable: { detail: string; resolver: string } | null = null;
    let lastFailure: string | null = null;
    for (let k = 0; k <= this.retries; k++) {
      const remaining = deadline - performance.now();
      if (remaining <= 0 || this.closed) break;
      const resolver = this.resolvers[k % this.resolvers.length]!;
      attempts++;
      const r = await this.attempt(resolver, name, type, Math.min(this.timeoutMs, remaining), deadline);
      if (r.kind === "failed" && r.unsent) {
        lastFailure = r.detail;
        continue;
      }
      this.count(resolver, r.kind !== "answer" || mapRcode(r.packet).rcode === "REFUSED");
      if (r.kind === "answer") {
        const { rcode, detail } = mapRcode(r.packet);
        const result: Lookup = {
          rcode,
          packet: r.packet,
          resolver: r.resolver,
          tcp: r.tcp,
          attempts,
          detail,
        };
        if (rcode === "SERVFAIL" || rcode === "REFUSED") {
          retryable = result;
          continue;
        }
        return result;
      }
      if (r.undecodable) undecodable = { detail: r.detail, resolver: r.resolver };
      else lastFailure = r.detail;
    }
    if (retryable) return { ...retryable, attempts };
    if (undecodable) {
      return { rcode: "OTHER", packet: null, tcp: false, attempts, ...undecodable };
    }
    return {
      rcode: "TIMEOUT",
      packet: null,
      resolver: null,
      tcp: false,
      attempts,
      detail: this.closed ? "client closed" : (lastFailure ?? "no attempt made"),
    };
  }

  /** Accept only a response to our question: id, QR, and exactly our question (name case-insensitive). */
  private check(msg: Buffer, id: number, name: string, type: DnsRecordType, from: string): Checked {
    if (msg.length < 2 || msg.readUInt16BE(0) !== id) return { kind: "ignore" };
    let packet: DecodedPacket;
    try {
      packet = dnsPacket.decode(msg);
    } catch (err) {
      return { kind: "undecodable", detail: `undecodable answer from ${from}: ${(err as Error).message}` };
    }
    const q = packet.questions?.[0];
    if (
      !packet.flag_qr ||
      packet.questions?.length !== 1 ||
      !q ||
      normalizeDnsName(q.name) !== name ||
      q.type !== type ||
      (q.class ?? "IN") !== "IN"
    ) {
      return { kind: "ignore" };
    }
    return { kind: "ok", packet };
  }

  /** The resolver's sockets, limiter and counters, made on first use. */
  private resolverState(resolver: DnsResolverAddress): ResolverState {
    const key = formatResolver(resolver);
    let r = this.perResolver.get(key);
    if (!r) {
      r = {
        label: key,
        pool: new UdpPool(resolver, key, {
          sockets: this.socketsPerResolver,
          maxQueriesPerSocket: this.maxQueriesPerSocket,
        }),
        limiter: new AimdLimiter(this.maxInFlight),
      };
      this.perResolver.set(key, r);
    }
    return r;
  }

  /**
   * One attempt against one resolver: wait (at most `waitMs`) for a slot under the resolver's in-flight
   * limit, then UDP, then TCP if truncated; one timer of `timeoutMs` from the send covers both.
   */
  private async attempt(
    resolver: DnsResolverAddress,
    name: string,
    type: DnsRecordType,
    waitMs: number,
    deadline: number,
  ): Promise<AttemptResult> {
    const state = this.resolverState(resolver);
    const ticket = state.limiter.tryAcquire() ?? (await state.limiter.acquire(waitMs));
    if (ticket === null) {
      return {
        kind: "failed",
        undecodable: false,
        unsent: true,
        detail: this.closed
          ? "client closed"
          : `not sent: ${state.label} already had ${state.limiter.inFlight} queries in flight (its limit) for ${Math.round(waitMs)} ms`,
        resolver: state.label,
      };
    }
    const timeoutMs = Math.min(this.timeoutMs, deadline - performance.now());
    let r: AttemptResult;
    if (this.closed || timeoutMs <= 0) {
      state.limiter.release(ticket, "none");
      return {
        kind: "failed",
        undecodable: false,
        unsent: true,
        detail: this.closed ? "client closed" : "no time left",
        resolver: state.label,
      };
    }
    try {
      r = await this.exchange(state, resolver, name, type, timeoutMs);
    } catch (err) {
      state.limiter.release(ticket, "none");
      throw err;
    }
    // SERVFAIL and REFUSED (header rcodes 2 and 5), timeouts and network errors make the limiter back off.
    const rcode = r.kind === "answer" ? (r.packet.flags ?? 0) & 0xf : -1;
    const outcome =
      r.kind === "failed"
        ? this.closed
          ? "none"
          : "failure"
        : rcode === 2 || rcode === 5
          ? "failure"
          : "answer";
    state.limiter.release(ticket, outcome);
    return r;
  }

  /** The query's bytes: RD, one question, EDNS0 OPT with our payload size and the DO bit. */
  private encode(id: number, name: string, type: DnsRecordType): Buffer {
    return encodeQuery(id, name, type, this.udpPayloadSize);
  }

  private exchange(
    state: ResolverState,
    resolver: DnsResolverAddress,
    name: string,
    type: DnsRecordType,
    timeoutMs: number,
  ): Promise<AttemptResult> {
    return new Promise((resolve) => {
      const label = state.label;
      let id = -1;
      let message: Buffer | null = null;
      let done = false;
      let udp: UdpTicket | null = null;
      let tcpSocket: net.Socket | null = null;
      const finish = (r: AttemptResult): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.inFlight.delete(cancel);
        udp?.end();
        tcpSocket?.destroy();
        resolve(r);
      };
      const fail = (detail: string, undecodable = false): void =>
        finish({ kind: "failed", undecodable, detail, resolver: label });
      const cancel = (): void => fail("client closed");
      this.inFlight.add(cancel);
      const timer = setTimeout(
        () =>
          fail(`no answer from ${label}${tcpSocket ? " over TCP" : ""} within ${Math.round(timeoutMs)} ms`),
        timeoutMs,
      );

      const handle = (msg: Buffer, viaTcp: boolean): void => {
        const c = this.check(msg, id, name, type, label);
        if (c.kind === "undecodable") {
          fail(c.detail, true);
          return;
        }
        if (c.kind === "ignore") {
          // Over UDP anyone can send us datagrams: keep waiting. Over TCP the stream is ours alone.
          if (viaTcp) fail(`TCP answer from ${label} does not match the query`);
          return;
        }
        if (!viaTcp && c.packet.flag_tc) {
          startTcp();
          return;
        }
        finish({ kind: "answer", packet: c.packet, tcp: viaTcp, resolver: label });
      };

      const startTcp = (): void => {
        udp?.end();
        udp = null;
        const query = message!;
        const sock = net.connect({ host: resolver.host, port: resolver.port });
        tcpSocket = sock;
        sock.setNoDelay(true);
        const chunks: Buffer[] = [];
        let received = 0;
        sock.on("connect", () => {
          const frame = Buffer.alloc(2 + query.length);
          frame.writeUInt16BE(query.length, 0);
          query.copy(frame, 2);
          sock.write(frame);
        });
        sock.on("data", (chunk: Buffer) => {
          if (done) return;
          chunks.push(chunk);
          received += chunk.length;
          if (received < 2) return;
          const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          chunks.length = 0;
          chunks.push(buf);
          const len = buf.readUInt16BE(0);
          // The 16-bit prefix caps a message at 65535 bytes: we never buffer more than one frame's worth.
          if (len === 0) {
            fail(`empty TCP answer from ${label}`);
            return;
          }
          if (received < 2 + len) return; // wait for the rest; at most 2 + 65535 bytes are kept
          handle(buf.subarray(2, 2 + len), true);
        });
        sock.on("error", (err: NodeJS.ErrnoException) => fail(`TCP ${label}: ${err.code ?? err.message}`));
        sock.on("close", () => fail(`TCP connection to ${label} closed before a complete answer`));
      };

      udp = state.pool.send(
        (freeId) => {
          id = freeId;
          message = this.encode(freeId, name, type);
          return message;
        },
        {
          onMessage: (msg) => {
            if (!done && !tcpSocket) handle(msg, false);
          },
          onError: (detail) => fail(detail),
        },
      );
    });
  }
}
