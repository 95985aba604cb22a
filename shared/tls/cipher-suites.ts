/**
 * The TLS cipher suite registry as data: every code point of the IANA "TLS Cipher Suites" registry that names a
 * suite (SSLv3-era, EXPORT, KRB5, PSK, SRP, ECCPWD, GOST, TLS 1.3 ones), a few historical code points that
 * deployed implementations used outside the registry (`registered: false`), and the SSLv2 cipher specs (3 bytes).
 *
 * Sources:
 * - IANA, Transport Layer Security (TLS) Parameters, TLS Cipher Suites:
 *   https://www.iana.org/assignments/tls-parameters/tls-parameters.xhtml#tls-parameters-4 (names and code points).
 * - OpenSSL names: `openssl ciphers -V -stdname ALL:COMPLEMENTOFALL` (OpenSSL 3.0) for every suite it still
 *   has — test/unit/cipher-suites.test.ts checks each against the local binary; for suites OpenSSL 3 dropped
 *   (RC4, DES, 3DES, IDEA, SEED, EXPORT, KRB5, static DH/ECDH), the names OpenSSL 1.0.2 used.
 * - SSLv2 cipher specs: the SSL 2.0 specification (Hickman, 1995), Appendix A "CIPHER-KIND".
 *
 * The classification (key exchange, authentication, encryption, MAC, EXPORT, minimum version) is not typed in
 * by hand: `classify` reads it from the IANA name, whose grammar is TLS_<kx>[_<auth>][_EXPORT]_WITH_<enc>_<mac>
 * (TLS 1.3: TLS_<aead>_<hash>), and tests check it against OpenSSL's own Kx/Au/Enc/Mac columns.
 *
 * `weak` — the rule, in one place (`isWeak`): a suite is weak when it gives no confidentiality or no
 * authentication, or its cipher is broken or too small: EXPORT grade (≤ 56-bit keys, 512-bit key exchange);
 * NULL key exchange or NULL encryption (including the TLS 1.3 integrity-only suites of RFC 9150); anonymous
 * authentication (DH_anon, ECDH_anon); RC4 (RFC 7465 forbids it); RC2; single DES (56-bit keys); 3DES and IDEA
 * (64-bit blocks: Sweet32, CVE-2016-2183). CBC with SHA-1, static RSA key exchange, CAMELLIA, ARIA, SEED and
 * GOST are not weak by this rule (they are reported by their own flags: `cbc`, `forward_secrecy`).
 */

export type KeyExchange =
  | "NULL"
  | "RSA"
  | "DH"
  | "DHE"
  | "ECDH"
  | "ECDHE"
  | "PSK"
  | "DHE_PSK"
  | "ECDHE_PSK"
  | "RSA_PSK"
  | "SRP"
  | "KRB5"
  | "ECCPWD"
  | "GOST"
  | "TLS13";

export type Authentication =
  | "NULL"
  | "RSA"
  | "DSS"
  | "ECDSA"
  | "anon"
  | "PSK"
  | "SRP"
  | "KRB5"
  | "ECCPWD"
  | "GOST"
  | "TLS13";

export type Encryption =
  | "NULL"
  | "RC4"
  | "RC2"
  | "DES"
  | "3DES"
  | "IDEA"
  | "SEED"
  | "AES_CBC"
  | "AES_GCM"
  | "AES_CCM"
  | "AES_CCM_8"
  | "CHACHA20_POLY1305"
  | "CAMELLIA_CBC"
  | "CAMELLIA_GCM"
  | "ARIA_CBC"
  | "ARIA_GCM"
  | "SM4_GCM"
  | "SM4_CCM"
  | "AEGIS"
  | "GOST28147"
  | "KUZNYECHIK_CTR"
  | "MAGMA_CTR"
  | "KUZNYECHIK_MGM"
  | "MAGMA_MGM";

/** The record MAC; "AEAD" when the cipher authenticates (the name's hash is then only the PRF's). */
export type Mac = "NULL" | "MD5" | "SHA1" | "SHA256" | "SHA384" | "AEAD" | "GOST";

/** Lowest protocol version the suite can be negotiated in (as OpenSSL spells versions). */
export type MinVersion = "SSLv3" | "TLSv1" | "TLSv1.2" | "TLSv1.3";

export interface CipherSuite {
  /** Two-byte code point, e.g. 0xc02f. */
  code: number;
  /** IANA's spelling, e.g. "0xC0,0x2F". */
  hex: string;
  /** IANA name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. */
  iana: string;
  /** OpenSSL name, e.g. ECDHE-RSA-AES128-GCM-SHA256; null when OpenSSL never had the suite. */
  openssl: string | null;
  /** In the IANA registry (false: a historical code point deployed implementations used, e.g. EXPORT1024). */
  registered: boolean;
  kx: KeyExchange;
  auth: Authentication;
  enc: Encryption;
  /** Key bits of the cipher (40 for EXPORT RC4, 168 for 3DES, 0 for NULL). */
  enc_bits: number;
  mac: Mac;
  export: boolean;
  min_version: MinVersion;
  /** A TLS 1.3 suite (negotiable only in TLS 1.3; nothing else is negotiable in TLS 1.3). */
  tls13: boolean;
  cbc: boolean;
  aead: boolean;
  /** Ephemeral key exchange (DHE, ECDHE, their PSK variants, ECCPWD, TLS 1.3). */
  forward_secrecy: boolean;
  /** See the module comment for the rule. */
  weak: boolean;
}

