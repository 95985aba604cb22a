/**
 * Facts about a certificate, from one parse. The fast path reads the DER itself (worker/net/der-cert.ts: the
 * fields' positions, the signature algorithm OID, the validity times, DNS SANs and the subject CN when they
 * are plain ASCII) and takes the rest from Node's own X509Certificate / KeyObject (key details,
 * self-issuance); @peculiar/x509 formats the issuer name (cached per issuer: a survey meets few issuers).
 * Whatever the fast path does not read as plainly as @peculiar/x509 would (other string types, non-ASCII
 * bytes, other GeneralName forms, other time forms, non-minimal DER) goes to the full parse with @peculiar/x509
 * and @peculiar/asn1-x509 (`parseFull`, the reading this module always had), so both give the same facts
 * (test/unit/cert-facts.test.ts asserts it). One difference by design: the fast path reads only the
 * extension it needs, so a certificate with a malformed *other* extension, which @peculiar/x509 refuses,
 * still gets its facts.
 * No verdicts here: trust comes from the TLS handshake's path validation, names from shared/names.ts.
 */

import { createHash, createPublicKey, type KeyObject, X509Certificate as NodeX509 } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate as AsnCertificate } from "@peculiar/asn1-x509";
import * as x509 from "../../shared/x509.js";
import { readCertificate } from "./der-cert.js";

export interface CertFacts {
  subject_cn: string | null;
  sans: string[];
  issuer: string;
  not_before: string;
  not_after: string;
  key_type: string | null;
  key_bits: number | null;
  key_curve: string | null;
  sig_alg: string;
  sha256: string;
  spki_sha256: string;
  self_signed: boolean;
  expired: boolean;
  not_yet_valid: boolean;
}

/** Signature algorithm OIDs (RFC 3279, 4055, 5758, 8410) to their conventional names. */
const SIG_ALGS: Record<string, string> = {
  "1.2.840.113549.1.1.2": "md2WithRSAEncryption",
  "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.2.840.113549.1.1.10": "rsassaPss",
  "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
  "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
  "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
  "1.2.840.10045.4.1": "ecdsa-with-SHA1",
  "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
  "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
  "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
  "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
  "1.2.840.10040.4.3": "dsa-with-sha1",
  "2.16.840.1.101.3.4.3.2": "dsa-with-sha256",
  "1.3.101.112": "ED25519",
  "1.3.101.113": "ED448",
};

const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp224r1: 224,
  prime192v1: 192,
};

const sha256hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Key facts of a SubjectPublicKeyInfo (DER), or of Node's already decoded key of the certificate. */
function keyFacts(
  spki: Uint8Array | (() => KeyObject),
): Pick<CertFacts, "key_type" | "key_bits" | "key_curve"> {
  try {
    const key =
      typeof spki === "function"
        ? spki()
        : createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
    const type = key.asymmetricKeyType ?? null;
    const d = key.asymmetricKeyDetails ?? {};
    if (type === "ec") {
      const curve = d.namedCurve ?? null;
      return { key_type: "ec", key_bits: curve ? (CURVE_BITS[curve] ?? null) : null, key_curve: curve };
    }
    if (type === "ed25519") return { key_type: type, key_bits: 256, key_curve: null };
    if (type === "ed448") return { key_type: type, key_bits: 456, key_curve: null };
    return { key_type: type, key_bits: d.modulusLength ?? null, key_curve: null };
  } catch {
    return { key_type: null, key_bits: null, key_curve: null };
  }
}

type StaticFacts = Omit<CertFacts, "expired" | "not_yet_valid">;

/**
 * Parsed facts by certificate SHA-256: a survey meets the same certificates on many hosts (one provider's MX
 * fleet, one hosting company's wildcard), and parsing is the costliest part of reading one. Bounded; the
 * oldest entry goes first.
 */
const parsed = new Map<string, StaticFacts>();
const PARSED_MAX = 4096;

/** The full parse (@peculiar/x509 and a second ASN.1 parse): the reference the fast path must equal. */
export function parseFull(der: Uint8Array, sha256: string): StaticFacts {
  const cert = new x509.X509Certificate(der);
  const node = new NodeX509(Buffer.from(der));
  const sanExt = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const sans = sanExt ? sanExt.names.items.filter((n) => n.type === "dns").map((n) => n.value) : [];
  const cn = cert.subjectName.getField("CN")[0] ?? null;
  const sigOid = AsnConvert.parse(der, AsnCertificate).signatureAlgorithm.algorithm;
  return {
    subject_cn: cn,
    sans,
    issuer: cert.issuer,
    not_before: cert.notBefore.toISOString(),
    not_after: cert.notAfter.toISOString(),
    ...keyFacts(new Uint8Array(cert.publicKey.rawData)),
    sig_alg: SIG_ALGS[sigOid] ?? sigOid,
    sha256,
    spki_sha256: sha256hex(new Uint8Array(cert.publicKey.rawData)),
    self_signed: isSelfSigned(node),
  };
}

function isSelfSigned(node: NodeX509): boolean {
  try {
    return node.checkIssued(node) && node.verify(node.publicKey);
  } catch {
    return false;
  }
}

/** Issuer names as @peculiar/x509 writes them, by the issuer Name's DER (base64): few issuers, many leaves. */
const issuers = new Map<string, string>();
const ISSUERS_MAX = 1024;

function issuerString(nameDer: Uint8Array): string {
  const key = Buffer.from(nameDer.buffer, nameDer.byteOffset, nameDer.byteLength).toString("base64");
  let s = issuers.get(key);
  if (s === undefined) {
    s = new x509.Name(nameDer).toString();
    if (issuers.size >= ISSUERS_MAX) issuers.delete(issuers.keys().next().value as string);
    issuers.set(key, s);
  }
  return s;
}

/** The one-parse reading: null when the certificate holds something the fast path leaves to parseFull. */
export function parseFast(der: Uint8Array, sha256: string): StaticFacts | null {
  const c = readCertificate(der);
  if (!c) return null;
  const cn =
    c.subjectCn.kind === "plain"
      ? c.subjectCn.value
      : c.subjectCn.kind === "none"
        ? null
        : (new x509.Name(c.subjectDer).getField("CN")[0] ?? null);
  // Node's parse decodes the key once (OpenSSL does it while reading the certificate): its KeyObject is the
  // same key createPublicKey would decode again from the SPKI.
  const n = new NodeX509(Buffer.from(der.buffer, der.byteOffset, der.byteLength));
  return {
    subject_cn: cn,
    sans: c.dnsSans,
    issuer: issuerString(c.issuerDer),
    not_before: new Date(c.notBefore).toISOString(),
    not_after: new Date(c.notAfter).toISOString(),
    ...keyFacts(() => n.publicKey),
    sig_alg: SIG_ALGS[c.sigAlgOid] ?? c.sigAlgOid,
    sha256,
    spki_sha256: sha256hex(c.spki),
    self_signed: isSelfSigned(n),
  };
}

/** Facts of one DER certificate, judged against `now`. Throws only if `der` is not a certificate at all. */
export function certFacts(der: Uint8Array, now: Date): CertFacts {
  const sha256 = sha256hex(der);
  let facts = parsed.get(sha256);
  if (!facts) {
    facts = parseFast(der, sha256) ?? parseFull(der, sha256);
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
    parsed.set(sha256, facts);
  }
  return {
    ...facts,
    sans: [...facts.sans],
    expired: Date.parse(facts.not_after) < now.getTime(),
    not_yet_valid: Date.parse(facts.not_before) > now.getTime(),
  };
}
