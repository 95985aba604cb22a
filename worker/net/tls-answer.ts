/**
 * The server's answer to one of our raw ClientHellos, read from its bytes however they are split or merged:
 * a ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3 — TLS 1.3 detected by supported_versions, a
 * HelloRetryRequest by its special random), optionally the TLS 1.2 ServerKeyExchange after it (RFC 8422 §5.4
 * named curve, RFC 5246 §7.4.3 DH prime size), an SSLv2 SERVER-HELLO or ERROR (SSL 2.0 specification §2.6,
 * Appendix A), a TLS alert (RFC 5246 §7.2), an end of stream, or bytes that are not TLS at all (an SMTP reply).
 *
 * Incremental and bounded: `push` bytes as they arrive, `poll` for a verdict, `end` at EOF. Never throws for
 * anything the input can do: hostile or malformed bytes become `{ kind: "malformed" }` with a detail.
 * Record framing and handshake reassembly come from tls-records.ts.
 */

import { suiteByCode } from "../../shared/tls/cipher-suites.js";
import {
  CONTENT_ALERT,
  CONTENT_APPLICATION_DATA,
  CONTENT_CHANGE_CIPHER_SPEC,
  CONTENT_HANDSHAKE,
  HandshakeReader,
  HELLO_RETRY_RANDOM,
  HS_CERTIFICATE,
  HS_CERTIFICATE_REQUEST,
  HS_CERTIFICATE_STATUS,
  HS_HELLO_REQUEST,
  HS_SERVER_HELLO,
  HS_SERVER_HELLO_DONE,
  HS_SERVER_KEY_EXCHANGE,
  readRecord,
} from "./tls-records.js";

export interface ServerHelloInfo {
  /** Negotiated version: supported_versions' selected_version when present, else legacy_version. */
  version: number;
  legacyVersion: number;
  /** legacy_record_version of the record that carried it. */
  recordVersion: number;
  cipherSuite: number;
  compression: number;
  sessionIdLength: number;
  /** A HelloRetryRequest (RFC 8446 §4.1.3): the server wants another key share, so it does speak TLS 1.3. */
  helloRetry: boolean;
  /** Extension types in the order sent. */
  extensions: number[];
  /** TLS 1.3: the group of the server's key_share, or the selected_group of a HelloRetryRequest. */
  group: number | null;
}

export type KeyExchangeInfo =
  | { kind: "ecdhe"; group: number }
  | { kind: "dhe"; primeBits: number }
  /** No ServerKeyExchange: RSA key transport or static (EC)DH. */
  | { kind: "none" }
  | { kind: "other"; curveType: number | null };

export type ServerAnswer =
  | { kind: "server_hello"; hello: ServerHelloInfo; keyExchange: KeyExchangeInfo | null }
  | {
      kind: "ssl2_server_hello";
      version: number;
      sessionIdHit: boolean;
      certificateType: number;
      certificateLength: number;
      cipherSpecs: number[];
    }
  | { kind: "ssl2_error"; code: number }
  | { kind: "alert"; level: number; description: number; name: string }
  /** EOF before an answer; `received` bytes of an incomplete one. */
  | { kind: "closed"; received: number }
  /** The first bytes are neither TLS nor SSLv2 (an SMTP reply, a banner, garbage). */
  | { kind: "not_tls"; detail: string }
  /** TLS or SSLv2 framing, but bytes that break the protocol, or more than we are willing to hold. */
  | { kind: "malformed"; detail: string };

export const ALERT_NAMES: Readonly<Record<number, string>> = {
  0: "close_notify",
  10: "unexpected_message",
  20: "bad_record_mac",
  21: "decryption_failed",
  22: "record_overflow",
  30: "decompression_failure",
  40: "handshake_failure",
  41: "no_certificate",
  42: "bad_certificate",
  43: "unsupported_certificate",
  44: "certificate_revoked",
  45: "certificate_expired",
  46: "certificate_unknown",
  47: "illegal_parameter",
  48: "unknown_ca",
  49: "access_denied",
  50: "decode_error",
  51: "decrypt_error",
  60: "export_restriction",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  86: "inappropriate_fallback",
  90: "user_canceled",
  100: "no_renegotiation",
  109: "missing_extension",
  110: "unsupported_extension",
  112: "unrecognized_name",
  113: "bad_certificate_status_response",
  115: "unknown_psk_identity",
  116: "certificate_required",
  120: "no_application_protocol",
};

export function alertName(description: number): string {
  return ALERT_NAMES[description] ?? `alert_${description}`;
}

const EXT_SUPPORTED_VERSIONS = 43;
const EXT_KEY_SHARE = 51;

