/**
 * Unit tests of shared/tls/grade.ts (the A+ … F rubric after LuxSci's SMTP TLS checker) and shared/tls/nist.ts,
 * as tables of named cases: each case changes one fact of a perfect host and says which grade and which
 * recommendation codes it must produce.
 */

import { describe, expect, it } from "vitest";
import { emptyHostRow } from "../../shared/rows.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { suiteByName } from "../../shared/tls/cipher-suites.js";
import {
  domainGrade,
  type ForcedTlsHost,
  forcedTlsEligible,
  type Grade,
  type GradeInput,
  gradeHost,
  RECOMMENDATIONS,
  weakKey,
} from "../../shared/tls/grade.js";
import { rowAdvice } from "../../shared/tls/grade-input.js";
import {
  NIST_800_52R1_SUITES,
  NIST_800_52R2_SUITES,
  NIST_800_52R2_TLS13_SUITES,
  nistR1Ok,
  nistR2Ok,
} from "../../shared/tls/nist.js";

const NOW = new Date("2026-06-01T00:00:00Z");

/** A host that earns A+: TLS 1.2 + 1.3, modern suites only, valid certificate, MTA-STS enforced. */
const PERFECT: GradeInput = {
  starttls_ok: true,
  ssl2: false,
  ssl3: false,
  tls10: false,
  tls11: false,
  tls12: true,
  tls13: true,
  nist_r1_ok: true,
  nist_r2_ok: true,
  ciphers: [
    "TLSv1.3:TLS_AES_256_GCM_SHA384",
    "TLSv1.3:TLS_AES_128_GCM_SHA256",
    "TLSv1.2:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLSv1.2:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  ],
  ciphers_complete: true,
  cert_trusted: true,
  cert_expired: false,
  cert_name_matches_mx: true,
  cert_key_type: "rsa",
  cert_key_bits: 2048,
  cert_sig_alg: "sha256WithRSAEncryption",
  cert_not_after: "2027-06-01T00:00:00Z",
  dane_valid: null,
  mta_sts_enforced: true,
};

interface Case {
  why: string;
  change: Partial<GradeInput>;
  grade: Grade | null;
  codes: string[];
}

const CASES: Case[] = [
  { why: "everything right, MTA-STS enforced", change: {}, grade: "A+", codes: [] },
  {
    why: "everything right, DANE instead of MTA-STS",
    change: { mta_sts_enforced: false, dane_valid: true },
    grade: "A+",
    codes: [],
  },
  {
    why: "no DANE, no MTA-STS: A, with the advice",
    change: { mta_sts_enforced: false, dane_valid: false },
    grade: "A",
    codes: ["publish_mta_sts_or_dane"],
  },
  {
    why: "policies not measured yet: A, no advice, listed as unknown",
    change: { mta_sts_enforced: null, dane_valid: null },
    grade: "A",
    codes: [],
  },
  { why: "no STARTTLS is F", change: { starttls_ok: false }, grade: "F", codes: ["enable_starttls"] },
  { why: "nothing measured: no grade", change: { starttls_ok: null }, grade: null, codes: [] },
  { why: "SSLv3 accepted: major", change: { ssl3: true }, grade: "B", codes: ["disable_sslv3"] },
  { why: "SSLv2 accepted: major", change: { ssl2: true }, grade: "B", codes: ["disable_sslv2"] },
  {
    why: "SSLv2 and SSLv3: two majors",
    change: { ssl2: true, ssl3: true },
    grade: "C",
    codes: ["disable_sslv2", "disable_sslv3"],
  },
  {
    why: "neither TLS 1.2 nor 1.3: major (and TLS 1.3 advice)",
    change: {
      tls12: false,
      tls13: false,
      tls10: true,
      ciphers: ["TLSv1:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"],
      nist_r2_ok: true,
    },
    grade: "B",
    codes: ["enable_tls12", "enable_tls13"],
  },
  {
    why: "TLS 1.3 only: minor, for senders that stop at 1.2",
    change: { tls12: false, ciphers: ["TLSv1.3:TLS_AES_128_GCM_SHA256"] },
    grade: "A",
    codes: ["enable_tls12_compat"],
  },
  {
    why: "TLS 1.2 only with AEAD + forward secrecy can still be A+",
    change: { tls13: false, ciphers: ["TLSv1.2:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] },
    grade: "A+",
    codes: ["enable_tls13"],
  },
  {
    why: "TLS 1.2 only with a CBC suite: not modern",
    change: {
      tls13: false,
      ciphers: ["TLSv1.2:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2:TLS_RSA_WITH_AES_128_CBC_SHA"],
    },
    grade: "A",
    codes: ["enable_tls13", "prefer_aead_forward_secrecy"],
  },
  {
    why: "untrusted certificate: major",
    change: { cert_trusted: false },
    grade: "B",
    codes: ["use_trusted_certificate"],
  },
  {
    why: "expired certificate: one major, not two",
    change: { cert_trusted: false, cert_expired: true },
    grade: "B",
    codes: ["renew_certificate"],
  },
  {
    why: "name mismatch: minor",
    change: { cert_name_matches_mx: false },
    grade: "A",
    codes: ["match_certificate_name"],
  },
  {
    why: "weak suites accepted: minor",
    change: { ciphers: [...PERFECT.ciphers, "TLSv1.2:TLS_RSA_WITH_3DES_EDE_CBC_SHA"] },
    grade: "A",
    codes: ["disable_weak_suites"],
  },
  {
    why: "no NIST r1 suite: major",
    change: { nist_r1_ok: false },
    grade: "B",
    codes: ["enable_nist_r1_suites"],
  },
  {
    why: "no NIST r2 suite: minor",
    change: { nist_r2_ok: false },
    grade: "A",
    codes: ["enable_nist_r2_suites"],
  },
  { why: "RSA-1024: minor", change: { cert_key_bits: 1024 }, grade: "A", codes: ["use_2048_bit_key"] },
  {
    why: "SHA-1 signature: minor",
    change: { cert_sig_alg: "sha1WithRSAEncryption" },
    grade: "A",
    codes: ["replace_sha1_signature"],
  },
  {
    why: "expires in ten days: minor",
    change: { cert_not_after: "2026-06-11T00:00:00Z" },
    grade: "A",
    codes: ["renew_certificate_soon"],
  },
  {
    why: "three minors drop below A",
    change: { cert_name_matches_mx: false, nist_r2_ok: false, cert_key_bits: 1024 },
    grade: "B",
    codes: ["match_certificate_name", "use_2048_bit_key", "enable_nist_r2_suites"],
  },
  {
    why: "a legacy server: SSLv3, no TLS 1.2, self-signed, no NIST r1: F",
    change: {
      ssl3: true,
      tls10: true,
      tls12: false,
      tls13: false,
      cert_trusted: false,
      nist_r1_ok: false,
      nist_r2_ok: false,
      ciphers: ["TLSv1:TLS_RSA_WITH_RC4_128_SHA", "SSLv3:TLS_RSA_WITH_RC4_128_SHA"],
    },
    grade: "F",
    codes: [
      "disable_sslv3",
      "enable_tls12",
      "use_trusted_certificate",
      "enable_nist_r1_suites",
      "enable_nist_r2_suites",
      "disable_weak_suites",
      "enable_tls13",
    ],
  },
  {
    why: "TLS 1.0 accepted costs nothing (LuxSci, NIST r2 for mail)",
    change: { tls10: true, tls11: true },
    grade: "A+",
    codes: [],
  },
  {
    why: "cipher list incomplete: no A+ (weak suites unknown)",
    change: { ciphers_complete: false },
    grade: "A",
    codes: [],
  },
];

describe("grade", () => {
  it.each(CASES)("grade - $why", ({ change, grade, codes }) => {
    const r = gradeHost({ ...PERFECT, ...change }, NOW);
    expect(r.grade).toBe(grade);
    expect(r.recommendations.map((x) => x.code).sort()).toEqual([...codes].sort());
  });

  it("grade - unknown facts are listed, cost nothing", () => {
    const r = gradeHost({ ...PERFECT, ssl2: null, cert_trusted: null, mta_sts_enforced: null }, NOW);
    expect(r.grade).toBe("A");
    expect(r.unknown).toEqual(
      expect.arrayContaining(["ssl2", "cert_trusted", "dane_valid", "mta_sts_enforced"]),
    );
  });

  it("grade - every recommendation has a stable code and one sentence", () => {
    for (const [code, r] of Object.entries(RECOMMENDATIONS)) {
      expect(code).toMatch(/^[a-z0-9_]+$/);
      expect(r.text).toMatch(/^[A-Z].*\.$/);
      expect(r.text.split(". ").length).toBe(1);
    }
  });

  it.each([
    ["rsa", 1024, true],
    ["rsa", 2048, false],
    ["ec", 256, false],
    ["ec", 192, true],
    ["ed25519", 256, false],
    [null, null, null],
  ] as const)("grade - weakKey(%s, %s) = %s", (type, bits, want) => {
    expect(weakKey(type, bits)).toBe(want);
  });

  it.each([
    [["A+", "A"], "A"],
    [["A", "F", "B"], "F"],
    [["B", null], "B"],
    [[null], null],
    [[], null],
  ] as [(Grade | null)[], Grade | null][])("grade - domainGrade(%j) = %s", (grades, want) => {
    expect(domainGrade(grades)).toBe(want);
  });

  const ok: ForcedTlsHost = { starttls_ok: true, tls10: true, tls12: true, nist_r1_ok: true };
  it.each([
    ["every host fine", [ok, ok], true],
    ["TLS 1.0 only is enough", [{ ...ok, tls12: false }], true],
    ["TLS 1.2 only is enough", [{ ...ok, tls10: false }], true],
    ["one host without STARTTLS", [ok, { ...ok, starttls_ok: false }], false],
    ["one host with neither TLS 1.0 nor 1.2", [ok, { ...ok, tls10: false, tls12: false }], false],
    ["one host without a NIST r1 suite", [{ ...ok, nist_r1_ok: false }], false],
    ["a fact unknown", [ok, { ...ok, nist_r1_ok: null }], null],
    ["no hosts", [], null],
  ] as [string, ForcedTlsHost[], boolean | null][])("grade - forcedTlsEligible: %s", (_why, hosts, want) => {
    expect(forcedTlsEligible(hosts)).toBe(want);
  });
});

/** A --depth basic row (no inventory, no grade) with these facts. */
const basicRow = (f: Partial<HostRow>): HostRow => ({
  ...emptyHostRow("mx.example.org", "192.0.2.1", 25, NOW),
  smtp_banner_code: 220,
  ...f,
});
const TLS_OK: Partial<HostRow> = {
  starttls_offered: true,
  starttls_ok: true,
  tls_version: "TLSv1.3",
  cert_trusted: true,
  cert_expired: false,
  cert_not_yet_valid: false,
  cert_name_matches_mx: true,
  cert_key_type: "rsa",
  cert_key_bits: 2048,
  cert_sig_alg: "sha256WithRSAEncryption",
  cert_not_after: "2099-01-01T00:00:00Z",
};

describe("row advice", () => {
  it.each([
    ["no STARTTLS at --depth basic", basicRow({ starttls_offered: false }), ["enable_starttls"]],
    ["a failing handshake", basicRow({ starttls_offered: true, starttls_ok: false }), ["enable_starttls"]],
    ["a valid certificate: nothing measured to change", basicRow(TLS_OK), []],
    [
      "an untrusted certificate with a small key",
      basicRow({ ...TLS_OK, cert_trusted: false, cert_key_bits: 1024 }),
      ["use_trusted_certificate", "use_2048_bit_key"],
    ],
    ["nothing measured (unreachable)", basicRow({ smtp_banner_code: null }), []],
    [
      "a graded row keeps its own recommendations",
      basicRow({ ...TLS_OK, grade: "B", recommendations: ["enable_nist_r1_suites"] }),
      ["enable_nist_r1_suites"],
    ],
  ] as [string, HostRow, string[]][])("grade - rowAdvice: %s", (_why, row, want) => {
    expect(rowAdvice(row, NOW)).toEqual(want);
  });
});

describe("nist", () => {
  it("nist - every listed suite is a registry suite", () => {
    for (const n of [...NIST_800_52R1_SUITES, ...NIST_800_52R2_SUITES])
      expect(suiteByName(n), n).toBeDefined();
  });
  it("nist - r2 drops 3DES and static RSA, keeps ephemeral AES; adds TLS 1.3 without ChaCha20", () => {
    expect(NIST_800_52R1_SUITES.has("TLS_RSA_WITH_3DES_EDE_CBC_SHA")).toBe(true);
    expect(NIST_800_52R2_SUITES.has("TLS_RSA_WITH_3DES_EDE_CBC_SHA")).toBe(false);
    expect(NIST_800_52R2_SUITES.has("TLS_RSA_WITH_AES_128_GCM_SHA256")).toBe(false);
    expect(NIST_800_52R2_SUITES.has("TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8")).toBe(true);
    expect(NIST_800_52R2_TLS13_SUITES).not.toContain("TLS_CHACHA20_POLY1305_SHA256");
    for (const n of NIST_800_52R2_SUITES) expect(suiteByName(n)!.forward_secrecy, n).toBe(true);
  });
  it.each([
    [["TLSv1.2:TLS_RSA_WITH_AES_128_CBC_SHA"], true, false],
    [["TLSv1.2:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], true, true],
    [["TLSv1.3:TLS_AES_128_GCM_SHA256"], false, true],
    [
      ["TLSv1.3:TLS_CHACHA20_POLY1305_SHA256", "TLSv1.2:TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"],
      false,
      false,
    ],
    [["TLS_RSA_WITH_3DES_EDE_CBC_SHA"], true, false],
    [[], false, false],
  ] as [string[], boolean, boolean][])("nist - %j → r1 %s, r2 %s", (suites, r1, r2) => {
    expect(nistR1Ok(suites)).toBe(r1);
    expect(nistR2Ok(suites)).toBe(r2);
  });
});
