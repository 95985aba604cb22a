/**
 * Unit tests of host-name syntax checks (shared/hostname.ts, RFC 1123 §2.1, RFC 5321 §4.1.2): CR/LF injection,
 * length and label rules, trailing dot and case normalization, and EHLO address literals.
 */

import { describe, expect, it } from "vitest";
import { checkEhloName, checkHostName, type NameCheck } from "../../shared/hostname.js";

const LITERAL_REASON = "is not a valid address literal (RFC 5321 §4.1.3)";
const CRLF_REASON = "contains a CR or LF (it would inject SMTP commands)";
const ok = (name: string): NameCheck => ({ ok: true, name });
const bad = (reason: string): NameCheck => ({ ok: false, reason });
const badLabel = (label: string): NameCheck => bad(`has an invalid label ${JSON.stringify(label)}`);

const L63 = "a".repeat(63);
const NAME_253 = `${L63}.${L63}.${L63}.${"b".repeat(61)}`;
const NAME_254 = `${L63}.${L63}.${L63}.${"b".repeat(62)}`;

const hostCases: { name: string; input: string; expect: NameCheck }[] = [
  { name: "simple name", input: "mx.example.org", expect: ok("mx.example.org") },
  { name: "single label", input: "localhost", expect: ok("localhost") },
  { name: "upper case lowered", input: "MX.Example.ORG", expect: ok("mx.example.org") },
  { name: "trailing dot accepted and stripped", input: "mx.example.org.", expect: ok("mx.example.org") },
  { name: "hyphen inside a label", input: "mail-1.ex-ample.org", expect: ok("mail-1.ex-ample.org") },
  { name: "digits only labels", input: "123.456", expect: ok("123.456") },
  { name: "A-label (punycode)", input: "xn--bcher-kva.example", expect: ok("xn--bcher-kva.example") },
  { name: "one-character labels", input: "a.b.c", expect: ok("a.b.c") },
  { name: "label of 63 characters", input: `${L63}.example`, expect: ok(`${L63}.example`) },
  { name: "name of 253 characters", input: NAME_253, expect: ok(NAME_253) },
  { name: "name of 253 characters plus trailing dot", input: `${NAME_253}.`, expect: ok(NAME_253) },
  { name: "CR", input: "mx.example.org\r", expect: bad(CRLF_REASON) },
  { name: "LF", input: "mx.example.org\n", expect: bad(CRLF_REASON) },
  { name: "CRLF injection", input: "a.example\r\nMAIL FROM:<x>", expect: bad(CRLF_REASON) },
  { name: "bare LF in the middle", input: "a\nb", expect: bad(CRLF_REASON) },
  { name: "empty", input: "", expect: bad("is empty") },
  { name: "only a dot", input: ".", expect: bad("is empty") },
  { name: "too long (254 characters)", input: NAME_254, expect: bad("is longer than 253 characters") },
  { name: "label of 64 characters", input: `${"a".repeat(64)}.example`, expect: badLabel("a".repeat(64)) },
  { name: "underscore", input: "mx_1.example.org", expect: badLabel("mx_1") },
  { name: "leading hyphen", input: "-mx.example.org", expect: badLabel("-mx") },
  { name: "trailing hyphen", input: "mx-.example.org", expect: badLabel("mx-") },
  { name: "empty label", input: "mx..example.org", expect: badLabel("") },
  { name: "leading dot", input: ".example.org", expect: badLabel("") },
  { name: "two trailing dots", input: "mx.example.org..", expect: badLabel("") },
  { name: "space", input: "mx example.org", expect: badLabel("mx example") },
  { name: "tab", input: "mx\texample.org", expect: badLabel("mx\texample") },
  { name: "NUL byte", input: "mx\u0000.example.org", expect: badLabel("mx\u0000") },
  { name: "wildcard", input: "*.example.org", expect: badLabel("*") },
  { name: "non-ASCII U-label", input: "bücher.example", expect: badLabel("bücher") },
  { name: "address literal is not a host name", input: "[192.0.2.1]", expect: badLabel("[192") },
  { name: "with port", input: "mx.example.org:25", expect: badLabel("org:25") },
];

const ehloCases: { name: string; input: string; expect: NameCheck }[] = [
  { name: "host name", input: "scanner.example.net", expect: ok("scanner.example.net") },
  {
    name: "host name lowered and stripped",
    input: "Scanner.Example.NET.",
    expect: ok("scanner.example.net"),
  },
  { name: "IPv4 literal", input: "[192.0.2.1]", expect: ok("[192.0.2.1]") },
  { name: "IPv6 literal", input: "[IPv6:2001:db8::1]", expect: ok("[IPv6:2001:db8::1]") },
  { name: "IPv6 literal upper-case hex kept", input: "[IPv6:2001:DB8::A]", expect: ok("[IPv6:2001:DB8::A]") },
  {
    name: "IPv6 literal with embedded IPv4",
    input: "[IPv6:::ffff:192.0.2.1]",
    expect: ok("[IPv6:::ffff:192.0.2.1]"),
  },
  { name: "CRLF injection", input: "a.example\r\nMAIL FROM:<x>", expect: bad(CRLF_REASON) },
  { name: "CRLF injection after a literal", input: "[192.0.2.1]\r\nQUIT", expect: bad(CRLF_REASON) },
  { name: "LF after a literal", input: "[192.0.2.1]\n", expect: bad(CRLF_REASON) },
  { name: "empty", input: "", expect: bad("is empty") },
  { name: "underscore", input: "my_scanner", expect: badLabel("my_scanner") },
  { name: "literal with three octets", input: "[192.0.2]", expect: bad(LITERAL_REASON) },
  { name: "literal with five octets", input: "[192.0.2.1.5]", expect: bad(LITERAL_REASON) },
  { name: "literal without brackets closing", input: "[192.0.2.1", expect: badLabel("[192") },
  { name: "literal with a space", input: "[192.0.2.1 ]", expect: bad(LITERAL_REASON) },
  { name: "IPv6 literal without the tag", input: "[2001:db8::1]", expect: bad(LITERAL_REASON) },
  { name: "IPv6 literal with a non-hex digit", input: "[IPv6:2001:db8::g]", expect: bad(LITERAL_REASON) },
  { name: "bare IPv4 address is a host name", input: "192.0.2.1", expect: ok("192.0.2.1") },
];

/**
 * Regression: literals must be valid addresses, not just the right characters (RFC 5321 §4.1.3: each Snum in
 * 0..255, an IPv6-addr of the RFC 4291 forms). These were once accepted at start-up.
 */
const ehloLiteralCases: { name: string; input: string; expect: { ok: false } }[] = [
  { name: "IPv4 literal octet over 255", input: "[256.0.0.1]", expect: { ok: false } },
  { name: "IPv4 literal 999.999.999.999", input: "[999.999.999.999]", expect: { ok: false } },
  { name: "IPv6 literal with three groups and no ::", input: "[IPv6:1:2:3]", expect: { ok: false } },
  { name: "IPv6 literal of colons only", input: "[IPv6:::::::]", expect: { ok: false } },
];

describe("hostname", () => {
  for (const { name, input, expect: want } of hostCases)
    it(`check host name - ${name}`, () => {
      expect(checkHostName(input)).toEqual(want);
    });

  for (const { name, input, expect: want } of ehloCases)
    it(`check ehlo name - ${name}`, () => {
      expect(checkEhloName(input)).toEqual(want);
    });

  for (const { name, input, expect: want } of ehloLiteralCases)
    it(`check ehlo name - invalid literal refused: ${name}`, () => {
      expect({ ok: checkEhloName(input).ok }).toEqual(want);
    });
});
