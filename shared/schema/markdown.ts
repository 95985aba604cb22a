/** Markdown renderings of the schema, for README.md (kept in step by test/unit/readme.test.ts). */

import { describeType, type TableSpec } from "./columns.js";

export function columnsTable(spec: TableSpec): string {
  const rows = Object.entries(spec).map(
    ([name, c]) =>
      `| \`${name}\` | ${describeType(c.type)
        .replace(/\|(?!\|)/g, "\\|")
        .replace(/\\\\\|/g, "\\|")} | ${c.doc.replace(/\|/g, "\\|")} |`,
  );
  return ["| column | type | meaning |", "|---|---|---|", ...rows].join("\n");
}

/** Replace the text between `<!-- BEGIN name -->` and `<!-- END name -->`. */
export function replaceBlock(doc: string, name: string, body: string): string {
  const begin = `<!-- BEGIN ${name} -->`;
  const end = `<!-- END ${name} -->`;
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README has no ${begin} ... ${end} block`);
  return `${doc.slice(0, i + begin.length)}\n${body}\n${doc.slice(j)}`;
}

export function readBlock(doc: string, name: string): string | null {
  const begin = `<!-- BEGIN ${name} -->`;
  const end = `<!-- END ${name} -->`;
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return null;
  return doc.slice(i + begin.length, j).trim();
}
