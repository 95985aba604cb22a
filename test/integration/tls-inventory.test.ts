/**
 * Lab tests of the TLS inventory (worker/probes/tls-inventory.ts), every case over real STARTTLS connections on
 * 127.0.210.x with a one-line why and the exact versions, suites and groups it must find:
 * - Node TLS servers (real OpenSSL 3): the suites found per version must be exactly what
 *   `openssl ciphers -s -<version> -stdname <the server's cipher string>` lists — the truth from OpenSSL itself;
 * - the lab's fake TLS responder (test/lab/fake-tls.ts) for what OpenSSL 3 cannot serve: SSLv2, SSLv3, EXPORT,
 *   RC4, 3DES, NULL, anonymous suites, server vs client order, TLS 1.3 groups by HelloRetryRequest;
 * - the edges: no STARTTLS, 454 to STARTTLS, a blocked address, the deadline, the per-host delay, a server
 *   that closes on every hello.
 */

import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ssl2SpecName } from "../../shared/tls/cipher-suites.js";
import type { TlsInventory } from "../../shared/tls/inventory.js";
import { runTlsInventory, type TlsInventorySettings } from "../../worker/probes/tls-inventory.js";
import type { FakeTlsConfig } from "../lab/fake-tls.js";
import { createLabCa, issueLeaf, type LabCa, type LabLeaf } from "../lab/pki.js";
import { type LabSmtpServer, type SmtpBehaviour, startSmtpServer } from "../lab/smtp-server.js";

const SETTINGS: TlsInventorySettings = {
  ehloName: "probe.mxsurvey.test",
  connectTimeoutMs: 3000,
  smtpTimeoutMs: 3000,
  tlsTimeoutMs: 3000,
  deadlineMs: 60_000,
  perHostDelayMs: 0,
  depth: "full",
  allowPrivateTargets: true,
};

let ca: LabCa;
let leaf: LabLeaf;
const servers: LabSmtpServer[] = [];
let nextHost = 1;

beforeAll(async () => {
  ca = await createLabCa();
  leaf = await issueLeaf(ca, { names: ["mx.inventory.test"] });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(behaviour: SmtpBehaviour): Promise<LabSmtpServer> {
  const s = await startSmtpServer({ host: `127.0.210.${nextHost++}`, port: 0, behaviour });
  servers.push(s);
  return s;
}

function nodeTls(tls: Omit<NonNullable<SmtpBehaviour["tls"]>, "key" | "cert">): Promise<LabSmtpServer> {
  return server({ hostname: "mx.inventory.test", tls: { key: leaf.keyPem, cert: leaf.chainPem, ...tls } });
}

function fake(cfg: FakeTlsConfig): Promise<LabSmtpServer> {
  return server({ hostname: "mx.inventory.test", tlsResponder: cfg });
}

async function inventory(
  s: LabSmtpServer,
  change: Partial<TlsInventorySettings> = {},
): Promise<TlsInventory> {
  return runTlsInventory(
    { hostname: "mx.inventory.test", ip: s.host, port: s.port },
    { settings: { ...SETTINGS, ...change } },
  );
}

function versions(inv: TlsInventory) {
  const { ssl2, ssl3, tls10, tls11, tls12, tls13 } = inv;
  return { ssl2, ssl3, tls10, tls11, tls12, tls13 };
}

const ONLY = (v: keyof ReturnType<typeof versions>) => ({
  ssl2: false,
  ssl3: false,
  tls10: false,
  tls11: false,
  tls12: false,
  tls13: false,
  [v]: true,
});

/** The suites OpenSSL itself says a server with `cipherString` offers in `flag` (-tls1, -tls1_1, -tls1_2, -tls1_3). */
function openssl(flag: string, cipherString: string): string[] {
  const out = execFileSync("openssl", ["ciphers", "-s", flag, "-stdname", cipherString], {
    encoding: "utf8",
  });
  return out
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0]!)
    .filter((n) => n.startsWith("TLS_"));
}

function suitesAt(inv: TlsInventory, version: string): string[] {
  return inv.ciphers.filter((c) => c.startsWith(`${version}:`)).map((c) => c.slice(version.length + 1));
}

