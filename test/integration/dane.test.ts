/**
 * DANE for SMTP end to end on the lab (RFC 7672): every case of test/lab/dane-cases.ts runs the whole path —
 * lab DNS → MX discovery (shared/dns/mx.ts) → shared/dane/lookup.ts → a real SMTP STARTTLS connection to the
 * case's lab server, keeping the certificates exactly as sent → worker/net/dane-verify.ts — and must produce
 * its exact DANE fields; the domain aggregation must give the case's domain status.
 *
 * Cross-check: where the openssl binary exists, `openssl s_client -starttls smtp -dane_tlsa_domain HOST
 * -dane_tlsa_rrdata RR... -dane_ee_no_namechecks` judges the same server with the same records; its verdict
 * ("Verification: OK") and the record it reports as matched must agree with ours, for every case that uses
 * usages 2 and 3 only (OpenSSL applies PKIX-TA/PKIX-EE records, which SMTP does not).
 */

import { existsSync } from "node:fs";
import type { SecureContext } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DaneLookup, lookupDane } from "../../shared/dane/lookup.js";
import { parseTlsa } from "../../shared/dane/tlsa.js";
import {
  type DaneDomainFields,
  type DaneFailure,
  type DaneHostFields,
  daneDomainVerdict,
} from "../../shared/dane/verdict.js";
import { DnsClient } from "../../shared/dns/client.js";
import { discoverMx } from "../../shared/dns/mx.js";
import { verifyDane } from "../../worker/net/dane-verify.js";
import { createProbeSecureContext } from "../../worker/net/tls-client.js";
import { starttlsFacts } from "../helpers/starttls.js";
import { buildDaneLab, type DaneHostExpect, type DaneLab, type DaneLabCase } from "../lab/dane-cases.js";
import { type LabDns, startLabDns } from "../lab/dns-server.js";
import { createLabCa } from "../lab/pki.js";
import { type LabSmtpServer, startSmtpServer } from "../lab/smtp-server.js";
import { run } from "./real/servers.js";

interface HostResult {
  hostname: string;
  ip: string;
  lookup: DaneLookup;
  fields: DaneHostFields;
  /** The same host verified without the MX answer (a scan's shared host row). */
  hostOnly: DaneHostFields;
}

let lab: DaneLab;
let dns: LabDns;
let client: DnsClient;
let secureContext: SecureContext;
const servers = new Map<string, LabSmtpServer>();
const results = new Map<string, CaseResult>();

interface CaseResult {
  hosts: HostResult[];
  domain: DaneDomainFields;
  /** The domain verdict from host rows made without the MX answer, the MX answer applied per domain. */
  domainFromHostOnly: DaneDomainFields;
}

async function runCase(c: DaneLabCase): Promise<CaseResult> {
  const mx = await discoverMx(client, c.domain);
  const primary = mx.hosts.filter((h) => h.preference === mx.hosts[0]?.preference);
  const hosts: HostResult[] = [];
  for (const h of primary) {
    const lookup = await lookupDane(client, h.hostname, { rcode: mx.rcode, ad: mx.ad });
    const ip = h.addresses[0];
    if (ip === undefined) throw new Error(`${h.hostname}: no address (${h.detail})`);
    const server = servers.get(ip);
    if (!server) throw new Error(`${h.hostname}: no lab server on ${ip}`);
    const seen = await starttlsFacts({ ip, port: server.port, servername: h.hostname, secureContext });
    const presented = seen.facts?.presented ?? null;
    const fields = verifyDane({ lookup, presented, starttlsOffered: seen.starttlsOffered });
    const hostOnly = verifyDane({
      lookup: { ...lookup, mx: null },
      presented,
      starttlsOffered: seen.starttlsOffered,
    });
    hosts.push({ hostname: h.hostname, ip, lookup, fields, hostOnly });
  }
  return {
    hosts,
    domain: daneDomainVerdict(
      mx,
      hosts.map((h) => h.fields),
    ),
    domainFromHostOnly: daneDomainVerdict(
      mx,
      hosts.map((h) => h.hostOnly),
    ),
  };
}

beforeAll(async () => {
  const ca = await createLabCa();
  lab = await buildDaneLab(ca);
  dns = await startLabDns({ zone: lab.zone });
  for (const h of lab.hosts) {
    servers.set(h.ip, await startSmtpServer({ host: h.ip, port: 0, behaviour: h.behaviour }));
  }
  client = new DnsClient({ resolvers: [{ host: dns.host, port: dns.port }], timeoutMs: 1_000, retries: 1 });
  secureContext = createProbeSecureContext([ca.certPem]);
  const done = await Promise.all(lab.cases.map(runCase));
  lab.cases.forEach((c, i) => {
    results.set(c.name, done[i]!);
  });
}, 120_000);

