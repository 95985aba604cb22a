/**
 * Golden-file tests of worker/net/tls-hello.ts: the exact bytes of every kind of ClientHello we send, built from
 * fixed randomness and fixed key shares, compared with test/golden/tls-hello/*.hex. CI never rewrites a golden
 * file: a missing or different file fails. To regenerate after a deliberate change, run locally with
 * MXSURVEY_WRITE_GOLDEN=1 (refused when CI is set) and review the diff.
 * Each hello is also read back with the lab's ClientHello parser (test/lab/fake-tls.ts) to check its fields.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SSL2_CIPHER_SPECS } from "../../shared/tls/cipher-suites.js";
import { buildHello, candidateSuites, chunks } from "../../worker/net/inventory-plan.js";
import {
  encodeClientHello,
  encodeSsl2ClientHello,
  freshHelloInputs,
  freshKeyShares,
  type HelloInputs,
  SSL2,
  SSL3,
  TLS10,
  TLS12,
  TLS12_GROUPS,
  TLS13,
} from "../../worker/net/tls-hello.js";
import { type ParsedClientHello, parseClientHello } from "../lab/fake-tls.js";
import { projectRoot } from "../tools/project-root.js";

const GOLDEN = join(projectRoot(), "test", "golden", "tls-hello");

/** Deterministic inputs: counting bytes, and fixed "public keys" of the right shape. */
const FIXED: HelloInputs = {
  random: Buffer.from(Array.from({ length: 32 }, (_, i) => i)),
  sessionId: Buffer.from(Array.from({ length: 32 }, (_, i) => 0xe0 ^ i)),
  challenge: Buffer.from(Array.from({ length: 16 }, (_, i) => 0xc0 + i)),
  keyShares: [
    { group: 29, key: Buffer.alloc(32, 0x25) },
    { group: 23, key: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 0x17)]) },
  ],
};

function toHex(b: Buffer): string {
  return `${(b.toString("hex").match(/.{1,64}/g) ?? []).join("\n")}\n`;
}

function golden(name: string, bytes: Buffer): void {
  const file = join(GOLDEN, `${name}.hex`);
  if (process.env.MXSURVEY_WRITE_GOLDEN === "1" && !process.env.CI) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, toHex(bytes));
  }
  expect(existsSync(file), `golden file ${file} (write it with MXSURVEY_WRITE_GOLDEN=1, locally)`).toBe(true);
  expect(toHex(bytes)).toBe(readFileSync(file, "utf8"));
}

function tlsHello(bytes: Buffer): ParsedClientHello {
  const p = parseClientHello(bytes);
  if (!p.ok || p.hello.kind !== "tls") throw new Error(`not a TLS ClientHello: ${JSON.stringify(p)}`);
  expect(p.length).toBe(bytes.length);
  return p.hello;
}

const first64 = (v: number) => chunks(candidateSuites(v))[0]!;

