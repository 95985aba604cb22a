/**
 * cert_chain_sha256 is the certificates the server sent, in the order sent — not Node's getPeerCertificate(true)
 * chain, which follows issuers into our trust store. Lab SMTP servers (test/lab/smtp-server.ts) on 127.0.204.x
 * send a leaf alone, leaf + root, leaf + intermediate, leaf + intermediate + root, a leaf without its
 * intermediate, a misordered chain and a chain with an unrelated extra certificate, each over TLS 1.2 and TLS
 * 1.3 (some over TLS 1.0 and 1.1, and TLS 1.3 with each cipher suite and after a HelloRetryRequest). The probe
 * runs as the CLI runs it (probeSmtpStarttls) with the lab root as --ca-file. OpenSSL's verdict (cert_trusted,
 * cert_error) must be what it always was; where the openssl binary exists, `openssl s_client -showcerts`
 * confirms what each server sends. When the server's bytes cannot be read (forced here by a tiny recording
 * bound), the row falls back to OpenSSL's linked chain and says so in failure_detail.
 */

import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertError } from "../../shared/cert-errors.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { createProbeSecureContext, type ProbeContext, probeSmtpStarttls } from "../../worker/api.js";
import { labProbeParams } from "../helpers/params.js";
import { createIntermediateCa, createLabCa, issueLeaf, type LabCa, type LabLeaf } from "../lab/pki.js";
import { type LabSmtpServer, startSmtpServer } from "../lab/smtp-server.js";
import { sClient } from "./real/tools.js";

const HOSTNAME = "mx.chain.lab.test";

type Sends = (p: Pki) => string[];

interface Pki {
  root: LabCa;
  inter: LabCa;
  unrelated: LabCa;
  leafRoot: LabLeaf;
  leafInter: LabLeaf;
}

interface Scenario {
  name: string;
  /** PEMs the server is configured to send, in order. */
  sends: Sends;
  trusted: boolean;
  error: CertError | null;
}

const SCENARIOS: Scenario[] = [
  {
    name: "leaf only (issued by the root in --ca-file)",
    sends: (p) => [p.leafRoot.certPem],
    trusted: true,
    error: null,
  },
  {
    name: "leaf + root",
    sends: (p) => [p.leafRoot.certPem, p.root.certPem],
    trusted: true,
    error: null,
  },
  {
    name: "leaf + intermediate",
    sends: (p) => [p.leafInter.certPem, p.inter.certPem],
    trusted: true,
    error: null,
  },
  {
    name: "leaf + intermediate + root",
    sends: (p) => [p.leafInter.certPem, p.inter.certPem, p.root.certPem],
    trusted: true,
    error: null,
  },
  {
    name: "leaf without its intermediate",
    sends: (p) => [p.leafInter.certPem],
    trusted: false,
    error: "unknown_issuer",
  },
  {
    name: "leaf + root + intermediate (misordered)",
    sends: (p) => [p.leafInter.certPem, p.root.certPem, p.inter.certPem],
    trusted: true,
    error: null,
  },
  {
    name: "leaf + an unrelated CA",
    sends: (p) => [p.leafRoot.certPem, p.unrelated.certPem],
    trusted: true,
    error: null,
  },
];

interface Server {
  key: string;
  scenario: Scenario;
  version: tls.SecureVersion;
  ciphers?: string;
  ecdhCurve?: string;
  smtp?: LabSmtpServer;
}

const SERVERS: Server[] = [
  ...SCENARIOS.flatMap((scenario) =>
    (["TLSv1.2", "TLSv1.3"] as const).map((version) => ({
      key: `${scenario.name} ${version}`,
      scenario,
      version,
    })),
  ),
  ...[SCENARIOS[0]!, SCENARIOS[2]!, SCENARIOS[4]!].flatMap((scenario) =>
    (["TLSv1", "TLSv1.1"] as const).map((version) => ({
      key: `${scenario.name} ${version}`,
      scenario,
      version,
    })),
  ),
  ...[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_CCM_SHA256",
    "TLS_AES_128_CCM_8_SHA256",
  ].map((suite) => ({
    key: `leaf + intermediate TLSv1.3 ${suite}`,
    scenario: SCENARIOS[2]!,
    version: "TLSv1.3" as const,
    ciphers: `${suite}:DEFAULT`,
  })),
  {
    key: "leaf + intermediate TLSv1.3 after a HelloRetryRequest",
    scenario: SCENARIOS[2]!,
    version: "TLSv1.3",
    ecdhCurve: "secp384r1",
  },
];

let pki: Pki;
let ctx: ProbeContext;
let dir: string;
let caFile: string;
const rows = new Map<string, HostRow>();

const jobOf = (smtp: { host: string; port: number }) => ({
  hostname: HOSTNAME,
  ip: smtp.host,
  port: smtp.port,
  dane: null,
  probe: labProbeParams({ ehloName: "chain.mxsurvey.test" }),
});

const sha256 = (pem: string) => createHash("sha256").update(new X509Certificate(pem).raw).digest("hex");