/** Default bound on the bytes held: the ServerHello alone is small; a certificate chain before the key exchange is not. */
export const DEFAULT_ANSWER_LIMIT = 256 * 1024;

type Parsed<T> = { ok: true; value: T } | { ok: false; detail: string };

/** A ServerHello body, everything we use from it. */
export function parseServerHelloBody(body: Buffer, recordVersion: number): Parsed<ServerHelloInfo> {
  const bad = (detail: string): Parsed<ServerHelloInfo> => ({ ok: false, detail });
  if (body.length < 38) return bad(`ServerHello of ${body.length} bytes is too short`);
  const legacyVersion = body.readUInt16BE(0);
  const helloRetry = body.subarray(2, 34).equals(HELLO_RETRY_RANDOM);
  const sidLen = body[34]!;
  if (sidLen > 32) return bad(`ServerHello session id of ${sidLen} bytes`);
  let p = 35 + sidLen;
  if (body.length < p + 3) return bad("ServerHello ends inside its cipher suite");
  const cipherSuite = body.readUInt16BE(p);
  const compression = body[p + 2]!;
  p += 3;
  let version = legacyVersion;
  let group: number | null = null;
  const extensions: number[] = [];
  if (p < body.length) {
    if (body.length < p + 2) return bad("ServerHello ends inside its extensions length");
    const extLen = body.readUInt16BE(p);
    p += 2;
    if (p + extLen !== body.length) return bad(`ServerHello extensions length ${extLen} does not match`);
    while (p < body.length) {
      if (p + 4 > body.length) return bad("ServerHello ends inside an extension header");
      const type = body.readUInt16BE(p);
      const len = body.readUInt16BE(p + 2);
      p += 4;
      if (p + len > body.length) return bad(`ServerHello extension ${type} overruns`);
      if (extensions.includes(type)) return bad(`ServerHello repeats extension ${type}`);
      extensions.push(type);
      if (type === EXT_SUPPORTED_VERSIONS) {
        if (len !== 2) return bad(`supported_versions of ${len} bytes in ServerHello`);
        version = body.readUInt16BE(p);
      } else if (type === EXT_KEY_SHARE) {
        // ServerHello: KeyShareEntry (group, key_exchange<1..2^16-1>); HelloRetryRequest: selected_group only.
        if (len < 2) return bad(`key_share of ${len} bytes in ServerHello`);
        group = body.readUInt16BE(p);
        if (!helloRetry) {
          if (len < 4 || body.readUInt16BE(p + 2) !== len - 4) return bad("key_share entry length mismatch");
        } else if (len !== 2) return bad(`key_share of ${len} bytes in HelloRetryRequest`);
      }
      p += len;
    }
  }
  return {
    ok: true,
    value: {
      version,
      legacyVersion,
      recordVersion,
      cipherSuite,
      compression,
      sessionIdLength: sidLen,
      helloRetry,
      extensions,
      group,
    },
  };
}

/** What a ServerKeyExchange says about the key exchange group, given the negotiated suite. */
export function parseServerKeyExchange(body: Buffer, cipherSuite: number): Parsed<KeyExchangeInfo> {
  const kx = suiteByCode(cipherSuite)?.kx;
  if (kx === "ECDHE") {
    // ServerECDHParams: curve_type(1) — 3 = named_curve then NamedCurve(2) (RFC 8422 §5.4)
    if (body.length < 1) return { ok: false, detail: "empty ServerKeyExchange" };
    const curveType = body[0]!;
    if (curveType !== 3) return { ok: true, value: { kind: "other", curveType } };
    if (body.length < 3) return { ok: false, detail: "ServerKeyExchange ends inside its named curve" };
    return { ok: true, value: { kind: "ecdhe", group: body.readUInt16BE(1) } };
  }
  if (kx === "DHE") {
    // ServerDHParams: dh_p<1..2^16-1>, dh_g, dh_Ys (RFC 5246 §7.4.3)
    if (body.length < 2) return { ok: false, detail: "ServerKeyExchange ends inside its DH prime length" };
    const len = body.readUInt16BE(0);
    if (len === 0 || body.length < 2 + len)
      return { ok: false, detail: "ServerKeyExchange DH prime overruns" };
    const p = body.subarray(2, 2 + len);
    let i = 0;
    while (i < p.length && p[i] === 0) i++;
    const bits = i === p.length ? 0 : (p.length - i - 1) * 8 + (32 - Math.clz32(p[i]!));
    return { ok: true, value: { kind: "dhe", primeBits: bits } };
  }
  return { ok: true, value: { kind: "other", curveType: null } };
}

