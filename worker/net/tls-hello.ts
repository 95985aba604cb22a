/**
 * ClientHello encoders for the TLS inventory: the bytes we send to learn which protocol versions, cipher suites
 * and groups a server accepts, written by hand because Node's OpenSSL 3 cannot offer SSLv2, SSLv3, EXPORT, RC4,
 * 3DES, NULL or anonymous suites (testssl.sh does the same with its "sockets" mode).
 *
 * - SSLv2 CLIENT-HELLO (SSL 2.0 specification, Hickman 1995, §2.5 and Appendix A; RFC 6101 Appendix E.1):
 *   2-byte record header, MSG-CLIENT-HELLO, version 0x0002, 3-byte cipher specs, challenge.
 * - SSLv3 / TLS 1.0–1.2 ClientHello (RFC 6101 §5.6.1.2, RFC 5246 §7.4.1.2) with a chosen suite list and the
 *   extensions server_name (RFC 6066 §3), supported_groups and ec_point_formats (RFC 8422 §5.1),
 *   signature_algorithms (RFC 5246 §7.4.1.4.1, TLS 1.2 only), extended_master_secret (RFC 7627),
 *   renegotiation_info (RFC 5746 §3.2) and padding (RFC 7685) — an SSLv3 hello carries no extensions.
 * - TLS 1.3 ClientHello (RFC 8446 §4.1.2): legacy_version 0x0303, a 32-byte legacy_session_id (middlebox
 *   compatibility, Appendix D.4), supported_versions (§4.2.1), key_share (§4.2.8) with real public keys,
 *   psk_key_exchange_modes (§4.2.9), signature_algorithms, supported_groups.
 *
 * Pure functions: randomness and keys come in through the options (tests inject them; `freshHelloInputs` makes
 * real ones with node:crypto), so the bytes are deterministic for golden files.
 */

import { createECDH, generateKeyPairSync, randomBytes } from "node:crypto";
import { GROUP_SECP256R1, GROUP_X25519, TLS_GROUPS } from "../../shared/tls/groups.js";

export const SSL2 = 0x0002;
export const SSL3 = 0x0300;
export const TLS10 = 0x0301;
export const TLS11 = 0x0302;
export const TLS12 = 0x0303;
export const TLS13 = 0x0304;

/** Protocol versions as OpenSSL and Node spell them (the spelling of the host row's tls_version). */
export const VERSION_NAMES: Readonly<Record<number, string>> = {
  [SSL2]: "SSLv2",
  [SSL3]: "SSLv3",
  [TLS10]: "TLSv1",
  [TLS11]: "TLSv1.1",
  [TLS12]: "TLSv1.2",
  [TLS13]: "TLSv1.3",
};

export function versionName(v: number): string {
  return VERSION_NAMES[v] ?? `0x${v.toString(16).padStart(4, "0")}`;
}

export const EXT_SERVER_NAME = 0;
export const EXT_SUPPORTED_GROUPS = 10;
export const EXT_EC_POINT_FORMATS = 11;
export const EXT_SIGNATURE_ALGORITHMS = 13;
export const EXT_PADDING = 21;
export const EXT_EXTENDED_MASTER_SECRET = 23;
export const EXT_SUPPORTED_VERSIONS = 43;
export const EXT_PSK_KEY_EXCHANGE_MODES = 45;
export const EXT_KEY_SHARE = 51;
export const EXT_RENEGOTIATION_INFO = 0xff01;

/**
 * Every signature scheme a server might insist on, modern first (RFC 8446 §4.2.3; the legacy SHA-1, SHA-224 and
 * DSA code points of RFC 5246 §7.4.1.4.1 last, so servers with old certificates still answer).
 */
export const SIGNATURE_ALGORITHMS: readonly number[] = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501,
  0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202,
];

/** Groups for TLS 1.2 and earlier: every RFC 8422 curve (no ffdhe: RFC 7919 §4 would then forbid other DHE groups). */
export const TLS12_GROUPS: readonly number[] = [
  GROUP_X25519,
  GROUP_SECP256R1,
  ...TLS_GROUPS.filter((g) => g.tls12 && g.code !== GROUP_X25519 && g.code !== GROUP_SECP256R1).map(
    (g) => g.code,
  ),
];

/** Groups for TLS 1.3: every group TLS 1.3 allows, the two we send key shares for first. */
export const TLS13_GROUPS: readonly number[] = [
  GROUP_X25519,
  GROUP_SECP256R1,
  ...TLS_GROUPS.filter((g) => g.tls13 && g.code !== GROUP_X25519 && g.code !== GROUP_SECP256R1).map(
    (g) => g.code,
  ),
];

/**
 * A growable big-endian byte writer for the hello encoders: one buffer, lengths patched in place (the nested
 * `vector<…>` length prefixes of RFC 8446 §3.4) — no per-field allocations, since a survey sends millions.
 */
