/**
 * Unit tests of worker/net/tls-records.ts: the record layer, handshake reassembly however records split or merge
 * messages, ServerHello/HelloRetryRequest, Certificate messages of both forms, typed failures for truncated,
 * garbage, alert and oversized input; HKDF-Expand-Label and TLS 1.3 record protection against RFC 8448 §3
 * ("Simple 1-RTT Handshake"), and synthetic TLS 1.3 flights for every cipher suite, with and without a
 * HelloRetryRequest. Nothing here may throw: every input ends in certificates or a typed failure.
 */

import { createCipheriv, createHash, createHmac, hkdfSync, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { presentedCertificates, serverHandshakeSecret } from "../../worker/net/tls-client.js";
import {
  decryptTls13Record,
  extractServerCertificates,
  HandshakeReader,
  HELLO_RETRY_RANDOM,
  hkdfExpand,
  hkdfExpandLabel,
  type Parsed,
  parseCertificateMessage,
  parseServerHello,
  readRecord,
  recordNonce,
  type ServerCertificates,
  TLS13_SUITES,
  type Tls13Suite,
  type TlsParseFailureKind,
  type TrafficKeys,
  trafficKeys,
} from "../../worker/net/tls-records.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

// ------------------------------------------------------------------------------------------------------------
// Builders

function u8(n: number): Buffer {
  return Buffer.from([n]);
}
function u16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff]);
}
function u24(n: number): Buffer {
  return Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
}

function record(type: number, fragment: Buffer, version = 0x0303): Buffer {
  return Buffer.concat([u8(type), u16(version), u16(fragment.length), fragment]);
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([u8(type), u24(body.length), body]);
}

/** Split `bytes` into records of at most `size` bytes each. */
function records(type: number, bytes: Buffer, size: number, version = 0x0303): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(record(type, bytes.subarray(i, i + size), version));
  return Buffer.concat(out);
}

function serverHello(opts: {
  version?: number;
  suite: number;
  random?: Buffer;
  tls13?: boolean;
  extensions?: boolean;
}): Buffer {
  const random = opts.random ?? Buffer.alloc(32, 0xab);
  const sessionId = Buffer.alloc(32, 0x11);
  const parts = [
    u16(opts.version ?? 0x0303),
    random,
    u8(sessionId.length),
    sessionId,
    u16(opts.suite),
    u8(0),
  ];
  if (opts.tls13) {
    const exts = Buffer.concat([
      u16(43), // supported_versions
      u16(2),
      u16(0x0304),
      u16(51), // key_share: x25519, 32 bytes
      u16(36),
      u16(0x001d),
      u16(32),
      Buffer.alloc(32, 0x42),
    ]);
    parts.push(u16(exts.length), exts);
  } else if (opts.extensions) {
    const exts = Buffer.concat([u16(0xff01), u16(1), u8(0)]); // renegotiation_info
    parts.push(u16(exts.length), exts);
  }
  return handshake(2, Buffer.concat(parts));
}

/** Distinct fake "certificates" (the parser does not read DER; tls-client checks the leaf against OpenSSL). */
function fakeCert(n: number, size = 300 + n * 17): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + n * 7) & 0xff;
  b[0] = 0x30;
  return b;
}

function certificate12(certs: Buffer[]): Buffer {
  const list = Buffer.concat(certs.flatMap((c) => [u24(c.length), c]));
  return handshake(11, Buffer.concat([u24(list.length), list]));
}

function certificate13(certs: Buffer[], context: Buffer = Buffer.alloc(0), withExtensions = true): Buffer {
  const list = Buffer.concat(
    certs.flatMap((c, i) => {
      // An OCSP-like status_request extension on the leaf only, to show entry extensions are skipped.
      const ext =
        withExtensions && i === 0 ? Buffer.concat([u16(5), u16(4), hex("01020304")]) : Buffer.alloc(0);
      return [u24(c.length), c, u16(ext.length), ext];
    }),
  );
  return handshake(11, Buffer.concat([u8(context.length), context, u24(list.length), list]));
}

const SKE = handshake(12, Buffer.alloc(100, 0x5a));
const SHD = handshake(14, Buffer.alloc(0));

/** TLS 1.3 record protection (the mirror of decryptTls13Record), for building test flights. */
function seal(
  suite: Tls13Suite,
  keys: TrafficKeys,
  seq: number,
  type: number,
  content: Buffer,
  pad = 0,
): Buffer {
  const inner = Buffer.concat([content, u8(type), Buffer.alloc(pad)]);
  const header = Buffer.concat([u8(23), u16(0x0303), u16(inner.length + suite.tagLength)]);
  const nonce = recordNonce(keys.iv, seq);
  const opts = { authTagLength: suite.tagLength };
  let ct: Buffer;
  let tag: Buffer;
  if (suite.cipher === "aes-128-ccm") {
    const c = createCipheriv(suite.cipher, keys.key, nonce, opts);
    c.setAAD(header, { plaintextLength: inner.length });
    ct = Buffer.concat([c.update(inner), c.final()]);
    tag = c.getAuthTag();
  } else {
    const c =
      suite.cipher === "chacha20-poly1305"
        ? createCipheriv(suite.cipher, keys.key, nonce, opts)
        : createCipheriv(suite.cipher, keys.key, nonce, opts);
    c.setAAD(header, { plaintextLength: inner.length });
    ct = Buffer.concat([c.update(inner), c.final()]);
    tag = c.getAuthTag();
  }
  return Buffer.concat([header, ct, tag]);
}

