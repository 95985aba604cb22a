/**
 * worker/net/cert-facts.ts: the one-parse reading (parseFast: the DER read directly, Node's X509Certificate
 * and KeyObject) gives exactly the facts of the full @peculiar/x509 parse it replaced (parseFull), on a varied
 * set of certificates — lab leaves of every key kind, with and without SANs and CN, IDN, wildcard, expired,
 * not yet valid, self-signed, SHA-1, Ed25519, a GeneralizedTime date, IP and e-mail SANs — and on Node's
 * bundled Mozilla roots (real issuers' encodings: BMPString, TeletexString, non-ASCII names, ...). Where the
 * fast path declines, certFacts falls back to the full parse, so the facts are the same either way.
 */

import { createHash, X509Certificate as NodeX509, webcrypto } from "node:crypto";
import { rootCertificates } from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import * as x509 from "../../shared/x509.js";
import { certFacts, parseFast, parseFull } from "../../worker/net/cert-facts.js";
import { readCertificate } from "../../worker/net/der-cert.js";
import { createIntermediateCa, createLabCa, issueLeaf, type LabCa } from "../lab/pki.js";

const DAY_MS = 86_400_000;
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const derOf = (pem: string) => new NodeX509(pem).raw;

/** A self-signed certificate made directly with @peculiar/x509 (key kinds and extensions the lab PKI lacks). */
async function generated(opts: {
  alg: "Ed25519" | "ECDSA-P521";
  name: string;
  sans: x509.JsonGeneralName[];
  notAfter?: Date;
}): Promise<Buffer> {
  const alg =
    opts.alg === "Ed25519"
      ? { name: "Ed25519" }
      : { name: "ECDSA", namedCurve: "P-521", hash: "SHA-512" as const };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "0a1b",
    name: opts.name,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: opts.notAfter ?? new Date(Date.now() + 30 * DAY_MS),
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension(opts.sans)],
  });
  return Buffer.from(cert.rawData);
}

const cases: { name: string; der: Buffer; fast: boolean }[] = [];

beforeAll(async () => {
  const ca: LabCa = await createLabCa();
  const ecCa = await createLabCa({ name: "mxsurvey lab EC CA", key: "ec" });
  const inter = await createIntermediateCa(ca, { name: "mxsurvey lab intermediate CA" });
  const leaf = async (name: string, spec: Parameters<typeof issueLeaf>[1], issuer: LabCa = ca, fast = true) =>
    cases.push({ name, der: (await issueLeaf(issuer, spec)).certDer, fast });
  cases.push({ name: "lab root CA", der: ca.certDer, fast: true });
  cases.push({ name: "lab EC CA", der: ecCa.certDer, fast: true });
  cases.push({ name: "lab intermediate CA", der: inter.certDer, fast: true });
  await leaf("RSA 2048, one SAN", { names: ["mx.example.test"] });
  await leaf("RSA 1024, SHA-1", {
    names: ["weak.example.test"],
    key: { type: "rsa", bits: 1024 },
    signatureHash: "SHA-1",
  });
  await leaf("RSA 4096, SHA-384", {
    names: ["big.example.test"],
    key: { type: "rsa", bits: 4096 },
    signatureHash: "SHA-384",
  });
  await leaf("EC P-256", { names: ["ec.example.test"], key: { type: "ec", curve: "P-256" } });
  await leaf(
    "EC P-384 by an EC CA",
    { names: ["ec384.example.test"], key: { type: "ec", curve: "P-384" } },
    ecCa,
  );
  await leaf("by an intermediate", { names: ["deep.example.test", "alt.example.test"] }, inter);
  await leaf("several SANs and a wildcard", {
    names: ["*.example.test", "example.test", "mx1.example.test"],
  });
  await leaf("no SAN, CN only", { names: [], cn: "cn-only.example.test" });
  await leaf("no SAN, no CN", { names: [] });
  await leaf("CN differs from the SANs", { names: ["san.example.test"], cn: "cn.example.test" });
  // The U-label CN is a UTF8String with non-ASCII bytes: the fast path reads that one Name with @peculiar/x509.
  await leaf("IDN: A-label SAN, U-label CN", { names: ["xn--mnchen-3ya.example"], cn: "münchen.example" });
  await leaf("expired", {
    names: ["old.example.test"],
    notBefore: new Date(Date.now() - 400 * DAY_MS),
    notAfter: new Date(Date.now() - 10 * DAY_MS),
  });
  await leaf("not yet valid", {
    names: ["future.example.test"],
    notBefore: new Date(Date.now() + 10 * DAY_MS),
    notAfter: new Date(Date.now() + 400 * DAY_MS),
  });
  await leaf("valid past 2049 (GeneralizedTime)", {
    names: ["long.example.test"],
    notAfter: new Date(Date.UTC(2051, 5, 30, 12, 0, 0)),
  });
  await leaf("self-signed", { names: ["self.example.test"], issuer: "self" });
  await leaf("self-signed EC", {
    names: ["selfec.example.test"],
    issuer: "self",
    key: { type: "ec", curve: "P-256" },
  });
  cases.push({
    name: "Ed25519, self-signed, DNS + IP + e-mail SANs",
    der: await generated({
      alg: "Ed25519",
      name: "CN=ed.example.test, O=Ed Org",
      sans: [
        { type: "dns", value: "ed.example.test" },
        { type: "ip", value: "192.0.2.1" },
        { type: "email", value: "postmaster@example.test" },
        { type: "dns", value: "ed2.example.test" },
      ],
    }),
    fast: true,
  });
  cases.push({
    name: "EC P-521, a URL SAN and an IPv6 SAN",
    der: await generated({
      alg: "ECDSA-P521",
      name: "CN=p521.example.test",
      sans: [
        { type: "url", value: "https://example.test/" },
        { type: "ip", value: "2001:db8::25" },
        { type: "dns", value: "p521.example.test" },
      ],
    }),
    fast: true,
  });
  cases.push({
    name: "a directoryName SAN (left to the full parse)",
    der: await generated({
      alg: "Ed25519",
      name: "CN=dn.example.test",
      sans: [
        { type: "dn", value: "CN=inner, O=x" },
        { type: "dns", value: "dn.example.test" },
      ],
    }),
    fast: false,
  });
}, 60_000);

