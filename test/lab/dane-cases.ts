/**
 * The lab's DANE cases (RFC 7672): zone entries (MX, A, CNAME and `_25._tcp` TLSA names, with the AD flag set
 * as a validating resolver would) and the SMTP hosts to start, one mail domain per case, each with a one-line
 * why and the exact DANE fields it must produce. TLSA data is computed from certificates generated here with
 * `freshKey: true` (a pooled key would give two hosts the same SPKI hash), so the cases are built at run time:
 * `buildDaneLab(ca)` returns plain data for the lab world (test/lab/world.ts) or a test to start.
 *
 * TLSA names use port 25 whatever port the lab SMTP servers listen on: the name is what senders look up.
 */

import type { DnssecState } from "../../shared/dane/dnssec.js";
import { type TlsaRecord, tlsaText } from "../../shared/dane/tlsa.js";
import type { DaneFailure, DaneStatus } from "../../shared/dane/verdict.js";
import { tlsaRecordFor } from "../../worker/net/dane-verify.js";
import type { LabDnsName, LabZone } from "./dns-server.js";
import { issueLeaf, type LabCa, type LabLeaf, type LeafSpec } from "./pki.js";
import type { SmtpBehaviour } from "./smtp-server.js";

const DAY = 86_400_000;

/** One SMTP server to start. */
export interface DaneLabHost {
  caseName: string;
  /** The name whose A record points at the server (for a CNAME'd MX host, the CNAME's target). */
  hostname: string;
  ip: string;
  leaf: LabLeaf;
  /** Behaviour for startSmtpServer, TLS included. */
  behaviour: SmtpBehaviour;
}

export interface DaneHostExpect {
  dane_status: DaneStatus | null;
  dane_failure: DaneFailure | null;
  dane_tlsa: string[];
  dane_matched: string | null;
  dane_unusable: string[];
  dane_base_domain: string | null;
  dane_single_record_note: boolean;
  dane_dnssec_mx: DnssecState | null;
  dane_dnssec_addr: DnssecState | null;
  dane_dnssec_tlsa: DnssecState | null;
}

export interface DaneLabCase {
  name: string;
  domain: string;
  why: string;
  /** Expected DANE fields per MX host name (every host here is a primary MX host). */
  hosts: Record<string, DaneHostExpect>;
  domainStatus: DaneStatus | null;
  /**
   * For the openssl cross-check (`s_client -dane_tlsa_domain NAME -dane_tlsa_rrdata RR...`), when the case
   * is one OpenSSL can judge the way RFC 7672 does (usages 2 and 3, records that count): the host to ask.
   */
  openssl?: { host: string };
}

export interface DaneLab {
  /** Zone entries keyed by absolute name: merge them into the lab zone. */
  zone: LabZone;
  hosts: DaneLabHost[];
  cases: DaneLabCase[];
}

export interface DaneLabOptions {
  /** Parent domain of the cases' domains, default "lab.test". */
  suffix?: string;
  /** The address of the n-th DANE host, default 127.0.72.(n+1). */
  address?: (n: number) => string;
}

const EC: LeafSpec["key"] = { type: "ec", curve: "P-256" };
const text = (records: TlsaRecord[]): string[] => records.map(tlsaText);

