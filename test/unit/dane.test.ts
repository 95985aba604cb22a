/**
 * Unit tests of DANE for SMTP, as tables of named cases: TLSA presentation form and usability
 * (shared/dane/tlsa.ts), DNSSEC states (shared/dane/dnssec.ts), the DNS lookups against a scripted resolver
 * (shared/dane/lookup.ts), the DNS-only part of the host verdict and the domain aggregation
 * (shared/dane/verdict.ts), and certificate matching (worker/net/dane-verify.ts) on lab certificates:
 * DANE-EE with every selector and matching type, DANE-TA through intermediates, misordered chains, bare keys,
 * names and dates.
 */

import { createHash, X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { combineStates, type DnssecState, dnssecState, tlsaCounts } from "../../shared/dane/dnssec.js";
import { type DaneLookup, lookupDane, type TlsaLookup } from "../../shared/dane/lookup.js";
import {
  assessTlsa,
  describeTlsa,
  parseTlsa,
  type TlsaProblem,
  type TlsaRecord,
  tlsaText,
} from "../../shared/dane/tlsa.js";
import {
  type DaneFailure,
  type DaneHostFields,
  type DaneStatus,
  daneDnsVerdict,
  daneDomainVerdict,
  emptyDaneFields,
} from "../../shared/dane/verdict.js";
import type { DnsQuerier } from "../../shared/dns/cache.js";
import type { DnsAnswer, DnsRcode, DnsRecord, DnsRecordType } from "../../shared/dns/types.js";
import { certFacts } from "../../worker/net/cert-facts.js";
import { tlsaAssociation, tlsaMatches, tlsaRecordFor, verifyDane } from "../../worker/net/dane-verify.js";
import { createIntermediateCa, createLabCa, issueLeaf, type LabCa, type LabLeaf } from "../lab/pki.js";

const HEX32 = "ab".repeat(32);
const HEX64 = "cd".repeat(64);
const DAY = 86_400_000;

describe("tlsa - presentation form", () => {
  const cases: { name: string; input: string; expect: TlsaRecord | null }[] = [
    {
      name: "compact",
      input: `3 1 1 ${HEX32}`,
      expect: { usage: 3, selector: 1, matchingType: 1, data: HEX32 },
    },
    {
      name: "upper-case hex is lowered",
      input: `3 1 1 ${HEX32.toUpperCase()}`,
      expect: { usage: 3, selector: 1, matchingType: 1, data: HEX32 },
    },
    {
      name: "hex split by white space (RFC 6698 §2.2)",
      input: `2 0 1 ${HEX32.slice(0, 20)} ${HEX32.slice(20, 40)}\n\t${HEX32.slice(40)}`,
      expect: { usage: 2, selector: 0, matchingType: 1, data: HEX32 },
    },
    {
      name: "in parentheses",
      input: `( 3 0 1 ${HEX32} )`,
      expect: { usage: 3, selector: 0, matchingType: 1, data: HEX32 },
    },
    { name: "no data", input: "3 1 1", expect: { usage: 3, selector: 1, matchingType: 1, data: "" } },
    {
      name: "unknown values still parse",
      input: "4 2 255 aa",
      expect: { usage: 4, selector: 2, matchingType: 255, data: "aa" },
    },
    { name: "two fields", input: "3 1", expect: null },
    { name: "not hex", input: "3 1 1 xyz", expect: null },
    { name: "odd number of hex digits", input: "3 1 1 abc", expect: null },
    { name: "field over 255", input: "256 1 1 aa", expect: null },
    { name: "mnemonics are not numbers", input: "DANE-EE SPKI SHA2-256 aa", expect: null },
    { name: "empty", input: "", expect: null },
  ];
  it.each(cases)("tlsa - parse $name", (c) => {
    expect(parseTlsa(c.input)).toEqual(c.expect);
  });

  it("tlsa - text and parse round-trip", () => {
    for (const r of [
      { usage: 3, selector: 1, matchingType: 1, data: HEX32 },
      { usage: 2, selector: 0, matchingType: 2, data: HEX64 },
      { usage: 3, selector: 1, matchingType: 1, data: "" },
    ]) {
      expect(parseTlsa(tlsaText(r))).toEqual(r);
    }
    expect(tlsaText({ usage: 3, selector: 1, matchingType: 1, data: "ABCD" })).toBe("3 1 1 abcd");
  });

  it("tlsa - RFC 7218 acronyms", () => {
    expect(describeTlsa({ usage: 3, selector: 1, matchingType: 1, data: "" })).toBe("DANE-EE SPKI SHA2-256");
    expect(describeTlsa({ usage: 2, selector: 0, matchingType: 2, data: "" })).toBe("DANE-TA Cert SHA2-512");
    expect(describeTlsa({ usage: 0, selector: 0, matchingType: 0, data: "" })).toBe("PKIX-TA Cert Full");
    expect(describeTlsa({ usage: 1, selector: 1, matchingType: 0, data: "" })).toBe("PKIX-EE SPKI Full");
    expect(describeTlsa({ usage: 9, selector: 7, matchingType: 5, data: "" })).toBe(
      "usage 9 selector 7 matching type 5",
    );
  });
});

let root: LabCa;
let inter: LabCa;
/** Issued by `inter`, names mx.v.test. */
let leafInter: LabLeaf;
/** Issued by `root`, names mx.v.test. */
let leafRoot: LabLeaf;
/** Issued by `root`, names other.v.test. */
let leafOther: LabLeaf;
/** Issued by `root`, names mx.v.test, expired. */
let leafExpired: LabLeaf;
/** Issued by `root`, names real.v.test (a CNAME target). */
let leafReal: LabLeaf;
/** A leaf (CA:FALSE) used as an issuer, and the certificate it signed. */
let notCa: LabLeaf;
let underNotCa: LabLeaf;

beforeAll(async () => {
  root = await createLabCa();
  inter = await createIntermediateCa(root);
  leafInter = await issueLeaf(inter, { names: ["mx.v.test"], freshKey: true });
  leafRoot = await issueLeaf(root, { names: ["mx.v.test"], freshKey: true });
  leafOther = await issueLeaf(root, { names: ["other.v.test"], freshKey: true });
  leafExpired = await issueLeaf(root, {
    names: ["mx.v.test"],
    notBefore: new Date(Date.now() - 90 * DAY),
    notAfter: new Date(Date.now() - DAY),
    freshKey: true,
  });
  leafReal = await issueLeaf(root, { names: ["real.v.test"], freshKey: true });
  notCa = await issueLeaf(root, { names: ["notca.v.test"], freshKey: true });
  underNotCa = await issueLeaf({ name: "notca.v.test", ...notCa }, { names: ["mx.v.test"], freshKey: true });
}, 60_000);

describe("tlsa - usability for SMTP", () => {
  const cases: {
    name: string;
    record: () => TlsaRecord;
    smtp?: boolean;
    usable: boolean;
    problem: TlsaProblem | null;
  }[] = [
    { name: "3 1 1", record: () => rec(3, 1, 1, HEX32), usable: true, problem: null },
    { name: "3 1 2", record: () => rec(3, 1, 2, HEX64), usable: true, problem: null },
    { name: "2 0 1", record: () => rec(2, 0, 1, HEX32), usable: true, problem: null },
    {
      name: "3 0 0, a certificate",
      record: () => tlsaRecordFor(leafRoot.certDer, 3, 0, 0),
      usable: true,
      problem: null,
    },
    {
      name: "2 1 0, a public key",
      record: () => tlsaRecordFor(root.certDer, 2, 1, 0),
      usable: true,
      problem: null,
    },
    {
      name: "SHA2-256 of 31 bytes",
      record: () => rec(3, 1, 1, "ab".repeat(31)),
      usable: false,
      problem: "bad_data",
    },
    { name: "SHA2-512 of 32 bytes", record: () => rec(3, 1, 2, HEX32), usable: false, problem: "bad_data" },
    { name: "empty data", record: () => rec(3, 1, 1, ""), usable: false, problem: "bad_data" },
    { name: "data not hex", record: () => rec(3, 1, 1, "zz"), usable: false, problem: "bad_data" },
    {
      name: "3 0 0 not a certificate",
      record: () => rec(3, 0, 0, "3003020101"),
      usable: false,
      problem: "bad_data",
    },
    { name: "3 1 0 not a key", record: () => rec(3, 1, 0, "3003020101"), usable: false, problem: "bad_data" },
    { name: "usage 4", record: () => rec(4, 1, 1, HEX32), usable: false, problem: "unknown_usage" },
    { name: "usage 255", record: () => rec(255, 1, 1, HEX32), usable: false, problem: "unknown_usage" },
    { name: "selector 2", record: () => rec(3, 2, 1, HEX32), usable: false, problem: "unknown_selector" },
    {
      name: "matching type 3",
      record: () => rec(3, 1, 3, HEX32),
      usable: false,
      problem: "unknown_matching_type",
    },
    {
      name: "matching type 255 (private use)",
      record: () => rec(3, 1, 255, HEX32),
      usable: false,
      problem: "unknown_matching_type",
    },
    { name: "PKIX-TA 0 0 1", record: () => rec(0, 0, 1, HEX32), usable: false, problem: "pkix_usage" },
    { name: "PKIX-EE 1 1 1", record: () => rec(1, 1, 1, HEX32), usable: false, problem: "pkix_usage" },
    {
      name: "PKIX-EE outside SMTP is usable",
      record: () => rec(1, 1, 1, HEX32),
      smtp: false,
      usable: true,
      problem: null,
    },
    {
      name: "unknown usage before a bad digest",
      record: () => rec(7, 1, 1, "ab"),
      usable: false,
      problem: "unknown_usage",
    },
  ];
  it.each(cases)("tlsa - assess $name", (c) => {
    const r = c.record();
    const a = assessTlsa(r, c.smtp === undefined ? {} : { smtp: c.smtp });
    expect({ usable: a.usable, problem: a.problem, text: a.text }).toEqual({
      usable: c.usable,
      problem: c.problem,
      text: tlsaText(r),
    });
    expect(a.why.length).toBeGreaterThan(0);
  });
});

function rec(usage: number, selector: number, matchingType: number, data: string): TlsaRecord {
  return { usage, selector, matchingType, data };
}

describe("dnssec - state of an answer", () => {
  const cases: { name: string; rcode: DnsRcode; ad: boolean; cnameLoop?: boolean; expect: DnssecState }[] = [
    { name: "NOERROR with AD", rcode: "NOERROR", ad: true, expect: "secure" },
    { name: "NOERROR without AD", rcode: "NOERROR", ad: false, expect: "insecure" },
    { name: "NXDOMAIN with AD (authenticated denial)", rcode: "NXDOMAIN", ad: true, expect: "secure" },
    { name: "NXDOMAIN without AD", rcode: "NXDOMAIN", ad: false, expect: "insecure" },
    { name: "SERVFAIL", rcode: "SERVFAIL", ad: false, expect: "bogus" },
    { name: "SERVFAIL with a stray AD", rcode: "SERVFAIL", ad: true, expect: "bogus" },
    { name: "TIMEOUT", rcode: "TIMEOUT", ad: false, expect: "indeterminate" },
    { name: "REFUSED", rcode: "REFUSED", ad: false, expect: "indeterminate" },
    { name: "FORMERR", rcode: "FORMERR", ad: false, expect: "indeterminate" },
    { name: "NOTIMP", rcode: "NOTIMP", ad: false, expect: "indeterminate" },
    { name: "OTHER", rcode: "OTHER", ad: true, expect: "indeterminate" },
    { name: "a CNAME loop", rcode: "NOERROR", ad: true, cnameLoop: true, expect: "indeterminate" },
  ];
  it.each(cases)("dnssec - $name", (c) => {
    expect(dnssecState(c)).toBe(c.expect);
  });

  const combine: { name: string; states: DnssecState[]; expect: DnssecState | null }[] = [
    { name: "nothing", states: [], expect: null },
    { name: "all secure", states: ["secure", "secure"], expect: "secure" },
    { name: "one insecure", states: ["secure", "insecure"], expect: "insecure" },
    { name: "indeterminate beats insecure", states: ["insecure", "indeterminate"], expect: "indeterminate" },
    { name: "bogus beats all", states: ["indeterminate", "bogus", "secure"], expect: "bogus" },
  ];
  it.each(combine)("dnssec - combine $name", (c) => {
    expect(combineStates(c.states)).toBe(c.expect);
  });

  const counts: {
    name: string;
    mx: DnssecState | null;
    host: DnssecState;
    tlsa: DnssecState;
    expect: boolean;
  }[] = [
    { name: "all secure", mx: "secure", host: "secure", tlsa: "secure", expect: true },
    { name: "no MX lookup (a host probed directly)", mx: null, host: "secure", tlsa: "secure", expect: true },
    { name: "MX insecure", mx: "insecure", host: "secure", tlsa: "secure", expect: false },
    { name: "addresses insecure", mx: "secure", host: "insecure", tlsa: "secure", expect: false },
    { name: "TLSA insecure", mx: "secure", host: "secure", tlsa: "insecure", expect: false },
    { name: "TLSA bogus", mx: "secure", host: "secure", tlsa: "bogus", expect: false },
    { name: "MX indeterminate", mx: "indeterminate", host: "secure", tlsa: "secure", expect: false },
  ];
  it.each(counts)("dnssec - TLSA counts: $name", (c) => {
    expect(tlsaCounts(c)).toBe(c.expect);
  });
});

// ---- lookup.ts against a scripted resolver ----

type Scripted = Partial<Pick<DnsAnswer, "rcode" | "ad" | "records" | "cnameChain" | "cnameLoop">>;

class ScriptedDns implements DnsQuerier {
  readonly asked: string[] = [];
  constructor(private readonly answers: Record<string, Scripted>) {}
  async query(name: string, type: DnsRecordType): Promise<DnsAnswer> {
    const key = `${type} ${name}`;
    this.asked.push(key);
    const a = this.answers[key] ?? { rcode: "NXDOMAIN" };
    return {
      name,
      type,
      rcode: a.rcode ?? "NOERROR",
      ad: a.ad ?? false,
      records: a.records ?? [],
      cnameChain: a.cnameChain ?? [],
      cnameLoop: a.cnameLoop ?? false,
      resolver: "scripted",
      tcp: false,
      attempts: 1,
      elapsedMs: 0,
      detail: null,
    };
  }
}

const aRec = (name: string): DnsRecord => ({ name, ttl: 300, type: "A", data: "192.0.2.25" });
const tlsaRec = (name: string, data = HEX32): DnsRecord => ({
  name,
  ttl: 300,
  type: "TLSA",
  data: { usage: 3, selector: 1, matchingType: 1, certificate: data },
});

describe("lookup - TLSA base domains and states", () => {
  const H = "mx.v.test";
  const R = "real.p.test";
  const cases: {
    name: string;
    answers: Record<string, Scripted>;
    opts?: { port?: number; ipv6?: boolean };
    expect: {
      hostState: DnssecState;
      aliasState?: DnssecState | null;
      candidates: string[];
      tried: string[];
      decisive: string;
      outcome: TlsaLookup["outcome"];
      state: DnssecState;
    };
  }[] = [
    {
      name: "plain host, secure records",
      answers: {
        [`A ${H}`]: { ad: true, records: [aRec(H)] },
        [`TLSA _25._tcp.${H}`]: { ad: true, records: [tlsaRec(`_25._tcp.${H}`)] },
      },
      expect: {
        hostState: "secure",
        candidates: [H],
        tried: [`_25._tcp.${H}`],
        decisive: `_25._tcp.${H}`,
        outcome: "records",
        state: "secure",
      },
    },
    {
      name: "secure CNAME'd host: the expanded name first, then the host name when it has nothing",
      answers: {
        [`A ${H}`]: { ad: true, records: [aRec(R)], cnameChain: [R] },
        [`TLSA _25._tcp.${R}`]: { rcode: "NXDOMAIN", ad: true },
        [`TLSA _25._tcp.${H}`]: { ad: true, records: [tlsaRec(`_25._tcp.${H}`)] },
      },
      expect: {
        hostState: "secure",
        candidates: [R, H],
        tried: [`_25._tcp.${R}`, `_25._tcp.${H}`],
        decisive: `_25._tcp.${H}`,
        outcome: "records",
        state: "secure",
      },
    },
    {
      name: "secure records at the expanded name stop the search",
      answers: {
        [`A ${H}`]: { ad: true, records: [aRec(R)], cnameChain: [R] },
        [`TLSA _25._tcp.${R}`]: { ad: true, records: [tlsaRec(`_25._tcp.${R}`)] },
      },
      expect: {
        hostState: "secure",
        candidates: [R, H],
        tried: [`_25._tcp.${R}`],
        decisive: `_25._tcp.${R}`,
        outcome: "records",
        state: "secure",
      },
    },
    {
      name: "insecure records at the expanded name: the host name is tried (RFC 7672 §2.2.3)",
      answers: {
        [`A ${H}`]: { ad: true, records: [aRec(R)], cnameChain: [R] },
        [`TLSA _25._tcp.${R}`]: { ad: false, records: [tlsaRec(`_25._tcp.${R}`)] },
        [`TLSA _25._tcp.${H}`]: { ad: true, records: [tlsaRec(`_25._tcp.${H}`)] },
      },
      expect: {
        hostState: "secure",
        candidates: [R, H],
        tried: [`_25._tcp.${R}`, `_25._tcp.${H}`],
        decisive: `_25._tcp.${H}`,
        outcome: "records",
        state: "secure",
      },
    },
    {
      name: "insecure records everywhere: the first insecure records decide",
      answers: {
        [`A ${H}`]: { ad: true, records: [aRec(R)], cnameChain: [R] },
        [`TLSA _25._tcp.${R}`]: { ad: false, records: [tlsaRec(`_25._tcp.${R}`)] },
        [`TLSA _25._tcp.${H}`]: { rcode: "NXDOMAIN", ad: true },
      },
      expect: {
        hostState: "secure",
        candidates: [R, H],
        tried: [`_25._tcp.${R}`, `_25._tcp.${H}`],
        decisive: `_25._tcp.${R}`,
        outcome: "records",
        state: "insecure",
      },
    },
    {
      name: "SERVFAIL at the expanded name stops the search",
      answers: {
        [`A ${H}`]: { ad: true, records: [aRec(R)], cnameChain: [R] },
        [`TLSA _25._tcp.${R}`]: { rcode: "SERVFAIL" },
        [`TLSA _25._tcp.${H}`]: { ad: true, records: [tlsaRec(`_25._tcp.${H}`)] },
      },
      expect: {
        hostState: "secure",
        candidates: [R, H],
        tried: [`_25._tcp.${R}`],
        decisive: `_25._tcp.${R}`,
        outcome: "error",
        state: "bogus",
      },
    },
    {
      name: "insecure target behind a secure CNAME: the host name alone, and the host counts as secure",
      answers: {
        [`A ${H}`]: { ad: false, records: [aRec(R)], cnameChain: [R] },
        [`CNAME ${H}`]: { ad: true },
        [`TLSA _25._tcp.${H}`]: { ad: true, records: [tlsaRec(`_25._tcp.${H}`)] },
      },
      expect: {
        hostState: "secure",
        aliasState: "secure",
        candidates: [H],
        tried: [`_25._tcp.${H}`],
        decisive: `_25._tcp.${H}`,
        outcome: "records",
        state: "secure",
      },
    },
    {
      name: "insecure CNAME'd host",
      answers: {
        [`A ${H}`]: { ad: false, records: [aRec(R)], cnameChain: [R] },
        [`CNAME ${H}`]: { ad: false },
        [`TLSA _25._tcp.${H}`]: { ad: true, records: [tlsaRec(`_25._tcp.${H}`)] },
      },
      expect: {
        hostState: "insecure",
        aliasState: "insecure",
        candidates: [H],
        tried: [`_25._tcp.${H}`],
        decisive: `_25._tcp.${H}`,
        outcome: "records",
        state: "secure",
      },
    },
    {
      name: "AAAA bogus with --ipv6: the host is bogus",
      opts: { ipv6: true },
      answers: {
        [`A ${H}`]: { ad: true, records: [aRec(H)] },
        [`AAAA ${H}`]: { rcode: "SERVFAIL" },
        [`TLSA _25._tcp.${H}`]: { ad: true, records: [tlsaRec(`_25._tcp.${H}`)] },
      },
      expect: {
        hostState: "bogus",
        candidates: [H],
        tried: [`_25._tcp.${H}`],
        decisive: `_25._tcp.${H}`,
        outcome: "records",
        state: "secure",
      },
    },
    {
      name: "another port",
      opts: { port: 2525 },
      answers: {
        [`A ${H}`]: { ad: true, records: [aRec(H)] },
        [`TLSA _2525._tcp.${H}`]: { ad: true, records: [tlsaRec(`_2525._tcp.${H}`)] },
      },
      expect: {
        hostState: "secure",
        candidates: [H],
        tried: [`_2525._tcp.${H}`],
        decisive: `_2525._tcp.${H}`,
        outcome: "records",
        state: "secure",
      },
    },
    {
      name: "TLSA timeout",
      answers: { [`A ${H}`]: { ad: true, records: [aRec(H)] }, [`TLSA _25._tcp.${H}`]: { rcode: "TIMEOUT" } },
      expect: {
        hostState: "secure",
        candidates: [H],
        tried: [`_25._tcp.${H}`],
        decisive: `_25._tcp.${H}`,
        outcome: "error",
        state: "indeterminate",
      },
    },
    {
      name: "NODATA",
      answers: { [`A ${H}`]: { ad: true, records: [aRec(H)] }, [`TLSA _25._tcp.${H}`]: { ad: true } },
      expect: {
        hostState: "secure",
        candidates: [H],
        tried: [`_25._tcp.${H}`],
        decisive: `_25._tcp.${H}`,
        outcome: "none",
        state: "secure",
      },
    },
  ];
  it.each(cases)("lookup - $name", async (c) => {
    const dns = new ScriptedDns(c.answers);
    const l = await lookupDane(dns, `${H}.`, { rcode: "NOERROR", ad: true }, c.opts);
    expect(l.hostname).toBe(H);
    expect({
      hostState: l.hostState,
      ...(c.expect.aliasState !== undefined ? { aliasState: l.address.aliasState } : {}),
      candidates: l.candidates,
      tried: l.tried.map((t) => t.name),
      decisive: l.tlsa.name,
      outcome: l.tlsa.outcome,
      state: l.tlsa.state,
    }).toEqual(c.expect);
    expect(l.mx).toEqual({ rcode: "NOERROR", ad: true, state: "secure" });
  });

  it("lookup - a CNAME'd TLSA name: every link's own state", async () => {
    const name = `_25._tcp.${H}`;
    const mid = "_25._tcp.mid.p.test";
    const end = "_25._tcp.end.q.test";
    const dns = new ScriptedDns({
      [`A ${H}`]: { ad: true, records: [aRec(H)] },
      [`TLSA ${name}`]: { ad: false, cnameChain: [mid, end], records: [tlsaRec(end)] },
      [`CNAME ${name}`]: { ad: true },
      [`CNAME ${mid}`]: { ad: false },
      [`TLSA ${end}`]: { ad: true, records: [tlsaRec(end)] },
    });
    const l = await lookupDane(dns, H, null);
    expect(l.mx).toBeNull();
    expect(l.tlsa.state).toBe("insecure");
    expect(l.tlsa.cnames).toEqual([mid, end]);
    expect(l.tlsa.links.map((s) => [s.name, s.type, s.state])).toEqual([
      [name, "CNAME", "secure"],
      [mid, "CNAME", "insecure"],
      [end, "TLSA", "secure"],
    ]);
    expect(l.tlsa.records).toEqual([rec(3, 1, 1, HEX32)]);
  });
});

// ---- the DNS half of the verdict ----

function lookupOf(
  records: TlsaRecord[],
  o: {
    mx?: DnssecState | null;
    host?: DnssecState;
    tlsa?: DnssecState;
    outcome?: TlsaLookup["outcome"];
    rcode?: DnsRcode;
    base?: string;
    hostname?: string;
  } = {},
): DaneLookup {
  const hostname = o.hostname ?? "mx.v.test";
  const base = o.base ?? hostname;
  const state = o.tlsa ?? "secure";
  const tlsa: TlsaLookup = {
    base,
    name: `_25._tcp.${base}`,
    rcode: o.rcode ?? (state === "bogus" ? "SERVFAIL" : state === "indeterminate" ? "TIMEOUT" : "NOERROR"),
    ad: state === "secure",
    state,
    cnames: [],
    links: [],
    records,
    outcome: o.outcome ?? (records.length > 0 ? "records" : "none"),
    detail: null,
  };
  const mxState = o.mx === undefined ? "secure" : o.mx;
  const hostState = o.host ?? "secure";
  const step = (type: DnsRecordType) => ({
    name: hostname,
    type,
    rcode: "NOERROR" as const,
    ad: true,
    state: hostState,
  });
  return {
    hostname,
    port: 25,
    mx: mxState === null ? null : { rcode: "NOERROR", ad: mxState === "secure", state: mxState },
    address: {
      a: step("A"),
      aaaa: null,
      cnames: base === hostname ? [] : [base],
      state: hostState,
      aliasState: null,
    },
    hostState,
    candidates: base === hostname ? [hostname] : [base, hostname],
    tried: [tlsa],
    tlsa,
  };
}

describe("verdict - what DNS alone decides", () => {
  const R = rec(3, 1, 1, HEX32);
  const cases: {
    name: string;
    lookup: () => DaneLookup;
    expect: { decided: boolean; status?: DaneStatus | null; failure?: DaneFailure | null };
  }[] = [
    {
      name: "everything secure: the certificates decide",
      lookup: () => lookupOf([R]),
      expect: { decided: false },
    },
    {
      name: "a host probed directly (no MX)",
      lookup: () => lookupOf([R], { mx: null }),
      expect: { decided: false },
    },
    {
      name: "MX insecure, records secure",
      lookup: () => lookupOf([R], { mx: "insecure" }),
      expect: { decided: true, status: "insecure" },
    },
    {
      name: "MX insecure, no records",
      lookup: () => lookupOf([], { mx: "insecure" }),
      expect: { decided: true, status: "none" },
    },
    {
      name: "MX insecure, TLSA SERVFAIL: DANE does not apply",
      lookup: () => lookupOf([], { mx: "insecure", tlsa: "bogus", outcome: "error" }),
      expect: { decided: true, status: "insecure" },
    },
    {
      name: "MX bogus",
      lookup: () => lookupOf([R], { mx: "bogus" }),
      expect: { decided: true, status: "bogus" },
    },
    {
      name: "MX indeterminate: not tested",
      lookup: () => lookupOf([R], { mx: "indeterminate" }),
      expect: { decided: true, status: null },
    },
    {
      name: "addresses insecure",
      lookup: () => lookupOf([R], { host: "insecure" }),
      expect: { decided: true, status: "insecure" },
    },
    {
      name: "addresses bogus",
      lookup: () => lookupOf([R], { host: "bogus" }),
      expect: { decided: true, status: "bogus" },
    },
    {
      name: "TLSA SERVFAIL",
      lookup: () => lookupOf([], { tlsa: "bogus", outcome: "error" }),
      expect: { decided: true, status: "bogus" },
    },
    {
      name: "TLSA timeout: not tested",
      lookup: () => lookupOf([], { tlsa: "indeterminate", outcome: "error" }),
      expect: { decided: true, status: null },
    },
    {
      name: "TLSA REFUSED: not tested",
      lookup: () => lookupOf([], { tlsa: "indeterminate", outcome: "error", rcode: "REFUSED" }),
      expect: { decided: true, status: null },
    },
    {
      name: "no records (secure denial)",
      lookup: () => lookupOf([]),
      expect: { decided: true, status: "none" },
    },
    {
      name: "no records (insecure denial)",
      lookup: () => lookupOf([], { tlsa: "insecure" }),
      expect: { decided: true, status: "none" },
    },
    {
      name: "records without AD",
      lookup: () => lookupOf([R], { tlsa: "insecure" }),
      expect: { decided: true, status: "insecure" },
    },
    {
      name: "only unusable records",
      lookup: () => lookupOf([rec(0, 0, 1, HEX32), rec(1, 1, 1, HEX32), rec(3, 1, 1, "ab")]),
      expect: { decided: true, status: "invalid", failure: "all_unusable" },
    },
  ];
  it.each(cases)("verdict - $name", (c) => {
    const v = daneDnsVerdict(c.lookup());
    expect(v.decided).toBe(c.expect.decided);
    if (v.decided) {
      expect(v.fields.dane_status).toBe(c.expect.status);
      expect(v.fields.dane_failure).toBe(c.expect.failure ?? null);
      expect(v.fields.dane_detail).toEqual(expect.any(String));
    } else {
      expect(v.usable.length).toBeGreaterThan(0);
    }
  });

  it("verdict - records and states are reported whatever the status", () => {
    const v = daneDnsVerdict(lookupOf([rec(1, 1, 1, HEX32), R], { mx: "insecure" }));
    expect(v.fields).toMatchObject({
      dane_status: "insecure",
      dane_tlsa: [`1 1 1 ${HEX32}`, `3 1 1 ${HEX32}`],
      dane_unusable: [`1 1 1 ${HEX32}`],
      dane_base_domain: "mx.v.test",
      dane_single_record_note: true,
      dane_dnssec_mx: "insecure",
      dane_dnssec_addr: "secure",
      dane_dnssec_tlsa: "secure",
    });
  });
});

describe("verdict - domain aggregation", () => {
  const host = (dane_status: DaneStatus | null, single = false, tlsa = dane_status === "none" ? 0 : 1) => ({
    dane_status,
    dane_single_record_note: single,
    dane_tlsa: Array.from({ length: tlsa }, () => `3 1 1 ${HEX32}`),
  });
  const cases: {
    name: string;
    mx: { rcode: DnsRcode; ad: boolean } | null;
    hosts: Pick<DaneHostFields, "dane_status" | "dane_single_record_note" | "dane_tlsa">[];
    expect: { dnssec_mx: DnssecState | null; status: DaneStatus | null; single: boolean; valid: number };
  }[] = [
    {
      name: "every primary host valid",
      mx: { rcode: "NOERROR", ad: true },
      hosts: [host("valid"), host("valid")],
      expect: { dnssec_mx: "secure", status: "valid", single: false, valid: 2 },
    },
    {
      name: "one valid, one without TLSA",
      mx: { rcode: "NOERROR", ad: true },
      hosts: [host("valid", true), host("none")],
      expect: { dnssec_mx: "secure", status: "none", single: true, valid: 1 },
    },
    {
      name: "one valid, one not tested",
      mx: { rcode: "NOERROR", ad: true },
      hosts: [host("valid"), host(null)],
      expect: { dnssec_mx: "secure", status: null, single: false, valid: 1 },
    },
    {
      name: "invalid beats not tested",
      mx: { rcode: "NOERROR", ad: true },
      hosts: [host(null), host("invalid")],
      expect: { dnssec_mx: "secure", status: "invalid", single: false, valid: 0 },
    },
    {
      name: "bogus beats invalid",
      mx: { rcode: "NOERROR", ad: true },
      hosts: [host("invalid"), host("bogus")],
      expect: { dnssec_mx: "secure", status: "bogus", single: false, valid: 0 },
    },
    {
      name: "MX insecure: host rows valid without the MX answer do not count",
      mx: { rcode: "NOERROR", ad: false },
      hosts: [host("valid", true), host("valid")],
      expect: { dnssec_mx: "insecure", status: "insecure", single: true, valid: 0 },
    },
    {
      name: "MX insecure, no TLSA anywhere",
      mx: { rcode: "NOERROR", ad: false },
      hosts: [host("none"), host("none")],
      expect: { dnssec_mx: "insecure", status: "none", single: false, valid: 0 },
    },
    {
      name: "MX insecure, a TLSA lookup that failed",
      mx: { rcode: "NOERROR", ad: false },
      hosts: [host("none"), host("bogus", false, 0)],
      expect: { dnssec_mx: "insecure", status: "insecure", single: false, valid: 0 },
    },
    {
      name: "MX timed out: not tested",
      mx: { rcode: "TIMEOUT", ad: false },
      hosts: [host("valid")],
      expect: { dnssec_mx: "indeterminate", status: null, single: false, valid: 0 },
    },
    {
      name: "insecure beats none",
      mx: { rcode: "NOERROR", ad: true },
      hosts: [host("none"), host("insecure")],
      expect: { dnssec_mx: "secure", status: "insecure", single: false, valid: 0 },
    },
    {
      name: "no host rows",
      mx: { rcode: "SERVFAIL", ad: false },
      hosts: [],
      expect: { dnssec_mx: "bogus", status: null, single: false, valid: 0 },
    },
    {
      name: "no MX answer",
      mx: null,
      hosts: [host("valid")],
      expect: { dnssec_mx: null, status: "valid", single: false, valid: 1 },
    },
  ];
  it.each(cases)("domain - $name", (c) => {
    const d = daneDomainVerdict(c.mx, c.hosts);
    expect({
      dnssec_mx: d.dnssec_mx,
      status: d.dane_status,
      single: d.dane_single_record_note,
      valid: d.dane_hosts_valid,
    }).toEqual(c.expect);
    expect(d.dane_hosts_total).toBe(c.hosts.length);
  });

  it("domain - empty host fields are not tested", () => {
    expect(emptyDaneFields().dane_status).toBeNull();
  });
});

// ---- certificate matching ----

describe("verify - association data", () => {
  it("verify - selector and matching type against independent computations", () => {
    const der = leafRoot.certDer;
    const spki = new X509Certificate(der).publicKey.export({ type: "spki", format: "der" });
    const facts = certFacts(der, new Date());
    expect(tlsaAssociation(der, 0, 0)).toBe(der.toString("hex"));
    expect(tlsaAssociation(der, 0, 1)).toBe(facts.sha256);
    expect(tlsaAssociation(der, 1, 0)).toBe(spki.toString("hex"));
    expect(tlsaAssociation(der, 1, 1)).toBe(facts.spki_sha256);
    expect(tlsaAssociation(der, 1, 2)).toBe(createHash("sha512").update(spki).digest("hex"));
    expect(tlsaAssociation(der, 0, 2)).toBe(createHash("sha512").update(der).digest("hex"));
    expect(() => tlsaAssociation(der, 2, 1)).toThrow(/selector/);
    expect(() => tlsaAssociation(der, 1, 3)).toThrow(/matching type/);
    expect(tlsaMatches(rec(3, 1, 1, facts.spki_sha256.toUpperCase()), der)).toBe(true);
    expect(tlsaMatches(rec(3, 1, 1, HEX32), der)).toBe(false);
    expect(tlsaMatches(rec(3, 1, 1, facts.spki_sha256), Buffer.from("not a certificate"))).toBe(false);
  });
});

describe("verify - certificates against TLSA records", () => {
  const der = (x: LabCa | LabLeaf) => x.certDer;
  const cases: {
    name: string;
    records: () => TlsaRecord[];
    presented: () => Buffer[] | null;
    lookup?: Parameters<typeof lookupOf>[1];
    starttlsOffered?: boolean;
    now?: Date;
    expect: { status: DaneStatus | null; failure: DaneFailure | null; matched: number | null };
  }[] = [
    {
      name: "DANE-EE 3 1 1 against the leaf",
      records: () => [tlsaRecordFor(der(leafRoot), 3, 1, 1)],
      presented: () => [der(leafRoot), der(root)],
      expect: { status: "valid", failure: null, matched: 0 },
    },
    {
      name: "DANE-EE ignores dates: twenty years from now",
      records: () => [tlsaRecordFor(der(leafRoot), 3, 0, 1)],
      presented: () => [der(leafRoot)],
      now: new Date(Date.now() + 20 * 365 * DAY),
      expect: { status: "valid", failure: null, matched: 0 },
    },
    {
      name: "DANE-EE ignores names",
      records: () => [tlsaRecordFor(der(leafOther), 3, 1, 2)],
      presented: () => [der(leafOther)],
      expect: { status: "valid", failure: null, matched: 0 },
    },
    {
      name: "DANE-EE of another certificate",
      records: () => [tlsaRecordFor(der(leafOther), 3, 0, 1)],
      presented: () => [der(leafRoot)],
      expect: { status: "invalid", failure: "no_match", matched: null },
    },
    {
      name: "DANE-EE never matches an issuer",
      records: () => [tlsaRecordFor(der(root), 3, 0, 1)],
      presented: () => [der(leafRoot), der(root)],
      expect: { status: "invalid", failure: "no_match", matched: null },
    },
    {
      name: "DANE-TA on the root through an intermediate",
      records: () => [tlsaRecordFor(der(root), 2, 0, 1)],
      presented: () => [der(leafInter), der(inter), der(root)],
      expect: { status: "valid", failure: null, matched: 0 },
    },
    {
      name: "DANE-TA on the intermediate",
      records: () => [tlsaRecordFor(der(inter), 2, 1, 1)],
      presented: () => [der(leafInter), der(inter)],
      expect: { status: "valid", failure: null, matched: 0 },
    },
    {
      name: "DANE-TA with a misordered chain",
      records: () => [tlsaRecordFor(der(root), 2, 1, 2)],
      presented: () => [der(leafInter), der(root), der(inter)],
      expect: { status: "valid", failure: null, matched: 0 },
    },
    {
      name: "DANE-TA on the root, the intermediate missing",
      records: () => [tlsaRecordFor(der(root), 2, 0, 1)],
      presented: () => [der(leafInter), der(root)],
      expect: { status: "invalid", failure: "ta_chain_invalid", matched: null },
    },
    {
      name: "DANE-TA not sent by the server",
      records: () => [tlsaRecordFor(der(root), 2, 0, 1)],
      presented: () => [der(leafRoot)],
      expect: { status: "invalid", failure: "no_match", matched: null },
    },
    {
      name: "DANE-TA 2 1 0: a bare key the server does not send",
      records: () => [tlsaRecordFor(der(root), 2, 1, 0)],
      presented: () => [der(leafInter), der(inter)],
      expect: { status: "valid", failure: null, matched: 0 },
    },
    {
      name: "DANE-TA 2 1 0 of a key that signed nothing here",
      records: () => [tlsaRecordFor(der(inter), 2, 1, 0)],
      presented: () => [der(leafRoot)],
      expect: { status: "invalid", failure: "ta_chain_invalid", matched: null },
    },
    {
      name: "DANE-TA matching only the leaf (a leaf is not its own trust anchor)",
      records: () => [tlsaRecordFor(der(leafRoot), 2, 0, 1)],
      presented: () => [der(leafRoot), der(root)],
      expect: { status: "invalid", failure: "no_match", matched: null },
    },
    {
      name: "DANE-TA through an issuer without CA:TRUE",
      records: () => [tlsaRecordFor(der(notCa), 2, 0, 1)],
      presented: () => [der(underNotCa), der(notCa)],
      expect: { status: "invalid", failure: "ta_chain_invalid", matched: null },
    },
    {
      name: "DANE-TA with a leaf naming another host",
      records: () => [tlsaRecordFor(der(root), 2, 0, 1)],
      presented: () => [der(leafOther), der(root)],
      expect: { status: "invalid", failure: "ta_name_mismatch", matched: null },
    },
    {
      name: "DANE-TA with an expired leaf",
      records: () => [tlsaRecordFor(der(root), 2, 0, 1)],
      presented: () => [der(leafExpired), der(root)],
      expect: { status: "invalid", failure: "ta_expired", matched: null },
    },
    {
      name: "DANE-TA twenty years from now: the anchor and the leaf are out of date",
      records: () => [tlsaRecordFor(der(root), 2, 0, 1)],
      presented: () => [der(leafRoot), der(root)],
      now: new Date(Date.now() + 20 * 365 * DAY),
      expect: { status: "invalid", failure: "ta_expired", matched: null },
    },
    {
      name: "DANE-TA, CNAME'd host: a leaf naming the TLSA base domain",
      records: () => [tlsaRecordFor(der(root), 2, 0, 1)],
      presented: () => [der(leafReal), der(root)],
      lookup: { base: "real.v.test" },
      expect: { status: "valid", failure: null, matched: 0 },
    },
    {
      name: "DANE-TA, CNAME'd host: a leaf naming the MX host name",
      records: () => [tlsaRecordFor(der(root), 2, 0, 1)],
      presented: () => [der(leafRoot), der(root)],
      lookup: { base: "real.v.test" },
      expect: { status: "valid", failure: null, matched: 0 },
    },
    {
      name: "DANE-TA, CNAME'd host: a leaf naming neither",
      records: () => [tlsaRecordFor(der(root), 2, 0, 1)],
      presented: () => [der(leafOther), der(root)],
      lookup: { base: "real.v.test" },
      expect: { status: "invalid", failure: "ta_name_mismatch", matched: null },
    },
    {
      name: "DANE-TA with thirty copies of an unrelated CA: bounded, no path",
      records: () => [tlsaRecordFor(der(inter), 2, 0, 1)],
      presented: () => [der(leafRoot), ...Array.from({ length: 30 }, () => der(inter))],
      expect: { status: "invalid", failure: "ta_chain_invalid", matched: null },
    },
    {
      name: "rollover: the second record matches",
      records: () => [tlsaRecordFor(der(leafOther), 3, 1, 1), tlsaRecordFor(der(leafRoot), 3, 1, 1)],
      presented: () => [der(leafRoot)],
      expect: { status: "valid", failure: null, matched: 1 },
    },
    {
      name: "an unusable record that would match is skipped for a usable one",
      records: () => [tlsaRecordFor(der(leafRoot), 1, 1, 1), tlsaRecordFor(der(root), 2, 0, 1)],
      presented: () => [der(leafRoot), der(root)],
      expect: { status: "valid", failure: null, matched: 1 },
    },
    {
      name: "only a PKIX-EE record that would match",
      records: () => [tlsaRecordFor(der(leafRoot), 1, 1, 1)],
      presented: () => [der(leafRoot)],
      expect: { status: "invalid", failure: "all_unusable", matched: null },
    },
    {
      name: "the nearest miss names the failure",
      records: () => [tlsaRecordFor(der(leafInter), 3, 1, 1), tlsaRecordFor(der(root), 2, 0, 1)],
      presented: () => [der(leafOther), der(root)],
      expect: { status: "invalid", failure: "ta_name_mismatch", matched: null },
    },
    {
      name: "no STARTTLS while the records count",
      records: () => [tlsaRecordFor(der(leafRoot), 3, 1, 1)],
      presented: () => null,
      starttlsOffered: false,
      expect: { status: "invalid", failure: "no_starttls", matched: null },
    },
    {
      name: "no certificate seen (the handshake failed): not tested",
      records: () => [tlsaRecordFor(der(leafRoot), 3, 1, 1)],
      presented: () => null,
      starttlsOffered: true,
      expect: { status: null, failure: null, matched: null },
    },
    {
      name: "TLS without a certificate (anonymous cipher)",
      records: () => [tlsaRecordFor(der(leafRoot), 3, 1, 1)],
      presented: () => [],
      expect: { status: "invalid", failure: "no_certificate", matched: null },
    },
    {
      name: "no STARTTLS, TLSA records that do not count",
      records: () => [tlsaRecordFor(der(leafRoot), 3, 1, 1)],
      presented: () => null,
      starttlsOffered: false,
      lookup: { tlsa: "insecure" },
      expect: { status: "insecure", failure: null, matched: null },
    },
  ];
  it.each(cases)("verify - $name", (c) => {
    const records = c.records();
    const fields = verifyDane({
      lookup: lookupOf(records, c.lookup),
      presented: c.presented(),
      starttlsOffered: c.starttlsOffered ?? true,
      ...(c.now ? { now: c.now } : {}),
    });
    expect(
      { status: fields.dane_status, failure: fields.dane_failure, matched: fields.dane_matched },
      fields.dane_detail ?? "",
    ).toEqual({
      status: c.expect.status,
      failure: c.expect.failure,
      matched: c.expect.matched === null ? null : tlsaText(records[c.expect.matched]!),
    });
    expect(fields.dane_tlsa).toEqual(records.map(tlsaText));
    expect(fields.dane_detail).toEqual(expect.any(String));
  });
});
