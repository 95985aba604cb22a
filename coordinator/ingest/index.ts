/**
 * Domain-list ingest for `mxsurvey scan --domains FILE|-`: reads the list (a file, or stdin for `-`), normalizes
 * and deduplicates the domains, and keeps every rejected line. See read-list.ts for the formats and rules, and
 * normalize.ts for what counts as a domain.
 */

import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { UsageError } from "../options.js";
import { type IngestResult, type ReadListOptions, readDomainList } from "./read-list.js";

export { type NormalizeResult, normalizeDomain, REJECT_REASONS, type RejectReason } from "./normalize.js";
export {
  DomainListReader,
  escapeText,
  type IngestCounts,
  type IngestRejectReason,
  type IngestResult,
  LINE_REJECT_REASONS,
  LIST_FORMATS,
  type ListFormat,
  type ReadListOptions,
  type RejectedLine,
  readDomainList,
  rejectedLinesColumn,
} from "./read-list.js";

const FILE_ERRORS = new Set(["ENOENT", "EACCES", "EPERM", "EISDIR", "ENOTDIR", "ELOOP", "ENAMETOOLONG"]);

/**
 * Reads the domain list at `path` (`-`: standard input, or `io.stdin`). A file that cannot be opened or read is
 * a UsageError (exit 2), like binary input or a bad option.
 */
export async function ingestDomains(
  path: string,
  opts: ReadListOptions = {},
  io: { stdin?: Readable } = {},
): Promise<IngestResult> {
  const input =
    path === "-" ? (io.stdin ?? process.stdin) : createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    return await readDomainList(input, opts);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === "string" && FILE_ERRORS.has(code)) {
      throw new UsageError(`--domains ${path}: ${(err as Error).message}`);
    }
    throw err;
  } finally {
    if (path !== "-") (input as Readable).destroy();
  }
}
