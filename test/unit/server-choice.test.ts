/**
 * Unit tests of worker/net/server-choice.ts: the suites of our own TLS client's ClientHello, and the server's
 * choice (version, suite, certificates) read from the bytes it sent — tables of named cases, malformed included.
 */

import { describe, expect, it } from "vitest";
import {
  clientCannotComplete,
  clientHelloSuites,
  legacySuites,
  serverChoiceFromBytes,
} from "../../worker/net/server-choice.js";
import { encodeClientHello, SSL3, TLS12 } from "../../worker/net/tls-hello.js";
import { alertRecord, fakeTlsAnswer, helloRequestFloodRecord, parseClientHello } from "../lab/fake-tls.js";

const RANDOM = Buffer.alloc(32, 7);
const hello = (suites: number[], version = TLS12) =>
  encodeClientHello({ version, suites, random: RANDOM, serverName: "mx.example.test" });

function answer(clientHello: Buffer, cfg: Parameters<typeof fakeTlsAnswer>[1]): Buffer {
  const parsed = parseClientHello(clientHello);
  if (!parsed.ok) throw new Error("lab ClientHello does not parse");
  return fakeTlsAnswer(parsed.hello, cfg) ?? Buffer.alloc(0);
}

const CERT = Buffer.from("3003020101", "hex"); // bytes, not a certificate: the reader does not parse them

describe("server choice - clientHelloSuites", () => {
  it.each([
    {
      name: "a ClientHello's suites, in order",
      bytes: hello([0x1301, 0xc02f, 0x000a]),
      want: [0x1301, 0xc02f, 0x000a],
    },
    { name: "empty input", bytes: Buffer.alloc(0), want: null },
    { name: "not a handshake record", bytes: alertRecord(40), want: null },
    { name: "a truncated ClientHello", bytes: hello([0xc02f]).subarray(0, 20), want: null },
  ])("clientHelloSuites - $name", ({ bytes, want }) => {
    expect(clientHelloSuites(bytes)).toEqual(want);
  });
});

describe("server choice - serverChoiceFromBytes", () => {
  it.each([
    {
      name: "ServerHello + Certificate (TLS 1.2, 3DES): version, suite and certificates",
      bytes: answer(hello([0x000a]), { versions: [TLS12], suites: [0x000a], certificates: [CERT, CERT] }),
      want: { version: "TLSv1.2", cipher: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", certificates: [CERT, CERT] },
    },
    {
      name: "SSLv3 ServerHello (RC4)",
      bytes: answer(hello([0x0005], SSL3), { versions: [SSL3], suites: [0x0005], certificates: [CERT] }),
      want: { version: "SSLv3", cipher: "TLS_RSA_WITH_RC4_128_SHA", certificates: [CERT] },
    },
    {
      name: "ServerHello alone (stalled before its Certificate): the choice, no certificates",
      bytes: answer(hello([0xc02f]), { versions: [TLS12], suites: [0xc02f], stallAfterHello: true }),
      want: { version: "TLSv1.2", cipher: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", certificates: null },
    },
    { name: "an alert: no choice", bytes: alertRecord(40), want: null },
    { name: "nothing", bytes: Buffer.alloc(0), want: null },
    { name: "a flood of HelloRequests: no choice", bytes: helloRequestFloodRecord(), want: null },
    { name: "an SMTP reply, not TLS", bytes: Buffer.from("454 4.7.0 TLS not available\r\n"), want: null },
  ])("serverChoiceFromBytes - $name", ({ bytes, want }) => {
    const c = serverChoiceFromBytes(bytes);
    if (want === null) expect(c).toBeNull();
    else expect({ version: c?.version, cipher: c?.cipher, certificates: c?.certificates }).toEqual(want);
  });
});

describe("server choice - what this client can complete", () => {
  const choice = (versionCode: number, cipherCode: number) => ({
    version: "",
    versionCode,
    cipher: "",
    cipherCode,
    certificates: null,
    certificatesError: null,
  });
  it.each([
    { name: "a suite OpenSSL offered", c: choice(TLS12, 0xc02f), offered: [0xc02f], want: false },
    { name: "a suite OpenSSL did not offer (3DES)", c: choice(TLS12, 0x000a), offered: [0xc02f], want: true },
    { name: "SSLv3, whatever the suite", c: choice(SSL3, 0xc02f), offered: [0xc02f], want: true },
    {
      name: "OpenSSL's offer unknown: only the version decides",
      c: choice(TLS12, 0x000a),
      offered: null,
      want: false,
    },
  ])("clientCannotComplete - $name", ({ c, offered, want }) => {
    expect(clientCannotComplete(c, offered)).toBe(want);
  });

  it("legacySuites - the suites OpenSSL did not offer come first, at most 64", () => {
    const s = legacySuites([0xc02f, 0xc030]);
    expect(s.length).toBe(64);
    expect(s.slice(0, 10)).not.toContain(0xc02f);
    expect(s).toContain(0x000a); // 3DES is among the most deployed of what OpenSSL lacks
  });
});