const sorted = (a: string[]) => [...a].sort();

// RSA-authenticated suites of every kind OpenSSL 3 still has (the lab certificate is RSA).
const CIPHERS =
  "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-SHA:" +
  "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA:AES128-SHA256:AES256-SHA:CAMELLIA128-SHA:ARIA128-GCM-SHA256:" +
  "AES128-CCM:@SECLEVEL=0";

describe("tls-inventory - Node TLS servers against OpenSSL's own cipher lists", () => {
  it("tls-inventory - TLS 1.0–1.3: every version's suites are exactly openssl ciphers -s for it", async () => {
    const s = await nodeTls({
      minVersion: "TLSv1",
      maxVersion: "TLSv1.3",
      ciphers: CIPHERS,
      secureContextOptions: { dhparam: "auto", ecdhCurve: "X25519:P-256" },
    });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual({
      ssl2: false,
      ssl3: false,
      tls10: true,
      tls11: true,
      tls12: true,
      tls13: true,
    });
    expect(sorted(suitesAt(inv, "TLSv1.3"))).toEqual(sorted(openssl("-tls1_3", CIPHERS)));
    expect(sorted(suitesAt(inv, "TLSv1.2"))).toEqual(sorted(openssl("-tls1_2", CIPHERS)));
    expect(sorted(suitesAt(inv, "TLSv1.1"))).toEqual(sorted(openssl("-tls1_1", CIPHERS)));
    expect(sorted(suitesAt(inv, "TLSv1"))).toEqual(sorted(openssl("-tls1", CIPHERS)));
    expect(inv.ciphers_complete).toBe(true);
    expect(inv.weak_ciphers).toEqual([]);
    expect(inv.nist_r1_ok).toBe(true);
    expect(inv.nist_r2_ok).toBe(true);
    expect(inv.forward_secrecy_only).toBe(false); // AES256-SHA etc.: RSA key transport
    expect(inv.server_cipher_order).toBe(false); // Node's default: honorCipherOrder off
    expect(sorted(inv.kx_groups)).toEqual(sorted(["x25519", "secp256r1", "dh-2048"]));
    expect(inv.failure).toBeNull();
    console.log(
      `Node TLS 1.0–1.3, ${inv.ciphers.length} suites: ${inv.connections_used} connections, ${inv.duration_ms} ms`,
    );
  });

  it("tls-inventory - depth versions: the versions, one suite each, few connections", async () => {
    const s = await nodeTls({ minVersion: "TLSv1", maxVersion: "TLSv1.3", ciphers: CIPHERS });
    const inv = await inventory(s, { depth: "versions" });
    expect(versions(inv)).toEqual({
      ssl2: false,
      ssl3: false,
      tls10: true,
      tls11: true,
      tls12: true,
      tls13: true,
    });
    expect(inv.ciphers.length).toBe(4);
    expect(inv.ciphers_complete).toBe(false);
    expect(inv.forward_secrecy_only).toBeNull();
    expect(inv.server_cipher_order).toBeNull();
    expect(inv.connections_used).toBeLessThanOrEqual(8);
    console.log(
      `Node TLS 1.0–1.3, depth versions: ${inv.connections_used} connections, ${inv.duration_ms} ms`,
    );
  });

  it.each([
    ["TLSv1", "tls10", "-tls1"],
    ["TLSv1.1", "tls11", "-tls1_1"],
    ["TLSv1.2", "tls12", "-tls1_2"],
  ] as const)("tls-inventory - %s only", async (version, fieldName, flag) => {
    const s = await nodeTls({ minVersion: version, maxVersion: version, ciphers: CIPHERS });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual(ONLY(fieldName));
    const want = openssl(flag, CIPHERS).filter((n) => !n.includes("_DHE_")); // no dhparam here: no DHE
    expect(sorted(suitesAt(inv, version))).toEqual(sorted(want));
    expect(inv.ciphers.every((c) => c.startsWith(`${version}:`))).toBe(true);
  });

  it("tls-inventory - TLS 1.3 only: the three default suites, groups by HelloRetryRequest", async () => {
    const s = await nodeTls({
      minVersion: "TLSv1.3",
      maxVersion: "TLSv1.3",
      secureContextOptions: { ecdhCurve: "P-384:X25519" },
    });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual(ONLY("tls13"));
    expect(sorted(suitesAt(inv, "TLSv1.3"))).toEqual(sorted(openssl("-tls1_3", "DEFAULT")));
    expect(sorted(inv.kx_groups)).toEqual(["secp384r1", "x25519"]);
    expect(inv.forward_secrecy_only).toBe(true);
    expect(inv.nist_r2_ok).toBe(true);
    expect(inv.nist_r1_ok).toBe(false);
    // TLS 1.3 hellos carry no key share: the server answers each with a HelloRetryRequest, no key exchange.
    expect(inv.evidence).toContainEqual(
      expect.stringMatching(/^TLSv1\.3: accepted \(HelloRetryRequest TLSv1\.3 /),
    );
    // 1 version test + 2 more suites + 1 refusal + 1 more group + 1 refusal + 1 order + 4 older versions + SSLv2
    // (SSLv3 refused chunk by chunk: 2)
    expect(inv.connections_used).toBe(1 + 2 + 1 + 1 + 1 + 1 + 3 + 2 + 1);
  });

  it("tls-inventory - server order: honorCipherOrder makes the server choose", async () => {
    const s = await nodeTls({
      maxVersion: "TLSv1.2",
      ciphers: "AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:@SECLEVEL=0",
      secureContextOptions: { honorCipherOrder: true },
    });
    const inv = await inventory(s);
    expect(inv.server_cipher_order).toBe(true);
    // told by the enumeration's own choices, without an extra hello
    expect(inv.evidence).toContain(
      "TLSv1.2 order: we offered TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 first, the server chose TLS_RSA_WITH_AES_256_CBC_SHA",
    );
    // found in the server's order of preference
    expect(suitesAt(inv, "TLSv1.2")).toEqual([
      "TLS_RSA_WITH_AES_256_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_RSA_WITH_AES_128_CBC_SHA",
    ]);
  });

  it("tls-inventory - an ECDSA certificate: the ECDSA suites, exactly as OpenSSL lists them", async () => {
    const ec = await issueLeaf(ca, { names: ["mx.inventory.test"], key: { type: "ec", curve: "P-256" } });
    const ciphers =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-CHACHA20-POLY1305:" +
      "ECDHE-ECDSA-AES128-CCM8:ECDHE-ECDSA-CAMELLIA256-SHA384:@SECLEVEL=0";
    const s = await server({
      hostname: "mx.inventory.test",
      tls: { key: ec.keyPem, cert: ec.chainPem, minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers },
    });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual(ONLY("tls12"));
    expect(sorted(suitesAt(inv, "TLSv1.2"))).toEqual(sorted(openssl("-tls1_2", ciphers)));
    expect(inv.forward_secrecy_only).toBe(true);
  });

  it("tls-inventory - TLS 1.2 ECDHE groups come from the ServerKeyExchange", async () => {
    const s = await nodeTls({
      maxVersion: "TLSv1.2",
      ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
      secureContextOptions: { ecdhCurve: "P-521:P-256" },
    });
    const inv = await inventory(s);
    expect(sorted(inv.kx_groups)).toEqual(["secp256r1", "secp521r1"]);
    expect(inv.forward_secrecy_only).toBe(true);
  });
});

describe("tls-inventory - the fake responder: what OpenSSL 3 cannot serve", () => {
  it("tls-inventory - SSLv2 only: the SERVER-HELLO lists every spec it accepts", async () => {
    const specs = [0x0700c0, 0x010080, 0x020080];
    const s = await fake({ versions: [0x0002], suites: [], ssl2Specs: specs });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual(ONLY("ssl2"));
    expect(inv.ciphers).toEqual(specs.map((c) => `SSLv2:${ssl2SpecName(c)}`));
    expect(inv.weak_ciphers).toEqual(inv.ciphers);
    expect(inv.nist_r1_ok).toBe(false);
    expect(inv.forward_secrecy_only).toBe(false);
  });

  it("tls-inventory - SSLv3 only: RC4, 3DES, AES-CBC found at SSLv3", async () => {
    const s = await fake({ versions: [0x0300], suites: [0x0005, 0x000a, 0x002f, 0x0004] });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual(ONLY("ssl3"));
    expect(inv.ciphers).toEqual([
      "SSLv3:TLS_RSA_WITH_RC4_128_SHA",
      "SSLv3:TLS_RSA_WITH_3DES_EDE_CBC_SHA",
      "SSLv3:TLS_RSA_WITH_AES_128_CBC_SHA",
      "SSLv3:TLS_RSA_WITH_RC4_128_MD5",
    ]);
    expect(inv.weak_ciphers).toEqual([
      "SSLv3:TLS_RSA_WITH_RC4_128_SHA",
      "SSLv3:TLS_RSA_WITH_3DES_EDE_CBC_SHA",
      "SSLv3:TLS_RSA_WITH_RC4_128_MD5",
    ]);
  });

  it("tls-inventory - TLS 1.2 with 3DES next to AES-GCM", async () => {
    const s = await fake({ versions: [0x0303], suites: [0xc02f, 0x000a] });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual(ONLY("tls12"));
    expect(inv.ciphers).toEqual([
      "TLSv1.2:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLSv1.2:TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    ]);
    expect(inv.weak_ciphers).toEqual(["TLSv1.2:TLS_RSA_WITH_3DES_EDE_CBC_SHA"]);
    expect(inv.nist_r1_ok).toBe(true);
    expect(inv.nist_r2_ok).toBe(true);
  });

  it("tls-inventory - RC4 in TLS 1.0–1.2; GCM only where TLS 1.2 allows it", async () => {
    const s = await fake({ versions: [0x0301, 0x0302, 0x0303], suites: [0xc011, 0x0005, 0xc030] });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual({
      ssl2: false,
      ssl3: false,
      tls10: true,
      tls11: true,
      tls12: true,
      tls13: false,
    });
    expect(inv.ciphers).toEqual([
      "TLSv1.2:TLS_ECDHE_RSA_WITH_RC4_128_SHA",
      "TLSv1.2:TLS_RSA_WITH_RC4_128_SHA",
      "TLSv1.2:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLSv1.1:TLS_ECDHE_RSA_WITH_RC4_128_SHA",
      "TLSv1.1:TLS_RSA_WITH_RC4_128_SHA",
      "TLSv1:TLS_ECDHE_RSA_WITH_RC4_128_SHA",
      "TLSv1:TLS_RSA_WITH_RC4_128_SHA",
    ]);
    expect(inv.weak_ciphers.length).toBe(6);
  });

  it("tls-inventory - EXPORT suites in TLS 1.0", async () => {
    const s = await fake({ versions: [0x0301], suites: [0x0003, 0x0006, 0x0008, 0x0014, 0x0062] });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual(ONLY("tls10"));
    expect(inv.ciphers).toEqual([
      "TLSv1:TLS_RSA_EXPORT_WITH_RC4_40_MD5",
      "TLSv1:TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5",
      "TLSv1:TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
      "TLSv1:TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
      "TLSv1:TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA",
    ]);
    expect(inv.weak_ciphers).toEqual(inv.ciphers);
    expect(inv.nist_r1_ok).toBe(false);
  });

  it("tls-inventory - NULL encryption suites in TLS 1.2", async () => {
    const s = await fake({ versions: [0x0303], suites: [0x0001, 0x0002, 0x003b, 0xc010] });
    const inv = await inventory(s);
    expect(inv.ciphers).toEqual([
      "TLSv1.2:TLS_RSA_WITH_NULL_MD5",
      "TLSv1.2:TLS_RSA_WITH_NULL_SHA",
      "TLSv1.2:TLS_RSA_WITH_NULL_SHA256",
      "TLSv1.2:TLS_ECDHE_RSA_WITH_NULL_SHA",
    ]);
    expect(inv.weak_ciphers).toEqual(inv.ciphers);
  });

  it("tls-inventory - anonymous suites in TLS 1.2", async () => {
    const s = await fake({ versions: [0x0303], suites: [0x00a6, 0x0034, 0xc018, 0x0018] });
    const inv = await inventory(s);
    expect(inv.ciphers).toEqual([
      "TLSv1.2:TLS_DH_anon_WITH_AES_128_GCM_SHA256",
      "TLSv1.2:TLS_DH_anon_WITH_AES_128_CBC_SHA",
      "TLSv1.2:TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
      "TLSv1.2:TLS_DH_anon_WITH_RC4_128_MD5",
    ]);
    expect(inv.weak_ciphers).toEqual(inv.ciphers);
  });

  it.each([
    ["server", true],
    ["client", false],
  ] as const)("tls-inventory - %s order is detected", async (preference, want) => {
    const s = await fake({ versions: [0x0303], suites: [0x009c, 0xc02f, 0x002f], preference });
    const inv = await inventory(s);
    expect(inv.server_cipher_order).toBe(want);
    expect(sorted(suitesAt(inv, "TLSv1.2"))).toEqual(
      sorted([
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_128_CBC_SHA",
      ]),
    );
  });

  it("tls-inventory - TLS 1.3 only, groups the client sends no share for come back as HelloRetryRequests", async () => {
    const s = await fake({ versions: [0x0304], suites: [0x1302, 0x1301], groups: [24, 30, 29] });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual(ONLY("tls13"));
    expect(inv.ciphers).toEqual(["TLSv1.3:TLS_AES_256_GCM_SHA384", "TLSv1.3:TLS_AES_128_GCM_SHA256"]);
    expect(sorted(inv.kx_groups)).toEqual(["secp384r1", "x25519", "x448"]);
    expect(inv.server_cipher_order).toBe(true);
  });

  it("tls-inventory - a server that mishandles an empty key_share: TLS 1.3 asked again with real key shares", async () => {
    const s = await fake({
      versions: [0x0303, 0x0304],
      suites: [0x1301, 0x1302, 0xc02f],
      onNoKeyShare: "alert",
    });
    const inv = await inventory(s);
    expect(inv.tls13).toBe(true);
    expect(inv.tls12).toBe(true);
    expect(suitesAt(inv, "TLSv1.3")).toEqual(["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"]);
    expect(inv.evidence).toContainEqual(
      expect.stringMatching(
        /^TLSv1\.3: no HelloRetryRequest for an empty key_share \(alert illegal_parameter\)/,
      ),
    );
    expect(inv.evidence).toContain("TLSv1.3: accepted (ServerHello TLSv1.3 TLS_AES_128_GCM_SHA256 x25519)");
    expect(inv.kx_groups).toContain("x25519");
  });

  it("tls-inventory - a server that stalls after its ServerHello: the hello still counts when the wait runs out", async () => {
    const s = await fake({ versions: [0x0303], suites: [0xc02f], stallAfterHello: true });
    const inv = await inventory(s, { tlsTimeoutMs: 300 });
    expect(versions(inv)).toEqual(ONLY("tls12"));
    expect(inv.ciphers).toEqual(["TLSv1.2:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
    expect(inv.ciphers_complete).toBe(true);
    expect(inv.evidence.filter((e) => e.includes("not decided"))).toEqual([]);
  });

  it("tls-inventory - client order: every choice follows ours, and one reversed hello confirms it", async () => {
    const s = await fake({ versions: [0x0303], suites: [0x009c, 0xc02f, 0xc030], preference: "client" });
    const inv = await inventory(s);
    expect(inv.server_cipher_order).toBe(false);
    expect(inv.evidence).toContainEqual(
      expect.stringMatching(/^TLSv1\.2 order: every choice followed ours; reversed → /),
    );
  });

  it("tls-inventory - a server order that happens to be ours: the reversed hello tells", async () => {
    // Our offer order puts ECDHE AES-GCM first, then RSA AES-GCM: the server prefers the same.
    const s = await fake({ versions: [0x0303], suites: [0xc02f, 0x009c], preference: "server" });
    const inv = await inventory(s);
    expect(inv.server_cipher_order).toBe(true);
    expect(inv.evidence).toContain(
      "TLSv1.2 order: every choice followed ours; reversed → TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    );
  });

  it("tls-inventory - a legacy mix: SSLv2, SSLv3 and TLS 1.0 at once", async () => {
    const s = await fake({
      versions: [0x0002, 0x0300, 0x0301],
      suites: [0x000a, 0x0005],
      ssl2Specs: [0x010080],
    });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual({
      ssl2: true,
      ssl3: true,
      tls10: true,
      tls11: false,
      tls12: false,
      tls13: false,
    });
    expect(inv.ciphers).toEqual([
      "TLSv1:TLS_RSA_WITH_3DES_EDE_CBC_SHA",
      "TLSv1:TLS_RSA_WITH_RC4_128_SHA",
      "SSLv3:TLS_RSA_WITH_3DES_EDE_CBC_SHA",
      "SSLv3:TLS_RSA_WITH_RC4_128_SHA",
      "SSLv2:SSL_CK_RC4_128_WITH_MD5",
    ]);
  });

  it("tls-inventory - a server that closes instead of alerting: refused, not unknown", async () => {
    const s = await fake({
      versions: [0x0303],
      suites: [0xc02f],
      onBadVersion: "close",
      onNoCipher: "close",
    });
    const inv = await inventory(s);
    expect(versions(inv)).toEqual(ONLY("tls12"));
    expect(inv.ciphers).toEqual(["TLSv1.2:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
  });
});

describe("tls-inventory - edges", () => {
  it("tls-inventory - no STARTTLS: nothing tested, one connection", async () => {
    const s = await server({ starttls: "none" });
    const inv = await inventory(s);
    expect(inv.starttls_offered).toBe(false);
    expect(versions(inv)).toEqual({
      ssl2: null,
      ssl3: null,
      tls10: null,
      tls11: null,
      tls12: null,
      tls13: null,
    });
    expect(inv.connections_used).toBe(1);
    expect(inv.failure).toBeNull();
  });

  it("tls-inventory - 454 to STARTTLS: not tested, failure starttls_rejected", async () => {
    const s = await server({ starttls: "reject" });
    const inv = await inventory(s);
    expect(inv.starttls_offered).toBeNull();
    expect(inv.tls12).toBeNull();
    expect(inv.failure).toBe("starttls_rejected");
    expect(inv.failure_phase).toBe("starttls");
    expect(inv.connections_used).toBe(1);
  });

  it("tls-inventory - a blocked address is never contacted", async () => {
    const s = await fake({ versions: [0x0303], suites: [0xc02f] });
    const inv = await inventory(s, { allowPrivateTargets: false });
    expect(inv.failure).toBe("blocked_address");
    expect(inv.connections_used).toBe(0);
    expect(s.connections).toBe(0);
  });

  it("tls-inventory - the deadline leaves untested versions null, never false", async () => {
    const s = await server({
      greeting: { delayMs: 300 },
      tlsResponder: { versions: [0x0303], suites: [0xc02f] },
    });
    const inv = await inventory(s, { deadlineMs: 500 });
    expect(inv.failure).toBe("deadline_exceeded");
    // The first connection (TLS 1.3, handshake_failure from this TLS 1.2 server) decides; the second runs out.
    expect(versions(inv)).toEqual({
      ssl2: null,
      ssl3: null,
      tls10: null,
      tls11: null,
      tls12: null,
      tls13: false,
    });
    expect(inv.ciphers_complete).toBe(false);
    expect(inv.nist_r1_ok).toBeNull();
  });

  it("tls-inventory - connections run one at a time, with the per-host delay between them", async () => {
    const s = await fake({ versions: [0x0303], suites: [0xc02f, 0x009c] });
    const pauses: number[] = [];
    const inv = await runTlsInventory(
      { hostname: "mx.inventory.test", ip: s.host, port: s.port },
      {
        settings: { ...SETTINGS, perHostDelayMs: 25 },
        sleep: async (ms) => {
          pauses.push(ms);
          await new Promise((r) => setTimeout(r, ms));
        },
      },
    );
    expect(inv.connections_used).toBe(s.connections);
    expect(pauses).toEqual(Array(inv.connections_used - 1).fill(25));
    expect(inv.duration_ms).toBeGreaterThanOrEqual(25 * (inv.connections_used - 1));
  });
});
