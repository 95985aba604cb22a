/**
 * The lab's PKI: a root CA, intermediate CAs and leaf certificates generated at run time (nothing is checked in).
 *
 * Leaves can be made deliberately bad: expired or not yet valid, RSA-1024, SHA-1 signed, self-signed, signed by
 * an unrelated CA, wildcard or missing names. Key generation is the expensive part, so leaf key pairs come from a
 * small in-module pool per key kind (round-robin); `freshKey: true` opts out when a test needs a unique key.
 */
import { createPrivateKey, webcrypto } from "node:crypto";
import * as x509 from "../../shared/x509.js";

const subtle = webcrypto.subtle;
x509.cryptoProvider.set(globalThis.crypto);

export interface LabKeyPair {
  certPem: string;
  /** PKCS#8 PEM */
  keyPem: string;
  certDer: Buffer;
}

export interface LabCa extends LabKeyPair {
  name: string;
}

export type LabKeySpec =
  | { type: "rsa"; bits: 1024 | 2048 | 3072 | 4096 }
  | { type: "ec"; curve: "P-256" | "P-384" };

export type LabSignatureHash = "SHA-256" | "SHA-1" | "SHA-384";

export interface LeafSpec {
  /** DNS SANs (may be empty); wildcard names allowed. */
  names: string[];
  /** Subject CN, default names[0]. Without both, the subject is just O=mxsurvey lab. */
  cn?: string;
  /** Default: now - 1 day. */
  notBefore?: Date;
  /** Default: now + 365 days. */
  notAfter?: Date;
  /** Default RSA 2048. */
  key?: LabKeySpec;
  /** Hash of the issuer's signature on the certificate, default SHA-256. */
  signatureHash?: LabSignatureHash;
  /** Default: the CA passed to issueLeaf; "self" = self-signed leaf. */
  issuer?: LabCa | "self";
  /** Generate a key pair just for this leaf instead of taking one from the shared pool. */
  freshKey?: boolean;
}

export interface LabLeaf extends LabKeyPair {
  /** The leaf then its issuing CA (just the leaf when self-signed), PEM. */
  chainPem: string;
}

const DAY_MS = 86_400_000;
/** Distinct key pairs kept per key kind; leaves take them round-robin. */
const POOL_SIZE = 8;

interface GeneratedKey {
  publicKey: webcrypto.CryptoKey;
  keyPem: string;
  /** SHA-1 of the subjectPublicKey, hex: the subject key identifier. */
  keyId: string;
}

function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function keyAlgorithm(
  spec: LabKeySpec,
  hash: LabSignatureHash = "SHA-256",
): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  return spec.type === "rsa"
    ? { name: "RSASSA-PKCS1-v1_5", hash }
    : { name: "ECDSA", namedCurve: spec.curve };
}

async function generateKey(spec: LabKeySpec): Promise<GeneratedKey> {
  const alg =
    spec.type === "rsa"
      ? {
          name: "RSASSA-PKCS1-v1_5",
          modulusLength: spec.bits,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: "SHA-256",
        }
      : { name: "ECDSA", namedCurve: spec.curve };
  const pair = (await subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const pkcs8 = await subtle.exportKey("pkcs8", pair.privateKey);
  const ski = await x509.SubjectKeyIdentifierExtension.create(pair.publicKey);
  return { publicKey: pair.publicKey, keyPem: toPem(pkcs8, "PRIVATE KEY"), keyId: ski.keyId };
}

const keyPools = new Map<string, { next: number; keys: (Promise<GeneratedKey> | undefined)[] }>();

function pooledKey(spec: LabKeySpec): Promise<GeneratedKey> {
  const kind = spec.type === "rsa" ? `rsa-${spec.bits}` : `ec-${spec.curve}`;
  let pool = keyPools.get(kind);
  if (!pool) {
    pool = { next: 0, keys: [] };
    keyPools.set(kind, pool);
  }
  const i = pool.next++ % POOL_SIZE;
  let key = pool.keys[i];
  if (!key) {
    key = generateKey(spec);
    // A failed generation must not poison the slot.
    key.catch(() => {
      if (pool.keys[i] === key) pool.keys[i] = undefined;
    });
    pool.keys[i] = key;
  }
  return key;
}

/** The key spec of a PKCS#8 PEM private key (so a CA knows how to sign). */
function specOfKeyPem(keyPem: string): LabKeySpec {
  const key = createPrivateKey(keyPem);
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "ec") {
    const curve = details.namedCurve === "secp384r1" ? "P-384" : "P-256";
    return { type: "ec", curve };
  }
  if (key.asymmetricKeyType === "rsa") {
    return { type: "rsa", bits: (details.modulusLength ?? 2048) as 2048 };
  }
  throw new Error(`lab pki: unsupported key type ${key.asymmetricKeyType}`);
}

/** Private keys imported for signing, by hash and PEM: an RSA key's WebCrypto hash is fixed at import. */
const signingKeys = new Map<
  string,
  Promise<{ key: webcrypto.CryptoKey; algorithm: webcrypto.Algorithm | webcrypto.EcdsaParams }>
>();

