/**
 * The certificates a TLS server sent, read from the bytes it sent: the record layer (RFC 8446 §5, RFC 5246 §6.2),
 * handshake reassembly (messages split over records or sharing one), ServerHello (and HelloRetryRequest), then
 * the Certificate message: in the clear up to TLS 1.2 (RFC 5246 §7.4.2), under the server's handshake traffic
 * keys in TLS 1.3 (RFC 8446 §4.4.2, keys by §7.1/§7.3, record protection by §5.2–5.4).
 *
 * Pure functions over buffers: no I/O, no exceptions for anything the input can do — every problem is a typed
 * failure. The caller (tls-client.ts) records the bytes and supplies the TLS 1.3 secret from Node's keylog.
 */

import { createDecipheriv, createHmac } from "node:crypto";

export const CONTENT_CHANGE_CIPHER_SPEC = 20;
export const CONTENT_ALERT = 21;
export const CONTENT_HANDSHAKE = 22;
export const CONTENT_APPLICATION_DATA = 23;

export const HS_HELLO_REQUEST = 0;
export const HS_SERVER_HELLO = 2;
export const HS_NEW_SESSION_TICKET = 4;
export const HS_ENCRYPTED_EXTENSIONS = 8;
export const HS_CERTIFICATE = 11;
export const HS_SERVER_KEY_EXCHANGE = 12;
export const HS_CERTIFICATE_REQUEST = 13;
export const HS_SERVER_HELLO_DONE = 14;
export const HS_CERTIFICATE_VERIFY = 15;
export const HS_FINISHED = 20;
export const HS_CERTIFICATE_STATUS = 22;
export const HS_COMPRESSED_CERTIFICATE = 25;

/** Largest record fragment accepted: 2^14 + 2048 (TLS 1.2's TLSCiphertext bound, RFC 5246 §6.2.3). */
export const MAX_RECORD_FRAGMENT = 16384 + 2048;
/** TLS 1.3 bounds (RFC 8446 §5.2): ciphertext 2^14 + 256, inner plaintext 2^14 + 1 (content type byte). */
export const MAX_TLS13_CIPHERTEXT = 16384 + 256;
export const MAX_TLS13_INNER_PLAINTEXT = 16384 + 1;
/** Default bound on one handshake message (a Certificate message beyond this is not believed). */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE = 256 * 1024;

/** SHA-256("HelloRetryRequest"): the ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3). */
export const HELLO_RETRY_RANDOM = Buffer.from(
  "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c",
  "hex",
);

export type TlsParseFailureKind =
  /** The bytes end before the server's Certificate message (or whatever came first) was complete. */
  | "truncated"
  /** Not a TLS record: unknown content type, wrong version, impossible length. */
  | "bad_record"
  /** A record, a decrypted record or a handshake message longer than the protocol (or our bound) allows. */
  | "oversized"
  /** A fatal alert from the server before its certificates. */
  | "alert"
  /** A record or message the handshake does not allow at that point. */
  | "unexpected_message"
  /** A handshake message whose own length fields do not add up. */
  | "bad_handshake"
  /** The certificate list inside the Certificate message does not add up. */
  | "bad_certificate"
  /** Something valid that this reader does not handle (a TLS 1.3 cipher suite, compressed certificates). */
  | "unsupported"
  /** TLS 1.3 but no server handshake traffic secret was supplied. */
  | "no_secret"
  /** TLS 1.3 record protection did not verify with the derived keys. */
  | "decrypt_failed";

export interface TlsParseFailure {
  kind: TlsParseFailureKind;
  detail: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; failure: TlsParseFailure };

const fail = <T>(kind: TlsParseFailureKind, detail: string): Parsed<T> => ({
  ok: false,
  failure: { kind, detail },
});

// ---------------------------------------------------------------------------------------------------------
// Record layer

export interface TlsRecord {
  type: number;
  /** legacy_record_version, e.g. 0x0303. */
  version: number;
  /** The 5-byte header (the AEAD additional data in TLS 1.3). */
  header: Buffer;
  fragment: Buffer;
}

