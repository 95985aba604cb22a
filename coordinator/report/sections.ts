/**
 * What the report shows, in order: one section per analysis query of queries/, each with its title, the
 * question it answers (the query's first header line), the rule (the rest of its header, up to the line saying
 * which scan it reads) and how to chart it. The SQL is the file's, unchanged, so every figure can be recomputed
 * with `mxsurvey db query NAME` or clickhouse-client.
 */

import type { QueryResult } from "../../shared/analysis-queries.js";
import { barChart, type ChartSpec, groupedBars, type Row, trendChart } from "./charts.js";

export interface Section {
  /** The query's name in queries/ (its file without .sql); also the CSV/JSON file names. */
  query: string;
  title: string;
  /** The chart for the rows, or null for a table only. */
  chart: ((rows: Row[]) => ChartSpec) | null;
}

const RATE_METRICS = [
  { column: "pct_starttls", name: "STARTTLS" },
  { column: "pct_valid", name: "valid certificate" },
  { column: "pct_grade_a", name: "grade A or A+" },
  { column: "pct_dane", name: "DANE valid" },
  { column: "pct_mta_sts", name: "MTA-STS valid" },
  { column: "pct_tls_rpt", name: "TLS-RPT valid" },
];

const HOST_METRICS = [
  { column: "pct_starttls", name: "STARTTLS" },
  { column: "pct_valid_cert", name: "valid certificate" },
  { column: "pct_expired", name: "expired" },
  { column: "pct_self_signed", name: "self-signed" },
  { column: "pct_name_mismatch", name: "name mismatch" },
  { column: "pct_tls12_plus", name: "TLS 1.2 or later" },
  { column: "pct_weak_suite", name: "weak suite" },
  { column: "pct_dane", name: "DANE valid" },
];

