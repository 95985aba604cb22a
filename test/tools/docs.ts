/**
 * `npm run docs`: regenerate the generated blocks of README.md (row schemas, vocabularies) and
 * queries/schema.sql (ClickHouse DDL, test/tools/schema-sql.ts) from shared/. test/unit/readme.test.ts and
 * test/unit/schema-sql.test.ts fail when either is out of date.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FAILURES } from "../../shared/failures.js";
import { DOMAIN_RECOMMENDATIONS } from "../../shared/policy/recommendations.js";
import { DOMAIN_COLUMNS } from "../../shared/schema/domain-row.js";
import { HOST_COLUMNS } from "../../shared/schema/host-row.js";
import { columnsTable, replaceBlock } from "../../shared/schema/markdown.js";
import { RECOMMENDATIONS } from "../../shared/tls/grade.js";
import { projectRoot } from "./project-root.js";
import { writeSchemaSql } from "./schema-sql.js";

export { projectRoot };

export const README = join(projectRoot(), "README.md");

export function generatedBlocks(): Record<string, string> {
  return {
    "host-columns": columnsTable(HOST_COLUMNS),
    "domain-columns": columnsTable(DOMAIN_COLUMNS),
    failures: FAILURES.map((f) => `\`${f}\``).join(", "),
    "domain-recommendations": [
      "| code | severity | what to change |",
      "|---|---|---|",
      ...Object.entries(DOMAIN_RECOMMENDATIONS).map(
        ([code, r]) => `| \`${code}\` | ${r.severity} | ${r.text} |`,
      ),
    ].join("\n"),
    recommendations: [
      "| code | severity | what to change |",
      "|---|---|---|",
      ...Object.entries(RECOMMENDATIONS).map(([code, r]) => `| \`${code}\` | ${r.severity} | ${r.text} |`),
    ].join("\n"),
  };
}

export function renderReadme(doc: string): string {
  let out = doc;
  for (const [name, body] of Object.entries(generatedBlocks())) out = replaceBlock(out, name, body);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(README, renderReadme(readFileSync(README, "utf8")));
  console.log(`updated ${README}`);
  console.log(`wrote ${writeSchemaSql()}`);
}
