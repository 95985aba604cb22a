/**
 * Unit tests of domain-list entry normalization (coordinator/ingest/normalize.ts): trimming, trailing dot, case,
 * IDN → A-labels with UTS-46 (nontransitional), IP addresses, URLs, lengths, characters, hyphens, NUL, single
 * labels, numeric TLDs, A-label validation — and that the ASCII fast path agrees with tr46 on every ASCII name.
 */

import { toASCII } from "tr46";
import { describe, expect, it } from "vitest";
import {
  type NormalizeResult,
  normalizeDomain,
  parseIPv4,
  REJECT_REASONS,
  type RejectReason,
  UTS46_STRICT,
} from "../../coordinator/ingest/normalize.js";

const ok = (domain: string): NormalizeResult => ({ ok: true, domain });
const bad = (reason: RejectReason): NormalizeResult => ({ ok: false, reason });

const L63 = "a".repeat(63);
const NAME_253 = `${L63}.${L63}.${L63}.${"b".repeat(61)}`;
const NAME_254 = `${L63}.${L63}.${L63}.${"b".repeat(62)}`;

const cases: { name: string; input: string; expect: NormalizeResult }[] = [
  // Plain names, case, white space, trailing dot.
  { name: "simple", input: "example.com", expect: ok("example.com") },
  { name: "subdomain", input: "mail.example.co.uk", expect: ok("mail.example.co.uk") },
  { name: "upper case lowered", input: "ExAmPlE.COM", expect: ok("example.com") },
  { name: "trailing dot stripped", input: "example.com.", expect: ok("example.com") },
  { name: "upper case and trailing dot", input: "EXAMPLE.COM.", expect: ok("example.com") },
  { name: "surrounding spaces and tabs trimmed", input: " \t example.com \t", expect: ok("example.com") },
  { name: "surrounding CR trimmed", input: "example.com\r", expect: ok("example.com") },
  { name: "surrounding no-break space trimmed", input: "\u00a0example.com\u00a0", expect: ok("example.com") },
  { name: "digits and hyphens inside labels", input: "123-abc.x-1.com", expect: ok("123-abc.x-1.com") },
  { name: "all-digit label that is not the last", input: "123.example", expect: ok("123.example") },
  { name: "one-character labels", input: "a.b.c", expect: ok("a.b.c") },
  { name: "label of 63", input: `${L63}.example`, expect: ok(`${L63}.example`) },
  { name: "name of 253", input: NAME_253, expect: ok(NAME_253) },
  { name: "name of 253 plus trailing dot", input: `${NAME_253}.`, expect: ok(NAME_253) },
  { name: "hex-looking but not a number last label", input: "example.0xg", expect: ok("example.0xg") },
  { name: "last label starting with a digit, not a number", input: "example.1a", expect: ok("example.1a") },

  // IDN.
  { name: "IDN to A-label", input: "bücher.example", expect: ok("xn--bcher-kva.example") },
  { name: "IDN upper case folded", input: "BÜCHER.Example", expect: ok("xn--bcher-kva.example") },
  { name: "IDN with trailing dot", input: "bücher.example.", expect: ok("xn--bcher-kva.example") },
  { name: "IDN Cyrillic", input: "пример.рф", expect: ok("xn--e1afmkfd.xn--p1ai") },
  { name: "IDN CJK", input: "例子.中国", expect: ok("xn--fsqu00a.xn--fiqs8s") },
  { name: "nontransitional: ß kept (not ss)", input: "faß.de", expect: ok("xn--fa-hia.de") },
  { name: "nontransitional: final sigma kept", input: "βόλος.com", expect: ok("xn--nxasmm1c.com") },
  { name: "emoji (valid under UTS-46)", input: "💩.la", expect: ok("xn--ls8h.la") },
  { name: "emoji with text", input: "i❤.ws", expect: ok("xn--i-7iq.ws") },
  { name: "fullwidth letters and dot mapped", input: "ＥＸＡＭＰＬＥ．com", expect: ok("example.com") },
  { name: "ideographic full stop as separator", input: "example。com", expect: ok("example.com") },
  {
    name: "ideographic full stop as trailing dot",
    input: "bücher.example。",
    expect: ok("xn--bcher-kva.example"),
  },
  { name: "compatibility mapping (ĳ → ij)", input: "ĳ.com", expect: ok("ij.com") },
  { name: "right-to-left label", input: "a.\u05d0\u05d1", expect: ok("a.xn--4dbc") },
  {
    name: "bidi rule broken (digit-first label in a bidi name)",
    input: "1a.\u05d0",
    expect: bad("invalid_idn"),
  },
  { name: "ZWJ without context (CheckJoiners)", input: "x\u200d.com", expect: bad("invalid_idn") },
  { name: "label starting with a combining mark", input: "\u0301a.com", expect: bad("invalid_idn") },
  {
    name: "disallowed code point (U+2488 DIGIT ONE FULL STOP)",
    input: "a\u2488.com",
    expect: bad("invalid_idn"),
  },
  { name: "replacement character (bad UTF-8)", input: "b\ufffdcher.de", expect: bad("invalid_utf8") },
  { name: "IDN with an underscore", input: "bü_cher.de", expect: bad("invalid_characters") },
  { name: "IDN with a space inside", input: "bü cher.de", expect: bad("invalid_characters") },
  {
    name: "IDN with a no-break space inside (maps to space)",
    input: "bü\u00a0cher.de",
    expect: bad("invalid_characters"),
  },
  { name: "IDN label with a leading hyphen", input: "-bücher.de", expect: bad("bad_hyphen") },
  { name: "IDN label with a trailing hyphen", input: "bücher-.de", expect: bad("bad_hyphen") },
  { name: "IDN label with hyphens 3 and 4", input: "ab--ü.de", expect: bad("bad_hyphen") },
  { name: "IDN empty label", input: "bücher..de", expect: bad("empty_label") },
  { name: "IDN label too long as an A-label", input: `${"ü".repeat(60)}.de`, expect: bad("label_too_long") },
  {
    name: "IDN name too long as A-labels (short enough as Unicode labels)",
    input: `${Array(5).fill("ü".repeat(50)).join(".")}.de`,
    expect: bad("too_long"),
  },
  { name: "IDN mail address", input: "user@bücher.de", expect: bad("not_a_domain") },
  { name: "IDN URL", input: "https://bücher.de/", expect: bad("not_a_domain") },
  { name: "fullwidth digits make an IPv4 address", input: "１.２.３.４", expect: bad("ip_address") },
  { name: "IDN single label", input: "bücher", expect: bad("single_label") },

  // Punycode input.
  { name: "A-label kept", input: "xn--bcher-kva.example", expect: ok("xn--bcher-kva.example") },
  { name: "A-label upper case lowered", input: "XN--BCHER-KVA.EXAMPLE", expect: ok("xn--bcher-kva.example") },
  { name: "A-label TLD", input: "example.xn--p1ai", expect: ok("example.xn--p1ai") },
  { name: "emoji A-label kept", input: "xn--ls8h.la", expect: ok("xn--ls8h.la") },
  { name: "invalid punycode", input: "xn--zz.example", expect: bad("invalid_idn") },
  { name: "invalid punycode, single label", input: "xn--zz", expect: bad("invalid_idn") },
  { name: "A-label of pure ASCII (ends in a hyphen)", input: "xn--abc-.example", expect: bad("bad_hyphen") },
  { name: "A-label decoding to nothing", input: "xn--a.example", expect: bad("invalid_idn") },
  { name: "A-label of ü kept", input: "xn--tda.com", expect: ok("xn--tda.com") },
  {
    name: "A-label decoding to upper case Ü (not a valid U-label)",
    input: "xn--wca.com",
    expect: bad("invalid_idn"),
  },
  { name: "A-label decoding to a disallowed code point", input: "xn--a-ecp.ru", expect: bad("invalid_idn") },
  { name: "bare xn--", input: "xn--.example", expect: bad("bad_hyphen") },

  // IP addresses.
  { name: "IPv4", input: "192.0.2.1", expect: bad("ip_address") },
  { name: "IPv4 with trailing dot", input: "192.0.2.1.", expect: bad("ip_address") },
  { name: "IPv4 as one number", input: "3221225985", expect: bad("ip_address") },
  { name: "IPv4 with two parts", input: "192.2", expect: bad("ip_address") },
  { name: "IPv4 hex part", input: "0xc0.0.2.1", expect: bad("ip_address") },
  { name: "IPv4 octal part", input: "0300.0.2.1", expect: bad("ip_address") },
  { name: "IPv4 with surrounding blanks", input: "  10.0.0.1 ", expect: bad("ip_address") },
  { name: "IPv6", input: "2001:db8::1", expect: bad("ip_address") },
  { name: "IPv6 loopback", input: "::1", expect: bad("ip_address") },
  { name: "IPv6 with zone", input: "fe80::1%eth0", expect: bad("ip_address") },
  { name: "IPv4-mapped IPv6", input: "::ffff:192.0.2.1", expect: bad("ip_address") },
  { name: "bracketed IPv6", input: "[2001:db8::1]", expect: bad("ip_address") },
  { name: "bracketed IPv4", input: "[192.0.2.1]", expect: bad("ip_address") },
  { name: "SMTP address literal", input: "[IPv6:2001:db8::1]", expect: bad("ip_address") },
  { name: "brackets around a name", input: "[example.com]", expect: bad("not_a_domain") },
  { name: "out-of-range IPv4 is a numeric TLD", input: "1.2.3.999", expect: bad("numeric_tld") },
  { name: "five numeric parts", input: "1.2.3.4.5", expect: bad("numeric_tld") },
  { name: "numeric TLD", input: "example.123", expect: bad("numeric_tld") },
  { name: "hex TLD", input: "example.0x1f", expect: bad("numeric_tld") },
  { name: "IPv4 with port", input: "192.0.2.1:25", expect: bad("not_a_domain") },

  // URLs and other things that are not a domain.
  { name: "URL", input: "http://example.com/", expect: bad("not_a_domain") },
  { name: "URL without path", input: "https://example.com", expect: bad("not_a_domain") },
  { name: "host:port", input: "example.com:25", expect: bad("not_a_domain") },
  { name: "mail address", input: "postmaster@example.com", expect: bad("not_a_domain") },
  { name: "path", input: "example.com/about", expect: bad("not_a_domain") },

  // Characters.
  { name: "underscore", input: "mx_1.example.com", expect: bad("invalid_characters") },
  { name: "leading underscore label", input: "_dmarc.example.com", expect: bad("invalid_characters") },
  { name: "wildcard", input: "*.example.com", expect: bad("invalid_characters") },
  { name: "space inside", input: "exa mple.com", expect: bad("invalid_characters") },
  { name: "tab inside", input: "exa\tmple.com", expect: bad("invalid_characters") },
  { name: "two names on one line", input: "example.com example.org", expect: bad("invalid_characters") },
  { name: "comma", input: "example.com,", expect: bad("invalid_characters") },
  { name: "quote", input: '"example.com"', expect: bad("invalid_characters") },
  { name: "CR inside", input: "exa\rmple.com", expect: bad("invalid_characters") },
  { name: "escape character", input: "\x1b[31mexample.com", expect: bad("invalid_characters") },
  { name: "NUL", input: "example\0.com", expect: bad("nul_byte") },
  { name: "NUL at the end (not trimmed)", input: "example.com\0", expect: bad("nul_byte") },
  { name: "NUL before other faults", input: "http://x_y\0", expect: bad("nul_byte") },

  // Structure and length.
  { name: "empty", input: "", expect: bad("empty") },
  { name: "blanks only", input: "  \t ", expect: bad("empty") },
  { name: "a dot", input: ".", expect: bad("empty") },
  { name: "two dots", input: "..", expect: bad("empty_label") },
  { name: "two trailing dots", input: "example.com..", expect: bad("empty_label") },
  { name: "leading dot", input: ".example.com", expect: bad("empty_label") },
  { name: "empty label inside", input: "example..com", expect: bad("empty_label") },
  { name: "label of 64", input: `${"a".repeat(64)}.example`, expect: bad("label_too_long") },
  { name: "name of 254", input: NAME_254, expect: bad("too_long") },
  { name: "name of 254 with trailing dot", input: `${NAME_254}.`, expect: bad("too_long") },
  { name: "very long junk", input: "a".repeat(10_000), expect: bad("label_too_long") },
  { name: "leading hyphen", input: "-example.com", expect: bad("bad_hyphen") },
  { name: "trailing hyphen", input: "example-.com", expect: bad("bad_hyphen") },
  { name: "hyphen-only label", input: "-.com", expect: bad("bad_hyphen") },
  { name: "hyphens 3 and 4 (R-LDH label)", input: "ab--cd.example", expect: bad("bad_hyphen") },
  { name: "hyphen TLD trailing", input: "example.com-", expect: bad("bad_hyphen") },
  { name: "single label", input: "localhost", expect: bad("single_label") },
  { name: "single label with trailing dot", input: "com.", expect: bad("single_label") },
];

