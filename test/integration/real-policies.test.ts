/**
 * mxsurvey's DNSSEC, DANE, MTA-STS and TLS-RPT facts against real servers that no one here wrote, compared with
 * what `dig +dnssec`, `curl` and `openssl s_client -dane_tlsa_*` say about the same servers:
 *
 * - NSD (authoritative) serves sec.lab.test, signed by ldns-signzone with a fresh KSK and ZSK, and the unsigned
 *   zone plain.lab.test, on 127.0.6.53;
 * - unbound (validating resolver) on 127.0.6.54 knows only stub zones to NSD and the KSK's DS record as the
 *   trust anchor of sec.lab.test (plain.lab.test is domain-insecure; no root hints, no forwarders): the AD flag
 *   mxsurvey sees comes from unbound's own validation;
 * - nginx serves the MTA-STS policy of sec.lab.test over HTTPS on 127.0.6.2 with a lab certificate;
 * - Postfix is the MX of every domain, with one lab certificate, on 127.0.6.1, .3, .4, .5.
 * mxsurvey only ever talks to unbound (never the system resolver): the test checks that unbound logged its
 * query for mta-sts.sec.lab.test.
 *
 * The layout:
 *   sec.lab.test        signed  MX mx.sec.lab.test (127.0.6.1), TLSA 3 1 1 <Postfix leaf SPKI>  → DANE valid
 *                               _mta-sts TXT, mta-sts A 127.0.6.2 (nginx), policy enforce    → MTA-STS valid
 *                               _smtp._tls TXT v=TLSRPTv1; rua=mailto:...                    → TLS-RPT valid
 *   bad.sec.lab.test    signed  MX mx.bad.sec.lab.test (127.0.6.3), TLSA 3 1 1 <another key> → DANE invalid
 *   bogus.sec.lab.test  signed  MX mx.bogus.sec.lab.test (127.0.6.5), TLSA altered after signing (its RRSIG
 *                               no longer verifies: unbound answers SERVFAIL)                → DANE bogus
 *   plain.lab.test      unsigned MX mx.plain.lab.test (127.0.6.4), TLSA 3 1 1 <right key>   → DANE insecure
 *
 * Everything stays on loopback, random ports, one private temporary directory per run. When the servers cannot
 * be installed (test/integration/real/install-deps.sh, install-policy-deps.sh: Debian's packages, needs root)
 * the tests fail, unless MXSURVEY_SKIP_REAL_SERVERS=1, which turns the failure into a printed skip.
 */

import { createHash, X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DomainRow } from "../../shared/schema/domain-row.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { createLabCa, issueLeaf } from "../lab/pki.js";
import { installPolicyDeps, signZone, startNginx, startUnbound } from "./real/policy-servers.js";
import {
  curlGet,
  type DigAnswer,
  digDnssec,
  digTlsa,
  digTxt,
  readPolicyBody,
  sClientDane,
} from "./real/policy-tools.js";
import {
  cleanupLeftovers,
  describeRun,
  ensureBuilt,
  type ForegroundServer,
  installDeps,
  makeRunDir,
  type RealDns,
  type RealPostfix,
  run,
  runStops,
  startNsdZones,
  startPostfix,
  stopRunDir,
} from "./real/servers.js";

const ZONE = "sec.lab.test";
const BAD = `bad.${ZONE}`;
const BOGUS = `bogus.${ZONE}`;
const PLAIN = "plain.lab.test";
const DOMAINS = [ZONE, BAD, BOGUS, PLAIN];
const AUTH_ADDRESS = "127.0.6.53";
const RESOLVER_ADDRESS = "127.0.6.54";
const STS_HOST = `mta-sts.${ZONE}`;
const STS_ADDRESS = "127.0.6.2";
const STS_ID = "2026112401";
const RUA = `mailto:tlsrpt@${ZONE}`;
const PLAIN_RUA = `mailto:tlsrpt@${PLAIN}`;
const EHLO_NAME = "test.mxsurvey.test";
const POLICY_BODY = ["version: STSv1", "mode: enforce", `mx: mx.${ZONE}`, "max_age: 604800", ""].join("\r\n");

