/**
 * Unit tests of the streaming survey's parts (issue 12): the compact verdict record gives back the row the
 * domain verdict needs, the list-order window, the fingerprint set that finds duplicates, the job index.
 */

import { describe, expect, it } from "vitest";
import { FingerprintSet } from "../../coordinator/ingest/fingerprint-set.js";
import { ListOrder } from "../../coordinator/scan/list-order.js";
import { JobIndex } from "../../coordinator/scan/plan.js";
import { VerdictStore, verdictSubset } from "../../coordinator/scan/verdict-store.js";
import type { MxDiscovery } from "../../shared/dns/mx.js";
import { emptyHostRow } from "../../shared/rows.js";
import { labProbeParams } from "../helpers/params.js";

describe("verdict store", () => {
  it("verdict store - a kept row comes back equal to its verdict subset, every column", () => {
    const row = emptyHostRow("mx.example.test", "192.0.2.1", 25, new Date("2026-12-07T00:00:00Z"));
    Object.assign(row, {
      status: "cert_invalid",
      tls_version: "TLSv1.2",
      cert_sans: ["mx.example.test", "ünïcode.example"],
      smtp_banner: "220 big banner",
      ehlo_extensions: ["PIPELINING", "STARTTLS"],
      cert_chain_sha256: ["aa", "bb"],
      failure_detail: "details",
    });
    const store = new VerdictStore(2);
    expect(store.add(row)).toBe(true);
    expect(store.add({ ...row, status: "ok" })).toBe(false); // the first row for a target stays
    const back = store.get("mx.example.test", "192.0.2.1");
    expect(back).toEqual(verdictSubset(row));
    expect(back?.smtp_banner).toBeNull();
    expect(store.get("mx.example.test", "192.0.2.2")).toBeUndefined();
  });

  it("verdict store - rows beyond the parsed cache are parsed again, unchanged", () => {
    const store = new VerdictStore(2);
    for (let i = 0; i < 10; i++) store.add(emptyHostRow(`h${i}.test`, `192.0.2.${i}`, 25, new Date(0)));
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 10; i++)
        expect(store.get(`h${i}.test`, `192.0.2.${i}`)?.hostname).toBe(`h${i}.test`);
    expect(store.size).toBe(10);
    expect(store.has("h3.test", "192.0.2.3")).toBe(true);
  });
});

describe("list order", () => {
  it("list order - items released in position order, whatever order they come in", () => {
    const order = new ListOrder<string>(100);
    const out: string[] = [];
    for (const p of [2, 0, 1, 5, 3, 4]) out.push(...order.add(p, `d${p}`));
    out.push(...order.drain());
    expect(out).toEqual(["d0", "d1", "d2", "d3", "d4", "d5"]);
  });

  it("list order - a full window releases its earliest item: memory stays bounded", () => {
    const order = new ListOrder<number>(3);
    const out: number[] = [];
    for (const p of [1, 2, 3]) out.push(...order.add(p, p)); // 0 has not come (yet)
    expect(out).toEqual([]);
    out.push(...order.add(4, 4)); // four waiting: the earliest goes, and what follows it in order
    expect(out).toEqual([1, 2, 3, 4]);
    out.push(...order.add(0, 0)); // late: passes straight through
    out.push(...order.add(5, 5));
    out.push(...order.drain());
    expect(out).toEqual([1, 2, 3, 4, 0, 5]);
  });

  it("list order - items without a position pass through", () => {
    expect(new ListOrder<string>(3).add(undefined, "x")).toEqual(["x"]);
  });
});

describe("fingerprint set", () => {
  it("fingerprint set - finds every repeat among 200,000 names and no false one", () => {
    const set = new FingerprintSet(4);
    let added = 0;
    for (let i = 0; i < 200_000; i++) if (set.add(`d${i}.example`)) added++;
    expect(added).toBe(200_000);
    let repeats = 0;
    for (let i = 0; i < 200_000; i += 7) if (!set.add(`d${i}.example`)) repeats++;
    expect(repeats).toBe(Math.ceil(200_000 / 7));
    expect(set.size).toBe(200_000);
    expect(set.has("d199999.example")).toBe(true);
    expect(set.has("d200000.example")).toBe(false);
  });
});

describe("job index", () => {
  const disc = (domain: string, hosts: [string, string[]][]): { discovery: MxDiscovery } => ({
    discovery: {
      domain,
      kind: "mx",
      rcode: "NOERROR",
      ad: false,
      failure: null,
      detail: null,
      truncated: false,
      hosts: hosts.map(([hostname, addresses]) => ({
        hostname,
        addresses,
        cnames: [],
        rcode: "NOERROR",
        ad: false,
        failure: null,
        detail: null,
        preference: 10,
        ipLiteral: false,
      })),
    },
  });

  it("job index - one job per unique (host, IP); unresolved hosts once; counts", () => {
    const index = new JobIndex({ scan_id: "s", scan_started_at: "t" }, 25, labProbeParams());
    const a = index.add(
      disc("a.test", [
        ["mx1.p.test", ["192.0.2.1", "192.0.2.2"]],
        ["ghost.test", []],
      ]),
    );
    expect(a.jobs.map((j) => `${j.hostname} ${j.ip}`)).toEqual([
      "mx1.p.test 192.0.2.1",
      "mx1.p.test 192.0.2.2",
    ]);
    expect(a.unresolved.map((h) => h.hostname)).toEqual(["ghost.test"]);
    const b = index.add(
      disc("b.test", [
        ["mx1.p.test", ["192.0.2.1"]],
        ["mx2.p.test", ["192.0.2.1"]],
        ["ghost.test", []],
      ]),
    );
    expect(b.jobs.map((j) => `${j.hostname} ${j.ip}`)).toEqual(["mx2.p.test 192.0.2.1"]);
    expect(b.unresolved).toEqual([]);
    expect([index.jobs, index.uniqueHosts, index.uniqueIps]).toEqual([3, 3, 2]);
    expect(index.has("mx2.p.test", "192.0.2.1")).toBe(true);
    expect(index.has("mx2.p.test", "192.0.2.2")).toBe(false);
  });
});