export const SECTIONS: readonly Section[] = [
  { query: "headline", title: "Headline counts", chart: null },
  {
    query: "starttls-hosts",
    title: "STARTTLS per MX host",
    chart: (rows) =>
      barChart(rows, {
        label: "category",
        value: "pct",
        labelTitle: "STARTTLS",
        valueTitle: "share of unique MX host names (%)",
        title: "STARTTLS per unique MX host name",
      }),
  },
  {
    query: "starttls-domains",
    title: "STARTTLS per mail domain",
    chart: (rows) =>
      barChart(rows, {
        label: "category",
        value: "pct",
        labelTitle: "STARTTLS",
        valueTitle: "share of mail domains (%)",
        title: "STARTTLS per mail domain (verdict of its primary MX hosts)",
      }),
  },
  {
    query: "domain-verdicts",
    title: "Domain verdicts",
    chart: (rows) =>
      barChart(rows, {
        label: "status",
        value: "pct",
        labelTitle: "verdict",
        valueTitle: "share of domains (%)",
        title: "Domains per verdict",
      }),
  },
  {
    query: "cert-validity",
    title: "Certificate validity",
    chart: (rows) =>
      barChart(rows, {
        label: "category",
        value: "pct",
        labelTitle: "certificate",
        valueTitle: "share of (host, IP) rows with working STARTTLS (%)",
        title: "Certificates of the MX hosts whose STARTTLS worked",
      }),
  },
  { query: "tls-versions", title: "Negotiated TLS versions", chart: null },
  {
    query: "weak-tls",
    title: "TLS versions accepted and weak suites",
    chart: (rows) =>
      barChart(rows, {
        label: "feature",
        value: "pct",
        labelTitle: "accepts",
        valueTitle: "share of (host, IP) rows tested (%)",
        title: "Protocol versions and weak suites accepted",
      }),
  },
  {
    query: "grades",
    title: "Grades",
    chart: (rows) =>
      barChart(rows, {
        label: "grade",
        value: "pct",
        labelTitle: "grade",
        valueTitle: "share of mail domains (%)",
        title: "Grade distribution (LuxSci's rule, worst primary MX host)",
      }),
  },
  {
    query: "dane-domains",
    title: "DANE adoption",
    chart: (rows) =>
      barChart(
        rows.map((r) => ({
          ...r,
          state: `${r["dane_status"]}${r["dnssec_mx"] ? ` (MX ${r["dnssec_mx"]})` : ""}`,
        })),
        {
          label: "state",
          value: "pct",
          labelTitle: "DANE status (DNSSEC of the MX answer)",
          valueTitle: "share of mail domains (%)",
          title: "DANE adoption of the mail domains",
        },
      ),
  },
  {
    query: "dane-failures",
    title: "DANE failure categories",
    chart: (rows) =>
      barChart(
        rows.map((r) => ({
          ...r,
          state: `${r["dane_status"]}${r["dane_failure"] ? `: ${r["dane_failure"]}` : ""}`,
        })),
        {
          label: "state",
          value: "host_rows",
          labelTitle: "DANE status: failure",
          valueTitle: "(host, IP) rows (count)",
          title: "DANE status and failure of the MX hosts",
        },
      ),
  },
  {
    query: "mta-sts",
    title: "MTA-STS",
    chart: (rows) =>
      barChart(
        rows.map((r) => ({
          ...r,
          state: [r["mta_sts_status"], r["mta_sts_mode"], r["mta_sts_error"]].filter((x) => x).join(" / "),
        })),
        {
          label: "state",
          value: "pct",
          labelTitle: "status / mode / error",
          valueTitle: "share of mail domains (%)",
          title: "MTA-STS adoption, modes and errors",
        },
      ),
  },
  {
    query: "tls-rpt",
    title: "TLS-RPT",
    chart: (rows) =>
      barChart(
        rows.map((r) => ({
          ...r,
          state: [r["tls_rpt_status"], r["tls_rpt_error"]].filter((x) => x).join(": "),
        })),
        {
          label: "state",
          value: "pct",
          labelTitle: "status: error",
          valueTitle: "share of mail domains (%)",
          title: "TLS-RPT adoption",
        },
      ),
  },
  {
    query: "rank-buckets",
    title: "By list rank",
    chart: (rows) =>
      groupedBars(rows, {
        group: "rank_bucket",
        groupTitle: "rank bucket",
        metrics: RATE_METRICS,
        title: "Rates by list rank bucket (cumulative: top 10k includes top 1k)",
      }),
  },
  {
    query: "rank-buckets-hosts",
    title: "MX hosts by list rank",
    chart: (rows) =>
      groupedBars(rows, {
        group: "rank_bucket",
        groupTitle: "rank bucket",
        metrics: HOST_METRICS,
        valueTitle: "share of the bucket's primary MX host names (%)",
        title: "MX host rates by list rank bucket (hosts of the bucket's domains)",
      }),
  },
  {
    query: "providers",
    title: "Top MX providers",
    chart: (rows) =>
      groupedBars(rows.slice(0, 10), {
        group: "provider",
        groupTitle: "provider (registrable domain of the primary MX)",
        metrics: RATE_METRICS,
        title: "The ten largest providers' rates (share of their domains)",
      }),
  },
  {
    query: "providers-hosts",
    title: "Top MX providers' hosts",
    chart: (rows) =>
      groupedBars(rows.slice(0, 10), {
        group: "provider",
        groupTitle: "provider (registrable domain of the MX host)",
        metrics: HOST_METRICS,
        valueTitle: "share of the provider's MX host names (%)",
        title: "The ten largest providers by MX host names: their hosts' rates",
      }),
  },
  {
    query: "trend",
    title: "Trend across scans",
    chart: (rows) => trendChart(rows, { title: "Rates per complete scan of the list" }),
  },
];

/** Integer and float columns (64-bit integers arrive as strings) as JavaScript numbers; rows as objects. */
export function resultRows(result: QueryResult): Row[] {
  const numeric = result.columns.map((c) => /^(?:Nullable\()?(?:U?Int\d+|Float\d+|Decimal)/.test(c.type));
  return result.rows.map((row) =>
    Object.fromEntries(
      result.columns.map((c, i) => {
        const v = row[i];
        return [c.name, numeric[i] && typeof v === "string" && v !== "" ? Number(v) : v];
      }),
    ),
  );
}

/** A query header's rule: its comment lines after the first, up to the line saying which scan it reads. */
export function headerRule(sql: string): string {
  const lines: string[] = [];
  for (const line of sql.split(/\r?\n/).slice(1)) {
    if (!line.startsWith("--")) break;
    const text = line.replace(/^--+\s?/, "");
    if (/^(Scan|Scans|Run):/.test(text)) break;
    lines.push(text);
  }
  return lines.join(" ").trim();
}