interface MxHost {
  name: string;
  ip: string;
  domain: string;
  /** What mxsurvey must report for the host's DANE. */
  dane: "valid" | "invalid" | "bogus" | "insecure";
}

const HOSTS: MxHost[] = [
  { name: `mx.${ZONE}`, ip: "127.0.6.1", domain: ZONE, dane: "valid" },
  { name: `mx.${BAD}`, ip: "127.0.6.3", domain: BAD, dane: "invalid" },
  { name: `mx.${BOGUS}`, ip: "127.0.6.5", domain: BOGUS, dane: "bogus" },
  { name: `mx.${PLAIN}`, ip: "127.0.6.4", domain: PLAIN, dane: "insecure" },
];

function hex64(n: number): string {
  return n.toString(16).padStart(2, "0").repeat(32);
}

/** The signed zone, before signing; GOOD and WRONG are `3 1 1` data. BOGUS's TLSA is altered after signing. */
function signedZoneText(good: string, wrong: string): string {
  return `$ORIGIN ${ZONE}.
$TTL 300
@            IN SOA  ns.${ZONE}. hostmaster.${ZONE}. 1 3600 600 86400 300
@            IN NS   ns.${ZONE}.
ns           IN A    ${AUTH_ADDRESS}
@            IN MX   10 mx.${ZONE}.
mx           IN A    127.0.6.1
_25._tcp.mx  IN TLSA 3 1 1 ${good}
_mta-sts     IN TXT  "v=STSv1; id=${STS_ID}"
mta-sts      IN A    ${STS_ADDRESS}
_smtp._tls   IN TXT  "v=TLSRPTv1; rua=${RUA}"
bad              IN MX   10 mx.bad.${ZONE}.
mx.bad           IN A    127.0.6.3
_25._tcp.mx.bad  IN TLSA 3 1 1 ${wrong}
bogus              IN MX   10 mx.bogus.${ZONE}.
mx.bogus           IN A    127.0.6.5
_25._tcp.mx.bogus  IN TLSA 3 1 1 ${good}
`;
}

function plainZoneText(good: string): string {
  return `$ORIGIN ${PLAIN}.
$TTL 300
@            IN SOA  ns.${PLAIN}. hostmaster.${PLAIN}. 1 3600 600 86400 300
@            IN NS   ns.${PLAIN}.
ns           IN A    ${AUTH_ADDRESS}
@            IN MX   10 mx.${PLAIN}.
mx           IN A    127.0.6.4
_25._tcp.mx  IN TLSA 3 1 1 ${good}
_smtp._tls   IN TXT  "v=TLSRPTv1; rua=${PLAIN_RUA}"
`;
}

interface CheckLine {
  domain: DomainRow;
  hosts: HostRow[];
}

let skipReason: string | null = null;
let runDir: string | null = null;
let auth: RealDns | null = null;
let resolver: RealDns | null = null;
let nginx: ForegroundServer | null = null;
let postfix: RealPostfix | null = null;
let cliPath = "";
let caFile = "";
/** sha256 of the Postfix leaf's SPKI (the right TLSA data) and of the nginx leaf's (the wrong one). */
let goodSpki = "";
let wrongSpki = "";
let bogusData = "";
let ds = "";
const checks = new Map<string, CheckLine>();

function spkiSha256(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("hex");
}

function cliFlags(): string[] {
  return [
    "--resolver",
    resolver!.resolver,
    "--ca-file",
    caFile,
    "--allow-private-targets",
    "--https-port",
    String(nginx!.port),
    "--smtp-port",
    String(postfix!.port),
    "--ehlo-name",
    EHLO_NAME,
  ];
}

