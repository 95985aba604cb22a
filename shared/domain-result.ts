/**
 * From MX discovery and host rows to the domain row, and the host rows of hosts that never got an address.
 * Pure functions over plain data, so the embedded and distributed pipelines build identical rows.
 */

import { daneDomainVerdict } from "./dane/verdict.js";
import type { MxDiscovery, MxHost } from "./dns/mx.js";
import type { DomainPolicyFacts } from "./policy/domain-policy-facts.js";
import { evaluateMtaSts, mtaStsEnforcedAndHonoured } from "./policy/mta-sts.js";
import { type PolicyList, policyListCheck } from "./policy/policy-list.js";
import { domainRecommendations, hasMajorPolicyFinding } from "./policy/recommendations.js";
import { evaluateTlsRpt } from "./policy/tls-rpt.js";
import { mxProvider } from "./provider.js";
import { emptyHostRow } from "./rows.js";
import type { DomainRow } from "./schema/domain-row.js";
import type { HostRow } from "./schema/host-row.js";
import type { DomainStatus } from "./status.js";
import { domainGrade, GRADES, type Grade } from "./tls/grade.js";
import { forcedTlsFromRows, rowGrade } from "./tls/grade-input.js";
import { certNamesDomain, domainStatusFromPrimaries, hostStatus, hostStatusForDomain } from "./verdict.js";
import { PROBE_VERSION } from "./version.js";

/** The host row of an MX host that has no address to probe: it carries its DNS failure. */
export function unresolvedHostRow(h: MxHost, port: number, at: Date): HostRow {
  const row = emptyHostRow(h.hostname, null, port, at);
  row.hostname_cnames = h.cnames;
  row.dns_rcode = h.rcode;
  row.failure = h.failure ?? "dns_no_address";
  row.failure_phase = "resolve";
  row.failure_detail = h.detail;
  row.status = hostStatus(row);
  return row;
}

export function primaryHosts(d: MxDiscovery): string[] {
  if (d.hosts.length === 0) return [];
  const best = Math.min(...d.hosts.map((h) => h.preference));
  return d.hosts.filter((h) => h.preference === best).map((h) => h.hostname);
}

/** Domain-level policy inputs: what the policy probe saw (null: not checked) and the --policy-list (null: none). */
export interface DomainPolicyInputs {
  facts: DomainPolicyFacts | null;
  list: PolicyList | null;
}

/** The policy columns of the domain row, from the policy probe and the domain's host rows. */
export function policyColumns(domain: string, rows: readonly HostRow[], p: DomainPolicyInputs) {
  const sts = p.facts
    ? evaluateMtaSts({ txt: p.facts.mta_sts_txt, fetch: p.facts.mta_sts_fetch, hosts: rows })
    : null;
  const rpt = p.facts ? evaluateTlsRpt(p.facts.tls_rpt_txt) : null;
  const list = p.list ? policyListCheck(p.list, domain, rows) : null;
  return {
    mta_sts_status: sts?.mta_sts_status ?? null,
    mta_sts_mode: sts?.mta_sts_mode ?? null,
    mta_sts_id: sts?.mta_sts_id ?? null,
    mta_sts_max_age: sts?.mta_sts_max_age ?? null,
    mta_sts_mx_patterns: sts?.mta_sts_mx_patterns ?? [],
    mta_sts_mx_mismatch: sts?.mta_sts_mx_mismatch ?? [],
    mta_sts_mx_failing: sts?.mta_sts_mx_failing ?? [],
    mta_sts_error: sts?.mta_sts_error ?? null,
    mta_sts_warnings: [...(sts?.warnings ?? [])],
    mta_sts_detail: sts?.detail ?? null,
    tls_rpt_status: rpt?.tls_rpt_status ?? null,
    tls_rpt_rua: rpt?.tls_rpt_rua ?? [],
    tls_rpt_error: rpt?.tls_rpt_error ?? null,
    policy_list_listed: list?.policy_list_listed ?? null,
    policy_list_mode: list?.policy_list_mode ?? null,
    policy_list_mx_ok: list?.policy_list_mx_ok ?? null,
    policy_list_mismatch: list?.policy_list_mismatch ?? [],
    policy_list_failing: list?.policy_list_failing ?? [],
  };
}

/** The distinct providers of a domain's primary MX hosts, sorted (hosts without one, such as IP literals, add none). */
function providersOf(hosts: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const h of hosts) {
    const p = mxProvider(h);
    if (p !== null) out.add(p);
  }
  return [...out].sort();
}

const NO_POLICIES: DomainPolicyInputs = { facts: null, list: null };

/** Why a domain has its grade: its worst primary hosts, then the domain-level findings that lowered it. */
export interface DomainGradeReason {
  grade: Grade | null;
  /** The worst grade of the primary MX rows (each graded with the domain's MTA-STS state). */
  host_grade: Grade | null;
  /** The primary MX hosts that have that grade, in row order. */
  worst_hosts: string[];
  /** Major domain-level findings (domain recommendation codes) that lowered the grade two letters. */
  lowered_by: string[];
}

