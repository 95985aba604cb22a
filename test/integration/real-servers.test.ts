/**
 * mxsurvey against real servers that no one here wrote: NSD (authoritative DNS) serves the zone real.lab.test,
 * Postfix receives the probes, with lab certificates; the facts mxsurvey reports must agree with what `dig`,
 * `openssl s_client -starttls smtp`, `openssl x509` and a plain SMTP conversation say about the same servers.
 *
 * Everything stays on loopback: NSD on 127.0.5.53, Postfix on 127.0.5.1-3, random ports, one private temporary
 * directory per run. Postfix delivers nothing (default_transport = error, no relay, no DNS). The servers come
 * from Debian's packages, installed when absent (test/integration/real/install-deps.sh, needs root); when that
 * fails the tests fail, unless MXSURVEY_SKIP_REAL_SERVERS=1, which turns the failure into a printed skip.
 *
 * The layout (see test/integration/real/start-postfix.sh):
 *   real.lab.test           MX 10 mx.real.lab.test (127.0.5.1: STARTTLS, TLS 1.3, X25519)
 *                           MX 20 mx2.real.lab.test (127.0.5.3: STARTTLS, TLS 1.2, ECDHE P-256)
 *   notls.real.lab.test     MX 10 mx.notls.real.lab.test (127.0.5.2: no STARTTLS)
 *   leafonly.real.lab.test  MX 10 mx.leafonly.real.lab.test (127.0.5.4: STARTTLS, sends the leaf without its CA)
 * One lab leaf certificate (CN mx.real.lab.test, a SAN per TLS host) serves every TLS host.
 */

import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DomainRow } from "../../shared/schema/domain-row.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { createLabCa, issueLeaf } from "../lab/pki.js";
import {
  cleanupLeftovers,
  describeRun,
  ensureBuilt,
  installDeps,
  makeRunDir,
  type RealDns,
  type RealPostfix,
  run,
  runStops,
  startNsd,
  startPostfix,
  stopRunDir,
} from "./real/servers.js";
import {
  dig,
  ehloExtensions,
  OPENSSL_GROUP_TO_MXSURVEY,
  opensslToIanaCiphers,
  plainEhlo,
  sClient,
  x509Facts,
} from "./real/tools.js";

const ZONE = "real.lab.test";
const NOTLS_DOMAIN = `notls.${ZONE}`;
const LEAFONLY_DOMAIN = `leafonly.${ZONE}`;
const DOMAINS = [ZONE, NOTLS_DOMAIN, LEAFONLY_DOMAIN];
const DNS_ADDRESS = "127.0.5.53";
const EHLO_NAME = "test.mxsurvey.test";

interface LabHost {
  name: string;
  ip: string;
  /** The mail domain whose check probes it. */
  domain: string;
}

interface TlsHost extends LabHost {
  tlsVersion: string;
  kxGroup: string;
  /** Certificates the server sends: leaf and CA, or the leaf alone. */
  sends: 1 | 2;
}

const TLS_HOSTS: TlsHost[] = [
  { name: `mx.${ZONE}`, ip: "127.0.5.1", domain: ZONE, tlsVersion: "TLSv1.3", kxGroup: "x25519", sends: 2 },
  {
    name: `mx2.${ZONE}`,
    ip: "127.0.5.3",
    domain: ZONE,
    tlsVersion: "TLSv1.2",
    kxGroup: "secp256r1",
    sends: 2,
  },
  {
    name: `mx.${LEAFONLY_DOMAIN}`,
    ip: "127.0.5.4",
    domain: LEAFONLY_DOMAIN,
    tlsVersion: "TLSv1.3",
    kxGroup: "x25519",
    sends: 1,
  },
];
const NOTLS_HOST: LabHost = { name: `mx.${NOTLS_DOMAIN}`, ip: "127.0.5.2", domain: NOTLS_DOMAIN };
const ALL_HOSTS: LabHost[] = [...TLS_HOSTS.map(({ name, ip, domain }) => ({ name, ip, domain })), NOTLS_HOST];

const ZONE_TEXT = `$ORIGIN ${ZONE}.
$TTL 300
@         IN SOA ns.${ZONE}. hostmaster.${ZONE}. 1 3600 600 86400 300
@         IN NS  ns.${ZONE}.
ns        IN A   ${DNS_ADDRESS}
@         IN MX  10 mx.${ZONE}.
@         IN MX  20 mx2.${ZONE}.
mx        IN A   127.0.5.1
mx2       IN A   127.0.5.3
notls     IN MX  10 mx.notls.${ZONE}.
mx.notls  IN A   127.0.5.2
leafonly     IN MX  10 mx.leafonly.${ZONE}.
mx.leafonly  IN A   127.0.5.4
`;

