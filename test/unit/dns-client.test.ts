/**
 * Unit tests of the DNS client (shared/dns/client.ts) against the lab DNS server (test/lab/dns-server.ts)
 * and a few hand-made fake resolvers, all on loopback: typed records, CNAME chains, rcodes, the AD flag,
 * truncation and TCP (RFC 7766), EDNS0/DO (RFC 6891, RFC 3225), retries across resolvers, timeouts, and
 * answers that must be ignored (wrong id, wrong source, wrong question — RFC 1035 §7.3).
 */

import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type DecodedPacket } from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DnsClient,
  type DnsClientOptions,
  parseResolver,
  ResolverSpecError,
  readSystemResolvers,
} from "../../shared/dns/client.js";
import type { DnsRecord } from "../../shared/dns/types.js";
import { type LabDns, type LabZone, startLabDns } from "../lab/dns-server.js";

const CERT = "3f".repeat(32);
const chainZone: LabZone = {};
for (let i = 0; i < 9; i++) chainZone[`c${i}.chain.test`] = { CNAME: `c${i + 1}.chain.test` };
chainZone["c9.chain.test"] = { A: ["192.0.2.99"] };

const ZONE: LabZone = {
  "example.test": {
    A: ["192.0.2.1", "192.0.2.2"],
    AAAA: ["2001:db8::1"],
    MX: [
      { preference: 20, exchange: "mx1.example.test." },
      { preference: 10, exchange: "MX2.Example.TEST" },
    ],
    TXT: ["v=spf1 -all", ["part one, ", "part two"]],
    ad: true,
  },
  "unsigned.test": { A: ["192.0.2.3"] },
  "nullmx.test": { MX: [{ preference: 0, exchange: "" }] },
  "nullmx-dot.test": { MX: [{ preference: 0, exchange: "." }] },
  "_25._tcp.mx1.example.test": {
    TLSA: [
      { usage: 3, selector: 1, matchingType: 1, certificate: CERT },
      { usage: 2, selector: 0, matchingType: 2, certificate: "00ff" },
    ],
    ad: true,
  },
  "alias.test": { CNAME: "Alias2.test.", ad: true },
  "alias2.test": { CNAME: "target.test", ad: true },
  "target.test": { A: ["192.0.2.10"], ad: true },
  "alias-half-signed.test": { CNAME: "target-unsigned.test", ad: true },
  "target-unsigned.test": { A: ["192.0.2.11"] },
  "loop-a.test": { CNAME: "loop-b.test" },
  "loop-b.test": { CNAME: "loop-a.test" },
  ...chainZone,
  "to-outside.test": { CNAME: "nowhere.test" },
  "to-truncated.test": { CNAME: "truncated.test", ad: true },
  "truncated.test": { A: ["192.0.2.20"], truncate: true, ad: true },
  "huge-txt.test": { TXT: Array.from({ length: 10 }, (_, i) => `${i}`.repeat(200)) },
  "long-txt.test": { TXT: ["x".repeat(300)] },
  "latin1-txt.test": { TXT: ["caf\u00e9"] },
  "servfail.test": { rcode: "SERVFAIL" },
  "refused.test": { rcode: "REFUSED" },
  "dropped.test": { drop: true },
};

let lab: LabDns;
const clients: DnsClient[] = [];
const sockets: dgram.Socket[] = [];

function client(opts: Partial<DnsClientOptions> = {}): DnsClient {
  const c = new DnsClient({ resolvers: [parseResolver(lab.address)], timeoutMs: 1000, retries: 0, ...opts });
  clients.push(c);
  return c;
}

/** A UDP "resolver" on 127.0.0.1 whose behaviour the test writes; it answers from its own socket. */
async function fakeResolver(
  onQuery: (q: DecodedPacket, reply: (msg: Buffer) => void, rinfo: dgram.RemoteInfo) => void,
): Promise<string> {
  const s = dgram.createSocket("udp4");
  sockets.push(s);
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  s.on("message", (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    onQuery(q, (out) => s.send(out, rinfo.port, rinfo.address), rinfo);
  });
  return `127.0.0.1:${s.address().port}`;
}

