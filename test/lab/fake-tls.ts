/**
 * A fake TLS server for the lab: answers one ClientHello with the ServerHello a server configured with the given
 * versions, suites and groups would send — or an alert, or a close — and nothing more. Enough for the inventory,
 * which only reads the first answer, and it can speak what Node's OpenSSL 3 cannot: SSLv2, SSLv3, EXPORT, RC4,
 * 3DES, NULL, anonymous suites.
 *
 * Follows RFC 5246 §7.4.1 (version and suite selection), RFC 8446 §4.1.1–4.1.4 (TLS 1.3: supported_versions,
 * key_share, HelloRetryRequest), RFC 8422 §5.4 (ECDHE ServerKeyExchange), the SSL 2.0 specification (SSLv2
 * SERVER-HELLO and ERROR). Keys, certificates and signatures are filler bytes: no handshake ever completes.
 * Also the ClientHello parser the lab and the golden tests use.
 */

import { suiteByCode } from "../../shared/tls/cipher-suites.js";
import { readRecord } from "../../worker/net/tls-records.js";

export const SSL2 = 0x0002;
export const TLS13 = 0x0304;
const HRR_RANDOM = Buffer.from("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c", "hex");

export interface FakeTlsConfig {
  /** Versions the server speaks: 0x0002 (SSLv2), 0x0300 … 0x0304. */
  versions: number[];
  /** Two-byte cipher suites, in the server's order of preference. */
  suites: number[];
  /** SSLv2 cipher specs (three bytes), when 0x0002 is among the versions. */
  ssl2Specs?: number[];
  /** Whose order picks the suite: the server's (default) or the client's. */
  preference?: "server" | "client";
  /** Groups (TLS 1.3 key_share/HelloRetryRequest, TLS 1.2 ECDHE), the server's order. Default x25519, secp256r1. */
  groups?: number[];
  /** Answer to a version the server does not speak: a protocol_version alert (default) or a close. */
  onBadVersion?: "alert" | "close";
  /** Answer when no suite is shared: a handshake_failure alert (default) or a close. */
  onNoCipher?: "alert" | "close";
  /**
   * TLS 1.3 hello without a usable key share: a HelloRetryRequest (default, RFC 8446 §4.1.4) or — a broken
   * server — an illegal_parameter alert.
   */
  onNoKeyShare?: "hrr" | "alert";
  /** SSLv3 … TLS 1.2: send the ServerHello alone and then nothing, keeping the connection open (a stalled server). */
  stallAfterHello?: boolean;
  /** DHE prime size in the ServerKeyExchange, default 2048. */
  dhBits?: number;
  /**
   * Why: a record flood. Instead of any answer, endless handshake records full of empty HelloRequests, which
   * OpenSSL's client (and our answer reader) skip mid-handshake (RFC 5246 §7.4.1.1), so only a byte budget ends
   * them before the TLS timeout. Must give tls_too_large at phase tls_handshake (probe and inventory alike).
   */
  flood?: "hello_request";
  /**
   * The Certificate message's certificates (DER, leaf first); default one 10-byte filler. Why: a server whose
   * suite our OpenSSL cannot complete (3DES) still sends its real chain in the clear, and the row must keep it.
   */
  certificates?: Buffer[];
}

/** One flood record: a 16 KiB handshake record of 4,096 empty HelloRequests. */
export function helloRequestFloodRecord(): Buffer {
  return record(22, 0x0303, Buffer.alloc(16_384, 0));
}

export interface ParsedClientHello {
  kind: "tls";
  recordVersion: number;
  legacyVersion: number;
  random: Buffer;
  sessionId: Buffer;
  suites: number[];
  compression: number[];
  /** Extension types in order, and their data. */
  extensions: { type: number; data: Buffer }[];
  serverName: string | null;
  supportedVersions: number[] | null;
  supportedGroups: number[] | null;
  keyShares: { group: number; key: Buffer }[] | null;
  signatureAlgorithms: number[] | null;
}

export interface ParsedSsl2Hello {
  kind: "ssl2";
  version: number;
  cipherSpecs: number[];
  challenge: Buffer;
}

