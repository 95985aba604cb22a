/**
 * TLS supported groups (named curves and finite-field groups) as data: the IANA "TLS Supported Groups" registry
 * (https://www.iana.org/assignments/tls-parameters/tls-parameters.xhtml#tls-parameters-8), RFC 8422 §5.1.1,
 * RFC 7919 (ffdhe), RFC 8446 §4.2.7, RFC 8734 (brainpool for TLS 1.3), RFC 9189 (GOST), RFC 8998 (SM2) and the
 * hybrid post-quantum code points of draft-ietf-tls-ecdhe-mlkem. Names are IANA's, lower case as IANA writes them.
 */

export interface TlsGroup {
  code: number;
  name: string;
  /** "ec": elliptic curve (TLS 1.2 ECDHE and TLS 1.3); "ff": finite field (TLS 1.3); "hybrid": ECDHE + ML-KEM. */
  kind: "ec" | "ff" | "hybrid";
  /** Usable in TLS 1.3 key_share (RFC 8446 §4.2.7 deprecates the sect*, secp1xx, secp224 and pre-1.3 brainpool). */
  tls13: boolean;
  /** Usable for TLS 1.2 ECDHE (RFC 8422). */
  tls12: boolean;
}

const g = (code: number, name: string, kind: TlsGroup["kind"], tls12: boolean, tls13: boolean): TlsGroup => ({
  code,
  name,
  kind,
  tls12,
  tls13,
});

export const TLS_GROUPS: readonly TlsGroup[] = [
  g(1, "sect163k1", "ec", true, false),
  g(2, "sect163r1", "ec", true, false),
  g(3, "sect163r2", "ec", true, false),
  g(4, "sect193r1", "ec", true, false),
  g(5, "sect193r2", "ec", true, false),
  g(6, "sect233k1", "ec", true, false),
  g(7, "sect233r1", "ec", true, false),
  g(8, "sect239k1", "ec", true, false),
  g(9, "sect283k1", "ec", true, false),
  g(10, "sect283r1", "ec", true, false),
  g(11, "sect409k1", "ec", true, false),
  g(12, "sect409r1", "ec", true, false),
  g(13, "sect571k1", "ec", true, false),
  g(14, "sect571r1", "ec", true, false),
  g(15, "secp160k1", "ec", true, false),
  g(16, "secp160r1", "ec", true, false),
  g(17, "secp160r2", "ec", true, false),
  g(18, "secp192k1", "ec", true, false),
  g(19, "secp192r1", "ec", true, false),
  g(20, "secp224k1", "ec", true, false),
  g(21, "secp224r1", "ec", true, false),
  g(22, "secp256k1", "ec", true, false),
  g(23, "secp256r1", "ec", true, true),
  g(24, "secp384r1", "ec", true, true),
  g(25, "secp521r1", "ec", true, true),
  g(26, "brainpoolP256r1", "ec", true, false),
  g(27, "brainpoolP384r1", "ec", true, false),
  g(28, "brainpoolP512r1", "ec", true, false),
  g(29, "x25519", "ec", true, true),
  g(30, "x448", "ec", true, true),
  g(31, "brainpoolP256r1tls13", "ec", false, true),
  g(32, "brainpoolP384r1tls13", "ec", false, true),
  g(33, "brainpoolP512r1tls13", "ec", false, true),
  g(34, "GC256A", "ec", true, true),
  g(35, "GC256B", "ec", true, true),
  g(36, "GC256C", "ec", true, true),
  g(37, "GC256D", "ec", true, true),
  g(38, "GC512A", "ec", true, true),
  g(39, "GC512B", "ec", true, true),
  g(40, "GC512C", "ec", true, true),
  g(41, "curveSM2", "ec", false, true),
  g(256, "ffdhe2048", "ff", false, true),
  g(257, "ffdhe3072", "ff", false, true),
  g(258, "ffdhe4096", "ff", false, true),
  g(259, "ffdhe6144", "ff", false, true),
  g(260, "ffdhe8192", "ff", false, true),
  g(0x11eb, "SecP256r1MLKEM768", "hybrid", false, true),
  g(0x11ec, "X25519MLKEM768", "hybrid", false, true),
  g(0x11ed, "SecP384r1MLKEM1024", "hybrid", false, true),
];

const BY_CODE = new Map(TLS_GROUPS.map((x) => [x.code, x]));

/** The IANA name of a group code, or "group-0x1234" for one we do not know. */
export function groupName(code: number): string {
  return BY_CODE.get(code)?.name ?? `group-0x${code.toString(16).padStart(4, "0")}`;
}

export function groupByCode(code: number): TlsGroup | undefined {
  return BY_CODE.get(code);
}

export const GROUP_X25519 = 29;
export const GROUP_SECP256R1 = 23;
export const GROUP_SECP384R1 = 24;