export type RecordStep =
  | { kind: "record"; record: TlsRecord; next: number }
  /** No more bytes at `offset`. */
  | { kind: "end" }
  /** A record starts at `offset` but the input ends inside it. */
  | { kind: "partial"; have: number; need: number }
  | { kind: "error"; failure: TlsParseFailure };

/** The record at `offset`. Validates content type, version (3.x, x ≤ 4) and length. */
export function readRecord(data: Buffer, offset: number): RecordStep {
  const left = data.length - offset;
  if (left <= 0) return { kind: "end" };
  const type = data[offset]!;
  if (type < CONTENT_CHANGE_CIPHER_SPEC || type > CONTENT_APPLICATION_DATA) {
    return {
      kind: "error",
      failure: { kind: "bad_record", detail: `content type ${type} at byte ${offset} is not TLS` },
    };
  }
  if (left >= 3 && (data[offset + 1] !== 3 || data[offset + 2]! > 4)) {
    const v = data.readUInt16BE(offset + 1);
    return {
      kind: "error",
      failure: {
        kind: "bad_record",
        detail: `record version 0x${v.toString(16).padStart(4, "0")} at byte ${offset} is not TLS`,
      },
    };
  }
  if (left < 5) return { kind: "partial", have: left, need: 5 };
  const length = data.readUInt16BE(offset + 3);
  if (length > MAX_RECORD_FRAGMENT) {
    return {
      kind: "error",
      failure: {
        kind: "oversized",
        detail: `record of ${length} bytes at byte ${offset} (at most ${MAX_RECORD_FRAGMENT})`,
      },
    };
  }
  if (left < 5 + length) return { kind: "partial", have: left, need: 5 + length };
  return {
    kind: "record",
    record: {
      type,
      version: data.readUInt16BE(offset + 1),
      header: data.subarray(offset, offset + 5),
      fragment: data.subarray(offset + 5, offset + 5 + length),
    },
    next: offset + 5 + length,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Handshake reassembly

export interface HandshakeMessage {
  type: number;
  body: Buffer;
}

export type HandshakeStep =
  | { kind: "message"; message: HandshakeMessage }
  | { kind: "need_more" }
  | { kind: "error"; failure: TlsParseFailure };

/** Joins handshake fragments from consecutive records and hands out whole messages (RFC 8446 §5.1). */
export class HandshakeReader {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessage = DEFAULT_MAX_HANDSHAKE_MESSAGE) {}

  push(fragment: Buffer): void {
    this.buffer = this.buffer.length === 0 ? fragment : Buffer.concat([this.buffer, fragment]);
  }

  /** Bytes held that do not yet form a whole message. */
  get pending(): number {
    return this.buffer.length;
  }

  next(): HandshakeStep {
    if (this.buffer.length < 4) return { kind: "need_more" };
    const type = this.buffer[0]!;
    const length = this.buffer.readUIntBE(1, 3);
    if (length > this.maxMessage) {
      return {
        kind: "error",
        failure: {
          kind: "oversized",
          detail: `handshake message type ${type} of ${length} bytes (at most ${this.maxMessage})`,
        },
      };
    }
    if (this.buffer.length < 4 + length) return { kind: "need_more" };
    const body = this.buffer.subarray(4, 4 + length);
    this.buffer = this.buffer.subarray(4 + length);
    return { kind: "message", message: { type, body } };
  }
}

// ---------------------------------------------------------------------------------------------------------
// ServerHello

export interface ServerHello {
  /** The negotiated version: supported_versions' selected_version when present, else legacy_version. */
  version: number;
  cipherSuite: number;
  /** A HelloRetryRequest (RFC 8446 §4.1.3), not a real ServerHello. */
  helloRetry: boolean;
}

const EXT_SUPPORTED_VERSIONS = 43;

export function parseServerHello(body: Buffer): Parsed<ServerHello> {
  // legacy_version(2) random(32) session_id<0..32> cipher_suite(2) compression(1) [extensions<..2^16-1>]
  if (body.length < 38) return fail("bad_handshake", `ServerHello of ${body.length} bytes is too short`);
  const legacy = body.readUInt16BE(0);
  const helloRetry = body.subarray(2, 34).equals(HELLO_RETRY_RANDOM);
  const sidLen = body[34]!;
  if (sidLen > 32) return fail("bad_handshake", `ServerHello session id of ${sidLen} bytes`);
  let p = 35 + sidLen;
  if (body.length < p + 3) return fail("bad_handshake", "ServerHello ends inside its cipher suite");
  const cipherSuite = body.readUInt16BE(p);
  p += 3;
  let version = legacy;
  if (p < body.length) {
    if (body.length < p + 2) return fail("bad_handshake", "ServerHello ends inside its extensions length");
    const extLen = body.readUInt16BE(p);
    p += 2;
    if (p + extLen !== body.length) {
      return fail("bad_handshake", `ServerHello extensions length ${extLen} does not match the message`);
    }
    while (p < body.length) {
      if (p + 4 > body.length) return fail("bad_handshake", "ServerHello ends inside an extension header");
      const type = body.readUInt16BE(p);
      const len = body.readUInt16BE(p + 2);
      p += 4;
      if (p + len > body.length) return fail("bad_handshake", `ServerHello extension ${type} overruns`);
      if (type === EXT_SUPPORTED_VERSIONS) {
        if (len !== 2) return fail("bad_handshake", `supported_versions of ${len} bytes in ServerHello`);
        version = body.readUInt16BE(p);
      }
      p += len;
    }
  }
  return { ok: true, value: { version, cipherSuite, helloRetry } };
}

// ---------------------------------------------------------------------------------------------------------
// Certificate

function read24(b: Buffer, p: number): number {
  return b.readUIntBE(p, 3);
}

/**
 * The DER certificates of a Certificate message body, in the order sent. `tls13`: the RFC 8446 §4.4.2 form
 * (request context, then entries each followed by extensions); otherwise RFC 5246 §7.4.2's plain list.
 */
export function parseCertificateMessage(body: Buffer, tls13: boolean): Parsed<Buffer[]> {
  let p = 0;
  if (tls13) {
    if (body.length < 1) return fail("bad_certificate", "empty Certificate message");
    p = 1 + body[0]!; // certificate_request_context<0..2^8-1>: empty from a server, skipped if not
  }
  if (body.length < p + 3) return fail("bad_certificate", "Certificate message ends inside its list length");
  const listLen = read24(body, p);
  p += 3;
  if (p + listLen !== body.length) {
    return fail(
      "bad_certificate",
      `certificate_list length ${listLen} does not match the ${body.length - p} bytes that follow`,
    );
  }
  const certs: Buffer[] = [];
  while (p < body.length) {
    if (p + 3 > body.length) return fail("bad_certificate", "certificate list ends inside an entry length");
    const len = read24(body, p);
    p += 3;
    if (len === 0) return fail("bad_certificate", `certificate ${certs.length + 1} is empty`);
    if (p + len > body.length) {
      return fail("bad_certificate", `certificate ${certs.length + 1} of ${len} bytes overruns the list`);
    }
    certs.push(Buffer.from(body.subarray(p, p + len)));
    p += len;
    if (tls13) {
      if (p + 2 > body.length) return fail("bad_certificate", "certificate entry ends inside its extensions");
      const extLen = body.readUInt16BE(p);
      p += 2 + extLen;
      if (p > body.length) return fail("bad_certificate", "certificate entry extensions overrun the list");
    }
  }
  return { ok: true, value: certs };
}

// ---------------------------------------------------------------------------------------------------------
// TLS 1.3 key schedule pieces and record protection

export type TlsHash = "sha256" | "sha384";

export interface Tls13Suite {
  id: number;
  /** IANA name, as Node's getCipher().standardName spells it. */
  name: string;
  hash: TlsHash;
  /** Node/OpenSSL cipher name. */
  cipher: "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305" | "aes-128-ccm";
  keyLength: number;
  tagLength: number;
}

export const TLS13_SUITES: ReadonlyMap<number, Tls13Suite> = new Map(
  (
    [
      [0x1301, "TLS_AES_128_GCM_SHA256", "sha256", "aes-128-gcm", 16, 16],
      [0x1302, "TLS_AES_256_GCM_SHA384", "sha384", "aes-256-gcm", 32, 16],
      [0x1303, "TLS_CHACHA20_POLY1305_SHA256", "sha256", "chacha20-poly1305", 32, 16],
      [0x1304, "TLS_AES_128_CCM_SHA256", "sha256", "aes-128-ccm", 16, 16],
      [0x1305, "TLS_AES_128_CCM_8_SHA256", "sha256", "aes-128-ccm", 16, 8],
    ] as const
  ).map(([id, name, hash, cipher, keyLength, tagLength]) => [
    id,
    { id, name, hash, cipher, keyLength, tagLength },
  ]),
);

/** HKDF-Expand (RFC 5869 §2.3). */
export function hkdfExpand(hash: TlsHash, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let prev = Buffer.alloc(0);
  let have = 0;
  for (let i = 1; have < length; i++) {
    prev = createHmac(hash, prk)
      .update(prev)
      .update(info)
      .update(Buffer.from([i]))
      .digest();
    blocks.push(prev);
    have += prev.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** HKDF-Expand-Label (RFC 8446 §7.1): HkdfLabel = length(2) ‖ "tls13 "+label <7..255> ‖ context <0..255>. */
export function hkdfExpandLabel(
  hash: TlsHash,
  secret: Buffer,
  label: string,
  context: Buffer,
  length: number,
): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, "latin1");
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, fullLabel.length]),
    fullLabel,
    Buffer.from([context.length]),
    context,
  ]);
  return hkdfExpand(hash, secret, info, length);
}

