/**
 * `check DOMAIN` and `scan --domains FILE` normalize names with one function (coordinator/ingest/normalize.ts):
 * a name typed on check's command line becomes exactly what the same line of a scan's list becomes — the same
 * A-label, or a refusal for the same reason.
 */

import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { domainArgument, normalizeDomain } from "../../coordinator/ingest/normalize.js";
import { readDomainList } from "../../coordinator/ingest/read-list.js";
import { UsageError } from "../../coordinator/options.js";

const cases: { name: string; input: string; domain: string | null; reason?: string }[] = [
  { name: "plain", input: "example.org", domain: "example.org" },
  { name: "case and trailing dot", input: "Example.ORG.", domain: "example.org" },
  { name: "IDN to A-label", input: "Bücher.example", domain: "xn--bcher-kva.example" },
  { name: "IDN nontransitional", input: "faß.de", domain: "xn--fa-hia.de" },
  { name: "full-width IDN", input: "ＥＸＡＭＰＬＥ．com", domain: "example.com" },
  { name: "A-label kept", input: "xn--bcher-kva.example", domain: "xn--bcher-kva.example" },
  { name: "IPv4 refused", input: "192.0.2.1", domain: null, reason: "ip_address" },
  { name: "IPv4 literal refused", input: "[192.0.2.1]", domain: null, reason: "ip_address" },
  { name: "IPv6 refused", input: "2001:db8::1", domain: null, reason: "ip_address" },
  { name: "full-width IPv4 refused", input: "１.２.３.４", domain: null, reason: "ip_address" },
  { name: "single label refused", input: "localhost", domain: null, reason: "single_label" },
  { name: "underscore refused", input: "_dmarc.example.org", domain: null, reason: "invalid_characters" },
  { name: "empty label refused", input: "a..b", domain: null, reason: "empty_label" },
  { name: "URL refused", input: "https://example.org/", domain: null, reason: "not_a_domain" },
  { name: "bad A-label refused", input: "xn--zz.example", domain: null, reason: "invalid_idn" },
];

async function scanListSays(line: string): Promise<{ domain: string | null; reason: string | null }> {
  const r = await readDomainList(Readable.from([`${line}\n`]), { format: "plain" });
  return { domain: r.domains[0] ?? null, reason: r.rejected[0]?.reason ?? null };
}

describe("domain argument", () => {
  it.each(cases)("domain argument - $name: check and scan agree", async (c) => {
    const list = await scanListSays(c.input);
    const norm = normalizeDomain(c.input);
    if (c.domain !== null) {
      expect(domainArgument(c.input)).toBe(c.domain);
      expect(norm).toEqual({ ok: true, domain: c.domain });
      expect(list).toEqual({ domain: c.domain, reason: null });
    } else {
      expect(() => domainArgument(c.input)).toThrow(UsageError);
      expect(() => domainArgument(c.input)).toThrow(c.reason!);
      expect(norm).toEqual({ ok: false, reason: c.reason });
      expect(list).toEqual({ domain: null, reason: c.reason });
    }
  });
});