/**
 * The domain's grade and what decided it: the worst of its highest-priority MX rows, each graded with the
 * domain's MTA-STS state (an enforced policy its MX hosts honour can lift them to A+), lowered two letters when a
 * major domain-level finding (an enforced MTA-STS policy the MX hosts fail, failing DANE) means mail may bounce.
 * No grade when a primary row has none (--depth basic, or nothing measured).
 */
export function domainGradeReason(
  primaryRows: readonly HostRow[],
  mtaStsEnforced: boolean | null,
  recommendations: readonly string[],
  now: Date,
): DomainGradeReason {
  const graded = primaryRows.map((r) => ({
    host: r.hostname,
    grade: rowGrade(r, now, { mta_sts_enforced: mtaStsEnforced }).grade,
  }));
  const none: DomainGradeReason = { grade: null, host_grade: null, worst_hosts: [], lowered_by: [] };
  if (graded.length === 0 || graded.some((g) => g.grade === null)) return none;
  const hostGrade = domainGrade(graded.map((g) => g.grade));
  if (hostGrade === null) return none;
  const worst = [...new Set(graded.filter((g) => g.grade === hostGrade).map((g) => g.host))];
  const loweredBy = recommendations.filter((c) => hasMajorPolicyFinding([c]));
  const grade =
    loweredBy.length > 0
      ? (GRADES[Math.min(GRADES.length - 1, GRADES.indexOf(hostGrade) + 2)] ?? "F")
      : hostGrade;
  return { grade, host_grade: hostGrade, worst_hosts: worst, lowered_by: loweredBy };
}

/** The grade reason of a stored domain row and its host rows (for reports: recomputed from the facts). */
export function domainGradeReasonOfRow(
  d: DomainRow,
  rows: readonly HostRow[],
  now: Date = new Date(),
): DomainGradeReason {
  const primaries = new Set(d.mx_primary_hosts);
  const enforced =
    d.mta_sts_status === null ? null : mtaStsEnforcedAndHonoured({ ...d, mta_sts_status: d.mta_sts_status });
  return domainGradeReason(
    rows.filter((r) => primaries.has(r.hostname)),
    enforced,
    d.recommendations,
    now,
  );
}

/** The domain's grade and recommendations, and LuxSci's Forced TLS eligibility over every MX host probed. */
function gradeColumns(
  d: MxDiscovery,
  rows: readonly HostRow[],
  primaryRows: readonly HostRow[],
  pol: ReturnType<typeof policyColumns>,
  dane: ReturnType<typeof daneDomainVerdict>,
) {
  const enforced =
    pol.mta_sts_status === null
      ? null
      : mtaStsEnforcedAndHonoured({ ...pol, mta_sts_status: pol.mta_sts_status });
  const probed = rows.filter((r) => r.ip !== null && r.failure !== "blocked_address");
  const recommendations =
    d.kind === "mx" || d.kind === "implicit" ? domainRecommendations({ ...pol, ...dane }) : [];
  return {
    grade: domainGradeReason(primaryRows, enforced, recommendations, new Date()).grade,
    forced_tls_eligible: forcedTlsFromRows(probed),
    recommendations,
  };
}

export function buildDomainRow(
  d: MxDiscovery,
  rows: readonly HostRow[],
  checkedAt: Date,
  durationMs: number,
  policies: DomainPolicyInputs = NO_POLICIES,
  rank: number | null = null,
): DomainRow {
  const primaries = new Set(primaryHosts(d));
  const primaryRows = rows.filter((r) => primaries.has(r.hostname));
  let status: DomainStatus;
  switch (d.kind) {
    case "null":
      status = "no_mail";
      break;
    case "none":
      status = "no_mx";
      break;
    case "error":
      status = "dns_error";
      break;
    default:
      status = domainStatusFromPrimaries(primaryRows, d.domain);
  }
  const withCert = primaryRows.filter((r) => r.tls_version !== null && r.cert_sha256 !== null);
  // Each computed once: the grade and recommendations read the same policy and DANE columns the row carries.
  const pol = policyColumns(d.domain, rows, policies);
  const dane = daneDomainVerdict(
    d.kind === "mx" || d.kind === "implicit" ? { rcode: d.rcode, ad: d.ad } : null,
    primaryRows,
  );
  return {
    domain: d.domain,
    rank,
    status,
    mx_kind: d.kind,
    mx_hosts: d.hosts.map((h) => h.hostname),
    mx_priorities: d.hosts.map((h) => h.preference),
    mx_primary_hosts: [...primaries],
    mx_providers: providersOf(primaries),
    mx_cname_hosts: d.hosts.filter((h) => h.cnames.length > 0).map((h) => h.hostname),
    mx_ip_literals: d.hosts.filter((h) => h.ipLiteral).map((h) => h.hostname),
    mx_truncated: d.truncated,
    dns_rcode: d.rcode,
    dns_failure: d.failure,
    mx_ad: d.ad,
    cert_name_matches_domain:
      withCert.length === 0 ? null : withCert.every((r) => certNamesDomain(r, d.domain)),
    ...gradeColumns(d, rows, primaryRows, pol, dane),
    ...dane,
    ...pol,
    hosts_total: rows.length,
    hosts_ok: rows.filter((r) => hostStatusForDomain(r, d.domain) === "ok").length,
    duration_ms: durationMs,
    checked_at: checkedAt.toISOString(),
    probe_version: PROBE_VERSION,
  };
}
