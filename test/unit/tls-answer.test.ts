/**
 * Table tests of worker/net/tls-answer.ts: what we read from the server after our ClientHello — ServerHello
 * (TLS 1.0–1.2, TLS 1.3 by supported_versions, HelloRetryRequest), the TLS 1.2 key exchange behind it, SSLv2
 * SERVER-HELLO and ERROR, alerts — however the bytes are split (every split point) or merged with what follows,
 * and typed verdicts for truncated, garbage, hostile and oversized input. Nothing here may throw.
 */

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  parseServerHelloBody,
  readServerAnswer,
  type ServerAnswer,
  ServerAnswerReader,
} from "../../worker/net/tls-answer.js";
import { HELLO_RETRY_RANDOM } from "../../worker/net/tls-records.js";
import { alertRecord } from "../lab/fake-tls.js";

const u8 = (n: number) => Buffer.from([n]);
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
const record = (type: number, version: number, frag: Buffer) =>
  Buffer.concat([u8(type), u16(version), u16(frag.length), frag]);
const handshake = (type: number, body: Buffer) => Buffer.concat([u8(type), u24(body.length), body]);
const ext = (type: number, data: Buffer) => Buffer.concat([u16(type), u16(data.length), data]);

function serverHelloBody(o: {
  version: number;
  suite: number;
  random?: Buffer;
  exts?: Buffer[];
  sid?: number;
}): Buffer {
  const sid = Buffer.alloc(o.sid ?? 0, 0x77);
  const exts = o.exts ? Buffer.concat(o.exts) : null;
  return Buffer.concat([
    u16(o.version),
    o.random ?? Buffer.alloc(32, 0xab),
    u8(sid.length),
    sid,
    u16(o.suite),
    u8(0),
    ...(exts ? [u16(exts.length), exts] : []),
  ]);
}

const TLS12_HELLO = record(22, 0x0303, handshake(2, serverHelloBody({ version: 0x0303, suite: 0xc02f })));
const TLS13_HELLO = record(
  22,
  0x0303,
  handshake(
    2,
    serverHelloBody({
      version: 0x0303,
      suite: 0x1302,
      sid: 32,
      exts: [ext(43, u16(0x0304)), ext(51, Buffer.concat([u16(29), u16(32), Buffer.alloc(32, 1)]))],
    }),
  ),
);
const HRR = record(
  22,
  0x0303,
  handshake(
    2,
    serverHelloBody({
      version: 0x0303,
      suite: 0x1301,
      random: HELLO_RETRY_RANDOM,
      sid: 32,
      exts: [ext(43, u16(0x0304)), ext(51, u16(24))],
    }),
  ),
);
const SSL2_SERVER_HELLO = (() => {
  const cert = Buffer.alloc(20, 0x30);
  const specs = Buffer.from([1, 0, 0x80, 7, 0, 0xc0]);
  const conn = Buffer.alloc(16, 9);
  const msg = Buffer.concat([
    Buffer.from([4, 0, 1]),
    u16(2),
    u16(cert.length),
    u16(specs.length),
    u16(conn.length),
    cert,
    specs,
    conn,
  ]);
  return Buffer.concat([u16(0x8000 | msg.length), msg]);
})();
const CERTIFICATE = handshake(11, Buffer.concat([u24(1003), u24(1000), Buffer.alloc(1000, 0x30)]));
const SKE_ECDHE = handshake(
  12,
  Buffer.concat([u8(3), u16(24), u8(97), Buffer.alloc(97, 4), Buffer.alloc(70, 1)]),
);
const SKE_DHE = (() => {
  const p = Buffer.concat([u8(0x7f), Buffer.alloc(255, 0xff)]); // 2047 bits
  return handshake(12, Buffer.concat([u16(p.length), p, u16(1), u8(2), u16(1), u8(5)]));
})();
const DONE = handshake(14, Buffer.alloc(0));
const TLS12_FLIGHT = (suite: number, ...rest: Buffer[]) =>
  record(22, 0x0303, Buffer.concat([handshake(2, serverHelloBody({ version: 0x0303, suite })), ...rest]));

type Want = Partial<Record<string, unknown>> & { kind: ServerAnswer["kind"] };

interface Case {
  name: string;
  bytes: Buffer;
  want: Want;
  opts?: { want?: "hello" | "key_exchange"; maxBytes?: number };
  /** Check every split point (two chunks) and byte-at-a-time delivery too. */
  splits?: boolean;
}