export type ClientHelloParse =
  | { ok: true; hello: ParsedClientHello | ParsedSsl2Hello; length: number }
  | { ok: false; need: "more" }
  | { ok: false; error: string };

function list16(b: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < b.length; i += 2) out.push(b.readUInt16BE(i));
  return out;
}

/** Parse the client's first flight: an SSLv2 CLIENT-HELLO or a ClientHello in one or more TLS records. */
export function parseClientHello(data: Buffer): ClientHelloParse {
  if (data.length < 2) return { ok: false, need: "more" };
  if (data[0]! & 0x80) {
    const len = ((data[0]! & 0x7f) << 8) | data[1]!;
    if (data.length < 2 + len) return { ok: false, need: "more" };
    const m = data.subarray(2, 2 + len);
    if (m[0] !== 1 || m.length < 9) return { ok: false, error: "not an SSLv2 CLIENT-HELLO" };
    const specsLen = m.readUInt16BE(3);
    const sidLen = m.readUInt16BE(5);
    const chLen = m.readUInt16BE(7);
    if (9 + specsLen + sidLen + chLen !== m.length || specsLen % 3)
      return { ok: false, error: "bad SSLv2 lengths" };
    const specs: number[] = [];
    for (let i = 0; i < specsLen; i += 3) specs.push(m.readUIntBE(9 + i, 3));
    return {
      ok: true,
      hello: {
        kind: "ssl2",
        version: m.readUInt16BE(1),
        cipherSpecs: specs,
        challenge: m.subarray(9 + specsLen + sidLen),
      },
      length: 2 + len,
    };
  }
  // TLS: join handshake fragments until the ClientHello is whole
  let offset = 0;
  let hs = Buffer.alloc(0);
  let recordVersion = 0;
  for (;;) {
    const step = readRecord(data, offset);
    if (step.kind === "error") return { ok: false, error: step.failure.detail };
    if (step.kind !== "record") return { ok: false, need: "more" };
    if (step.record.type !== 22) return { ok: false, error: `record type ${step.record.type}` };
    recordVersion ||= step.record.version;
    hs = Buffer.concat([hs, step.record.fragment]);
    offset = step.next;
    if (hs.length >= 4 && hs.length >= 4 + hs.readUIntBE(1, 3)) break;
  }
  if (hs[0] !== 1) return { ok: false, error: `handshake type ${hs[0]}` };
  const body = hs.subarray(4, 4 + hs.readUIntBE(1, 3));
  try {
    let p = 0;
    const legacyVersion = body.readUInt16BE(p);
    p += 2;
    const random = body.subarray(p, p + 32);
    p += 32;
    const sessionId = body.subarray(p + 1, p + 1 + body[p]!);
    p += 1 + body[p]!;
    const suitesLen = body.readUInt16BE(p);
    const suites = list16(body.subarray(p + 2, p + 2 + suitesLen));
    p += 2 + suitesLen;
    const compression = [...body.subarray(p + 1, p + 1 + body[p]!)];
    p += 1 + body[p]!;
    const extensions: { type: number; data: Buffer }[] = [];
    if (p < body.length) {
      const end = p + 2 + body.readUInt16BE(p);
      if (end !== body.length) return { ok: false, error: "extensions length mismatch" };
      p += 2;
      while (p < end) {
        const type = body.readUInt16BE(p);
        const len = body.readUInt16BE(p + 2);
        extensions.push({ type, data: body.subarray(p + 4, p + 4 + len) });
        p += 4 + len;
      }
      if (p !== end) return { ok: false, error: "extension overruns" };
    }
    const ext = (t: number) => extensions.find((e) => e.type === t)?.data;
    const sni = ext(0);
    const sv = ext(43);
    const groups = ext(10);
    const ks = ext(51);
    const sigs = ext(13);
    let keyShares: { group: number; key: Buffer }[] | null = null;
    if (ks) {
      keyShares = [];
      for (let i = 2; i < ks.length; ) {
        const len = ks.readUInt16BE(i + 2);
        keyShares.push({ group: ks.readUInt16BE(i), key: ks.subarray(i + 4, i + 4 + len) });
        i += 4 + len;
      }
    }
    return {
      ok: true,
      hello: {
        kind: "tls",
        recordVersion,
        legacyVersion,
        random,
        sessionId,
        suites,
        compression,
        extensions,
        serverName: sni ? sni.subarray(5, 5 + sni.readUInt16BE(3)).toString("ascii") : null,
        supportedVersions: sv
          ? [...sv.subarray(1)].flatMap((_, i, a) => (i % 2 ? [] : [(a[i]! << 8) | a[i + 1]!]))
          : null,
        supportedGroups: groups ? list16(groups.subarray(2)) : null,
        keyShares,
        signatureAlgorithms: sigs ? list16(sigs.subarray(2)) : null,
      },
      length: offset,
    };
  } catch (err) {
    return { ok: false, error: `ClientHello does not parse: ${err instanceof Error ? err.message : err}` };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Answers

function u16(n: number): Buffer {
  return Buffer.from([(n >> 8) & 0xff, n & 0xff]);
}
function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
function record(type: number, version: number, fragment: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(version), u16(fragment.length), fragment]);
}
function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}
function ext(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(data.length), data]);
}