const CCS = record(20, u8(1));

function expectFailure(r: Parsed<unknown>, kind: TlsParseFailureKind): void {
  expect(r.ok, JSON.stringify(r.ok ? "ok" : r.failure)).toBe(false);
  if (!r.ok) expect(r.failure.kind, r.failure.detail).toBe(kind);
}

function expectCerts(r: Parsed<ServerCertificates>, certs: Buffer[]): ServerCertificates {
  if (!r.ok) throw new Error(`${r.failure.kind}: ${r.failure.detail}`);
  expect(r.value.certificates.map((c) => c.toString("hex"))).toEqual(certs.map((c) => c.toString("hex")));
  return r.value;
}

// ------------------------------------------------------------------------------------------------------------
// RFC 8448 §3, "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256)

const RFC8448 = {
  earlySecret: "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a",
  derivedForHandshake: "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba",
  clientHandshakeTrafficSecret: "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21",
  clientHandshakeKey: "dbfaa693d1762c5b666af5d950258d01",
  clientHandshakeIv: "5bd3c71b836e0b76bb73265f",
  serverHandshakeTrafficSecret: "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38",
  serverHandshakeKey: "3fce516009c21727d0f2e4e86ee403bc",
  serverHandshakeIv: "5d313eb2671276ee13000b30",
  serverApplicationTrafficSecret: "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643",
  serverApplicationKey: "9f02283b6c9c07efc26bb9f2ac92e356",
  serverApplicationIv: "cf782b88dd83549aadf1e984",
  serverHelloRecord:
    "160303005a020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e" +
    "00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304",
  // EncryptedExtensions, Certificate, CertificateVerify, Finished: one protected record (679 octets).
  serverFlightRecord:
    "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73f848a7ca07612e" +
    "f9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13bd9aefb0e57f2" +
    "71585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a" +
    "648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f0" +
    "6aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b3" +
    "684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6" +
    "540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b659622245317b49eeda0c" +
    "6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f252107f243d243dc7339d5684" +
    "c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d461e66f99882bd89fc50800" +
    "becca62d6c74116dbd2972fda1fa80f85df881edbe5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513" +
    "afbb992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f551561463" +
    "6c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592" +
    "c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c1719bfda" +
    "bf0253fe5175be898e750edc53370d2b",
  // The plaintext handshake messages of that record.
  encryptedExtensions: "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000",
  certificate:
    "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a0603" +
    "5504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a06035504" +
    "031303727361" +
    "30819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c0c68de55" +
    "e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c" +
    "3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a" +
    "8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886f70d" +
    "01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172" +
    "f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9" +
    "b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000",
  certificateVerify:
    "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c" +
    "141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c9ea58c18" +
    "1e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3",
  finished: "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718",
};

const AES128GCM = TLS13_SUITES.get(0x1301)!;

describe("HKDF-Expand-Label (RFC 8446 §7.1) against RFC 8448 §3", () => {
  it.each([
    [
      "server handshake",
      RFC8448.serverHandshakeTrafficSecret,
      RFC8448.serverHandshakeKey,
      RFC8448.serverHandshakeIv,
    ],
    [
      "client handshake",
      RFC8448.clientHandshakeTrafficSecret,
      RFC8448.clientHandshakeKey,
      RFC8448.clientHandshakeIv,
    ],
    [
      "server application",
      RFC8448.serverApplicationTrafficSecret,
      RFC8448.serverApplicationKey,
      RFC8448.serverApplicationIv,
    ],
  ])("hkdf - %s traffic secret gives the RFC's write key and iv", (_name, secret, key, iv) => {
    const k = trafficKeys(AES128GCM, hex(secret));
    expect(k.key.toString("hex")).toBe(key);
    expect(k.iv.toString("hex")).toBe(iv);
    expect(hkdfExpandLabel("sha256", hex(secret), "key", Buffer.alloc(0), 16).toString("hex")).toBe(key);
    expect(hkdfExpandLabel("sha256", hex(secret), "iv", Buffer.alloc(0), 12).toString("hex")).toBe(iv);
  });

  it('hkdf - Derive-Secret(early, "derived", "") (a label with a hash as context)', () => {
    // early = HKDF-Extract(0, 0^32); Derive-Secret = HKDF-Expand-Label(secret, label, Hash(""), 32).
    const early = createHmac("sha256", Buffer.alloc(32)).update(Buffer.alloc(32)).digest();
    expect(early.toString("hex")).toBe(RFC8448.earlySecret);
    const emptyHash = createHash("sha256").digest();
    expect(hkdfExpandLabel("sha256", early, "derived", emptyHash, 32).toString("hex")).toBe(
      RFC8448.derivedForHandshake,
    );
  });

  it.each([
    ["sha256", 1],
    ["sha256", 32],
    ["sha256", 33],
    ["sha256", 100],
    ["sha384", 12],
    ["sha384", 48],
    ["sha384", 200],
  ] as const)(
    "hkdf - HKDF-Expand(%s, %i bytes) equals node:crypto hkdfSync after the same extract",
    (hash, len) => {
      const ikm = Buffer.from("input keying material");
      const salt = Buffer.from("salt value");
      const info = Buffer.from("some info");
      const prk = createHmac(hash, salt).update(ikm).digest();
      const ours = hkdfExpand(hash, prk, info, len);
      const node = Buffer.from(hkdfSync(hash, ikm, salt, info, len));
      expect(ours.toString("hex")).toBe(node.toString("hex"));
    },
  );

  it("nonce - the IV XOR the left-padded sequence number (RFC 8446 §5.3)", () => {
    const iv = hex(RFC8448.serverHandshakeIv);
    expect(recordNonce(iv, 0).toString("hex")).toBe(RFC8448.serverHandshakeIv);
    expect(recordNonce(iv, 1).toString("hex")).toBe("5d313eb2671276ee13000b31");
    expect(recordNonce(iv, 0x0102).toString("hex")).toBe("5d313eb2671276ee13000a32");
    expect(recordNonce(hex("000000000000000000000000"), 2 ** 40 + 5).toString("hex")).toBe(
      "000000000000010000000005",
    );
  });
});