async function checkJson(domain: string): Promise<CheckLine> {
  const args = [cliPath, "check", domain, ...cliFlags(), "--json"];
  const r = await run(process.execPath, args, { timeoutMs: 120_000 });
  console.log(`$ node ${args.map((a) => a.replace(runDir ?? "\0", "$TMP")).join(" ")}  # ${r.ms} ms`);
  if (r.code !== 0) throw new Error(describeRun(`mxsurvey check ${domain} --json`, r));
  const lines = r.stdout.split("\n").filter((l) => l.trim() !== "");
  if (lines.length !== 1)
    throw new Error(`mxsurvey check ${domain} --json printed ${lines.length} lines:\n${r.stdout}`);
  return JSON.parse(lines[0]!) as CheckLine;
}

function check(domain: string): CheckLine {
  const c = checks.get(domain);
  if (!c) throw new Error(`no mxsurvey result for ${domain}`);
  return c;
}

function hostRow(h: MxHost): HostRow {
  const rows = check(h.domain).hosts.filter((r) => r.hostname === h.name);
  expect(rows, `host rows of ${h.name} in ${h.domain}`).toHaveLength(1);
  return rows[0]!;
}

function dig(name: string, type: string, opts: { cd?: boolean } = {}): Promise<DigAnswer> {
  return digDnssec(RESOLVER_ADDRESS, resolver!.port, name, type, opts);
}

function show(a: DigAnswer): string {
  return `dig ${a.args.join(" ")}: status ${a.status}, flags ${a.flags.join(" ")}, ${a.answers.length} answer(s)`;
}