describe("normalizeDomain", () => {
  it.each(cases)("$name: $input", ({ input, expect: want }) => {
    expect(normalizeDomain(input)).toEqual(want);
  });

  it("every reason is exercised by a case", () => {
    const seen = new Set(cases.flatMap((c) => (c.expect.ok ? [] : [c.expect.reason])));
    expect([...REJECT_REASONS].filter((r) => !seen.has(r))).toEqual([]);
  });

  it("is idempotent on what it accepts", () => {
    for (const c of cases) {
      if (c.expect.ok) expect(normalizeDomain(c.expect.domain)).toEqual(c.expect);
    }
  });
});

describe("parseIPv4 (WHATWG URL IPv4 forms)", () => {
  it.each([
    ["0.0.0.0", true],
    ["255.255.255.255", true],
    ["256.0.0.0", false],
    ["1.2.3.256", false],
    ["1.2.65535", true],
    ["1.2.65536", false],
    ["1.16777215", true],
    ["4294967295", true],
    ["4294967296", false],
    ["0x", true],
    ["0x1.0x", true],
    ["08.1.1.1", false],
    ["1..1", false],
  ])("%s → %s", (s, want) => {
    expect(parseIPv4(s)).toBe(want);
  });
});

/**
 * The fast path must accept exactly what UTS-46 ToASCII (tr46, the strict options) accepts for an ASCII name —
 * minus what normalize rejects on top (IP addresses, numeric TLDs, single labels) — and return tr46's output.
 */
