/**
 * Did the scan's resolvers answer (coordinator/scan/resolver-health.ts)? Timeouts and REFUSED are the
 * resolvers' failures; SERVFAIL, NXDOMAIN and answers are facts about the domain. A scan fails only when not one
 * MX lookup was answered.
 */

import { describe, expect, it } from "vitest";
import { resolverHealth, unansweredByResolvers } from "../../coordinator/scan/resolver-health.js";
import type { MxDiscovery } from "../../shared/dns/mx.js";

type D = Pick<MxDiscovery, "kind" | "rcode">;
const timeout: D = { kind: "error", rcode: "TIMEOUT" };
const refused: D = { kind: "error", rcode: "REFUSED" };
const servfail: D = { kind: "error", rcode: "SERVFAIL" };
const nxdomain: D = { kind: "none", rcode: "NXDOMAIN" };
const mx: D = { kind: "mx", rcode: "NOERROR" };

const cases: { name: string; lookups: D[]; unanswered: number; fails: boolean }[] = [
  { name: "every lookup timed out", lookups: [timeout, timeout, timeout], unanswered: 3, fails: true },
  { name: "timeouts and REFUSED", lookups: [timeout, refused], unanswered: 2, fails: true },
  { name: "one answer among timeouts", lookups: [timeout, mx, timeout], unanswered: 2, fails: false },
  { name: "SERVFAIL is the domain's answer", lookups: [timeout, servfail], unanswered: 1, fails: false },
  { name: "every lookup SERVFAIL", lookups: [servfail, servfail], unanswered: 0, fails: false },
  { name: "NXDOMAIN is an answer", lookups: [nxdomain], unanswered: 0, fails: false },
  { name: "no lookups at all", lookups: [], unanswered: 0, fails: false },
];

describe("resolver health", () => {
  it.each(cases)("resolver health - $name", (c) => {
    const h = resolverHealth(c.lookups, ["127.0.0.1:53"]);
    expect(h.lookups).toBe(c.lookups.length);
    expect(h.unanswered).toBe(c.unanswered);
    if (c.fails)
      expect(h.failure).toBe(
        `no DNS resolver answered: ${c.lookups.length} of ${c.lookups.length} MX lookups timed out or were refused (resolvers 127.0.0.1:53)`,
      );
    else expect(h.failure).toBeNull();
  });

  it("resolver health - a timeout on an implicit MX's address lookup is not an unanswered MX lookup", () => {
    expect(unansweredByResolvers({ kind: "implicit", rcode: "TIMEOUT" })).toBe(false);
  });
});
