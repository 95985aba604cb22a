/**
 * Output of `mxsurvey db query`: a query's result (columns with their ClickHouse types, rows of JSON values) as
 * an aligned table for people, or JSON lines, CSV or TSV for programs. Engine-neutral: anything that yields
 * columns and rows can print through it.
 *
 * - table: a header, a rule, one line per row; numbers right-aligned; NULL for null; arrays as JSON; in strings,
 *   control characters and the backslash shown escaped (\n, \t, \\) so a value never breaks the alignment.
 * - json: one object per row, keys in column order; 64-bit integers (which ClickHouse sends as strings) written
 *   as JSON numbers, digit for digit.
 * - csv: RFC 4180 with a header line, CRLF line ends; null is an empty field; arrays as JSON (as in json).
 * - tsv: a header line, then ClickHouse's TabSeparated escaping (\\, \t, \n, \r); null is \N.
 */

import type { QueryResult } from "../../shared/analysis-queries.js";

export const RESULT_FORMATS = ["table", "json", "csv", "tsv"] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** The type inside Nullable(...) and LowCardinality(...). */
function baseType(type: string): string {
  const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type);
  return m ? baseType(m[1]!) : type;
}

function isNumericType(type: string): boolean {
  return /^(?:U?Int\d+|Float\d+|Decimal)/.test(baseType(type));
}

/** A value as JSON text, 64-bit integers (decimal strings from the server) as numbers. */
function jsonValue(type: string, v: unknown): string {
  if (v === null || v === undefined) return "null";
  const t = baseType(type);
  const array = /^Array\((.*)\)$/.exec(t);
  if (array && Array.isArray(v)) return `[${v.map((x) => jsonValue(array[1]!, x)).join(",")}]`;
  if (/^U?Int(?:64|128|256)$/.test(t) && typeof v === "string" && /^-?\d+$/.test(v)) return v;
  return JSON.stringify(v);
}

/** A value as text: strings as they are, numbers in their shortest form, arrays and tuples as JSON. */
function plainText(type: string, v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return jsonValue(type, v);
}

const CONTROL_ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" };

function tableCell(type: string, v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v !== "string") return plainText(type, v); // numbers, or JSON: nothing to escape
  return v.replace(
    /[\\\u0000-\u001f\u007f]/g,
    (c) => CONTROL_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** Display width in code points (no attempt at East Asian double width). */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function formatTable(result: QueryResult): string {
  const header = result.columns.map((c) => c.name);
  const cells = result.rows.map((row) => result.columns.map((c, i) => tableCell(c.type, row[i])));
  const widths = header.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i]!))));
  const right = result.columns.map((c) => isNumericType(c.type));
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        const pad = " ".repeat(widths[i]! - width(v));
        return right[i] ? pad + v : v + pad;
      })
      .join("  ")
      .trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)];
  return `${out.join("\n")}\n`;
}

function csvField(type: string, v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = plainText(type, v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function tsvField(type: string, v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  return plainText(type, v).replace(/[\\\t\n\r]/g, (c) => CONTROL_ESCAPES[c]!);
}

export function formatResult(result: QueryResult, format: ResultFormat): string {
  switch (format) {
    case "table":
      return formatTable(result);
    case "json":
      return result.rows
        .map(
          (row) =>
            `{${result.columns.map((c, i) => `${JSON.stringify(c.name)}:${jsonValue(c.type, row[i])}`).join(",")}}\n`,
        )
        .join("");
    case "csv":
      return [result.columns.map((c) => c.name), ...result.rows]
        .map(
          (row, r) =>
            `${result.columns.map((c, i) => csvField(r === 0 ? "String" : c.type, row[i])).join(",")}\r\n`,
        )
        .join("");
    case "tsv":
      return [result.columns.map((c) => c.name), ...result.rows]
        .map(
          (row, r) =>
            `${result.columns.map((c, i) => tsvField(r === 0 ? "String" : c.type, row[i])).join("\t")}\n`,
        )
        .join("");
  }
}