beforeAll(async () => {
  const root = await createLabCa();
  const inter = await createIntermediateCa(root);
  pki = {
    root,
    inter,
    unrelated: await createLabCa({ name: "unrelated lab CA" }),
    leafRoot: await issueLeaf(root, { names: [HOSTNAME] }),
    leafInter: await issueLeaf(inter, { names: [HOSTNAME] }),
  };
  dir = mkdtempSync(join(tmpdir(), "mxsurvey-chain-"));
  caFile = join(dir, "ca.pem");
  writeFileSync(caFile, root.certPem);
  ctx = {
    settings: { allowPrivateTargets: true, caPem: [root.certPem] },
    secureContext: createProbeSecureContext([root.certPem]),
  };
  for (const [i, s] of SERVERS.entries()) {
    s.smtp = await startSmtpServer({
      host: `127.0.204.${i + 1}`,
      port: 0,
      behaviour: {
        hostname: HOSTNAME,
        tls: {
          key: (s.scenario.sends(pki)[0] === pki.leafRoot.certPem ? pki.leafRoot : pki.leafInter).keyPem,
          cert: s.scenario.sends(pki).join(""),
          minVersion: s.version,
          maxVersion: s.version,
          ...(s.ciphers ? { ciphers: s.ciphers } : {}),
          ...(s.ecdhCurve ? { secureContextOptions: { ecdhCurve: s.ecdhCurve } } : {}),
        },
      },
    });
  }
  const probed = await Promise.all(SERVERS.map((s) => probeSmtpStarttls(jobOf(s.smtp!), ctx)));
  for (const [i, s] of SERVERS.entries()) rows.set(s.key, probed[i]!);
}, 60_000);

afterAll(async () => {
  await Promise.all(SERVERS.map((s) => s.smtp?.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("cert_chain_sha256 is what the server sent", () => {
  it.each(SERVERS.map((s) => [s.key, s] as const))("chain - %s", (_key, s) => {
    const row = rows.get(s.key)!;
    expect({ status: row.status, failure: row.failure }).toEqual({
      status: s.scenario.trusted ? "ok" : "cert_invalid",
      failure: null,
    });
    expect(row.starttls_ok).toBe(true);
    expect(row.tls_version).toBe(s.version);
    if (s.ciphers) expect(row.tls_cipher).toBe(s.ciphers.split(":")[0]);
    if (s.ecdhCurve) expect(row.tls_kx_group).toBe("secp384r1");
    // Exactly the configured certificates, in the configured order; no note about a fallback.
    expect(row.cert_chain_sha256).toEqual(s.scenario.sends(pki).map(sha256));
    expect(row.failure_detail).toBeNull();
    // OpenSSL's verdict on the same handshake, as before.
    expect(row.cert_trusted).toBe(s.scenario.trusted);
    expect(row.cert_error).toBe(s.scenario.error);
    if (s.scenario.error === "unknown_issuer") {
      expect(row.cert_error_code).toMatch(/^UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT_LOCALLY)$/);
    } else {
      expect(row.cert_error_code).toBeNull();
    }
    expect(row.cert_sha256).toBe(row.cert_chain_sha256[0]);
    expect(row.cert_name_matches_mx).toBe(true);
  });

  it("chain - a leaf-only server is no longer reported with the root from our trust store", () => {
    const row = rows.get(`${SCENARIOS[0]!.name} TLSv1.3`)!;
    expect(row.cert_chain_sha256).toEqual([sha256(pki.leafRoot.certPem)]);
    expect(row.cert_chain_sha256).not.toContain(sha256(pki.root.certPem));
  });

  it.each(["TLSv1.2", "TLSv1.3"] as const)(
    "fallback - %s: the server's bytes not readable (recording capped at 300 bytes): OpenSSL's linked chain, flagged",
    async (version) => {
      const s = SERVERS.find((x) => x.scenario === SCENARIOS[0] && x.version === version)!;
      const row = await probeSmtpStarttls(jobOf(s.smtp!), { ...ctx, tlsRecordLimit: 300 });
      expect(row.status).toBe("ok");
      expect(row.failure).toBeNull();
      // The old behaviour: leaf plus the root found in --ca-file, which the server never sent.
      expect(row.cert_chain_sha256).toEqual([sha256(pki.leafRoot.certPem), sha256(pki.root.certPem)]);
      expect(row.failure_detail).toMatch(
        /^cert_chain_sha256 is OpenSSL's linked chain, not the certificates as sent \(truncated: .*\(recording limit reached\)\)$/,
      );
      expect(row.cert_trusted).toBe(true);
      expect(row.cert_sha256).toBe(sha256(pki.leafRoot.certPem));
    },
  );

  const opensslCases = SERVERS.filter(
    (s) => (s.version === "TLSv1.2" || s.version === "TLSv1.3") && !s.ciphers && !s.ecdhCurve,
  );
  const haveOpenssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].some((p) => existsSync(p));
  it.runIf(haveOpenssl).each(opensslCases.map((s) => [s.key, s] as const))(
    "openssl - s_client -showcerts sees the same certificates from %s",
    async (_key, s) => {
      const r = await sClient({
        ip: s.smtp!.host,
        port: s.smtp!.port,
        servername: HOSTNAME,
        caFile,
        ehloName: "chain.mxsurvey.test",
      });
      expect(r.protocol).toBe(s.version);
      expect(r.certs.map(sha256)).toEqual(rows.get(s.key)!.cert_chain_sha256);
      expect(r.verifyCode === 0).toBe(s.scenario.trusted);
    },
  );
});
