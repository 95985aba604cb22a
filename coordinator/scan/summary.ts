/**
 * The survey's headline figures, the way EFF reported its 2018 scan ("20.19% of 421 unique MX hostnames don't
 * support STARTTLS; 36.01% of the servers which support STARTTLS didn't present valid certificates"): per unique
 * MX host name, whose status is the worst of its addresses' rows by the domain-severity order.
 */

import type { ResolverStats } from "../../shared/dns/client.js";
import type { HostRow } from "../../shared/schema/host-row.js";
import { DOMAIN_SEVERITY, type DomainStatus, type HostStatus } from "../../shared/status.js";

export interface SurveySummary {
  domains: number;
  rejected: number;
  duplicates: number;
  unique_mx_hosts: number;
  unique_ips: number;
  host_jobs: number;
  /** MX lookups the resolvers never answered (timeout or REFUSED): those domains are dns_error. */
  mx_lookups_unanswered: number;
  /** Resolvers that left queries unanswered (a retry went to the next resolver): attempts and unanswered. */
  resolvers_unanswered: ResolverStats[];
  /** Per unique MX host name. */
  mx_host_status: Partial<Record<HostStatus, number>>;
  /** MX hosts that answered EHLO (ok, cert_invalid, tls_failed, tls_unsupported_by_client, no_starttls). */
  mx_hosts_smtp: number;
  mx_hosts_without_starttls: number;
  pct_mx_hosts_without_starttls: number | null;
  /**
   * MX hosts whose answer was "not now" (rate-limited, tarpit, reset, resolver failure): counted apart, never
   * among those without STARTTLS nor in mx_hosts_smtp.
   */
  mx_hosts_inconclusive: number;
  /** MX hosts whose STARTTLS handshake worked (ok, cert_invalid). */
  mx_hosts_tls: number;
  mx_hosts_tls_invalid_cert: number;
  pct_tls_hosts_invalid_cert: number | null;
  domain_status: Partial<Record<DomainStatus, number>>;
  /** Domain grades (--depth versions | full); empty at --depth basic. */
  domain_grades: Record<string, number>;
  duration_s: number;
  /** Where the time went (absent in summaries made without a scan, e.g. in tests of the counts). */
  phases?: ScanPhases;
}

/**
 * Wall and CPU seconds of a scan's phases. Probing overlaps planning (jobs are published as plans are saved):
 * `probe_s` runs from the first result to the last, `probe_wait_s` from the end of planning to the last result.
 * CPU is this process's (the embedded scan's probe threads included).
 */
export interface ScanPhases {
  plan_s: number;
  plan_cpu_s: number;
  probe_s: number;
  probe_wait_s: number;
  probe_wait_cpu_s: number;
  verdicts_s: number;
  verdicts_cpu_s: number;
  cpu_s: number;
}

const pct = (a: number, b: number) => (b === 0 ? null : Math.round((10_000 * a) / b) / 100);

/** The worst status among a host name's rows. */
export function worstStatus(statuses: Iterable<HostStatus>): HostStatus {
  const set = new Set(statuses);
  return DOMAIN_SEVERITY.find((s) => set.has(s)) ?? "unreachable";
}

type SummaryBase = Pick<
  SurveySummary,
  | "domains"
  | "rejected"
  | "duplicates"
  | "unique_mx_hosts"
  | "unique_ips"
  | "host_jobs"
  | "mx_lookups_unanswered"
  | "resolvers_unanswered"
  | "duration_s"
  | "phases"
>;

/**
 * The summary's counts, gathered row by row as a streaming scan writes them: per MX host name only the distinct
 * statuses of its rows, per domain only counters.
 */
export class SummaryTally {
  private readonly byHost = new Map<string, HostStatus[]>();
  private readonly domains: Partial<Record<DomainStatus, number>> = {};
  private readonly grades: Record<string, number> = {};

  addHost(hostname: string, status: HostStatus): void {
    const list = this.byHost.get(hostname);
    if (!list) this.byHost.set(hostname, [status]);
    else if (!list.includes(status)) list.push(status);
  }

  addDomain(status: DomainStatus, grade: string | null): void {
    this.addDomainStatus(status);
    this.addGrade(grade);
  }

  addDomainStatus(status: DomainStatus): void {
    this.domains[status] = (this.domains[status] ?? 0) + 1;
  }

  addGrade(grade: string | null): void {
    if (grade !== null) this.grades[grade] = (this.grades[grade] ?? 0) + 1;
  }