/** [code, IANA name, OpenSSL name, registered (default true)] */
type Row = readonly [number, string, string | null, boolean?];

// biome-ignore format: one suite per line
const ROWS: readonly Row[] = [
  [0x0000, "TLS_NULL_WITH_NULL_NULL", null],
  [0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL-MD5"],
  [0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA"],
  [0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5"],
  [0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5"],
  [0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA"],
  [0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-RC2-CBC-MD5"],
  [0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA"],
  [0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DES-CBC-SHA"],
  [0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA"],
  [0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"],
  [0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-DSS-DES-CBC-SHA"],
  [0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA", "DH-DSS-DES-CBC-SHA"],
  [0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", "DH-DSS-DES-CBC3-SHA"],
  [0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-RSA-DES-CBC-SHA"],
  [0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA", "DH-RSA-DES-CBC-SHA"],
  [0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", "DH-RSA-DES-CBC3-SHA"],
  [0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-DSS-DES-CBC-SHA"],
  [0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", "EDH-DSS-DES-CBC-SHA"],
  [0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "EDH-DSS-DES-CBC3-SHA"],
  [0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-RSA-DES-CBC-SHA"],
  [0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", "EDH-RSA-DES-CBC-SHA"],
  [0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "EDH-RSA-DES-CBC3-SHA"],
  [0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", "EXP-ADH-RC4-MD5"],
  [0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5"],
  [0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", "EXP-ADH-DES-CBC-SHA"],
  [0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", "ADH-DES-CBC-SHA"],
  [0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "ADH-DES-CBC3-SHA"],
  [0x001E, "TLS_KRB5_WITH_DES_CBC_SHA", "KRB5-DES-CBC-SHA"],
  [0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA", "KRB5-DES-CBC3-SHA"],
  [0x0020, "TLS_KRB5_WITH_RC4_128_SHA", "KRB5-RC4-SHA"],
  [0x0021, "TLS_KRB5_WITH_IDEA_CBC_SHA", "KRB5-IDEA-CBC-SHA"],
  [0x0022, "TLS_KRB5_WITH_DES_CBC_MD5", "KRB5-DES-CBC-MD5"],
  [0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5", "KRB5-DES-CBC3-MD5"],
  [0x0024, "TLS_KRB5_WITH_RC4_128_MD5", "KRB5-RC4-MD5"],
  [0x0025, "TLS_KRB5_WITH_IDEA_CBC_MD5", "KRB5-IDEA-CBC-MD5"],
  [0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA", "EXP-KRB5-DES-CBC-SHA"],
  [0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA", "EXP-KRB5-RC2-CBC-SHA"],
  [0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA", "EXP-KRB5-RC4-SHA"],
  [0x0029, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5", "EXP-KRB5-DES-CBC-MD5"],
  [0x002A, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-KRB5-RC2-CBC-MD5"],
  [0x002B, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5", "EXP-KRB5-RC4-MD5"],
  [0x002C, "TLS_PSK_WITH_NULL_SHA", "PSK-NULL-SHA"],
  [0x002D, "TLS_DHE_PSK_WITH_NULL_SHA", "DHE-PSK-NULL-SHA"],
  [0x002E, "TLS_RSA_PSK_WITH_NULL_SHA", "RSA-PSK-NULL-SHA"],
  [0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"],
  [0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", "DH-DSS-AES128-SHA"],
  [0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "DH-RSA-AES128-SHA"],
  [0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS-AES128-SHA"],
  [0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA"],
  [0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA"],
  [0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"],
  [0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", "DH-DSS-AES256-SHA"],
  [0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", "DH-RSA-AES256-SHA"],
  [0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "DHE-DSS-AES256-SHA"],
  [0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA"],
  [0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", "ADH-AES256-SHA"],
  [0x003B, "TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256"],
  [0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"],
  [0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256"],
  [0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", "DH-DSS-AES128-SHA256"],
  [0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", "DH-RSA-AES128-SHA256"],
  [0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "DHE-DSS-AES128-SHA256"],
  [0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "CAMELLIA128-SHA"],
  [0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", "DH-DSS-CAMELLIA128-SHA"],
  [0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", "DH-RSA-CAMELLIA128-SHA"],
  [0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", "DHE-DSS-CAMELLIA128-SHA"],
  [0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", "DHE-RSA-CAMELLIA128-SHA"],
  [0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", "ADH-CAMELLIA128-SHA"],
  [0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5", "EXP1024-RC4-MD5", false],
  [0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5", "EXP1024-RC2-CBC-MD5", false],
  [0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", "EXP1024-DES-CBC-SHA", false],
  [0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", "EXP1024-DHE-DSS-DES-CBC-SHA", false],
  [0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", "EXP1024-RC4-SHA", false],
  [0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", "EXP1024-DHE-DSS-RC4-SHA", false],
  [0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA", "DHE-DSS-RC4-SHA", false],
  [0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256"],
  [0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", "DH-DSS-AES256-SHA256"],
  [0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", "DH-RSA-AES256-SHA256"],
  [0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "DHE-DSS-AES256-SHA256"],
  [0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256"],
  [0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", "ADH-AES128-SHA256"],
  [0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", "ADH-AES256-SHA256"],
  [0x0080, "TLS_GOSTR341094_WITH_28147_CNT_IMIT", "GOST94-GOST89-GOST89", false],
  [0x0081, "TLS_GOSTR341001_WITH_28147_CNT_IMIT", "GOST2001-GOST89-GOST89", false],
  [0x0082, "TLS_GOSTR341094_WITH_NULL_GOSTR3411", "GOST94-NULL-GOST94", false],
  [0x0083, "TLS_GOSTR341001_WITH_NULL_GOSTR3411", "GOST2001-NULL-GOST94", false],
  [0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "CAMELLIA256-SHA"],
  [0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", "DH-DSS-CAMELLIA256-SHA"],
  [0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", "DH-RSA-CAMELLIA256-SHA"],
  [0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", "DHE-DSS-CAMELLIA256-SHA"],
  [0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", "DHE-RSA-CAMELLIA256-SHA"],
  [0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", "ADH-CAMELLIA256-SHA"],
  [0x008A, "TLS_PSK_WITH_RC4_128_SHA", "PSK-RC4-SHA"],
  [0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA", "PSK-3DES-EDE-CBC-SHA"],
  [0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK-AES128-CBC-SHA"],
  [0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA", "PSK-AES256-CBC-SHA"],
  [0x008E, "TLS_DHE_PSK_WITH_RC4_128_SHA", "DHE-PSK-RC4-SHA"],
  [0x008F, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA", "DHE-PSK-3DES-EDE-CBC-SHA"],
  [0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA", "DHE-PSK-AES128-CBC-SHA"],
  [0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA", "DHE-PSK-AES256-CBC-SHA"],
  [0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA", "RSA-PSK-RC4-SHA"],
  [0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA", "RSA-PSK-3DES-EDE-CBC-SHA"],
  [0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", "RSA-PSK-AES128-CBC-SHA"],
  [0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA", "RSA-PSK-AES256-CBC-SHA"],
  [0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA"],
  [0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA", "DH-DSS-SEED-SHA"],
  [0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA", "DH-RSA-SEED-SHA"],
  [0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", "DHE-DSS-SEED-SHA"],
  [0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "DHE-RSA-SEED-SHA"],
  [0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", "ADH-SEED-SHA"],
  [0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"],
  [0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"],
  [0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256"],
  [0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384"],
  [0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", "DH-RSA-AES128-GCM-SHA256"],
  [0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", "DH-RSA-AES256-GCM-SHA384"],
  [0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "DHE-DSS-AES128-GCM-SHA256"],
  [0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "DHE-DSS-AES256-GCM-SHA384"],
  [0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", "DH-DSS-AES128-GCM-SHA256"],
  [0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", "DH-DSS-AES256-GCM-SHA384"],
  [0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", "ADH-AES128-GCM-SHA256"],
  [0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", "ADH-AES256-GCM-SHA384"],
  [0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", "PSK-AES128-GCM-SHA256"],
  [0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384", "PSK-AES256-GCM-SHA384"],
  [0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", "DHE-PSK-AES128-GCM-SHA256"],
  [0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", "DHE-PSK-AES256-GCM-SHA384"],
  [0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", "RSA-PSK-AES128-GCM-SHA256"],
  [0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384", "RSA-PSK-AES256-GCM-SHA384"],
  [0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", "PSK-AES128-CBC-SHA256"],
  [0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384", "PSK-AES256-CBC-SHA384"],
  [0x00B0, "TLS_PSK_WITH_NULL_SHA256", "PSK-NULL-SHA256"],
  [0x00B1, "TLS_PSK_WITH_NULL_SHA384", "PSK-NULL-SHA384"],
  [0x00B2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256", "DHE-PSK-AES128-CBC-SHA256"],
  [0x00B3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384", "DHE-PSK-AES256-CBC-SHA384"],
  [0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256", "DHE-PSK-NULL-SHA256"],
  [0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384", "DHE-PSK-NULL-SHA384"],
  [0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256", "RSA-PSK-AES128-CBC-SHA256"],
  [0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384", "RSA-PSK-AES256-CBC-SHA384"],
  [0x00B8, "TLS_RSA_PSK_WITH_NULL_SHA256", "RSA-PSK-NULL-SHA256"],
  [0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384", "RSA-PSK-NULL-SHA384"],
  [0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", "CAMELLIA128-SHA256"],
  [0x00BB, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DH-DSS-CAMELLIA128-SHA256"],
  [0x00BC, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DH-RSA-CAMELLIA128-SHA256"],
  [0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DHE-DSS-CAMELLIA128-SHA256"],
  [0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DHE-RSA-CAMELLIA128-SHA256"],
  [0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", "ADH-CAMELLIA128-SHA256"],
  [0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", "CAMELLIA256-SHA256"],
  [0x00C1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DH-DSS-CAMELLIA256-SHA256"],
  [0x00C2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DH-RSA-CAMELLIA256-SHA256"],
  [0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DHE-DSS-CAMELLIA256-SHA256"],
  [0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DHE-RSA-CAMELLIA256-SHA256"],
  [0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", "ADH-CAMELLIA256-SHA256"],
  [0x00C6, "TLS_SM4_GCM_SM3", null],
  [0x00C7, "TLS_SM4_CCM_SM3", null],
  [0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"],
  [0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"],
  [0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256"],
  [0x1304, "TLS_AES_128_CCM_SHA256", null],
  [0x1305, "TLS_AES_128_CCM_8_SHA256", null],
  [0x1306, "TLS_AEGIS_256_SHA384", null],
  [0x1307, "TLS_AEGIS_128L_SHA256", null],
  [0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", "ECDH-ECDSA-NULL-SHA"],
  [0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", "ECDH-ECDSA-RC4-SHA"],
  [0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDH-ECDSA-DES-CBC3-SHA"],
  [0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "ECDH-ECDSA-AES128-SHA"],
  [0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "ECDH-ECDSA-AES256-SHA"],
  [0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "ECDHE-ECDSA-NULL-SHA"],
  [0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA"],
  [0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-ECDSA-DES-CBC3-SHA"],
  [0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"],
  [0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"],
  [0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA", "ECDH-RSA-NULL-SHA"],
  [0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", "ECDH-RSA-RC4-SHA"],
  [0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", "ECDH-RSA-DES-CBC3-SHA"],
  [0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "ECDH-RSA-AES128-SHA"],
  [0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", "ECDH-RSA-AES256-SHA"],
  [0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", "ECDHE-RSA-NULL-SHA"],
  [0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA"],
  [0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA"],
  [0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"],
  [0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"],
  [0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", "AECDH-NULL-SHA"],
  [0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", "AECDH-RC4-SHA"],
  [0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", "AECDH-DES-CBC3-SHA"],
  [0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "AECDH-AES128-SHA"],
  [0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "AECDH-AES256-SHA"],
  [0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", "SRP-3DES-EDE-CBC-SHA"],
  [0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA", "SRP-RSA-3DES-EDE-CBC-SHA"],
  [0xC01C, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA", "SRP-DSS-3DES-EDE-CBC-SHA"],
  [0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA", "SRP-AES-128-CBC-SHA"],
  [0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", "SRP-RSA-AES-128-CBC-SHA"],
  [0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA", "SRP-DSS-AES-128-CBC-SHA"],
  [0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA", "SRP-AES-256-CBC-SHA"],
  [0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA", "SRP-RSA-AES-256-CBC-SHA"],
  [0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA", "SRP-DSS-AES-256-CBC-SHA"],
  [0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256"],
  [0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384"],
  [0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", "ECDH-ECDSA-AES128-SHA256"],
  [0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", "ECDH-ECDSA-AES256-SHA384"],
  [0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256"],
  [0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384"],
  [0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", "ECDH-RSA-AES128-SHA256"],
  [0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", "ECDH-RSA-AES256-SHA384"],
  [0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"],
  [0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"],
  [0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "ECDH-ECDSA-AES128-GCM-SHA256"],
  [0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", "ECDH-ECDSA-AES256-GCM-SHA384"],
  [0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"],
  [0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"],
  [0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "ECDH-RSA-AES128-GCM-SHA256"],
  [0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", "ECDH-RSA-AES256-GCM-SHA384"],
  [0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA", "ECDHE-PSK-RC4-SHA"],
  [0xC034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", "ECDHE-PSK-3DES-EDE-CBC-SHA"],
  [0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE-PSK-AES128-CBC-SHA"],
  [0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", "ECDHE-PSK-AES256-CBC-SHA"],
  [0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", "ECDHE-PSK-AES128-CBC-SHA256"],
  [0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", "ECDHE-PSK-AES256-CBC-SHA384"],
  [0xC039, "TLS_ECDHE_PSK_WITH_NULL_SHA", "ECDHE-PSK-NULL-SHA"],
  [0xC03A, "TLS_ECDHE_PSK_WITH_NULL_SHA256", "ECDHE-PSK-NULL-SHA256"],
  [0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384", "ECDHE-PSK-NULL-SHA384"],
  [0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", null],
  [0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384", null],
  [0xC03E, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256", null],
  [0xC03F, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384", null],
  [0xC040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256", null],
  [0xC041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384", null],
  [0xC042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256", null],
  [0xC043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384", null],
  [0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256", null],
  [0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384", null],
  [0xC046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256", null],
  [0xC047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384", null],
  [0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256", null],
  [0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384", null],
  [0xC04A, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256", null],
  [0xC04B, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384", null],
  [0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256", null],
  [0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384", null],
  [0xC04E, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256", null],
  [0xC04F, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384", null],
  [0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", "ARIA128-GCM-SHA256"],
  [0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", "ARIA256-GCM-SHA384"],
  [0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", "DHE-RSA-ARIA128-GCM-SHA256"],
  [0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", "DHE-RSA-ARIA256-GCM-SHA384"],
  [0xC054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256", null],
  [0xC055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384", null],
  [0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", "DHE-DSS-ARIA128-GCM-SHA256"],
  [0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", "DHE-DSS-ARIA256-GCM-SHA384"],
  [0xC058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256", null],
  [0xC059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384", null],
  [0xC05A, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256", null],
  [0xC05B, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384", null],
  [0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ECDSA-ARIA128-GCM-SHA256"],
  [0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ECDSA-ARIA256-GCM-SHA384"],
  [0xC05E, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256", null],
  [0xC05F, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384", null],
  [0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ARIA128-GCM-SHA256"],
  [0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384"],
  [0xC062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256", null],
  [0xC063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384", null],
  [0xC064, "TLS_PSK_WITH_ARIA_128_CBC_SHA256", null],
  [0xC065, "TLS_PSK_WITH_ARIA_256_CBC_SHA384", null],
  [0xC066, "TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256", null],
  [0xC067, "TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384", null],
  [0xC068, "TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256", null],
  [0xC069, "TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384", null],
  [0xC06A, "TLS_PSK_WITH_ARIA_128_GCM_SHA256", "PSK-ARIA128-GCM-SHA256"],
  [0xC06B, "TLS_PSK_WITH_ARIA_256_GCM_SHA384", "PSK-ARIA256-GCM-SHA384"],
  [0xC06C, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256", "DHE-PSK-ARIA128-GCM-SHA256"],
  [0xC06D, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384", "DHE-PSK-ARIA256-GCM-SHA384"],
  [0xC06E, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256", "RSA-PSK-ARIA128-GCM-SHA256"],
  [0xC06F, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384", "RSA-PSK-ARIA256-GCM-SHA384"],
  [0xC070, "TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256", null],
  [0xC071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384", null],
  [0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-ECDSA-CAMELLIA128-SHA256"],
  [0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-ECDSA-CAMELLIA256-SHA384"],
  [0xC074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDH-ECDSA-CAMELLIA128-SHA256"],
  [0xC075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDH-ECDSA-CAMELLIA256-SHA384"],
  [0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-RSA-CAMELLIA128-SHA256"],
  [0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-RSA-CAMELLIA256-SHA384"],
  [0xC078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDH-RSA-CAMELLIA128-SHA256"],
  [0xC079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDH-RSA-CAMELLIA256-SHA384"],
  [0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC07B, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC07D, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC07E, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC07F, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC08A, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC08C, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC08D, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC08E, "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC08F, "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC090, "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC091, "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC092, "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256", null],
  [0xC093, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384", null],
  [0xC094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256", "PSK-CAMELLIA128-SHA256"],
  [0xC095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384", "PSK-CAMELLIA256-SHA384"],
  [0xC096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "DHE-PSK-CAMELLIA128-SHA256"],
  [0xC097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "DHE-PSK-CAMELLIA256-SHA384"],
  [0xC098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256", "RSA-PSK-CAMELLIA128-SHA256"],
  [0xC099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384", "RSA-PSK-CAMELLIA256-SHA384"],
  [0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-PSK-CAMELLIA128-SHA256"],
  [0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-PSK-CAMELLIA256-SHA384"],
  [0xC09C, "TLS_RSA_WITH_AES_128_CCM", "AES128-CCM"],
  [0xC09D, "TLS_RSA_WITH_AES_256_CCM", "AES256-CCM"],
  [0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", "DHE-RSA-AES128-CCM"],
  [0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", "DHE-RSA-AES256-CCM"],
  [0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", "AES128-CCM8"],
  [0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", "AES256-CCM8"],
  [0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", "DHE-RSA-AES128-CCM8"],
  [0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", "DHE-RSA-AES256-CCM8"],
  [0xC0A4, "TLS_PSK_WITH_AES_128_CCM", "PSK-AES128-CCM"],
  [0xC0A5, "TLS_PSK_WITH_AES_256_CCM", "PSK-AES256-CCM"],
  [0xC0A6, "TLS_DHE_PSK_WITH_AES_128_CCM", "DHE-PSK-AES128-CCM"],
  [0xC0A7, "TLS_DHE_PSK_WITH_AES_256_CCM", "DHE-PSK-AES256-CCM"],
  [0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8", "PSK-AES128-CCM8"],
  [0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8", "PSK-AES256-CCM8"],
  [0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE-PSK-AES128-CCM8"],
  [0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8", "DHE-PSK-AES256-CCM8"],
  [0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE-ECDSA-AES128-CCM"],
  [0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "ECDHE-ECDSA-AES256-CCM"],
  [0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM8"],
  [0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", "ECDHE-ECDSA-AES256-CCM8"],
  [0xC0B0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256", null],
  [0xC0B1, "TLS_ECCPWD_WITH_AES_256_GCM_SHA384", null],
  [0xC0B2, "TLS_ECCPWD_WITH_AES_128_CCM_SHA256", null],
  [0xC0B3, "TLS_ECCPWD_WITH_AES_256_CCM_SHA384", null],
  [0xC0B4, "TLS_SHA256_SHA256", null],
  [0xC0B5, "TLS_SHA384_SHA384", null],
  [0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", null],
  [0xC101, "TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC", null],
  [0xC102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT", null],
  [0xC103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L", null],
  [0xC104, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_L", null],
  [0xC105, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S", null],
  [0xC106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S", null],
  [0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"],
  [0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"],
  [0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305"],
  [0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", "PSK-CHACHA20-POLY1305"],
  [0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-PSK-CHACHA20-POLY1305"],
  [0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "DHE-PSK-CHACHA20-POLY1305"],
  [0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", "RSA-PSK-CHACHA20-POLY1305"],
  [0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", null],
  [0xD002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384", null],
  [0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", null],
  [0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256", null],
];

/** TLS 1.3 suites (RFC 8446 §B.4, RFC 8998, RFC 9150, RFC 9367, the AEGIS draft): no key exchange in the name. */
const TLS13_CODES: ReadonlySet<number> = new Set([
  0x1301, 0x1302, 0x1303, 0x1304, 0x1305, 0x1306, 0x1307, 0x00c6, 0x00c7, 0xc0b4, 0xc0b5, 0xc103, 0xc104,
  0xc105, 0xc106,
]);

const KX: Record<string, { kx: KeyExchange; auth: Authentication }> = {
  NULL: { kx: "NULL", auth: "NULL" },
  RSA: { kx: "RSA", auth: "RSA" },
  DH_DSS: { kx: "DH", auth: "DSS" },
  DH_RSA: { kx: "DH", auth: "RSA" },
  DHE_DSS: { kx: "DHE", auth: "DSS" },
  DHE_RSA: { kx: "DHE", auth: "RSA" },
  DH_anon: { kx: "DHE", auth: "anon" },
  KRB5: { kx: "KRB5", auth: "KRB5" },
  PSK: { kx: "PSK", auth: "PSK" },
  DHE_PSK: { kx: "DHE_PSK", auth: "PSK" },
  PSK_DHE: { kx: "DHE_PSK", auth: "PSK" }, // IANA's spelling of 0xC0AA/0xC0AB (RFC 6655)
  RSA_PSK: { kx: "RSA_PSK", auth: "RSA" },
  ECDH_ECDSA: { kx: "ECDH", auth: "ECDSA" },
  ECDHE_ECDSA: { kx: "ECDHE", auth: "ECDSA" },
  ECDH_RSA: { kx: "ECDH", auth: "RSA" },
  ECDHE_RSA: { kx: "ECDHE", auth: "RSA" },
  ECDH_anon: { kx: "ECDHE", auth: "anon" },
  ECDHE_PSK: { kx: "ECDHE_PSK", auth: "PSK" },
  SRP_SHA: { kx: "SRP", auth: "SRP" },
  SRP_SHA_RSA: { kx: "SRP", auth: "RSA" },
  SRP_SHA_DSS: { kx: "SRP", auth: "DSS" },
  ECCPWD: { kx: "ECCPWD", auth: "ECCPWD" },
  GOSTR341112_256: { kx: "GOST", auth: "GOST" },
  GOSTR341094: { kx: "GOST", auth: "GOST" },
  GOSTR341001: { kx: "GOST", auth: "GOST" },
};

const CIPHER_RE =
  /^(NULL|RC4_(?:40|56|128)|RC2_CBC_(?:40|56)|IDEA_CBC|DES40_CBC|DES_CBC_40|DES_CBC|3DES_EDE_CBC|SEED_CBC|(?:AES|CAMELLIA|ARIA)_(?:128|256)_(?:CBC|GCM|CCM_8|CCM)|CHACHA20_POLY1305|AEGIS_(?:256|128L)|SM4_(?:GCM|CCM)|28147_CNT|KUZNYECHIK_CTR|MAGMA_CTR|KUZNYECHIK_MGM_[LS]|MAGMA_MGM_[LS])(?:_(NULL|MD5|SHA|SHA256|SHA384|IMIT|OMAC|GOSTR3411|SM3))?$/;

const AEAD_ENCRYPTION: ReadonlySet<Encryption> = new Set<Encryption>([
  "AES_GCM",
  "AES_CCM",
  "AES_CCM_8",
  "CHACHA20_POLY1305",
  "CAMELLIA_GCM",
  "ARIA_GCM",
  "SM4_GCM",
  "SM4_CCM",
  "AEGIS",
  "KUZNYECHIK_MGM",
  "MAGMA_MGM",
]);
const CBC_ENCRYPTION: ReadonlySet<Encryption> = new Set<Encryption>([
  "RC2",
  "IDEA",
  "DES",
  "3DES",
  "SEED",
  "AES_CBC",
  "CAMELLIA_CBC",
  "ARIA_CBC",
]);
const FS_KX: ReadonlySet<KeyExchange> = new Set<KeyExchange>([
  "DHE",
  "ECDHE",
  "DHE_PSK",
  "ECDHE_PSK",
  "ECCPWD",
  "TLS13",
]);
const WEAK_ENCRYPTION: ReadonlySet<Encryption> = new Set<Encryption>([
  "NULL",
  "RC4",
  "RC2",
  "DES",
  "3DES",
  "IDEA",
]);
const PSK_KX: ReadonlySet<KeyExchange> = new Set<KeyExchange>(["PSK", "DHE_PSK", "ECDHE_PSK", "RSA_PSK"]);

function encryptionOf(token: string): { enc: Encryption; bits: number } {
  if (token === "NULL") return { enc: "NULL", bits: 0 };
  let m = /^RC4_(\d+)$/.exec(token);
  if (m) return { enc: "RC4", bits: Number(m[1]) };
  m = /^RC2_CBC_(\d+)$/.exec(token);
  if (m) return { enc: "RC2", bits: Number(m[1]) };
  if (token === "IDEA_CBC") return { enc: "IDEA", bits: 128 };
  if (token === "DES40_CBC" || token === "DES_CBC_40") return { enc: "DES", bits: 40 };
  if (token === "DES_CBC") return { enc: "DES", bits: 56 };
  if (token === "3DES_EDE_CBC") return { enc: "3DES", bits: 168 };
  if (token === "SEED_CBC") return { enc: "SEED", bits: 128 };
  m = /^(AES|CAMELLIA|ARIA)_(128|256)_(CBC|GCM|CCM_8|CCM)$/.exec(token);
  if (m) {
    const [, alg, bits, mode] = m;
    const enc = (alg === "AES" ? `AES_${mode}` : `${alg}_${mode}`) as Encryption;
    return { enc, bits: Number(bits) };
  }
  if (token === "CHACHA20_POLY1305") return { enc: "CHACHA20_POLY1305", bits: 256 };
  if (token === "AEGIS_256") return { enc: "AEGIS", bits: 256 };
  if (token === "AEGIS_128L") return { enc: "AEGIS", bits: 128 };
  if (token === "SM4_GCM") return { enc: "SM4_GCM", bits: 128 };
  if (token === "SM4_CCM") return { enc: "SM4_CCM", bits: 128 };
  if (token === "28147_CNT") return { enc: "GOST28147", bits: 256 };
  if (token === "KUZNYECHIK_CTR") return { enc: "KUZNYECHIK_CTR", bits: 256 };
  if (token === "MAGMA_CTR") return { enc: "MAGMA_CTR", bits: 256 };
  if (token.startsWith("KUZNYECHIK_MGM")) return { enc: "KUZNYECHIK_MGM", bits: 256 };
  if (token.startsWith("MAGMA_MGM")) return { enc: "MAGMA_MGM", bits: 256 };
  throw new Error(`cipher-suites: unknown encryption ${token}`);
}

function macOf(token: string | undefined, aead: boolean): Mac {
  if (aead) return "AEAD";
  switch (token) {
    case undefined:
    case "NULL":
      return "NULL";
    case "MD5":
      return "MD5";
    case "SHA":
      return "SHA1";
    case "SHA256":
      return "SHA256";
    case "SHA384":
      return "SHA384";
    default:
      return "GOST"; // IMIT, OMAC, GOSTR3411
  }
}

/** The weak rule of the module comment. */
export function isWeak(s: Pick<CipherSuite, "export" | "kx" | "auth" | "enc">): boolean {
  return s.export || s.kx === "NULL" || s.auth === "anon" || WEAK_ENCRYPTION.has(s.enc);
}

/** Classify a suite from its IANA name (throws on a name outside the grammar: a bug in this table). */
export function classify(code: number, iana: string, openssl: string | null, registered = true): CipherSuite {
  const hex = hexOf(code);
  if (!iana.startsWith("TLS_")) throw new Error(`cipher-suites: ${iana} does not start with TLS_`);
  const tls13 = TLS13_CODES.has(code);
  let kx: KeyExchange;
  let auth: Authentication;
  let exported = false;
  let cipherPart: string;
  const body = iana.slice(4);
  const withAt = body.indexOf("_WITH_");
  if (tls13) {
    kx = "TLS13";
    auth = "TLS13";
    cipherPart = withAt >= 0 ? body.slice(withAt + 6) : body;
  } else {
    if (withAt < 0) throw new Error(`cipher-suites: ${iana} has no _WITH_`);
    let kxPart = body.slice(0, withAt);
    cipherPart = body.slice(withAt + 6);
    const ex = /_EXPORT(1024)?$/.exec(kxPart);
    if (ex) {
      exported = true;
      kxPart = kxPart.slice(0, ex.index);
    }
    const k = KX[kxPart];
    if (!k) throw new Error(`cipher-suites: unknown key exchange ${kxPart} in ${iana}`);
    kx = k.kx;
    auth = k.auth;
  }
  let enc: Encryption;
  let bits: number;
  let mac: Mac;
  if (cipherPart === "SHA256_SHA256" || cipherPart === "SHA384_SHA384") {
    // RFC 9150: integrity only
    enc = "NULL";
    bits = 0;
    mac = cipherPart === "SHA256_SHA256" ? "SHA256" : "SHA384";
  } else {
    const m = CIPHER_RE.exec(cipherPart);
    if (!m) throw new Error(`cipher-suites: cannot read the cipher of ${iana}`);
    ({ enc, bits } = encryptionOf(m[1]!));
    mac = macOf(m[2], AEAD_ENCRYPTION.has(enc));
  }
  const aead = AEAD_ENCRYPTION.has(enc);
  let min_version: MinVersion = "SSLv3";
  if (tls13) min_version = "TLSv1.3";
  else if (aead || (kx === "GOST" && code >= 0xc100)) min_version = "TLSv1.2";
  else if (mac === "SHA256" || mac === "SHA384") min_version = PSK_KX.has(kx) ? "TLSv1" : "TLSv1.2";
  else if (kx === "ECDH" || kx === "ECDHE" || kx === "ECDHE_PSK") min_version = "TLSv1"; // RFC 4492: TLS only
  const suite: CipherSuite = {
    code,
    hex,
    iana,
    openssl,
    registered,
    kx,
    auth,
    enc,
    enc_bits: bits,
    mac,
    export: exported,
    min_version,
    tls13,
    cbc: CBC_ENCRYPTION.has(enc),
    aead,
    forward_secrecy: FS_KX.has(kx),
    weak: false,
  };
  suite.weak = isWeak(suite);
  return suite;
}

/** Every suite, in code point order. */
export const CIPHER_SUITES: readonly CipherSuite[] = ROWS.map(([code, iana, openssl, registered]) =>
  classify(code, iana, openssl, registered ?? true),
);

const BY_CODE = new Map(CIPHER_SUITES.map((s) => [s.code, s]));
const BY_NAME = new Map(CIPHER_SUITES.map((s) => [s.iana, s]));
const BY_OPENSSL = new Map(CIPHER_SUITES.filter((s) => s.openssl).map((s) => [s.openssl!, s]));

export function suiteByCode(code: number): CipherSuite | undefined {
  return BY_CODE.get(code);
}
export function suiteByName(iana: string): CipherSuite | undefined {
  return BY_NAME.get(iana);
}
export function suiteByOpenSslName(name: string): CipherSuite | undefined {
  return BY_OPENSSL.get(name);
}

/** The IANA name of a code point, or "0xC0,0xFF"-style hex when the code point names no suite we know. */
export function suiteName(code: number): string {
  return BY_CODE.get(code)?.iana ?? hexOf(code);
}

/** IANA's spelling of a two-byte code point: "0xC0,0x2F". */
export function hexOf(code: number): string {
  return `0x${(code >> 8).toString(16).toUpperCase().padStart(2, "0")},0x${(code & 0xff).toString(16).toUpperCase().padStart(2, "0")}`;
}

/** Signalling cipher suite values (not suites): RFC 5746 §3.3 and RFC 7507. */
export const TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;
export const TLS_FALLBACK_SCSV = 0x5600;

// ---------------------------------------------------------------------------------------------------------
// SSLv2 cipher specs (3 bytes), SSL 2.0 specification Appendix A

export interface Ssl2CipherSpec {
  /** 24-bit code, e.g. 0x010080. */
  code: number;
  name: string;
  openssl: string;
  enc: "RC4" | "RC2" | "IDEA" | "DES" | "3DES";
  enc_bits: number;
  export: boolean;
  /** Every SSLv2 spec is weak: MD5 MACs, 40-bit EXPORT or 64-bit-block ciphers, and SSLv2 itself is broken. */
  weak: true;
}

export const SSL2_CIPHER_SPECS: readonly Ssl2CipherSpec[] = [
  {
    code: 0x010080,
    name: "SSL_CK_RC4_128_WITH_MD5",
    openssl: "RC4-MD5",
    enc: "RC4",
    enc_bits: 128,
    export: false,
    weak: true,
  },
  {
    code: 0x020080,
    name: "SSL_CK_RC4_128_EXPORT40_WITH_MD5",
    openssl: "EXP-RC4-MD5",
    enc: "RC4",
    enc_bits: 40,
    export: true,
    weak: true,
  },
  {
    code: 0x030080,
    name: "SSL_CK_RC2_128_CBC_WITH_MD5",
    openssl: "RC2-CBC-MD5",
    enc: "RC2",
    enc_bits: 128,
    export: false,
    weak: true,
  },
  {
    code: 0x040080,
    name: "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5",
    openssl: "EXP-RC2-CBC-MD5",
    enc: "RC2",
    enc_bits: 40,
    export: true,
    weak: true,
  },
  {
    code: 0x050080,
    name: "SSL_CK_IDEA_128_CBC_WITH_MD5",
    openssl: "IDEA-CBC-MD5",
    enc: "IDEA",
    enc_bits: 128,
    export: false,
    weak: true,
  },
  {
    code: 0x060040,
    name: "SSL_CK_DES_64_CBC_WITH_MD5",
    openssl: "DES-CBC-MD5",
    enc: "DES",
    enc_bits: 56,
    export: false,
    weak: true,
  },
  {
    code: 0x0700c0,
    name: "SSL_CK_DES_192_EDE3_CBC_WITH_MD5",
    openssl: "DES-CBC3-MD5",
    enc: "3DES",
    enc_bits: 168,
    export: false,
    weak: true,
  },
  {
    code: 0x080080,
    name: "SSL_CK_RC4_64_WITH_MD5",
    openssl: "RC4-64-MD5",
    enc: "RC4",
    enc_bits: 64,
    export: false,
    weak: true,
  },
];

const SSL2_BY_CODE = new Map(SSL2_CIPHER_SPECS.map((s) => [s.code, s]));

export function ssl2SpecByCode(code: number): Ssl2CipherSpec | undefined {
  return SSL2_BY_CODE.get(code);
}

/** The name of an SSLv2 cipher spec, or "0x01,0x00,0x80"-style hex for one we do not know. */
export function ssl2SpecName(code: number): string {
  const known = SSL2_BY_CODE.get(code);
  if (known) return known.name;
  const b = [code >> 16, (code >> 8) & 0xff, code & 0xff];
  return b.map((x) => `0x${x.toString(16).toUpperCase().padStart(2, "0")}`).join(",");
}