describe("TLS 1.3 against RFC 8448 §3", () => {
  const plaintext = Buffer.concat(
    [RFC8448.encryptedExtensions, RFC8448.certificate, RFC8448.certificateVerify, RFC8448.finished].map(hex),
  );
  const keys = trafficKeys(AES128GCM, hex(RFC8448.serverHandshakeTrafficSecret));

  it("rfc8448 - sealing the RFC's plaintext messages with the derived keys gives the RFC's record", () => {
    expect(seal(AES128GCM, keys, 0, 22, plaintext).toString("hex")).toBe(RFC8448.serverFlightRecord);
  });

  it("rfc8448 - the protected record decrypts to the four handshake messages, content type handshake", () => {
    const step = readRecord(hex(RFC8448.serverFlightRecord), 0);
    if (step.kind !== "record") throw new Error(step.kind);
    const inner = decryptTls13Record(AES128GCM, keys, 0, step.record);
    if (!inner.ok) throw new Error(inner.failure.detail);
    expect(inner.value.type).toBe(22);
    expect(inner.value.content.toString("hex")).toBe(plaintext.toString("hex"));
  });

  it("rfc8448 - ServerHello + protected flight + secret → the RFC's one certificate, CN=rsa", () => {
    const bytes = Buffer.concat([hex(RFC8448.serverHelloRecord), hex(RFC8448.serverFlightRecord)]);
    const r = extractServerCertificates(bytes, {
      serverHandshakeTrafficSecret: hex(RFC8448.serverHandshakeTrafficSecret),
    });
    const der = hex(RFC8448.certificate).subarray(4 + 1 + 3 + 3, 4 + 1 + 3 + 3 + 0x1b0);
    const v = expectCerts(r, [der]);
    expect(v).toMatchObject({ version: 0x0304, cipherSuite: 0x1301, helloRetry: false });
    expect(new X509Certificate(v.certificates[0]!).subject).toBe("CN=rsa");
  });

  it("rfc8448 - a wrong secret is decrypt_failed, no secret is no_secret", () => {
    const bytes = Buffer.concat([hex(RFC8448.serverHelloRecord), hex(RFC8448.serverFlightRecord)]);
    expectFailure(
      extractServerCertificates(bytes, {
        serverHandshakeTrafficSecret: hex(RFC8448.clientHandshakeTrafficSecret),
      }),
      "decrypt_failed",
    );
    expectFailure(extractServerCertificates(bytes, {}), "no_secret");
    expectFailure(extractServerCertificates(bytes, { serverHandshakeTrafficSecret: null }), "no_secret");
  });

  it("rfc8448 - one flipped bit anywhere in the protected record is decrypt_failed", () => {
    const flight = hex(RFC8448.serverFlightRecord);
    for (const at of [5, 6, 100, 500, flight.length - 17, flight.length - 1]) {
      const bad = Buffer.from(flight);
      bad[at] = bad[at]! ^ 0x01;
      const bytes = Buffer.concat([hex(RFC8448.serverHelloRecord), bad]);
      expectFailure(
        extractServerCertificates(bytes, {
          serverHandshakeTrafficSecret: hex(RFC8448.serverHandshakeTrafficSecret),
        }),
        "decrypt_failed",
      );
    }
  });
});

// ------------------------------------------------------------------------------------------------------------
// Record layer and handshake reassembly