function signingKey(
  keyPem: string,
  hash: LabSignatureHash,
): Promise<{ key: webcrypto.CryptoKey; algorithm: webcrypto.Algorithm | webcrypto.EcdsaParams }> {
  const cacheKey = `${hash}\n${keyPem}`;
  let entry = signingKeys.get(cacheKey);
  if (!entry) {
    const spec = specOfKeyPem(keyPem);
    entry = subtle
      .importKey("pkcs8", new Uint8Array(pemBody(keyPem)), keyAlgorithm(spec, hash), false, ["sign"])
      .then((key) => ({
        key,
        algorithm: spec.type === "rsa" ? { name: "RSASSA-PKCS1-v1_5" } : { name: "ECDSA", hash },
      }));
    entry.catch(() => signingKeys.delete(cacheKey));
    signingKeys.set(cacheKey, entry);
  }
  return entry;
}

interface CaInfo {
  subject: x509.Name;
  keyId: string | undefined;
}

const caInfos = new Map<string, CaInfo>();

function caInfo(ca: LabCa): CaInfo {
  let info = caInfos.get(ca.certPem);
  if (!info) {
    const cert = new x509.X509Certificate(new Uint8Array(ca.certDer ?? pemBody(ca.certPem)));
    const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
    info = { subject: cert.subjectName, keyId: ski?.keyId };
    caInfos.set(ca.certPem, info);
  }
  return info;
}

/** A random 16-byte positive serial number, hex, with a non-zero first byte (minimal DER). */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return Buffer.from(bytes).toString("hex");
}

function finish(cert: x509.X509Certificate): { certPem: string; certDer: Buffer } {
  const certDer = Buffer.from(cert.rawData);
  return { certDer, certPem: toPem(certDer, "CERTIFICATE") };
}

/**
 * A CA: RSA 2048 (or EC P-256) with a fresh key, valid from now - 1 day for 10 years. Without `issuer` a
 * self-signed root; with `issuer` an intermediate CA signed by that CA (authority key identifier set, and
 * valid within its issuer's validity as lab CAs are made).
 */
export async function createLabCa(
  opts: { name?: string; key?: "rsa" | "ec"; issuer?: LabCa } = {},
): Promise<LabCa> {
  const issuer = opts.issuer;
  const name = opts.name ?? (issuer ? "mxsurvey lab intermediate CA" : "mxsurvey lab root CA");
  const spec: LabKeySpec = opts.key === "ec" ? { type: "ec", curve: "P-256" } : { type: "rsa", bits: 2048 };
  const generated = await generateKey(spec);
  const signer = await signingKey(issuer ? issuer.keyPem : generated.keyPem, "SHA-256");
  const notBefore = new Date(Date.now() - DAY_MS);
  const notAfter = new Date(notBefore.getTime() + 3652 * DAY_MS);
  const subject: x509.JsonName = [{ CN: [name] }];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    new x509.SubjectKeyIdentifierExtension(generated.keyId),
  ];
  const issuerKeyId = issuer ? caInfo(issuer).keyId : undefined;
  if (issuerKeyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerKeyId));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: issuer ? caInfo(issuer).subject : subject,
    notBefore,
    notAfter,
    publicKey: generated.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    extensions,
  });
  return { name, keyPem: generated.keyPem, ...finish(cert) };
}

/** An intermediate CA signed by `parent` (a root or another intermediate): leaves issued by it need it sent. */
export function createIntermediateCa(
  parent: LabCa,
  opts: { name?: string; key?: "rsa" | "ec" } = {},
): Promise<LabCa> {
  return createLabCa({ ...opts, issuer: parent });
}

/**
 * A leaf certificate for a lab host, issued by `ca` (or `spec.issuer`, or itself).
 *
 * Self-signed leaves carry no keyUsage extension, so OpenSSL treats them as self-signed (EXFLAG_SS) and
 * reports DEPTH_ZERO_SELF_SIGNED_CERT, as it does for the typical snake-oil certificate.
 */
export async function issueLeaf(ca: LabCa, spec: LeafSpec): Promise<LabLeaf> {
  const keySpec: LabKeySpec = spec.key ?? { type: "rsa", bits: 2048 };
  const hash = spec.signatureHash ?? "SHA-256";
  const leafKey = await (spec.freshKey ? generateKey(keySpec) : pooledKey(keySpec));
  const selfSigned = spec.issuer === "self";
  const issuerCa = spec.issuer === "self" ? undefined : (spec.issuer ?? ca);

  const cn = spec.cn ?? spec.names[0];
  const subject: x509.JsonName = cn === undefined ? [{ O: ["mxsurvey lab"] }] : [{ CN: [cn] }];
  const now = Date.now();
  const notBefore = spec.notBefore ?? new Date(now - DAY_MS);
  const notAfter = spec.notAfter ?? new Date(now + 365 * DAY_MS);

  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (!selfSigned) {
    extensions.push(
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
    );
  }
  extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  if (spec.names.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(spec.names.map((value) => ({ type: "dns" as const, value }))),
    );
  }
  extensions.push(new x509.SubjectKeyIdentifierExtension(leafKey.keyId));
  const authorityKeyId = issuerCa ? caInfo(issuerCa).keyId : leafKey.keyId;
  if (authorityKeyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(authorityKeyId));

  const signer = await signingKey(issuerCa ? issuerCa.keyPem : leafKey.keyPem, hash);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: issuerCa ? caInfo(issuerCa).subject : subject,
    notBefore,
    notAfter,
    publicKey: leafKey.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    extensions,
  });
  const { certPem, certDer } = finish(cert);
  return {
    certPem,
    certDer,
    keyPem: leafKey.keyPem,
    chainPem: issuerCa ? certPem + issuerCa.certPem : certPem,
  };
}
