/**
 * The domain-list options of `mxsurvey scan`, and `mxsurvey scan --domains FILE --dry-run`: read, normalize and
 * dedupe the list, print the counts and every rejected line (`line N: reason: text`) — no DNS query, no probe.
 * Everything goes to stdout (it is the command's output); a warning goes to stderr when no domain is valid.
 */

import type { Argv } from "yargs";
import { type IngestResult, ingestDomains, type ReadListOptions } from "../ingest/index.js";
import { escapeText, LIST_FORMATS } from "../ingest/read-list.js";
import { UsageError } from "../options.js";

export const INGEST_FORMATS = ["auto", ...LIST_FORMATS] as const;

/**
 * `--domains` is not marked required here because `scan --resume` takes the list from the earlier run; the
 * commands that need it refuse its absence with a UsageError (exit 2).
 */
export function ingestOptions<T>(y: Argv<T>) {
  return y
    .option("domains", {
      type: "string",
      // One value, always: without nargs the parser leaves a lone "-" (standard input) unconsumed.
      nargs: 1,
      description: "the domain list: a file, or - for standard input (required for a new scan)",
    })
    .option("format", {
      type: "string",
      choices: INGEST_FORMATS,
      default: "auto",
      description:
        "list format: tranco (rank,domain; also Alexa, Umbrella), plain (one domain a line), csv (with a header " +
        "line); auto decides from the first data line",
    })
    .option("column", {
      type: "string",
      description: "the CSV column holding the domains (the file has a header line; implies --format csv)",
    })
    .option("top", {
      type: "number",
      description: "read only the first N data lines of the list (the top N of a ranked list)",
    })
    .option("list-source", {
      type: "string",
      default: "custom",
      description: "where the list comes from (tranco, umbrella, ...); recorded in the scan row",
    })
    .option("list-id", {
      type: "string",
      default: "",
      description: "the list's own identifier (e.g. a Tranco list ID); recorded in the scan row",
    });
}

export interface IngestArgs {
  domains?: string | undefined;
  format?: string | undefined;
  column?: string | undefined;
  top?: number | undefined;
  "list-source"?: string | undefined;
  "list-id"?: string | undefined;
}

/** The ingest options from the command line; a bad value is a UsageError. */
export function readListOptions(a: IngestArgs): ReadListOptions {
  const format = a.format ?? "auto";
  if (!(INGEST_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${INGEST_FORMATS.join(", ")}`);
  if (a.top !== undefined && (!Number.isInteger(a.top) || a.top < 1))
    throw new UsageError("--top must be a positive integer");
  return {
    format: format as ReadListOptions["format"],
    ...(a.column !== undefined ? { column: a.column } : {}),
    ...(a.top !== undefined ? { top: a.top } : {}),
  };
}

export function domainsPath(a: IngestArgs): string {
  if (a.domains === undefined || a.domains === "")
    throw new UsageError("give --domains FILE (or - for standard input)");
  return a.domains;
}

const num = (n: number) => n.toLocaleString("en-US");

/** The dry-run report: counts, then every rejected line. */
export function renderDryRun(path: string, a: IngestArgs, r: IngestResult): string {
  const format = r.format === null ? "unknown (no data line)" : r.format;
  const lines = [
    `dry run: nothing was queried or probed`,
    `input         ${path === "-" ? "standard input" : escapeText(path)}`,
    `format        ${format}${r.column !== null ? `, column ${JSON.stringify(r.column)}` : ""}`,
    `list          source ${JSON.stringify(a["list-source"] ?? "custom")}, id ${JSON.stringify(a["list-id"] ?? "")}`,
  ];
  if (r.top !== null) lines.push(`top           first ${num(r.top)} data lines`);
  const c = r.counts;
  lines.push(
    `lines read    ${num(c.lines_read)}`,
    `blank         ${num(c.blank)}`,
    `comments      ${num(c.comments)}`,
    `header        ${num(c.header)}`,
    `domains       ${num(c.domains)} (valid and unique: these would be scanned)`,
    `duplicates    ${num(c.duplicates)}`,
    `rejected      ${num(c.rejected)}`,
  );
  if (r.rejected.length > 0) lines.push("rejected lines:");
  return `${lines.join("\n")}\n`;
}

export async function runScanDryRun(
  args: IngestArgs,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<IngestResult> {
  const path = domainsPath(args);
  const result = await ingestDomains(path, readListOptions(args));
  out.write(renderDryRun(path, args, result));
  // Every rejected line, in batches (a bad list can reject millions).
  const batch: string[] = [];
  for (const r of result.rejected) {
    batch.push(`line ${r.line}: ${r.reason}: ${escapeText(r.text)}\n`);
    if (batch.length === 10_000) {
      out.write(batch.join(""));
      batch.length = 0;
    }
  }
  if (batch.length > 0) out.write(batch.join(""));
  if (result.counts.domains === 0)
    err.write(`mxsurvey: no valid domain in ${path === "-" ? "standard input" : path}\n`);
  return result;
}
