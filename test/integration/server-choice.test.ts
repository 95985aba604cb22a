/**
 * Facts from the server's own answer when our OpenSSL cannot finish the handshake (issue 11, scope 1), over real
 * STARTTLS connections on 127.0.232.x against the lab's fake TLS responder (test/lab/fake-tls.ts), each case with
 * a one-line why and the exact row: status, failure, phase, tls_version, tls_cipher, the certificate facts, and
 * at --depth full the grade and its recommendations.
 */

import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHost } from "../../coordinator/render/text.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import type { ProbeSettings } from "../../shared/settings.js";
import { createProbeSecureContext, type ProbeContext } from "../../worker/api.js";
import { labProbeParams, probeWithSettings } from "../helpers/params.js";
import type { FakeTlsConfig } from "../lab/fake-tls.js";
import { createLabCa, issueLeaf, type LabCa, type LabLeaf } from "../lab/pki.js";
import { type LabSmtpServer, startSmtpServer } from "../lab/smtp-server.js";

const HOSTNAME = "mx.choice.test";
const SETTINGS: ProbeSettings = {
  allowPrivateTargets: true,
  caPem: [],
  ...labProbeParams({
    ehloName: "probe.mxsurvey.test",
    connectTimeoutMs: 3000,
    smtpTimeoutMs: 3000,
    hostDeadlineMs: 60_000,
  }),
};

let ca: LabCa;
let leaf: LabLeaf;
let ctx: Omit<ProbeContext, "settings"> & { settings: ProbeSettings };
const servers: LabSmtpServer[] = [];
let nextHost = 1;
const sha256 = (der: Buffer) => createHash("sha256").update(der).digest("hex");