describe("record layer", () => {
  it("record - a whole record, then the end", () => {
    const bytes = record(22, hex("0102030405"));
    const s = readRecord(bytes, 0);
    expect(s.kind).toBe("record");
    if (s.kind !== "record") return;
    expect(s.record).toMatchObject({ type: 22, version: 0x0303 });
    expect(s.record.fragment.toString("hex")).toBe("0102030405");
    expect(s.record.header.toString("hex")).toBe("1603030005");
    expect(readRecord(bytes, s.next)).toEqual({ kind: "end" });
  });

  it.each([
    ["header cut after 1 byte", hex("16"), { kind: "partial", have: 1, need: 5 }],
    ["header cut after 4 bytes", hex("16030300"), { kind: "partial", have: 4, need: 5 }],
    ["body cut", hex("160303000501020304"), { kind: "partial", have: 9, need: 10 }],
  ])("record - %s is partial", (_name, bytes, want) => {
    expect(readRecord(bytes, 0)).toEqual(want);
  });

  it.each([
    ["content type 0", hex("0003030001ff"), "bad_record"],
    ["content type 24 (heartbeat)", hex("1803030001ff"), "bad_record"],
    ["HTTP text", Buffer.from("HTTP/1.1 400 Bad Request\r\n"), "bad_record"],
    ["an SMTP reply", Buffer.from("220 mx ESMTP\r\n"), "bad_record"],
    ["version 0x0203", hex("1602030001ff"), "bad_record"],
    ["version 0x0305", hex("1603050001ff"), "bad_record"],
    ["version 0x0403", hex("1604030001ff"), "bad_record"],
    ["length 0xffff", hex("160303ffff"), "oversized"],
    ["length 2^14 + 2049", hex("1603034801"), "oversized"],
  ])("record - %s is a typed failure", (_name, bytes, kind) => {
    const s = readRecord(bytes, 0);
    expect(s.kind).toBe("error");
    if (s.kind === "error") expect(s.failure.kind).toBe(kind);
  });

  it("record - length 2^14 + 2048 is the largest accepted", () => {
    expect(readRecord(hex("1603034800"), 0)).toEqual({ kind: "partial", have: 5, need: 5 + 18432 });
  });
});

describe("handshake reassembly", () => {
  const cert = certificate12([fakeCert(1), fakeCert(2)]);

  it("reassembly - a message split over 3 fragments comes out once, whole", () => {
    const r = new HandshakeReader();
    const a = Math.floor(cert.length / 3);
    r.push(cert.subarray(0, 2)); // not even the header
    expect(r.next()).toEqual({ kind: "need_more" });
    r.push(cert.subarray(2, a));
    expect(r.next()).toEqual({ kind: "need_more" });
    r.push(cert.subarray(a, cert.length));
    const m = r.next();
    expect(m.kind).toBe("message");
    if (m.kind === "message") {
      expect(m.message.type).toBe(11);
      expect(m.message.body.length).toBe(cert.length - 4);
    }
    expect(r.next()).toEqual({ kind: "need_more" });
    expect(r.pending).toBe(0);
  });

  it("reassembly - several messages in one fragment come out in order", () => {
    const r = new HandshakeReader();
    r.push(Buffer.concat([serverHello({ suite: 0xc02f }), cert, SKE, SHD]));
    const types: number[] = [];
    for (let m = r.next(); m.kind === "message"; m = r.next()) types.push(m.message.type);
    expect(types).toEqual([2, 11, 12, 14]);
  });

  it("reassembly - a message longer than the bound is oversized before its bytes arrive", () => {
    const r = new HandshakeReader(1000);
    r.push(hex("0b0003e9")); // 1001 bytes announced
    const m = r.next();
    expect(m.kind).toBe("error");
    if (m.kind === "error") expect(m.failure.kind).toBe("oversized");
  });
});