/** Build the DANE cases under `ca` (the lab CA that issues the leaves; DANE-TA records name it). */
export async function buildDaneLab(ca: LabCa, opts: DaneLabOptions = {}): Promise<DaneLab> {
  const suffix = opts.suffix ?? "lab.test";
  const address = opts.address ?? ((n: number) => `127.0.72.${n + 1}`);
  const zone: LabZone = {};
  const hosts: DaneLabHost[] = [];
  const cases: DaneLabCase[] = [];
  const put = (name: string, entry: LabDnsName): void => {
    zone[name] = { ...(zone[name] ?? {}), ...entry };
  };
  const leafFor = (names: string[], extra: Omit<LeafSpec, "names"> = {}): Promise<LabLeaf> =>
    issueLeaf(ca, { key: EC, ...extra, names, freshKey: true });
  const server = (caseName: string, hostname: string, leaf: LabLeaf, sendChain = true): void => {
    const ip = address(hosts.length);
    put(hostname, { A: [ip], ad: true });
    hosts.push({
      caseName,
      hostname,
      ip,
      leaf,
      behaviour: { hostname, tls: { key: leaf.keyPem, cert: sendChain ? leaf.chainPem : leaf.certPem } },
    });
  };
  const expect = (e: Partial<DaneHostExpect> & Pick<DaneHostExpect, "dane_status">): DaneHostExpect => ({
    dane_failure: null,
    dane_tlsa: [],
    dane_matched: null,
    dane_unusable: [],
    dane_base_domain: null,
    dane_single_record_note: false,
    dane_dnssec_mx: "secure",
    dane_dnssec_addr: "secure",
    dane_dnssec_tlsa: "secure",
    ...e,
  });

  /**
   * The usual shape: `mx.<domain>` is the one MX host; its server presents `leaf` (leaf + CA unless
   * sendChain is false); `_25._tcp.mx.<domain>` holds `records` (omitted: no TLSA name at all).
   */
  const simple = async (c: {
    name: string;
    why: string;
    leaf?: (host: string) => Promise<LabLeaf>;
    records?: (leaf: LabLeaf, host: string) => Promise<TlsaRecord[]> | TlsaRecord[];
    sendChain?: boolean;
    mxAd?: boolean;
    addrAd?: boolean;
    tlsaEntry?: Partial<LabDnsName>;
    expect: (records: TlsaRecord[], host: string) => DaneHostExpect;
    openssl?: boolean;
  }): Promise<void> => {
    const domain = `${c.name}.${suffix}`;
    const host = `mx.${domain}`;
    const leaf = await (c.leaf ?? ((h: string) => leafFor([h])))(host);
    put(domain, { MX: [{ preference: 10, exchange: host }], ad: c.mxAd ?? true });
    server(c.name, host, leaf, c.sendChain ?? true);
    if (c.addrAd === false) put(host, { ad: false });
    const records = c.records ? await c.records(leaf, host) : [];
    if (c.records || c.tlsaEntry) {
      put(`_25._tcp.${host}`, {
        TLSA: records.map((r) => ({ ...r, certificate: r.data })),
        ad: true,
        ...c.tlsaEntry,
      });
    }
    const e = c.expect(records, host);
    cases.push({
      name: c.name,
      domain,
      why: c.why,
      hosts: { [host]: e },
      domainStatus: e.dane_status,
      ...(c.openssl ? { openssl: { host } } : {}),
    });
  };
  const ee = (sel: number, mt: number) => (leaf: LabLeaf) => [tlsaRecordFor(leaf.certDer, 3, sel, mt)];
  const ta = (sel: number, mt: number) => () => [tlsaRecordFor(ca.certDer, 2, sel, mt)];
  const validOne =
    (base: string | null = null) =>
    (records: TlsaRecord[], host: string) =>
      expect({
        dane_status: "valid",
        dane_tlsa: text(records),
        dane_matched: tlsaText(records[0]!),
        dane_base_domain: base ?? host,
        dane_single_record_note: true,
      });

  for (const [sel, mt] of [
    [1, 1],
    [0, 1],
    [1, 2],
    [0, 0],
  ] as const) {
    await simple({
      name: `dane-ee-${3}${sel}${mt}`,
      why: `DANE-EE ${sel === 0 ? "Cert" : "SPKI"} ${["Full", "SHA2-256", "SHA2-512"][mt]} (3 ${sel} ${mt}) matching the leaf`,
      records: ee(sel, mt),
      expect: validOne(),
      openssl: true,
    });
  }
  await simple({
    name: "dane-ee-any-name",
    why: "DANE-EE 3 1 1: an expired leaf naming another host still authenticates (RFC 7672 §3.1.1)",
    leaf: () =>
      leafFor(["elsewhere.example"], {
        notBefore: new Date(Date.now() - 400 * DAY),
        notAfter: new Date(Date.now() - 30 * DAY),
      }),
    records: ee(1, 1),
    expect: validOne(),
    openssl: true,
  });
  await simple({
    name: "dane-ta-201",
    why: "DANE-TA 2 0 1 naming the lab CA, which the server sends; the leaf names the MX host",
    records: ta(0, 1),
    expect: validOne(),
    openssl: true,
  });
  await simple({
    name: "dane-ta-wrong-name",
    why: "DANE-TA 2 0 1, chain fine, but the leaf names another host (RFC 7672 §3.2.2 name check)",
    leaf: () => leafFor(["wrong.lab.test"]),
    records: ta(0, 1),
    expect: (records, host) =>
      expect({
        dane_status: "invalid",
        dane_failure: "ta_name_mismatch",
        dane_tlsa: text(records),
        dane_base_domain: host,
        dane_single_record_note: true,
      }),
    openssl: true,
  });
  await simple({
    name: "dane-ta-expired",
    why: "DANE-TA 2 0 1 with an expired leaf: DANE-TA checks dates (RFC 7672 §3.1.2)",
    leaf: (h) =>
      leafFor([h], {
        notBefore: new Date(Date.now() - 400 * DAY),
        notAfter: new Date(Date.now() - 30 * DAY),
      }),
    records: ta(0, 1),
    expect: (records, host) =>
      expect({
        dane_status: "invalid",
        dane_failure: "ta_expired",
        dane_tlsa: text(records),
        dane_base_domain: host,
        dane_single_record_note: true,
      }),
    openssl: true,
  });
  await simple({
    name: "dane-ta-not-sent",
    why: "DANE-TA 2 0 1 but the server sends the leaf alone: the trust anchor must be in the chain (RFC 7671 §5.2.2)",
    records: ta(0, 1),
    sendChain: false,
    expect: (records, host) =>
      expect({
        dane_status: "invalid",
        dane_failure: "no_match",
        dane_tlsa: text(records),
        dane_base_domain: host,
        dane_single_record_note: true,
      }),
    openssl: true,
  });
  await simple({
    name: "dane-ta-bare-key",
    why: "DANE-TA 2 1 0: the CA's public key itself, which the server need not send (leaf only)",
    records: ta(1, 0),
    sendChain: false,
    expect: validOne(),
    openssl: true,
  });
  await simple({
    name: "dane-mismatch",
    why: "DANE-EE 3 1 1 of another key: the records count and nothing matches",
    records: async () => [tlsaRecordFor((await leafFor(["other.lab.test"])).certDer, 3, 1, 1)],
    expect: (records, host) =>
      expect({
        dane_status: "invalid",
        dane_failure: "no_match",
        dane_tlsa: text(records),
        dane_base_domain: host,
        dane_single_record_note: true,
      }),
    openssl: true,
  });
  await simple({
    name: "dane-rollover",
    why: "two DANE-EE records (the next key published ahead, then the current one): the second matches",
    records: async (leaf) => [
      tlsaRecordFor((await leafFor(["next.lab.test"])).certDer, 3, 1, 1),
      tlsaRecordFor(leaf.certDer, 3, 1, 1),
    ],
    expect: (records, host) =>
      expect({
        dane_status: "valid",
        dane_tlsa: text(records),
        dane_matched: tlsaText(records[1]!),
        dane_base_domain: host,
      }),
    openssl: true,
  });
  await simple({
    name: "dane-insecure",
    why: "matching TLSA records without the AD flag: they do not count",
    records: ee(1, 1),
    tlsaEntry: { ad: false },
    expect: (records, host) =>
      expect({
        dane_status: "insecure",
        dane_tlsa: text(records),
        dane_base_domain: host,
        dane_single_record_note: true,
        dane_dnssec_tlsa: "insecure",
      }),
  });
  await simple({
    name: "dane-bogus",
    why: "the TLSA lookup fails with SERVFAIL (what a validating resolver says for bogus data)",
    tlsaEntry: { rcode: "SERVFAIL" },
    expect: () => expect({ dane_status: "bogus", dane_dnssec_tlsa: "bogus" }),
  });
  await simple({
    name: "dane-mx-insecure",
    why: "secure, matching TLSA records, but the MX answer has no AD flag: the MX host could be forged",
    records: ee(1, 1),
    mxAd: false,
    expect: (records, host) =>
      expect({
        dane_status: "insecure",
        dane_tlsa: text(records),
        dane_base_domain: host,
        dane_single_record_note: true,
        dane_dnssec_mx: "insecure",
      }),
  });
  await simple({
    name: "dane-addr-insecure",
    why: "secure, matching TLSA records, but the MX host's A record has no AD flag",
    records: ee(1, 1),
    addrAd: false,
    expect: (records, host) =>
      expect({
        dane_status: "insecure",
        dane_tlsa: text(records),
        dane_base_domain: host,
        dane_single_record_note: true,
        dane_dnssec_addr: "insecure",
      }),
  });
  await simple({
    name: "dane-unusable",
    why: "only PKIX-TA and PKIX-EE records (usages 0 and 1), unusable for SMTP (RFC 7672 §3.1.3)",
    records: (leaf) => [tlsaRecordFor(ca.certDer, 0, 0, 1), tlsaRecordFor(leaf.certDer, 1, 1, 1)],
    expect: (records, host) =>
      expect({
        dane_status: "invalid",
        dane_failure: "all_unusable",
        dane_tlsa: text(records),
        dane_unusable: text(records),
        dane_base_domain: host,
      }),
  });
  await simple({
    name: "dane-none",
    why: "a signed zone without TLSA records at the MX host (secure NODATA)",
    tlsaEntry: {},
    expect: () => expect({ dane_status: "none" }),
  });
  await simple({
    name: "dane-none-nxdomain",
    why: "no TLSA name at all (NXDOMAIN, no AD in the lab: an insecure denial)",
    expect: () => expect({ dane_status: "none", dane_dnssec_tlsa: "insecure" }),
  });

  // The TLSA name is an alias: _25._tcp.mx.<domain> CNAME _25._tcp.pool.<domain>, every link signed.
  {
    const name = "dane-tlsa-cname";
    const domain = `${name}.${suffix}`;
    const host = `mx.${domain}`;
    const leaf = await leafFor([host]);
    const records = [tlsaRecordFor(leaf.certDer, 3, 1, 1)];
    put(domain, { MX: [{ preference: 10, exchange: host }], ad: true });
    server(name, host, leaf);
    put(`_25._tcp.${host}`, { CNAME: `_25._tcp.pool.${domain}`, ad: true });
    put(`_25._tcp.pool.${domain}`, { TLSA: records.map((r) => ({ ...r, certificate: r.data })), ad: true });
    cases.push({
      name,
      domain,
      why: "the TLSA name is a CNAME to a shared TLSA RRset; every link is secure",
      hosts: { [host]: validOne()(records, host) },
      domainStatus: "valid",
    });
  }
  // The MX host is a secure CNAME: the TLSA base domain is the expanded name first (RFC 7672 §2.2.3), and a
  // DANE-TA leaf naming only the original MX host name passes the name check (§3.2.2).
  {
    const name = "dane-host-cname";
    const domain = `${name}.${suffix}`;
    const host = `mx.${domain}`;
    const real = `real.${domain}`;
    const leaf = await leafFor([host]);
    const records = [tlsaRecordFor(ca.certDer, 2, 0, 1)];
    put(domain, { MX: [{ preference: 10, exchange: host }], ad: true });
    put(host, { CNAME: real, ad: true });
    server(name, real, leaf);
    put(`_25._tcp.${real}`, { TLSA: records.map((r) => ({ ...r, certificate: r.data })), ad: true });
    cases.push({
      name,
      domain,
      why: "the MX host is a secure CNAME: TLSA at the expanded name, the leaf names the original MX host",
      hosts: { [host]: validOne(real)(records, host) },
      domainStatus: "valid",
    });
  }
  // Two primary MX hosts, one with valid DANE, one without TLSA: the domain is not DANE-protected.
  {
    const name = "dane-partial";
    const domain = `${name}.${suffix}`;
    const mx1 = `mx1.${domain}`;
    const mx2 = `mx2.${domain}`;
    const leaf1 = await leafFor([mx1]);
    const records = [tlsaRecordFor(leaf1.certDer, 3, 1, 1)];
    put(domain, {
      MX: [
        { preference: 10, exchange: mx1 },
        { preference: 10, exchange: mx2 },
      ],
      ad: true,
    });
    server(name, mx1, leaf1);
    server(name, mx2, await leafFor([mx2]));
    put(`_25._tcp.${mx1}`, { TLSA: records.map((r) => ({ ...r, certificate: r.data })), ad: true });
    put(`_25._tcp.${mx2}`, { ad: true });
    cases.push({
      name,
      domain,
      why: "two primary MX hosts, only one with DANE: the domain is as protected as its weakest host",
      hosts: { [mx1]: validOne()(records, mx1), [mx2]: expect({ dane_status: "none" }) },
      domainStatus: "none",
    });
  }
  return { zone, hosts, cases };
}