describe("ASCII fast path agrees with tr46", () => {
  function rng(seed: number) {
    let x = seed >>> 0;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
  }
  const EXTRA: RejectReason[] = ["ip_address", "numeric_tld", "single_label"];

  it("on 50,000 random ASCII names", () => {
    const rand = rng(42);
    const alphabet = ["a", "b", "x", "n", "z", "A", "X", "N", "0", "1", "9", "-", "-", ".", ".", "_", " "];
    const pieces = ["xn--", "xn--bcher-kva", "xn--zz", "ab--", "--", "..", "0x", "xn--ls8h", "com"];
    let compared = 0;
    for (let k = 0; k < 50_000; k++) {
      let s = "";
      const len = 1 + Math.floor(rand() * 24);
      while (s.length < len) {
        s +=
          rand() < 0.1
            ? pieces[Math.floor(rand() * pieces.length)]
            : alphabet[Math.floor(rand() * alphabet.length)];
      }
      if (rand() < 0.05) s = `${L63}.${s}.${L63}.${L63}.${L63}`;
      const mine = normalizeDomain(s);
      if (!mine.ok && EXTRA.includes(mine.reason)) continue;
      if (s.trim() !== s || s.endsWith(".")) continue; // trimming and the root dot are ours
      const theirs = toASCII(s, UTS46_STRICT);
      compared++;
      expect({ s, r: mine.ok ? mine.domain : null }).toEqual({ s, r: theirs });
    }
    expect(compared).toBeGreaterThan(20_000);
  });
});

describe("random Unicode input", () => {
  it("never throws; what it accepts is lower-case LDH and normalizes to itself", () => {
    let x = 99;
    const rand = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
    let accepted = 0;
    for (let k = 0; k < 30_000; k++) {
      let s = "";
      const n = 1 + Math.floor(rand() * 20);
      for (let i = 0; i < n; i++) {
        const r = rand();
        const cp =
          r < 0.4
            ? 0x61 + Math.floor(rand() * 26)
            : r < 0.5
              ? 0x2e
              : r < 0.6
                ? Math.floor(rand() * 0x80)
                : r < 0.9
                  ? Math.floor(rand() * 0x3000)
                  : Math.floor(rand() * 0x110000);
        s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      }
      const r = normalizeDomain(s);
      if (!r.ok) continue;
      accepted++;
      expect(r.domain).toMatch(/^[a-z0-9.-]+$/);
      expect(normalizeDomain(r.domain)).toEqual(r);
    }
    expect(accepted).toBeGreaterThan(500);
  });
});