describe("ServerHello and Certificate messages", () => {
  const body = (m: Buffer) => m.subarray(4);

  it.each([
    ["TLS 1.2 without extensions", serverHello({ suite: 0xc02f }), { version: 0x0303, cipherSuite: 0xc02f }],
    [
      "TLS 1.0 with an extension",
      serverHello({ version: 0x0301, suite: 0x002f, extensions: true }),
      { version: 0x0301, cipherSuite: 0x002f },
    ],
    [
      "TLS 1.3 (supported_versions)",
      serverHello({ suite: 0x1302, tls13: true }),
      { version: 0x0304, cipherSuite: 0x1302, helloRetry: false },
    ],
    [
      "a HelloRetryRequest",
      serverHello({ suite: 0x1301, tls13: true, random: HELLO_RETRY_RANDOM }),
      { version: 0x0304, helloRetry: true },
    ],
  ])("server hello - %s", (_name, msg, want) => {
    const r = parseServerHello(body(msg));
    if (!r.ok) throw new Error(r.failure.detail);
    expect(r.value).toMatchObject(want);
  });

  it.each([
    ["too short", hex("0303")],
    ["session id over 32 bytes", Buffer.concat([hex("0303"), Buffer.alloc(32), u8(33), Buffer.alloc(40)])],
    ["extensions length past the end", Buffer.concat([body(serverHello({ suite: 0xc02f })), u16(10)])],
    [
      "supported_versions of 4 bytes",
      Buffer.concat([body(serverHello({ suite: 0x1301 })), u16(8), u16(43), u16(4), hex("03040303")]),
    ],
  ])("server hello - %s is bad_handshake", (_name, b) => {
    expectFailure(parseServerHello(b), "bad_handshake");
  });

  it("certificate - TLS 1.2 list in order", () => {
    const certs = [fakeCert(1), fakeCert(2), fakeCert(3)];
    const r = parseCertificateMessage(body(certificate12(certs)), false);
    expect(r).toEqual({ ok: true, value: certs });
  });

  it("certificate - TLS 1.3 entries with a request context and extensions", () => {
    const certs = [fakeCert(1), fakeCert(2)];
    const r = parseCertificateMessage(body(certificate13(certs, hex("aabb"))), true);
    expect(r).toEqual({ ok: true, value: certs });
  });

  it("certificate - an empty list is no certificates, not a failure", () => {
    expect(parseCertificateMessage(body(certificate12([])), false)).toEqual({ ok: true, value: [] });
    expect(parseCertificateMessage(body(certificate13([])), true)).toEqual({ ok: true, value: [] });
  });

  const good12 = body(certificate12([fakeCert(1), fakeCert(2)]));
  it.each([
    ["empty body", Buffer.alloc(0), false],
    ["list length larger than the message", Buffer.concat([u24(good12.length), good12.subarray(3)]), false],
    [
      "list length smaller than the message",
      Buffer.concat([u24(good12.length - 4), good12.subarray(3)]),
      false,
    ],
    ["entry length 0xffffff", Buffer.concat([u24(6), u24(0xffffff), hex("303030")]), false],
    ["an empty entry", Buffer.concat([u24(3), u24(0)]), false],
    ["entry length cut", Buffer.concat([u24(2), hex("0001")]), false],
    ["TLS 1.3 entry without extensions", Buffer.concat([u8(0), u24(5), u24(2), hex("3000")]), true],
    ["TLS 1.3 extensions overrunning", Buffer.concat([u8(0), u24(7), u24(2), hex("3000"), u16(9)]), true],
    ["TLS 1.3 context overrunning", Buffer.concat([u8(200), hex("00")]), true],
  ])("certificate - %s is bad_certificate", (_name, b, tls13) => {
    expectFailure(parseCertificateMessage(b, tls13), "bad_certificate");
  });
});

// ------------------------------------------------------------------------------------------------------------
// Whole flights, TLS ≤ 1.2

