/**
 * The lab's DNS server: answers from a declarative in-memory zone, over UDP and TCP on the same port, for
 * tests, the demo and benchmarks. It plays a recursive resolver that knows only the zone (RA set, AA clear,
 * CNAMEs chased inside the zone, AD set per name as a validating resolver would), plus fault switches:
 * fixed rcodes, dropped queries, forced truncation.
 *
 * Follows RFC 1035 (messages; TCP with a 2-byte length prefix, several queries per connection), RFC 6891
 * (the OPT record is echoed; UDP answers larger than the client's payload size are truncated, TC set),
 * RFC 3225 (the DO bit is copied into the answer) and RFC 7766 (TCP fallback after truncation).
 */

import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet } from "dns-packet";

export interface LabDnsName {
  A?: string[];
  AAAA?: string[];
  /** exchange "" or "." = null MX (RFC 7505). */
  MX?: { preference: number; exchange: string }[];
  /** One entry per record; a string[] is one record of several character-strings. */
  TXT?: (string | string[])[];
  TLSA?: { usage: number; selector: number; matchingType: number; certificate: string /* hex */ }[];
  CNAME?: string;
  /** Set the AD flag on answers for this name (as a validating resolver would). */
  ad?: boolean;
  /** Answer every query for this name with this rcode. */
  rcode?: "SERVFAIL" | "REFUSED";
  /** Never answer queries for this name (a dead path). */
  drop?: boolean;
  /** Over UDP answer with TC=1 and no records, forcing TCP. */
  truncate?: boolean;
}

/** Keys: names, case-insensitive, no trailing dot. */
export type LabZone = Record<string, LabDnsName>;

export interface LabDns {
  host: string;
  port: number;
  /** `host:port` (`[host]:port` for IPv6), as the DNS client reports its resolver. */
  address: string;
  /** Queries received (UDP and TCP), including dropped ones. */
  readonly queries: number;
  setZone(zone: LabZone): void;
  close(): Promise<void>;
}

const TTL = 300;
const MAX_CHASE = 10;
const SERVER_PAYLOAD_SIZE = 1232;
const TCP_IDLE_MS = 10_000;
const RCODE_VALUE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5, FORMERR: 1 } as const;

function normalize(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** Split a string into character-strings of at most 255 bytes (latin1: one char, one byte). */
function characterStrings(s: string): Buffer[] {
  const bytes = Buffer.from(s, "latin1");
  if (bytes.length === 0) return [bytes];
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255));
  return out;
}

function recordsOf(owner: string, entry: LabDnsName, type: string): Answer[] {
  const base = { name: owner, ttl: TTL, class: "IN" as const };
  switch (type) {
    case "A":
      return (entry.A ?? []).map((data) => ({ ...base, type: "A", data }));
    case "AAAA":
      return (entry.AAAA ?? []).map((data) => ({ ...base, type: "AAAA", data }));
    case "MX":
      return (entry.MX ?? []).map((mx) => ({
        ...base,
        type: "MX",
        data: { preference: mx.preference, exchange: mx.exchange === "" ? "." : mx.exchange },
      }));
    case "TXT":
      return (entry.TXT ?? []).map((t) => ({
        ...base,
        type: "TXT",
        data: (Array.isArray(t) ? t : [t]).flatMap(characterStrings),
      }));
    case "TLSA":
      return (entry.TLSA ?? []).map((t) => ({
        ...base,
        type: "TLSA",
        data: {
          usage: t.usage,
          selector: t.selector,
          matchingType: t.matchingType,
          certificate: Buffer.from(t.certificate, "hex"),
        },
      }));
    case "CNAME":
      return entry.CNAME !== undefined ? [{ ...base, type: "CNAME", data: normalize(entry.CNAME) }] : [];
    default:
      return [];
  }
}