afterAll(async () => {
  client?.close();
  await Promise.all([...servers.values()].map((s) => s.close()));
  await dns?.close();
});

const expectedKeys = (e: DaneHostExpect) => Object.keys(e) as (keyof DaneHostExpect)[];

describe("dane - lab cases", () => {
  // The case list is built at run time (certificates); the names are fixed.
  const NAMES = [
    "dane-ee-311",
    "dane-ee-301",
    "dane-ee-312",
    "dane-ee-300",
    "dane-ee-any-name",
    "dane-ta-201",
    "dane-ta-wrong-name",
    "dane-ta-expired",
    "dane-ta-not-sent",
    "dane-ta-bare-key",
    "dane-mismatch",
    "dane-rollover",
    "dane-insecure",
    "dane-bogus",
    "dane-mx-insecure",
    "dane-addr-insecure",
    "dane-unusable",
    "dane-none",
    "dane-none-nxdomain",
    "dane-tlsa-cname",
    "dane-host-cname",
    "dane-partial",
  ];

  it("dane - every lab case is tested here", () => {
    expect(lab.cases.map((c) => c.name).sort()).toEqual([...NAMES].sort());
  });

  it.each(NAMES)("dane - %s", (name) => {
    const c = lab.cases.find((x) => x.name === name)!;
    const r = results.get(name)!;
    expect(r.hosts.map((h) => h.hostname).sort()).toEqual(Object.keys(c.hosts).sort());
    for (const h of r.hosts) {
      const want = c.hosts[h.hostname]!;
      const got = Object.fromEntries(expectedKeys(want).map((k) => [k, h.fields[k]]));
      expect({ host: h.hostname, ...got }, h.fields.dane_detail ?? "").toEqual({ host: h.hostname, ...want });
      // A verdict always says why.
      expect(h.fields.dane_detail).toEqual(expect.any(String));
    }
    expect(r.domain.dane_status).toBe(c.domainStatus);
    expect(r.domainFromHostOnly).toEqual(r.domain);
    expect(r.domain.dnssec_mx).toBe(Object.values(c.hosts)[0]!.dane_dnssec_mx);
    expect(r.domain.dane_hosts_total).toBe(Object.keys(c.hosts).length);
  });

  it("dane - a CNAME'd TLSA name reports the state of each link", () => {
    const h = results.get("dane-tlsa-cname")!.hosts[0]!;
    const t = h.lookup.tlsa;
    expect(t.cnames).toEqual(["_25._tcp.pool.dane-tlsa-cname.lab.test"]);
    expect(t.links.map((l) => [l.name, l.type, l.rcode, l.state])).toEqual([
      ["_25._tcp.mx.dane-tlsa-cname.lab.test", "CNAME", "NOERROR", "secure"],
      ["_25._tcp.pool.dane-tlsa-cname.lab.test", "TLSA", "NOERROR", "secure"],
    ]);
  });

  it("dane - a secure CNAME'd MX host: the expanded name is the TLSA base domain, tried first", () => {
    const h = results.get("dane-host-cname")!.hosts[0]!;
    expect(h.lookup.address.cnames).toEqual(["real.dane-host-cname.lab.test"]);
    expect(h.lookup.candidates).toEqual(["real.dane-host-cname.lab.test", "mx.dane-host-cname.lab.test"]);
    expect(h.lookup.tried.map((l) => l.name)).toEqual(["_25._tcp.real.dane-host-cname.lab.test"]);
  });

  it("dane - no TLSA at the first name: every candidate is reported", () => {
    const h = results.get("dane-none")!.hosts[0]!;
    expect(h.lookup.tlsa.outcome).toBe("none");
    expect(h.lookup.tlsa.rcode).toBe("NOERROR");
    const nx = results.get("dane-none-nxdomain")!.hosts[0]!;
    expect(nx.lookup.tlsa.rcode).toBe("NXDOMAIN");
  });

  it("dane - MX without AD: the host row alone says valid, the domain does not count it", () => {
    const r = results.get("dane-mx-insecure")!;
    expect(r.hosts[0]!.hostOnly.dane_status).toBe("valid");
    expect(r.hosts[0]!.fields.dane_status).toBe("insecure");
    expect(r.domain).toMatchObject({ dnssec_mx: "insecure", dane_status: "insecure", dane_hosts_valid: 0 });
  });

  it("dane - single-record note: per host, and for the domain when some primary host has one usable record", () => {
    expect(results.get("dane-ee-311")!.domain.dane_single_record_note).toBe(true);
    expect(results.get("dane-rollover")!.domain.dane_single_record_note).toBe(false);
    expect(results.get("dane-partial")!.domain).toMatchObject({
      dane_status: "none",
      dane_single_record_note: true,
      dane_hosts_total: 2,
      dane_hosts_valid: 1,
    });
  });
});