export function alertRecord(description: number, version = 0x0303): Buffer {
  return record(21, version, Buffer.from([2, description]));
}

const KEY_LENGTH: Record<number, number> = { 23: 65, 24: 97, 25: 133, 29: 32, 30: 56 };

function serverHello(o: {
  version: number;
  suite: number;
  sessionId: Buffer;
  extensions: Buffer[];
  random?: Buffer;
}): Buffer {
  const exts = Buffer.concat(o.extensions);
  return handshake(
    2,
    Buffer.concat([
      u16(Math.min(o.version, 0x0303)),
      o.random ?? Buffer.alloc(32, 0x5a),
      Buffer.from([o.sessionId.length]),
      o.sessionId,
      u16(o.suite),
      Buffer.from([0]),
      ...(o.extensions.length > 0 ? [u16(exts.length), exts] : []),
    ]),
  );
}

/** Pick the suite: `offered` by the client, `usable` at the chosen version, ordered by whoever decides. */
function pickSuite(cfg: FakeTlsConfig, offered: number[], usable: (s: number) => boolean): number | null {
  const theirs = offered.filter((s) => cfg.suites.includes(s) && usable(s));
  if (theirs.length === 0) return null;
  if (cfg.preference === "client") return theirs[0]!;
  return cfg.suites.find((s) => theirs.includes(s)) ?? null;
}

const VERSION_RANK: Record<string, number> = {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  "TLSv1.2": 0x0303,
  "TLSv1.3": 0x0304,
};

function fitsVersion(code: number, version: number): boolean {
  const s = suiteByCode(code);
  if (!s) return version !== TLS13;
  if (version === TLS13) return s.tls13;
  return !s.tls13 && VERSION_RANK[s.min_version]! <= version;
}