/** A short printable view of bytes that are not TLS, for people. */
function preview(b: Buffer): string {
  const text = b.subarray(0, 80).toString("latin1");
  return /^[\x20-\x7e\r\n\t]*$/.test(text) ? JSON.stringify(text) : `0x${b.subarray(0, 16).toString("hex")}`;
}

export interface AnswerReaderOptions {
  /** "hello": stop at the ServerHello; "key_exchange": read on to the TLS 1.2 ServerKeyExchange. */
  want?: "hello" | "key_exchange";
  /** Bound on the bytes held (default 256 KiB). */
  maxBytes?: number;
}

/** Incremental reader of the server's answer. */
export class ServerAnswerReader {
  private buf: Buffer = Buffer.alloc(0);
  private offset = 0;
  private total = 0;
  /** No record consumed yet: the first byte still decides between TLS, SSLv2 and not TLS at all. */
  private atStart = true;
  private readonly hs = new HandshakeReader();
  private hello: ServerHelloInfo | null = null;
  private result: ServerAnswer | null = null;
  private readonly want: "hello" | "key_exchange";
  private readonly maxBytes: number;

  constructor(opts: AnswerReaderOptions = {}) {
    this.want = opts.want ?? "hello";
    this.maxBytes = opts.maxBytes ?? DEFAULT_ANSWER_LIMIT;
  }

  get bytesReceived(): number {
    return this.total;
  }

  /** The answer is `malformed` because more than the byte bound arrived without one (a record flood). */
  get overLimit(): boolean {
    return this.total > this.maxBytes && this.result?.kind === "malformed";
  }

  get limit(): number {
    return this.maxBytes;
  }

  /** Add bytes; returns the answer once there is one (later bytes are ignored). */
  push(chunk: Buffer): ServerAnswer | null {
    if (this.result) return this.result;
    this.total += chunk.length;
    if (this.total > this.maxBytes) {
      return this.finish({ kind: "malformed", detail: `more than ${this.maxBytes} bytes without an answer` });
    }
    this.buf =
      this.offset >= this.buf.length ? chunk : Buffer.concat([this.buf.subarray(this.offset), chunk]);
    this.offset = 0;
    return this.poll();
  }

  /** The end of the stream: whatever we have is the answer. */
  end(): ServerAnswer {
    if (this.result) return this.result;
    const r = this.poll();
    if (r) return r;
    if (this.hello) {
      // A TLS 1.2 ServerHello read, the key exchange never came: the hello still stands.
      return this.finish({ kind: "server_hello", hello: this.hello, keyExchange: null });
    }
    return this.finish({ kind: "closed", received: this.total });
  }

  private finish(a: ServerAnswer): ServerAnswer {
    this.result = a;
    this.buf = Buffer.alloc(0);
    return a;
  }

  private poll(): ServerAnswer | null {
    try {
      return this.step();
    } catch (err) {
      // Defensive: a reader bug must not take the probe down; the bytes are reported as malformed.
      return this.finish({
        kind: "malformed",
        detail: `reader error: ${err instanceof Error ? err.message : err}`,
      });
    }
  }