/** `openssl s_client` with DANE: its verdict and the record it says matched. */
async function opensslDane(ip: string, port: number, host: string, rrdata: string[]) {
  const args = [
    "20",
    "openssl",
    "s_client",
    "-starttls",
    "smtp",
    "-connect",
    `${ip}:${port}`,
    "-servername",
    host,
    "-name",
    "dane.mxsurvey.test",
    "-dane_tlsa_domain",
    host,
    ...rrdata.flatMap((rr) => ["-dane_tlsa_rrdata", rr]),
    "-dane_ee_no_namechecks",
    "-crlf",
  ];
  const r = await run("timeout", args, { timeoutMs: 30_000, input: "QUIT\n" });
  const out = r.stdout + r.stderr;
  const ok = /^Verification: OK$/m.test(out);
  const failed = /^Verification error: (.*)$/m.exec(out)?.[1] ?? null;
  // "DANE TLSA 3 1 1 ...d0b3f8e3 matched EE certificate at depth 0", "DANE TLSA 2 1 0 ...0001 signed the
  // certificate at depth 0" (a bare key); OpenSSL shortens long data to its last bytes after "...".
  const m = /^DANE TLSA (\d) (\d) (\d) (\S+) ((?:matched|signed) .*)$/m.exec(out);
  return {
    ok,
    failed,
    matched: m ? { fields: `${m[1]} ${m[2]} ${m[3]}`, data: m[4]!, what: m[5]! } : null,
    out,
  };
}

/** OpenSSL's verify error for a failed DANE check, as our dane_failure. */
const OPENSSL_FAILURES: [RegExp, DaneFailure][] = [
  [/^no matching DANE TLSA records$/, "no_match"],
  // DANE-TA: the anchor is not among the certificates sent, so the leaf's issuer is nowhere
  [/^unable to verify the first certificate$/, "no_match"],
  [/^unable to get local issuer certificate$/, "no_match"],
  [/^certificate has expired$/, "ta_expired"],
  [/^hostname mismatch$/, "ta_name_mismatch"],
];

const haveOpenssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].some((p) => existsSync(p));

describe.runIf(haveOpenssl)("dane - openssl s_client agrees", () => {
  const CASES = [
    "dane-ee-311",
    "dane-ee-301",
    "dane-ee-312",
    "dane-ee-300",
    "dane-ee-any-name",
    "dane-ta-201",
    "dane-ta-wrong-name",
    "dane-ta-expired",
    "dane-ta-not-sent",
    "dane-ta-bare-key",
    "dane-mismatch",
    "dane-rollover",
  ];

  it("dane - openssl cross-check covers every case marked for it", () => {
    expect(
      lab.cases
        .filter((c) => c.openssl)
        .map((c) => c.name)
        .sort(),
    ).toEqual([...CASES].sort());
  });

  it.each(CASES)("dane - openssl on %s", async (name) => {
    const c = lab.cases.find((x) => x.name === name)!;
    const h = results.get(name)!.hosts[0]!;
    const rrdata = h.fields.dane_tlsa;
    const o = await opensslDane(h.ip, servers.get(h.ip)!.port, c.openssl!.host, rrdata);
    const ours = h.fields.dane_status === "valid";
    expect({ verified: o.ok, failed: o.failed !== null }, o.out).toEqual({ verified: ours, failed: !ours });
    if (process.env.DANE_OPENSSL_LOG) {
      const lines = o.out.split("\n").filter((l) => /^(Verification|Verified peername|DANE TLSA)/.test(l));
      console.log(`${name}: ours ${h.fields.dane_status}/${h.fields.dane_failure} | ${lines.join(" | ")}`);
    }
    if (!ours) {
      const mapped = OPENSSL_FAILURES.find(([re]) => re.test(o.failed ?? ""))?.[1] ?? `openssl: ${o.failed}`;
      expect(mapped).toBe(h.fields.dane_failure);
    } else {
      const matched = parseTlsa(h.fields.dane_matched!)!;
      expect(o.matched?.fields, o.out).toBe(`${matched.usage} ${matched.selector} ${matched.matchingType}`);
      // OpenSSL prints long data as "...tail" (or head...tail): both ends must be ours.
      const [head, tail] = o.matched!.data.toLowerCase().split("...");
      expect(matched.data.startsWith(head!)).toBe(true);
      if (tail !== undefined) expect(matched.data.endsWith(tail)).toBe(true);
    }
  });
});
