/**
 * `npm run docs`: regenerate the generated blocks of README.md (row schemas, vocabularies) from shared/.
 * test/unit/readme.test.ts fails when README.md is out of date.
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FAILURES } from "../../shared/failures.js";
import { DOMAIN_COLUMNS } from "../../shared/schema/domain-row.js";
import { HOST_COLUMNS } from "../../shared/schema/host-row.js";
import { columnsTable, replaceBlock } from "../../shared/schema/markdown.js";

/** The project root: the nearest folder above this file holding mxsurvey's package.json (works from dist/ too). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "mxsurvey") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("project root not found");
    dir = up;
  }
}

export const README = join(projectRoot(), "README.md");

export function generatedBlocks(): Record<string, string> {
  return {
    "host-columns": columnsTable(HOST_COLUMNS),
    "domain-columns": columnsTable(DOMAIN_COLUMNS),
    failures: FAILURES.map((f) => `\`${f}\``).join(", "),
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
}
