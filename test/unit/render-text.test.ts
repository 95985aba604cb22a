/**
 * The text report (coordinator/render/text.ts): plain words for every status and failure, no raw OpenSSL strings
 * or jargon, the per-MX table, suites grouped unless --verbose, the hint when --depth would add the grade, the
 * grade line naming what set it; and the EHLO-name warning (coordinator/options.ts).
 */

import { describe, expect, it } from "vitest";
import { ehloNameWarning } from "../../coordinator/options.js";
import { abbreviateCipher, groupSuites } from "../../coordinator/render/suites.js";
import { renderDomain, renderHost, serverText } from "../../coordinator/render/text.js";
import {
  CERT_ERROR_WORDS,
  DOMAIN_STATUS_WORDS,
  FAILURE_WORDS,
  HOST_STATUS_WORDS,
} from "../../coordinator/render/words.js";
import { CERT_ERRORS } from "../../shared/cert-errors.js";
import type { MxDiscovery, MxHost } from "../../shared/dns/mx.js";
import { buildDomainRow } from "../../shared/domain-result.js";
import { FAILURES } from "../../shared/failures.js";
import { emptyHostRow } from "../../shared/rows.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { DOMAIN_STATUSES, HOST_STATUSES } from "../../shared/status.js";
import { rowGrade } from "../../shared/tls/grade-input.js";
import { hostStatus } from "../../shared/verdict.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const DOMAIN = "example.org";
const MX = "mx.example.org";
const OPENSSL = "error:0A000410:SSL routines::sslv3 alert handshake failure";

/** A probed row: status and grade recomputed from the facts, as the probe does. */
function row(f: Partial<HostRow>, hostname = MX, ip = "192.0.2.1"): HostRow {
  const r: HostRow = { ...emptyHostRow(hostname, ip, 25, NOW), connect_ms: 3, smtp_banner_code: 220, ...f };
  r.status = hostStatus(r);
  const g = rowGrade(r, NOW);
  r.grade = g.grade;
  r.recommendations = g.recommendations;
  return r;
}

const SMTP_OK: Partial<HostRow> = {
  smtp_banner: `220 ${MX} ESMTP`,
  ehlo_command: "EHLO",
  ehlo_reply_code: 250,
  ehlo_extensions: ["PIPELINING", "STARTTLS"],
};

const TLS_OK: Partial<HostRow> = {
  ...SMTP_OK,
  starttls_offered: true,
  starttls_reply_code: 220,
  starttls_ok: true,
  tls_version: "TLSv1.3",
  tls_cipher: "TLS_AES_256_GCM_SHA384",
  cert_trusted: true,
  cert_expired: false,
  cert_not_yet_valid: false,
  cert_name_matches_mx: true,
  cert_subject_cn: MX,
  cert_sans: [MX],
  cert_sha256: "ab".repeat(32),
  cert_issuer: "CN=Example CA",
  cert_key_type: "rsa",
  cert_key_bits: 2048,
  cert_sig_alg: "sha256WithRSAEncryption",
  cert_not_before: "2026-01-01T00:00:00.000Z",
  cert_not_after: "2099-01-01T00:00:00.000Z",
  dane_status: "none",
};

const FULL: Partial<HostRow> = {
  ...TLS_OK,
  inventory_depth: "full",
  ssl2: false,
  ssl3: false,
  tls10: true,
  tls11: false,
  tls12: true,
  tls13: true,
  ciphers: [
    "TLSv1.3:TLS_AES_128_GCM_SHA256",
    "TLSv1.3:TLS_CHACHA20_POLY1305_SHA256",
    "TLSv1.2:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLSv1.2:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLSv1.2:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "TLSv1.2:TLS_RSA_WITH_3DES_EDE_CBC_SHA",
  ],
  ciphers_complete: true,
  weak_ciphers: ["TLSv1.2:TLS_RSA_WITH_3DES_EDE_CBC_SHA"],
  nist_r1_ok: true,
  nist_r2_ok: true,
};

function mxHost(hostname: string, preference: number): MxHost {
  return {
    hostname,
    preference,
    ipLiteral: false,
    addresses: ["192.0.2.1"],
    cnames: [],
    rcode: "NOERROR",
    ad: false,
    failure: null,
    detail: null,
  };
}