export interface TrafficKeys {
  key: Buffer;
  iv: Buffer;
}

/** The write key and IV of a traffic secret (RFC 8446 §7.3). */
export function trafficKeys(suite: Tls13Suite, secret: Buffer): TrafficKeys {
  const empty = Buffer.alloc(0);
  return {
    key: hkdfExpandLabel(suite.hash, secret, "key", empty, suite.keyLength),
    iv: hkdfExpandLabel(suite.hash, secret, "iv", empty, 12),
  };
}

/** Per-record nonce (RFC 8446 §5.3): the IV XOR the 64-bit sequence number, left-padded. */
export function recordNonce(iv: Buffer, seq: number): Buffer {
  const nonce = Buffer.from(iv);
  let s = BigInt(seq);
  for (let i = nonce.length - 1; i >= nonce.length - 8; i--) {
    nonce[i] = nonce[i]! ^ Number(s & 0xffn);
    s >>= 8n;
  }
  return nonce;
}

export interface InnerPlaintext {
  /** The real content type (RFC 8446 §5.2 TLSInnerPlaintext.type). */
  type: number;
  content: Buffer;
}

/** Remove the protection of one TLS 1.3 record (type 23) and strip the content type and padding (§5.2–5.4). */
export function decryptTls13Record(
  suite: Tls13Suite,
  keys: TrafficKeys,
  seq: number,
  record: TlsRecord,
): Parsed<InnerPlaintext> {
  const payload = record.fragment;
  if (payload.length > MAX_TLS13_CIPHERTEXT) {
    return fail("oversized", `TLS 1.3 record of ${payload.length} bytes (at most ${MAX_TLS13_CIPHERTEXT})`);
  }
  if (payload.length <= suite.tagLength) {
    return fail("bad_record", `TLS 1.3 record of ${payload.length} bytes is shorter than its tag`);
  }
  const ciphertext = payload.subarray(0, payload.length - suite.tagLength);
  const tag = payload.subarray(payload.length - suite.tagLength);
  let plain: Buffer;
  try {
    const nonce = recordNonce(keys.iv, seq);
    if (suite.cipher === "aes-128-ccm") {
      const d = createDecipheriv(suite.cipher, keys.key, nonce, { authTagLength: suite.tagLength });
      d.setAuthTag(tag);
      d.setAAD(record.header, { plaintextLength: ciphertext.length });
      plain = Buffer.concat([d.update(ciphertext), d.final()]);
    } else {
      const opts = { authTagLength: suite.tagLength };
      const d =
        suite.cipher === "chacha20-poly1305"
          ? createDecipheriv(suite.cipher, keys.key, nonce, opts)
          : createDecipheriv(suite.cipher, keys.key, nonce, opts);
      d.setAuthTag(tag);
      d.setAAD(record.header, { plaintextLength: ciphertext.length });
      plain = Buffer.concat([d.update(ciphertext), d.final()]);
    }
  } catch (err) {
    return fail(
      "decrypt_failed",
      `record ${seq} did not decrypt with ${suite.name}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (plain.length > MAX_TLS13_INNER_PLAINTEXT) {
    return fail("oversized", `TLS 1.3 inner plaintext of ${plain.length} bytes`);
  }
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (end < 0) return fail("unexpected_message", `record ${seq} holds only padding`);
  return { ok: true, value: { type: plain[end]!, content: plain.subarray(0, end) } };
}

// ---------------------------------------------------------------------------------------------------------
// The server's flight up to its Certificate message

export interface ServerCertificates {
  /** Negotiated version from the ServerHello: 0x0301 … 0x0304. */
  version: number;
  cipherSuite: number;
  /** The server answered with a HelloRetryRequest first. */
  helloRetry: boolean;
  /** DER, in the order sent; empty when the server sent no Certificate message (anonymous suite, PSK). */
  certificates: Buffer[];
}

export interface ExtractOptions {
  /** TLS 1.3: SERVER_HANDSHAKE_TRAFFIC_SECRET from the key log. */
  serverHandshakeTrafficSecret?: Buffer | null;
  /** Bound on one handshake message, default 256 KiB. */
  maxHandshakeMessage?: number;
}

const ALERT_NAMES: Record<number, string> = {
  0: "close_notify",
  10: "unexpected_message",
  20: "bad_record_mac",
  22: "record_overflow",
  40: "handshake_failure",
  42: "bad_certificate",
  47: "illegal_parameter",
  50: "decode_error",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  90: "user_canceled",
  109: "missing_extension",
  112: "unrecognized_name",
  120: "no_application_protocol",
};

function alertFailure(fragment: Buffer): Parsed<never> | null {
  if (fragment.length < 2) return fail("bad_record", `alert record of ${fragment.length} bytes`);
  const level = fragment[0]!;
  const description = fragment[1]!;
  if (level === 1) return null; // a warning (say unrecognized_name) before the ServerHello: not the end
  const name = ALERT_NAMES[description] ?? `alert ${description}`;
  return fail("alert", `the server sent a ${level === 2 ? "fatal" : `level-${level}`} ${name} alert`);
}

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, "0")}`;
}

/**
 * Read the server→client bytes of a handshake (starting at the server's first record) up to its Certificate
 * message and return the certificates exactly as sent. Bytes after that message are never looked at.
 */
export function extractServerCertificates(
  data: Buffer,
  opts: ExtractOptions = {},
): Parsed<ServerCertificates> {
  const hs = new HandshakeReader(opts.maxHandshakeMessage ?? DEFAULT_MAX_HANDSHAKE_MESSAGE);
  let phase: "hello" | "tls12" | "tls13" = "hello";
  let helloRetry = false;
  let hello: ServerHello | null = null;
  let suite: Tls13Suite | null = null;
  let keys: TrafficKeys | null = null;
  let seq = 0;
  let offset = 0;
  let records = 0;

  const done = (certificates: Buffer[]): Parsed<ServerCertificates> => ({
    ok: true,
    value: { version: hello!.version, cipherSuite: hello!.cipherSuite, helloRetry, certificates },
  });

  for (;;) {
    const step = readRecord(data, offset);
    if (step.kind === "error") return { ok: false, failure: step.failure };
    if (step.kind === "end" || step.kind === "partial") {
      const where =
        step.kind === "partial"
          ? `inside record ${records + 1} (${step.have} of ${step.need} bytes)`
          : `after ${records} records`;
      const waiting = phase === "hello" ? "the ServerHello" : "the Certificate message";
      return fail("truncated", `the server's bytes end ${where}, before ${waiting} was complete`);
    }
    offset = step.next;
    records++;
    const rec = step.record;

    if (rec.type === CONTENT_CHANGE_CIPHER_SPEC) {
      // TLS 1.3 middlebox compatibility (RFC 8446 §5, Appendix D.4): after the (retry) ServerHello, ignored.
      if (phase === "tls13" || (phase === "hello" && helloRetry)) continue;
      return fail("unexpected_message", "ChangeCipherSpec before the server's Certificate message");
    }
    if (rec.type === CONTENT_ALERT) {
      if (phase === "tls13")
        return fail("unexpected_message", "plaintext alert after the TLS 1.3 ServerHello");
      const alert = alertFailure(rec.fragment);
      if (alert) return alert;
      continue;
    }
    if (rec.type === CONTENT_APPLICATION_DATA) {
      if (phase !== "tls13") return fail("unexpected_message", "application data before the handshake ended");
      const inner = decryptTls13Record(suite!, keys!, seq++, rec);
      if (!inner.ok) return inner;
      const { type, content } = inner.value;
      if (type === CONTENT_ALERT) {
        const alert = alertFailure(content);
        if (alert) return alert;
        continue;
      }
      if (type !== CONTENT_HANDSHAKE) {
        return fail("unexpected_message", `protected record of content type ${type} before the Certificate`);
      }
      hs.push(content);
    } else {
      // CONTENT_HANDSHAKE in the clear
      if (phase === "tls13") {
        return fail("unexpected_message", "plaintext handshake record after the TLS 1.3 ServerHello");
      }
      hs.push(rec.fragment);
    }

    for (;;) {
      const m = hs.next();
      if (m.kind === "error") return { ok: false, failure: m.failure };
      if (m.kind === "need_more") break;
      const { type, body } = m.message;
      // An empty HelloRequest in the clear is skipped mid-handshake, as OpenSSL's client skips it (RFC 5246 §7.4.1.1).
      if (type === HS_HELLO_REQUEST && body.length === 0 && phase !== "tls13") continue;
      if (phase === "hello") {
        if (type !== HS_SERVER_HELLO) {
          return fail("unexpected_message", `handshake message type ${type} where the ServerHello belongs`);
        }
        const sh = parseServerHello(body);
        if (!sh.ok) return sh;
        if (sh.value.helloRetry) {
          if (helloRetry) return fail("unexpected_message", "a second HelloRetryRequest");
          helloRetry = true;
          continue;
        }
        hello = sh.value;
        if (hello.version === 0x0304) {
          if (hs.pending > 0) {
            return fail(
              "unexpected_message",
              "handshake data after the ServerHello in the same clear record",
            );
          }
          const s = TLS13_SUITES.get(hello.cipherSuite);
          if (!s) return fail("unsupported", `TLS 1.3 cipher suite ${hex4(hello.cipherSuite)}`);
          const secret = opts.serverHandshakeTrafficSecret;
          if (!secret || secret.length === 0) {
            return fail("no_secret", "TLS 1.3 without the server handshake traffic secret");
          }
          suite = s;
          keys = trafficKeys(s, secret);
          phase = "tls13";
          break; // what follows the ServerHello is protected
        }
        if (hello.version < 0x0300 || hello.version > 0x0303) {
          return fail("unsupported", `ServerHello version ${hex4(hello.version)}`);
        }
        phase = "tls12";
        continue;
      }
      if (phase === "tls12") {
        if (type === HS_CERTIFICATE) {
          const certs = parseCertificateMessage(body, false);
          return certs.ok ? done(certs.value) : certs;
        }
        // An anonymous suite: no Certificate before ServerKeyExchange/ServerHelloDone.
        if (type === HS_SERVER_HELLO_DONE || type === HS_SERVER_KEY_EXCHANGE) return done([]);
        return fail("unexpected_message", `handshake message type ${type} before the server's Certificate`);
      }
      // TLS 1.3, protected
      if (type === HS_CERTIFICATE) {
        const certs = parseCertificateMessage(body, true);
        return certs.ok ? done(certs.value) : certs;
      }
      if (type === HS_ENCRYPTED_EXTENSIONS || type === HS_CERTIFICATE_REQUEST) continue;
      if (type === HS_FINISHED) return done([]); // PSK: authenticated without certificates
      if (type === HS_COMPRESSED_CERTIFICATE) return fail("unsupported", "compressed Certificate (RFC 8879)");
      return fail("unexpected_message", `handshake message type ${type} before the server's Certificate`);
    }
  }
}
