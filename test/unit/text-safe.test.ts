/** Unit tests of shared/text-safe.ts: what reaches a terminal from a server's text. */

import { describe, expect, it } from "vitest";
import { safeText } from "../../shared/text-safe.js";

const cases: { name: string; input: string; want: string }[] = [
  {
    name: "plain ASCII is unchanged",
    input: "220 mx.example.com ESMTP Postfix",
    want: "220 mx.example.com ESMTP Postfix",
  },
  {
    name: "non-ASCII letters are kept",
    input: "220 mx.exämple.test Grüße — ok",
    want: "220 mx.exämple.test Grüße — ok",
  },
  { name: "newline and tab are kept", input: "a\nb\tc", want: "a\nb\tc" },
  {
    name: "OSC window title (ESC ] ... BEL)",
    input: "220 \x1b]0;pwned\x07 hi",
    want: "220 \\x1b]0;pwned\\x07 hi",
  },
  { name: "CSI clear screen", input: "\x1b[2Jgone", want: "\\x1b[2Jgone" },
  { name: "carriage return (overwrites the line)", input: "ok\rFAKE", want: "ok\\x0dFAKE" },
  { name: "backspace and NUL", input: "a\x08b\x00c", want: "a\\x08b\\x00c" },
  { name: "DEL", input: "a\x7fb", want: "a\\x7fb" },
  { name: "8-bit CSI (0x9B, as latin1 decoding gives it)", input: "a\x9b2Jb", want: "a\\x9b2Jb" },
  { name: "bidi override (Trojan Source)", input: "a\u202eb\u2066c", want: "a\\u202eb\\u2066c" },
  { name: "line separator", input: "a\u2028b", want: "a\\u2028b" },
  { name: "empty", input: "", want: "" },
];

describe("text-safe", () => {
  it.each(cases)("text-safe - $name", ({ input, want }) => {
    expect(safeText(input)).toBe(want);
  });

  it("text-safe - nothing a terminal acts on survives, for every code unit up to U+FFFF", () => {
    for (let c = 0; c <= 0xffff; c++) {
      const out = safeText(String.fromCharCode(c));
      const unsafe = (c < 0x20 && c !== 0x0a && c !== 0x09) || (c >= 0x7f && c <= 0x9f);
      if (unsafe) expect(out, `U+${c.toString(16)}`).toMatch(/^\\x[0-9a-f]{2}$/);
      for (const ch of out) {
        const k = ch.charCodeAt(0);
        expect(
          (k < 0x20 && k !== 0x0a && k !== 0x09) || (k >= 0x7f && k <= 0x9f),
          `U+${c.toString(16)}`,
        ).toBe(false);
      }
    }
  });
});
