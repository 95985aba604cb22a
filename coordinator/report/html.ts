/**
 * The report's one HTML file: inline CSS, the charts as inline SVG, no script, no external resource (it opens
 * from a file:// URL or as a mail attachment, offline). Every chart has its data as a real table below it, and
 * links to the table's CSV and JSON beside the file.
 */

import type { QueryResult } from "../../shared/analysis-queries.js";

export function esc(s: unknown): string {
  return String(s ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

export interface HtmlSection {
  id: string;
  title: string;
  question: string;
  rule: string;
  /** Which scan(s) the figures come from, for the reader. */
  scope: string;
  svg: string | null;
  result: QueryResult;
  /** File names of the CSV and JSON beside index.html. */
  csv: string;
  json: string;
  /** How to recompute it. */
  command: string;
}

export interface HtmlPage {
  title: string;
  /** Lines of facts about the scans (ids, list, dates, engine). */
  facts: [string, string][];
  sections: HtmlSection[];
  generatedAt: string;
}

const NUMERIC = /^(?:Nullable\()?(?:U?Int\d+|Float\d+|Decimal)/;

function cell(type: string, v: unknown): string {
  if (v === null || v === undefined) return "<td class=null>null</td>";
  if (NUMERIC.test(type)) return `<td class=num>${esc(v)}</td>`;
  if (Array.isArray(v) || (typeof v === "object" && v !== null)) return `<td>${esc(JSON.stringify(v))}</td>`;
  return `<td>${esc(v)}</td>`;
}

/** At most this many rows in the page; the CSV and JSON have all. */
const MAX_ROWS = 500;

function table(s: HtmlSection): string {
  const r = s.result;
  const shown = r.rows.slice(0, MAX_ROWS);
  const more =
    r.rows.length > shown.length
      ? `<p class=note>${r.rows.length - shown.length} more rows in <a href="${esc(s.csv)}">${esc(s.csv)}</a>.</p>`
      : "";
  const body =
    shown.length === 0
      ? `<tr><td colspan=${r.columns.length || 1}><em>no rows</em></td></tr>`
      : shown.map((row) => `<tr>${r.columns.map((c, i) => cell(c.type, row[i])).join("")}</tr>`).join("\n");
  return `<div class=tablewrap><table>
<caption>${esc(s.title)}: the data${s.svg ? " of the chart above" : ""} (${r.rows.length} row${r.rows.length === 1 ? "" : "s"})</caption>
<thead><tr>${r.columns.map((c) => `<th scope=col title="${esc(c.type)}">${esc(c.name)}</th>`).join("")}</tr></thead>
<tbody>
${body}
</tbody></table></div>${more}`;
}

function section(s: HtmlSection): string {
  const figure = s.svg
    ? `<figure class=chart id="chart-${esc(s.id)}" role=img aria-labelledby="cap-${esc(s.id)}">
${s.svg}
<figcaption id="cap-${esc(s.id)}">${esc(s.title)}: ${esc(s.scope)} (the rule is above, the data below).</figcaption>
</figure>`
    : "";
  return `<section id="${esc(s.id)}">
<h2>${esc(s.title)}</h2>
<p class=question>${esc(s.question)}</p>
<p class=rule><strong>Rule.</strong> ${esc(s.rule)}</p>
<p class=scope><strong>Data.</strong> ${esc(s.scope)}. Files: <a href="${esc(s.csv)}">${esc(s.csv)}</a>, <a href="${esc(s.json)}">${esc(s.json)}</a>. Recompute: <code>${esc(s.command)}</code></p>
${figure}
${table(s)}
</section>`;
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1000px;padding:1rem 1.5rem;color:#111;background:#fff;line-height:1.45}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2.5rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;font-size:.92rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
nav ul{columns:2;font-size:.92rem}
figure.chart{margin:1rem 0;overflow-x:auto}figure.chart svg{max-width:100%;height:auto}
figcaption,.note,.rule,.scope{font-size:.88rem;color:#333}
.tablewrap{overflow-x:auto}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}caption{text-align:left;font-size:.85rem;color:#333;padding:.2rem 0;white-space:nowrap}
th,td{border:1px solid #bbb;padding:.2rem .45rem;text-align:left;vertical-align:top}th{background:#eef2f7}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.null{color:#777}
code{font-size:.85rem;background:#f3f3f3;padding:0 .2rem;word-break:break-all}
a{color:#0b57a4}
`;

export function renderHtml(page: HtmlPage): string {
  return `<!doctype html>
<html lang=en>
<head>
<meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(page.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(page.title)}</h1>
<dl class=facts>
${page.facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("\n")}
<dt>generated</dt><dd>${esc(page.generatedAt)} by mxsurvey report</dd>
</dl>
<nav aria-label=sections><ul>
${page.sections.map((s) => `<li><a href="#${esc(s.id)}">${esc(s.title)}</a></li>`).join("\n")}
</ul></nav>
</header>
<main>
${page.sections.map(section).join("\n")}
</main>
<footer><p class=note>Charts drawn with Vega-Lite in the Okabe–Ito colour-blind-safe palette; every chart's data is in the table under it and in the CSV and JSON files beside this page.</p></footer>
</body>
</html>
`;
}
