/**
 * Unit tests of shared/tls/cipher-suites.ts: the table against OpenSSL itself (`openssl ciphers -V -stdname
 * ALL:COMPLEMENTOFALL` on this machine — names, Kx/Au/Enc/Mac, minimum version), the weak rule as a table of
 * named cases, and the registry's shape (unique codes and names, SSLv2 specs).
 */

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  CIPHER_SUITES,
  type CipherSuite,
  classify,
  hexOf,
  SSL2_CIPHER_SPECS,
  ssl2SpecName,
  suiteByCode,
  suiteByName,
  suiteName,
} from "../../shared/tls/cipher-suites.js";

interface OpenSslRow {
  code: number;
  std: string;
  name: string;
  version: string;
  kx: string;
  au: string;
  enc: string;
  mac: string;
}

function openSslRows(): OpenSslRow[] {
  const out = execFileSync("openssl", ["ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"], {
    encoding: "utf8",
  });
  return out
    .trim()
    .split("\n")
    .map((line) => {
      const m =
        /^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- (\S+)\s+(\S+)\s+Kx=(\S+)\s+Au=(\S+)\s+Enc=(\S+)\s+Mac=(\S+)/.exec(
          line,
        );
      if (!m) throw new Error(`unparsed openssl line: ${line}`);
      return {
        code: Number.parseInt(m[1]! + m[2]!, 16),
        std: m[3]!,
        name: m[4]!,
        version: m[5]!,
        kx: m[6]!,
        au: m[7]!,
        enc: m[8]!,
        mac: m[9]!,
      };
    });
}

const KX_OPENSSL: Record<string, string> = {
  RSA: "RSA",
  DHE: "DH",
  ECDHE: "ECDH",
  PSK: "PSK",
  DHE_PSK: "DHEPSK",
  ECDHE_PSK: "ECDHEPSK",
  RSA_PSK: "RSAPSK",
  SRP: "SRP",
  TLS13: "any",
};
const AU_OPENSSL: Record<string, string> = {
  RSA: "RSA",
  DSS: "DSS",
  ECDSA: "ECDSA",
  anon: "None",
  PSK: "PSK",
  SRP: "SRP",
  TLS13: "any",
};

function encOpenSsl(s: CipherSuite): string {
  const b = s.enc_bits;
  switch (s.enc) {
    case "NULL":
      return "None";
    case "AES_CBC":
      return `AES(${b})`;
    case "AES_GCM":
      return `AESGCM(${b})`;
    case "AES_CCM":
      return `AESCCM(${b})`;
    case "AES_CCM_8":
      return `AESCCM8(${b})`;
    case "CHACHA20_POLY1305":
      return `CHACHA20/POLY1305(${b})`;
    case "CAMELLIA_CBC":
      return `Camellia(${b})`;
    case "ARIA_GCM":
      return `ARIAGCM(${b})`;
    default:
      return `${s.enc}(${b})`;
  }
}

