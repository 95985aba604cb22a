/**
 * Build the report: run each section's query of queries/ (report/sections.ts) on an engine — chDB over scan
 * directories or a ClickHouse server — for one scan, draw its chart, and write REPORT_DIR/index.html with every
 * table beside it as NAME.csv and NAME.json. With a diff, the changes between two scans (report/diff.ts) instead.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type QueryResult,
  queriesDir,
  querySummary,
  readQuery,
  targetScan,
} from "../../shared/analysis-queries.js";
import { UsageError } from "../options.js";
import { formatResult } from "../render/result-table.js";
import { renderSvg } from "./charts.js";
import { diffScans, type ScanDiff } from "./diff.js";
import { type HtmlSection, renderHtml } from "./html.js";
import { headerRule, resultRows, SECTIONS } from "./sections.js";

export interface ReportEngine {
  queryTable(sql: string): Promise<QueryResult>;
}

export interface ScanInfo {
  scan_id: string;
  scan_started_at: string;
  finished_at: string | null;
  state: string;
  list_source: string;
  list_id: string;
  label: string;
  domains: number;
}

export interface ReportOptions {
  engine: ReportEngine;
  /** For people: "chDB over 2 scan directories" or "ClickHouse at URL, database D". */
  engineName: string;
  /** How a reader re-runs a query on the same engine: flags after `mxsurvey db query NAME`. */
  engineFlags: string;
  outDir?: string | undefined;
  scan?: string | undefined;
  diff?: [string, string] | undefined;
  now?: Date;
}

export interface ReportOutput {
  scan: ScanInfo | null;
  diff: ScanDiff | null;
  /** Files written, relative to outDir. */
  files: string[];
  /** Each section's rows (objects), by query name. */
  tables: Record<string, Record<string, unknown>[]>;
}

export async function listScans(engine: ReportEngine): Promise<ScanInfo[]> {
  const r = await engine.queryTable(
    "SELECT scan_id, toString(scan_started_at) AS started, toString(finished_at) AS finished, state, list_source, list_id, label, domains FROM scans FINAL ORDER BY scan_id",
  );
  return r.rows.map((row) => ({
    scan_id: String(row[0]),
    scan_started_at: `${String(row[1]).replace(" ", "T")}Z`,
    finished_at: row[2] === null || row[2] === undefined ? null : `${String(row[2]).replace(" ", "T")}Z`,
    state: String(row[3]),
    list_source: String(row[4]),
    list_id: String(row[5]),
    label: String(row[6]),
    domains: Number(row[7]),
  }));
}

/** The scan a report reads: --scan ID (must be there), else the newest complete one. */
export function chooseScan(scans: ScanInfo[], wanted: string | undefined): ScanInfo {
  if (wanted !== undefined) {
    const s = scans.find((x) => x.scan_id === wanted);
    if (!s)
      throw new UsageError(
        `no scan ${wanted} among the scans read (${scans.map((x) => x.scan_id).join(", ") || "none"})`,
      );
    return s;
  }
  const complete = scans.filter((s) => s.state === "complete");
  const newest = complete[complete.length - 1];
  if (!newest) throw new UsageError("no complete scan to report on among the scans read");
  return newest;
}

function listName(s: ScanInfo): string {
  return `${s.list_source}${s.list_id ? ` ${s.list_id}` : ""}`;
}

function filterRows(result: QueryResult, keep: (row: unknown[]) => boolean): QueryResult {
  return { columns: result.columns, rows: result.rows.filter(keep) };
}

/** The table as JSON: what it is, where from, and rows as objects (64-bit integers as numbers). */
function tableJson(meta: Record<string, unknown>, result: QueryResult): string {
  return `${JSON.stringify({ ...meta, columns: result.columns, rows: resultRows(result) }, null, 1)}\n`;
}