interface CheckLine {
  domain: DomainRow;
  hosts: HostRow[];
}

let skipReason: string | null = null;
let runDir: string | null = null;
let dns: RealDns | null = null;
let postfix: RealPostfix | null = null;
let cliPath = "";
let caFile = "";
let leafDer: Buffer | null = null;
const checks = new Map<string, CheckLine>();

/** The CLI flags that point mxsurvey at the real servers. */
function cliFlags(): string[] {
  return [
    "--resolver",
    dns!.resolver,
    "--ca-file",
    caFile,
    "--allow-private-targets",
    "--smtp-port",
    String(postfix!.port),
    "--ehlo-name",
    EHLO_NAME,
  ];
}

async function checkJson(domain: string): Promise<CheckLine> {
  const args = [cliPath, "check", domain, ...cliFlags(), "--json"];
  const r = await run(process.execPath, args, { timeoutMs: 90_000 });
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

function hostRow(domain: string, name: string): HostRow {
  const rows = check(domain).hosts.filter((h) => h.hostname === name);
  expect(rows, `host rows of ${name} in ${domain}`).toHaveLength(1);
  return rows[0]!;
}

describe("mxsurvey check against real servers (NSD, Postfix) agrees with dig and openssl", () => {
  beforeAll(async () => {
    const install = await installDeps();
    console.log(`install-deps.sh: ${install.ms} ms: ${install.message.split("\n")[0]}`);
    if (!install.ok) {
      const reason = `real servers unavailable: postfix, nsd, dig or openssl missing and not installable from Debian's packages.\n${install.message}`;
      if (process.env["MXSURVEY_SKIP_REAL_SERVERS"] === "1") {
        skipReason = reason;
        console.warn(`SKIPPING the real-servers tests (MXSURVEY_SKIP_REAL_SERVERS=1): ${reason}`);
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
      const leaf = await issueLeaf(ca, { names: TLS_HOSTS.map((h) => h.name), freshKey: true });
      leafDer = leaf.certDer;
      caFile = join(runDir, "ca.pem");
      const chainFile = join(runDir, "chain.pem");
      const keyFile = join(runDir, "key.pem");
      writeFileSync(caFile, ca.certPem);
      const leafOnlyFile = join(runDir, "leaf.pem");
      writeFileSync(chainFile, leaf.chainPem);
      writeFileSync(leafOnlyFile, leaf.certPem);
      writeFileSync(keyFile, leaf.keyPem, { mode: 0o600 });

      dns = await startNsd(join(runDir, "nsd"), DNS_ADDRESS, ZONE, ZONE_TEXT);
      postfix = await startPostfix(join(runDir, "postfix"), chainFile, keyFile, leafOnlyFile);
      console.log(
        `NSD on ${dns.resolver}, Postfix on 127.0.5.1-4:${postfix.port}, up in ${Date.now() - started} ms`,
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
        () => dns?.stop(),
        () => (runDir ? stopRunDir(runDir) : undefined),
      ]);
    } finally {
      postfix = null;
      dns = null;
      runDir = null;
    }
  }

  afterAll(stopAll, 120_000);

  beforeEach((ctx) => {
    if (skipReason !== null) ctx.skip(skipReason);
  });

  it("MX records: mx_hosts and mx_priorities are what dig reports", async () => {
    for (const domain of DOMAINS) {
      const answer = await dig(DNS_ADDRESS, dns!.port, domain, "MX");
      const mx = answer
        .map((line) => {
          const [pref, host] = line.split(/\s+/);
          return { pref: Number(pref), host: (host ?? "").replace(/\.$/, "").toLowerCase() };
        })
        .sort((a, b) => a.pref - b.pref || a.host.localeCompare(b.host));
      const row = check(domain).domain;
      expect(row.mx_kind).toBe("mx");
      expect(row.dns_rcode).toBe("NOERROR");
      expect(row.mx_hosts, `dig says ${answer.join("; ")}`).toEqual(mx.map((m) => m.host));
      expect(row.mx_priorities, `dig says ${answer.join("; ")}`).toEqual(mx.map((m) => m.pref));
      const best = Math.min(...mx.map((m) => m.pref));
      expect(row.mx_primary_hosts).toEqual(mx.filter((m) => m.pref === best).map((m) => m.host));
    }
    // And what we served is what dig saw.
    expect(check(ZONE).domain.mx_hosts).toEqual([`mx.${ZONE}`, `mx2.${ZONE}`]);
    expect(check(ZONE).domain.mx_priorities).toEqual([10, 20]);
  });

  it("host addresses: each host row's ip is the A record dig reports", async () => {
    for (const domain of DOMAINS) {
      const rows = check(domain).hosts;
      expect(check(domain).domain.hosts_total).toBe(rows.length);
      for (const row of rows) {
        const a = await dig(DNS_ADDRESS, dns!.port, row.hostname, "A");
        expect(row.dns_rcode).toBe("NOERROR");
        expect([row.ip], `dig ${row.hostname} A says ${a.join(", ")}`).toEqual(a);
        expect(row.port).toBe(postfix!.port);
      }
    }
    for (const domain of DOMAINS) {
      const served = ALL_HOSTS.filter((h) => h.domain === domain).map((h) => [h.name, h.ip]);
      expect(check(domain).hosts.map((h) => [h.hostname, h.ip])).toEqual(served);
    }
  });

  it.each(ALL_HOSTS)(
    "greeting and EHLO of $name: what Postfix says to a plain SMTP conversation",
    async (host) => {
      const row = hostRow(host.domain, host.name);
      const hello = await plainEhlo(host.ip, postfix!.port, EHLO_NAME);
      const extensions = ehloExtensions(hello.ehlo);
      expect(hello.banner[0]).toMatch(new RegExp(`^220 ${host.name.replaceAll(".", "\\.")} ESMTP`));
      expect(row.smtp_banner_code).toBe(220);
      expect(row.smtp_banner).toBe(hello.banner.join("\n"));
      expect(row.ehlo_command).toBe("EHLO");
      expect(row.ehlo_reply_code).toBe(250);
      expect(row.ehlo_raw).toBe(hello.ehlo.join("\n"));
      expect(row.ehlo_extensions).toEqual(extensions);
      expect(row.ehlo_extensions).toContain("PIPELINING");
      expect(row.starttls_offered).toBe(extensions.includes("STARTTLS"));
    },
  );

  it.each(TLS_HOSTS)(
    "STARTTLS on $name ($tlsVersion): protocol, cipher, group and certificate are what openssl reports",
    async (host) => {
      const row = hostRow(host.domain, host.name);
      const s = await sClient({
        ip: host.ip,
        port: postfix!.port,
        servername: host.name,
        caFile,
        ehloName: EHLO_NAME,
      });
      const context = `openssl ${s.args.join(" ")}\n${s.raw.slice(0, 4000)}`;
      console.log(
        `${host.name}: openssl: Protocol ${s.protocol}, Cipher ${s.cipher}, Server Temp Key ${s.tempKey}, ` +
          `Verify return code ${s.verifyCode} (${s.verifyText}), ${s.certs.length} cert(s) sent | mxsurvey: ` +
          `${row.tls_version} ${row.tls_cipher} ${row.tls_kx_group} trusted=${row.cert_trusted} ` +
          `chain=${row.cert_chain_sha256.length} status=${row.status}`,
      );

      // The session.
      expect(s.protocol, context).toBe(host.tlsVersion);
      expect(row.starttls_offered).toBe(true);
      expect(row.starttls_reply_code).toBe(220);
      expect(row.starttls_ok).toBe(true);
      expect(row.tls_alert).toBeNull();
      expect(row.tls_version).toBe(s.protocol);
      const ciphers = await opensslToIanaCiphers();
      // TLS 1.3 suites carry their IANA names in OpenSSL too; older ones map through `openssl ciphers -stdname`.
      const iana = s.protocol === "TLSv1.3" ? s.cipher : ciphers.get(s.cipher ?? "");
      expect(iana, context).toBeTruthy();
      expect(row.tls_cipher).toBe(iana);
      expect(s.tempKey, context).toBeTruthy();
      const group = OPENSSL_GROUP_TO_MXSURVEY[s.tempKey!] ?? s.tempKey!.toLowerCase();
      expect(group).toBe(host.kxGroup);
      expect(row.tls_kx_group).toBe(group);

      // Path validation: "Verify return code: 0 (ok)" against the lab CA.
      expect(s.verifyCode, context).toBe(0);
      expect(row.cert_trusted).toBe(true);
      expect(row.cert_error).toBeNull();
      expect(row.cert_error_code).toBeNull();

      // The chain as sent (-showcerts), then the leaf.
      expect(s.certs.length, context).toBe(host.sends);
      const chain = await Promise.all(s.certs.map((pem) => x509Facts(pem)));
      expect(row.cert_chain_sha256).toEqual(chain.map((c) => c.sha256));
      expect(row.cert_chain_sha256[0]).toBe(chain[0]!.sha256);
      const leaf = await x509Facts(s.certs[0]!, [host.name, host.domain]);
      expect(leaf.sha256).toBe(createHash("sha256").update(leafDer!).digest("hex"));
      expect(row.cert_sha256).toBe(leaf.sha256);
      expect(row.cert_spki_sha256).toBe(leaf.spkiSha256);
      expect(row.cert_subject_cn).toBe(leaf.subjectCn);
      expect(leaf.subjectCn).toBe(`mx.${ZONE}`);
      expect(row.cert_sans).toEqual(leaf.sans);
      expect(row.cert_issuer).toBe(leaf.issuer);
      expect(row.cert_not_before).toBe(leaf.notBefore.toISOString());
      expect(row.cert_not_after).toBe(leaf.notAfter.toISOString());
      expect(row.cert_expired).toBe(leaf.notAfter.getTime() < Date.now());
      expect(row.cert_not_yet_valid).toBe(leaf.notBefore.getTime() > Date.now());
      expect(leaf.keyAlgorithm).toBe("rsaEncryption");
      expect(row.cert_key_type).toBe("rsa");
      expect(row.cert_key_bits).toBe(leaf.keyBits);
      expect(row.cert_sig_alg).toBe(leaf.sigAlg);
      expect(row.cert_self_signed).toBe(false);
      // `openssl x509 -checkhost`: the leaf names the MX host, not the mail domain.
      expect(row.cert_name_matches_mx).toBe(leaf.matches[host.name]);
      expect(row.cert_name_matches_mx).toBe(true);
      expect(check(host.domain).domain.cert_name_matches_domain).toBe(leaf.matches[host.domain]);

      // EHLO again inside TLS, as openssl's session saw it.
      expect(s.ehloInTls.length, context).toBeGreaterThan(1);
      expect(row.ehlo_tls_extensions).toEqual(ehloExtensions(s.ehloInTls));
      expect(row.ehlo_tls_extensions).not.toContain("STARTTLS");

      expect(row.status).toBe("ok");
      expect(row.failure).toBeNull();
    },
  );

  it("cert_chain_sha256 of mx.leafonly (sends the leaf alone) lists what openssl -showcerts shows", async () => {
    const host = TLS_HOSTS.find((h) => h.sends === 1)!;
    const row = hostRow(host.domain, host.name);
    const s = await sClient({
      ip: host.ip,
      port: postfix!.port,
      servername: host.name,
      caFile,
      ehloName: EHLO_NAME,
    });
    const sent = await Promise.all(s.certs.map(async (pem) => (await x509Facts(pem)).sha256));
    expect(sent).toHaveLength(1);
    expect(row.cert_chain_sha256).toEqual(sent);
  });

  it("no STARTTLS on mx.notls: openssl finds none and mxsurvey reports no_starttls", async () => {
    const row = hostRow(NOTLS_DOMAIN, NOTLS_HOST.name);
    const s = await sClient({
      ip: NOTLS_HOST.ip,
      port: postfix!.port,
      servername: NOTLS_HOST.name,
      caFile,
      ehloName: EHLO_NAME,
    });
    expect(s.starttlsMissing, s.raw).toBe(true);
    expect(s.certs).toEqual([]);
    expect(row.starttls_offered).toBe(false);
    expect(row.status).toBe("no_starttls");
    expect(row.starttls_ok).toBeNull();
    expect(row.tls_version).toBeNull();
    expect(row.cert_sha256).toBeNull();
    expect(check(NOTLS_DOMAIN).domain.status).toBe("no_starttls");
    expect(check(NOTLS_DOMAIN).domain.hosts_ok).toBe(0);
  });

  it("the domain verdicts follow: real.lab.test and leafonly valid, every host ok", () => {
    for (const domain of [ZONE, LEAFONLY_DOMAIN]) {
      const d = check(domain).domain;
      const hosts = TLS_HOSTS.filter((h) => h.domain === domain).length;
      expect(d.status).toBe("valid");
      expect(d.hosts_total).toBe(hosts);
      expect(d.hosts_ok).toBe(hosts);
      expect(d.dns_failure).toBeNull();
      // NSD is authoritative, not a validating resolver: no AD flag.
      expect(d.mx_ad).toBe(false);
    }
  });

  it("text output (no --json) names the domain and its hosts", async () => {
    const args = [cliPath, "check", ...DOMAINS, ...cliFlags()];
    const r = await run(process.execPath, args, { timeoutMs: 90_000 });
    expect(r.code, describeRun("mxsurvey check (text)", r)).toBe(0);
    for (const name of [...DOMAINS, ...ALL_HOSTS.map((h) => h.name)]) expect(r.stdout).toContain(name);
  });
});
