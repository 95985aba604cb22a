/**
 * One directory, one scan. The rules for `scan --out DIR`, checked before anything is written:
 *
 * - A new scan refuses a directory that already holds a scan: any of scan.json, hosts.jsonl, domains.jsonl,
 *   plan.jsonl. The message gives the command that resumes the scan found there. A missing or empty directory
 *   (or one holding only other files) is fine.
 * - `--resume ID` refuses a directory whose files belong to another scan (scan.json's scan_id, or the scan_id of
 *   the first row of a JSONL file), and a scan whose state is `failed` (nothing to continue: start a new scan).
 *
 * Either refusal is a UsageError (exit 2) and leaves every byte of the directory as it was.
 */

import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../options.js";

/** The files a scan writes into its directory. */
export const SCAN_FILES = ["scan.json", "hosts.jsonl", "domains.jsonl", "plan.jsonl"] as const;

/** What a directory holds: the scan files present, and the scan ids and state they name. */
export interface ScanDirContents {
  files: string[];
  /** Distinct scan ids found (scan.json first). */
  scanIds: string[];
  /** scan.json's state, when it has one. */
  state: string | null;
  failureReason: string | null;
}

/** The first line of a file (at most 64 KiB of it), without reading the rest. */
function firstLine(path: string): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString("utf8");
    const nl = text.indexOf("\n");
    return nl === -1 ? text : text.slice(0, nl);
  } finally {
    closeSync(fd);
  }
}

function scanIdOf(value: unknown): string | null {
  const v = value as { scan_id?: unknown; scan?: { scan_id?: unknown } } | null;
  if (typeof v?.scan_id === "string") return v.scan_id;
  return null;
}

export function readScanDir(dir: string): ScanDirContents {
  const files = SCAN_FILES.filter((f) => existsSync(join(dir, f)));
  const ids: string[] = [];
  let state: string | null = null;
  let failureReason: string | null = null;
  for (const f of files) {
    try {
      const row = JSON.parse(
        f === "scan.json" ? readFileSync(join(dir, f), "utf8") : firstLine(join(dir, f)),
      ) as Record<string, unknown>;
      const id = scanIdOf(row);
      if (id !== null && !ids.includes(id)) ids.push(id);
      if (f === "scan.json") {
        if (typeof row["state"] === "string") state = row["state"];
        if (typeof row["failure_reason"] === "string") failureReason = row["failure_reason"];
      }
    } catch {
      // not JSON (empty, or cut short by a crash): the file still counts as present
    }
  }
  return { files, scanIds: ids, state, failureReason };
}

/** A word for a shell command line: quoted unless it is plainly safe. */
function shellWord(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function resumeCommand(scanId: string, dir: string): string {
  return `mxsurvey scan --resume ${shellWord(scanId)} --out ${shellWord(dir)}`;
}

/**
 * Refuse `dir` as the output of a new scan (`resume` null) or of the resumed scan `resume` when it holds another
 * scan. Reads only; throws a UsageError.
 */
export function checkScanDir(dir: string, resume: string | null): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${dir}: not a directory`);
  const found = readScanDir(dir);
  if (found.files.length === 0) return;
  const [owner] = found.scanIds;
  if (resume === null) {
    const what = owner === undefined ? "scan files" : `scan ${owner}`;
    const next =
      owner !== undefined && found.files.includes("scan.json")
        ? `Resume it with: ${resumeCommand(owner, dir)} (or give another --out)`
        : "Give another --out";
    throw new UsageError(
      `--out ${dir} already holds ${what} (${found.files.join(", ")}): one directory holds one scan. ${next}`,
    );
  }
  const others = found.scanIds.filter((id) => id !== resume);
  if (others.length > 0) {
    throw new UsageError(
      `--out ${dir} holds scan ${others[0]}, not ${resume}: a scan is resumed in its own directory (${resumeCommand(others[0]!, dir)} resumes the scan there)`,
    );
  }
  if (found.state === "failed") {
    throw new UsageError(
      `scan ${resume} failed${found.failureReason ? ` (${found.failureReason})` : ""}: there is nothing to resume; start a new scan`,
    );
  }
}
