/**
 * `mxsurvey report --diff A B`: what changed between two scans, from their rows, in SQL that runs on ClickHouse
 * 18.16 and on chDB (one JOIN per SELECT, every joined subquery aliased). Only what both scans measured is
 * compared:
 *
 * - domains (in both scans) whose verdict or grade changed;
 * - MX host names (in both scans, and reaching EHLO in both) that gained or lost STARTTLS — some address lists
 *   STARTTLS — or a valid certificate — some address completed STARTTLS with a valid certificate (host status
 *   ok);
 * - domains (in both scans) that adopted or dropped DANE (domain dane_status valid) or MTA-STS (a valid policy).
 */

import type { QueryResult } from "../../shared/analysis-queries.js";
import { quoteString } from "../../shared/store/sql.js";

export interface DiffEngine {
  queryTable(sql: string): Promise<QueryResult>;
}

export const HOST_CHANGES = [
  "gained_starttls",
  "lost_starttls",
  "gained_valid_cert",
  "lost_valid_cert",
] as const;
export const POLICY_CHANGES = ["adopted_dane", "dropped_dane", "adopted_mta_sts", "dropped_mta_sts"] as const;

export interface DiffTable {
  name: string;
  title: string;
  rule: string;
  result: QueryResult;
}

export interface ScanDiff {
  a: string;
  b: string;
  counts: Record<string, number>;
  tables: DiffTable[];
}

function verdictSql(a: string, b: string): string {
  const side = (id: string, s: string) =>
    `SELECT domain, status AS status_${s}, ifNull(grade, '') AS grade_${s} FROM domains FINAL WHERE scan_id = ${quoteString(id)}`;
  return `SELECT domain, status_a, status_b, grade_a, grade_b
FROM (${side(a, "a")}) AS a
ANY INNER JOIN (${side(b, "b")}) AS b USING domain
WHERE status_a != status_b OR grade_a != grade_b
ORDER BY domain`;
}

function hostSql(a: string, b: string): string {
  const side = (id: string, s: string) =>
    `SELECT hostname,
        max(ifNull(starttls_offered = 1, 0)) AS starttls_${s},
        max(status = 'ok') AS valid_cert_${s},
        countIf(isNotNull(starttls_offered)) AS tested_${s}
    FROM hosts FINAL WHERE scan_id = ${quoteString(id)} GROUP BY hostname`;
  return `SELECT hostname, starttls_a, starttls_b, valid_cert_a, valid_cert_b
FROM (${side(a, "a")}) AS a
ANY INNER JOIN (${side(b, "b")}) AS b USING hostname
WHERE tested_a > 0 AND tested_b > 0 AND (starttls_a != starttls_b OR valid_cert_a != valid_cert_b)
ORDER BY hostname`;
}

function policySql(a: string, b: string): string {
  const side = (id: string, s: string) =>
    `SELECT domain, ifNull(dane_status = 'valid', 0) AS dane_${s}, ifNull(mta_sts_status = 'valid', 0) AS mta_sts_${s}
    FROM domains FINAL WHERE scan_id = ${quoteString(id)}`;
  return `SELECT domain, dane_a, dane_b, mta_sts_a, mta_sts_b
FROM (${side(a, "a")}) AS a
ANY INNER JOIN (${side(b, "b")}) AS b USING domain
WHERE dane_a != dane_b OR mta_sts_a != mta_sts_b
ORDER BY domain`;
}

const STRINGS = (names: string[]) => names.map((name) => ({ name, type: "String" }));

export async function diffScans(engine: DiffEngine, a: string, b: string): Promise<ScanDiff> {
  const verdicts = await engine.queryTable(verdictSql(a, b));
  const hostRows = await engine.queryTable(hostSql(a, b));
  const policyRows = await engine.queryTable(policySql(a, b));
  const on = (v: unknown) => Number(v) === 1;

  const hostChanges: unknown[][] = [];
  for (const [hostname, sa, sb, va, vb] of hostRows.rows) {
    if (on(sa) !== on(sb)) hostChanges.push([hostname, on(sb) ? "gained_starttls" : "lost_starttls"]);
    if (on(va) !== on(vb)) hostChanges.push([hostname, on(vb) ? "gained_valid_cert" : "lost_valid_cert"]);
  }
  const policyChanges: unknown[][] = [];
  for (const [domain, da, db, ma, mb] of policyRows.rows) {
    if (on(da) !== on(db)) policyChanges.push([domain, on(db) ? "adopted_dane" : "dropped_dane"]);
    if (on(ma) !== on(mb)) policyChanges.push([domain, on(mb) ? "adopted_mta_sts" : "dropped_mta_sts"]);
  }
  const verdictChanged = verdicts.rows.filter((r) => r[1] !== r[2]).length;
  const gradeChanged = verdicts.rows.filter((r) => r[3] !== r[4]).length;
  const counts: Record<string, number> = { verdict_changed: verdictChanged, grade_changed: gradeChanged };
  for (const c of HOST_CHANGES) counts[c] = hostChanges.filter((r) => r[1] === c).length;
  for (const c of POLICY_CHANGES) counts[c] = policyChanges.filter((r) => r[1] === c).length;
  return {
    a,
    b,
    counts,
    tables: [
      {
        name: "diff-counts",
        title: "Changes, counted",
        rule: `Scan ${a} (before) against scan ${b} (after). Only domains and MX host names present in both scans are compared.`,
        result: {
          columns: [
            { name: "change", type: "String" },
            { name: "count", type: "UInt64" },
          ],
          rows: Object.entries(counts).map(([k, v]) => [k, String(v)]),
        },
      },
      {
        name: "diff-verdicts",
        title: "Domains whose verdict or grade changed",
        rule: "A domain in both scans whose verdict (status) or grade differs; an empty grade is none (--depth basic, or no STARTTLS facts).",
        result: verdicts,
      },
      {
        name: "diff-hosts",
        title: "MX hosts that gained or lost STARTTLS or a valid certificate",
        rule: "An MX host name that reached EHLO in both scans. STARTTLS: some address of the host lists STARTTLS after EHLO. Valid certificate: some address completed STARTTLS with a certificate that is trusted, in date and names the host (host status ok).",
        result: { columns: STRINGS(["hostname", "change"]), rows: hostChanges },
      },
      {
        name: "diff-policies",
        title: "Domains that adopted or dropped DANE or MTA-STS",
        rule: "A domain in both scans. DANE: the domain's dane_status is valid (DNSSEC-secure MX answer, every primary MX host valid). MTA-STS: mta_sts_status is valid (a policy was fetched and parsed), any mode.",
        result: { columns: STRINGS(["domain", "change"]), rows: policyChanges },
      },
    ],
  };
}