describe("cert facts - one parse equals the full parse", () => {
  it("cert facts - lab and generated certificates: every fact equal, the fast path taken where expected", () => {
    expect(cases.length).toBeGreaterThan(20);
    for (const c of cases) {
      const full = parseFull(c.der, sha256(c.der));
      const fast = parseFast(c.der, sha256(c.der));
      expect(fast !== null, `${c.name}: fast path taken`).toBe(c.fast);
      if (fast) expect(fast, c.name).toEqual(full);
      // The public entry gives the full parse's facts either way.
      const now = new Date();
      expect(certFacts(c.der, now), c.name).toEqual({
        ...full,
        expired: Date.parse(full.not_after) < now.getTime(),
        not_yet_valid: Date.parse(full.not_before) > now.getTime(),
      });
    }
  });

  it("cert facts - the cases cover what they claim", () => {
    const by = (name: string) => parseFull(cases.find((c) => c.name === name)!.der, "");
    expect(by("Ed25519, self-signed, DNS + IP + e-mail SANs")).toMatchObject({
      key_type: "ed25519",
      sig_alg: "ED25519",
      self_signed: true,
      sans: ["ed.example.test", "ed2.example.test"],
    });
    expect(by("RSA 1024, SHA-1")).toMatchObject({ key_bits: 1024, sig_alg: "sha1WithRSAEncryption" });
    expect(by("EC P-384 by an EC CA")).toMatchObject({
      key_curve: "secp384r1",
      sig_alg: "ecdsa-with-SHA256",
    });
    expect(by("no SAN, no CN")).toMatchObject({ subject_cn: null, sans: [] });
    expect(by("IDN: A-label SAN, U-label CN")).toMatchObject({
      subject_cn: "münchen.example",
      sans: ["xn--mnchen-3ya.example"],
    });
    expect(by("valid past 2049 (GeneralizedTime)").not_after).toBe("2051-06-30T12:00:00.000Z");
    expect(by("self-signed").self_signed).toBe(true);
    expect(by("RSA 2048, one SAN").self_signed).toBe(false);
  });

  it("cert facts - Node's bundled Mozilla roots: every fact equal wherever the fast path answers", () => {
    let fastCount = 0;
    for (const pem of rootCertificates) {
      const der = derOf(pem);
      const full = parseFull(der, sha256(der));
      const fast = parseFast(der, sha256(der));
      if (fast) {
        fastCount++;
        expect(fast, full.issuer).toEqual(full);
      }
    }
    // Most real roots are plain enough for the fast path (the rest still get the full parse's facts).
    expect(fastCount).toBeGreaterThan(rootCertificates.length / 2);
  });

  it("der cert - malformed input is declined, never thrown", () => {
    const der = cases[0]!.der;
    expect(readCertificate(der)).not.toBeNull();
    for (const bad of [
      Buffer.alloc(0),
      Buffer.from([0x30]),
      Buffer.from([0x30, 0x81, 0x05, 1, 2, 3, 4, 5]), // non-minimal length
      der.subarray(0, der.length - 1), // truncated
      Buffer.concat([der, Buffer.from([0])]), // trailing byte
      Buffer.from([0x30, 0x80, 0x00, 0x00]), // indefinite length
    ]) {
      expect(readCertificate(bad)).toBeNull();
    }
  });
});
