/**
 * queries/schema.sql: the ClickHouse DDL generated from shared/schema (shared/store/ddl.ts). Written by
 * `npm run docs` (test/tools/docs.ts calls writeSchemaSql); test/unit/schema-sql.test.ts fails when the
 * committed file is out of date. Runs on its own too: `node dist/test/tools/schema-sql.js`.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateSchemaSql } from "../../shared/store/ddl.js";
import { projectRoot } from "./project-root.js";

export const SCHEMA_SQL = join(projectRoot(), "queries", "schema.sql");

export function writeSchemaSql(path = SCHEMA_SQL): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, generateSchemaSql());
  return path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`wrote ${writeSchemaSql()}`);
}