function aResponse(q: DecodedPacket, id: number, ip: string, name = q.questions![0]!.name): Buffer {
  return dnsPacket.encode({
    type: "response",
    id,
    flags: dnsPacket.RECURSION_AVAILABLE | dnsPacket.RECURSION_DESIRED,
    questions: [{ ...q.questions![0]!, name }],
    answers: [{ type: "A", name: q.questions![0]!.name, ttl: 60, data: ip }],
  });
}

const dataOf = (records: DnsRecord[]): unknown[] => records.map((r) => r.data);

beforeAll(async () => {
  lab = await startLabDns({ zone: ZONE });
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of sockets) s.close();
  await lab.close();
});

describe("dns client - records", () => {
  it("dns - A records, name normalized, AD from the resolver", async () => {
    const a = await client().query("Example.TEST.", "A");
    expect(a).toMatchObject({
      name: "example.test",
      type: "A",
      rcode: "NOERROR",
      ad: true,
      cnameChain: [],
      cnameLoop: false,
      resolver: lab.address,
      tcp: false,
      attempts: 1,
      detail: null,
    });
    expect(a.records).toEqual([
      { name: "example.test", ttl: 300, type: "A", data: "192.0.2.1" },
      { name: "example.test", ttl: 300, type: "A", data: "192.0.2.2" },
    ]);
    expect(a.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it("dns - AAAA records", async () => {
    const a = await client().query("example.test", "AAAA");
    expect(a.rcode).toBe("NOERROR");
    expect(dataOf(a.records)).toEqual(["2001:db8::1"]);
  });

  it("dns - MX in preference order as given, exchange lower-cased without trailing dot", async () => {
    const a = await client().query("example.test", "MX");
    expect(dataOf(a.records)).toEqual([
      { preference: 20, exchange: "mx1.example.test" },
      { preference: 10, exchange: "mx2.example.test" },
    ]);
  });

  it("dns - null MX target comes out as an empty exchange", async () => {
    for (const name of ["nullmx.test", "nullmx-dot.test"]) {
      const a = await client().query(name, "MX");
      expect(a.rcode).toBe("NOERROR");
      expect(dataOf(a.records)).toEqual([{ preference: 0, exchange: "" }]);
    }
  });

  it("dns - TXT keeps each record's character-strings in order", async () => {
    const a = await client().query("example.test", "TXT");
    expect(dataOf(a.records)).toEqual([["v=spf1 -all"], ["part one, ", "part two"]]);
  });

  it("dns - TXT longer than 255 bytes arrives as several character-strings", async () => {
    const a = await client().query("long-txt.test", "TXT");
    expect(dataOf(a.records)).toEqual([["x".repeat(255), "x".repeat(45)]]);
  });

  it("dns - TXT bytes decode as latin1, one char per byte", async () => {
    const a = await client().query("latin1-txt.test", "TXT");
    expect(dataOf(a.records)).toEqual([["caf\u00e9"]]);
  });

  it("dns - TLSA fields and hex certificate data", async () => {
    const a = await client().query("_25._tcp.MX1.example.test", "TLSA");
    expect(a.ad).toBe(true);
    expect(dataOf(a.records)).toEqual([
      { usage: 3, selector: 1, matchingType: 1, certificate: CERT },
      { usage: 2, selector: 0, matchingType: 2, certificate: "00ff" },
    ]);
  });

  it("dns - AD flag false for a name the resolver did not validate", async () => {
    const a = await client().query("unsigned.test", "A");
    expect(a.rcode).toBe("NOERROR");
    expect(a.ad).toBe(false);
  });
});

describe("dns client - CNAME", () => {
  it("dns - CNAME chain followed to the A record", async () => {
    const a = await client().query("alias.test", "A");
    expect(a.rcode).toBe("NOERROR");
    expect(a.cnameChain).toEqual(["alias2.test", "target.test"]);
    expect(a.records).toEqual([{ name: "target.test", ttl: 300, type: "A", data: "192.0.2.10" }]);
    expect(a.ad).toBe(true);
    expect(a.cnameLoop).toBe(false);
  });

  it("dns - AD false when one name of the chain is not validated", async () => {
    const a = await client().query("alias-half-signed.test", "A");
    expect(dataOf(a.records)).toEqual(["192.0.2.11"]);
    expect(a.ad).toBe(false);
  });

  it("dns - asking for CNAME returns the alias record itself, not followed", async () => {
    const a = await client().query("alias.test", "CNAME");
    expect(a.records).toEqual([{ name: "alias.test", ttl: 300, type: "CNAME", data: "alias2.test" }]);
    expect(a.cnameChain).toEqual([]);
  });

  it("dns - CNAME loop is flagged with no records", async () => {
    const a = await client().query("loop-a.test", "A");
    expect(a.cnameLoop).toBe(true);
    expect(a.records).toEqual([]);
    expect(a.cnameChain).toEqual(["loop-b.test"]);
  });

  it("dns - CNAME chain longer than the cap is flagged, within the cap is followed", async () => {
    const long = await client({ maxCnameChain: 8 }).query("c0.chain.test", "A");
    expect(long.cnameLoop).toBe(true);
    expect(long.records).toEqual([]);
    const ok = await client({ maxCnameChain: 9 }).query("c0.chain.test", "A");
    expect(ok.cnameLoop).toBe(false);
    expect(ok.cnameChain).toHaveLength(9);
    expect(dataOf(ok.records)).toEqual(["192.0.2.99"]);
  });

  it("dns - CNAME target the resolver did not chase is queried again (NXDOMAIN applies to the target)", async () => {
    const a = await client().query("to-outside.test", "A");
    expect(a.rcode).toBe("NXDOMAIN");
    expect(a.cnameChain).toEqual(["nowhere.test"]);
    expect(a.attempts).toBe(2);
  });

  it("dns - re-queried CNAME target over TCP keeps tcp and AD", async () => {
    const a = await client().query("to-truncated.test", "A");
    expect(a.rcode).toBe("NOERROR");
    expect(a.cnameChain).toEqual(["truncated.test"]);
    expect(dataOf(a.records)).toEqual(["192.0.2.20"]);
    expect(a.tcp).toBe(true);
    expect(a.ad).toBe(true);
  });
});

describe("dns client - rcodes and transport", () => {
  it("dns - NXDOMAIN for a name not in the zone", async () => {
    const a = await client().query("missing.test", "A");
    expect(a).toMatchObject({ rcode: "NXDOMAIN", records: [], resolver: lab.address, attempts: 1 });
  });

  it("dns - NODATA is NOERROR with no records", async () => {
    const a = await client().query("unsigned.test", "MX");
    expect(a).toMatchObject({ rcode: "NOERROR", records: [], cnameLoop: false });
  });

  it("dns - SERVFAIL on every attempt is reported as SERVFAIL", async () => {
    const a = await client({ retries: 2 }).query("servfail.test", "A");
    expect(a).toMatchObject({ rcode: "SERVFAIL", records: [], resolver: lab.address, attempts: 3 });
  });

  it("dns - REFUSED on every attempt is reported as REFUSED", async () => {
    const a = await client({ retries: 1 }).query("refused.test", "A");
    expect(a).toMatchObject({ rcode: "REFUSED", attempts: 2 });
  });

  it("dns - SERVFAIL from one resolver, answer from the next", async () => {
    const broken = await startLabDns({ zone: { "example.test": { rcode: "SERVFAIL" } }, host: "127.0.0.2" });
    try {
      const a = await client({
        resolvers: [parseResolver(broken.address), parseResolver(lab.address)],
        retries: 1,
      }).query("example.test", "A");
      expect(a).toMatchObject({ rcode: "NOERROR", resolver: lab.address, attempts: 2 });
      expect(broken.queries).toBe(1);
    } finally {
      await broken.close();
    }
  });

  it("dns - truncated UDP answer is repeated over TCP", async () => {
    const a = await client().query("truncated.test", "A");
    expect(a).toMatchObject({ rcode: "NOERROR", tcp: true, ad: true, attempts: 1 });
    expect(dataOf(a.records)).toEqual(["192.0.2.20"]);
  });

  it("dns - answer larger than the EDNS payload size comes over TCP", async () => {
    const a = await client().query("huge-txt.test", "TXT");
    expect(a.tcp).toBe(true);
    expect(a.records).toHaveLength(10);
  });

  it("dns - timeout: no answer on any attempt", async () => {
    const before = lab.queries;
    const a = await client({ timeoutMs: 200, retries: 1 }).query("dropped.test", "A");
    expect(a).toMatchObject({ rcode: "TIMEOUT", resolver: null, attempts: 2, records: [], ad: false });
    expect(a.detail).toMatch(/no answer/);
    expect(a.elapsedMs).toBeGreaterThanOrEqual(390);
    expect(a.elapsedMs).toBeLessThan(1000);
    expect(lab.queries - before).toBe(2);
  });

  it("dns - retry moves to the next resolver", async () => {
    const silent = dgram.createSocket("udp4");
    sockets.push(silent);
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    silent.on("message", () => {}); // reads and never answers
    const dead = { host: "127.0.0.1", port: silent.address().port };
    const a = await client({
      resolvers: [dead, parseResolver(lab.address)],
      timeoutMs: 300,
      retries: 1,
    }).query("example.test", "A");
    expect(a).toMatchObject({ rcode: "NOERROR", resolver: lab.address, attempts: 2 });
    expect(a.elapsedMs).toBeGreaterThanOrEqual(290);
    expect(dataOf(a.records)).toEqual(["192.0.2.1", "192.0.2.2"]);
  });

  it("dns - a resolver port with nobody listening fails fast and the next resolver answers", async () => {
    const probe = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => probe.bind(0, "127.0.0.1", resolve));
    const closedPort = probe.address().port;
    await new Promise<void>((resolve) => probe.close(resolve));
    const a = await client({
      resolvers: [{ host: "127.0.0.1", port: closedPort }, parseResolver(lab.address)],
      timeoutMs: 3000,
      retries: 1,
    }).query("example.test", "A");
    expect(a).toMatchObject({ rcode: "NOERROR", resolver: lab.address, attempts: 2 });
    expect(a.elapsedMs).toBeLessThan(2500);
  });

  it("dns - the whole query is bounded by (retries + 1) * timeout", async () => {
    const a = await client({ timeoutMs: 150, retries: 2 }).query("dropped.test", "A");
    expect(a.rcode).toBe("TIMEOUT");
    expect(a.attempts).toBe(3);
    expect(a.elapsedMs).toBeLessThan(150 * 3 + 300);
  });

  it("dns - close() ends an in-flight query promptly and later queries do not go out", async () => {
    const c = client({ timeoutMs: 10_000, retries: 3 });
    const pending = c.query("dropped.test", "A");
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    c.close();
    const a = await pending;
    expect(performance.now() - t0).toBeLessThan(500);
    expect(a).toMatchObject({ rcode: "TIMEOUT", detail: "client closed", attempts: 1 });
    const before = lab.queries;
    const b = await c.query("example.test", "A");
    expect(b).toMatchObject({ rcode: "TIMEOUT", attempts: 0 });
    expect(lab.queries).toBe(before);
  });

  it("dns - an invalid name is not sent", async () => {
    const a = await client().query(`${"a".repeat(64)}.test`, "A");
    expect(a).toMatchObject({ rcode: "OTHER", attempts: 0, resolver: null });
    expect(a.detail).toMatch(/invalid name/);
    const b = await client().query("a..test", "A");
    expect(b.rcode).toBe("OTHER");
  });

  it("dns - the query carries RD, EDNS0 with the DO bit and our payload size", async () => {
    let seen: DecodedPacket | null = null;
    const fake = await fakeResolver((q, reply) => {
      seen = q;
      reply(aResponse(q, q.id!, "192.0.2.1"));
    });
    await client({ resolvers: [parseResolver(fake)], udpPayloadSize: 1400 }).query("example.test", "A");
    const q = seen as DecodedPacket | null;
    expect(q?.flag_rd).toBe(true);
    const opt = q?.additionals?.find((a) => a.type === "OPT");
    expect(opt).toMatchObject({ type: "OPT", udpPayloadSize: 1400, flag_do: true });
  });
});

describe("dns client - answers that must be ignored", () => {
  it("dns - spoofed answers (wrong id, wrong source port, wrong question) are ignored", async () => {
    const intruder = dgram.createSocket("udp4");
    sockets.push(intruder);
    await new Promise<void>((resolve) => intruder.bind(0, "127.0.0.1", resolve));
    const fake = await fakeResolver((q, reply, rinfo) => {
      // Right id from another port: the connected socket never sees it.
      intruder.send(aResponse(q, q.id!, "198.51.100.1"), rinfo.port, rinfo.address);
      reply(aResponse(q, (q.id! + 1) & 0xffff, "198.51.100.2")); // wrong id
      reply(aResponse(q, q.id!, "198.51.100.3", "other.test")); // wrong question
      reply(Buffer.from([0x01])); // runt
      setTimeout(() => reply(aResponse(q, q.id!, "192.0.2.1")), 30);
    });
    const a = await client({ resolvers: [parseResolver(fake)] }).query("example.test", "A");
    expect(a.rcode).toBe("NOERROR");
    expect(dataOf(a.records)).toEqual(["192.0.2.1"]);
  });

  it("dns - an undecodable answer counts as no answer and is reported as OTHER", async () => {
    const fake = await fakeResolver((q, reply) => {
      const junk = Buffer.alloc(14);
      junk.writeUInt16BE(q.id!, 0);
      junk.writeUInt16BE(0x8180, 2);
      junk.writeUInt16BE(1, 4); // one question that is not there
      junk[12] = 0x3f; // a label running past the end
      reply(junk);
    });
    const a = await client({ resolvers: [parseResolver(fake)], retries: 1, timeoutMs: 2000 }).query(
      "example.test",
      "A",
    );
    expect(a).toMatchObject({ rcode: "OTHER", attempts: 2, records: [] });
    expect(a.detail).toMatch(/undecodable/);
    expect(a.elapsedMs).toBeLessThan(1000);
  });

  it("dns - an rcode outside the mapped set is OTHER with the number in detail", async () => {
    const fake = await fakeResolver((q, reply) => {
      reply(
        dnsPacket.encode({
          type: "response",
          id: q.id!,
          flags: dnsPacket.RECURSION_AVAILABLE | 9,
          questions: q.questions!,
        }),
      );
    });
    const a = await client({ resolvers: [parseResolver(fake)] }).query("example.test", "A");
    expect(a).toMatchObject({ rcode: "OTHER", detail: "rcode 9 (NOTAUTH)", resolver: fake });
  });
});

describe("lab dns server", () => {
  it("lab dns - serves several queries on one TCP connection and survives garbage", async () => {
    // Garbage over UDP first: the server must stay up.
    const g = dgram.createSocket("udp4");
    await new Promise<void>((resolve) =>
      g.send(Buffer.from("not dns at all"), lab.port, lab.host, () => resolve()),
    );
    g.close();

    const sock = net.connect(lab.port, lab.host);
    const frames: DecodedPacket[] = [];
    const done = new Promise<void>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      sock.on("data", (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          frames.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (frames.length === 2) resolve();
      });
      sock.on("error", reject);
    });
    sock.write(
      Buffer.concat([
        dnsPacket.streamEncode({ type: "query", id: 1, questions: [{ type: "A", name: "example.test" }] }),
        dnsPacket.streamEncode({ type: "query", id: 2, questions: [{ type: "MX", name: "missing.test" }] }),
      ]),
    );
    await done;
    sock.destroy();
    expect(frames.map((f) => f.id)).toEqual([1, 2]);
    expect(frames[0]!.answers).toHaveLength(2);
    expect(frames[0]!.flag_ra).toBe(true);
    expect(frames[0]!.flag_aa).toBe(false);
    expect(frames[1]!.flags! & 0xf).toBe(3); // NXDOMAIN
    expect((await client().query("example.test", "A")).rcode).toBe("NOERROR");
  });

  it("lab dns - setZone replaces the zone; servers run side by side on 127.x addresses", async () => {
    const other = await startLabDns({ zone: { "x.test": { A: ["192.0.2.7"] } }, host: "127.0.0.3" });
    try {
      const c = client({ resolvers: [parseResolver(other.address)] });
      expect(dataOf((await c.query("x.test", "A")).records)).toEqual(["192.0.2.7"]);
      other.setZone({ "X.Test": { A: ["192.0.2.8"] } });
      expect(dataOf((await c.query("x.test", "A")).records)).toEqual(["192.0.2.8"]);
      expect(other.queries).toBe(2);
      expect(other.address).toBe(`127.0.0.3:${other.port}`);
    } finally {
      await other.close();
    }
  });
});