describe("server flight up to TLS 1.2", () => {
  const certs = [fakeCert(1, 1200), fakeCert(2, 900), fakeCert(3, 700)];
  const sh = serverHello({ suite: 0xc02f, extensions: true });
  const flight = Buffer.concat([sh, certificate12(certs), SKE, SHD]);

  it("tls12 - all messages merged into one record", () => {
    const v = expectCerts(extractServerCertificates(record(22, flight)), certs);
    expect(v).toMatchObject({ version: 0x0303, cipherSuite: 0xc02f, helloRetry: false });
  });

  it("tls12 - one record per message", () => {
    const bytes = Buffer.concat([sh, certificate12(certs), SKE, SHD].map((m) => record(22, m)));
    expectCerts(extractServerCertificates(bytes), certs);
  });

  it("tls12 - the Certificate message split over 3 records", () => {
    const c = certificate12(certs);
    const third = Math.ceil(c.length / 3);
    const bytes = Buffer.concat([
      record(22, sh),
      record(22, c.subarray(0, third)),
      record(22, c.subarray(third, 2 * third)),
      record(22, Buffer.concat([c.subarray(2 * third), SKE, SHD])),
    ]);
    expectCerts(extractServerCertificates(bytes), certs);
  });

  it("tls12 - records of every size from 1 to 400 bytes give the same certificates", () => {
    for (let size = 1; size <= 400; size++) {
      expectCerts(extractServerCertificates(records(22, flight, size)), certs);
    }
  });

  it("tls12 - TLS 1.0 and 1.1 record and hello versions", () => {
    for (const v of [0x0301, 0x0302]) {
      const f = Buffer.concat([serverHello({ version: v, suite: 0x002f }), certificate12(certs), SHD]);
      expect(expectCerts(extractServerCertificates(records(22, f, 1000, v)), certs).version).toBe(v);
    }
  });

  it("tls12 - bytes after the Certificate message (even garbage) are never read", () => {
    const bytes = Buffer.concat([
      record(22, Buffer.concat([sh, certificate12(certs)])),
      Buffer.from("garbage!"),
    ]);
    expectCerts(extractServerCertificates(bytes), certs);
  });

  it("tls12 - a warning alert (unrecognized_name) before the ServerHello is passed over", () => {
    const bytes = Buffer.concat([record(21, hex("0170")), record(22, flight)]);
    expectCerts(extractServerCertificates(bytes), certs);
  });

  it("tls12 - an empty HelloRequest (skipped mid-handshake, as OpenSSL does) before the ServerHello and the Certificate", () => {
    const helloRequest = handshake(0, Buffer.alloc(0));
    const bytes = Buffer.concat([
      record(22, helloRequest),
      record(22, Buffer.concat([sh, helloRequest, certificate12(certs)])),
    ]);
    expectCerts(extractServerCertificates(bytes), certs);
    expectFailure(
      extractServerCertificates(record(22, Buffer.concat([handshake(0, hex("00")), sh]))),
      "unexpected_message",
    );
  });

  it("tls12 - an anonymous suite: no Certificate message, no certificates", () => {
    const bytes = record(22, Buffer.concat([serverHello({ suite: 0xc018 }), SKE, SHD]));
    expectCerts(extractServerCertificates(bytes), []);
  });

  it("tls12 - every proper prefix of the flight is truncated (never anything else, never a throw)", () => {
    const bytes = records(22, Buffer.concat([sh, certificate12(certs)]), 700);
    for (let n = 0; n < bytes.length; n++) {
      expectFailure(extractServerCertificates(bytes.subarray(0, n)), "truncated");
    }
    expectCerts(extractServerCertificates(bytes), certs);
  });

  it.each([
    ["no bytes at all", Buffer.alloc(0), "truncated"],
    ["garbage", Buffer.from("\x00\x01\x02garbage that is not TLS at all"), "bad_record"],
    ["an SMTP reply instead of a handshake", Buffer.from("454 4.7.0 TLS not available\r\n"), "bad_record"],
    ["a fatal handshake_failure alert", record(21, hex("0228")), "alert"],
    [
      "a fatal protocol_version alert after a warning",
      Buffer.concat([record(21, hex("0170")), record(21, hex("0246"))]),
      "alert",
    ],
    ["a 1-byte alert record", record(21, hex("02")), "bad_record"],
    ["application data first", record(23, Buffer.alloc(40)), "unexpected_message"],
    ["a Certificate before the ServerHello", record(22, certificate12(certs)), "unexpected_message"],
    [
      "ChangeCipherSpec before the Certificate (a resumed session)",
      Buffer.concat([record(22, sh), CCS, record(22, certificate12(certs))]),
      "unexpected_message",
    ],
    [
      "a CertificateRequest before the Certificate",
      record(22, Buffer.concat([sh, handshake(13, Buffer.alloc(8)), certificate12(certs)])),
      "unexpected_message",
    ],
    ["a record length of 0xffff", Buffer.concat([record(22, sh), hex("160303ffff")]), "oversized"],
    [
      "a Certificate message of 16 MiB",
      Buffer.concat([record(22, sh), record(22, Buffer.concat([hex("0bffffff"), Buffer.alloc(100)]))]),
      "oversized",
    ],
    [
      "a corrupt certificate list",
      record(22, Buffer.concat([sh, handshake(11, Buffer.concat([u24(10), u24(50), Buffer.alloc(7)]))])),
      "bad_certificate",
    ],
    ["a ServerHello of SSL 2", record(22, serverHello({ version: 0x0002, suite: 0x002f })), "unsupported"],
  ] as const)("tls12 - %s is %s", (_name, bytes, kind) => {
    expectFailure(extractServerCertificates(bytes), kind);
  });

  it("tls12 - the handshake message bound is the caller's", () => {
    const bytes = record(22, flight);
    expectFailure(extractServerCertificates(bytes, { maxHandshakeMessage: 1000 }), "oversized");
    expectCerts(extractServerCertificates(bytes, { maxHandshakeMessage: 5000 }), certs);
  });
});

// ------------------------------------------------------------------------------------------------------------
// Whole flights, TLS 1.3

function tls13Flight(opts: {
  suite: Tls13Suite;
  secret: Buffer;
  certs: Buffer[];
  helloRetry?: boolean;
  ccs?: boolean;
  /** Bytes of handshake data per protected record. */
  chunk?: number;
  pad?: number;
  extra?: Buffer[];
  certificateRequest?: boolean;
}): Buffer {
  const keys = trafficKeys(opts.suite, opts.secret);
  const out: Buffer[] = [];
  if (opts.helloRetry) {
    out.push(record(22, serverHello({ suite: opts.suite.id, tls13: true, random: HELLO_RETRY_RANDOM })));
    if (opts.ccs) out.push(CCS);
  }
  out.push(record(22, serverHello({ suite: opts.suite.id, tls13: true })));
  if (opts.ccs && !opts.helloRetry) out.push(CCS);
  const messages = Buffer.concat([
    handshake(8, hex("0000")),
    ...(opts.certificateRequest ? [handshake(13, hex("000000"))] : []),
    certificate13(opts.certs),
    handshake(15, Buffer.alloc(264, 0x77)),
    handshake(20, Buffer.alloc(opts.suite.hash === "sha384" ? 48 : 32, 0x99)),
    ...(opts.extra ?? []),
  ]);
  const size = opts.chunk ?? messages.length;
  let seq = 0;
  for (let i = 0; i < messages.length; i += size) {
    out.push(seal(opts.suite, keys, seq++, 22, messages.subarray(i, i + size), opts.pad ?? 0));
  }
  return Buffer.concat(out);
}