describe("cipher-suites", () => {
  const rows = openSslRows();

  it("cipher-suites - OpenSSL lists a good number of suites here", () => {
    expect(rows.length).toBeGreaterThan(100);
  });

  it.each(rows.map((r) => [r.std, r] as const))("cipher-suites - %s agrees with OpenSSL", (_std, r) => {
    const s = suiteByCode(r.code);
    expect(s, `0x${r.code.toString(16)}`).toBeDefined();
    expect(s!.iana).toBe(r.std);
    expect(s!.openssl).toBe(r.name);
    expect(KX_OPENSSL[s!.kx]).toBe(r.kx);
    expect(AU_OPENSSL[s!.auth]).toBe(r.au);
    expect(encOpenSsl(s!)).toBe(r.enc);
    expect(s!.mac === "SHA1" ? "SHA1" : s!.mac).toBe(r.mac);
    expect(s!.min_version).toBe(r.version);
  });

  it("cipher-suites - codes and names are unique, names follow the grammar", () => {
    expect(new Set(CIPHER_SUITES.map((s) => s.code)).size).toBe(CIPHER_SUITES.length);
    expect(new Set(CIPHER_SUITES.map((s) => s.iana)).size).toBe(CIPHER_SUITES.length);
    expect(CIPHER_SUITES.length).toBeGreaterThan(340);
    for (const s of CIPHER_SUITES) expect(s.hex).toBe(hexOf(s.code));
  });

  it("cipher-suites - the registry's landmarks are there", () => {
    for (const [code, name] of [
      [0x0000, "TLS_NULL_WITH_NULL_NULL"],
      [0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"],
      [0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA"],
      [0x00c7, "TLS_SM4_CCM_SM3"],
      [0x1305, "TLS_AES_128_CCM_8_SHA256"],
      [0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8"],
      [0xc0b5, "TLS_SHA384_SHA384"],
      [0xc106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S"],
      [0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"],
      [0xd005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256"],
    ] as const) {
      expect(suiteByCode(code)?.iana).toBe(name);
    }
    expect(suiteByCode(0xd004)).toBeUndefined();
    expect(suiteName(0xd004)).toBe("0xD0,0x04");
    expect(suiteByCode(0x0062)?.registered).toBe(false);
    expect(suiteByCode(0xc02f)?.registered).toBe(true);
  });

  const weakCases: [string, boolean, string][] = [
    ["TLS_RSA_EXPORT_WITH_RC4_40_MD5", true, "EXPORT"],
    ["TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", true, "EXPORT1024"],
    ["TLS_NULL_WITH_NULL_NULL", true, "NULL everything"],
    ["TLS_RSA_WITH_NULL_SHA256", true, "NULL encryption"],
    ["TLS_SHA256_SHA256", true, "TLS 1.3 integrity only (RFC 9150)"],
    ["TLS_DH_anon_WITH_AES_256_GCM_SHA384", true, "anonymous DH"],
    ["TLS_ECDH_anon_WITH_AES_128_CBC_SHA", true, "anonymous ECDH"],
    ["TLS_RSA_WITH_RC4_128_SHA", true, "RC4"],
    ["TLS_RSA_WITH_DES_CBC_SHA", true, "single DES"],
    ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", true, "3DES (Sweet32)"],
    ["TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", true, "3DES with ECDHE is still 3DES"],
    ["TLS_RSA_WITH_IDEA_CBC_SHA", true, "IDEA (64-bit block)"],
    ["TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA", true, "RC2"],
    ["TLS_RSA_WITH_AES_128_CBC_SHA", false, "static RSA, CBC: not weak, no forward secrecy"],
    ["TLS_RSA_WITH_SEED_CBC_SHA", false, "SEED: 128-bit block"],
    ["TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", false, "CAMELLIA"],
    ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false, "modern"],
    ["TLS_AES_128_GCM_SHA256", false, "TLS 1.3"],
    ["TLS_PSK_WITH_AES_128_GCM_SHA256", false, "PSK is authenticated"],
  ];
  it.each(weakCases)("cipher-suites - weak(%s) = %s: %s", (name, weak) => {
    expect(suiteByName(name)?.weak).toBe(weak);
  });

  const flagCases: [string, Partial<CipherSuite>][] = [
    [
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      {
        kx: "ECDHE",
        auth: "RSA",
        enc: "AES_GCM",
        mac: "AEAD",
        aead: true,
        cbc: false,
        forward_secrecy: true,
      },
    ],
    [
      "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA",
      { kx: "DHE", auth: "DSS", enc: "DES", enc_bits: 40, export: true, cbc: true, forward_secrecy: true },
    ],
    [
      "TLS_DH_RSA_WITH_AES_128_CBC_SHA",
      { kx: "DH", auth: "RSA", forward_secrecy: false, min_version: "SSLv3" },
    ],
    [
      "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",
      { kx: "ECDH", forward_secrecy: false, min_version: "TLSv1.2" },
    ],
    ["TLS_KRB5_WITH_3DES_EDE_CBC_MD5", { kx: "KRB5", mac: "MD5", enc_bits: 168 }],
    ["TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", { kx: "SRP", auth: "RSA", forward_secrecy: false }],
    ["TLS_PSK_DHE_WITH_AES_256_CCM_8", { kx: "DHE_PSK", enc: "AES_CCM_8", forward_secrecy: true }],
    [
      "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC",
      { kx: "GOST", mac: "GOST", tls13: false, min_version: "TLSv1.2" },
    ],
    ["TLS_GOSTR341112_256_WITH_MAGMA_MGM_L", { tls13: true, aead: true, min_version: "TLSv1.3" }],
    ["TLS_CHACHA20_POLY1305_SHA256", { kx: "TLS13", tls13: true, forward_secrecy: true }],
    ["TLS_ECDHE_PSK_WITH_NULL_SHA256", { enc: "NULL", min_version: "TLSv1", weak: true }],
  ];
  it.each(flagCases)("cipher-suites - %s is classified from its name", (name, want) => {
    expect(suiteByName(name)).toMatchObject(want);
  });

  it("cipher-suites - a name outside the grammar is our bug and throws", () => {
    expect(() => classify(0xfefe, "TLS_FOO_WITH_BAR_SHA", null)).toThrow(/key exchange/);
    expect(() => classify(0xfefe, "SSL_RSA_WITH_NULL_MD5", null)).toThrow(/TLS_/);
  });

  it("cipher-suites - SSLv2 cipher specs", () => {
    expect(SSL2_CIPHER_SPECS.map((s) => s.code)).toContain(0x0700c0);
    expect(ssl2SpecName(0x010080)).toBe("SSL_CK_RC4_128_WITH_MD5");
    expect(ssl2SpecName(0xff0800)).toBe("0xFF,0x08,0x00");
    expect(SSL2_CIPHER_SPECS.every((s) => s.weak)).toBe(true);
  });
});
