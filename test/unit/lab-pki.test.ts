/**
 * Tests for the lab PKI (test/lab/pki.ts): the CA, intermediate CAs and the leaves they issue, checked with
 * node:crypto's X509Certificate and @peculiar/x509, and loaded into TLS secure contexts.
 */
import { X509Certificate } from "node:crypto";
import * as tls from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import * as x509 from "../../shared/x509.js";
import { createIntermediateCa, createLabCa, issueLeaf, type LabCa } from "../lab/pki.js";

const DAY_MS = 86_400_000;

let ca: LabCa;
let caCert: X509Certificate;

beforeAll(async () => {
  ca = await createLabCa();
  caCert = new X509Certificate(ca.certPem);
});

function pemCount(pem: string): number {
  return pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
}

describe("lab pki", () => {
  it("pki - CA is a self-signed root valid for ten years", () => {
    expect(ca.name).toBe("mxsurvey lab root CA");
    expect(caCert.subject).toBe("CN=mxsurvey lab root CA");
    expect(caCert.issuer).toBe(caCert.subject);
    expect(caCert.ca).toBe(true);
    expect(caCert.checkIssued(caCert)).toBe(true);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(caCert.raw.equals(ca.certDer)).toBe(true);
    const from = new Date(caCert.validFrom).getTime();
    const to = new Date(caCert.validTo).getTime();
    expect(Math.abs(from - (Date.now() - DAY_MS))).toBeLessThan(60_000);
    expect((to - from) / DAY_MS).toBeGreaterThan(3650);

    const parsed = new x509.X509Certificate(ca.certPem);
    const bc = parsed.getExtension(x509.BasicConstraintsExtension);
    expect(bc?.ca).toBe(true);
    expect(bc?.critical).toBe(true);
    const ku = parsed.getExtension(x509.KeyUsagesExtension);
    expect(ku?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
  });

  it("pki - CA with a custom name and an EC key", async () => {
    const ecCa = await createLabCa({ name: "other lab CA", key: "ec" });
    const cert = new X509Certificate(ecCa.certPem);
    expect(cert.subject).toBe("CN=other lab CA");
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    const leaf = await issueLeaf(ecCa, { names: ["ec-ca.test"] });
    const leafCert = new X509Certificate(leaf.certPem);
    expect(leafCert.verify(cert.publicKey)).toBe(true);
    expect(new x509.X509Certificate(leaf.certPem).signatureAlgorithm).toMatchObject({
      name: "ECDSA",
      hash: { name: "SHA-256" },
    });
  });

  it("pki - leaf verifies against the CA and loads into a TLS context", async () => {
    const leaf = await issueLeaf(ca, { names: ["mx.example.test", "*.example.test"] });
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subject).toBe("CN=mx.example.test");
    expect(cert.issuer).toBe("CN=mxsurvey lab root CA");
    expect(cert.subjectAltName).toBe("DNS:mx.example.test, DNS:*.example.test");
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]); // Node reports the EKU here: serverAuth
    expect(cert.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const from = new Date(cert.validFrom).getTime();
    const to = new Date(cert.validTo).getTime();
    expect(Math.abs(from - (Date.now() - DAY_MS))).toBeLessThan(60_000);
    expect(Math.abs(to - (Date.now() + 365 * DAY_MS))).toBeLessThan(60_000);

    const parsed = new x509.X509Certificate(leaf.certPem);
    expect(parsed.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(parsed.getExtension(x509.KeyUsagesExtension)?.usages).toBe(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    );
    const caKeyId = new x509.X509Certificate(ca.certPem).getExtension(
      x509.SubjectKeyIdentifierExtension,
    )?.keyId;
    expect(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(caKeyId);

    expect(pemCount(leaf.chainPem)).toBe(2);
    expect(leaf.chainPem.startsWith(leaf.certPem)).toBe(true);
    expect(leaf.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(() => tls.createSecureContext({ key: leaf.keyPem, cert: leaf.chainPem })).not.toThrow();
  });

  it("pki - leaf with a SHA-1 signature", async () => {
    const leaf = await issueLeaf(ca, { names: ["sha1.test"], signatureHash: "SHA-1" });
    const parsed = new x509.X509Certificate(leaf.certPem);
    expect(parsed.signatureAlgorithm).toMatchObject({ name: "RSASSA-PKCS1-v1_5", hash: { name: "SHA-1" } });
    expect(new X509Certificate(leaf.certPem).verify(caCert.publicKey)).toBe(true);
    // OpenSSL 3 refuses a SHA-1-signed chain at security level 1+; the lab servers run at level 0.
    expect(() => tls.createSecureContext({ key: leaf.keyPem, cert: leaf.chainPem })).toThrow(/md too weak/i);
    expect(() =>
      tls.createSecureContext({ key: leaf.keyPem, cert: leaf.chainPem, ciphers: "DEFAULT:@SECLEVEL=0" }),
    ).not.toThrow();
  });

  it("pki - leaf with a SHA-384 signature", async () => {
    const leaf = await issueLeaf(ca, { names: ["sha384.test"], signatureHash: "SHA-384" });
    expect(new x509.X509Certificate(leaf.certPem).signatureAlgorithm).toMatchObject({
      hash: { name: "SHA-384" },
    });
    expect(new X509Certificate(leaf.certPem).verify(caCert.publicKey)).toBe(true);
  });

  it("pki - RSA-1024 leaf", async () => {
    const leaf = await issueLeaf(ca, { names: ["weak.test"], key: { type: "rsa", bits: 1024 } });
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(() =>
      tls.createSecureContext({ key: leaf.keyPem, cert: leaf.chainPem, ciphers: "DEFAULT:@SECLEVEL=0" }),
    ).not.toThrow();
  });

  it("pki - expired and not-yet-valid leaves", async () => {
    const now = Date.now();
    const expired = await issueLeaf(ca, {
      names: ["expired.test"],
      notBefore: new Date(now - 400 * DAY_MS),
      notAfter: new Date(now - 30 * DAY_MS),
    });
    const future = await issueLeaf(ca, {
      names: ["future.test"],
      notBefore: new Date(now + 30 * DAY_MS),
      notAfter: new Date(now + 400 * DAY_MS),
    });
    const e = new X509Certificate(expired.certPem);
    const f = new X509Certificate(future.certPem);
    expect(new Date(e.validTo).getTime()).toBeLessThan(now);
    expect(new Date(f.validFrom).getTime()).toBeGreaterThan(now);
    expect(Math.abs(new Date(e.validTo).getTime() - (now - 30 * DAY_MS))).toBeLessThan(1000);
    expect(e.verify(caCert.publicKey)).toBe(true);
    expect(f.verify(caCert.publicKey)).toBe(true);
  });

  it("pki - self-signed leaf", async () => {
    const leaf = await issueLeaf(ca, { names: ["self.test"], issuer: "self" });
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(false);
    expect(cert.checkIssued(caCert)).toBe(false);
    expect(cert.ca).toBe(false);
    expect(leaf.chainPem).toBe(leaf.certPem);
    expect(() => tls.createSecureContext({ key: leaf.keyPem, cert: leaf.chainPem })).not.toThrow();
  });

  it("pki - self-signed SHA-1 RSA-1024 leaf", async () => {
    const leaf = await issueLeaf(ca, {
      names: ["old.test"],
      issuer: "self",
      signatureHash: "SHA-1",
      key: { type: "rsa", bits: 1024 },
    });
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(new x509.X509Certificate(leaf.certPem).signatureAlgorithm).toMatchObject({
      hash: { name: "SHA-1" },
    });
  });

  it("pki - leaf issued by another CA", async () => {
    const other = await createLabCa({ name: "untrusted lab CA" });
    const leaf = await issueLeaf(ca, { names: ["other.test"], issuer: other });
    const cert = new X509Certificate(leaf.certPem);
    const otherCert = new X509Certificate(other.certPem);
    expect(cert.issuer).toBe("CN=untrusted lab CA");
    expect(cert.verify(otherCert.publicKey)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(false);
    expect(cert.checkIssued(caCert)).toBe(false);
    expect(leaf.chainPem).toBe(leaf.certPem + other.certPem);
  });

  it("pki - EC leaves", async () => {
    const p256 = await issueLeaf(ca, { names: ["ec.test"], key: { type: "ec", curve: "P-256" } });
    const p384 = await issueLeaf(ca, {
      names: ["ec384.test"],
      key: { type: "ec", curve: "P-384" },
      signatureHash: "SHA-384",
    });
    const c256 = new X509Certificate(p256.certPem);
    const c384 = new X509Certificate(p384.certPem);
    expect(c256.publicKey.asymmetricKeyType).toBe("ec");
    expect(c256.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(c384.publicKey.asymmetricKeyDetails?.namedCurve).toBe("secp384r1");
    expect(c256.verify(caCert.publicKey)).toBe(true);
    expect(c384.verify(caCert.publicKey)).toBe(true);
    expect(() => tls.createSecureContext({ key: p256.keyPem, cert: p256.chainPem })).not.toThrow();
  });

  it("pki - leaf without names has no SAN", async () => {
    const leaf = await issueLeaf(ca, { names: [] });
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.subjectAltName).toBeUndefined();
    expect(cert.subject).toBe("O=mxsurvey lab");
    const named = await issueLeaf(ca, { names: [], cn: "cn-only.test" });
    expect(new X509Certificate(named.certPem).subject).toBe("CN=cn-only.test");
    expect(new X509Certificate(named.certPem).subjectAltName).toBeUndefined();
  });

  it("pki - freshKey gives a key of its own; serials differ", async () => {
    const a = await issueLeaf(ca, { names: ["a.test"], freshKey: true });
    const b = await issueLeaf(ca, { names: ["b.test"], freshKey: true });
    expect(a.keyPem).not.toBe(b.keyPem);
    expect(new X509Certificate(a.certPem).serialNumber).not.toBe(new X509Certificate(b.certPem).serialNumber);
  });

  it("pki - issuing 200 leaves", async () => {
    const t0 = performance.now();
    const leaves = await Promise.all(
      Array.from({ length: 200 }, (_, i) => issueLeaf(ca, { names: [`mx${i}.speed.test`] })),
    );
    const concurrentMs = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < 200; i++) await issueLeaf(ca, { names: [`seq${i}.speed.test`] });
    const sequentialMs = performance.now() - t1;
    console.log(
      `lab pki: 200 RSA-2048 leaves in ${concurrentMs.toFixed(0)} ms concurrently, ${sequentialMs.toFixed(0)} ms one by one`,
    );
    expect(leaves).toHaveLength(200);
    expect(new Set(leaves.map((l) => l.certPem)).size).toBe(200);
  });

  it("pki - intermediate CA: signed by the root, a CA itself, its leaves chain leaf → intermediate → root", async () => {
    const inter = await createIntermediateCa(ca);
    const interCert = new X509Certificate(inter.certPem);
    expect(inter.name).toBe("mxsurvey lab intermediate CA");
    expect(interCert.subject).toBe("CN=mxsurvey lab intermediate CA");
    expect(interCert.issuer).toBe(caCert.subject);
    expect(interCert.ca).toBe(true);
    expect(interCert.checkIssued(caCert)).toBe(true);
    expect(interCert.verify(caCert.publicKey)).toBe(true);
    expect(interCert.verify(interCert.publicKey)).toBe(false);
    const parsed = new x509.X509Certificate(inter.certPem);
    const rootKeyId = new x509.X509Certificate(ca.certPem).getExtension(
      x509.SubjectKeyIdentifierExtension,
    )?.keyId;
    expect(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(rootKeyId);
    expect(parsed.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
    expect(parsed.getExtension(x509.KeyUsagesExtension)?.usages).toBe(
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
    );

    const leaf = await issueLeaf(inter, { names: ["via-intermediate.test"] });
    const leafCert = new X509Certificate(leaf.certPem);
    expect(leafCert.issuer).toBe(interCert.subject);
    expect(leafCert.verify(interCert.publicKey)).toBe(true);
    expect(leafCert.verify(caCert.publicKey)).toBe(false);
    expect(pemCount(leaf.chainPem)).toBe(2);
    expect(leaf.chainPem).toBe(leaf.certPem + inter.certPem);

    // A second level, and an EC intermediate under an RSA root.
    const second = await createIntermediateCa(inter, { name: "second level", key: "ec" });
    const secondCert = new X509Certificate(second.certPem);
    expect(secondCert.issuer).toBe(interCert.subject);
    expect(secondCert.verify(interCert.publicKey)).toBe(true);
    expect(secondCert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    // The root itself is unchanged: no authority key identifier.
    expect(
      new x509.X509Certificate(ca.certPem).getExtension(x509.AuthorityKeyIdentifierExtension),
    ).toBeNull();
  });
});