  private step(): ServerAnswer | null {
    if (this.result) return this.result;
    const data = this.buf;
    if (this.offset >= data.length) return null;
    if (this.atStart && data[0]! & 0x80) return this.ssl2(data);
    for (;;) {
      const step = readRecord(data, this.offset);
      if (step.kind === "end" || step.kind === "partial") return null;
      if (step.kind === "error") {
        if (this.atStart && step.failure.kind === "bad_record") {
          return this.finish({ kind: "not_tls", detail: `not a TLS record: ${preview(data)}` });
        }
        return this.finish({ kind: "malformed", detail: step.failure.detail });
      }
      this.offset = step.next;
      this.atStart = false;
      const rec = step.record;
      if (rec.type === CONTENT_ALERT) {
        if (rec.fragment.length < 2)
          return this.finish({ kind: "malformed", detail: "alert record too short" });
        const level = rec.fragment[0]!;
        const description = rec.fragment[1]!;
        if (level === 1 && description !== 0) continue; // a warning (unrecognized_name) is not the answer
        if (this.hello) {
          // After a TLS 1.2 ServerHello (reading on for the key exchange): the hello is the answer.
          return this.finish({ kind: "server_hello", hello: this.hello, keyExchange: null });
        }
        return this.finish({ kind: "alert", level, description, name: alertName(description) });
      }
      if (rec.type === CONTENT_CHANGE_CIPHER_SPEC || rec.type === CONTENT_APPLICATION_DATA) {
        if (this.hello) return this.finish({ kind: "server_hello", hello: this.hello, keyExchange: null });
        return this.finish({ kind: "malformed", detail: `record type ${rec.type} before the ServerHello` });
      }
      if (rec.type !== CONTENT_HANDSHAKE) {
        return this.finish({ kind: "malformed", detail: `record type ${rec.type}` });
      }
      this.hs.push(rec.fragment);
      for (;;) {
        const m = this.hs.next();
        if (m.kind === "error") return this.finish({ kind: "malformed", detail: m.failure.detail });
        if (m.kind === "need_more") break;
        const { type, body } = m.message;
        if (this.hello === null) {
          if (type === HS_HELLO_REQUEST && body.length === 0) continue;
          if (type !== HS_SERVER_HELLO) {
            return this.finish({
              kind: "malformed",
              detail: `handshake message ${type} where the ServerHello belongs`,
            });
          }
          const sh = parseServerHelloBody(body, rec.version);
          if (!sh.ok) return this.finish({ kind: "malformed", detail: sh.detail });
          const h = sh.value;
          if (this.want === "hello" || h.helloRetry || h.version >= 0x0304 || h.version < 0x0300) {
            return this.finish({ kind: "server_hello", hello: h, keyExchange: null });
          }
          this.hello = h;
          continue;
        }
        // TLS 1.2 and earlier, reading on to the ServerKeyExchange
        if (type === HS_CERTIFICATE || type === HS_CERTIFICATE_STATUS) continue;
        if (type === HS_SERVER_KEY_EXCHANGE) {
          const kx = parseServerKeyExchange(body, this.hello.cipherSuite);
          return this.finish({
            kind: "server_hello",
            hello: this.hello,
            keyExchange: kx.ok ? kx.value : { kind: "other", curveType: null },
          });
        }
        if (type === HS_SERVER_HELLO_DONE || type === HS_CERTIFICATE_REQUEST) {
          return this.finish({ kind: "server_hello", hello: this.hello, keyExchange: { kind: "none" } });
        }
        return this.finish({ kind: "server_hello", hello: this.hello, keyExchange: null });
      }
    }
  }

  /** An SSLv2 record with a 2-byte header: SERVER-HELLO or ERROR. */
  private ssl2(data: Buffer): ServerAnswer | null {
    if (data.length < 2) return null;
    const len = ((data[0]! & 0x7f) << 8) | data[1]!;
    if (data.length < 2 + len) return null;
    const msg = data.subarray(2, 2 + len);
    if (msg.length < 1) return this.finish({ kind: "malformed", detail: "empty SSLv2 record" });
    if (msg[0] === 0) {
      if (msg.length < 3) return this.finish({ kind: "malformed", detail: "SSLv2 ERROR too short" });
      return this.finish({ kind: "ssl2_error", code: msg.readUInt16BE(1) });
    }
    if (msg[0] !== 4) {
      return this.finish({
        kind: "malformed",
        detail: `SSLv2 message type ${msg[0]} where SERVER-HELLO belongs`,
      });
    }
    // MSG-SERVER-HELLO(1) SESSION-ID-HIT(1) CERTIFICATE-TYPE(1) SERVER-VERSION(2) CERTIFICATE-LENGTH(2)
    // CIPHER-SPECS-LENGTH(2) CONNECTION-ID-LENGTH(2), then the three fields.
    if (msg.length < 11) return this.finish({ kind: "malformed", detail: "SSLv2 SERVER-HELLO too short" });
    const certLen = msg.readUInt16BE(5);
    const specsLen = msg.readUInt16BE(7);
    const connLen = msg.readUInt16BE(9);
    if (specsLen % 3 !== 0) {
      return this.finish({
        kind: "malformed",
        detail: `SSLv2 cipher specs length ${specsLen} is not a multiple of 3`,
      });
    }
    if (11 + certLen + specsLen + connLen !== msg.length) {
      return this.finish({ kind: "malformed", detail: "SSLv2 SERVER-HELLO lengths do not add up" });
    }
    const specs: number[] = [];
    const at = 11 + certLen;
    for (let i = 0; i < specsLen; i += 3) specs.push(msg.readUIntBE(at + i, 3));
    return this.finish({
      kind: "ssl2_server_hello",
      version: msg.readUInt16BE(3),
      sessionIdHit: msg[1] !== 0,
      certificateType: msg[2]!,
      certificateLength: certLen,
      cipherSpecs: specs,
    });
  }
}

/** Read a whole answer from bytes already received (tests, fixtures). `eof`: the stream ended after them. */
export function readServerAnswer(
  chunks: readonly Buffer[],
  opts: AnswerReaderOptions & { eof?: boolean } = {},
): ServerAnswer | null {
  const r = new ServerAnswerReader(opts);
  for (const c of chunks) {
    const a = r.push(c);
    if (a) return a;
  }
  return opts.eof === false ? null : r.end();
}
