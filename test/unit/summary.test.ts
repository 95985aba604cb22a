/** Unit tests of the scan summary (coordinator/scan/summary.ts): inconclusive hosts are counted apart. */

import { describe, expect, it } from "vitest";
import { renderSummary, summarize } from "../../coordinator/scan/summary.js";
import type { HostStatus } from "../../shared/status.js";

const BASE = {
  domains: 5,
  rejected: 0,
  duplicates: 0,
  unique_mx_hosts: 5,
  unique_ips: 5,
  host_jobs: 5,
  mx_lookups_unanswered: 0,
  resolvers_unanswered: [],
  duration_s: 1,
};

function hosts(list: [string, HostStatus][]) {
  return list.map(([hostname, status]) => ({ hostname, status }));
}

describe("summary", () => {
  it("summary - % without STARTTLS counts only hosts that answered EHLO; inconclusive ones apart", () => {
    const s = summarize(
      hosts([
        ["a", "ok"],
        ["b", "no_starttls"],
        ["c", "inconclusive"], // 421 greeting
        ["d", "inconclusive"], // tarpit
        ["e", "tls_unsupported_by_client"],
      ]),
      [],
      [],
      BASE,
    );
    expect({
      smtp: s.mx_hosts_smtp,
      without: s.mx_hosts_without_starttls,
      pct: s.pct_mx_hosts_without_starttls,
      inconclusive: s.mx_hosts_inconclusive,
    }).toEqual({ smtp: 3, without: 1, pct: 33.33, inconclusive: 2 });
    expect(renderSummary(s, "scan-1", null)).toMatch(/MX hosts inconclusive +2 /);
  });

  it("summary - a host name with an inconclusive address and one without STARTTLS is without STARTTLS", () => {
    const s = summarize(
      hosts([
        ["a", "inconclusive"],
        ["a", "no_starttls"],
      ]),
      [],
      [],
      BASE,
    );
    expect({ without: s.mx_hosts_without_starttls, inconclusive: s.mx_hosts_inconclusive }).toEqual({
      without: 1,
      inconclusive: 0,
    });
  });
});