describe("server flight in TLS 1.3", () => {
  const certs = [fakeCert(1, 1500), fakeCert(2, 1100)];
  const secretFor = (s: Tls13Suite) => Buffer.alloc(s.hash === "sha384" ? 48 : 32, 0x3c);

  it.each([...TLS13_SUITES.values()].map((s) => [s.name, s] as const))(
    "tls13 - %s: certificates from the protected flight",
    (_name, suite) => {
      const secret = secretFor(suite);
      const v = expectCerts(
        extractServerCertificates(tls13Flight({ suite, secret, certs, ccs: true }), {
          serverHandshakeTrafficSecret: secret,
        }),
        certs,
      );
      expect(v).toMatchObject({ version: 0x0304, cipherSuite: suite.id, helloRetry: false });
    },
  );

  it.each([...TLS13_SUITES.values()].map((s) => [s.name, s] as const))(
    "tls13 - %s: the Certificate split over many records, padded, after a CertificateRequest",
    (_name, suite) => {
      const secret = secretFor(suite);
      for (const chunk of [1, 7, 100, 999]) {
        const bytes = tls13Flight({ suite, secret, certs, chunk, pad: 13, certificateRequest: true });
        expectCerts(extractServerCertificates(bytes, { serverHandshakeTrafficSecret: secret }), certs);
      }
    },
  );

  it("tls13 - a HelloRetryRequest (with ChangeCipherSpec) then the real ServerHello", () => {
    const suite = TLS13_SUITES.get(0x1302)!;
    const secret = secretFor(suite);
    for (const ccs of [false, true]) {
      const v = expectCerts(
        extractServerCertificates(tls13Flight({ suite, secret, certs, helloRetry: true, ccs }), {
          serverHandshakeTrafficSecret: secret,
        }),
        certs,
      );
      expect(v.helloRetry).toBe(true);
    }
  });

  it("tls13 - two HelloRetryRequests are unexpected", () => {
    const hrr = record(22, serverHello({ suite: 0x1301, tls13: true, random: HELLO_RETRY_RANDOM }));
    expectFailure(
      extractServerCertificates(Buffer.concat([hrr, hrr]), {
        serverHandshakeTrafficSecret: Buffer.alloc(32),
      }),
      "unexpected_message",
    );
  });

  it("tls13 - every proper prefix is truncated", () => {
    const suite = AES128GCM;
    const secret = secretFor(suite);
    const bytes = tls13Flight({ suite, secret, certs, ccs: true, chunk: 500 });
    for (let n = 0; n < bytes.length; n += 7) {
      const r = extractServerCertificates(bytes.subarray(0, n), { serverHandshakeTrafficSecret: secret });
      // A record cut short is simply incomplete; the flight is read record by record.
      if (r.ok) expect(n).toBeGreaterThan(0);
      else expect(r.failure.kind, `${n} bytes: ${r.failure.detail}`).toBe("truncated");
    }
  });

  it("tls13 - Finished without a Certificate (a PSK handshake) is no certificates", () => {
    const suite = AES128GCM;
    const secret = secretFor(suite);
    const keys = trafficKeys(suite, secret);
    const bytes = Buffer.concat([
      record(22, serverHello({ suite: suite.id, tls13: true })),
      seal(suite, keys, 0, 22, Buffer.concat([handshake(8, hex("0000")), handshake(20, Buffer.alloc(32))])),
    ]);
    expectCerts(extractServerCertificates(bytes, { serverHandshakeTrafficSecret: secret }), []);
  });

  it.each([
    ["a protected fatal alert", (k: TrafficKeys) => seal(AES128GCM, k, 0, 21, hex("022a")), "alert"],
    [
      "protected application data",
      (k: TrafficKeys) => seal(AES128GCM, k, 0, 23, hex("0102")),
      "unexpected_message",
    ],
    [
      "a record of padding only",
      (k: TrafficKeys) => seal(AES128GCM, k, 0, 0, Buffer.alloc(0), 5),
      "unexpected_message",
    ],
    ["a record shorter than its tag", () => record(23, Buffer.alloc(10)), "bad_record"],
    ["a plaintext handshake record", () => record(22, handshake(8, hex("0000"))), "unexpected_message"],
    ["a plaintext alert", () => record(21, hex("0228")), "unexpected_message"],
    [
      "a CertificateVerify before the Certificate",
      (k: TrafficKeys) => seal(AES128GCM, k, 0, 22, handshake(15, Buffer.alloc(10))),
      "unexpected_message",
    ],
    [
      "a compressed certificate (RFC 8879)",
      (k: TrafficKeys) => seal(AES128GCM, k, 0, 22, handshake(25, Buffer.alloc(10))),
      "unsupported",
    ],
    [
      "a corrupt certificate list",
      (k: TrafficKeys) => seal(AES128GCM, k, 0, 22, handshake(11, Buffer.concat([u8(0), u24(9), u24(1)]))),
      "bad_certificate",
    ],
    [
      "an inner plaintext over 2^14 + 1 bytes",
      (k: TrafficKeys) => seal(AES128GCM, k, 0, 22, handshake(8, Buffer.alloc(16384))),
      "oversized",
    ],
    [
      "a protected record over 2^14 + 256 bytes",
      (k: TrafficKeys) => seal(AES128GCM, k, 0, 22, handshake(8, Buffer.alloc(16384 + 300))),
      "oversized",
    ],
  ] as const)("tls13 - %s after the ServerHello is %s", (_name, make, kind) => {
    const secret = secretFor(AES128GCM);
    const keys = trafficKeys(AES128GCM, secret);
    const bytes = Buffer.concat([record(22, serverHello({ suite: 0x1301, tls13: true })), make(keys)]);
    expectFailure(extractServerCertificates(bytes, { serverHandshakeTrafficSecret: secret }), kind);
  });

  it("tls13 - an unknown TLS 1.3 suite is unsupported; data after the ServerHello in its record is unexpected", () => {
    const secret = Buffer.alloc(32);
    expectFailure(
      extractServerCertificates(record(22, serverHello({ suite: 0x13ff, tls13: true })), {
        serverHandshakeTrafficSecret: secret,
      }),
      "unsupported",
    );
    expectFailure(
      extractServerCertificates(
        record(22, Buffer.concat([serverHello({ suite: 0x1301, tls13: true }), handshake(8, hex("0000"))])),
        { serverHandshakeTrafficSecret: secret },
      ),
      "unexpected_message",
    );
  });

  it("tls13 - records after the decrypt sequence are read with increasing sequence numbers only", () => {
    // Same flight, but the second record sealed with the sequence number of the first: not accepted.
    const suite = AES128GCM;
    const secret = secretFor(suite);
    const keys = trafficKeys(suite, secret);
    const msgs = Buffer.concat([handshake(8, hex("0000")), certificate13(certs)]);
    const bytes = Buffer.concat([
      record(22, serverHello({ suite: suite.id, tls13: true })),
      seal(suite, keys, 0, 22, msgs.subarray(0, 10)),
      seal(suite, keys, 0, 22, msgs.subarray(10)),
    ]);
    expectFailure(
      extractServerCertificates(bytes, { serverHandshakeTrafficSecret: secret }),
      "decrypt_failed",
    );
  });
});