class Writer {
  private buf = Buffer.allocUnsafe(1024);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  get length(): number {
    return this.pos;
  }
  u8(n: number): this {
    this.room(1);
    this.buf[this.pos++] = n & 0xff;
    return this;
  }
  u16(n: number): this {
    this.room(2);
    this.buf.writeUInt16BE(n & 0xffff, this.pos);
    this.pos += 2;
    return this;
  }
  u24(n: number): this {
    this.room(3);
    this.buf.writeUIntBE(n & 0xffffff, this.pos, 3);
    this.pos += 3;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }
  list16(values: readonly number[]): this {
    for (const v of values) this.u16(v);
    return this;
  }
  /** Reserve a `width`-byte length prefix, write the body, then fill in the body's length. */
  vec(width: 1 | 2 | 3, body: (w: this) => void): this {
    this.room(width);
    const at = this.pos;
    this.pos += width;
    body(this);
    this.buf.writeUIntBE(this.pos - at - width, at, width);
    return this;
  }
  /** An extension: type, then its data as a 16-bit vector. */
  ext(type: number, data: (w: this) => void = () => {}): this {
    return this.u16(type).vec(2, data);
  }
  /** A copy of what was written (the scratch buffer is not handed out). */
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

// ---------------------------------------------------------------------------------------------------------
// SSLv2

export interface Ssl2HelloOptions {
  /** 24-bit cipher specs. */
  cipherSpecs: readonly number[];
  /** 16 to 32 bytes (the specification's CHALLENGE-DATA). */
  challenge: Buffer;
}

/** An SSLv2 CLIENT-HELLO record (2-byte header, no padding), offering version 0x0002 and no session id. */
export function encodeSsl2ClientHello(o: Ssl2HelloOptions): Buffer {
  if (o.challenge.length < 16 || o.challenge.length > 32)
    throw new Error("SSLv2 challenge must be 16..32 bytes");
  if (o.cipherSpecs.length === 0) throw new Error("SSLv2 hello needs at least one cipher spec");
  const bodyLength = 9 + 3 * o.cipherSpecs.length + o.challenge.length;
  if (bodyLength > 0x7fff) throw new Error("SSLv2 hello too long");
  const w = new Writer()
    .u16(0x8000 | bodyLength)
    .u8(1) // MSG-CLIENT-HELLO
    .u16(SSL2)
    .u16(3 * o.cipherSpecs.length)
    .u16(0) // SESSION-ID-LENGTH
    .u16(o.challenge.length);
  for (const spec of o.cipherSpecs) w.u24(spec);
  return w.bytes(o.challenge).done();
}

// ---------------------------------------------------------------------------------------------------------
// SSLv3 … TLS 1.3

export interface KeyShare {
  group: number;
  /** The public key as it goes on the wire (x25519: 32 bytes; secp256r1: 65-byte uncompressed point). */
  key: Buffer;
}

export interface ClientHelloOptions {
  /** The highest version offered: SSL3, TLS10, TLS11, TLS12 (as legacy_version) or TLS13 (supported_versions). */
  version: number;
  suites: readonly number[];
  /** 32 bytes. */
  random: Buffer;
  /** legacy_session_id: empty unless given (TLS 1.3: give 32 bytes). */
  sessionId?: Buffer;
  /** SNI; omitted when null or an IP address (RFC 6066 §3 forbids literals). */
  serverName?: string | null;
  /** supported_groups; default TLS12_GROUPS / TLS13_GROUPS. An empty list omits the extension. */
  groups?: readonly number[];
  /** TLS 1.3 key_share entries (may be empty: the server then answers with a HelloRetryRequest). */
  keyShares?: readonly KeyShare[];
  signatureAlgorithms?: readonly number[];
}

function isIpLiteral(name: string): boolean {
  return /^[0-9.]+$/.test(name) || name.includes(":");
}

/** The extensions of a hello for `o.version` (none for SSLv3), padded per RFC 7685 when `helloSize` needs it. */
function writeExtensions(w: Writer, o: ClientHelloOptions, headLength: number): void {
  const tls13 = o.version === TLS13;
  const groups = o.groups ?? (tls13 ? TLS13_GROUPS : TLS12_GROUPS);
  w.vec(2, (w) => {
    const start = w.length;
    if (o.serverName && !isIpLiteral(o.serverName)) {
      const host = Buffer.from(o.serverName, "ascii");
      w.ext(EXT_SERVER_NAME, (w) => w.vec(2, (w) => w.u8(0).vec(2, (w) => w.bytes(host))));
    }
    if (!tls13) w.ext(EXT_EC_POINT_FORMATS, (w) => w.vec(1, (w) => w.u8(0).u8(1).u8(2)));
    if (groups.length > 0) w.ext(EXT_SUPPORTED_GROUPS, (w) => w.vec(2, (w) => w.list16(groups)));
    if (o.version >= TLS12) {
      w.ext(EXT_SIGNATURE_ALGORITHMS, (w) =>
        w.vec(2, (w) => w.list16(o.signatureAlgorithms ?? SIGNATURE_ALGORITHMS)),
      );
    }
    if (!tls13) {
      w.ext(EXT_EXTENDED_MASTER_SECRET);
      w.ext(EXT_RENEGOTIATION_INFO, (w) => w.u8(0));
    } else {
      w.ext(EXT_SUPPORTED_VERSIONS, (w) => w.vec(1, (w) => w.u16(TLS13)));
      w.ext(EXT_PSK_KEY_EXCHANGE_MODES, (w) => w.vec(1, (w) => w.u8(1))); // psk_dhe_ke
      w.ext(EXT_KEY_SHARE, (w) =>
        w.vec(2, (w) => {
          for (const k of o.keyShares ?? []) w.u16(k.group).vec(2, (w) => w.bytes(k.key));
        }),
      );
    }
    // RFC 7685: keep the handshake message out of 256..511 bytes (a known server bug range) by padding to 512.
    const size = 4 + headLength + 2 + (w.length - start);
    if (size >= 256 && size < 512) {
      const pad = Math.max(0, 512 - size - 4);
      w.ext(EXT_PADDING, (w) => w.zeros(pad));
    }
  });
}

/**
 * A ClientHello in one plaintext record. Record version 0x0300 for SSLv3, else 0x0301 (RFC 8446 §5.1, and what
 * old servers tolerate best); legacy_version min(version, TLS 1.2).
 */
export function encodeClientHello(o: ClientHelloOptions): Buffer {
  if (o.random.length !== 32) throw new Error("ClientHello random must be 32 bytes");
  if (o.suites.length === 0) throw new Error("ClientHello needs at least one cipher suite");
  if (o.version < SSL3 || o.version > TLS13) throw new Error(`cannot encode version ${o.version}`);
  const sessionId = o.sessionId ?? Buffer.alloc(0);
  const w = new Writer();
  w.u8(22).u16(o.version === SSL3 ? SSL3 : TLS10);
  w.vec(2, (w) =>
    w.u8(1).vec(3, (w) => {
      const start = w.length;
      w.u16(Math.min(o.version, TLS12))
        .bytes(o.random)
        .vec(1, (w) => w.bytes(sessionId))
        .vec(2, (w) => w.list16(o.suites))
        .vec(1, (w) => w.u8(0)); // compression: null only
      if (o.version !== SSL3) writeExtensions(w, o, w.length - start);
    }),
  );
  if (w.length - 5 > 0x4000) throw new Error("ClientHello longer than one record");
  return w.done();
}

// ---------------------------------------------------------------------------------------------------------
// Fresh inputs

/** Public keys for key_share: x25519 (raw 32 bytes) and secp256r1 (uncompressed point), new on every call. */
export function freshKeyShares(groups: readonly number[] = [GROUP_X25519, GROUP_SECP256R1]): KeyShare[] {
  return groups.map((group) => {
    if (group === GROUP_X25519) {
      const { publicKey } = generateKeyPairSync("x25519");
      const jwk = publicKey.export({ format: "jwk" }) as { x?: string };
      return { group, key: Buffer.from(jwk.x ?? "", "base64url") };
    }
    if (group === GROUP_SECP256R1) {
      const ecdh = createECDH("prime256v1");
      return { group, key: ecdh.generateKeys() };
    }
    throw new Error(`no key share generator for group ${group}`);
  });
}

/** Random bytes drawn from a buffer refilled 32 KiB at a time (one CSPRNG call per ~400 hellos, not three each). */
let pool = Buffer.alloc(0);
let poolAt = 0;
function randomPool(n: number): Buffer {
  if (poolAt + n > pool.length) {
    pool = randomBytes(32 * 1024);
    poolAt = 0;
  }
  const out = pool.subarray(poolAt, poolAt + n);
  poolAt += n;
  return out;
}

export interface HelloInputs {
  random: Buffer;
  sessionId: Buffer;
  challenge: Buffer;
  keyShares: KeyShare[];
}

/**
 * Random, session id, SSLv2 challenge and key shares for one connection. The key shares (two key pairs, the
 * costliest part) are generated on first use only: just a TLS 1.3 hello with a key_share reads them.
 */
export function freshHelloInputs(): HelloInputs {
  let keyShares: KeyShare[] | undefined;
  const r = randomPool(80); // random, session id, challenge
  return {
    random: r.subarray(0, 32),
    sessionId: r.subarray(32, 64),
    challenge: r.subarray(64, 80),
    get keyShares(): KeyShare[] {
      keyShares ??= freshKeyShares();
      return keyShares;
    },
  };
}