describe("tls-hello", () => {
  it("tls-hello - SSLv2 CLIENT-HELLO with every SSLv2 cipher spec", () => {
    const bytes = buildHello({ version: SSL2, suites: [], serverName: "mx.example.org" }, FIXED);
    golden("sslv2", bytes);
    expect(bytes[0]! & 0x80).toBe(0x80);
    const p = parseClientHello(bytes);
    expect(p.ok && p.hello.kind === "ssl2" && p.hello.cipherSpecs).toEqual(
      SSL2_CIPHER_SPECS.map((s) => s.code),
    );
    expect(p.ok && p.hello.kind === "ssl2" && p.hello.version).toBe(SSL2);
  });

  it("tls-hello - SSLv3: record 3.0, no extensions", () => {
    const bytes = buildHello({ version: SSL3, suites: first64(SSL3), serverName: "mx.example.org" }, FIXED);
    golden("sslv3", bytes);
    const h = tlsHello(bytes);
    expect(h.recordVersion).toBe(SSL3);
    expect(h.legacyVersion).toBe(SSL3);
    expect(h.extensions).toEqual([]);
    expect(h.suites).toEqual(first64(SSL3));
    expect(h.random).toEqual(FIXED.random);
    expect(h.sessionId.length).toBe(0);
  });

  it("tls-hello - TLS 1.0: SNI, groups, point formats, EMS, renegotiation_info, no signature_algorithms", () => {
    const bytes = buildHello({ version: TLS10, suites: first64(TLS10), serverName: "mx.example.org" }, FIXED);
    golden("tls10", bytes);
    const h = tlsHello(bytes);
    expect(h.recordVersion).toBe(TLS10);
    expect(h.legacyVersion).toBe(TLS10);
    expect(h.serverName).toBe("mx.example.org");
    expect(h.extensions.map((e) => e.type)).toEqual(expect.arrayContaining([0, 10, 11, 23, 0xff01]));
    expect(h.signatureAlgorithms).toBeNull();
    expect(h.supportedGroups).toEqual([...TLS12_GROUPS]);
    expect(h.supportedVersions).toBeNull();
  });

  it("tls-hello - TLS 1.2: 64 suites and signature_algorithms, padded out of 256..511 bytes", () => {
    const bytes = buildHello({ version: TLS12, suites: first64(TLS12), serverName: "mx.example.org" }, FIXED);
    golden("tls12", bytes);
    const h = tlsHello(bytes);
    expect(h.legacyVersion).toBe(TLS12);
    expect(h.suites.length).toBe(64);
    expect(h.signatureAlgorithms).toContain(0x0804);
    const handshakeLength = bytes.length - 5;
    expect(handshakeLength < 256 || handshakeLength >= 512).toBe(true);
  });

  it("tls-hello - TLS 1.2 with an IP address: no SNI", () => {
    const h = tlsHello(buildHello({ version: TLS12, suites: [0xc02f], serverName: "192.0.2.25" }, FIXED));
    expect(h.serverName).toBeNull();
  });

  it("tls-hello - TLS 1.3: supported_versions, two key shares, 32-byte session id", () => {
    const bytes = buildHello(
      { version: TLS13, suites: candidateSuites(TLS13), serverName: "mx.example.org" },
      FIXED,
    );
    golden("tls13", bytes);
    const h = tlsHello(bytes);
    expect(h.legacyVersion).toBe(TLS12);
    expect(h.recordVersion).toBe(TLS10);
    expect(h.supportedVersions).toEqual([TLS13]);
    expect(h.keyShares?.map((k) => k.group)).toEqual([29, 23]);
    expect(h.keyShares?.[1]?.key.length).toBe(65);
    expect(h.sessionId).toEqual(FIXED.sessionId);
    expect(h.extensions.map((e) => e.type)).toContain(45);
  });

  it("tls-hello - TLS 1.3 without key shares (HelloRetryRequest probing of groups)", () => {
    const bytes = buildHello(
      { version: TLS13, suites: [0x1301], serverName: "mx.example.org", groups: [24, 25], noKeyShare: true },
      FIXED,
    );
    golden("tls13-no-key-share", bytes);
    const h = tlsHello(bytes);
    expect(h.keyShares).toEqual([]);
    expect(h.supportedGroups).toEqual([24, 25]);
  });

  it("tls-hello - fresh inputs are real keys, different every time", () => {
    const a = freshHelloInputs();
    const b = freshHelloInputs();
    expect(a.random.equals(b.random)).toBe(false);
    expect(a.keyShares.map((k) => k.key.length)).toEqual([32, 65]);
    expect(a.keyShares[1]!.key[0]).toBe(4);
    expect(a.keyShares[0]!.key.equals(b.keyShares[0]!.key)).toBe(false);
    expect(() => freshKeyShares([24])).toThrow(/no key share generator/);
  });

  it.each([
    [
      "random of 31 bytes",
      () => encodeClientHello({ version: TLS12, suites: [1], random: Buffer.alloc(31) }),
    ],
    ["no suites", () => encodeClientHello({ version: TLS12, suites: [], random: Buffer.alloc(32) })],
    ["version 0x0200", () => encodeClientHello({ version: 0x0200, suites: [1], random: Buffer.alloc(32) })],
    [
      "SSLv2 challenge of 8 bytes",
      () => encodeSsl2ClientHello({ cipherSpecs: [0x010080], challenge: Buffer.alloc(8) }),
    ],
    ["SSLv2 without specs", () => encodeSsl2ClientHello({ cipherSpecs: [], challenge: Buffer.alloc(16) })],
  ])("tls-hello - refuses %s (our bug, not the server's)", (_why, f) => {
    expect(f).toThrow();
  });

  it("tls-hello - candidate suites: per version, no duplicates, chunks of at most 64", () => {
    const tls13 = candidateSuites(TLS13);
    expect(tls13).toContain(0x1301);
    expect(
      tls13.every((c) => c >> 8 === 0x13 || [0x00c6, 0x00c7, 0xc0b4, 0xc0b5].includes(c) || c >> 8 === 0xc1),
    ).toBe(true);
    const ssl3 = candidateSuites(SSL3);
    expect(ssl3).toContain(0x000a);
    expect(ssl3).not.toContain(0xc02f); // GCM is TLS 1.2 only
    expect(ssl3).not.toContain(0xc013); // ECDHE needs TLS (RFC 4492)
    const tls12 = candidateSuites(TLS12);
    expect(new Set(tls12).size).toBe(tls12.length);
    expect(tls12.length).toBeGreaterThan(300);
    expect(chunks(tls12).every((c) => c.length <= 64)).toBe(true);
    // what servers deploy, weak or not, is in the first chunk
    for (const c of [0xc02f, 0xc030, 0xcca8, 0x009c, 0x002f, 0x000a, 0x0005, 0x0003, 0xc013, 0x0033]) {
      expect(first64(TLS12), `0x${c.toString(16)}`).toContain(c);
    }
  });
});
