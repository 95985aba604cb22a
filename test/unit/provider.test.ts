/** The MX host's provider: its registrable domain under the Public Suffix List (ICANN section). */

import { describe, expect, it } from "vitest";
import { mxProvider } from "../../shared/provider.js";

const CASES: [string, string, string | null][] = [
  ["google's MX hosts count as one provider", "mx1.google.com", "google.com"],
  ["a deeper google host", "aspmx.l.google.com", "google.com"],
  ["Microsoft 365", "example-org.mail.protection.outlook.com", "outlook.com"],
  ["a multi-label public suffix", "mail.example.co.uk", "example.co.uk"],
  ["a three-label public suffix (kawasaki.jp wildcard)", "mx.example.city.kawasaki.jp", "city.kawasaki.jp"],
  ["an IDN registrable label as an A-label", "mx.xn--mnchen-3ya.de", "xn--mnchen-3ya.de"],
  ["an IDN TLD as an A-label (.рф)", "mx.example.xn--p1ai", "example.xn--p1ai"],
  ["the registrable domain itself", "example.com", "example.com"],
  ["upper case and a trailing dot", "MX.Example.COM.", "example.com"],
  ["private section ignored: Amazon SES", "inbound-smtp.us-east-1.amazonaws.com", "amazonaws.com"],
  ["private section ignored: a Heroku app", "mx.app.herokuapp.com", "herokuapp.com"],
  ["a TLD the list does not know: the default rule, two labels", "mx.valid.lab.test", "lab.test"],
  ["an IPv4 literal", "192.0.2.25", null],
  ["an IPv6 literal", "2001:db8::25", null],
  ["a bracketed IP-literal MX target", "[192.0.2.25]", null],
  ["a bare TLD", "com", null],
  ["a bare multi-label suffix", "co.uk", null],
  ["a single label", "localhost", null],
  ["empty", "", null],
];

describe("mxProvider", () => {
  for (const [why, host, want] of CASES) {
    it(`provider - ${why}: ${JSON.stringify(host)}`, () => {
      expect(mxProvider(host)).toBe(want);
    });
  }
});
