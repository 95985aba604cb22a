/**
 * Leaf certificates by the ten thousand for the scale lab: one EC P-256 CA and one shared leaf key, and each
 * leaf made from a parsed template by changing its serial, names and validity and signing the new
 * TBSCertificate with node:crypto (about 0.1 ms a leaf, where test/lab/pki.ts's issueLeaf takes ~5 ms through
 * WebCrypto). Every host still presents its own certificate with its own names and serial.
 */

import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AttributeTypeAndValue,
  Certificate,
  GeneralName,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  Time,
} from "@peculiar/asn1-x509";
import { createLabCa, issueLeaf, type LabCa } from "../../lab/pki.js";

export type LeafKind = "valid" | "expired" | "self_signed" | "wrong_name";

const OID_CN = "2.5.4.3";
const OID_SAN = "2.5.29.17";
const OID_AKI = "2.5.29.35";
const DAY_MS = 86_400_000;

function pem(der: ArrayBuffer | Uint8Array, label: string): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString("base64");
  return `-----BEGIN ${label}-----\n${(b64.match(/.{1,64}/g) ?? []).join("\n")}\n-----END ${label}-----\n`;
}

function cnName(cn: string): Name {
  const atv = new AttributeTypeAndValue({ type: OID_CN });
  atv.value.utf8String = cn;
  return new Name([new RelativeDistinguishedName([atv])]);
}

export interface LeafFactory {
  ca: LabCa;
  /** The shared leaf private key (PKCS#8 PEM). */
  keyPem: string;
  key: KeyObject;
  /** A leaf for `hostname` of the given kind: certificate chain PEM (leaf, then CA unless self-signed). */
  leaf(hostname: string, kind: LeafKind): string;
}

export async function leafFactory(): Promise<LeafFactory> {
  const ca = await createLabCa({ key: "ec", name: "mxsurvey scale lab CA" });
  const template = await issueLeaf(ca, {
    names: ["template.scale.lab.test"],
    key: { type: "ec", curve: "P-256" },
  });
  const caKey = createPrivateKey(ca.keyPem);
  const leafKey = createPrivateKey(template.keyPem);
  // Sanity: the template's key is the one we sign self-signed leaves with.
  createPublicKey(leafKey);
  const cert = AsnConvert.parse(template.certDer, Certificate);
  const tbs = cert.tbsCertificate;
  const caSubject = tbs.issuer;
  const extensions = tbs.extensions ?? [];
  const san = extensions.find((e) => e.extnID === OID_SAN)!;
  const akiIndex = extensions.findIndex((e) => e.extnID === OID_AKI);
  const aki = extensions[akiIndex]!;

  const leaf = (hostname: string, kind: LeafKind): string => {
    const serial = randomBytes(16);
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    tbs.serialNumber = new Uint8Array(serial).buffer;
    const names = kind === "wrong_name" ? [`other-${hostname}`] : [hostname];
    tbs.subject = cnName(names[0]!);
    san.extnValue = new OctetString(
      AsnConvert.serialize(new SubjectAlternativeName(names.map((n) => new GeneralName({ dNSName: n })))),
    );
    const now = Date.now();
    const [nb, na] =
      kind === "expired" ? [now - 400 * DAY_MS, now - 10 * DAY_MS] : [now - DAY_MS, now + 365 * DAY_MS];
    tbs.validity.notBefore = new Time(new Date(nb));
    tbs.validity.notAfter = new Time(new Date(na));
    const selfSigned = kind === "self_signed";
    tbs.issuer = selfSigned ? tbs.subject : caSubject;
    tbs.extensions = selfSigned ? extensions.filter((_, i) => i !== akiIndex) : extensions;
    if (!selfSigned) extensions[akiIndex] = aki;
    const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
    cert.signatureValue = new Uint8Array(sign("sha256", tbsDer, selfSigned ? leafKey : caKey)).buffer;
    const leafPem = pem(AsnConvert.serialize(cert), "CERTIFICATE");
    return selfSigned ? leafPem : leafPem + ca.certPem;
  };
  return { ca, keyPem: template.keyPem, key: leafKey, leaf };
}
