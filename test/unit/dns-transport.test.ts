/**
 * The DNS client's transport (shared/dns/udp-pool.ts, shared/dns/limiter.ts) against the lab DNS server and
 * hand-made fake resolvers on loopback: many queries in flight on a few long-lived sockets, each matched by id
 * and question (RFC 5452); answers meant for another query ignored; truncation still going to TCP; a timeout
 * not disturbing the other queries of its socket; sockets replaced (new source ports) and never keeping the
 * process alive; the in-flight limit halving under a SERVFAIL burst and growing back.
 */

import dgram from "node:dgram";
import dnsPacket, { type DecodedPacket } from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DnsClient, type DnsClientOptions, parseResolver } from "../../shared/dns/client.js";
import { AimdLimiter } from "../../shared/dns/limiter.js";
import { encodeQuery } from "../../shared/dns/wire.js";
import { type LabDns, type LabZone, startLabDns } from "../lab/dns-server.js";

const ZONE: LabZone = {
  "servfail.test": { rcode: "SERVFAIL" },
  "refused.test": { rcode: "REFUSED" },
  "dropped.test": { drop: true },
  "truncated.test": { A: ["192.0.2.20"], truncate: true },
};
for (let i = 0; i < 2000; i++) ZONE[`n${i}.many.test`] = { A: [`10.${(i >> 8) & 255}.${i & 255}.1`] };
const ipOf = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.1`;

let lab: LabDns;
const clients: DnsClient[] = [];
const sockets: dgram.Socket[] = [];

function client(opts: Partial<DnsClientOptions> = {}): DnsClient {
  const c = new DnsClient({ resolvers: [parseResolver(lab.address)], timeoutMs: 2000, retries: 0, ...opts });
  clients.push(c);
  return c;
}

/** A UDP resolver written by the test: it sees every query (and its source port) before replying. */
async function fakeResolver(
  onQuery: (q: DecodedPacket, reply: (msg: Buffer) => void, rinfo: dgram.RemoteInfo) => void,
): Promise<string> {
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20 }); // room for a burst of queries
  sockets.push(s);
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  s.on("message", (msg, rinfo) => {
    onQuery(dnsPacket.decode(msg), (out) => s.send(out, rinfo.port, rinfo.address), rinfo);
  });
  return `127.0.0.1:${s.address().port}`;
}

function aResponse(q: DecodedPacket, id: number, ip: string, name = q.questions![0]!.name): Buffer {
  return dnsPacket.encode({
    type: "response",
    id,
    flags: dnsPacket.RECURSION_AVAILABLE | dnsPacket.RECURSION_DESIRED,
    questions: [{ ...q.questions![0]!, name }],
    answers: [{ type: "A", name, ttl: 60, data: ip }],
  });
}

const ips = (a: { records: { data: unknown }[] }) => a.records.map((r) => r.data);

beforeAll(async () => {
  lab = await startLabDns({ zone: ZONE });
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of sockets) s.close();
  await lab.close();
});

describe("dns transport - shared sockets", () => {
  it("dns transport - 2,000 queries, 200 in flight on two reused sockets, each get their own answer", async () => {
    // 200 in flight (the rest wait for a slot): the lab server shares this process, and a burst of 2,000
    // datagrams sent before it reads any would overflow its socket's receive queue.
    const c = client({ socketsPerResolver: 2, maxInFlight: 200 });
    const answers = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => c.query(`n${i}.many.test`, "A")),
    );
    answers.forEach((a, i) => {
      expect(a.rcode, `n${i}`).toBe("NOERROR");
      expect(ips(a), `n${i}`).toEqual([ipOf(i)]);
    });
    expect(c.resolverStats()).toEqual([
      { resolver: lab.address, asked: 2000, unanswered: 0, limit: 200, lowest_limit: 200 },
    ]);
  });

  it("dns transport - answers out of order, and answers carrying another query's id, are matched by id and question", async () => {
    const held: { q: DecodedPacket; reply: (m: Buffer) => void }[] = [];
    const fake = await fakeResolver((q, reply) => {
      held.push({ q, reply });
      if (held.length < 20) return;
      // Every query is in flight now. First, each answer under the id of the next query (right id, wrong
      // question: a spoof or a confused resolver), then the true answers in reverse order.
      held.forEach(({ q: qq }, k) => {
        const other = held[(k + 1) % held.length]!;
        other.reply(aResponse(qq, other.q.id!, "198.51.100.66"));
      });
      for (const { q: qq, reply: r } of [...held].reverse()) {
        const i = Number(/^n(\d+)\./.exec(qq.questions![0]!.name)![1]);
        r(aResponse(qq, qq.id!, ipOf(i)));
      }
    });
    const c = client({ resolvers: [parseResolver(fake)], socketsPerResolver: 1 });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => c.query(`n${i}.many.test`, "A")));
    expect(answers.map(ips)).toEqual(answers.map((_, i) => [ipOf(i)]));
  });

  it("dns transport - ids in flight on one socket are distinct", async () => {
    const outstanding = new Set<number>();
    let clashes = 0;
    let peak = 0;
    const fake = await fakeResolver((q, reply) => {
      if (outstanding.has(q.id!)) clashes++;
      outstanding.add(q.id!);
      peak = Math.max(peak, outstanding.size);
      setTimeout(() => {
        outstanding.delete(q.id!);
        reply(aResponse(q, q.id!, "192.0.2.1"));
      }, 20);
    });
    const c = client({
      resolvers: [parseResolver(fake)],
      socketsPerResolver: 1,
      maxQueriesPerSocket: 10_000,
      maxInFlight: 500,
    });
    const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => c.query(`n${i}.many.test`, "A")));
    expect(answers.every((a) => a.rcode === "NOERROR")).toBe(true);
    expect(peak).toBeGreaterThan(400); // nearly all in flight at once on one socket
    expect(clashes).toBe(0);
  });

  it("dns transport - sockets are replaced after their query budget, so source ports vary", async () => {
    const ports = new Set<number>();
    const fake = await fakeResolver((q, reply, rinfo) => {
      ports.add(rinfo.port);
      reply(aResponse(q, q.id!, "192.0.2.1"));
    });
    const c = client({ resolvers: [parseResolver(fake)], socketsPerResolver: 2, maxQueriesPerSocket: 50 });
    for (let round = 0; round < 10; round++)
      await Promise.all(Array.from({ length: 50 }, (_, i) => c.query(`n${round * 50 + i}.many.test`, "A")));
    // 500 queries, at most 50 per socket: at least 10 sockets, far fewer than one per query.
    expect(ports.size).toBeGreaterThanOrEqual(10);
    expect(ports.size).toBeLessThan(100);
  });

  it("dns transport - a query that times out does not disturb the others on its socket; a late answer is dropped", async () => {
    const c = client({ socketsPerResolver: 1, timeoutMs: 300 });
    const [dropped, ...rest] = await Promise.all([
      c.query("dropped.test", "A"),
      ...Array.from({ length: 50 }, (_, i) => c.query(`n${i}.many.test`, "A")),
    ]);
    expect(dropped).toMatchObject({ rcode: "TIMEOUT", attempts: 1 });
    expect(rest.map(ips)).toEqual(rest.map((_, i) => [ipOf(i)]));
    expect(c.resolverStats()[0]).toMatchObject({ asked: 51, unanswered: 1 });
  });

  it("dns transport - truncated answers go to TCP while other queries share the UDP sockets", async () => {
    const c = client({ socketsPerResolver: 1 });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? c.query("truncated.test", "A") : c.query(`n${i}.many.test`, "A"),
      ),
    );
    answers.forEach((a, i) => {
      if (i % 2 === 0)
        expect(a).toMatchObject({ rcode: "NOERROR", tcp: true, records: [{ data: "192.0.2.20" }] });
      else expect(a).toMatchObject({ rcode: "NOERROR", tcp: false, records: [{ data: ipOf(i) }] });
    });
  });

  it("dns transport - idle sockets do not keep the process alive, and close() closes them", async () => {
    const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r === "UDPWrap").length;
    const before = udpHandles();
    const c = client({ socketsPerResolver: 3 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => c.query(`n${i}.many.test`, "A")));
    expect(udpHandles()).toBe(before); // unref'd: not counted as keeping the loop alive
    c.close();
    const after = await c.query("n1.many.test", "A");
    expect(after).toMatchObject({ rcode: "TIMEOUT", detail: "client closed", attempts: 0 });
  });
});

describe("dns transport - adaptive in-flight limit", () => {
  it("dns limiter - a SERVFAIL burst halves the limit; answers grow it back to the maximum", async () => {
    const c = client({ maxInFlight: 64 });
    const failed = await Promise.all(Array.from({ length: 200 }, () => c.query("servfail.test", "A")));
    expect(failed.every((a) => a.rcode === "SERVFAIL")).toBe(true);
    const low = c.resolverStats()[0]!;
    expect(low.limit).toBeLessThanOrEqual(16);
    expect(low.limit).toBeGreaterThanOrEqual(4); // the floor: max / 16
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let i = next++; i < 3000; i = next++) await c.query(`n${i % 2000}.many.test`, "A");
      }),
    );
    const back = c.resolverStats()[0]!;
    expect(back.limit).toBe(64);
    expect(back.lowest_limit).toBe(low.limit);
  });

  it("dns limiter - REFUSED and timeouts count as failures; scattered SERVFAILs leave the limit alone", async () => {
    const c = client({ maxInFlight: 64, timeoutMs: 200 });
    await Promise.all(Array.from({ length: 30 }, () => c.query("refused.test", "A")));
    expect(c.resolverStats()[0]!.limit).toBeLessThan(64);

    const d = client({ maxInFlight: 64, timeoutMs: 200 });
    await Promise.all(Array.from({ length: 30 }, () => d.query("dropped.test", "A")));
    expect(d.resolverStats()[0]!.limit).toBeLessThan(64);

    const e = client({ maxInFlight: 64 });
    for (let i = 0; i < 300; i++) await e.query(i % 5 === 0 ? "servfail.test" : `n${i}.many.test`, "A");
    expect(e.resolverStats()[0]).toMatchObject({ limit: 64, lowest_limit: 64 });
  });

  it("dns limiter - the limit is enforced: no more queries reach the resolver than it allows", async () => {
    let outstanding = 0;
    let peak = 0;
    const fake = await fakeResolver((q, reply) => {
      outstanding++;
      peak = Math.max(peak, outstanding);
      setTimeout(() => {
        outstanding--;
        reply(aResponse(q, q.id!, "192.0.2.1"));
      }, 10);
    });
    const c = client({ resolvers: [parseResolver(fake)], maxInFlight: 8 });
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => c.query(`n${i}.many.test`, "A")));
    expect(answers.every((a) => a.rcode === "NOERROR")).toBe(true);
    expect(peak).toBeLessThanOrEqual(8);
    expect(peak).toBeGreaterThanOrEqual(4);
  });

  it("dns limiter - a query waiting for a slot longer than its timeout moves to the next resolver", async () => {
    const silent = await fakeResolver(() => {}); // reads and never answers
    const c = client({
      resolvers: [parseResolver(silent), parseResolver(lab.address)],
      maxInFlight: 1,
      timeoutMs: 200,
      retries: 1,
    });
    const t0 = performance.now();
    const first = c.query("n0.many.test", "A"); // takes the silent resolver's only slot for 200 ms
    await new Promise((r) => setTimeout(r, 50));
    // n1 gets the slot when n0's attempt times out (then times out there itself); n2..n4 give up waiting
    // after 200 ms and go to the next resolver, never reaching the silent one.
    const answers = await Promise.all([
      first,
      ...Array.from({ length: 4 }, (_, i) => c.query(`n${i + 1}.many.test`, "A")),
    ]);
    for (const [i, a] of answers.entries())
      expect(a).toMatchObject({
        rcode: "NOERROR",
        resolver: lab.address,
        records: [{ data: ipOf(i) }],
        attempts: 2,
      });
    expect(performance.now() - t0).toBeLessThan(2 * 200 + 50 + 300);
    expect(c.resolverStats().find((s) => s.resolver === silent)).toMatchObject({ asked: 2, unanswered: 2 });
  });

  it("dns limiter - unit: halving once per window of flight, floor, additive growth", () => {
    const l = new AimdLimiter(64);
    expect(l.min).toBe(4);
    const tickets = Array.from({ length: 64 }, () => l.tryAcquire()!);
    expect(l.tryAcquire()).toBeNull();
    // All 64 fail: they were sent before the first halving, so only one halving happens.
    for (const t of tickets) l.release(t, "failure");
    expect(l.limit).toBe(32);
    // A new window fails: one more halving.
    const second = Array.from({ length: 32 }, () => l.tryAcquire()!);
    for (const t of second) l.release(t, "failure");
    expect(l.limit).toBe(16);
    for (let k = 0; k < 10; k++) {
      const batch = Array.from({ length: l.limit }, () => l.tryAcquire()!);
      for (const t of batch) l.release(t, "failure");
    }
    expect(l.limit).toBe(4);
    expect(l.lowestLimit).toBe(4);
    // Successes: +1/limit each, so about `limit` answers per extra slot.
    for (let k = 0; k < 4000; k++) l.release(l.tryAcquire()!, "answer");
    expect(l.limit).toBe(64);
    // "none" (never sent, or the client closed) moves nothing.
    const t = l.tryAcquire()!;
    l.release(t, "none");
    expect(l.limit).toBe(64);
  });
});

describe("dns wire - the query message", () => {
  const cases: { name: string; qname: string; type: "A" | "AAAA" | "MX" | "TXT" | "TLSA" | "CNAME" }[] = [
    { name: "an MX question", qname: "example.test", type: "MX" },
    { name: "a TLSA owner with underscores", qname: "_25._tcp.mx1.example.test", type: "TLSA" },
    { name: "AAAA of a one-label name", qname: "localhost", type: "AAAA" },
    { name: "a 63-byte label", qname: `${"a".repeat(63)}.test`, type: "A" },
    { name: "a UTF-8 label (an IDN not converted)", qname: "bücher.test", type: "TXT" },
    { name: "the root", qname: "", type: "CNAME" },
  ];
  it.each(cases)("dns wire - $name: the bytes dns-packet writes", ({ qname, type }) => {
    const ours = encodeQuery(0xbeef, qname, type, 1232);
    const theirs = dnsPacket.encode({
      type: "query",
      id: 0xbeef,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type, name: qname === "" ? "." : qname, class: "IN" }],
      additionals: [
        {
          type: "OPT",
          name: ".",
          udpPayloadSize: 1232,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: dnsPacket.DNSSEC_OK,
          flag_do: true,
          options: [],
        },
      ],
    });
    expect(ours.toString("hex")).toBe(theirs.toString("hex"));
  });
});