// ------------------------------------------------------------------------------------------------------------
// The glue in tls-client.ts

describe("tls-client glue", () => {
  it("keylog - SERVER_HANDSHAKE_TRAFFIC_SECRET lines give the secret; other lines nothing", () => {
    const random = "aa".repeat(32);
    const secret = "bb".repeat(48);
    expect(
      serverHandshakeSecret(Buffer.from(`SERVER_HANDSHAKE_TRAFFIC_SECRET ${random} ${secret}\n`)),
    ).toEqual(hex(secret));
    expect(serverHandshakeSecret(`CLIENT_HANDSHAKE_TRAFFIC_SECRET ${random} ${secret}\n`)).toBeNull();
    expect(serverHandshakeSecret(`CLIENT_RANDOM ${random} ${secret}`)).toBeNull();
    expect(serverHandshakeSecret(`SERVER_HANDSHAKE_TRAFFIC_SECRET ${random} xyz`)).toBeNull();
    expect(serverHandshakeSecret("SERVER_HANDSHAKE_TRAFFIC_SECRET")).toBeNull();
  });

  const certs = [fakeCert(1), fakeCert(2)];
  const flight12 = record(22, Buffer.concat([serverHello({ suite: 0xc02f }), certificate12(certs), SHD]));
  const base: Parameters<typeof presentedCertificates>[0] = {
    serverBytes: flight12,
    capped: false,
    serverHandshakeTrafficSecret: null,
    protocol: "TLSv1.2",
    cipherStandardName: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    nodeChain: [certs[0]!, fakeCert(9)],
  };

  it("presented - agrees with OpenSSL: the certificates as sent", () => {
    expect(presentedCertificates(base)).toEqual({ presented: certs, error: null });
  });

  type Change = Partial<Parameters<typeof presentedCertificates>[0]>;
  it.each<[string, Change, RegExp]>([
    ["another protocol", { protocol: "TLSv1.3" }, /^mismatch: ServerHello version/],
    ["another leaf", { nodeChain: [fakeCert(5)] }, /^mismatch: the first certificate/],
    ["no leaf at OpenSSL", { nodeChain: [] }, /^mismatch: the first certificate/],
    ["garbage", { serverBytes: Buffer.from("nonsense") }, /^bad_record: /],
    [
      "a capped recording",
      { serverBytes: flight12.subarray(0, 100), capped: true },
      /recording limit reached\)$/,
    ],
  ])("presented - %s: null, with the reason", (_name, change, error) => {
    const r = presentedCertificates({ ...base, ...change });
    expect(r.presented).toBeNull();
    expect(r.error).toMatch(error);
  });

  it("presented - TLS 1.3: the suite must be the one Node reports", () => {
    const suite = TLS13_SUITES.get(0x1303)!;
    const secret = Buffer.alloc(32, 1);
    const input = {
      ...base,
      serverBytes: tls13Flight({ suite, secret, certs }),
      serverHandshakeTrafficSecret: secret,
      protocol: "TLSv1.3",
      cipherStandardName: suite.name,
    };
    expect(presentedCertificates(input)).toEqual({ presented: certs, error: null });
    expect(presentedCertificates({ ...input, cipherStandardName: "TLS_AES_128_GCM_SHA256" }).error).toMatch(
      /^mismatch: ServerHello suite/,
    );
  });
});
