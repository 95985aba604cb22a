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
}

const pct = (a: number, b: number) => (b === 0 ? null : Math.round((10_000 * a) / b) / 100);

/** The worst status among a host name's rows. */
export function worstStatus(statuses: Iterable<HostStatus>): HostStatus {
  const set = new Set(statuses);
  return DOMAIN_SEVERITY.find((s) => set.has(s)) ?? "unreachable";
}

export function summarize(
  hostRows: Iterable<Pick<HostRow, "hostname" | "status">>,
  domainStatuses: Iterable<DomainStatus>,
  domainGrades: Iterable<string | null>,
  base: Pick<
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
  >,
): SurveySummary {
  const byHost = new Map<string, HostStatus[]>();
  for (const r of hostRows) {
    const list = byHost.get(r.hostname);
    if (list) list.push(r.status);
    else byHost.set(r.hostname, [r.status]);
  }
  const mx: Partial<Record<HostStatus, number>> = {};
  for (const statuses of byHost.values()) {
    const s = worstStatus(statuses);
    mx[s] = (mx[s] ?? 0) + 1;
  }
  const n = (s: HostStatus) => mx[s] ?? 0;
  const smtp =
    n("ok") + n("cert_invalid") + n("tls_failed") + n("tls_unsupported_by_client") + n("no_starttls");
  const tls = n("ok") + n("cert_invalid");
  const dom: Partial<Record<DomainStatus, number>> = {};
  for (const s of domainStatuses) dom[s] = (dom[s] ?? 0) + 1;
  const grades: Record<string, number> = {};
  for (const g of domainGrades) if (g !== null) grades[g] = (grades[g] ?? 0) + 1;
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
    domain_status: dom,
    domain_grades: grades,
  };
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
  if (outDir) lines.push(`  rows in ${outDir}/ (hosts.jsonl, domains.jsonl, scan.json)`);
  return lines.join("\n");
}