beforeAll(async () => {
  ca = await createLabCa();
  leaf = await issueLeaf(ca, { names: [HOSTNAME] });
  ctx = {
    settings: { ...SETTINGS, caPem: [ca.certPem] },
    secureContext: createProbeSecureContext([ca.certPem]),
  };
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function fake(cfg: Omit<FakeTlsConfig, "certificates">): Promise<LabSmtpServer> {
  const s = await startSmtpServer({
    host: `127.0.232.${nextHost++}`,
    port: 0,
    behaviour: { hostname: HOSTNAME, tlsResponder: { ...cfg, certificates: [leaf.certDer, ca.certDer] } },
  });
  servers.push(s);
  return s;
}

function probe(s: LabSmtpServer, depth: ProbeSettings["depth"] = "basic"): Promise<HostRow> {
  return probeWithSettings(
    { hostname: HOSTNAME, ip: s.host, port: s.port },
    { ...ctx, settings: { ...ctx.settings, depth } },
  );
}

const TLS12 = 0x0303;
const RSA_3DES = 0x000a; // TLS_RSA_WITH_3DES_EDE_CBC_SHA: Node's OpenSSL 3 has no 3DES
const RSA_AES128_GCM = 0x009c; // TLS_RSA_WITH_AES_128_GCM_SHA256: OpenSSL offers it

function certFacts(r: HostRow) {
  return {
    cert_chain_sha256: r.cert_chain_sha256,
    cert_sha256: r.cert_sha256,
    cert_sans: r.cert_sans,
    cert_name_matches_mx: r.cert_name_matches_mx,
    cert_expired: r.cert_expired,
    cert_trusted: r.cert_trusted,
    cert_error: r.cert_error,
    cert_key_type: r.cert_key_type,
    cert_key_bits: r.cert_key_bits,
  };
}

describe("server choice - a suite this client cannot complete", () => {
  it("3des-only - the row keeps the server's ServerHello and certificates: tls_unsupported_by_client, never no_starttls", async () => {
    // Why: Exim/GnuTLS offering only 3DES: OpenSSL 3 does not offer 3DES, so its handshake fails; the server's
    // answer to our own ClientHello says what it chose and sends its chain in the clear.
    const s = await fake({ versions: [TLS12], suites: [RSA_3DES] });
    const r = await probe(s);
    expect({ status: r.status, failure: r.failure, phase: r.failure_phase }).toEqual({
      status: "tls_unsupported_by_client",
      failure: "tls_unsupported_by_client",
      phase: "tls_handshake",
    });
    expect({
      starttls_offered: r.starttls_offered,
      starttls_reply_code: r.starttls_reply_code,
      starttls_ok: r.starttls_ok,
      tls_version: r.tls_version,
      tls_cipher: r.tls_cipher,
      tls_alert: r.tls_alert,
      connections_used: r.connections_used,
    }).toEqual({
      starttls_offered: true,
      starttls_reply_code: 220,
      starttls_ok: false,
      tls_version: "TLSv1.2",
      tls_cipher: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
      tls_alert: "handshake_failure",
      connections_used: 2,
    });
    expect(certFacts(r)).toEqual({
      cert_chain_sha256: [sha256(leaf.certDer), sha256(ca.certDer)],
      cert_sha256: sha256(leaf.certDer),
      cert_sans: [HOSTNAME],
      cert_name_matches_mx: true,
      cert_expired: false,
      cert_trusted: null, // no handshake completed: the chain was not verified
      cert_error: null,
      cert_key_type: "rsa",
      cert_key_bits: 2048,
    });
    expect(r.failure_detail).toMatch(
      /^the server chose TLSv1\.2 TLS_RSA_WITH_3DES_EDE_CBC_SHA, which this client \(OpenSSL [0-9.]+\) cannot complete; from its answer to our own ClientHello: its certificates as sent/,
    );
    expect(r.grade).toBeNull(); // --depth basic
  });

  it("3des-only --depth full - graded on its facts: remove 3DES / add AES-GCM, not enable_starttls", async () => {
    const s = await fake({ versions: [TLS12], suites: [RSA_3DES] });
    const r = await probe(s, "full");
    expect({ status: r.status, failure: r.failure }).toEqual({
      status: "tls_unsupported_by_client",
      failure: "tls_unsupported_by_client",
    });
    expect([r.ssl2, r.ssl3, r.tls10, r.tls11, r.tls12, r.tls13]).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
    ]);
    expect(r.ciphers).toEqual(["TLSv1.2:TLS_RSA_WITH_3DES_EDE_CBC_SHA"]);
    expect(r.weak_ciphers).toEqual(["TLSv1.2:TLS_RSA_WITH_3DES_EDE_CBC_SHA"]);
    expect(r.nist_r1_ok).toBe(true); // SP 800-52r1 still listed TLS_RSA_WITH_3DES_EDE_CBC_SHA
    expect(r.recommendations).not.toContain("enable_starttls");
    expect({ grade: r.grade, recommendations: r.recommendations }).toEqual({
      grade: "C",
      recommendations: [
        "enable_current_suites",
        "enable_nist_r2_suites",
        "disable_weak_suites",
        "enable_tls13",
        "prefer_aead_forward_secrecy",
      ],
    });
    const text = renderHost(r, { color: false });
    expect(text).toMatch(
      /✗ TLS +the server chose TLSv1\.2 TLS_RSA_WITH_3DES_EDE_CBC_SHA, which this client cannot complete/,
    );
    expect(text).toMatch(/\[enable_current_suites\]/);
    expect(text).not.toMatch(/enable_starttls|not offered/);
  });
});

describe("server choice - SSLv3 only", () => {
  it("sslv3-rc4 - a server that speaks only SSLv3 (RC4): tls_unsupported_by_client with its SSLv3 choice and chain", async () => {
    // Why: OpenSSL 3 has no SSLv3 at all; the server's answer still says what it would use and who it is.
    const s = await fake({ versions: [0x0300], suites: [0x0005] });
    const r = await probe(s);
    expect({ status: r.status, failure: r.failure, phase: r.failure_phase }).toEqual({
      status: "tls_unsupported_by_client",
      failure: "tls_unsupported_by_client",
      phase: "tls_handshake",
    });
    expect({ tls_version: r.tls_version, tls_cipher: r.tls_cipher, starttls_ok: r.starttls_ok }).toEqual({
      tls_version: "SSLv3",
      tls_cipher: "TLS_RSA_WITH_RC4_128_SHA",
      starttls_ok: false,
    });
    expect(certFacts(r).cert_chain_sha256).toEqual([sha256(leaf.certDer), sha256(ca.certDer)]);
  });
});