  summary(base: SummaryBase): SurveySummary {
    const mx: Partial<Record<HostStatus, number>> = {};
    for (const statuses of this.byHost.values()) {
      const s = worstStatus(statuses);
      mx[s] = (mx[s] ?? 0) + 1;
    }
    const n = (s: HostStatus) => mx[s] ?? 0;
    const smtp =
      n("ok") + n("cert_invalid") + n("tls_failed") + n("tls_unsupported_by_client") + n("no_starttls");
    const tls = n("ok") + n("cert_invalid");
    return {
      ...base,
      mx_host_status: mx,
      mx_hosts_smtp: smtp,
      mx_hosts_without_starttls: n("no_starttls"),
      pct_mx_hosts_without_starttls: pct(n("no_starttls"), smtp),
      mx_hosts_inconclusive: n("inconclusive"),
      mx_hosts_tls: tls,
      mx_hosts_tls_invalid_cert: n("cert_invalid"),
      pct_tls_hosts_invalid_cert: pct(n("cert_invalid"), tls),
      domain_status: { ...this.domains },
      domain_grades: { ...this.grades },
    };
  }
}

export function summarize(
  hostRows: Iterable<Pick<HostRow, "hostname" | "status">>,
  domainStatuses: Iterable<DomainStatus>,
  domainGrades: Iterable<string | null>,
  base: SummaryBase,
): SurveySummary {
  const tally = new SummaryTally();
  for (const r of hostRows) tally.addHost(r.hostname, r.status);
  for (const s of domainStatuses) tally.addDomainStatus(s);
  for (const g of domainGrades) tally.addGrade(g);
  return tally.summary(base);
}

export function renderSummary(s: SurveySummary, scanId: string, outDir: string | null): string {
  const lines = [
    `Scan ${scanId} — ${s.duration_s.toFixed(1)} s`,
    `  domains scanned          ${s.domains}  (${s.duplicates} duplicates, ${s.rejected} rejected lines)`,
    ...(s.mx_lookups_unanswered > 0
      ? [
          `  MX lookups unanswered    ${s.mx_lookups_unanswered} of ${s.domains}  (the resolvers timed out or refused: those domains are dns_error)`,
        ]
      : []),
    ...s.resolvers_unanswered.map(
      (r) => `  resolver not answering   ${r.resolver}  (${r.unanswered} of ${r.asked} queries unanswered)`,
    ),
    `  unique MX hosts          ${s.unique_mx_hosts}`,
    `  unique IPs               ${s.unique_ips}`,
    `  probe jobs (host, IP)    ${s.host_jobs}`,
    `  MX hosts without STARTTLS        ${s.pct_mx_hosts_without_starttls ?? "-"}%  (${s.mx_hosts_without_starttls} of ${s.mx_hosts_smtp} MX hosts that answered SMTP)`,
    `  MX hosts inconclusive            ${s.mx_hosts_inconclusive}  (rate-limited, tarpit, reset or resolver failure: not counted above)`,
    `  STARTTLS hosts, invalid cert     ${s.pct_tls_hosts_invalid_cert ?? "-"}%  (${s.mx_hosts_tls_invalid_cert} of ${s.mx_hosts_tls} MX hosts with working STARTTLS)`,
    `  MX host status   ${Object.entries(s.mx_host_status)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    `  domain verdicts  ${Object.entries(s.domain_status)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  ];
  const order = ["A+", "A", "B", "C", "D", "F"];
  const graded = order.filter((g) => (s.domain_grades[g] ?? 0) > 0);
  if (graded.length > 0)
    lines.push(`  domain grades    ${graded.map((g) => `${g} ${s.domain_grades[g]}`).join(", ")}`);
  if (s.phases) {
    const p = s.phases;
    const f = (n: number) => n.toFixed(1);
    lines.push(
      `  phases           planning ${f(p.plan_s)} s (cpu ${f(p.plan_cpu_s)} s), probes ${f(p.probe_s)} s (${f(p.probe_wait_s)} s after planning), verdicts ${f(p.verdicts_s)} s (cpu ${f(p.verdicts_cpu_s)} s); cpu ${f(p.cpu_s)} s in all`,
    );
  }
  if (outDir) lines.push(`  rows in ${outDir}/ (hosts.jsonl, domains.jsonl, scan.json)`);
  return lines.join("\n");
}