describe("mxsurvey check against real DNSSEC, DANE and MTA-STS servers (NSD, unbound, nginx, Postfix)", () => {
  beforeAll(async () => {
    const installs = [await installDeps(), await installPolicyDeps()];
    for (const i of installs) console.log(`${i.ms} ms: ${i.message.split("\n")[0]}`);
    const failed = installs.find((i) => !i.ok);
    if (failed) {
      const reason = `real servers unavailable: postfix, nsd, unbound, nginx, ldnsutils, dig, curl or openssl missing and not installable from Debian's packages.\n${failed.message}`;
      if (process.env["MXSURVEY_SKIP_REAL_SERVERS"] === "1") {
        skipReason = reason;
        console.warn(`SKIPPING the real-policies tests (MXSURVEY_SKIP_REAL_SERVERS=1): ${reason}`);
        return;
      }
      throw new Error(`${reason}\nSet MXSURVEY_SKIP_REAL_SERVERS=1 to skip these tests instead of failing.`);
    }
    cliPath = await ensureBuilt();
    const stale = await cleanupLeftovers();
    if (stale.length > 0) console.log(`cleaned up after earlier runs: ${stale.join(", ")}`);

    const started = Date.now();
    runDir = makeRunDir();
    try {
      const ca = await createLabCa();
      const mxLeaf = await issueLeaf(ca, { names: HOSTS.map((h) => h.name), freshKey: true });
      const stsLeaf = await issueLeaf(ca, { names: [STS_HOST], freshKey: true });
      caFile = join(runDir, "ca.pem");
      writeFileSync(caFile, ca.certPem);
      const write = (name: string, text: string, mode = 0o644) => {
        const file = join(runDir!, name);
        writeFileSync(file, text, { mode });
        return file;
      };
      const mxChain = write("mx-chain.pem", mxLeaf.chainPem);
      const mxKey = write("mx-key.pem", mxLeaf.keyPem, 0o600);
      const stsChain = write("sts-chain.pem", stsLeaf.chainPem);
      const stsKey = write("sts-key.pem", stsLeaf.keyPem, 0o600);
      goodSpki = spkiSha256(mxLeaf.certPem);
      wrongSpki = spkiSha256(stsLeaf.certPem);
      // What the bogus host's TLSA record says once altered: any other digest, its RRSIG no longer verifies.
      bogusData = hex64(0xb0);

      // The zones: sec.lab.test signed by ldns, then the bogus record altered in the signed file.
      const dnssecDir = join(runDir, "dnssec");
      mkdirSync(dnssecDir, { recursive: true });
      const zoneFile = join(dnssecDir, `${ZONE}.zone`);
      writeFileSync(zoneFile, signedZoneText(goodSpki, wrongSpki));
      const signed = await signZone(dnssecDir, ZONE, zoneFile);
      ds = signed.ds;
      const signedText = readFileSync(signed.file, "utf8");
      const bogusLine = new RegExp(
        `^(_25\\._tcp\\.mx\\.bogus\\.${ZONE.replaceAll(".", "\\.")}\\.\\s.*TLSA\\s+3 1 1 )${goodSpki}$`,
        "mi",
      );
      if (!bogusLine.test(signedText)) throw new Error(`no bogus TLSA line in ${signed.file}`);
      writeFileSync(signed.file, signedText.replace(bogusLine, `$1${bogusData}`));

      auth = await startNsdZones(join(runDir, "nsd"), AUTH_ADDRESS, [
        { name: ZONE, file: signed.file },
        { name: PLAIN, text: plainZoneText(goodSpki) },
      ]);
      resolver = await startUnbound({
        dir: join(runDir, "unbound"),
        address: RESOLVER_ADDRESS,
        auth,
        trustAnchorFile: signed.trustAnchorFile,
        signedZone: ZONE,
        unsignedZones: [PLAIN],
      });
      const webroot = join(runDir, "www");
      mkdirSync(join(webroot, ".well-known"), { recursive: true });
      writeFileSync(join(webroot, ".well-known", "mta-sts.txt"), POLICY_BODY);
      nginx = await startNginx({
        dir: join(runDir, "nginx"),
        address: STS_ADDRESS,
        serverName: STS_HOST,
        chainFile: stsChain,
        keyFile: stsKey,
        webroot,
      });
      postfix = await startPostfix(
        join(runDir, "postfix"),
        mxChain,
        mxKey,
        undefined,
        HOSTS.map((h) => ({ ip: h.ip, name: h.name })),
      );
      console.log(
        `trust anchor ${ds}\nNSD on ${auth.resolver}, unbound on ${resolver.resolver}, nginx on ` +
          `${STS_ADDRESS}:${nginx.port}, Postfix on 127.0.6.1,3,4,5:${postfix.port}, up in ${Date.now() - started} ms`,
      );

      for (const domain of DOMAINS) checks.set(domain, await checkJson(domain));
    } catch (err) {
      await stopAll();
      throw err;
    }
  }, 600_000);

  async function stopAll(): Promise<void> {
    try {
      await runStops([
        () => postfix?.stop(),
        () => nginx?.stop(),
        () => resolver?.stop(),
        () => auth?.stop(),
        () => (runDir ? stopRunDir(runDir) : undefined),
      ]);
    } finally {
      postfix = null;
      nginx = null;
      resolver = null;
      auth = null;
      runDir = null;
    }
  }

  afterAll(stopAll, 120_000);

  beforeEach((ctx) => {
    if (skipReason !== null) ctx.skip(skipReason);
  });

  it("the resolver validates: AD on the signed zone's answers, none on the unsigned zone's, none from NSD itself", async () => {
    const signedMx = await dig(ZONE, "MX");
    expect(signedMx.status, show(signedMx)).toBe("NOERROR");
    expect(signedMx.ad, show(signedMx)).toBe(true);
    expect(signedMx.rrsigs.length, show(signedMx)).toBeGreaterThan(0);
    const plainMx = await dig(PLAIN, "MX");
    expect(plainMx.status, show(plainMx)).toBe("NOERROR");
    expect(plainMx.ad, show(plainMx)).toBe(false);
    // The authoritative server sets no AD: the flag comes from unbound's validation.
    const direct = await digDnssec(AUTH_ADDRESS, auth!.port, ZONE, "MX");
    expect(direct.ad, show(direct)).toBe(false);
    expect(direct.flags).toContain("aa");
    // Nothing outside our zones resolves: no root hints, no forwarders.
    const outside = await dig("example.com", "A");
    expect(outside.answers, show(outside)).toEqual([]);
    expect(outside.status, show(outside)).not.toBe("NOERROR");
  });

  it.each(DOMAINS)("%s: mx_ad and dnssec_mx follow the AD flag of dig's MX answer", async (domain) => {
    const a = await dig(domain, "MX");
    const row = check(domain).domain;
    console.log(
      `${domain} MX: dig status ${a.status} flags [${a.flags.join(" ")}] ${a.answers.map((x) => x.data).join(", ")} | ` +
        `mxsurvey: mx_ad=${row.mx_ad} dnssec_mx=${row.dnssec_mx} mx_hosts=${row.mx_hosts.join(",")}`,
    );
    expect(a.status, show(a)).toBe("NOERROR");
    expect(row.mx_hosts).toEqual(
      a.answers.map((x) => x.data.split(/\s+/)[1]!.replace(/\.$/, "").toLowerCase()),
    );
    expect(row.mx_ad).toBe(a.ad);
    expect(row.dnssec_mx).toBe(a.ad ? "secure" : "insecure");
    expect(a.ad).toBe(domain !== PLAIN);
  });

  it.each(HOSTS)(
    "$name: TLSA records, their DNSSEC state and DANE status agree with dig and openssl ($dane)",
    async (h) => {
      const row = hostRow(h);
      const tlsaName = `_25._tcp.${h.name}`;
      const a = await dig(tlsaName, "TLSA");
      const addr = await dig(h.name, "A");
      expect(addr.answers.map((x) => x.data)).toEqual([h.ip]);
      expect(row.ip).toBe(h.ip);
      expect(row.dane_dnssec_addr).toBe(addr.ad ? "secure" : "insecure");

      if (h.dane === "bogus") {
        // unbound refuses the altered RRset; with +cd (checking disabled) it hands over what NSD serves.
        const cd = await dig(tlsaName, "TLSA", { cd: true });
        console.log(
          `${tlsaName}: dig status ${a.status} flags [${a.flags.join(" ")}]; +cd: ${cd.answers.map((x) => digTlsa(x.data)).join(", ")} | ` +
            `mxsurvey: dane_status=${row.dane_status} dane_dnssec_tlsa=${row.dane_dnssec_tlsa} detail=${row.dane_detail}`,
        );
        expect(a.status, show(a)).toBe("SERVFAIL");
        expect(a.answers).toEqual([]);
        expect(cd.answers.map((x) => digTlsa(x.data))).toEqual([`3 1 1 ${bogusData}`]);
        expect(row.dane_status).toBe("bogus");
        expect(row.dane_dnssec_tlsa).toBe("bogus");
        expect(row.dane_matched).toBeNull();
        return;
      }

      expect(a.status, show(a)).toBe("NOERROR");
      const records = a.answers.filter((x) => x.type === "TLSA").map((x) => digTlsa(x.data));
      expect(records.length, show(a)).toBeGreaterThan(0);
      expect(row.dane_tlsa).toEqual(records);
      expect(row.dane_dnssec_tlsa).toBe(a.ad ? "secure" : "insecure");
      expect(row.dane_base_domain).toBe(h.name);

      const s = await sClientDane({
        ip: h.ip,
        port: postfix!.port,
        host: h.name,
        rrdata: records,
        ehloName: EHLO_NAME,
      });
      const context = `openssl ${s.args.join(" ")}\n${s.raw.slice(0, 3000)}`;
      console.log(
        `${h.name}: dig TLSA ${records.join(", ")} flags [${a.flags.join(" ")}] | openssl: ` +
          `${s.verified ? "Verification: OK" : `Verification error: ${s.verificationError}`}, ` +
          `Verify return code ${s.verifyCode} (${s.verifyText})` +
          `${s.daneMatched ? `, DANE TLSA ${s.daneMatched} matched ${s.daneMatchedWhat}` : ""} | mxsurvey: ` +
          `dane_status=${row.dane_status} dane_matched=${row.dane_matched} dane_failure=${row.dane_failure} ` +
          `dnssec mx/addr/tlsa=${row.dane_dnssec_mx}/${row.dane_dnssec_addr}/${row.dane_dnssec_tlsa}`,
      );

      if (h.dane === "invalid") {
        // OpenSSL refuses the server with the records dig found; so does mxsurvey.
        expect(s.verified, context).toBe(false);
        expect(s.verifyCode, context).not.toBe(0);
        expect(s.verificationError ?? s.verifyText ?? "", context).toMatch(/DANE|TLSA/i);
        expect(row.dane_status).toBe("invalid");
        expect(row.dane_failure).toBe("no_match");
        expect(row.dane_matched).toBeNull();
        expect(records).toEqual([`3 1 1 ${wrongSpki}`]);
        return;
      }

      // OpenSSL authenticates the server with the records (it does no DNS itself, so also for plain.lab.test).
      expect(s.verified, context).toBe(true);
      expect(s.verifyCode, context).toBe(0);
      expect(s.daneMatched, context).toBeTruthy();
      expect(s.daneMatchedWhat, context).toMatch(/EE certificate at depth 0/);
      // OpenSSL names the record it matched: fields, then the data, its head cut off when long ("...<tail>").
      const [u, sel, mt, data] = s.daneMatched!.split(" ");
      const shown = (data ?? "").toLowerCase();
      const matched = records.find((r) => {
        const [ru, rs, rm, rd] = r.split(" ");
        const same = shown.startsWith("...") ? (rd ?? "").endsWith(shown.slice(3)) : rd === shown;
        return ru === u && rs === sel && rm === mt && same;
      });
      expect(matched, context).toBeDefined();
      expect(matched).toBe(`3 1 1 ${goodSpki}`);

      if (h.dane === "valid") {
        expect(a.ad, show(a)).toBe(true);
        expect(row.dane_status).toBe("valid");
        expect(row.dane_matched).toBe(matched);
        expect(row.dane_failure).toBeNull();
        // Host rows leave the MX answer's state to the domain row (host-row.ts: a host may serve several domains).
        expect(row.dane_dnssec_mx).toBeNull();
        expect(check(h.domain).domain.dnssec_mx).toBe("secure");
      } else {
        // plain.lab.test: the same record matches, but without AD it does not count (RFC 7672 §2.2).
        expect(a.ad, show(a)).toBe(false);
        expect(row.dane_status).toBe("insecure");
        expect(row.dane_matched).toBeNull();
      }
    },
  );

  it("domain DANE verdicts follow the hosts", () => {
    const expected: Record<string, string> = {
      [ZONE]: "valid",
      [BAD]: "invalid",
      [BOGUS]: "bogus",
      [PLAIN]: "insecure",
    };
    for (const domain of DOMAINS) {
      const d = check(domain).domain;
      expect(d.dane_status, domain).toBe(expected[domain]);
      expect(d.dane_hosts_total, domain).toBe(1);
      expect(d.dane_hosts_valid, domain).toBe(domain === ZONE ? 1 : 0);
    }
  });

  it("MTA-STS of sec.lab.test: TXT as dig shows it, policy as curl fetches it, resolved through unbound", async () => {
    const row = check(ZONE).domain;
    const txt = await dig(`_mta-sts.${ZONE}`, "TXT");
    const texts = txt.answers.filter((x) => x.type === "TXT").map((x) => digTxt(x.data));
    const addr = await dig(STS_HOST, "A");
    const ip = addr.answers.find((x) => x.type === "A")?.data;
    expect(ip, show(addr)).toBe(STS_ADDRESS);
    expect(addr.ad, show(addr)).toBe(true);
    const c = await curlGet({
      host: STS_HOST,
      port: nginx!.port,
      ip: ip!,
      caFile,
      path: "/.well-known/mta-sts.txt",
    });
    const context = `curl ${c.args.join(" ")}\n${c.raw}`;
    const policy = readPolicyBody(c.body);
    console.log(
      `_mta-sts TXT (dig, flags [${txt.flags.join(" ")}]): ${texts.join(" | ")}\n` +
        `curl: HTTP ${c.status}, Content-Type: ${c.headers["content-type"]}, body: ${JSON.stringify(c.body)}\n` +
        `mxsurvey: mta_sts_status=${row.mta_sts_status} id=${row.mta_sts_id} mode=${row.mta_sts_mode} ` +
        `max_age=${row.mta_sts_max_age} mx=${row.mta_sts_mx_patterns.join(",")} mismatch=[${row.mta_sts_mx_mismatch}] ` +
        `failing=[${row.mta_sts_mx_failing}] error=${row.mta_sts_error} warnings=[${row.mta_sts_warnings}]`,
    );
    expect(txt.ad, show(txt)).toBe(true);
    expect(texts).toHaveLength(1);
    const id = /(?:^|;)\s*id=([A-Za-z0-9]+)/.exec(texts[0]!)?.[1];
    expect(texts[0]!.startsWith("v=STSv1")).toBe(true);

    expect(c.code, context).toBe(0);
    expect(c.status, context).toBe(200);
    expect(c.headers["content-type"], context).toMatch(/^text\/plain\b/);
    expect(policy.version).toBe("STSv1");

    expect(row.mta_sts_status).toBe("valid");
    expect(row.mta_sts_error).toBeNull();
    expect(row.mta_sts_id).toBe(id);
    expect(row.mta_sts_mode).toBe(policy.mode);
    expect(row.mta_sts_max_age).toBe(policy.maxAge);
    expect(row.mta_sts_mx_patterns).toEqual(policy.mx);
    expect(policy).toEqual({ version: "STSv1", mode: "enforce", maxAge: 604800, mx: [`mx.${ZONE}`] });
    // The MX host matches the policy and passes it (trusted lab certificate naming the host).
    expect(row.mta_sts_mx_mismatch).toEqual([]);
    expect(row.mta_sts_mx_failing).toEqual([]);

    // mxsurvey found mta-sts.sec.lab.test through our resolver (it never uses the system's): unbound logged
    // the query, and nginx served the policy to mxsurvey.
    const unboundLog = readFileSync(join(runDir!, "unbound", "unbound.log"), "utf8");
    expect(unboundLog).toMatch(new RegExp(`${STS_HOST.replaceAll(".", "\\.")}\\. A IN`));
    const access = readFileSync(join(runDir!, "nginx", "access.log"), "utf8");
    expect(access).toMatch(/GET \/\.well-known\/mta-sts\.txt HTTP\/1\.1" 200 .*mxsurvey/i);
  });

  it("TLS-RPT: tls_rpt_rua is the rua of the TXT record dig shows", async () => {
    for (const domain of [ZONE, PLAIN]) {
      const row = check(domain).domain;
      const txt = await dig(`_smtp._tls.${domain}`, "TXT");
      const texts = txt.answers.filter((x) => x.type === "TXT").map((x) => digTxt(x.data));
      console.log(
        `_smtp._tls.${domain} TXT (dig, flags [${txt.flags.join(" ")}]): ${texts.join(" | ")} | mxsurvey: ` +
          `tls_rpt_status=${row.tls_rpt_status} rua=${row.tls_rpt_rua.join(",")} error=${row.tls_rpt_error}`,
      );
      expect(texts).toHaveLength(1);
      const rua = /(?:^|;)\s*rua=([^;]+)/
        .exec(texts[0]!)?.[1]
        ?.trim()
        .split(/\s*,\s*/);
      expect(row.tls_rpt_status).toBe("valid");
      expect(row.tls_rpt_error).toBeNull();
      expect(row.tls_rpt_rua).toEqual(rua);
      expect(txt.ad).toBe(domain === ZONE);
    }
    expect(check(ZONE).domain.tls_rpt_rua).toEqual([RUA]);
    expect(check(PLAIN).domain.tls_rpt_rua).toEqual([PLAIN_RUA]);
  });

  it("no MTA-STS where no _mta-sts TXT record exists (dig: NOERROR/NXDOMAIN, no TXT)", async () => {
    for (const domain of [BAD, BOGUS, PLAIN]) {
      const txt = await dig(`_mta-sts.${domain}`, "TXT");
      expect(
        txt.answers.filter((x) => x.type === "TXT"),
        show(txt),
      ).toEqual([]);
      expect(check(domain).domain.mta_sts_status).toBe("none");
      expect(check(domain).domain.mta_sts_error).toBeNull();
    }
  });
});
