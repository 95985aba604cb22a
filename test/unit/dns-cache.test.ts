/**
 * The survey's DNS cache (shared/dns/cache.ts): concurrent identical questions share one query; answers of the
 * types asked again (A, AAAA, TLSA, CNAME) are kept, at most maxEntries, least recently used first out; a
 * domain's MX and TXT answers are shared only while in flight, so memory does not grow with the domains.
 */

import { describe, expect, it } from "vitest";
import { CachingDns, type DnsQuerier } from "../../shared/dns/cache.js";
import type { DnsAnswer, DnsRcode, DnsRecordType } from "../../shared/dns/types.js";

/** A querier that answers after a tick and counts what it was asked. */
function counting(rcode: DnsRcode = "NOERROR"): DnsQuerier & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async query(name: string, type: DnsRecordType): Promise<DnsAnswer> {
      asked.push(`${type} ${name}`);
      await new Promise((r) => setTimeout(r, 1));
      return {
        name,
        type,
        rcode,
        ad: false,
        records: [],
        cnameChain: [],
        cnameLoop: false,
        resolver: "127.0.0.1:53",
        tcp: false,
        attempts: 1,
        elapsedMs: 1,
        detail: null,
      };
    },
  };
}

describe("dns cache", () => {
  it("dns cache - concurrent identical questions share one query, whatever the type", async () => {
    const inner = counting();
    const dns = new CachingDns(inner);
    const all = await Promise.all([
      dns.query("Mx.Example.test.", "A"),
      dns.query("mx.example.test", "A"),
      dns.query("example.test", "MX"),
      dns.query("EXAMPLE.test", "MX"),
    ]);
    expect(inner.asked).toEqual(["A Mx.Example.test.", "MX example.test"]);
    expect(all[0]).toBe(all[1]);
    expect(all[2]).toBe(all[3]);
    expect(dns.hits).toBe(2);
    expect(dns.queries).toBe(2);
  });

  it("dns cache - MX hosts' A, AAAA and TLSA answers are kept; a domain's MX and TXT are not", async () => {
    const inner = counting();
    const dns = new CachingDns(inner);
    const ask = () =>
      Promise.all([
        dns.query("mx.example.test", "A"),
        dns.query("mx.example.test", "AAAA"),
        dns.query("_25._tcp.mx.example.test", "TLSA"),
        dns.query("example.test", "MX"),
        dns.query("_mta-sts.example.test", "TXT"),
      ]);
    await ask();
    await ask();
    expect(inner.asked.filter((q) => q.startsWith("MX") || q.startsWith("TXT"))).toHaveLength(4);
    expect(inner.asked.filter((q) => !q.startsWith("MX") && !q.startsWith("TXT"))).toHaveLength(3);
    expect(dns.size).toBe(3);
  });

  it("dns cache - timeouts are not kept", async () => {
    const inner = counting("TIMEOUT");
    const dns = new CachingDns(inner);
    await dns.query("mx.example.test", "A");
    await dns.query("mx.example.test", "A");
    expect(inner.asked).toHaveLength(2);
    expect(dns.size).toBe(0);
  });

  it("dns cache - bounded: a survey's worth of names keeps at most maxEntries, the least recently used go first", async () => {
    const inner = counting();
    const dns = new CachingDns(inner, { maxEntries: 100 });
    await dns.query("provider.test", "A");
    for (let i = 0; i < 1000; i++) {
      await Promise.all([
        dns.query(`d${i}.test`, "MX"),
        dns.query(`mail.d${i}.test`, "A"),
        dns.query("provider.test", "A"), // asked by every domain: stays
      ]);
    }
    expect(dns.size).toBe(100);
    const before = inner.asked.length;
    await dns.query("provider.test", "A");
    await dns.query("mail.d999.test", "A");
    expect(inner.asked.length).toBe(before); // both still kept
    await dns.query("mail.d0.test", "A");
    expect(inner.asked.length).toBe(before + 1); // long evicted
    expect(inner.asked.filter((q) => q === "A provider.test")).toHaveLength(1);
  });

  it("dns cache - keep and maxEntries are settings: keep [] shares only in flight, maxEntries 0 keeps nothing", async () => {
    const none = new CachingDns(counting(), { keep: [] });
    await none.query("mx.example.test", "A");
    expect(none.size).toBe(0);
    const zero = new CachingDns(counting(), { maxEntries: 0 });
    await zero.query("mx.example.test", "A");
    expect(zero.size).toBe(0);
    const all = new CachingDns(counting(), { keep: ["MX"] });
    await all.query("example.test", "MX");
    expect(all.size).toBe(1);
  });

  it("dns cache - an inner querier that throws does not poison the name", async () => {
    let calls = 0;
    const dns = new CachingDns({
      query: async () => {
        calls++;
        throw new Error("boom");
      },
    });
    await expect(dns.query("x.test", "A")).rejects.toThrow("boom");
    await expect(dns.query("x.test", "A")).rejects.toThrow("boom");
    expect(calls).toBe(2);
  });
});