describe("server choice - a ServerHello, then no handshake", () => {
  it("hello-then-fail - the server's choice and chain are kept, the status stays tls_failed", async () => {
    // Why: a server that picks a suite OpenSSL offered, sends its chain, then never completes (a broken key, a
    // close after ServerHelloDone): its choice is a fact, its TLS does not work.
    const s = await fake({ versions: [TLS12], suites: [RSA_AES128_GCM] });
    const r = await probe(s);
    expect({ status: r.status, failure: r.failure, phase: r.failure_phase }).toEqual({
      status: "tls_failed",
      failure: "connection_closed",
      phase: "tls_handshake",
    });
    expect({
      starttls_ok: r.starttls_ok,
      tls_version: r.tls_version,
      tls_cipher: r.tls_cipher,
      connections_used: r.connections_used,
    }).toEqual({
      starttls_ok: false,
      tls_version: "TLSv1.2",
      tls_cipher: "TLS_RSA_WITH_AES_128_GCM_SHA256",
      connections_used: 1,
    });
    expect(certFacts(r)).toEqual({
      cert_chain_sha256: [sha256(leaf.certDer), sha256(ca.certDer)],
      cert_sha256: sha256(leaf.certDer),
      cert_sans: [HOSTNAME],
      cert_name_matches_mx: true,
      cert_expired: false,
      cert_trusted: null,
      cert_error: null,
      cert_key_type: "rsa",
      cert_key_bits: 2048,
    });
  });

  it("hello-then-stall - a ServerHello and then silence: tls_timeout, with the server's choice kept from its bytes", async () => {
    // Why: a server that picks a suite and then never sends the rest of its flight; what it chose is still a fact.
    const s = await fake({ versions: [TLS12], suites: [RSA_AES128_GCM], stallAfterHello: true });
    const r = await probe(s);
    expect({ status: r.status, failure: r.failure, phase: r.failure_phase }).toEqual({
      status: "tls_failed",
      failure: "tls_timeout",
      phase: "tls_handshake",
    });
    expect({
      starttls_ok: r.starttls_ok,
      tls_version: r.tls_version,
      tls_cipher: r.tls_cipher,
      cert_sha256: r.cert_sha256,
      connections_used: r.connections_used,
    }).toEqual({
      starttls_ok: false,
      tls_version: "TLSv1.2",
      tls_cipher: "TLS_RSA_WITH_AES_128_GCM_SHA256",
      cert_sha256: null, // the Certificate never came
      connections_used: 1,
    });
    expect(r.failure_detail).toMatch(
      /; the server had chosen TLSv1\.2 TLS_RSA_WITH_AES_128_GCM_SHA256 \(its answer to OpenSSL's ClientHello\): no certificates \(truncated: /,
    );
  });

  it("hello-then-fail --depth full - versions the server chose are shown as ServerHello-only, never ✓, and the grade is F", async () => {
    const s = await fake({ versions: [TLS12], suites: [RSA_AES128_GCM] });
    const r = await probe(s, "full");
    expect(r.tls12).toBe(true); // the inventory's definition: a ServerHello that selects it
    expect({ grade: r.grade, recommendations: r.recommendations }).toEqual({
      grade: "F",
      recommendations: ["enable_starttls"],
    });
    const text = renderHost(r, { color: false });
    expect(text).not.toMatch(/✓ Versions/);
    expect(text).toMatch(
      /! Versions +SSLv2 no .*TLS1\.2 hello .*\(ServerHello only: no handshake completed\)/,
    );
    expect(text).toMatch(/! Ciphers +chosen in ServerHellos only: 1 suites/);
    expect(text).toMatch(
      /✗ TLS +the server chose TLSv1\.2 TLS_RSA_WITH_AES_128_GCM_SHA256, then the handshake failed: the server closed the connection before it finished/,
    );
    expect(text).toMatch(/· Certificate +sent in the clear, not verified: mx\.choice\.test; issuer/);
  });
});
