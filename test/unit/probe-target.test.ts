/**
 * Unit tests of `probe` target parsing (parseProbeTarget in coordinator/check/run-check.ts): host, address,
 * host:port, [IPv6]:port and bare IPv6 forms, normalization, and malformed ports or hosts.
 */

import { describe, expect, it } from "vitest";
import { type ProbeTarget, parseProbeTarget } from "../../coordinator/check/run-check.js";

type Parsed = ProbeTarget | { error: string };

const badPort = (spec: string): Parsed => ({ error: `bad port in target ${JSON.stringify(spec)}` });
const emptyHost = (spec: string): Parsed => ({ error: `empty host in target ${JSON.stringify(spec)}` });

const cases: { name: string; input: { spec: string; defaultPort: number }; expect: Parsed }[] = [
  {
    name: "host name",
    input: { spec: "mx.example.org", defaultPort: 25 },
    expect: { host: "mx.example.org", port: 25 },
  },
  {
    name: "host name with port",
    input: { spec: "mx.example.org:2525", defaultPort: 25 },
    expect: { host: "mx.example.org", port: 2525 },
  },
  {
    name: "default port is the caller's",
    input: { spec: "mx.example.org", defaultPort: 587 },
    expect: { host: "mx.example.org", port: 587 },
  },
  {
    name: "IPv4 address",
    input: { spec: "192.0.2.1", defaultPort: 25 },
    expect: { host: "192.0.2.1", port: 25 },
  },
  {
    name: "IPv4 address with port",
    input: { spec: "192.0.2.1:587", defaultPort: 25 },
    expect: { host: "192.0.2.1", port: 587 },
  },
  {
    name: "bracketed IPv6 with port",
    input: { spec: "[2001:db8::1]:25", defaultPort: 587 },
    expect: { host: "2001:db8::1", port: 25 },
  },
  {
    name: "bare IPv6",
    input: { spec: "2001:db8::1", defaultPort: 25 },
    expect: { host: "2001:db8::1", port: 25 },
  },
  {
    name: "bracketed IPv6 without port",
    input: { spec: "[::1]", defaultPort: 25 },
    expect: { host: "::1", port: 25 },
  },
  {
    name: "IPv6 lowered",
    input: { spec: "[2001:DB8::A]:465", defaultPort: 25 },
    expect: { host: "2001:db8::a", port: 465 },
  },
  {
    name: "IPv6 with embedded IPv4",
    input: { spec: "[::ffff:192.0.2.1]:25", defaultPort: 587 },
    expect: { host: "::ffff:192.0.2.1", port: 25 },
  },
  {
    name: "host lowered, trailing dot stripped, spaces trimmed",
    input: { spec: "  MX.Example.ORG.  ", defaultPort: 25 },
    expect: { host: "mx.example.org", port: 25 },
  },
  {
    name: "trailing dot with port",
    input: { spec: "mx.example.org.:26", defaultPort: 25 },
    expect: { host: "mx.example.org", port: 26 },
  },
  { name: "lowest port", input: { spec: "host:1", defaultPort: 25 }, expect: { host: "host", port: 1 } },
  {
    name: "highest port",
    input: { spec: "host:65535", defaultPort: 25 },
    expect: { host: "host", port: 65535 },
  },
  {
    name: "port with leading zero",
    input: { spec: "host:025", defaultPort: 587 },
    expect: { host: "host", port: 25 },
  },
  { name: "bad port letters", input: { spec: "host:x", defaultPort: 25 }, expect: badPort("host:x") },
  { name: "port zero", input: { spec: "host:0", defaultPort: 25 }, expect: badPort("host:0") },
  { name: "port over 65535", input: { spec: "host:70000", defaultPort: 25 }, expect: badPort("host:70000") },
  { name: "port 65536", input: { spec: "host:65536", defaultPort: 25 }, expect: badPort("host:65536") },
  { name: "empty port", input: { spec: "host:", defaultPort: 25 }, expect: badPort("host:") },
  { name: "negative port", input: { spec: "host:-1", defaultPort: 25 }, expect: badPort("host:-1") },
  { name: "signed port", input: { spec: "host:+25", defaultPort: 25 }, expect: badPort("host:+25") },
  {
    name: "huge port",
    input: { spec: "host:99999999999999999999", defaultPort: 25 },
    expect: badPort("host:99999999999999999999"),
  },
  {
    name: "bracketed IPv6 port zero",
    input: { spec: "[::1]:0", defaultPort: 25 },
    expect: badPort("[::1]:0"),
  },
  {
    name: "bracketed IPv6 port over 65535",
    input: { spec: "[::1]:65536", defaultPort: 25 },
    expect: badPort("[::1]:65536"),
  },
  { name: "bad default port", input: { spec: "host", defaultPort: 0 }, expect: badPort("host") },
  { name: "empty", input: { spec: "", defaultPort: 25 }, expect: emptyHost("") },
  { name: "spaces only", input: { spec: "   ", defaultPort: 25 }, expect: emptyHost("   ") },
  { name: "port only", input: { spec: ":25", defaultPort: 25 }, expect: emptyHost(":25") },
  { name: "a dot only", input: { spec: ".", defaultPort: 25 }, expect: emptyHost(".") },
];

/**
 * Regression: a spec with more than one colon that is not a valid `[ipv6]:port` was once taken whole as a bare
 * IPv6 host (a confusing DNS failure later instead of a usage error now).
 */
const malformedCases: {
  name: string;
  input: { spec: string; defaultPort: number };
  expect: { isError: true };
}[] = [
  {
    name: "bracketed IPv6 with letters as port",
    input: { spec: "[2001:db8::1]:x", defaultPort: 25 },
    expect: { isError: true },
  },
  {
    name: "bracketed IPv6 with empty port",
    input: { spec: "[2001:db8::1]:", defaultPort: 25 },
    expect: { isError: true },
  },
  {
    name: "host with two ports",
    input: { spec: "host:25:26", defaultPort: 25 },
    expect: { isError: true },
  },
  {
    name: "bracketed host name",
    input: { spec: "[mx.example.org]:25", defaultPort: 25 },
    expect: { isError: true },
  },
];

describe("probe target", () => {
  for (const { name, input, expect: want } of cases)
    it(`probe target - ${name}`, () => {
      expect(parseProbeTarget(input.spec, input.defaultPort)).toEqual(want);
    });

  for (const { name, input, expect: want } of malformedCases)
    it(`probe target - malformed target refused: ${name}`, () => {
      const r = parseProbeTarget(input.spec, input.defaultPort);
      expect({ isError: "error" in r, got: r }).toMatchObject(want);
    });
});