/** The bytes to send back (then close), or null to close without a word. */
export function fakeTlsAnswer(hello: ParsedClientHello | ParsedSsl2Hello, cfg: FakeTlsConfig): Buffer | null {
  const groups = cfg.groups ?? [29, 23];
  const badVersion = (v: number) => (cfg.onBadVersion === "close" ? null : alertRecord(70, v));
  const noCipher = (v: number) => (cfg.onNoCipher === "close" ? null : alertRecord(40, v));
  if (hello.kind === "ssl2") {
    if (!cfg.versions.includes(SSL2)) return badVersion(0x0301);
    const specs = (cfg.ssl2Specs ?? []).filter((s) => hello.cipherSpecs.includes(s));
    if (specs.length === 0) return Buffer.from([0x80, 3, 0, 0, 1]); // ERROR: NO-CIPHER-ERROR
    const cert = Buffer.alloc(10, 0x30);
    const connId = Buffer.alloc(16, 0x11);
    const specBytes = Buffer.concat(specs.map(u24));
    const msg = Buffer.concat([
      Buffer.from([4, 0, 1]),
      u16(SSL2),
      u16(cert.length),
      u16(specBytes.length),
      u16(connId.length),
      cert,
      specBytes,
      connId,
    ]);
    return Buffer.concat([u16(0x8000 | msg.length), msg]);
  }
  // TLS 1.3 when both speak it (a server without 1.3 ignores supported_versions)
  if (cfg.versions.includes(TLS13) && hello.supportedVersions?.includes(TLS13)) {
    const suite = pickSuite(cfg, hello.suites, (s) => fitsVersion(s, TLS13));
    if (suite === null) return noCipher(0x0303);
    const share = groups.map((g) => hello.keyShares?.find((k) => k.group === g)).find((k) => k);
    const common = groups.find((g) => hello.supportedGroups?.includes(g));
    if (common === undefined) return noCipher(0x0303);
    const sv = ext(43, u16(TLS13));
    if (!share) {
      if (cfg.onNoKeyShare === "alert") return alertRecord(47, 0x0303);
      const hrr = serverHello({
        version: TLS13,
        suite,
        sessionId: hello.sessionId,
        random: HRR_RANDOM,
        extensions: [sv, ext(51, u16(common))],
      });
      return record(22, 0x0303, hrr);
    }
    const key = Buffer.alloc(KEY_LENGTH[share.group] ?? 32, 0x42);
    const sh = serverHello({
      version: TLS13,
      suite,
      sessionId: hello.sessionId,
      extensions: [sv, ext(51, Buffer.concat([u16(share.group), u16(key.length), key]))],
    });
    return Buffer.concat([record(22, 0x0303, sh), record(20, 0x0303, Buffer.from([1]))]);
  }
  // SSLv3 … TLS 1.2: the highest version both speak, at most the client's legacy_version
  const mine = cfg.versions.filter((v) => v >= 0x0300 && v <= 0x0303).sort((a, b) => b - a);
  const version = mine.find((v) => v <= hello.legacyVersion);
  if (version === undefined) return badVersion(Math.min(hello.legacyVersion, 0x0303));
  const common = groups.find((g) => hello.supportedGroups === null || hello.supportedGroups.includes(g));
  const usable = (s: number) => {
    if (!fitsVersion(s, version)) return false;
    const kx = suiteByCode(s)?.kx;
    return !(kx === "ECDHE" || kx === "ECDH" || kx === "ECDHE_PSK") || common !== undefined;
  };
  const suite = pickSuite(cfg, hello.suites, usable);
  if (suite === null) return noCipher(version);
  // renegotiation_info, when the client sent the extension or the SCSV (RFC 5746 §3.6), as OpenSSL requires.
  const secureRenegotiation =
    hello.extensions.some((e) => e.type === 0xff01) || hello.suites.includes(0x00ff);
  const exts = secureRenegotiation ? [ext(0xff01, Buffer.from([0]))] : [];
  const flight = [serverHello({ version, suite, sessionId: Buffer.alloc(0), extensions: exts })];
  if (cfg.stallAfterHello) return record(22, version, flight[0]!);
  const s = suiteByCode(suite);
  if (s && s.auth !== "anon") {
    const list = Buffer.concat(
      (cfg.certificates ?? [Buffer.alloc(10, 0x30)]).map((c) => Buffer.concat([u24(c.length), c])),
    );
    flight.push(handshake(11, Buffer.concat([u24(list.length), list])));
  }
  if (s?.kx === "ECDHE") {
    const point = Buffer.alloc(KEY_LENGTH[common!] ?? 32, 0x04);
    flight.push(
      handshake(12, Buffer.concat([Buffer.from([3]), u16(common!), Buffer.from([point.length]), point])),
    );
  } else if (s?.kx === "DHE") {
    const bytes = Math.ceil((cfg.dhBits ?? 2048) / 8);
    const p = Buffer.alloc(bytes, 0xff);
    flight.push(
      handshake(12, Buffer.concat([u16(p.length), p, u16(1), Buffer.from([2]), u16(1), Buffer.from([5])])),
    );
  }
  flight.push(handshake(14, Buffer.alloc(0)));
  return record(22, version, Buffer.concat(flight));
}