function discovery(hosts: MxHost[]): MxDiscovery {
  return {
    domain: DOMAIN,
    kind: "mx",
    rcode: "NOERROR",
    ad: false,
    failure: null,
    detail: null,
    truncated: false,
    hosts,
  };
}

/** The text of one domain whose MX hosts have these rows. */
function text(rows: HostRow[], o: { verbose?: boolean; recommendations?: string[] } = {}): string {
  const d = buildDomainRow(
    discovery([...new Set(rows.map((r) => r.hostname))].map((h) => mxHost(h, 10))),
    rows,
    NOW,
    5,
  );
  if (o.recommendations) d.recommendations = o.recommendations;
  return renderDomain(d, rows, { color: false, verbose: o.verbose ?? false, now: NOW });
}

describe("render text", () => {
  it.each([
    ["host statuses", HOST_STATUSES, HOST_STATUS_WORDS],
    ["domain statuses", DOMAIN_STATUSES, DOMAIN_STATUS_WORDS],
    ["failures", FAILURES, FAILURE_WORDS],
    ["certificate errors", CERT_ERRORS, CERT_ERROR_WORDS],
  ] as [string, readonly string[], Record<string, string>][])(
    "render text - every name of the %s vocabulary has plain words",
    (_what, names, table) => {
      for (const n of names) expect(table[n], n).toMatch(/^\S.{2,}/);
    },
  );

  it("render text - a failed handshake shows the failure's words, never OpenSSL's string", () => {
    const r = row({
      ...SMTP_OK,
      starttls_offered: true,
      starttls_reply_code: 220,
      starttls_ok: false,
      failure: "tls_handshake_failed",
      failure_phase: "tls_handshake",
      failure_detail: OPENSSL,
    });
    for (const out of [text([r]), text([r], { verbose: true }), renderHost(r, { color: false })]) {
      expect(out).toContain("the TLS handshake failed");
      expect(out).not.toContain("SSL routines");
      expect(out).not.toContain("tls_handshake_failed");
    }
  });

  it("render text - an untrusted certificate in words, not OpenSSL's verify code", () => {
    const r = row({
      ...TLS_OK,
      cert_trusted: false,
      cert_error: "self_signed",
      cert_error_code: "DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    const out = text([r]);
    expect(out).toContain("not trusted: self-signed");
    expect(out).not.toContain("DEPTH_ZERO");
    expect(out).toContain("Install a certificate issued by a publicly trusted CA");
  });

  it("render text - a refused STARTTLS shows the server's own reply", () => {
    const r = row({
      ...SMTP_OK,
      starttls_offered: true,
      starttls_reply_code: 454,
      starttls_ok: false,
      failure: "starttls_rejected",
      failure_phase: "starttls",
      failure_detail: "454 4.7.0 TLS not available",
    });
    expect(text([r])).toMatch(/✗ STARTTLS\s+offered, but refused: 454 4\.7\.0 TLS not available/);
  });

  it("render text - server text is one line: a reply's line breaks never reach the terminal as such", () => {
    expect(serverText("250-a\r\n250 b")).toBe("250-a | 250 b");
    expect(serverText("x".repeat(200), 10)).toHaveLength(10);
  });

  it("render text - --depth basic: the table marks untested columns and the report says --depth full grades", () => {
    const out = text([row(TLS_OK)]);
    expect(out).toMatch(
      /pri\s+MX host\s+address\s+TLS\s+cert name\s+verifiable\s+SSLv3 off\s+TLS1\.0\s+TLS1\.2/,
    );
    expect(out).toMatch(
      /10\s+mx\.example\.org\s+192\.0\.2\.1\s+TLS 1\.3\s+mx\.example\.org\s+yes\s+·\s+·\s+·/,
    );
    expect(out).toContain("add --depth full for the grade");
    expect(out).not.toMatch(/certificates name the domain|primary MX rows valid/);
  });

  it("render text - --depth full: the table has every LuxSci column, the suites grouped and abbreviated", () => {
    const out = text([row(FULL)]);
    expect(out).toMatch(
      /10\s+mx\.example\.org\s+192\.0\.2\.1\s+TLS 1\.3\s+mx\.example\.org\s+yes\s+yes\s+yes\s+yes\s+no\s+yes\s+yes\s+none\s+A\b/,
    );
    expect(out).toContain("Suites 1.2   4 suites: ECDHE-RSA: AES128-GCM AES256-CBC; RSA: 3DES (weak)");
    expect(out).not.toContain("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    expect(out).toContain(
      "Disable EXPORT, NULL, anonymous, RC4, RC2, DES, 3DES and IDEA cipher suites. [disable_weak_suites]",
    );
    const verbose = text([row(FULL)], { verbose: true });
    expect(verbose).toContain("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
    expect(verbose).toMatch(/✓ Greeting\s+220 mx\.example\.org ESMTP/);
  });

  it("render text - the grade line names the worst primary host", () => {
    const out = text([
      row(FULL, "a.example.org"),
      row({ ...FULL, ssl3: true }, "b.example.org", "192.0.2.2"),
    ]);
    expect(out).toMatch(/Grade\s+B: the grade of its worst primary MX host, b\.example\.org/);
  });

  it("render text - the grade line names the domain-level finding that lowered it", () => {
    const rows = [row({ ...FULL, weak_ciphers: [], ciphers: FULL.ciphers!.slice(0, 5) })];
    const d = buildDomainRow(discovery([mxHost(MX, 10)]), rows, NOW, 5);
    d.recommendations = ["fix_dane", "publish_tls_rpt"];
    d.grade = "C";
    const out = renderDomain(d, rows, { color: false, now: NOW });
    expect(out).toMatch(
      /Grade\s+C: its primary MX hosts grade A \(worst: mx\.example\.org\), lowered two letters by fix_dane/,
    );
    expect(out).not.toContain("(the worst primary MX host)");
  });

  it("render text - Forced TLS says no for a host without STARTTLS", () => {
    const out = text([row({ ...SMTP_OK, ehlo_extensions: ["PIPELINING"], starttls_offered: false })]);
    expect(out).toMatch(/Forced TLS\s+LuxSci not eligible/);
    expect(out).toContain("Offer STARTTLS with a working TLS configuration");
  });

  it.each([
    ["AES_128_GCM_SHA256", "AES128-GCM"],
    ["AES_256_CBC_SHA384", "AES256-CBC"],
    ["CHACHA20_POLY1305_SHA256", "CHACHA20"],
    ["3DES_EDE_CBC_SHA", "3DES"],
    ["RC4_128_MD5", "RC4"],
    ["CAMELLIA_128_CBC_SHA", "CAMELLIA128-CBC"],
    ["NULL_SHA", "NULL"],
  ])("render text - abbreviateCipher(%s) = %s", (bulk, want) => {
    expect(abbreviateCipher(bulk)).toBe(want);
  });

  it("render text - groupSuites groups by version and key exchange, counts every suite", () => {
    expect(groupSuites(FULL.ciphers!, FULL.weak_ciphers!)).toEqual([
      { version: "TLSv1.3", count: 2, weak: 0, text: "AES128-GCM CHACHA20" },
      { version: "TLSv1.2", count: 4, weak: 1, text: "ECDHE-RSA: AES128-GCM AES256-CBC; RSA: 3DES (weak)" },
    ]);
  });
});

describe("ehlo name", () => {
  it.each([
    ["the default, a bare host name", undefined, "vm", true],
    ["the default, fully qualified", undefined, "vm.example.org", false],
    ["given with --ehlo-name, even bare", "vm", "vm", false],
  ] as [string, string | undefined, string, boolean][])("ehlo name - %s", (_why, given, name, warns) => {
    const w = ehloNameWarning(given, name);
    if (warns) expect(w).toMatch(/not a fully qualified domain name.*--ehlo-name/);
    else expect(w).toBeNull();
  });
});

describe("render text - a host without STARTTLS at --depth full", () => {
  it("render text - no inventory lines, no 'ServerHello only' claim, for a host that never offered STARTTLS", () => {
    const r = row({
      ...SMTP_OK,
      ehlo_extensions: ["PIPELINING"],
      starttls_offered: false,
      inventory_depth: "full",
    });
    const text = renderHost(r, { color: false });
    expect(text).toMatch(/STARTTLS +not offered/);
    expect(text).not.toMatch(/ServerHello|Ciphers|Versions/);
  });
});