const CASES: Case[] = [
  {
    name: "TLS 1.2 ServerHello",
    bytes: TLS12_HELLO,
    want: {
      kind: "server_hello",
      hello: expect.objectContaining({ version: 0x0303, cipherSuite: 0xc02f, helloRetry: false }),
    },
    splits: true,
  },
  {
    name: "TLS 1.3 ServerHello by supported_versions, key_share group",
    bytes: TLS13_HELLO,
    want: {
      kind: "server_hello",
      hello: expect.objectContaining({
        version: 0x0304,
        legacyVersion: 0x0303,
        cipherSuite: 0x1302,
        group: 29,
      }),
    },
    splits: true,
  },
  {
    name: "HelloRetryRequest: TLS 1.3, selected group",
    bytes: HRR,
    want: {
      kind: "server_hello",
      hello: expect.objectContaining({ version: 0x0304, helloRetry: true, group: 24 }),
    },
    splits: true,
  },
  {
    name: "SSLv3 ServerHello in a 3.0 record",
    bytes: record(22, 0x0300, handshake(2, serverHelloBody({ version: 0x0300, suite: 0x000a }))),
    want: {
      kind: "server_hello",
      hello: expect.objectContaining({ version: 0x0300, recordVersion: 0x0300 }),
    },
  },
  {
    name: "ServerHello merged with Certificate and the rest: stops at the hello",
    bytes: TLS12_FLIGHT(0xc02f, CERTIFICATE, SKE_ECDHE, DONE),
    want: { kind: "server_hello", keyExchange: null },
  },
  {
    name: "key exchange: ECDHE named curve after the Certificate",
    bytes: TLS12_FLIGHT(0xc02f, CERTIFICATE, SKE_ECDHE, DONE),
    opts: { want: "key_exchange" },
    want: { kind: "server_hello", keyExchange: { kind: "ecdhe", group: 24 } },
    splits: true,
  },
  {
    name: "key exchange: DHE prime bits",
    bytes: TLS12_FLIGHT(0x009e, CERTIFICATE, SKE_DHE, DONE),
    opts: { want: "key_exchange" },
    want: { kind: "server_hello", keyExchange: { kind: "dhe", primeBits: 2047 } },
  },
  {
    name: "key exchange: RSA has none (ServerHelloDone)",
    bytes: TLS12_FLIGHT(0x002f, CERTIFICATE, DONE),
    opts: { want: "key_exchange" },
    want: { kind: "server_hello", keyExchange: { kind: "none" } },
  },
  {
    name: "key exchange: every message in its own record",
    bytes: Buffer.concat([
      TLS12_HELLO,
      record(22, 0x0303, CERTIFICATE),
      record(22, 0x0303, SKE_ECDHE),
      record(22, 0x0303, DONE),
    ]),
    opts: { want: "key_exchange" },
    want: { kind: "server_hello", keyExchange: { kind: "ecdhe", group: 24 } },
  },
  {
    name: "key exchange: the stream ends after the hello — the hello stands",
    bytes: TLS12_HELLO,
    opts: { want: "key_exchange" },
    want: { kind: "server_hello", keyExchange: null },
  },
  {
    name: "SSLv2 SERVER-HELLO with its cipher specs",
    bytes: SSL2_SERVER_HELLO,
    want: { kind: "ssl2_server_hello", version: 2, cipherSpecs: [0x010080, 0x0700c0], certificateLength: 20 },
    splits: true,
  },
  { name: "SSLv2 ERROR", bytes: Buffer.from([0x80, 3, 0, 0, 1]), want: { kind: "ssl2_error", code: 1 } },
  {
    name: "fatal alert protocol_version",
    bytes: alertRecord(70, 0x0301),
    want: { kind: "alert", level: 2, description: 70, name: "protocol_version" },
    splits: true,
  },
  {
    name: "fatal alert handshake_failure",
    bytes: alertRecord(40),
    want: { kind: "alert", name: "handshake_failure" },
  },
  {
    name: "unknown alert description",
    bytes: record(21, 0x0303, Buffer.from([2, 201])),
    want: { kind: "alert", name: "alert_201" },
  },
  {
    name: "warning unrecognized_name, then the ServerHello",
    bytes: Buffer.concat([record(21, 0x0303, Buffer.from([1, 112])), TLS12_HELLO]),
    want: { kind: "server_hello" },
  },
  { name: "nothing at all, then EOF", bytes: Buffer.alloc(0), want: { kind: "closed", received: 0 } },
  {
    name: "truncated ServerHello, then EOF",
    bytes: TLS12_HELLO.subarray(0, 30),
    want: { kind: "closed", received: 30 },
  },
  {
    name: "an SMTP reply instead of TLS",
    bytes: Buffer.from("454 4.7.0 TLS not available\r\n"),
    want: { kind: "not_tls", detail: expect.stringContaining("454 4.7.0") },
  },
  {
    name: "binary garbage",
    bytes: Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04, 0x05]),
    want: { kind: "not_tls", detail: expect.stringContaining("0x000102") },
  },
  {
    name: "a record claiming 60,000 bytes",
    bytes: Buffer.from([22, 3, 3, 0xea, 0x60]),
    want: { kind: "malformed", detail: expect.stringContaining("60000") },
  },
  {
    name: "handshake message other than ServerHello first",
    bytes: record(22, 0x0303, CERTIFICATE),
    want: { kind: "malformed", detail: expect.stringContaining("where the ServerHello belongs") },
  },
  {
    name: "ServerHello with a 33-byte session id",
    bytes: record(22, 0x0303, handshake(2, serverHelloBody({ version: 0x0303, suite: 0x2f, sid: 33 }))),
    want: { kind: "malformed", detail: expect.stringContaining("session id of 33") },
  },
  {
    name: "ServerHello whose extensions overrun",
    bytes: record(
      22,
      0x0303,
      handshake(
        2,
        Buffer.concat([serverHelloBody({ version: 0x0303, suite: 0x2f }), u16(10), u16(43), u16(20)]),
      ),
    ),
    want: { kind: "malformed" },
  },
  {
    name: "ServerHello too short",
    bytes: record(22, 0x0303, handshake(2, Buffer.alloc(20))),
    want: { kind: "malformed", detail: expect.stringContaining("too short") },
  },
  {
    name: "application data before any hello",
    bytes: record(23, 0x0303, Buffer.alloc(10)),
    want: { kind: "malformed" },
  },
  {
    name: "SSLv2 record that is not a SERVER-HELLO",
    bytes: Buffer.from([0x80, 2, 7, 7]),
    want: { kind: "malformed" },
  },
  {
    name: "SSLv2 SERVER-HELLO whose lengths do not add up",
    bytes: Buffer.concat([Buffer.from([0x80, 11, 4, 0, 1, 0, 2]), u16(100), u16(3), u16(0)]),
    want: { kind: "malformed", detail: expect.stringContaining("do not add up") },
  },
  {
    name: "more than the byte bound without an answer",
    bytes: Buffer.concat([record(22, 0x0303, Buffer.from([2, 0, 0x40, 0]))]),
    opts: { maxBytes: 8 },
    want: { kind: "malformed", detail: expect.stringContaining("more than 8 bytes") },
  },
];