export async function startLabDns(opts: {
  zone: LabZone;
  host?: string;
  port?: number;
  /** Called with every well-formed question (benchmarks replay them with a bare client). */
  onQuestion?: (name: string, type: string) => void;
}): Promise<LabDns> {
  const host = opts.host ?? "127.0.0.1";
  const family = net.isIP(host) === 6 ? "udp6" : "udp4";
  let zone = new Map<string, LabDnsName>();
  const setZone = (z: LabZone): void => {
    zone = new Map(Object.entries(z).map(([k, v]) => [normalize(k), v]));
  };
  setZone(opts.zone);
  let queries = 0;

  /** The response to a raw query, or null to stay silent. */
  const respond = (msg: Buffer, viaUdp: boolean): Buffer | null => {
    try {
      return answer(msg, viaUdp);
    } catch {
      return null; // whatever a hostile query does, the server stays up
    }
  };
  const answer = (msg: Buffer, viaUdp: boolean): Buffer | null => {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return null; // malformed: ignore
    }
    if (query.flag_qr) return null;
    queries++;
    const opt = (query.additionals ?? []).find((a): a is OptAnswer => a.type === "OPT");
    const q = query.questions?.[0];
    const baseFlags = dnsPacket.RECURSION_AVAILABLE | (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0);
    const response: Packet = {
      type: "response",
      id: query.id ?? 0,
      questions: query.questions ?? [],
      answers: [],
      additionals: opt
        ? [
            {
              type: "OPT",
              name: ".",
              udpPayloadSize: SERVER_PAYLOAD_SIZE,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: opt.flags & dnsPacket.DNSSEC_OK,
              flag_do: opt.flag_do,
              options: [],
            },
          ]
        : [],
    };
    const encode = (rcode: number, extraFlags = 0): Buffer => {
      response.flags = (baseFlags | extraFlags | rcode) & 0x7fff;
      return dnsPacket.encode(response);
    };
    if (query.questions?.length !== 1 || !q) return encode(RCODE_VALUE.FORMERR);
    opts.onQuestion?.(q.name, q.type);

    const qname = normalize(q.name);
    const entry = zone.get(qname);
    if (!entry) return encode(RCODE_VALUE.NXDOMAIN);
    if (entry.drop) return null;
    if (entry.rcode) return encode(RCODE_VALUE[entry.rcode]);
    if (entry.truncate && viaUdp) return encode(RCODE_VALUE.NOERROR, dnsPacket.TRUNCATED_RESPONSE);

    // Answer, chasing CNAMEs inside the zone; stop at names that fail, drop or truncate (the client asks them).
    const answers: Answer[] = [];
    let ad = entry.ad === true;
    let owner = qname;
    let cur = entry;
    const visited = new Set([qname]);
    for (let step = 0; ; step++) {
      if (cur.CNAME !== undefined && q.type !== "CNAME") {
        answers.push(...recordsOf(owner, cur, "CNAME"));
        const target = normalize(cur.CNAME);
        const next = zone.get(target);
        if (!next || next.drop || next.rcode || next.truncate || visited.has(target) || step >= MAX_CHASE)
          break;
        visited.add(target);
        ad &&= next.ad === true;
        owner = target;
        cur = next;
        continue;
      }
      answers.push(...recordsOf(owner, cur, q.type));
      break;
    }
    response.answers = answers;
    const full = encode(RCODE_VALUE.NOERROR, ad ? dnsPacket.AUTHENTIC_DATA : 0);
    const limit = opt ? Math.max(512, opt.udpPayloadSize) : 512;
    if (viaUdp && full.length > limit) {
      response.answers = [];
      return encode(RCODE_VALUE.NOERROR, dnsPacket.TRUNCATED_RESPONSE | (ad ? dnsPacket.AUTHENTIC_DATA : 0));
    }
    return full;
  };

  const bindUdp = (port: number): Promise<dgram.Socket> =>
    new Promise((resolve, reject) => {
      const s = dgram.createSocket(family);
      s.once("error", reject);
      s.bind(port, host, () => {
        s.off("error", reject);
        resolve(s);
      });
    });
  const listenTcp = (server: net.Server, port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port, host, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });

  const connections = new Set<net.Socket>();
  const tcp = net.createServer((sock) => {
    connections.add(sock);
    sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break; // bounded: a frame is at most 2 + 65535 bytes
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const out = respond(msg, false);
        if (out && !sock.destroyed) {
          const frame = Buffer.alloc(2 + out.length);
          frame.writeUInt16BE(out.length, 0);
          out.copy(frame, 2);
          sock.write(frame);
        }
      }
    });
    sock.on("error", () => sock.destroy());
    sock.on("close", () => connections.delete(sock));
  });

  let udp: dgram.Socket | null = null;
  const wanted = opts.port ?? 0;
  for (let tries = 0; ; tries++) {
    const u = await bindUdp(wanted);
    try {
      await listenTcp(tcp, u.address().port);
      udp = u;
      break;
    } catch (err) {
      u.close();
      if (wanted !== 0 || tries >= 9) throw err;
    }
  }
  const udpSocket = udp;
  udpSocket.on("message", (msg, rinfo) => {
    const out = respond(msg, true);
    if (out) udpSocket.send(out, rinfo.port, rinfo.address);
  });
  udpSocket.on("error", () => {
    // a send to a vanished client: nothing to do
  });

  const port = udpSocket.address().port;
  let closed: Promise<void> | null = null;
  return {
    host,
    port,
    address: host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`,
    get queries() {
      return queries;
    },
    setZone,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const c of connections) c.destroy();
        let pending = 2;
        const one = (): void => {
          if (--pending === 0) resolve();
        };
        udpSocket.close(one);
        tcp.close(() => one());
      });
      return closed;
    },
  };
}