export async function buildReport(opts: ReportOptions): Promise<ReportOutput> {
  const now = opts.now ?? new Date();
  const scans = await listScans(opts.engine);
  const files: string[] = [];
  const tables: Record<string, Record<string, unknown>[]> = {};
  const sections: HtmlSection[] = [];
  const write = (name: string, text: string) => {
    if (!opts.outDir) return;
    writeFileSync(join(opts.outDir, name), text);
    files.push(name);
  };
  if (opts.outDir) mkdirSync(opts.outDir, { recursive: true });

  let scan: ScanInfo | null = null;
  let diff: ScanDiff | null = null;
  const facts: [string, string][] = [];
  let title: string;

  if (opts.diff) {
    const [a, b] = opts.diff.map((id) => chooseScan(scans, id)) as [ScanInfo, ScanInfo];
    diff = await diffScans(opts.engine, a.scan_id, b.scan_id);
    title = `mxsurvey: changes from scan ${a.scan_id} to ${b.scan_id}`;
    for (const [k, s] of [
      ["before", a],
      ["after", b],
    ] as const) {
      facts.push([
        `scan ${k}`,
        `${s.scan_id} (${s.state}), list ${listName(s)}, started ${s.scan_started_at}, finished ${s.finished_at ?? "—"}, ${s.domains} domains`,
      ]);
    }
    for (const t of diff.tables) {
      tables[t.name] = resultRows(t.result);
      write(`${t.name}.csv`, formatResult(t.result, "csv"));
      write(
        `${t.name}.json`,
        tableJson({ table: t.name, title: t.title, rule: t.rule, scans: [a.scan_id, b.scan_id] }, t.result),
      );
      sections.push({
        id: t.name,
        title: t.title,
        question: t.title,
        rule: t.rule,
        scope: `scan ${a.scan_id} (before) and scan ${b.scan_id} (after)`,
        svg: null,
        result: t.result,
        csv: `${t.name}.csv`,
        json: `${t.name}.json`,
        command: `mxsurvey report --diff ${a.scan_id} ${b.scan_id} ${opts.engineFlags}`,
      });
    }
  } else {
    scan = chooseScan(scans, opts.scan);
    const s = scan;
    title = `mxsurvey report: scan ${s.scan_id}`;
    facts.push(
      ["scan", `${s.scan_id} (${s.state}${opts.scan ? ", chosen by --scan" : ", the newest complete scan"})`],
      ["list", `source ${s.list_source}, id ${s.list_id || "(none)"}${s.label ? `, series ${s.label}` : ""}`],
      ["dates", `started ${s.scan_started_at}, finished ${s.finished_at ?? "—"} (UTC)`],
      ["domains", String(s.domains)],
    );
    const sameList = scans.filter(
      (x) => x.state === "complete" && x.list_source === s.list_source && x.list_id === s.list_id,
    );
    facts.push(["scans in the trend", sameList.map((x) => x.scan_id).join(", ")]);
    const dir = queriesDir();
    for (const sec of SECTIONS) {
      const q = readQuery(join(dir, `${sec.query}.sql`));
      const sql = q.takesScan ? targetScan(q.sql, s.scan_id) : q.sql;
      let result = await opts.engine.queryTable(sql);
      let scope: string;
      if (q.takesScan) {
        scope = `scan ${s.scan_id}, list ${listName(s)}, started ${s.scan_started_at}`;
      } else {
        // A trend of the report's list: the complete scans of the same list source and id.
        const ids = new Set(sameList.map((x) => x.scan_id));
        const col = result.columns.findIndex((c) => c.name === "scan_id");
        if (col >= 0) result = filterRows(result, (row) => ids.has(String(row[col])));
        scope = `every complete scan of list ${listName(s)}: ${[...ids].join(", ")}`;
      }
      const rows = resultRows(result);
      tables[sec.query] = rows;
      write(`${sec.query}.csv`, formatResult(result, "csv"));
      write(
        `${sec.query}.json`,
        tableJson(
          {
            query: sec.query,
            title: sec.title,
            question: querySummary(q.sql),
            rule: headerRule(q.sql),
            scope,
          },
          result,
        ),
      );
      const svg = sec.chart && rows.length > 0 ? await renderSvg(sec.chart(rows)) : null;
      sections.push({
        id: sec.query,
        title: sec.title,
        question: querySummary(q.sql),
        rule: headerRule(q.sql),
        scope,
        svg,
        result,
        csv: `${sec.query}.csv`,
        json: `${sec.query}.json`,
        command: `mxsurvey db query ${sec.query}${q.takesScan ? ` --scan ${s.scan_id}` : ""} ${opts.engineFlags}`,
      });
    }
  }
  facts.push(["engine", opts.engineName]);
  write("index.html", renderHtml({ title, facts, sections, generatedAt: now.toISOString() }));
  return { scan, diff, files, tables };
}