function check(a: ServerAnswer | null, want: Want): void {
  expect(a).toMatchObject(want);
}

describe("tls-answer", () => {
  it.each(CASES)("tls-answer - $name", ({ bytes, want, opts, splits }) => {
    check(readServerAnswer([bytes], opts ?? {}), want);
    if (!splits) return;
    for (let i = 1; i < bytes.length; i++) {
      check(readServerAnswer([bytes.subarray(0, i), bytes.subarray(i)], opts ?? {}), want);
    }
    check(
      readServerAnswer(
        [...bytes].map((b) => Buffer.from([b])),
        opts ?? {},
      ),
      want,
    );
  });

  it("tls-answer - trailing bytes after the answer are ignored", () => {
    check(readServerAnswer([Buffer.concat([TLS12_HELLO, Buffer.from("garbage")])]), { kind: "server_hello" });
    const r = new ServerAnswerReader();
    expect(r.push(TLS12_HELLO)?.kind).toBe("server_hello");
    expect(r.push(Buffer.from("more"))?.kind).toBe("server_hello");
    expect(r.end().kind).toBe("server_hello");
  });

  it("tls-answer - without EOF an incomplete answer is not an answer yet", () => {
    expect(readServerAnswer([TLS12_HELLO.subarray(0, 10)], { eof: false })).toBeNull();
  });

  it("tls-answer - parseServerHelloBody rejects a repeated extension and a bad key_share", () => {
    const twice = serverHelloBody({
      version: 0x0303,
      suite: 0x1301,
      exts: [ext(43, u16(0x0304)), ext(43, u16(0x0304))],
    });
    expect(parseServerHelloBody(twice, 0x0303)).toMatchObject({
      ok: false,
      detail: expect.stringContaining("repeats"),
    });
    const badShare = serverHelloBody({
      version: 0x0303,
      suite: 0x1301,
      exts: [ext(51, Buffer.concat([u16(29), u16(40)]))],
    });
    expect(parseServerHelloBody(badShare, 0x0303)).toMatchObject({ ok: false });
  });

  it("tls-answer - random bytes, cut anywhere, never throw", () => {
    for (let i = 0; i < 2000; i++) {
      const n = 1 + (i % 97);
      const bytes = randomBytes(n);
      if (i % 3 === 0) bytes[0] = 22;
      if (i % 3 === 1) bytes[0] = 0x80;
      if (i % 5 === 0 && n > 2) {
        bytes[1] = 3;
        bytes[2] = 3;
      }
      const cut = i % n;
      const a = readServerAnswer([bytes.subarray(0, cut), bytes.subarray(cut)], {
        want: i % 2 ? "key_exchange" : "hello",
      });
      expect(a).not.toBeNull();
    }
    // Mutations of a valid flight
    const flight = TLS12_FLIGHT(0xc02f, CERTIFICATE, SKE_ECDHE, DONE);
    for (let i = 0; i < flight.length; i += 7) {
      const m = Buffer.from(flight);
      m[i] = m[i]! ^ 0xff;
      expect(readServerAnswer([m], { want: "key_exchange" })).not.toBeNull();
    }
  });
});