describe("resolver specs", () => {
  it.each([
    ["127.0.0.1", { host: "127.0.0.1", port: 53 }],
    ["127.0.0.1:5353", { host: "127.0.0.1", port: 5353 }],
    [" 192.0.2.53 ", { host: "192.0.2.53", port: 53 }],
    ["::1", { host: "::1", port: 53 }],
    ["2001:db8::53", { host: "2001:db8::53", port: 53 }],
    ["[::1]:5353", { host: "::1", port: 5353 }],
    ["[2001:db8::1]", { host: "2001:db8::1", port: 53 }],
    ["10.0.0.1:65535", { host: "10.0.0.1", port: 65535 }],
  ])("parseResolver - %s", (spec, want) => {
    expect(parseResolver(spec)).toEqual(want);
  });

  it.each([
    "",
    "localhost",
    "dns.example:53",
    "127.0.0.1:",
    "127.0.0.1:0",
    "127.0.0.1:65536",
    "127.0.0.1:53x",
    "127.0.0.1:-1",
    "1.2.3.4:53:53",
    "256.1.1.1",
    "[127.0.0.1]:53",
    "[::1",
    "[::1]:",
    "[::1]:99999",
    "[::1]x",
  ])("parseResolver rejects %j", (spec) => {
    expect(() => parseResolver(spec)).toThrow(ResolverSpecError);
    try {
      parseResolver(spec);
    } catch (err) {
      expect((err as Error).name).toBe("UsageError");
      expect((err as Error).message).toContain(`"${spec}"`);
    }
  });

  it.each([
    ["", []],
    ["# only a comment\n; another\n", []],
    ["nameserver 192.0.2.53\n", [{ host: "192.0.2.53", port: 53 }]],
    [
      [
        "# resolv.conf",
        "search example.test",
        "nameserver 192.0.2.53",
        "nameserver   2001:db8::53   # trailing comment",
        "nameserver 192.0.2.53",
        "nameserver not-an-ip",
        "nameserver",
        ";nameserver 192.0.2.99",
        "#nameserver 192.0.2.98",
        "options edns0 trust-ad",
        "\tnameserver 10.0.0.1;comment\r",
        "nameservers 10.0.0.2",
      ].join("\n"),
      [
        { host: "192.0.2.53", port: 53 },
        { host: "2001:db8::53", port: 53 },
        { host: "10.0.0.1", port: 53 },
      ],
    ],
  ])("readSystemResolvers %#", (text, want) => {
    expect(readSystemResolvers(text)).toEqual(want);
  });

  it("DnsClient refuses an empty resolver list", () => {
    expect(() => new DnsClient({ resolvers: [], timeoutMs: 1000, retries: 0 })).toThrow(/resolver/);
  });
});
